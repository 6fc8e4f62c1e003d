"""The assessments area's adapter between the eCRF rows and the core response engine.

Nothing here decides a response: the lesion rows of a read (typed or stored) become the core's
lesion table (:mod:`hccrt.response.lesions`) and :func:`hccrt.response.derive_timepoint_response`
evaluates the timepoint against the baseline and the nadir of the same reader;
:func:`hccrt.response.accepted_response` settles two central readers and an adjudicator.

A *read* is what one evaluator saw at one imaging date: the capture model stores one
:class:`~hccrt.web.capture.models.TumourAssessment` per criteria set (``criteria`` is one of
RECIST 1.1, mRECIST, localized mRECIST, localized RECIST 1.1), each with its own
:class:`~hccrt.web.capture.models.Lesion` rows; the pages write the same lesion rows under every
criteria set of the read, so the sibling assessments stay identical apart from ``criteria`` and
``overall_response``.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from django.conf import settings

from hccrt.errors import InputError
from hccrt.records import schema as rs
from hccrt.response import derive_timepoint_response, prepare_lesions, validate_baseline
from hccrt.response.criteria import CRITERIA_LABELS, CRITERIA_NAMES
from hccrt.web.capture.models import Lesion, TumourAssessment

#: core criteria name -> the capture model's ``criteria`` value (SDTM RSCAT)
MODEL_CRITERIA: dict[str, str] = {name: CRITERIA_LABELS[name].upper() for name in CRITERIA_NAMES}
CORE_CRITERIA: dict[str, str] = {v: k for k, v in MODEL_CRITERIA.items()}
assert set(MODEL_CRITERIA.values()) == set(rs.RSCAT[:4])

#: evaluator names of a central read and an adjudication (SDTM RSEVAL terms)
CENTRAL = "INDEPENDENT ASSESSOR"
ADJUDICATOR = "ADJUDICATOR"
INVESTIGATOR = "INVESTIGATOR"

STATES: tuple[str, ...] = rs.TUMSTATE
ROLES: tuple[str, ...] = rs.LESION_ROLES
LOCATIONS: tuple[str, ...] = rs.TULOC
MODALITIES: tuple[str, ...] = rs.TUMETHOD


def protocol_criteria(document: dict[str, Any]) -> list[str]:
    """Criteria sets the protocol's endpoints use (core names, in the core's order); RECIST 1.1
    when the protocol names none."""
    used = {c for e in document.get("endpoints", []) for c in (e.get("criteria") or [])}
    return [c for c in CRITERIA_NAMES if c in used] or ["recist11"]


def blinded_id(participant_id: int) -> str:
    """A stable case label for blinded review, from the participant's key and the server secret
    (the study id carries the site code, so it is not shown to blinded readers)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"participant:{participant_id}".encode(),
                      hashlib.sha256).hexdigest()  # fmt: skip
    return f"CASE-{digest[:8].upper()}"


# ------------------------------------------------------------------------- lesion rows


@dataclass
class LesionRow:
    """One lesion row of the form (mm); ``errors`` maps a field to its message."""

    lesion_id: str = ""
    role: str = "TARGET"
    location: str = "LIVER"
    segment: int | None = None
    longest_diameter_mm: float | None = None
    viable_diameter_mm: float | None = None
    state: str = ""
    in_field: bool | None = None
    typical_hcc: bool | None = None  # arterial hyperenhancement with washout (mRECIST)
    carried: bool = False  # carried forward from baseline: identity fields are read-only
    version: int | None = None  # stored version of the lesion (edits of a stored read)
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return not self.lesion_id.strip()

    def model_values(self) -> dict[str, Any]:
        return {"lesion_id": self.lesion_id.strip(), "role": self.role,
                "location": self.location, "couinaud_segment": self.segment,
                "longest_diameter_mm": self.longest_diameter_mm,
                "viable_diameter_mm": self.viable_diameter_mm, "state": self.state,
                "in_field": self.in_field, "typical_hcc": self.typical_hcc}  # fmt: skip

    @classmethod
    def from_model(cls, lesion: Lesion, carried: bool = False) -> LesionRow:
        return cls(lesion_id=lesion.lesion_id, role=lesion.role, location=lesion.location,
                   segment=lesion.couinaud_segment,
                   longest_diameter_mm=lesion.longest_diameter_mm,
                   viable_diameter_mm=lesion.viable_diameter_mm, state=lesion.state,
                   in_field=lesion.in_field, typical_hcc=lesion.typical_hcc, carried=carried,
                   version=lesion.version)  # fmt: skip

    def carried_forward(self) -> LesionRow:
        """The row offered at follow-up: identity and position kept, measurements empty."""
        return LesionRow(lesion_id=self.lesion_id, role=self.role, location=self.location,
                         segment=self.segment, in_field=self.in_field,
                         typical_hcc=self.typical_hcc, carried=True)  # fmt: skip


def _number(raw: str, name: str, row: LesionRow) -> float | None:
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        row.errors[name] = f"got {raw!r}; allowed: a number of millimetres, 0 or more"
        return None
    if not math.isfinite(value) or value < 0:
        row.errors[name] = f"got {raw!r}; allowed: a number of millimetres, 0 or more"
        return None
    return value


def parse_rows(data: Any, count: int) -> list[LesionRow]:
    """Lesion rows from POST data (``lesion-<i>-<field>``); a row without an id is dropped."""
    rows = []
    for i in range(count):
        def get(name: str, i: int = i) -> str:
            return str(data.get(f"lesion-{i}-{name}", "") or "")

        row = LesionRow(lesion_id=get("lesion_id").strip().upper(), carried=get("carried") == "1")
        row.raw = {n: get(n) for n in ("segment", "longest_diameter_mm", "viable_diameter_mm")}
        role = get("role").strip().upper()
        if role not in ROLES:
            row.errors["role"] = f"got {role!r}; allowed: one of {list(ROLES)}"
        row.role = role if role in ROLES else "TARGET"
        location = get("location").strip().upper() or "LIVER"
        if location not in LOCATIONS:
            row.errors["location"] = f"got {location!r}; allowed: one of {list(LOCATIONS)}"
        row.location = location
        seg = get("segment").strip()
        if seg:
            if seg.isdigit() and 1 <= int(seg) <= 8:
                row.segment = int(seg)
            else:
                row.errors["segment"] = f"got {seg!r}; allowed: a Couinaud segment 1-8"
        row.longest_diameter_mm = _number(get("longest_diameter_mm"), "longest_diameter_mm",
                                          row)  # fmt: skip
        row.viable_diameter_mm = _number(get("viable_diameter_mm"), "viable_diameter_mm", row)
        state = get("state").strip().upper()
        if state and state not in STATES:
            row.errors["state"] = f"got {state!r}; allowed: one of {list(STATES)}"
        row.state = state if state in STATES else ""
        version = get("version")
        row.version = int(version) if version.isdigit() else None
        row.in_field = {"yes": True, "no": False}.get(get("in_field"))
        row.typical_hcc = {"yes": True, "no": False}.get(get("typical_hcc"))
        if not row.blank or row.carried:
            rows.append(row)
    return rows


# ------------------------------------------------------------------------- reads


@dataclass
class Read:
    """Lesion rows of one evaluator at one date (a stored read or the one being typed)."""

    date: date
    rows: Sequence[LesionRow]


def lesion_frame(baseline: Read, follow_ups: Iterable[Read], evaluator: str = "E") -> pd.DataFrame:
    """The core lesion table (one subject, one evaluator) of a baseline and follow-up reads."""
    records = []
    for read in [baseline, *follow_ups]:
        for r in read.rows:
            if r.blank:
                continue
            records.append({
                "subject": "S", "evaluator": evaluator, "date": read.date.isoformat(),
                "visit": read.date.isoformat(), "lesion_id": r.lesion_id.strip(),
                "role": r.role, "site": r.location, "segment": r.segment,
                "longest_diameter": r.longest_diameter_mm, "viable_diameter": r.viable_diameter_mm,
                "in_treated_area": r.in_field, "typical_hcc": r.typical_hcc,
                "status": r.state or None,
            })  # fmt: skip
    frame = pd.DataFrame(records, columns=["subject", "evaluator", "date", "visit", "lesion_id",
                                           "role", "site", "segment", "longest_diameter",
                                           "viable_diameter", "in_treated_area", "typical_hcc",
                                           "status"])
    for c in ("longest_diameter", "viable_diameter"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    frame["segment"] = frame["segment"].astype("Int64")
    frame["in_treated_area"] = frame["in_treated_area"].astype("boolean")
    frame["typical_hcc"] = frame["typical_hcc"].astype("boolean")
    return frame


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) \
        or value is pd.NA else str(value)


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


@dataclass(frozen=True)
class CriteriaResponse:
    """The timepoint response under one criteria set, as the core computed it."""

    criteria: str  # core name
    label: str
    baseline_sum: float | None = None
    nadir: float | None = None
    current_sum: float | None = None
    pchg_baseline: float | None = None
    pchg_nadir: float | None = None
    target: str = ""
    nontarget: str = ""
    new_lesion: str = ""
    new_out_of_field: str = ""
    overall: str = ""
    reason: str = ""
    breaches: tuple[str, ...] = ()

    @property
    def badge(self) -> str:
        return {"CR": "ok", "PR": "ok", "SD": "warning", "NON-CR/NON-PD": "warning",
                "PD": "fail", "NE": "missing"}.get(self.overall, "missing")  # fmt: skip


def timepoint_responses(baseline: Read, earlier: Sequence[Read], current: Read,
                        criteria: Sequence[str]) -> list[CriteriaResponse]:  # fmt: skip
    """Response of ``current`` against ``baseline`` and the nadir of ``earlier`` follow-ups,
    under each criteria set. Bad input (a lesion not at baseline, a duplicated lesion, ...) is
    flagged by the core and comes back as NE with the reason; nothing raises."""
    if current.date <= baseline.date:
        return [CriteriaResponse(c, CRITERIA_LABELS[c], overall="NE",
                                 reason=f"the follow-up date {current.date.isoformat()} is not "
                                        f"after the baseline date {baseline.date.isoformat()}")
                for c in criteria]  # fmt: skip
    before = [r for r in earlier if baseline.date < r.date < current.date]
    found = history_responses(baseline, [*before, current], criteria)
    return [found[(c, current.date)] for c in criteria]


def history_responses(baseline: Read, follow_ups: Sequence[Read], criteria: Sequence[str]
                      ) -> dict[tuple[str, date], CriteriaResponse]:  # fmt: skip
    """The response of every follow-up read (after the baseline) under each criteria set, keyed
    by (criteria, date): one validation of the lesion table, one derivation per criteria set."""
    reads = sorted((r for r in follow_ups if r.date > baseline.date), key=lambda r: r.date)
    frame = lesion_frame(baseline, reads)
    out: dict[tuple[str, date], CriteriaResponse] = {}
    try:
        prepared: Any = prepare_lesions(frame, errors="flag")
    except InputError as exc:
        prepared = exc
    for c in criteria:
        label = CRITERIA_LABELS[c]
        try:
            if isinstance(prepared, InputError):
                raise prepared
            res = derive_timepoint_response(prepared, c)
        except InputError as exc:
            for r in reads:
                out[(c, r.date)] = CriteriaResponse(c, label, overall="NE", reason=str(exc))
            continue
        found = {pd.Timestamp(x["date"]).date(): x for x in res.to_dict("records")}
        for r in reads:
            x = found.get(r.date)
            if x is None:
                out[(c, r.date)] = CriteriaResponse(c, label, overall="NE",
                                                    reason="no lesion recorded at this timepoint")
                continue
            out[(c, r.date)] = CriteriaResponse(
                c, label, baseline_sum=_num(x["baseline_sum"]), nadir=_num(x["nadir"]),
                current_sum=_num(x["target_sum"]), pchg_baseline=_num(x["pchg_baseline"]),
                pchg_nadir=_num(x["pchg_nadir"]), target=_text(x["target_response"]),
                nontarget=_text(x["nontarget_response"]), new_lesion=_text(x["new_lesion"]),
                new_out_of_field=_text(x.get("new_lesion_out_of_field")),
                overall=_text(x["overall"]), reason=_text(x["reason"]),
            )  # fmt: skip
    return out


def baseline_checks(baseline: Read, criteria: Sequence[str]) -> list[CriteriaResponse]:
    """Baseline target sums and the core's baseline breaches under each criteria set.

    The sum is the core's own ``baseline_sum``, read from an evaluation of a copy of the
    baseline as a follow-up one day later (so no sum is computed here)."""
    frame = lesion_frame(baseline, [])
    if frame.empty:
        return [CriteriaResponse(c, CRITERIA_LABELS[c], reason="no lesion recorded")
                for c in criteria]  # fmt: skip
    later = Read(date.fromordinal(baseline.date.toordinal() + 1),
                 [LesionRow(**{**r.__dict__, "errors": {}, "raw": {}}) for r in baseline.rows])
    sums = history_responses(baseline, [later], criteria)
    out = []
    for c in criteria:
        label = CRITERIA_LABELS[c]
        try:
            breaches = validate_baseline(frame, c)
        except InputError as exc:
            out.append(CriteriaResponse(c, label, breaches=(str(exc),)))
            continue
        texts = tuple(
            f"{b['lesion_id'] or 'selection'}: {b['detail']} (got {b['value']}; allowed: "
            f"{b['allowed']})" for _, b in breaches.iterrows())  # fmt: skip
        out.append(CriteriaResponse(c, label, baseline_sum=sums[(c, later.date)].baseline_sum,
                                    breaches=texts))  # fmt: skip
    return out


# ------------------------------------------------------------------------- stored reads


def read_key(a: TumourAssessment) -> tuple[Any, ...]:
    return (a.participant_id, a.timepoint, a.assessment_date, a.evaluator, a.reader_id)


def siblings(assessment: TumourAssessment) -> Any:
    """The assessments of the same read (one per criteria set)."""
    return TumourAssessment.objects.alive().filter(
        participant_id=assessment.participant_id, timepoint=assessment.timepoint,
        assessment_date=assessment.assessment_date, evaluator=assessment.evaluator,
        reader_id=assessment.reader_id).order_by("pk")  # fmt: skip


def stored_reads(participant_id: int, evaluator: str, reader_id: int | None,
                 exclude_date: date | None = None) -> tuple[Read | None, list[Read]]:  # fmt: skip
    """(baseline read, follow-up reads) stored for one evaluator of a participant; each read's
    lesions are those of its first assessment (siblings hold the same rows)."""
    qs = (TumourAssessment.objects.alive()
          .filter(participant_id=participant_id, evaluator=evaluator, reader_id=reader_id)
          .order_by("assessment_date", "pk").prefetch_related("lesions"))  # fmt: skip
    baseline: Read | None = None
    follow: dict[date, Read] = {}
    for a in qs:
        rows = [LesionRow.from_model(x) for x in a.lesions.all() if not x.is_deleted]
        rows.sort(key=lambda r: (ROLES.index(r.role), r.lesion_id))
        if a.timepoint == TumourAssessment.Timepoint.BASELINE:
            if baseline is None:
                baseline = Read(a.assessment_date, rows)
        elif a.assessment_date != exclude_date and a.assessment_date not in follow:
            follow[a.assessment_date] = Read(a.assessment_date, rows)
    return baseline, list(follow.values())


# ------------------------------------------------------------------------- central review

READER_NAMES = ("RADIOLOGIST 1", "RADIOLOGIST 2")


def central_readers(assessments: Iterable[TumourAssessment]) -> list[int]:
    """The participant's central readers, in the order their first read was assigned."""
    first: dict[int, int] = {}
    for a in assessments:
        if a.evaluator == CENTRAL and a.reader_id is not None:
            first[a.reader_id] = min(first.get(a.reader_id, a.pk), a.pk)
    return sorted(first, key=first.__getitem__)


@dataclass
class ReviewRow:
    """One (criteria, date) follow-up timepoint of a participant under central review."""

    criteria: str  # model value (e.g. "RECIST 1.1")
    date: date
    reads: list[TumourAssessment | None]  # reader 1, reader 2
    adjudication: TumourAssessment | None
    accepted: str
    source: str
    reason: str

    @property
    def key(self) -> str:
        return f"{CORE_CRITERIA[self.criteria]}|{self.date.isoformat()}"

    @property
    def disagree(self) -> bool:
        return self.source in ("UNRESOLVED", "ADJUDICATED")


def central_review(assessments: Sequence[TumourAssessment]) -> list[ReviewRow]:
    """Accepted response per follow-up timepoint and criteria set of one participant (see
    :func:`central_reviews`)."""
    return next(iter(central_reviews(assessments).values()), [])


def central_reviews(assessments: Sequence[TumourAssessment]) -> dict[int, list[ReviewRow]]:
    """Accepted response per participant, follow-up timepoint and criteria set, by one call of
    :func:`hccrt.response.accepted_response` (two readers agree -> their response; disagree ->
    the adjudicator's, else NE; one reader -> NE). Only completed reads (overall response
    filled) count; a participant's readers 1 and 2 are its first two central readers."""
    from hccrt.response import CentralReviewRule, accepted_response

    adjudicator = CentralReviewRule().adjudicator
    by_participant: dict[int, list[TumourAssessment]] = {}
    for a in assessments:
        by_participant.setdefault(a.participant_id, []).append(a)
    rows, by_key = [], {}
    for pid, items in by_participant.items():
        name = {rid: READER_NAMES[i] for i, rid in enumerate(central_readers(items)[:2])}
        for a in items:
            if a.timepoint != TumourAssessment.Timepoint.FOLLOW_UP or not a.overall_response:
                continue
            if a.evaluator == CENTRAL and a.reader_id in name:
                ev = name[a.reader_id]
            elif a.evaluator == ADJUDICATOR:
                ev = adjudicator
            else:
                continue
            by_key[(pid, a.criteria, a.assessment_date, ev)] = a
            rows.append({"subject": pid, "evaluator": ev, "criteria": a.criteria,
                         "visit": a.assessment_date.isoformat(), "date": a.assessment_date,
                         "overall": a.overall_response})  # fmt: skip
    if not rows:
        return {}
    frame = pd.DataFrame(rows).drop_duplicates(["subject", "criteria", "visit", "evaluator"],
                                               keep="last")  # fmt: skip
    if not frame["evaluator"].isin(READER_NAMES).any():
        return {}
    acc = accepted_response(frame)
    out: dict[int, list[ReviewRow]] = {}
    for r in acc.sort_values(["subject", "visit", "criteria"]).itertuples(index=False):
        d = date.fromisoformat(r.visit)
        pid = int(r.subject)
        out.setdefault(pid, []).append(ReviewRow(
            criteria=r.criteria, date=d,
            reads=[by_key.get((pid, r.criteria, d, n)) for n in READER_NAMES],
            adjudication=by_key.get((pid, r.criteria, d, adjudicator)),
            accepted=_text(r.overall), source=_text(r.source), reason=_text(r.reason),
        ))  # fmt: skip
    return out
