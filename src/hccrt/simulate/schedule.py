"""Planned visits of simulated participants, from a protocol's schedule (vectorized).

This expands each protocol visit (anchor, nominal time, repeat) into planned dates per
participant, with calendar arithmetic for months (a visit "3 months" after 31 January is on
30 April). It serves the generator; the eligibility/scheduling engine of
:mod:`hccrt.protocols` is the place for the capture-side scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hccrt.protocols.schema import Duration, DurationUnit, Protocol, Visit

NAT = np.datetime64("NaT", "D")


def add_months(dates: np.ndarray, months: int) -> np.ndarray:
    """``dates`` (datetime64[D]) plus whole calendar months, clamped to the month's last day."""
    d = np.asarray(dates, dtype="datetime64[D]")
    m = d.astype("datetime64[M]")
    day = (d - m.astype("datetime64[D]")).astype(np.int64)
    tm = m + np.timedelta64(int(months), "M")
    dim = ((tm + np.timedelta64(1, "M")).astype("datetime64[D]")
           - tm.astype("datetime64[D]")).astype(np.int64)
    out = tm.astype("datetime64[D]") + np.minimum(day, dim - 1).astype("timedelta64[D]")
    return np.where(np.isnat(d), NAT, out)


def shift(dates: np.ndarray, duration: Duration, times: float = 1.0) -> np.ndarray:
    """``dates`` plus ``times`` x ``duration``; months and years by calendar arithmetic."""
    value = duration.value * times
    if duration.unit in (DurationUnit.MONTHS, DurationUnit.YEARS):
        months = value * (12 if duration.unit is DurationUnit.YEARS else 1)
        if float(months).is_integer():
            return add_months(dates, int(months))
        return dates + np.timedelta64(round(months * 365.25 / 12), "D")
    return dates + np.timedelta64(round(duration.approx_days() * times), "D")


def window_days(visit: Visit) -> tuple[int, int]:
    """The visit window (days before, days after) the nominal date."""
    return round(visit.window.before.approx_days()), round(visit.window.after.approx_days())


@dataclass(frozen=True)
class Occurrence:
    """One planned occurrence of a protocol visit."""

    visit: Visit
    index: int          # 0-based position of the visit in the protocol schedule
    occurrence: int     # 0 for the first (nominal) occurrence
    visitnum: float
    name: str
    offset_times: float  # nominal + occurrence x every, as a multiple of nominal's unit


def occurrences(protocol: Protocol) -> list[Occurrence]:
    """Every planned occurrence of every visit, VISITNUM = 100 x (position + 1) + occurrence."""
    out: list[Occurrence] = []
    for i, v in enumerate(protocol.schedule.visits):
        if v.repeat is None:
            out.append(Occurrence(v, i, 0, float(100 * (i + 1)), v.name, 1.0))
            continue
        start, every, until = v.nominal.approx_days(), v.repeat.every.approx_days(), \
            v.repeat.until.approx_days()
        k = 0
        while start + k * every <= until + 1e-9 and k < 200:
            label = f"{v.name} {k + 1}"
            out.append(Occurrence(v, i, k, float(100 * (i + 1) + k), label, 1.0))
            k += 1
    return out


def planned_dates(occ: Occurrence, anchor: np.ndarray) -> np.ndarray:
    """Planned dates of one occurrence from the anchor dates (NaT anchor -> NaT)."""
    v = occ.visit
    d = shift(anchor, v.nominal)
    if occ.occurrence and v.repeat is not None:
        d = shift(d, v.repeat.every, occ.occurrence)
    return d
