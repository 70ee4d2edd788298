"""The employment models move here from ``partners`` and ``referrals``: state only, same tables."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('employment', '0001_initial'),
        ('network', '0008_move_people_out_delete'),
        ('partners', '0006_move_placements_out_delete'),
        ('people', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='followalongcontact',
                    name='activity',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.activity'),
                ),
                migrations.AddField(
                    model_name='followalongcontact',
                    name='coach',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='jobplacement',
                    name='created_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='jobplacement',
                    name='employer',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='placements', to='partners.partner', verbose_name='employer'),
                ),
                migrations.AddField(
                    model_name='jobplacement',
                    name='network',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='placements', to='network.network', verbose_name='network'),
                ),
                migrations.AddField(
                    model_name='jobplacementgroupobjectpermission',
                    name='content_object',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_grants', to='employment.jobplacement'),
                ),
                migrations.AddField(
                    model_name='jobplacementgroupobjectpermission',
                    name='group',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.group'),
                ),
                migrations.AddField(
                    model_name='jobplacementgroupobjectpermission',
                    name='permission',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission'),
                ),
                migrations.AddField(
                    model_name='placementapplication',
                    name='case',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.case'),
                ),
                migrations.AddField(
                    model_name='placementapplication',
                    name='employer',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner'),
                ),
                migrations.AddField(
                    model_name='placementapplication',
                    name='job_coach',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='coached_applications', to=settings.AUTH_USER_MODEL, verbose_name='job coach'),
                ),
                migrations.AddField(
                    model_name='placementapplication',
                    name='job_coach_partner',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner'),
                ),
                migrations.AddField(
                    model_name='placementapplication',
                    name='network',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='network.network'),
                ),
                migrations.AddField(
                    model_name='placementapplication',
                    name='person',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='placement_applications', to='people.person', verbose_name='person'),
                ),
                migrations.AddField(
                    model_name='placementapplication',
                    name='placement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='employment.jobplacement', verbose_name='placement'),
                ),
                migrations.AddField(
                    model_name='placementapplication',
                    name='proposed_by',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AddField(
                    model_name='placementapplication',
                    name='proposed_by_partner',
                    field=models.ForeignKey(blank=True, help_text='Empty when the coordinator proposes.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner', verbose_name='proposed by'),
                ),
                migrations.AddField(
                    model_name='followalongcontact',
                    name='application',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contacts', to='employment.placementapplication'),
                ),
                migrations.AddField(
                    model_name='applicationevent',
                    name='application',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='employment.placementapplication'),
                ),
                migrations.AddField(
                    model_name='placementapplicationgroupobjectpermission',
                    name='content_object',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_grants', to='employment.placementapplication'),
                ),
                migrations.AddField(
                    model_name='placementapplicationgroupobjectpermission',
                    name='group',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.group'),
                ),
                migrations.AddField(
                    model_name='placementapplicationgroupobjectpermission',
                    name='permission',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission'),
                ),
                migrations.AddIndex(
                    model_name='jobplacement',
                    index=models.Index(fields=['employer', '-created_at'], name='placement_employer'),
                ),
                migrations.AddIndex(
                    model_name='jobplacement',
                    index=models.Index(fields=['network', 'is_open', 'closing_date'], name='placement_network_open'),
                ),
                migrations.AddConstraint(
                    model_name='jobplacement',
                    constraint=models.CheckConstraint(condition=models.Q(('positions__gte', 1)), name='placement_positions_positive', violation_error_message='A placement has at least one position.'),
                ),
                migrations.AddConstraint(
                    model_name='jobplacement',
                    constraint=models.CheckConstraint(condition=models.Q(('hours_per_week__gte', 1), ('hours_per_week__lte', 60)), name='placement_hours_range', violation_error_message='Hours per week must be between 1 and 60.'),
                ),
                migrations.AddConstraint(
                    model_name='jobplacement',
                    constraint=models.CheckConstraint(condition=models.Q(('hired_count__lte', models.F('positions'))), name='placement_hires_within_positions', violation_error_message='The number of positions cannot be lower than the people already employed.'),
                ),
                migrations.AddIndex(
                    model_name='jobplacementgroupobjectpermission',
                    index=models.Index(fields=['group', 'permission', 'content_object'], name='placement_grant_lookup'),
                ),
                migrations.AlterUniqueTogether(
                    name='jobplacementgroupobjectpermission',
                    unique_together={('group', 'permission', 'content_object')},
                ),
                migrations.AddIndex(
                    model_name='placementapplication',
                    index=models.Index(fields=['placement', '-created_at'], name='application_placement'),
                ),
                migrations.AddIndex(
                    model_name='placementapplication',
                    index=models.Index(fields=['employer', '-created_at'], name='application_employer'),
                ),
                migrations.AddIndex(
                    model_name='placementapplication',
                    index=models.Index(fields=['network', 'stage'], name='application_network_stage'),
                ),
                migrations.AddIndex(
                    model_name='placementapplication',
                    index=models.Index(fields=['job_coach', 'stage'], name='application_coach'),
                ),
                migrations.AddIndex(
                    model_name='placementapplication',
                    index=models.Index(fields=['proposed_by_partner', '-created_at'], name='application_proposer'),
                ),
                migrations.AddIndex(
                    model_name='placementapplication',
                    index=models.Index(fields=['person', '-created_at'], name='application_person'),
                ),
                migrations.AddConstraint(
                    model_name='placementapplication',
                    constraint=models.UniqueConstraint(condition=models.Q(('stage__in', ('proposed', 'interview', 'offered', 'hired', 'retained_1m', 'retained_3m', 'retained_6m'))), fields=('placement', 'person'), name='application_one_active_per_person', violation_error_message='This person is already a candidate for this placement.'),
                ),
                migrations.AddConstraint(
                    model_name='placementapplication',
                    constraint=models.CheckConstraint(condition=models.Q(('hired_on__isnull', False), models.Q(('stage__in', ('hired', 'retained_1m', 'retained_3m', 'retained_6m')), _negated=True), _connector='OR'), name='application_employed_has_hire_date'),
                ),
                migrations.AddIndex(
                    model_name='followalongcontact',
                    index=models.Index(fields=['application', 'occurred_on'], name='follow_along_application'),
                ),
                migrations.AddIndex(
                    model_name='applicationevent',
                    index=models.Index(fields=['application', 'at'], name='application_event_timeline'),
                ),
                migrations.AddIndex(
                    model_name='applicationevent',
                    index=models.Index(fields=['to_stage', 'at'], name='application_event_stage'),
                ),
                migrations.AddIndex(
                    model_name='placementapplicationgroupobjectpermission',
                    index=models.Index(fields=['group', 'permission', 'content_object'], name='application_grant_lookup'),
                ),
                migrations.AlterUniqueTogether(
                    name='placementapplicationgroupobjectpermission',
                    unique_together={('group', 'permission', 'content_object')},
                ),
            ],
        ),
    ]
