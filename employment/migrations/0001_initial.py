"""The employment models move here from ``partners`` and ``referrals``: state only, same tables."""

import django.contrib.postgres.fields
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import partners.validators
import uuid
from django.conf import settings
from django.db import migrations, models


def relabel(old_app, new_app, models):
    """Move the content types with the models, so that permission ids (django-guardian's grants) stay valid."""

    def forward(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not ContentType.objects.filter(app_label=new_app, model=model).exists():
                ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    def backward(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not ContentType.objects.filter(app_label=old_app, model=model).exists():
                ContentType.objects.filter(app_label=new_app, model=model).update(app_label=old_app)

    return migrations.RunPython(forward, backward)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FollowAlongContact',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('occurred_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='date')),
                        ('minutes', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1440)], verbose_name='minutes')),
                        ('mode', models.CharField(choices=[('at_work', 'at the workplace'), ('outside_work', 'outside work'), ('phone', 'by phone'), ('with_employer', 'with the employer')], max_length=16, verbose_name='form of contact')),
                        ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'verbose_name': 'follow-along contact',
                        'verbose_name_plural': 'follow-along contacts',
                        'db_table': 'referrals_followalongcontact',
                        'ordering': ['-occurred_on', '-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='JobPlacement',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('title', models.CharField(max_length=200, verbose_name='position')),
                        ('description', models.TextField(blank=True, verbose_name='duties and requirements')),
                        ('workplace', models.CharField(help_text='E.g. the warehouse, the shop, the office.', max_length=200, verbose_name='workplace')),
                        ('street', models.CharField(blank=True, max_length=200, verbose_name='street and number')),
                        ('postal_code', models.CharField(blank=True, max_length=6, validators=[partners.validators.validate_postal_code], verbose_name='postal code')),
                        ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                        ('hours_per_week', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='hours per week')),
                        ('contract_form', models.CharField(choices=[('employment_contract', 'employment contract'), ('internship', 'internship'), ('job_trial', 'job trial'), ('other', 'other form')], max_length=24, verbose_name='form of employment')),
                        ('support_offered', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('job_coach', 'job coach'), ('adapted_workstation', 'adapted workstation'), ('flexible_hours', 'flexible hours'), ('workplace_mentor', 'mentor at work')], max_length=24), blank=True, default=list, size=None, verbose_name='support offered')),
                        ('positions', models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1)], verbose_name='positions')),
                        ('hired_count', models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='people employed')),
                        ('is_open', models.BooleanField(default=True, verbose_name='open')),
                        ('closing_date', models.DateField(blank=True, null=True, verbose_name='closing date')),
                        ('closed_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='closed')),
                    ],
                    options={
                        'verbose_name': 'supported job placement',
                        'verbose_name_plural': 'supported job placements',
                        'db_table': 'partners_jobplacement',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='JobPlacementGroupObjectPermission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ],
                    options={
                        'db_table': 'partners_jobplacementgroupobjectpermission',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='PlacementApplication',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('note', models.CharField(blank=True, help_text='The employer reads it. Do not write about health or diagnosis.', max_length=500, verbose_name='note for the employer')),
                        ('stage', models.CharField(choices=[('proposed', 'proposed'), ('interview', 'interview'), ('offered', 'offered'), ('hired', 'hired'), ('retained_1m', 'retained after 1 month'), ('retained_3m', 'retained after 3 months'), ('retained_6m', 'retained after 6 months'), ('declined', 'declined'), ('withdrawn', 'withdrawn'), ('ended', 'employment ended')], default='proposed', max_length=16, verbose_name='stage')),
                        ('stage_changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='stage changed')),
                        ('hired_on', models.DateField(blank=True, null=True, verbose_name='hired on')),
                        ('ended_on', models.DateField(blank=True, null=True, verbose_name='ended on')),
                        ('reminded_for', models.CharField(blank=True, editable=False, max_length=16)),
                        ('reason_code', models.CharField(blank=True, choices=[('position_filled', 'the position was filled'), ('not_suited', 'the candidate does not meet the requirements'), ('person_declined', 'the person resigned'), ('person_unreachable', 'no contact with the person'), ('contract_ended', 'the contract ended'), ('dismissed', 'the employer ended the contract'), ('open_market', 'moved to the open labour market'), ('other', 'other reason')], max_length=20, verbose_name='reason')),
                        ('reason_origin', models.CharField(blank=True, choices=[('employer', 'the employer'), ('person', 'the person'), ('network', 'the proposing institution')], max_length=10, verbose_name='reason came from')),
                        ('reason_note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                    ],
                    options={
                        'verbose_name': 'candidate for a placement',
                        'verbose_name_plural': 'candidates for placements',
                        'db_table': 'referrals_placementapplication',
                        'ordering': ['-created_at'],
                        'permissions': [('respond_placementapplication', 'Can move a candidate through the stages')],
                    },
                ),
                migrations.CreateModel(
                    name='PlacementApplicationGroupObjectPermission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ],
                    options={
                        'db_table': 'referrals_placementapplicationgroupobjectpermission',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='ApplicationEvent',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('action', models.CharField(max_length=20)),
                        ('from_stage', models.CharField(blank=True, choices=[('proposed', 'proposed'), ('interview', 'interview'), ('offered', 'offered'), ('hired', 'hired'), ('retained_1m', 'retained after 1 month'), ('retained_3m', 'retained after 3 months'), ('retained_6m', 'retained after 6 months'), ('declined', 'declined'), ('withdrawn', 'withdrawn'), ('ended', 'employment ended')], max_length=16)),
                        ('to_stage', models.CharField(choices=[('proposed', 'proposed'), ('interview', 'interview'), ('offered', 'offered'), ('hired', 'hired'), ('retained_1m', 'retained after 1 month'), ('retained_3m', 'retained after 3 months'), ('retained_6m', 'retained after 6 months'), ('declined', 'declined'), ('withdrawn', 'withdrawn'), ('ended', 'employment ended')], max_length=16)),
                        ('by_employer', models.BooleanField(default=False)),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('reason_code', models.CharField(blank=True, max_length=20)),
                        ('reason_origin', models.CharField(blank=True, max_length=10)),
                        ('note', models.CharField(blank=True, max_length=500)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'referrals_applicationevent',
                        'ordering': ['at', 'id'],
                    },
                ),
            ], database_operations=[relabel("partners", "employment", ["jobplacement", "jobplacementgroupobjectpermission"]), relabel("referrals", "employment", ["placementapplication", "applicationevent", "followalongcontact", "placementapplicationgroupobjectpermission"])],
        ),
    ]
