"""Lesion: typical HCC enhancement (mRECIST: targets and new intrahepatic lesions need it)."""

from django.db import migrations, models

from hccrt.web.audit.guard import install_guards


def reguard(apps, schema_editor):
    """Re-create the audit guard of the table (idempotent), in case a backend rebuilt it."""
    install_guards(schema_editor, ["capture_lesion"])


class Migration(migrations.Migration):

    dependencies = [
        ('capture', '0005_systemic_dose'),
    ]

    operations = [
        migrations.AddField(
            model_name='lesion',
            name='typical_hcc',
            field=models.BooleanField(blank=True, help_text='typical HCC enhancement (arterial hyperenhancement with washout): mRECIST targets and new intrahepatic lesions need it', null=True),
        ),
        migrations.RunPython(reguard, migrations.RunPython.noop),
    ]
