"""The audit table refuses UPDATE and DELETE (database triggers, SQLite and PostgreSQL)."""

from django.db import migrations

from hccrt.web.audit.guard import PG_FUNCTIONS, append_only_sql


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS, params=None)
    for sql in append_only_sql(vendor, "audit_auditevent"):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
