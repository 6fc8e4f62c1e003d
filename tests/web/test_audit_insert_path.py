"""The audited create's INSERT, whose text is built once per model and column set
(``AuditedModel._do_insert``), stores exactly what the ORM's compiler stores: every column
of rows saved both ways is compared, JSON and dates included, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hccrt.web.audit import base
from hccrt.web.capture import models as m
from hccrt.web.core.models import Participant

pytestmark = [pytest.mark.database, pytest.mark.django_db]

SKIP = {"id", "created_at", "updated_at", "study_id"}


def _forms(world) -> list[Any]:
    p = world.pa
    return [
        m.LabResult(participant=p, collection_date=date(2026, 2, 1), test="ALT", value=130.0,
                    unit="U/L", uln=40),
        m.LabResult(participant=p, collection_date=date(2026, 2, 1), test="ALT", value=55.0,
                    unit=""),  # no unit: stored not gradable, opens a query
        m.AdverseEvent(participant=p, term="Fatigue", grade=3, start_date=date(2026, 2, 2),
                       end_date=date(2026, 2, 9), serious=True, hospitalization=True),
        m.QolResponse(participant=p, completion_date=date(2026, 2, 1), instrument="QLQ-C30",
                      answers={f"q{i}": 2 for i in range(1, 31)}),
        m.VitalSigns(participant=p, assessment_date=date(2026, 2, 1), weight_kg=71.5,
                     height_cm=172.0, ecog=1),
    ]  # fmt: skip


def _row(obj: Any) -> dict[str, Any]:
    stored = type(obj)._base_manager.filter(pk=obj.pk).values().get()
    return {k: v for k, v in stored.items() if k not in SKIP}


def test_rows_equal_the_orm_insert(world, monkeypatch):
    fast = _forms(world)
    for obj in fast:
        obj.save(user=world.system)
    assert any(key[0] is m.LabResult for key in base._INSERTS)  # the cached statement ran
    monkeypatch.setattr(base, "_insert_statement", lambda *a: None)  # the ORM's compiler
    slow = _forms(world)
    for obj in slow:
        obj.save(user=world.system)
    for a, b in zip(fast, slow, strict=True):
        assert a.pk != b.pk and a.version == b.version == 1
        assert _row(a) == _row(b), type(a).__name__


def test_a_participant_and_an_explicit_expression_fall_back_cleanly(world, monkeypatch):
    p = Participant(study_id="MINI-A-009", site=world.site_a, protocol=world.protocol,
                    consent_date=date(2026, 1, 10), consent_version="1.0", sex="F", age=70)
    p.save(user=world.system)
    stored = Participant.objects.values().get(pk=p.pk)
    assert stored["sex"] == "F" and stored["age"] == 70 and stored["version"] == 1
    assert stored["consent_date"] == date(2026, 1, 10)
    # a value that is an SQL expression other than RawSQL: the ORM builds the statement
    from django.db.models import Value

    assert base._insert_statement(m.LabResult, _connection(), [m.LabResult._meta.get_field(
        "unit")], [], m.LabResult(unit=Value("U/L"))) is None  # fmt: skip


def _connection() -> Any:
    from django.db import connection

    return connection
