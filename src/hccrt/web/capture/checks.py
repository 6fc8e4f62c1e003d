"""Edit checks run on every save of a form; a failing check opens a query, a fixed one closes it.

Checks flag data that may be right but needs a look (hard errors, e.g. a unit that cannot be
a unit of the test, are refused by validation instead). Each check returns
``[(field, message)]``; :func:`run_checks` opens one query per failing (record, check, field)
unless one is already open or answered, and closes the open queries of checks that now pass.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connections, router

from hccrt.web.capture import models as m

#: plausibility limits for vital signs (data-entry checks, e.g. weight typed in pounds or grams)
VITAL_LIMITS: dict[str, tuple[float, float]] = {
    "weight_kg": (25, 250), "height_cm": (120, 220), "systolic_bp": (60, 260),
    "diastolic_bp": (30, 160), "pulse": (30, 220), "temperature_c": (33, 43),
}  # fmt: skip

Failure = tuple[str, str]


_DEATHS: contextvars.ContextVar[dict[int, date] | None] = contextvars.ContextVar(
    "hccrt_preloaded_deaths", default=None)


def _death_query(participant_ids: Iterable[int]) -> Any:
    return (m.Disposition.objects.alive().filter(participant_id__in=participant_ids,
                                                 event="DEATH")
            .order_by("participant_id", "id").values_list("participant_id", "disposition_date"))


_DEATH_SQL = ('SELECT "disposition_date" FROM "{table}" WHERE "participant_id" = %s '
              "AND \"event\" = 'DEATH' AND NOT \"is_deleted\" ORDER BY \"id\" LIMIT 1")


def _death_date(participant_id: int) -> date | None:
    """The first recorded death of a participant (the query of every form's save: plain SQL,
    the same rows as :func:`_death_query`, without the ORM's per-call query building)."""
    preloaded = _DEATHS.get()
    if preloaded is not None and participant_id in preloaded:
        return preloaded[participant_id] or None
    conn = connections[router.db_for_read(m.Disposition)]
    with conn.cursor() as cursor:
        cursor.execute(_DEATH_SQL.format(table=m.Disposition._meta.db_table), [participant_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return date.fromisoformat(row[0]) if isinstance(row[0], str) else row[0]


@contextmanager
def preloaded_deaths(participant_ids: Iterable[int | None]) -> Iterator[None]:
    """Load the death dates of ``participant_ids`` in one query for the checks run inside
    (the audited bulk path); a participant without a death is remembered as such."""
    ids = {pid for pid in participant_ids if pid is not None}
    found: dict[int, Any] = dict.fromkeys(ids)
    for pid, d in _death_query(ids):
        if found.get(pid) is None:  # the first recorded death, as _death_date reads it
            found[pid] = d
    with known_deaths(found):
        yield


@contextmanager
def known_deaths(deaths: dict[int, date | None]) -> Iterator[None]:
    """The checks run inside use these death dates (participant id -> first recorded death,
    None: no death) instead of reading them; the caller read them with the rows it needed
    anyway (the API reads a participant's with the participant: one round trip less)."""
    token = _DEATHS.set(deaths)
    try:
        yield
    finally:
        _DEATHS.reset(token)


#: the first recorded death of participant ``p``, as a column of a query on core_participant p
DEATH_DATE_COLUMN = ('(SELECT d."disposition_date" FROM "{table}" d WHERE d."participant_id" '
                     "= p.\"id\" AND d.\"event\" = 'DEATH' AND NOT d.\"is_deleted\" "
                     'ORDER BY d."id" LIMIT 1)')


def after_death(obj: Any) -> list[Failure]:
    field = getattr(obj, "date_field", None)
    value = getattr(obj, field, None) if field else None
    if value is None or isinstance(obj, m.Disposition):
        return []
    death = _death_date(obj.participant_id)
    if death is not None and value > death:
        return [(field, f"{field} {value.isoformat()} is after the death on {death.isoformat()}")]
    return []


def lab_without_unit(obj: m.LabResult) -> list[Failure]:
    if not obj.unit and obj.test != "INR" and "" not in m.rs.lb_units(obj.test):
        return [("unit", f"{obj.test} {obj.value} has no unit; it cannot be graded or "
                         "converted")]  # fmt: skip
    return []


def vitals_out_of_range(obj: m.VitalSigns) -> list[Failure]:
    out = []
    for field, (lo, hi) in VITAL_LIMITS.items():
        value = getattr(obj, field)
        if value is not None and not lo <= value <= hi:
            out.append((field, f"{field} {value} is outside the plausible range {lo}-{hi}"))
    return out


def visit_outside_window(obj: m.Visit) -> list[Failure]:
    d = obj.actual_date
    if d is not None and not obj.window_start <= d <= obj.window_end:
        return [("actual_date", f"visit on {d.isoformat()} is outside its window "
                                f"{obj.window_start.isoformat()} to {obj.window_end.isoformat()}")]
    return []


def lesion_not_at_baseline(obj: m.Lesion) -> list[Failure]:
    a = obj.assessment
    if a.timepoint != m.TumourAssessment.Timepoint.FOLLOW_UP or obj.role == "NEW":
        return []
    at_baseline = m.Lesion.objects.alive().filter(
        participant_id=obj.participant_id, lesion_id=obj.lesion_id,
        assessment__timepoint=m.TumourAssessment.Timepoint.BASELINE,
        assessment__criteria=a.criteria, assessment__is_deleted=False,
    ).exists()  # fmt: skip
    if not at_baseline:
        return [("lesion_id", f"lesion {obj.lesion_id} ({obj.role}) is measured at follow-up "
                              "but was not recorded at baseline")]  # fmt: skip
    return []


def visit_before_consent(obj: Any) -> list[Failure]:
    """On the participant: visits done before a (corrected) consent date."""
    if obj.consent_date is None or obj.version == 1:
        return []
    early = m.Visit.objects.alive().filter(participant_id=obj.pk,
                                           actual_date__lt=obj.consent_date).count()  # fmt: skip
    if early:
        return [("consent_date", f"{early} visit(s) took place before the consent date "
                                 f"{obj.consent_date.isoformat()}")]  # fmt: skip
    return []


CHECKS: dict[str, tuple[tuple[type, ...], Callable[[Any], list[Failure]]]] = {
    "after_death": ((m.Form,), after_death),
    "lab_without_unit": ((m.LabResult,), lab_without_unit),
    "vitals_out_of_range": ((m.VitalSigns,), vitals_out_of_range),
    "visit_outside_window": ((m.Visit,), visit_outside_window),
    "lesion_not_at_baseline": ((m.Lesion,), lesion_not_at_baseline),
}
PARTICIPANT_CHECKS = {"visit_before_consent": visit_before_consent}


def run_checks(obj: Any, user: Any = None) -> list[m.DataQuery]:
    """Run the checks that apply to ``obj``; returns the queries opened."""
    if isinstance(obj, m.DataQuery):
        return []
    if obj.__class__.__name__ == "Participant":
        checks = PARTICIPANT_CHECKS
        participant_id = obj.pk
    else:
        checks = {k: fn for k, (types, fn) in CHECKS.items() if isinstance(obj, types)}
        participant_id = obj.participant_id
    label, pk = obj._meta.label_lower, str(obj.pk)
    if obj.version == 1:  # just created: no query can point at it yet
        live: list[m.DataQuery] = []
    else:
        live = list(m.DataQuery.objects.alive().filter(target_model=label, target_pk=pk)
                    .exclude(edit_check="").exclude(status=m.DataQuery.Status.CLOSED))
    opened = []
    for check_id, fn in checks.items():
        failures = [] if obj.is_deleted else fn(obj)
        failing = {f for f, _ in failures}
        for field, message in failures:
            if any(q.edit_check == check_id and q.target_field == field for q in live):
                continue
            q = m.DataQuery(participant_id=participant_id, target_model=label, target_pk=pk,
                            target_field=field, edit_check=check_id, text=message)  # fmt: skip
            q.save(user=user)
            opened.append(q)
        for q in live:
            if q.edit_check == check_id and q.target_field not in failing:
                q.status = m.DataQuery.Status.CLOSED
                q.response = q.response or "resolved: the edit check passes after a data change"
                q.save(user=user, reason=f"edit check {check_id} passes")
    return opened
