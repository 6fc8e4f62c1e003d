"""AdverseEvent: adverse event of special interest (SUPPAE AESI), for the records bridge."""

from django.db import migrations, models

from hccrt.web.audit.guard import install_guards


def reguard(apps, schema_editor):
    """Re-create the audit guard of the table (idempotent), in case a backend rebuilt it."""
    install_guards(schema_editor, ["capture_adverseevent"])


class Migration(migrations.Migration):

    dependencies = [
        ('capture', '0007_regional_liver_function'),
    ]

    operations = [
        migrations.AddField(
            model_name='adverseevent',
            name='special_interest',
            field=models.BooleanField(blank=True, help_text='adverse event of special interest per the protocol (SUPPAE AESI)', null=True),
        ),
        migrations.RunPython(reguard, migrations.RunPython.noop),
    ]
