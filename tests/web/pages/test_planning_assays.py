"""The Y-90 administration recorded on the plan summary from dose-calibrator assays: the five
readings are stored on capture.Y90Administration (its clean() derives the delivered activity
through hccrt.dosimetry.decay.delivered_activity), shown on the summary, and refused readings
come back next to the form field that holds them.

Expected values are computed here by hand from the decay law A = A0 x 2^(-t / 64.1 h) (Y-90
half-life, TheraSphere US package insert v12). Times typed in the page's datetime-local inputs
are read in settings.TIME_ZONE (UTC).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse

from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture.models import Role, Y90Administration, Y90Plan
from tests.web.pages.test_planning import client_for, y90_post
from tests.web.pages.test_planning import trials as trials  # the fixture, re-exported

pytestmark = [pytest.mark.database, pytest.mark.django_db]

ASSAYS = {"administration_date": "2026-02-03", "pre_assay_gbq": "6.0",
          "pre_assay_time": "2026-02-03T08:30", "residual_gbq": "0.25",
          "residual_assay_time": "2026-02-03T12:00", "administration_time": "2026-02-03T10:00"}


def signed_plan(trials: Any) -> tuple[Any, Y90Plan]:
    c = client_for(trials, Role.MEDICAL_PHYSICIST)
    c.post(reverse("pages:y90-plan", args=[trials.t1.pk]),
           y90_post(prescribed_value=500, lsf=0.05, action="save"))
    plan = Y90Plan.objects.get()
    c.post(reverse("pages:y90-sign", args=[plan.pk]), {"version": plan.version})
    return c, plan


def test_the_five_readings_are_stored_and_shown(trials: Any) -> None:
    c, plan = signed_plan(trials)
    r = c.post(reverse("pages:y90-administer", args=[plan.pk]), ASSAYS)
    assert r.status_code == 302, r.content.decode()[:2000]
    adm = Y90Administration.objects.get()
    assert adm.vial_assay_gbq == 6.0 and adm.residual_assay_gbq == 0.25
    assert adm.vial_assay_at == datetime(2026, 2, 3, 8, 30, tzinfo=UTC)
    assert adm.residual_assay_at == datetime(2026, 2, 3, 12, 0, tzinfo=UTC)
    assert adm.administered_at == datetime(2026, 2, 3, 10, 0, tzinfo=UTC)
    # vial decayed 1.5 h forward, residual corrected 2 h back
    vial, residual = 6.0 * 2 ** (-1.5 / 64.1), 0.25 * 2 ** (2 / 64.1)
    assert adm.delivered_activity_gbq == pytest.approx(vial - residual, rel=1e-9)
    assert adm.report["assays"]["residual_fraction"] == pytest.approx(residual / vial)
    # the readings are in the audit trail of the administration's creation
    changes = json.loads(AuditEvent.objects.get(model="capture.y90administration").changes)
    assert changes["vial_assay_gbq"] == [None, 6.0]
    assert changes["residual_assay_gbq"] == [None, 0.25]
    summary = c.get(r["Location"]).content.decode()
    table = summary[summary.index("<caption>Dose-calibrator assays"):]
    table = table[:table.index("</table>")]
    assert "6.000 GBq at 2026-02-03 08:30 UTC" in table
    assert "0.250 GBq at 2026-02-03 12:00 UTC" in table
    assert "<td>2026-02-03 10:00 UTC</td>" in table
    assert f"{vial:.3f} / {residual:.3f}" in table
    assert f"{vial - residual:.3f}" in summary


def test_an_entered_delivered_activity_shows_no_assay_table(trials: Any) -> None:
    c, plan = signed_plan(trials)
    r = c.post(reverse("pages:y90-administer", args=[plan.pk]),
               {"administration_date": "2026-02-03", "delivered_activity_gbq": "5.5"})
    assert r.status_code == 302
    adm = Y90Administration.objects.get()
    assert adm.delivered_activity_gbq == 5.5 and adm.vial_assay_gbq is None
    assert "assays" not in adm.report
    assert "Dose-calibrator assays" not in c.get(r["Location"]).content.decode()


@pytest.mark.parametrize(("change", "field", "rule"), [
    ({"pre_assay_time": "2026-02-03T10:01"}, "pre_assay_time", "at or before administration"),
    ({"residual_assay_time": "2026-02-03T09:59"}, "residual_assay_time",
     "at or after administration"),
    ({"administration_time": "2026-02-04T00:30", "residual_assay_time": "2026-02-04T01:00"},
     "administration_time", "a time on the administration date 2026-02-03"),
    ({"residual_gbq": ""}, "residual_gbq", "go together"),
])  # fmt: skip
def test_refused_readings_are_shown_next_to_their_field(trials: Any, change: dict[str, str],
                                                       field: str, rule: str) -> None:  # fmt: skip
    c, plan = signed_plan(trials)
    r = c.post(reverse("pages:y90-administer", args=[plan.pk]), {**ASSAYS, **change})
    assert r.status_code == 400
    html = r.content.decode()
    slot = html[html.index(f'id="id_{field}_error"'):]
    assert rule in slot[:slot.index("</ul>")]
    assert not Y90Administration.objects.exists()
