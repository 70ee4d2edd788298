"""The access log is append-only: PostgreSQL refuses UPDATE and DELETE on it, whoever asks."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION network_accesslog_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'network_accesslog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER network_accesslog_append_only
    BEFORE UPDATE OR DELETE ON network_accesslog
    FOR EACH ROW EXECUTE FUNCTION network_accesslog_refuse_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS network_accesslog_append_only ON network_accesslog;
DROP FUNCTION IF EXISTS network_accesslog_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("network", "0003_people_and_paths")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
