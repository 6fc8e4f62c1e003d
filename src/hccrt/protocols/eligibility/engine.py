"""Evaluate a protocol's eligibility rules for one candidate or a whole batch.

Every rule is evaluated over a batch at once (numpy arrays, one element per candidate) in
three-valued logic extended with attestation:

* ``MET`` (true), ``NOT_MET`` (false);
* ``UNKNOWN``: a fact the rule needs is missing (or a lab result is older than its window);
* ``ATTEST``: only the investigator can say, and no attestation was given.

``all`` is false as soon as one part is false, ``any`` true as soon as one part is true
(Kleene), so a missing value only matters when it could change the outcome. A criterion's
outcome is its rule's value. Overall: **eligible** only when every inclusion is met and every
exclusion is not met; **ineligible** when any inclusion is not met or any exclusion is met
(the failing criteria are listed); otherwise **incomplete**, listing the missing data and the
attestations still needed. A candidate is never eligible with an unknown.

Explanations are built for one candidate on request, from the same leaf evaluations, in a
coordinator's words: ``Total bilirubin 3.1 mg/dL > 3.0 mg/dL (required <= 3.0 mg/dL)``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hccrt.errors import ProtocolError
from hccrt.protocols.eligibility.candidate import (
    Facts,
    ScreeningInput,
    facts_frame,
    untreated_fraction,
)
from hccrt.protocols.eligibility.facts import FACTS
from hccrt.protocols.eligibility.rules import (
    ULN,
    AllOf,
    AnyOf,
    Attest,
    Compare,
    DateWindow,
    Flag,
    LimitRef,
    Member,
    Not,
    Rule,
    Window,
)
from hccrt.protocols.schema import LimitQuantity, PlanningLimit, Protocol
from hccrt.units import CANONICAL_UNIT, convert

__all__ = [
    "ATTEST",
    "MET",
    "NOT_MET",
    "OUTCOME_NAMES",
    "UNKNOWN",
    "BatchResult",
    "CriterionResult",
    "ScreeningResult",
    "screen",
    "screen_all",
    "screen_frame",
]

MET, NOT_MET, UNKNOWN, ATTEST = np.int8(1), np.int8(0), np.int8(-1), np.int8(-2)
OUTCOME_NAMES = {1: "met", 0: "not met", -1: "unknown", -2: "needs attestation"}
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_EPOCH = np.datetime64("1970-01-01", "D")
_REF_WORDS = {"screening": "screening", "treatment_start": "start of study treatment"}


# --------------------------------------------------------------------------- helpers


def window_start(ref_days: np.ndarray, window: Window) -> np.ndarray:
    """First day of a window of ``window`` ending on ``ref_days`` (calendar arithmetic).

    Months and years step back on the calendar (31 March - 1 month = 28/29 February).
    """
    if window.unit == "days":
        return ref_days - window.n
    if window.unit == "weeks":
        return ref_days - 7 * window.n
    months = window.n * (12 if window.unit == "years" else 1)
    ok = np.isfinite(ref_days)
    out = np.full(ref_days.shape, np.nan)
    d = (ref_days[ok].astype(np.int64) + _EPOCH).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    day = (d - m.astype("datetime64[D]")).astype(np.int64)
    target = m - months
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64) - 1
    start = target.astype("datetime64[D]") + np.minimum(day, last)
    out[ok] = (start - _EPOCH).astype(np.int64)
    return out


def _window_start(f: Facts, before: str, window: Window) -> np.ndarray:
    """:func:`window_start` of a reference date of the batch, computed once per batch."""
    key = f"__window__{before}:{window}"
    if key not in f.inputs:
        f.inputs[key] = window_start(f.reference[before], window)
    return f.inputs[key]


def _iso(days: float) -> str:
    if days == -math.inf:
        return "none"
    return str((np.int64(days) + _EPOCH).astype("datetime64[D]"))


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    if float(x).is_integer() and abs(x) >= 1000:
        return f"{int(x):,}"
    return f"{round(x, 6):g}"


def _fmt_threshold(v: int | float) -> str:
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 1000 else str(v)
    return repr(float(v)) if abs(v) < 1000 else f"{v:,}"


def _unit_words(unit: str | None) -> str:
    if not unit or unit == "1":
        return ""
    return " " + unit


def _snap(x: np.ndarray) -> np.ndarray:
    # conversion noise (51.3 umol/L -> 2.9999999999999996 mg/dL) must not move a boundary
    return np.round(x, 9)


def _combine_all(parts: Sequence[np.ndarray]) -> np.ndarray:
    s = np.stack(parts)
    out = np.full(s.shape[1], MET, dtype=np.int8)
    out[(s == ATTEST).any(axis=0)] = ATTEST
    out[(s == UNKNOWN).any(axis=0)] = UNKNOWN
    out[(s == NOT_MET).any(axis=0)] = NOT_MET
    return out


def _combine_any(parts: Sequence[np.ndarray]) -> np.ndarray:
    s = np.stack(parts)
    out = np.full(s.shape[1], NOT_MET, dtype=np.int8)
    out[(s == ATTEST).any(axis=0)] = ATTEST
    out[(s == UNKNOWN).any(axis=0)] = UNKNOWN
    out[(s == MET).any(axis=0)] = MET
    return out


def _negate(s: np.ndarray) -> np.ndarray:
    out = s.copy()
    out[s == MET] = NOT_MET
    out[s == NOT_MET] = MET
    return out


def _status(ok: np.ndarray, missing: np.ndarray) -> np.ndarray:
    out = np.where(ok, MET, NOT_MET).astype(np.int8)
    out[missing] = UNKNOWN
    return out


# --------------------------------------------------------------------------- leaves


@dataclass
class _Leaf:
    """A leaf's status and, per row, the words and missing inputs behind it."""

    status: np.ndarray
    words: Callable[[int], str]
    missing: Callable[[int], list[str]] = field(default=lambda i: [])


class _Context:
    def __init__(self, facts: Facts, protocol: Protocol) -> None:
        self.f = facts
        self.protocol = protocol
        self.limits = {p.id: p for p in protocol.planning.limits}
        self.criterion = ""
        self._untreated: np.ndarray | None = None

    def untreated(self) -> np.ndarray:
        if self._untreated is None:
            self._untreated = untreated_fraction(self.f)
        return self._untreated


def _missing_inputs(f: Facts, name: str, i: int) -> list[str]:
    """The captured inputs behind fact ``name`` that are missing for row ``i``."""
    if name in f.lab:
        return [name] if np.isnan(f.lab[name][0][i]) else []
    if name in f.values and _present(f.values[name][i]):
        return []
    spec = FACTS.get(name)
    if name in ("age", "age_at_consent"):
        if np.isnan(f.inputs["birth_date"][i]) and np.isnan(f.inputs["age"][i]):
            return ["birth_date (or age)"]
        if name == "age_at_consent" and not np.isnan(f.inputs["birth_date"][i]):
            return ["consent_date"] if np.isnan(f.inputs["consent_date"][i]) else []
        return []
    if name == "consent_signed":
        return [] if _present(f.values[name][i]) else ["consent_date (or consent_signed)"]
    if spec is not None and spec.is_derived:
        out: list[str] = []
        for need in spec.needs:
            for m in _missing_inputs(f, need, i):
                if m not in out:
                    out.append(m)
        if name == "bclc_stage" and f.inputs["bclc_missing"][i]:
            out.append("liver_function (BCLC needs it for Child-Pugh B)")
        if name == "creatinine_clearance" and not out and f.values["age"][i] < 18:
            out.append("age of at least 18 (Cockcroft-Gault is for adults)")
        return out or [name]
    if name in f.values:
        return [] if _present(f.values[name][i]) else [name]
    if name in f.inputs:
        return [] if _present(f.inputs[name][i]) else [name]
    return [name]


def _present(v: Any) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _leaf_compare(node: Compare, ctx: _Context) -> _Leaf:
    f = ctx.f
    spec = FACTS[node.fact]
    op = _OPS[node.op]
    thr = float(node.value)
    unit_txt = _unit_words(node.unit)
    extra_missing = np.zeros(f.n, dtype=bool)
    stale = np.zeros(f.n, dtype=bool)
    raw_shown: np.ndarray | None = None
    if spec.kind == "lab":
        value, uln, date = f.lab[node.fact]
        canonical = CANONICAL_UNIT[node.fact]
        if node.unit == ULN:
            with np.errstate(invalid="ignore", divide="ignore"):
                x = value / uln
            extra_missing = ~np.isnan(value) & np.isnan(uln)
            raw_shown = value
        else:
            x = convert(value, canonical, node.unit or canonical, analyte=node.fact)
        if node.within is not None:
            start = _window_start(f, "screening", node.within)
            stale = ~np.isnan(value) & (np.isnan(date) | (date < start))
    elif spec.kind == "number":
        factor = spec.units[node.unit or ""]
        x = f.values[node.fact] / factor
    else:
        x = f.values[node.fact]
    x = _snap(x)
    missing = np.isnan(x) | stale
    with np.errstate(invalid="ignore"):
        ok = op(x, thr)
    status = _status(ok, missing)
    shown_thr = f"{_fmt_threshold(node.value)}{unit_txt}"

    def words(i: int) -> str:
        label = spec.label
        if stale[i]:
            d = f.lab[node.fact][2][i]
            when = "undated" if np.isnan(d) else f"dated {_iso(d)}"
            return (f"{label}: the result ({when}) is not within {node.within} before "
                    f"screening ({_iso(f.reference['screening'][i])}); a result within the "
                    f"window is needed (required {node.op} {shown_thr})")
        if extra_missing[i]:
            canon = CANONICAL_UNIT[node.fact]
            return (f"{label} {_fmt(raw_shown[i])}{_unit_words(canon)}: the site upper limit "  # type: ignore[index]
                    f"of normal is missing (required {node.op} {shown_thr})")
        if np.isnan(x[i]):
            return f"{label}: no value (required {node.op} {shown_thr})"
        shown_op = node.op if status[i] == MET else _NEGATE[node.op]
        detail = ""
        if raw_shown is not None:
            canon = CANONICAL_UNIT[node.fact]
            detail = (f" ({_fmt(raw_shown[i])}{_unit_words(canon)}, ULN "
                      f"{_fmt(f.lab[node.fact][1][i])}{_unit_words(canon)})")
        text = f"{label} {_fmt(x[i])}{unit_txt}{detail} {shown_op} {shown_thr}"
        if status[i] == NOT_MET:
            text += f" (required {node.op} {shown_thr})"
        return text

    def missing_names(i: int) -> list[str]:
        if stale[i]:
            return [f"{node.fact} result within {node.within} before screening"]
        if extra_missing[i]:
            return [f"{node.fact}_uln (site upper limit of normal)"]
        return _missing_inputs(f, node.fact, i) if np.isnan(x[i]) else []

    return _Leaf(status, words, missing_names)


def _leaf_member(node: Member, ctx: _Context) -> _Leaf:
    f = ctx.f
    spec = FACTS[node.fact]
    raw = f.values[node.fact]
    if spec.kind == "count":
        missing = np.isnan(raw)
        ok = np.isin(raw, [float(v) for v in node.values])
    else:
        codes = f.codes(node.fact)
        missing = codes < 0
        ok = np.isin(codes, [spec.choices.index(v) for v in node.values])
    status = _status(ok, missing)
    want = " or ".join(node.values)

    def shown(i: int) -> str:
        return _fmt(raw[i]) if spec.kind == "count" else str(raw[i])

    def words(i: int) -> str:
        if missing[i]:
            return f"{spec.label}: not known (required {want})"
        if status[i] == MET:
            return f"{spec.label} {shown(i)} (required {want})"
        return f"{spec.label} {shown(i)}, not {want}"

    return _Leaf(status, words, lambda i: _missing_inputs(f, node.fact, i) if missing[i] else [])


def _leaf_flag(node: Flag, ctx: _Context) -> _Leaf:
    f = ctx.f
    spec = FACTS[node.fact]
    x = f.values[node.fact]
    missing = np.isnan(x)
    status = _status((x == 1.0) == node.expected, missing)

    def words(i: int) -> str:
        if missing[i]:
            return f"{spec.label}: not recorded"
        return f"{spec.label}: {'yes' if x[i] == 1.0 else 'no'}"

    return _Leaf(status, words, lambda i: _missing_inputs(f, node.fact, i) if missing[i] else [])


def _leaf_date(node: DateWindow, ctx: _Context) -> _Leaf:
    f = ctx.f
    spec = FACTS[node.fact]
    d = f.values[node.fact]
    ref = f.reference[node.before]
    window = node.within or node.at_least
    assert window is not None
    start = _window_start(f, node.before, window)
    missing = np.isnan(d)
    with np.errstate(invalid="ignore"):
        ok = d >= start if node.within is not None else d <= start
    status = _status(ok, missing)
    what = (f"within {node.within}" if node.within is not None
            else f"at least {node.at_least}") + f" before {_REF_WORDS[node.before]}"

    def words(i: int) -> str:
        if missing[i]:
            return f"{spec.label}: date not known (rule: {what})"
        if d[i] == -math.inf:
            return f"{spec.label}: none (rule: {what})"
        days = int(ref[i] - d[i])
        verdict = "yes" if status[i] == MET else "no"
        return (f"{spec.label} {_iso(d[i])}, {days} days before {_REF_WORDS[node.before]} "
                f"({_iso(ref[i])}): {what}? {verdict}")

    return _Leaf(status, words, lambda i: _missing_inputs(f, node.fact, i) if missing[i] else [])


_LIMIT_INPUTS = {
    LimitQuantity.LUNG_ABSORBED_DOSE: ("maa_lsf", "maa_tnr", "tumour_volume_ml",
                                       "treated_nontumoral_volume_ml"),
    LimitQuantity.UNTREATED_NONTUMOROUS_LIVER_FRACTION: ("nontumoral_liver_volume_ml",
                                                         "treated_nontumoral_volume_ml"),
}


def _limit_value(limit: PlanningLimit, ctx: _Context) -> tuple[np.ndarray, str, str]:
    if limit.quantity is LimitQuantity.LUNG_ABSORBED_DOSE:
        ref = limit.conditions.get("tumour_absorbed_dose_gy")
        if ref is None or limit.conditions.get("model", "partition") != "partition":
            raise ProtocolError(f"{ctx.protocol.code}: planning limit {limit.id} needs "
                                "conditions model: partition and tumour_absorbed_dose_gy")
        x = ctx.f.lung_dose_at(float(ref))  # type: ignore[arg-type]
        return x, "Estimated lung dose", (f" when {float(ref):g} Gy is given to the tumour "  # type: ignore[arg-type]
                                          "(partition model, 99mTc-MAA)")
    if limit.quantity is LimitQuantity.UNTREATED_NONTUMOROUS_LIVER_FRACTION:
        return ctx.untreated(), "Untreated non-tumorous liver", " of the non-tumorous liver"
    raise ProtocolError(f"{ctx.protocol.code}: planning limit {limit.id} ({limit.quantity}) "
                        "cannot be evaluated at screening")


def _leaf_limit(node: LimitRef, ctx: _Context) -> _Leaf:
    limit = ctx.limits[node.limit]
    x, label, qualifier = _limit_value(limit, ctx)
    x = _snap(x)
    missing = np.isnan(x)
    ok = np.ones(ctx.f.n, dtype=bool)
    with np.errstate(invalid="ignore"):
        if limit.minimum is not None:
            ok &= x >= limit.minimum if limit.minimum_inclusive else x > limit.minimum
        if limit.maximum is not None:
            ok &= x <= limit.maximum if limit.maximum_inclusive else x < limit.maximum
    status = _status(ok, missing)
    percent = limit.unit == "fraction"

    def show(v: float) -> str:
        return f"{v * 100:.1f} %" if percent else f"{v:.2f} {limit.unit}"

    def bound() -> str:
        parts = []
        if limit.minimum is not None:
            parts.append(f"{'>=' if limit.minimum_inclusive else '>'} "
                         f"{limit.minimum * 100:g} %" if percent else
                         f"{'>=' if limit.minimum_inclusive else '>'} {limit.minimum:g} "
                         f"{limit.unit}")
        if limit.maximum is not None:
            parts.append(f"{'<=' if limit.maximum_inclusive else '<'} "
                         f"{limit.maximum * 100:g} %" if percent else
                         f"{'<=' if limit.maximum_inclusive else '<'} {limit.maximum:g} "
                         f"{limit.unit}")
        return " and ".join(parts)

    def words(i: int) -> str:
        if missing[i]:
            return f"{label}{qualifier}: cannot be computed (limit {bound()})"
        verdict = "within" if status[i] == MET else "outside"
        return f"{label} {show(x[i])}{qualifier}: {verdict} the limit {bound()}"

    def missing_names(i: int) -> list[str]:
        if not missing[i]:
            return []
        names = _LIMIT_INPUTS.get(limit.quantity, ())
        out = [n for n in names if np.isnan(ctx.f.inputs[n][i])]
        return out or list(names)

    return _Leaf(status, words, missing_names)


def _leaf_attest(node: Attest, ctx: _Context) -> _Leaf:
    f = ctx.f
    key = f"{ctx.protocol.code}:{ctx.criterion}"
    x = f.attestations.get(key, f.attestations.get(ctx.criterion))
    if x is None:
        x = np.full(f.n, np.nan)
    status = np.where(x == 1.0, MET, NOT_MET).astype(np.int8)
    status[np.isnan(x)] = ATTEST

    def words(i: int) -> str:
        if np.isnan(x[i]):
            return f"Investigator to attest: {node.attest}"
        return f"Investigator attests: {node.attest}: {'yes' if x[i] == 1.0 else 'no'}"

    return _Leaf(status, words)


_LEAVES: dict[type, Callable[[Any, _Context], _Leaf]] = {
    Compare: _leaf_compare, Member: _leaf_member, Flag: _leaf_flag, DateWindow: _leaf_date,
    LimitRef: _leaf_limit, Attest: _leaf_attest,
}


def _evaluate(rule: Rule, ctx: _Context, leaves: list[_Leaf] | None = None) -> np.ndarray:
    if isinstance(rule, AllOf):
        return _combine_all([_evaluate(r, ctx, leaves) for r in rule.items])
    if isinstance(rule, AnyOf):
        return _combine_any([_evaluate(r, ctx, leaves) for r in rule.items])
    if isinstance(rule, Not):
        return _negate(_evaluate(rule.item, ctx, leaves))
    leaf = _LEAVES[type(rule)](rule, ctx)
    if leaves is not None:
        leaves.append(leaf)
    return leaf.status


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CriterionResult:
    """One criterion's outcome for one candidate, with the reasons in words."""

    id: str
    kind: str
    outcome: str  # met / not met / unknown / needs attestation
    text: str
    explanation: list[str]
    missing: list[str]
    attestations: list[str]

    @property
    def fails(self) -> bool:
        """True when this criterion makes the candidate ineligible."""
        return (self.kind == "inclusion" and self.outcome == "not met") or (
            self.kind == "exclusion" and self.outcome == "met")


@dataclass(frozen=True)
class ScreeningResult:
    """One candidate against one protocol."""

    candidate_id: str
    protocol: str
    status: str  # eligible / ineligible / incomplete
    failing: list[str]
    missing: dict[str, list[str]]
    attestations: list[str]
    criteria: list[CriterionResult]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (e.g. for a screening record's per-criterion results)."""
        return {
            "candidate_id": self.candidate_id,
            "protocol": self.protocol,
            "status": self.status,
            "failing": list(self.failing),
            "missing": {k: list(v) for k, v in self.missing.items()},
            "attestations": list(self.attestations),
            "criteria": [
                {"id": c.id, "kind": c.kind, "outcome": c.outcome,
                 "explanation": list(c.explanation), "missing": list(c.missing)}
                for c in self.criteria
            ],
        }

    def summary(self) -> str:
        if self.status == "eligible":
            return "eligible"
        if self.status == "ineligible":
            return "ineligible: " + ", ".join(self.failing)
        parts = []
        if self.missing:
            names = sorted({m for ms in self.missing.values() for m in ms})
            parts.append("missing " + ", ".join(names))
        if self.attestations:
            parts.append("to attest " + ", ".join(self.attestations))
        return "incomplete: " + "; ".join(parts)


STATUS_NAMES = ("eligible", "ineligible", "incomplete")


@dataclass
class BatchResult:
    """Outcome codes of every criterion for every candidate of a batch, for one protocol."""

    protocol: Protocol
    facts: Facts
    criterion_ids: list[str]
    kinds: np.ndarray  # True for inclusion
    codes: np.ndarray  # (n candidates, k criteria) int8: 1 met, 0 not met, -1 unknown, -2 attest
    status: np.ndarray  # object array of STATUS_NAMES

    @property
    def ids(self) -> np.ndarray:
        return self.facts.ids

    def failing_mask(self) -> np.ndarray:
        inc = self.kinds[None, :]
        return (inc & (self.codes == NOT_MET)) | (~inc & (self.codes == MET))

    def result(self, i: int) -> ScreeningResult:
        """The full result of candidate ``i``, every criterion explained."""
        return _explain(self.protocol, self.facts, int(i))

    def to_frame(self, explain: bool = False) -> pd.DataFrame:
        """One row per candidate: status and the failing / missing / to-attest criteria."""
        fail = self.failing_mask()
        unknown = self.codes == UNKNOWN
        attest = self.codes == ATTEST
        cids = np.array(self.criterion_ids, dtype=object)

        def joined(mask: np.ndarray) -> list[str]:
            return [";".join(cids[row]) for row in mask]

        frame = pd.DataFrame({
            "candidate_id": self.ids,
            "protocol": self.protocol.code,
            "status": self.status,
            "failing": joined(fail),
            "unknown": joined(unknown),
            "to_attest": joined(attest),
        })
        if explain:
            for j, cid in enumerate(self.criterion_ids):
                frame[cid] = [OUTCOME_NAMES[int(c)] for c in self.codes[:, j]]
        return frame


def _overall(codes: np.ndarray, inclusion: np.ndarray) -> np.ndarray:
    inc = inclusion[None, :]
    fail = ((inc & (codes == NOT_MET)) | (~inc & (codes == MET))).any(axis=1)
    pending = ((codes == UNKNOWN) | (codes == ATTEST)).any(axis=1)
    out = np.full(codes.shape[0], "eligible", dtype=object)
    out[pending] = "incomplete"
    out[fail] = "ineligible"
    return out


def _rules(protocol: Protocol) -> None:
    for c in protocol.eligibility:
        if c.rule is None:
            raise ProtocolError(f"{protocol.code}: eligibility criterion {c.id} has no rule")


def screen_frame(protocol: Protocol, candidates: pd.DataFrame | Facts) -> BatchResult:
    """Screen a batch (flat table or already derived :class:`Facts`) against ``protocol``."""
    _rules(protocol)
    facts = candidates if isinstance(candidates, Facts) else facts_frame(candidates)
    ctx = _Context(facts, protocol)
    k = len(protocol.eligibility)
    codes = np.empty((facts.n, k), dtype=np.int8)
    for j, c in enumerate(protocol.eligibility):
        ctx.criterion = c.id
        codes[:, j] = _evaluate(c.rule, ctx)  # type: ignore[arg-type]
    inclusion = np.array([c.kind == "inclusion" for c in protocol.eligibility], dtype=bool)
    return BatchResult(protocol, facts, [c.id for c in protocol.eligibility], inclusion, codes,
                       _overall(codes, inclusion))


def screen_all(protocols: Sequence[Protocol], candidates: pd.DataFrame | Facts
               ) -> dict[str, BatchResult]:
    """Screen one batch against several protocols (facts derived once)."""
    facts = candidates if isinstance(candidates, Facts) else facts_frame(candidates)
    return {p.code: screen_frame(p, facts) for p in protocols}


def screen(protocol: Protocol, candidate: ScreeningInput | dict[str, Any]) -> ScreeningResult:
    """Screen one candidate (JSON-shaped dict or :class:`ScreeningInput`), explained."""
    if not isinstance(candidate, ScreeningInput):
        candidate = ScreeningInput.parse(candidate)
    facts = facts_frame(pd.DataFrame([candidate.to_row()]))
    _rules(protocol)
    return _explain(protocol, facts, 0)


def _explain(protocol: Protocol, facts: Facts, i: int) -> ScreeningResult:
    one = facts.take(np.array([i])) if facts.n != 1 else facts
    ctx = _Context(one, protocol)
    results: list[CriterionResult] = []
    for c in protocol.eligibility:
        ctx.criterion = c.id
        leaves: list[_Leaf] = []
        code = int(_evaluate(c.rule, ctx, leaves)[0])  # type: ignore[arg-type]
        missing: list[str] = []
        attest: list[str] = []
        for leaf in leaves:
            if leaf.status[0] == UNKNOWN:
                missing += [m for m in leaf.missing(0) if m not in missing]
            if leaf.status[0] == ATTEST:
                attest.append(leaf.words(0))
        results.append(CriterionResult(
            id=c.id, kind=c.kind, outcome=OUTCOME_NAMES[code], text=c.text,
            explanation=[leaf.words(0) for leaf in leaves],
            missing=missing if code == UNKNOWN else [],
            attestations=attest if code == ATTEST else []))
    inclusion = np.array([c.kind == "inclusion" for c in protocol.eligibility], dtype=bool)
    codes = np.array([[{"met": 1, "not met": 0, "unknown": -1, "needs attestation": -2}[
        r.outcome] for r in results]], dtype=np.int8)
    status = str(_overall(codes, inclusion)[0])
    return ScreeningResult(
        candidate_id=str(one.ids[0]), protocol=protocol.code, status=status,
        failing=[r.id for r in results if r.fails],
        missing={r.id: r.missing for r in results if r.outcome == "unknown"},
        attestations=[r.id for r in results if r.outcome == "needs attestation"],
        criteria=results)

