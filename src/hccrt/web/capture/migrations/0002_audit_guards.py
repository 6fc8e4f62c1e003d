"""Guard every trial-data table: writes only inside the audited save path, never DELETE."""

from django.db import migrations

from hccrt.web.audit.guard import install_guards

TABLES = [
    "core_participant",
    "capture_screening", "capture_allocation", "capture_y90plan", "capture_y90administration",
    "capture_sbrtcourse", "capture_sbrtfraction", "capture_haiccycle", "capture_systemictherapy",
    "capture_visit", "capture_vitalsigns", "capture_labresult", "capture_tumourassessment",
    "capture_lesion", "capture_adverseevent", "capture_qolresponse", "capture_surgerypathology",
    "capture_subsequenttreatment", "capture_disposition", "capture_dataquery",
]


def forwards(apps, schema_editor):
    install_guards(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [("capture", "0001_initial"), ("audit", "0002_append_only")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
