"""Dose-calibrator assays of a Y-90 administration: the vial assayed before and the residual
(vial, lines, catheter) after, each with its time, and the administration time; the
delivered activity is then derived by the core and stored with the readings.

Expected values are computed here by hand from the decay law A(t) = A0 x 2^(-t / T1/2),
T1/2 = 64.1 h (Y-90; TheraSphere US package insert v12, the source hccrt.dosimetry cites):
delivered = vial x 2^(-t_vial->adm / T) - residual x 2^(+t_adm->residual / T) (AAPM MPPG 14.a,
Busse NC et al., JACMP 2024;25:e14157). The times are given in two time zones on purpose: a
computation on wall-clock times would get 4 h instead of 3 h between the vial assay and the
administration, and a different delivered activity (2.7206 GBq instead of 2.7518 GBq).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m
from tests.web.test_y90_post_treatment import PLAN

pytestmark = [pytest.mark.database, pytest.mark.django_db]

URL = "/api/v1/y90-administrations/"
T_HALF_H = 64.1
ASSAYS = {"vial_assay_gbq": 3.0, "vial_assay_at": "2026-02-10T07:00:00Z",
          "administered_at": "2026-02-10T11:00:00+01:00",  # 10:00 UTC: 3 h after the assay
          "residual_assay_gbq": 0.15,
          "residual_assay_at": "2026-02-10T12:30:00+01:00"}  # 1.5 h after administration


def _decayed(activity: float, hours: float) -> float:
    return activity * 2.0 ** (-hours / T_HALF_H)


def _plan(world) -> m.Y90Plan:
    plan = m.Y90Plan(participant=world.pa, plan_date=date(2026, 2, 1), inputs=PLAN)
    plan.save(user=world.system)
    return plan


def _post(world, plan, **kw):
    body = {"participant": world.pa.pk, "plan": plan.pk, "administration_date": "2026-02-10",
            **ASSAYS, **kw}  # fmt: skip
    return world.client("medical_physicist").post(URL, body, format="json")


def test_delivered_activity_is_derived_from_the_assays_by_decay(world):
    plan = _plan(world)
    r = _post(world, plan)
    assert r.status_code == 201, r.content
    got = r.json()
    vial, residual = _decayed(3.0, 3.0), _decayed(0.15, -1.5)
    assert vial == pytest.approx(2.904240, abs=1e-6)
    assert residual == pytest.approx(0.152453, abs=1e-6)
    assert got["delivered_activity_gbq"] == pytest.approx(vial - residual, rel=1e-12)
    assert got["delivered_activity_gbq"] == pytest.approx(2.751787, abs=1e-6)
    stored = m.Y90Administration.objects.get(pk=got["id"])
    assert stored.report["assays"]["vial_activity_at_administration_gbq"] == \
        pytest.approx(vial, rel=1e-12)
    assert stored.report["assays"]["residual_fraction"] == pytest.approx(residual / vial)
    # the delivery report (doses at the delivered activity) uses the derived activity
    assert stored.report["delivered_activity_gbq"] == pytest.approx(vial - residual)
    (created,) = AuditEvent.objects.filter(model="capture.y90administration",
                                           object_pk=str(got["id"]))
    changes = json.loads(created.changes)
    assert changes["vial_assay_gbq"] == [None, 3.0]
    assert changes["residual_assay_gbq"] == [None, 0.15]
    assert changes["delivered_activity_gbq"][1] == pytest.approx(vial - residual)


def test_a_corrected_reading_rederives_the_delivered_activity_and_is_audited(world):
    plan = _plan(world)
    got = _post(world, plan, delivered_activity_gbq=2.5).json()  # entered value: replaced
    assert got["delivered_activity_gbq"] == pytest.approx(_decayed(3.0, 3) - _decayed(0.15, -1.5))
    r = world.client("medical_physicist").patch(
        f"{URL}{got['id']}/", {"version": got["version"], "residual_assay_gbq": 0.3,
                               "change_reason": "residual re-assayed with the catheter"},
        format="json")  # fmt: skip
    assert r.status_code == 200, r.content
    expected = _decayed(3.0, 3.0) - _decayed(0.3, -1.5)
    assert r.json()["delivered_activity_gbq"] == pytest.approx(expected, rel=1e-12)
    update = AuditEvent.objects.filter(model="capture.y90administration", action="update").get()
    changes = json.loads(update.changes)
    assert changes["residual_assay_gbq"] == [0.15, 0.3]
    assert changes["delivered_activity_gbq"][1] == pytest.approx(expected)
    assert update.reason == "residual re-assayed with the catheter"


@pytest.mark.parametrize(("change", "field"), [
    ({"residual_assay_at": None}, "residual_assay_at"),  # readings go together
    ({"vial_assay_gbq": 0}, "vial_assay_gbq"),  # the core: a vial assay > 0 GBq
    ({"residual_assay_gbq": 3.5}, "residual_assay_gbq"),  # more left than was in the vial
    ({"residual_assay_at": "2026-02-10T09:59:00Z"}, "residual_assay_at"),  # before administration
])  # fmt: skip
def test_bad_assays_are_refused_naming_the_field(world, change, field):
    plan = _plan(world)
    r = _post(world, plan, **change)
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["field"] == field and err["rule"], err
    assert not m.Y90Administration.objects.exists()


def test_without_assays_the_delivered_activity_is_required(world):
    plan = _plan(world)
    body = {"participant": world.pa.pk, "plan": plan.pk, "administration_date": "2026-02-10"}
    r = world.client("medical_physicist").post(URL, body, format="json")
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "delivered_activity_gbq"
    r = world.client("medical_physicist").post(URL, {**body, "delivered_activity_gbq": 1.9},
                                               format="json")
    assert r.status_code == 201 and r.json()["delivered_activity_gbq"] == 1.9
    assert "assays" not in m.Y90Administration.objects.get().report
