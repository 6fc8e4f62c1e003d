"""Part 2: the audit trail -- who, when, what, why; append-only, hash-chained; no bypass."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from hccrt.errors import InputError
from hccrt.web.audit.base import AuditBypassError, AuditedModel, StaleVersionError
from hccrt.web.audit.chain import verify, verify_in_python
from hccrt.web.audit.guard import guarded_tables
from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def _vitals(world, **kw):
    v = m.VitalSigns(participant=world.pa, assessment_date=date(2026, 2, 1), weight_kg=70, **kw)
    v.save(user=world.users["site_coordinator"])
    return v


def _events(obj):
    return list(AuditEvent.objects.filter(model=obj._meta.label_lower, object_pk=str(obj.pk)))


def test_create_update_and_soft_delete_record_who_what_when_why(world):
    coordinator = world.users["site_coordinator"]
    v = _vitals(world)
    v.weight_kg = 72
    with pytest.raises(InputError) as info:
        v.save(user=coordinator)  # a change after the first save needs a reason
    assert info.value.field == "reason"
    v.refresh_from_db()
    assert v.weight_kg == 70 and v.version == 1
    v.weight_kg = 72
    v.save(user=coordinator, reason="transcription error")
    v.soft_delete(reason="entered for the wrong participant", user=coordinator)
    created, updated, deleted = _events(v)
    assert created.action == "create" and created.username == "site_coordinator"
    assert json.loads(created.changes)["weight_kg"] == [None, 70]
    assert updated.action == "update" and updated.reason == "transcription error"
    assert json.loads(updated.changes) == {"weight_kg": [70, 72]}
    assert deleted.action == "delete"
    assert json.loads(deleted.changes) == {"is_deleted": [False, True]}
    assert [e.version for e in (created, updated, deleted)] == [1, 2, 3]
    assert created.site_id == world.site_a.pk and created.participant_id == world.pa.pk
    assert created.at <= updated.at <= deleted.at
    assert m.VitalSigns.objects.filter(pk=v.pk).exists()  # kept, marked deleted
    assert not m.VitalSigns.objects.alive().filter(pk=v.pk).exists()


def test_saving_without_a_change_writes_nothing(world):
    v = _vitals(world)
    v.save(user=world.system)
    assert len(_events(v)) == 1 and v.version == 1


def test_stale_version_is_refused_and_nothing_is_lost(world):
    v = _vitals(world)
    first, second = m.VitalSigns.objects.get(pk=v.pk), m.VitalSigns.objects.get(pk=v.pk)
    first.weight_kg = 71
    first.save(user=world.system, reason="r1")
    second.weight_kg = 99
    with pytest.raises(StaleVersionError):
        second.save(user=world.system, reason="r2")
    v.refresh_from_db()
    assert v.weight_kg == 71 and v.version == 2


def test_bulk_paths_are_forbidden(world):
    v = _vitals(world)
    qs = m.VitalSigns.objects.filter(pk=v.pk)
    for call in (lambda: qs.update(weight_kg=1), qs.delete, v.delete,
                 lambda: m.VitalSigns.objects.bulk_create([]),
                 lambda: m.VitalSigns.objects.bulk_update([v], ["weight_kg"])):
        with pytest.raises(AuditBypassError):
            call()


@pytest.mark.parametrize("sql", [
    "UPDATE capture_vitalsigns SET weight_kg = 1",
    "DELETE FROM capture_vitalsigns",
    "UPDATE core_participant SET arm = 'exp'",
    "UPDATE audit_auditevent SET reason = 'x'",
    "DELETE FROM audit_auditevent",
])
def test_raw_sql_cannot_change_trial_data_or_the_audit_trail(world, sql):
    _vitals(world)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert m.VitalSigns.objects.get().weight_kg == 70


def test_every_audited_table_is_guarded_by_the_database():
    models = [mdl for mdl in _subclasses(AuditedModel) if not mdl._meta.abstract]
    assert len(models) >= 20
    assert {mdl._meta.db_table for mdl in models} <= guarded_tables(connection)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_chain_verifies_and_reports_a_tampered_event(world):
    v = _vitals(world)
    v.weight_kg = 80
    v.save(user=world.system, reason="re-weighed")
    report = verify()
    assert report.ok and report.events == AuditEvent.objects.count()
    assert verify_in_python().ok
    target = AuditEvent.objects.get(model="capture.vitalsigns", action="update")
    with connection.cursor() as cursor:  # an attacker with DDL rights disables the guard
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER hccrt_append_only")
        else:
            cursor.execute('DROP TRIGGER "hccrt_append_only_audit_auditevent_update"')
            cursor.execute('DROP TRIGGER "hccrt_append_only_audit_auditevent_delete"')
        cursor.execute("UPDATE audit_auditevent SET reason = 'nothing to see' WHERE id = %s",
                       [target.pk])
        after = AuditEvent.objects.filter(id__gt=target.pk).order_by("id").first()
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [target.pk - 1])
    report = verify()
    def kinds(r):
        return [(i, "altered" in problem) for i, problem in r.broken]

    assert kinds(verify_in_python()) == kinds(report)  # the database path agrees with Python
    problems: dict[int, str] = {}
    for event_id, problem in report.broken:
        problems[event_id] = problems.get(event_id, "") + problem
    assert "altered" in problems[target.pk]
    assert "prev_hash" in problems[target.pk]  # its predecessor was deleted
    assert after is None or after.pk not in problems  # links to the stored (altered) hash


def test_cli_audit_verify(world):
    from hccrt.cli.audit import audit_app

    result = CliRunner().invoke(audit_app, ["verify"])
    assert result.exit_code == 0, result.output
    assert "audit trail intact" in result.output


def test_history_api_per_record_and_per_field(world):
    v = _vitals(world, pulse=70)
    v.weight_kg, v.pulse = 75, 72
    v.save(user=world.system, reason="corrected")
    c = world.client("statistician")
    r = c.get(f"/api/v1/vital-signs/{v.pk}/history/")
    assert r.status_code == 200
    assert [e["action"] for e in r.json()] == ["create", "update"]
    r = c.get(f"/api/v1/vital-signs/{v.pk}/history/", {"field": "pulse"})
    assert [e["changes"] for e in r.json()] == [{"pulse": [None, 70]}, {"pulse": [70, 72]}]
    assert r.json()[1]["reason"] == "corrected"
