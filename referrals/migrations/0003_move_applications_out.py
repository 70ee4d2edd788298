"""Placement applications move to ``employment`` and referrals point at ``people``: state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
        ('referrals', '0002_placements'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='followalongcontact',
                    name='activity',
                ),
                migrations.RemoveField(
                    model_name='followalongcontact',
                    name='application',
                ),
                migrations.RemoveField(
                    model_name='followalongcontact',
                    name='coach',
                ),
                migrations.RemoveField(
                    model_name='placementapplication',
                    name='case',
                ),
                migrations.RemoveField(
                    model_name='placementapplication',
                    name='employer',
                ),
                migrations.RemoveField(
                    model_name='placementapplication',
                    name='job_coach',
                ),
                migrations.RemoveField(
                    model_name='placementapplication',
                    name='job_coach_partner',
                ),
                migrations.RemoveField(
                    model_name='placementapplication',
                    name='network',
                ),
                migrations.RemoveField(
                    model_name='placementapplication',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='placementapplication',
                    name='placement',
                ),
                migrations.RemoveField(
                    model_name='placementapplication',
                    name='proposed_by',
                ),
                migrations.RemoveField(
                    model_name='placementapplication',
                    name='proposed_by_partner',
                ),
                migrations.RemoveField(
                    model_name='placementapplicationgroupobjectpermission',
                    name='content_object',
                ),
                migrations.AlterUniqueTogether(
                    name='placementapplicationgroupobjectpermission',
                    unique_together=None,
                ),
                migrations.RemoveField(
                    model_name='placementapplicationgroupobjectpermission',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='placementapplicationgroupobjectpermission',
                    name='permission',
                ),
                migrations.AlterField(
                    model_name='referral',
                    name='case',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='people.case'),
                ),
                migrations.AlterField(
                    model_name='referral',
                    name='person',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='people.person', verbose_name='person'),
                ),
                migrations.DeleteModel(
                    name='ApplicationEvent',
                ),
                migrations.DeleteModel(
                    name='FollowAlongContact',
                ),
                migrations.DeleteModel(
                    name='PlacementApplication',
                ),
                migrations.DeleteModel(
                    name='PlacementApplicationGroupObjectPermission',
                ),
            ],
        ),
    ]
