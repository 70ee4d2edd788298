"""The people models move here from ``network``: state only, the tables keep their names (``db_table``)."""

import django.contrib.postgres.fields
import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import partners.validators
import people.models.persons
import uuid
from django.conf import settings
from django.db import migrations, models


PEOPLE_MODELS = [
    "person", "persongroupobjectpermission", "consent", "case", "caseevent", "accesslog", "supportplan", "goal",
    "goalreview", "instrument", "instrumentdomain", "instrumentlevel", "assessment", "assessmentscore", "activity",
    "supportgroup", "groupmembership", "meeting", "attendance",
]


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
        ('auth', '0012_alter_user_first_name_max_length'),
        ('network', '0007_move_people_out_state'),
        ('partners', '0005_move_placements_out_state'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Meeting',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('held_on', models.DateField(verbose_name='date')),
                        ('duration_minutes', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1440)], verbose_name='duration (minutes)')),
                        ('topic', models.CharField(blank=True, max_length=200, verbose_name='topic')),
                        ('place', models.CharField(blank=True, max_length=200, verbose_name='place')),
                        ('leader', models.CharField(blank=True, max_length=150, verbose_name='leader')),
                    ],
                    options={
                        'verbose_name': 'meeting',
                        'verbose_name_plural': 'meetings',
                        'db_table': 'network_meeting',
                        'ordering': ['-held_on'],
                    },
                ),
                migrations.CreateModel(
                    name='Goal',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('domain', models.CharField(choices=[('self_care', 'self-care'), ('housing', 'housing'), ('money', 'money'), ('daily_activity', 'daily activity'), ('social_contacts', 'social contacts'), ('family', 'family'), ('work_education', 'work or education'), ('physical_health', 'physical health'), ('crisis_coping', 'coping with crises'), ('official_matters', 'official matters')], max_length=20, verbose_name='life domain')),
                        ('description', models.TextField(verbose_name='goal')),
                        ('target_date', models.DateField(blank=True, null=True, verbose_name='target date')),
                        ('status', models.CharField(choices=[('planned', 'planned'), ('in_progress', 'in progress'), ('achieved', 'achieved'), ('partially', 'partially achieved'), ('not_achieved', 'not achieved'), ('dropped', 'dropped')], default='planned', max_length=16, verbose_name='status')),
                        ('responsible_partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner', verbose_name='responsible')),
                    ],
                    options={
                        'verbose_name': 'goal',
                        'verbose_name_plural': 'goals',
                        'db_table': 'network_goal',
                        'ordering': ['target_date', 'created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='GoalReview',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('reviewed_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='review date')),
                        ('status', models.CharField(choices=[('planned', 'planned'), ('in_progress', 'in progress'), ('achieved', 'achieved'), ('partially', 'partially achieved'), ('not_achieved', 'not achieved'), ('dropped', 'dropped')], max_length=16, verbose_name='status')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('goal', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reviews', to='people.goal')),
                        ('reviewed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'network_goalreview',
                        'ordering': ['reviewed_on', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Instrument',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('code', models.SlugField(verbose_name='code')),
                        ('name_pl', models.CharField(max_length=200, verbose_name='name (Polish)')),
                        ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                        ('description_pl', models.TextField(blank=True, verbose_name='description (Polish)')),
                        ('description_en', models.TextField(blank=True, verbose_name='description (English)')),
                        ('scale_min', models.PositiveSmallIntegerField(default=1, verbose_name='lowest level')),
                        ('scale_max', models.PositiveSmallIntegerField(default=5, verbose_name='highest level')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('network', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='instruments', to='network.network')),
                    ],
                    options={
                        'verbose_name': 'assessment instrument',
                        'verbose_name_plural': 'assessment instruments',
                        'db_table': 'network_instrument',
                    },
                ),
                migrations.CreateModel(
                    name='Assessment',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('assessed_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='assessment date')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('assessed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner')),
                        ('instrument', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='people.instrument')),
                    ],
                    options={
                        'verbose_name': 'assessment',
                        'verbose_name_plural': 'assessments',
                        'db_table': 'network_assessment',
                        'ordering': ['assessed_on', 'created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='InstrumentDomain',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('code', models.SlugField()),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('name_pl', models.CharField(max_length=120)),
                        ('name_en', models.CharField(max_length=120)),
                        ('instrument', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='domains', to='people.instrument')),
                    ],
                    options={
                        'db_table': 'network_instrumentdomain',
                        'ordering': ['position', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='AssessmentScore',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('value', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)])),
                        ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='people.assessment')),
                        ('domain', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='people.instrumentdomain')),
                    ],
                    options={
                        'db_table': 'network_assessmentscore',
                    },
                ),
                migrations.CreateModel(
                    name='InstrumentLevel',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('value', models.PositiveSmallIntegerField()),
                        ('description_pl', models.TextField()),
                        ('description_en', models.TextField()),
                        ('domain', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='levels', to='people.instrumentdomain')),
                    ],
                    options={
                        'db_table': 'network_instrumentlevel',
                        'ordering': ['value'],
                    },
                ),
                migrations.CreateModel(
                    name='Attendance',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='people.meeting')),
                    ],
                    options={
                        'db_table': 'network_attendance',
                    },
                ),
                migrations.CreateModel(
                    name='Person',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('first_name', models.CharField(max_length=100, verbose_name='first name')),
                        ('last_name', models.CharField(max_length=100, verbose_name='last name')),
                        ('normalised_name', models.CharField(db_index=True, editable=False, max_length=210)),
                        ('birth_date', models.DateField(blank=True, null=True, verbose_name='birth date')),
                        ('birth_year', models.PositiveSmallIntegerField(blank=True, help_text='When the full birth date is not known.', null=True, validators=[django.core.validators.MinValueValidator(1900), django.core.validators.MaxValueValidator(2100)], verbose_name='birth year')),
                        ('pesel', models.CharField(blank=True, max_length=11, validators=[partners.validators.validate_pesel], verbose_name='PESEL')),
                        ('sex', models.CharField(choices=[('female', 'woman'), ('male', 'man'), ('unknown', 'not given')], default='unknown', max_length=8, verbose_name='sex')),
                        ('phone', models.CharField(blank=True, max_length=40, verbose_name='phone')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail')),
                        ('street', models.CharField(blank=True, max_length=200, verbose_name='street and number')),
                        ('postal_code', models.CharField(blank=True, max_length=6, validators=[partners.validators.validate_postal_code], verbose_name='postal code')),
                        ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                        ('gmina_teryt', models.CharField(blank=True, max_length=7, validators=[django.core.validators.RegexValidator('^\\d{7}$', 'A municipality TERYT code has 7 digits.')], verbose_name='municipality TERYT code')),
                        ('gmina_name', models.CharField(blank=True, max_length=100, verbose_name='municipality')),
                        ('guardian_name', models.CharField(blank=True, max_length=150, verbose_name='legal guardian')),
                        ('guardian_contact', models.CharField(blank=True, max_length=150, verbose_name="legal guardian's contact")),
                        ('preferred_contact', models.CharField(choices=[('phone', 'phone'), ('email', 'e-mail'), ('letter', 'letter'), ('case_manager', 'through the case manager'), ('guardian', 'through the legal guardian')], default='phone', max_length=16, verbose_name='preferred contact')),
                        ('social_situation', models.TextField(blank=True, verbose_name='social and living situation')),
                        ('disability_level', models.CharField(blank=True, choices=[('', 'none or not given'), ('light', 'light'), ('moderate', 'moderate'), ('significant', 'significant')], default='', max_length=12, verbose_name='disability level')),
                        ('disability_symbol', models.CharField(blank=True, max_length=8, validators=[django.core.validators.RegexValidator('^\\d{2}-[A-Z]$', 'The symbol looks like 02-P.')], verbose_name='disability symbol')),
                        ('health_notes', models.TextField(blank=True, verbose_name='health notes')),
                        ('skills_experience', models.TextField(blank=True, verbose_name='skills and work experience')),
                        ('work_support_needs', models.TextField(blank=True, help_text='Only what the person agreed to share with employers.', verbose_name='support needed at work')),
                        ('anonymised_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='anonymised')),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='people', to='network.network', verbose_name='network')),
                        ('registered_by', models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'person supported',
                        'verbose_name_plural': 'people supported',
                        'db_table': 'network_person',
                        'ordering': ['last_name', 'first_name'],
                        'permissions': [('read_identity', "Can read the person's identity data"), ('read_social', "Can read the person's social situation"), ('read_health', "Can read the person's health information"), ('read_employment', "Can read the person's employment information")],
                    },
                ),
                migrations.AddField(
                    model_name='meeting',
                    name='attendees',
                    field=models.ManyToManyField(related_name='meetings', through='people.Attendance', to='people.person'),
                ),
                migrations.CreateModel(
                    name='Consent',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('partner_types', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('psychiatric_hospital', 'psychiatric hospital / ward'), ('czp', 'community mental-health centre (CZP)'), ('mental_health_clinic', 'mental health clinic'), ('sds', 'community self-help home (ŚDS)'), ('ops', 'social assistance centre (OPS / MOPS / MOPR / GOPS)'), ('cus', 'social services centre (CUS)'), ('pcpr', 'county family support centre (PCPR)'), ('pup', 'county labour office (PUP)'), ('pfron', 'PFRON branch'), ('wtz', 'occupational therapy workshop (WTZ)'), ('zaz', 'vocational activity establishment (ZAZ)'), ('cis_kis', 'social integration centre / club (CIS / KIS)'), ('social_cooperative', 'social cooperative / social enterprise'), ('owes', 'social economy support centre (OWES)'), ('ngo', 'association / foundation'), ('crisis_intervention', 'crisis intervention centre / point'), ('training_provider', 'training provider'), ('housing', 'training / supported flats'), ('employer', 'employer'), ('other', 'other')], max_length=32), blank=True, default=list, size=None, verbose_name='partner types')),
                        ('categories', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('identity', 'identity data'), ('social', 'social and living situation'), ('health', 'health information'), ('employment', 'employment information')], max_length=16), size=None, verbose_name='data categories')),
                        ('purpose', models.TextField(verbose_name='purpose')),
                        ('valid_from', models.DateField(default=django.utils.timezone.localdate, verbose_name='valid from')),
                        ('valid_until', models.DateField(blank=True, null=True, verbose_name='valid until')),
                        ('given_by', models.CharField(choices=[('person', 'the person'), ('guardian', 'the legal guardian')], default='person', max_length=10, verbose_name='given by')),
                        ('document', models.FileField(blank=True, upload_to=people.models.persons.consent_upload_to, verbose_name='signed document')),
                        ('document_type', models.CharField(blank=True, editable=False, max_length=40)),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn')),
                        ('withdrawal_note', models.CharField(blank=True, max_length=255, verbose_name='note on withdrawal')),
                        ('partners', models.ManyToManyField(blank=True, related_name='+', to='partners.partner', verbose_name='partners')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='consents', to='people.person', verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'consent',
                        'verbose_name_plural': 'consents',
                        'db_table': 'network_consent',
                        'ordering': ['-valid_from', '-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Case',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('stage', models.CharField(max_length=32, verbose_name='stage')),
                        ('opened_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='opened')),
                        ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed')),
                        ('closing_note', models.CharField(blank=True, max_length=255, verbose_name='closing note')),
                        ('case_manager', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='managed_cases', to=settings.AUTH_USER_MODEL, verbose_name='case manager')),
                        ('managing_partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='managed_cases', to='partners.partner', verbose_name='managing partner')),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='network.network', verbose_name='network')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cases', to='people.person', verbose_name='person')),
                    ],
                    options={
                        'verbose_name': 'case',
                        'verbose_name_plural': 'cases',
                        'db_table': 'network_case',
                        'ordering': ['-opened_on'],
                    },
                ),
                migrations.AddField(
                    model_name='attendance',
                    name='person',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attendance', to='people.person'),
                ),
                migrations.AddField(
                    model_name='assessment',
                    name='person',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='people.person'),
                ),
                migrations.CreateModel(
                    name='Activity',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('kind', models.CharField(choices=[('individual', 'individual'), ('group', 'group')], default='individual', max_length=10, verbose_name='form')),
                        ('occurred_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='date')),
                        ('minutes', models.PositiveIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1440)], verbose_name='minutes')),
                        ('topic', models.CharField(blank=True, max_length=200, verbose_name='topic')),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='partners.partner')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='partners.service')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='activities', to='people.person')),
                    ],
                    options={
                        'verbose_name': 'activity',
                        'verbose_name_plural': 'activities',
                        'db_table': 'network_activity',
                        'ordering': ['-occurred_on', '-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='AccessLog',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('action', models.CharField(choices=[('view', 'viewed'), ('create', 'registered'), ('change', 'changed'), ('export', 'exported'), ('download', 'downloaded a document'), ('anonymise', 'anonymised')], max_length=10)),
                        ('channel', models.CharField(default='page', max_length=10)),
                        ('view', models.CharField(blank=True, max_length=100)),
                        ('detail', models.CharField(blank=True, max_length=255)),
                        ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='access_log', to='people.person')),
                    ],
                    options={
                        'verbose_name': 'access log entry',
                        'verbose_name_plural': 'access log',
                        'db_table': 'network_accesslog',
                        'ordering': ['-at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='PersonGroupObjectPermission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('content_object', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_grants', to='people.person')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.group')),
                        ('permission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.permission')),
                    ],
                    options={
                        'db_table': 'network_persongroupobjectpermission',
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='SupportGroup',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('weekday', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(6)], verbose_name='weekday')),
                        ('start_time', models.TimeField(blank=True, null=True, verbose_name='start time')),
                        ('duration_minutes', models.PositiveIntegerField(default=90, verbose_name='usual duration (minutes)')),
                        ('place', models.CharField(blank=True, max_length=200, verbose_name='place')),
                        ('leader', models.CharField(blank=True, max_length=150, verbose_name='leader')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='support_groups', to='network.network')),
                        ('partner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='support_groups', to='partners.partner')),
                        ('service', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='partners.service')),
                    ],
                    options={
                        'verbose_name': 'support group',
                        'verbose_name_plural': 'support groups',
                        'db_table': 'network_supportgroup',
                        'ordering': ['name'],
                    },
                ),
                migrations.AddField(
                    model_name='meeting',
                    name='group',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='people.supportgroup'),
                ),
                migrations.CreateModel(
                    name='GroupMembership',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('joined_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='joined')),
                        ('left_on', models.DateField(blank=True, null=True, verbose_name='left')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='group_memberships', to='people.person')),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='people.supportgroup')),
                    ],
                    options={
                        'db_table': 'network_groupmembership',
                        'ordering': ['joined_on'],
                    },
                ),
                migrations.CreateModel(
                    name='SupportPlan',
                    fields=[
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('title', models.CharField(blank=True, default='', max_length=200, verbose_name='title')),
                        ('agreed_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='agreed on')),
                        ('is_current', models.BooleanField(default=True, verbose_name='current')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plans', to='people.case')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'support plan',
                        'verbose_name_plural': 'support plans',
                        'db_table': 'network_supportplan',
                        'ordering': ['-agreed_on'],
                    },
                ),
                migrations.AddField(
                    model_name='goal',
                    name='plan',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='goals', to='people.supportplan'),
                ),
                migrations.CreateModel(
                    name='CaseEvent',
                    fields=[
                        ('id', models.BigAutoField(primary_key=True, serialize=False)),
                        ('kind', models.CharField(choices=[('opened', 'case opened'), ('stage', 'stage changed'), ('transfer', 'case transferred'), ('closed', 'case closed')], max_length=10)),
                        ('at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('from_stage', models.CharField(blank=True, max_length=32)),
                        ('to_stage', models.CharField(blank=True, max_length=32)),
                        ('note', models.CharField(blank=True, max_length=255)),
                        ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='people.case')),
                        ('from_manager', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('from_partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner')),
                        ('to_manager', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('to_partner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.partner')),
                    ],
                    options={
                        'db_table': 'network_caseevent',
                        'ordering': ['at', 'id'],
                        'indexes': [models.Index(fields=['case', 'at'], name='case_event_timeline')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='instrument',
                    constraint=models.UniqueConstraint(fields=('network', 'code'), name='instrument_code_unique', nulls_distinct=False),
                ),
                migrations.AddConstraint(
                    model_name='instrument',
                    constraint=models.CheckConstraint(condition=models.Q(('scale_max__gt', models.F('scale_min'))), name='instrument_scale'),
                ),
                migrations.AddConstraint(
                    model_name='instrumentdomain',
                    constraint=models.UniqueConstraint(fields=('instrument', 'code'), name='instrument_domain_unique'),
                ),
                migrations.AddConstraint(
                    model_name='assessmentscore',
                    constraint=models.UniqueConstraint(fields=('assessment', 'domain'), name='assessment_score_unique'),
                ),
                migrations.AddConstraint(
                    model_name='instrumentlevel',
                    constraint=models.UniqueConstraint(fields=('domain', 'value'), name='instrument_level_unique'),
                ),
                migrations.AddIndex(
                    model_name='person',
                    index=models.Index(fields=['network', 'normalised_name', 'birth_date'], name='person_duplicate_lookup'),
                ),
                migrations.AddIndex(
                    model_name='person',
                    index=models.Index(fields=['network', 'last_name', 'first_name'], name='person_list'),
                ),
                migrations.AddConstraint(
                    model_name='person',
                    constraint=models.UniqueConstraint(condition=models.Q(('pesel', ''), _negated=True), fields=('network', 'pesel'), name='person_pesel_unique_in_network'),
                ),
                migrations.AddIndex(
                    model_name='consent',
                    index=models.Index(fields=['person', 'withdrawn_at'], name='consent_person_live'),
                ),
                migrations.AddConstraint(
                    model_name='consent',
                    constraint=models.CheckConstraint(condition=models.Q(('categories__len__gte', 1)), name='consent_has_a_category', violation_error_message='Choose at least one data category.'),
                ),
                migrations.AddConstraint(
                    model_name='consent',
                    constraint=models.CheckConstraint(condition=models.Q(('valid_until__isnull', True), ('valid_until__gte', models.F('valid_from')), _connector='OR'), name='consent_dates', violation_error_message='The end date cannot be before the start date.'),
                ),
                migrations.AddIndex(
                    model_name='case',
                    index=models.Index(fields=['network', 'stage'], name='case_network_stage'),
                ),
                migrations.AddConstraint(
                    model_name='case',
                    constraint=models.UniqueConstraint(condition=models.Q(('closed_on__isnull', True)), fields=('person', 'network'), name='one_open_case_per_network'),
                ),
                migrations.AddConstraint(
                    model_name='attendance',
                    constraint=models.UniqueConstraint(fields=('meeting', 'person'), name='attendance_unique'),
                ),
                migrations.AddIndex(
                    model_name='assessment',
                    index=models.Index(fields=['person', 'assessed_on'], name='assessment_person_date'),
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(fields=['person', 'occurred_on'], name='activity_person_date'),
                ),
                migrations.AddIndex(
                    model_name='activity',
                    index=models.Index(fields=['partner', 'occurred_on'], name='activity_partner_date'),
                ),
                migrations.AddIndex(
                    model_name='accesslog',
                    index=models.Index(fields=['person', '-at'], name='access_log_person'),
                ),
                migrations.AddIndex(
                    model_name='persongroupobjectpermission',
                    index=models.Index(fields=['group', 'content_object'], name='person_grant_lookup'),
                ),
                migrations.AlterUniqueTogether(
                    name='persongroupobjectpermission',
                    unique_together={('group', 'permission', 'content_object')},
                ),
                migrations.AddIndex(
                    model_name='meeting',
                    index=models.Index(fields=['group', 'held_on'], name='meeting_group_date'),
                ),
                migrations.AddConstraint(
                    model_name='groupmembership',
                    constraint=models.UniqueConstraint(condition=models.Q(('left_on__isnull', True)), fields=('group', 'person'), name='one_open_group_membership'),
                ),
                migrations.AddConstraint(
                    model_name='groupmembership',
                    constraint=models.CheckConstraint(condition=models.Q(('left_on__isnull', True), ('left_on__gte', models.F('joined_on')), _connector='OR'), name='group_membership_dates'),
                ),
                migrations.AddConstraint(
                    model_name='supportplan',
                    constraint=models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('case',), name='one_current_plan_per_case'),
                ),
            ], database_operations=[relabel("network", "people", PEOPLE_MODELS)],
        ),
    ]
