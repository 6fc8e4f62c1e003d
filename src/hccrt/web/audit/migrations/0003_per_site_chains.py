"""Per-site hash chains: chain heads, ``chain`` and ``seq`` on events.

Existing events keep ``chain`` and ``seq`` empty: they stay the original single chain (id
order), verified as before, so a database created before this migration still verifies. New
events go to their site's chain. SQLite rebuilds the event table for the unique constraint
(dropping its triggers), so the append-only triggers are installed again here.
"""

from django.conf import settings
from django.db import migrations, models

from hccrt.web.audit.guard import PG_FUNCTIONS, append_only_sql, chain_head_sql


def guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS, params=None)
        schema_editor.execute(
            'DROP TRIGGER IF EXISTS hccrt_append_only ON "audit_auditevent"', params=None)
    else:
        for op in ("update", "delete"):
            schema_editor.execute(
                f'DROP TRIGGER IF EXISTS "hccrt_append_only_audit_auditevent_{op}"', params=None)
    for sql in append_only_sql(vendor, "audit_auditevent") + chain_head_sql(vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChain',
            fields=[
                ('key', models.BigIntegerField(help_text='the site id (0: no site)', primary_key=True, serialize=False)),
                ('seq', models.BigIntegerField(default=0)),
                ('head', models.CharField(max_length=64)),
                ('prev', models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name='auditevent',
            name='chain',
            field=models.BigIntegerField(help_text='hash chain: the site id (0: no site); empty for the original single chain of events written before per-site chains', null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(help_text='position in the chain, from 1', null=True),
        ),
        migrations.AddConstraint(
            model_name='auditevent',
            constraint=models.UniqueConstraint(fields=('chain', 'seq'), name='audit_chain_seq_unique'),
        ),
        migrations.RunPython(guards, migrations.RunPython.noop),
    ]
