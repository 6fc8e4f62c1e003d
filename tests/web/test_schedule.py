"""Part 6: the visit schedule is generated from the protocol when the anchor event happens.

Expected dates are calendar arithmetic on the protocol text (mini trial: baseline at
randomization, window 28 days before; follow-up every 3 months to 24 months, +/- 14 days;
RESCUE: day 30 / 90 / 180 after the first Y-90 treatment).
"""

from __future__ import annotations

from datetime import date

import pytest

from hccrt.protocols import load_builtin
from hccrt.web.audit.models import AuditEvent
from hccrt.web.capture import models as m
from hccrt.web.capture.allocation import allocate, create_randomization_list
from hccrt.web.capture.schedule import generate_visits
from hccrt.web.core.models import Protocol
from hccrt.web.core.services import store_protocol

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def _randomize(world, day=date(2026, 2, 1)):
    create_randomization_list(world.protocol, 6, sites=[world.site_a, world.site_b])
    world.eligible(world.pa)
    return allocate(world.pa, "randomized", day, user=world.system)


def test_randomization_generates_the_protocol_visits_with_windows(world):
    _randomize(world)
    visits = list(m.Visit.objects.filter(participant=world.pa).order_by("visitnum"))
    assert [v.planned_date for v in visits] == [
        date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1), date(2026, 11, 1),
        date(2027, 2, 1), date(2027, 5, 1), date(2027, 8, 1), date(2027, 11, 1),
        date(2028, 2, 1),
    ]
    base, fu1 = visits[0], visits[1]
    assert (base.window_start, base.window_end) == (date(2026, 1, 4), date(2026, 2, 1))
    assert (fu1.window_start, fu1.window_end) == (date(2026, 4, 17), date(2026, 5, 15))
    assert fu1.status_on(date(2026, 4, 16)) == "upcoming"
    assert fu1.status_on(date(2026, 4, 17)) == "due"
    assert fu1.status_on(date(2026, 5, 16)) == "overdue"


def test_corrected_anchor_regenerates_dates_keeps_actuals_and_is_audited(world):
    _randomize(world)
    base = m.Visit.objects.get(participant=world.pa, visit_code="baseline")
    base.actual_date = date(2026, 1, 30)
    base.save(user=world.system, reason="visit done")
    generate_visits(world.pa, "randomization", date(2026, 2, 3), user=world.system,
                    reason="randomization date corrected (data entry error)")
    base.refresh_from_db()
    fu1 = m.Visit.objects.get(participant=world.pa, visit_code="follow-up", visitnum=200)
    assert base.planned_date == date(2026, 2, 3) and base.actual_date == date(2026, 1, 30)
    assert fu1.planned_date == date(2026, 5, 3)
    assert m.Visit.objects.filter(participant=world.pa).count() == 9  # re-dated, not added
    ev = AuditEvent.objects.filter(model="capture.visit", object_pk=str(fu1.pk)).last()
    assert ev.action == "update" and "corrected" in ev.reason
    assert '"planned_date":["2026-05-01","2026-05-03"]' in ev.changes


def test_first_treatment_anchors_the_rescue_schedule(world):
    store_protocol(load_builtin("rescue"), source="rescue.yaml")
    p = world.participant("R-1", world.site_a, Protocol.objects.get(code="rescue"))
    world.eligible(p)
    allocate(p, "single_arm", date(2026, 2, 1), user=world.system)
    plan = m.Y90Plan(participant=p, plan_date=date(2026, 2, 20),
                     inputs={"device": "resin", "model": "mird", "driver": "activity",
                             "prescribed_value": 1.5, "perfused_volume_ml": 800, "lsf": 0.05})
    plan.save(user=world.system)
    admin = m.Y90Administration(participant=p, plan=plan, administration_date=date(2026, 3, 2),
                                delivered_activity_gbq=1.5)
    admin.save(user=world.system)
    planned = dict(m.Visit.objects.filter(participant=p, anchor="first_treatment")
                   .values_list("visit_code", "planned_date").order_by("visitnum")[:4])
    assert planned == {"treatment": date(2026, 3, 2), "day-30": date(2026, 4, 1),
                       "day-90": date(2026, 5, 31), "day-180": date(2026, 8, 29)}
    admin.administration_date = date(2026, 3, 5)
    admin.save(user=world.system, reason="administration date mistyped")
    assert m.Visit.objects.get(participant=p, visit_code="day-30").planned_date == \
        date(2026, 4, 4)


def test_missed_visit_needs_a_reason_through_the_api(world):
    _randomize(world)
    v = m.Visit.objects.get(participant=world.pa, visit_code="baseline")
    c = world.client("site_coordinator")
    r = c.patch(f"/api/v1/visits/{v.pk}/", {"version": v.version, "missed": True,
                                            "change_reason": "no show"}, format="json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "missed_reason"
    r = c.patch(f"/api/v1/visits/{v.pk}/", {"version": v.version, "missed": True,
                                            "missed_reason": "hospitalised elsewhere",
                                            "change_reason": "no show"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "missed"
