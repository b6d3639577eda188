"""The chain head follows each inserted event: the database moves it (a trigger), so
appending an event is one statement (kluis.audit.services._append).

The head only moves forward: an event inserted with a sequence at or below the head's
leaves it where it is.
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS audit_event_moves_head
AFTER INSERT ON audit_auditevent
BEGIN
    UPDATE audit_auditchainhead SET sequence = NEW.sequence, hash = NEW.hash
    WHERE tenant_id = NEW.tenant_id AND sequence < NEW.sequence;
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_event_moves_head;"

PG_UP = """
CREATE OR REPLACE FUNCTION kluis_audit_move_head() RETURNS trigger AS $$
BEGIN
    UPDATE audit_auditchainhead SET sequence = NEW.sequence, hash = NEW.hash
    WHERE tenant_id = NEW.tenant_id AND sequence < NEW.sequence;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_moves_head
AFTER INSERT ON audit_auditevent
FOR EACH ROW EXECUTE FUNCTION kluis_audit_move_head();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_event_moves_head ON audit_auditevent;
DROP FUNCTION IF EXISTS kluis_audit_move_head();
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)
    elif vendor == "postgresql":
        schema_editor.execute(PG_UP)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)
    elif vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]
