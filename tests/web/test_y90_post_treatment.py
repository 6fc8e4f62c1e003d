"""Post-treatment Y-90 dosimetry (the absorbed dose measured on Y-90 PET/CT or bremsstrahlung
SPECT/CT after an administration), captured through the API: create and update with their
audit events, the predicted dose beside it, and the refusals naming field and value.

The predicted tumour dose is checked against the partition model written out by hand
(Ho S et al., Eur J Nucl Med 1996;23:947-52: D_T = K x A_liver x TNR / (TNR x M_T + M_N),
K = 49.67 Gy.kg/GBq (EANM, the core's default), A_liver = A x (1 - LSF), masses at
1.03 g/mL), not against the core's own output.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m

pytestmark = [pytest.mark.database, pytest.mark.django_db]

PLAN = {"device": "glass", "model": "partition", "driver": "activity", "prescribed_value": 2.0,
        "perfused_volume_ml": 1000, "tumours": [{"name": "T1", "volume_ml": 200, "tnr": 3.0}],
        "lsf": 0.05}  # fmt: skip
URL = "/api/v1/y90-post-treatment-dosimetry/"


def _administration(world, participant, delivered: float = 1.8) -> m.Y90Administration:
    plan = m.Y90Plan(participant=participant, plan_date=date(2026, 2, 1), inputs=PLAN)
    plan.save(user=world.system)
    adm = m.Y90Administration(participant=participant, plan=plan,
                              administration_date=date(2026, 2, 10),
                              delivered_activity_gbq=delivered)  # fmt: skip
    adm.save(user=world.system)
    return adm


def _body(world, adm, **kw) -> dict:
    return {"participant": world.pa.pk, "administration": adm.pk, "imaging_date": "2026-02-11",
            "quantity": "TUMDOSE", "value": 150.2, "unit": "Gy", "modality": "Y-90 PET/CT",
            **kw}  # fmt: skip


def _events(pk: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(model="capture.y90posttreatmentdosimetry",
                                          object_pk=str(pk)).order_by("id"))  # fmt: skip


def test_created_and_updated_through_the_api_with_audit_events(world):
    adm = _administration(world, world.pa)
    c = world.client("medical_physicist")
    r = c.post(URL, _body(world, adm), format="json")
    assert r.status_code == 201, r.content
    got = r.json()
    # partition model by hand: 1.8 GBq delivered, 5 % to the lungs, tumour 200 mL (TNR 3) in
    # 1000 mL perfused
    m_t, m_n = 200 * 1.03 / 1000, 800 * 1.03 / 1000
    tumour = 49.67 * 1.8 * (1 - 0.05) * 3.0 / (3.0 * m_t + m_n)
    assert got["predicted_gy"] == pytest.approx(tumour, rel=1e-9)
    assert tumour == pytest.approx(176.71, abs=0.01)
    assert got["value"] == 150.2 and got["unit"] == "Gy" and got["dose_model"] == "PARTITION"
    r = c.patch(f"{URL}{got['id']}/", {"version": got["version"], "value": 161.0,
                                      "change_reason": "re-contoured tumour VOI"}, format="json")
    assert r.status_code == 200, r.content
    created, updated = _events(got["id"])
    assert created.action == "create" and created.username == "medical_physicist"
    assert json.loads(created.changes)["value"] == [None, 150.2]
    assert updated.action == "update" and updated.reason == "re-contoured tumour VOI"
    assert json.loads(updated.changes) == {"value": [150.2, 161.0]}
    assert m.Y90PostTreatmentDosimetry.objects.get(pk=got["id"]).value == 161.0


@pytest.mark.parametrize(("change", "field", "value"), [
    ({"unit": "cGy"}, "unit", "cGy"),
    ({"value": -1.0}, "value", -1.0),
    ({"quantity": "ACTIVITY"}, "quantity", "ACTIVITY"),
    ({"imaging_date": "2026-02-09"}, "imaging_date", "2026-02-09"),
    ({"dose_model": "VOXEL"}, "dose_model", "VOXEL"),
    ({"modality": "ULTRASOUND"}, "modality", "ULTRASOUND"),
])  # fmt: skip
def test_bad_input_is_refused_naming_field_and_value(world, change, field, value):
    adm = _administration(world, world.pa)
    r = world.client("medical_physicist").post(URL, _body(world, adm, **change), format="json")
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["field"] == field and str(err["value"]) == str(value), err
    assert not m.Y90PostTreatmentDosimetry.objects.exists()
    assert not AuditEvent.objects.filter(model="capture.y90posttreatmentdosimetry").exists()


def test_administration_of_another_participant_is_refused(world):
    other = world.participant("MINI-A-002", world.site_a)
    theirs = _administration(world, other)
    mine = _administration(world, world.pa)
    c = world.client("medical_physicist")
    r = c.post(URL, _body(world, theirs), format="json")
    err = r.json()["errors"][0]
    assert r.status_code == 400 and err["field"] == "administration" and err["value"] == theirs.pk
    assert not m.Y90PostTreatmentDosimetry.objects.exists()
    # the tumour dose on PET/CT and on bremsstrahlung SPECT/CT: two measurements, both kept
    for modality in ("Y-90 PET/CT", "BREMSSTRAHLUNG SPECT/CT"):
        assert c.post(URL, _body(world, mine, modality=modality), format="json").status_code \
            == 201
    assert m.Y90PostTreatmentDosimetry.objects.filter(administration=mine).count() == 2
