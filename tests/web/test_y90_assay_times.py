"""The times of a Y-90 administration's dose-calibrator assays: the vial is assayed at or
before the administration, the residual at or after it (rules of the core,
hccrt.dosimetry.decay.delivered_activity, shown on the model's fields), and the
administration time falls on the administration date read in the app's current time zone
(settings.TIME_ZONE, UTC here; Asia/Seoul, UTC+9 without daylight saving, where overridden).

Each rule is tested on both sides of its boundary. The one accepted delivered activity checked
by value is computed by hand from the decay law A = A0 x 2^(-t / 64.1 h) (Y-90 half-life,
TheraSphere US package insert v12): a vial assay at the administration itself is not decayed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hccrt.web.capture import models as m
from tests.web.test_y90_assays import URL, _plan

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def _post(world, plan, administered_at: str, vial_at: str, residual_at: str, day="2026-02-10"):
    body = {"participant": world.pa.pk, "plan": plan.pk, "administration_date": day,
            "vial_assay_gbq": 3.0, "vial_assay_at": vial_at, "residual_assay_gbq": 0.15,
            "residual_assay_at": residual_at, "administered_at": administered_at}  # fmt: skip
    return world.client("medical_physicist").post(URL, body, format="json")


def _refused(r, field: str) -> dict:
    assert r.status_code == 400, r.content
    err = r.json()["errors"][0]
    assert err["field"] == field, err
    return err


def test_vial_assayed_at_the_administration_is_accepted(world):
    r = _post(world, _plan(world), "2026-02-10T10:00:00Z", vial_at="2026-02-10T10:00:00Z",
              residual_at="2026-02-10T11:00:00Z")
    assert r.status_code == 201, r.content
    # vial not decayed; residual read 1 h after: 0.15 x 2^(1/64.1) at administration
    assert r.json()["delivered_activity_gbq"] == pytest.approx(3.0 - 0.15 * 2 ** (1 / 64.1))


def test_vial_assayed_one_second_after_the_administration_is_refused(world):
    r = _post(world, _plan(world), "2026-02-10T10:00:00Z", vial_at="2026-02-10T10:00:01Z",
              residual_at="2026-02-10T11:00:00Z")
    err = _refused(r, "vial_assay_at")
    assert "at or before administration" in err["rule"]
    assert not m.Y90Administration.objects.exists()


def test_residual_assayed_at_the_administration_is_accepted(world):
    r = _post(world, _plan(world), "2026-02-10T10:00:00Z", vial_at="2026-02-10T09:00:00Z",
              residual_at="2026-02-10T10:00:00Z")
    assert r.status_code == 201, r.content


def test_residual_assayed_one_second_before_the_administration_is_refused(world):
    r = _post(world, _plan(world), "2026-02-10T10:00:00Z", vial_at="2026-02-10T09:00:00Z",
              residual_at="2026-02-10T09:59:59Z")
    err = _refused(r, "residual_assay_at")
    assert "at or after administration" in err["rule"]


@pytest.mark.parametrize("administered_at", [
    "2026-02-10T00:00:00Z",  # first second of the date (UTC)
    "2026-02-10T23:59:59Z",  # last second
    "2026-02-11T00:30:00+01:00",  # 2026-02-10 23:30 UTC: the date is read in UTC
])  # fmt: skip
def test_administration_time_on_the_administration_date_is_accepted(world, administered_at):
    t = datetime.fromisoformat(administered_at).isoformat()
    r = _post(world, _plan(world), administered_at, vial_at=t, residual_at=t)
    assert r.status_code == 201, r.content


@pytest.mark.parametrize(("administered_at", "local"), [
    ("2026-02-09T23:59:59Z", "2026-02-09T23:59:59+00:00"),  # one second before the date
    ("2026-02-11T00:00:00Z", "2026-02-11T00:00:00+00:00"),  # one second after its last
    ("2026-02-10T00:30:00+01:00", "2026-02-09T23:30:00+00:00"),  # 10 Feb in Paris, 9 Feb UTC
])  # fmt: skip
def test_administration_time_off_the_administration_date_is_refused(world, administered_at,
                                                                    local):  # fmt: skip
    t = datetime.fromisoformat(administered_at)
    r = _post(world, _plan(world), administered_at, vial_at=t.isoformat(),
              residual_at=t.isoformat())
    err = _refused(r, "administered_at")
    assert err["value"] == local  # the time as read in UTC, the zone the date is judged in
    assert "the administration date 2026-02-10" in err["rule"] and "UTC" in err["rule"]
    assert not m.Y90Administration.objects.exists()


def test_the_date_is_read_in_the_current_time_zone(world):
    # 2026-02-10 16:00 UTC is 2026-02-11 01:00 in Seoul (UTC+9)
    at = datetime(2026, 2, 10, 16, 0, tzinfo=UTC)
    adm = m.Y90Administration(participant=world.pa, plan=_plan(world),
                              administration_date=date(2026, 2, 10), administered_at=at,
                              vial_assay_gbq=3.0, vial_assay_at=at, residual_assay_gbq=0.15,
                              residual_assay_at=at)  # fmt: skip
    adm.clean()  # in UTC the time is on 10 February
    with timezone.override("Asia/Seoul"), pytest.raises(ValidationError) as e:
        adm.clean()
    (message,) = e.value.message_dict["administered_at"]
    assert "2026-02-11T01:00:00+09:00" in message and "Asia/Seoul" in message
    adm.administration_date = date(2026, 2, 11)
    with timezone.override("Asia/Seoul"):
        adm.clean()
