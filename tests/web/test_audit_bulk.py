"""The audited bulk path writes what single audited saves write, and nothing when one record
is invalid.

Reference: the single-save path (:meth:`AuditedModel.save`) is the specification; the CTCAE
v5.0 grades asserted here are from the CTCAE v5.0 table (ALT increased: grade 1 > ULN - 3.0 x
ULN, grade 2 > 3.0 - 5.0 x ULN, grade 3 > 5.0 - 20.0 x ULN; 600 U/L at ULN 40 is 15 x ULN).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from hccrt.errors import InputError
from hccrt.web.audit.base import AuditBypassError, audit_context
from hccrt.web.audit.bulk import audited_bulk_create
from hccrt.web.audit.chain import verify, verify_in_python
from hccrt.web.audit.models import AuditChain, AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.core.models import Participant

pytestmark = [pytest.mark.database, pytest.mark.django_db]

CONTENT = ("username", "user_id", "action", "model", "site_id", "participant_id", "version",
           "reason", "chain")  # fmt: skip


def _labs(world, values):
    return [m.LabResult(participant=p, collection_date=date(2026, 2, 1), test="ALT", value=v,
                        unit=unit, uln=40)
            for p, v, unit in values]  # fmt: skip


def _content(obj) -> list[dict]:
    out = []
    for e in AuditEvent.objects.filter(model=obj._meta.label_lower, object_pk=str(obj.pk)):
        d = {k: getattr(e, k) for k in CONTENT}
        d["changes"] = json.loads(e.changes)
        out.append(d)
    return out


def test_bulk_events_are_the_events_of_single_saves(world):
    user = world.users["site_coordinator"]
    spec = [(world.pa, 50.0, "U/L"), (world.pb, 130.0, "U/L"), (world.pa, 600.0, "U/L"),
            (world.pb, 20.0, "U/L")]  # fmt: skip
    single = _labs(world, spec)
    for lab in single:
        lab.save(user=user, reason="loaded")
    bulk = audited_bulk_create(_labs(world, spec), user=user, reason="loaded")
    assert [b.ctcae_grade for b in bulk] == [1, 2, 3, 0]  # CTCAE v5.0 ALT increased
    for s, b in zip(single, bulk, strict=True):
        assert b.pk is not None and b.version == 1 and not b._state.adding
        stored = m.LabResult.objects.get(pk=b.pk)
        for f in ("participant_id", "value", "unit", "uln", "ctcae_term", "ctcae_grade",
                  "not_gradable_reason", "version", "is_deleted"):  # fmt: skip
            assert getattr(stored, f) == getattr(s, f), f
        assert _content(b) == _content(s)
        assert len(_content(b)) == 1
    report = verify()
    assert report.ok, report.broken
    assert verify_in_python().ok
    for site in (world.site_a, world.site_b):
        seqs = list(AuditEvent.objects.filter(chain=site.pk).order_by("seq")
                    .values_list("seq", flat=True))  # fmt: skip
        assert seqs == list(range(1, len(seqs) + 1))
        assert AuditChain.objects.get(key=site.pk).seq == seqs[-1]


def test_bulk_takes_who_and_why_from_the_audit_context(world):
    with audit_context(world.system, "import of cohort 3"):
        (lab,) = audited_bulk_create(_labs(world, [(world.pa, 50.0, "U/L")]))
    (event,) = AuditEvent.objects.filter(model="capture.labresult", object_pk=str(lab.pk))
    assert (event.username, event.reason) == ("setup", "import of cohort 3")


def test_bulk_participants_are_filed_under_themselves_and_their_site(world):
    people = [Participant(study_id=f"MINI-B-1{i:02d}", site=world.site_b, protocol=world.protocol,
                          consent_date=date(2026, 1, 10), consent_version="1.0", sex="F", age=50)
              for i in range(3)]  # fmt: skip
    audited_bulk_create(people, user=world.system)
    for p in people:
        (event,) = AuditEvent.objects.filter(model="core.participant", object_pk=str(p.pk))
        assert (event.participant_id, event.site_id, event.chain) == (p.pk, world.site_b.pk,
                                                                      world.site_b.pk)
        assert json.loads(event.changes)["study_id"] == [None, p.study_id]
    assert verify().ok


def test_one_invalid_record_writes_nothing(world):
    before = (m.LabResult.objects.count(), AuditEvent.objects.count(),
              list(AuditChain.objects.order_by("key").values_list("key", "seq", "head")))
    labs = _labs(world, [(world.pa, 50.0, "U/L"), (world.pb, 60.0, "mg/dL"),
                         (world.pa, 70.0, "U/L")])  # ALT in mg/dL is not a unit of ALT
    with pytest.raises(ValidationError) as info:
        audited_bulk_create(labs, user=world.system)
    assert "unit" in info.value.message_dict
    assert any("objects[1]" in note for note in info.value.__notes__)
    after = (m.LabResult.objects.count(), AuditEvent.objects.count(),
             list(AuditChain.objects.order_by("key").values_list("key", "seq", "head")))
    assert after == before
    assert all(lab.pk is None for lab in labs)


def test_a_participant_that_does_not_exist_is_refused(world):
    lab = m.LabResult(participant_id=987654, collection_date=date(2026, 2, 1), test="ALT",
                      value=50, unit="U/L", uln=40)  # fmt: skip
    with pytest.raises((ValidationError, Participant.DoesNotExist)):
        audited_bulk_create([lab], user=world.system)
    assert not m.LabResult.objects.exists()


def test_only_new_records_of_one_model(world):
    (lab,) = audited_bulk_create(_labs(world, [(world.pa, 50.0, "U/L")]), user=world.system)
    with pytest.raises(InputError) as info:
        audited_bulk_create([lab], user=world.system)
    assert info.value.field == "objects[0]"
    vs = m.VitalSigns(participant=world.pa, assessment_date=date(2026, 2, 1), weight_kg=70)
    with pytest.raises(InputError) as info:
        audited_bulk_create([*_labs(world, [(world.pa, 50.0, "U/L")]), vs], user=world.system)
    assert info.value.field == "objects[1]"
    with pytest.raises(AuditBypassError):  # the plain bulk path stays forbidden
        m.LabResult.objects.bulk_create(_labs(world, [(world.pa, 50.0, "U/L")]))


def test_the_guard_is_closed_again_after_the_bulk_insert(world):
    with pytest.raises(DatabaseError), transaction.atomic():
        audited_bulk_create(_labs(world, [(world.pa, 50.0, "U/L")]), user=world.system)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE capture_labresult SET value = 1")
    assert not m.LabResult.objects.exists()  # rolled back with the refused statement


def test_edit_checks_run_as_on_single_saves(world):
    death = m.Disposition(participant=world.pb, disposition_date=date(2026, 3, 1), event="DEATH",
                          death_cause="tumour progression")  # fmt: skip
    death.save(user=world.system)
    labs = _labs(world, [(world.pa, 50.0, ""), (world.pb, 50.0, "U/L"), (world.pa, 50.0, "U/L")])
    labs[1].collection_date = date(2026, 3, 5)  # after the death
    audited_bulk_create(labs, user=world.system)
    queries = {(q.target_pk, q.edit_check, q.target_field)
               for q in m.DataQuery.objects.filter(target_model="capture.labresult")}
    assert queries == {(str(labs[0].pk), "lab_without_unit", "unit"),
                       (str(labs[1].pk), "after_death", "collection_date")}
    assert verify().ok
