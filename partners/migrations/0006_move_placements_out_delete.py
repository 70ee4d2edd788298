"""Job placements move to the ``employment`` app: state only, the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0005_move_placements_out_state'),
        ('referrals', '0003_move_applications_out'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='JobPlacement',
                ),
                migrations.DeleteModel(
                    name='JobPlacementGroupObjectPermission',
                ),
            ],
        ),
    ]
