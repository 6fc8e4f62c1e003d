"""Y-90 plan: the plan signature (who, when) and the planning-page context (counts, vial)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from hccrt.web.audit.guard import install_guards


def reguard(apps, schema_editor):
    """Re-create the audit guard of the table (idempotent), in case a backend rebuilt it."""
    install_guards(schema_editor, ["capture_y90plan"])


class Migration(migrations.Migration):

    dependencies = [
        ('capture', '0002_audit_guards'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='y90plan',
            name='planning_context',
            field=models.JSONField(blank=True, help_text='planning inputs outside Y90PlanInput: MAA counts, whole non-tumoral liver volume (mL), vial size (GBq), calibration and planned administration times', null=True),
        ),
        migrations.AddField(
            model_name='y90plan',
            name='signed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='y90plan',
            name='signed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(reguard, migrations.RunPython.noop),
    ]
