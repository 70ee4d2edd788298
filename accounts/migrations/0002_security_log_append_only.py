"""The security log is append-only: PostgreSQL refuses UPDATE and TRUNCATE on it, whoever asks, and DELETE of a row
younger than the retention floor (365 days; ``accounts.log.RETENTION_FLOOR_DAYS``). TRUNCATE passes only for the
table's owner in a session that set ``lsw.access_log_truncate`` (the test databases, as for the access log)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accounts_securityevent_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '365 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'accounts_securityevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_securityevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_securityevent
    FOR EACH ROW EXECUTE FUNCTION accounts_securityevent_refuse_change();

CREATE OR REPLACE FUNCTION accounts_securityevent_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('lsw.access_log_truncate', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'accounts_securityevent is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_securityevent_no_truncate
    BEFORE TRUNCATE ON accounts_securityevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_securityevent_refuse_truncate();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS accounts_securityevent_no_truncate ON accounts_securityevent;
DROP FUNCTION IF EXISTS accounts_securityevent_refuse_truncate();
DROP TRIGGER IF EXISTS accounts_securityevent_append_only ON accounts_securityevent;
DROP FUNCTION IF EXISTS accounts_securityevent_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
