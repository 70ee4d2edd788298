"""The access log refuses TRUNCATE as well: a statement-level trigger beside the row trigger on UPDATE and DELETE.

The application role has no TRUNCATE privilege on the table at all (``core.db_roles``); this trigger stops the
owner and a superuser too. The one way through is for the table's owner (or a superuser) to ask for it in its own
session with ``SET lsw.access_log_truncate = 'on'``: the test databases do, because pytest-django empties every
table between transactional tests (``tests/conftest.py``). Nothing in the application sets it.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION network_accesslog_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('lsw.access_log_truncate', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'network_accesslog is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER network_accesslog_no_truncate
    BEFORE TRUNCATE ON network_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION network_accesslog_refuse_truncate();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS network_accesslog_no_truncate ON network_accesslog;
DROP FUNCTION IF EXISTS network_accesslog_refuse_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("people", "0002_consent_expiry_handled_at"), ("network", "0004_access_log_append_only")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
