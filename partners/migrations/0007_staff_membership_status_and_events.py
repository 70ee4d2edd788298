"""Staff memberships get a status (an existing account joins only by confirming an invitation) and a change log.

Rows that were inactive become ``ended``. The operator (a superuser) never holds a staff membership: any such
membership is ended here and the superuser leaves that partner's group, so nothing of the partner's people stays
in reach. The reverse keeps the status column's removal only (an ended membership stays inactive).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0006_move_placements_out_delete'),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffMembershipEvent',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('action', models.CharField(choices=[('added', 'added to the staff'), ('invited', 'invited to the staff'), ('confirmed', 'confirmed the invitation'), ('declined', 'declined the invitation'), ('role_changed', 'role changed'), ('deactivated', 'deactivated'), ('reactivated', 'active again')], max_length=16, verbose_name='action')),
                ('role_before', models.CharField(blank=True, choices=[('staff', 'partner staff'), ('admin', 'partner admin'), ('job_coach', 'job coach')], max_length=16, verbose_name='role before')),
                ('role_after', models.CharField(choices=[('staff', 'partner staff'), ('admin', 'partner admin'), ('job_coach', 'job coach')], max_length=16, verbose_name='role after')),
                ('status_before', models.CharField(blank=True, choices=[('pending', 'invited, waiting for their answer'), ('active', 'active'), ('declined', 'invitation declined'), ('ended', 'ended')], max_length=10, verbose_name='status before')),
                ('status_after', models.CharField(choices=[('pending', 'invited, waiting for their answer'), ('active', 'active'), ('declined', 'invitation declined'), ('ended', 'ended')], max_length=10, verbose_name='status after')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='when')),
            ],
            options={
                'verbose_name': 'staff membership change',
                'verbose_name_plural': 'staff membership changes',
                'ordering': ['-id'],
            },
        ),
        migrations.AddField(
            model_name='staffmembership',
            name='status',
            field=models.CharField(choices=[('pending', 'invited, waiting for their answer'), ('active', 'active'), ('declined', 'invitation declined'), ('ended', 'ended')], db_default='active', default='active', max_length=10, verbose_name='status'),
        ),
        migrations.RunSQL(
            sql=[
                "UPDATE partners_staffmembership SET status = 'ended' WHERE NOT is_active",
                """
                UPDATE partners_staffmembership SET status = 'ended', is_active = false
                WHERE user_id IN (SELECT id FROM partners_user WHERE is_superuser)
                """,
                """
                DELETE FROM partners_user_groups ug USING partners_partner p, partners_user u
                WHERE ug.group_id = p.group_id AND ug.user_id = u.id AND u.is_superuser
                """,
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AddConstraint(
            model_name='staffmembership',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('is_active', True), ('status', 'active')), models.Q(('is_active', False), models.Q(('status', 'active'), _negated=True)), _connector='OR'), name='staff_membership_active_status'),
        ),
        migrations.AddField(
            model_name='staffmembershipevent',
            name='actor',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by'),
        ),
        migrations.AddField(
            model_name='staffmembershipevent',
            name='membership',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='partners.staffmembership', verbose_name='staff membership'),
        ),
    ]
