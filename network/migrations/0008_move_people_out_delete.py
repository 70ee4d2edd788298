"""People, consent, paths and groups move to the ``people`` app: state only, the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0007_move_people_out_state'),
        ('referrals', '0003_move_applications_out'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Activity',
                ),
                migrations.DeleteModel(
                    name='Assessment',
                ),
                migrations.DeleteModel(
                    name='AssessmentScore',
                ),
                migrations.DeleteModel(
                    name='Attendance',
                ),
                migrations.DeleteModel(
                    name='Case',
                ),
                migrations.DeleteModel(
                    name='CaseEvent',
                ),
                migrations.DeleteModel(
                    name='Consent',
                ),
                migrations.DeleteModel(
                    name='Goal',
                ),
                migrations.DeleteModel(
                    name='GoalReview',
                ),
                migrations.DeleteModel(
                    name='GroupMembership',
                ),
                migrations.DeleteModel(
                    name='Instrument',
                ),
                migrations.DeleteModel(
                    name='InstrumentDomain',
                ),
                migrations.DeleteModel(
                    name='InstrumentLevel',
                ),
                migrations.DeleteModel(
                    name='Meeting',
                ),
                migrations.DeleteModel(
                    name='Person',
                ),
                migrations.DeleteModel(
                    name='PersonGroupObjectPermission',
                ),
                migrations.DeleteModel(
                    name='SupportGroup',
                ),
                migrations.DeleteModel(
                    name='SupportPlan',
                ),
            ],
        ),
    ]
