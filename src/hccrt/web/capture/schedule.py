"""Visit schedule of a participant, generated from the protocol when its anchor event happens.

Dates, repeats and windows come from the core's schedule expansion
(:mod:`hccrt.simulate.schedule`: calendar months, repeats up to their limit, windows in days);
this module only stores them as :class:`~hccrt.web.capture.models.Visit` rows. When an anchor
date is corrected, planned dates and windows of the visits on that anchor are regenerated
through the audited save (the reason names the correction); actual dates are kept.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
from django.db import transaction

from hccrt.simulate.schedule import occurrences, planned_dates, window_days
from hccrt.web.capture.models import Visit
from hccrt.web.core.models import Participant


def _to_date(value: np.datetime64) -> date:
    return date.fromisoformat(str(np.datetime64(value, "D")))


@transaction.atomic
def generate_visits(participant: Participant, anchor: str, anchor_date: date, *,
                    user: Any = None, reason: str = "") -> list[Visit]:  # fmt: skip
    """Create or re-date the visits anchored on ``anchor`` (audited); returns them."""
    protocol = participant.protocol.as_protocol()
    existing = {(v.visit_code, v.visitnum): v
                for v in Visit.objects.alive().filter(participant=participant, anchor=anchor)}
    out: list[Visit] = []
    anchor_arr = np.array([np.datetime64(anchor_date, "D")])
    for occ in occurrences(protocol):
        visit = occ.visit
        if visit.anchor.value != anchor:
            continue
        if visit.arms and participant.arm and participant.arm not in visit.arms:
            continue
        planned = _to_date(planned_dates(occ, anchor_arr)[0])
        before, after = window_days(visit)
        fields = {
            "name": occ.name, "anchor_date": anchor_date, "planned_date": planned,
            "window_start": planned - timedelta(days=before),
            "window_end": planned + timedelta(days=after),
        }  # fmt: skip
        row = existing.get((visit.id, occ.visitnum))
        if row is None:
            row = Visit(participant=participant, visit_code=visit.id, visitnum=occ.visitnum,
                        anchor=anchor, **fields)  # fmt: skip
            row.save(user=user)
        elif any(getattr(row, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(row, k, v)
            row.save(user=user, reason=reason or f"{anchor} date corrected to {anchor_date}")
        out.append(row)
    return out


def first_treatment_date(participant: Participant) -> date | None:
    from hccrt.web.capture.models import HaicCycle, SbrtFraction, Y90Administration

    dates = [
        d for d in (
            Y90Administration.objects.alive().filter(participant=participant)
            .order_by("administration_date").values_list("administration_date", flat=True)
            .first(),
            SbrtFraction.objects.alive().filter(participant=participant)
            .order_by("fraction_date").values_list("fraction_date", flat=True).first(),
            HaicCycle.objects.alive().filter(participant=participant)
            .order_by("cycle_date").values_list("cycle_date", flat=True).first(),
        ) if d is not None
    ]  # fmt: skip
    return min(dates) if dates else None


def on_treatment_saved(participant: Participant, user: Any = None) -> None:
    """(Re)generate the visits anchored on the first treatment after a treatment form saves."""
    first = first_treatment_date(participant)
    if first is not None:
        generate_visits(participant, "first_treatment", first, user=user,
                        reason=f"first treatment date is {first.isoformat()}")


def statuses(participant: Participant, today: date) -> dict[int, str]:
    return {v.pk: v.status_on(today)
            for v in Visit.objects.alive().filter(participant=participant)}  # fmt: skip
