"""Job placements move to the ``employment`` app: state only, the tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0004_placements'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='jobplacement',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='jobplacement',
                    name='employer',
                ),
                migrations.RemoveField(
                    model_name='jobplacement',
                    name='network',
                ),
                migrations.RemoveField(
                    model_name='jobplacementgroupobjectpermission',
                    name='content_object',
                ),
                migrations.AlterUniqueTogether(
                    name='jobplacementgroupobjectpermission',
                    unique_together=None,
                ),
                migrations.RemoveField(
                    model_name='jobplacementgroupobjectpermission',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='jobplacementgroupobjectpermission',
                    name='permission',
                ),
            ],
        ),
    ]
