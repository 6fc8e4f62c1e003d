"""The CTCAE grading kernel: rows of one term or analyte graded as NumPy arrays.

Both :func:`~hccrt.clinical.ctcae.grade_lab` (one value) and
:func:`~hccrt.clinical.ctcae.grade_lab_table` (a table) grade through :func:`_grade_analyte`,
so a value gets the same grade either way. Conventions: see :mod:`hccrt.clinical.ctcae`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hccrt.clinical.ctcae.terms import TERMS, CtcaeTerm

_REL_TOL = 1e-12

# reason codes for "not gradable" (index 0 means graded)
NOT_GRADABLE_REASONS: tuple[str, ...] = (
    "",
    "value missing",
    "unit missing or not convertible for this test",
    "ULN missing",
    "LLN missing",
    "baseline missing (baseline abnormal: grading is relative to baseline)",
    "baseline missing (on anticoagulation: INR grading is relative to baseline)",
    "test not graded by CTCAE lab grading in hccrt",
)
_R_OK, _R_VALUE, _R_UNIT, _R_ULN, _R_LLN, _R_BASE, _R_BASE_AC, _R_TEST = range(8)


def _gt(v: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    return v > t + _REL_TOL * np.abs(t)


def _lt(v: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    return v < t - _REL_TOL * np.abs(t)


def _ge(v: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    return v >= t - _REL_TOL * np.abs(t)


@dataclass
class _Inputs:
    """Arrays of one term's rows, all in the analyte's canonical unit; NaN = missing."""

    value: np.ndarray
    uln: np.ndarray
    lln: np.ndarray
    baseline: np.ndarray
    baseline_abnormal: np.ndarray  # 1.0 / 0.0 / NaN (unknown)
    anticoagulated: np.ndarray  # bool
    symptomatic: np.ndarray  # bool
    life_threatening: np.ndarray  # bool
    fatal: np.ndarray  # bool


def _grade_term(
    term: CtcaeTerm, x: _Inputs, grading_unit: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Grade rows for one term: (grade as float with NaN = not gradable, reason code).

    Values are in the analyte's canonical unit, or in ``grading_unit`` when the term has
    NCI cut-offs of its own for that unit (:attr:`CtcaeTerm.unit_cuts`).
    """
    cuts = term.unit_cuts[grading_unit] if grading_unit else term.cuts
    v = x.value
    n = v.shape[0]
    grade = np.zeros(n)
    reason = np.zeros(n, dtype=np.int8)
    kind = term.kind

    if kind == "uln_baseline":
        flag_known = ~np.isnan(x.baseline_abnormal)
        has_base = ~np.isnan(x.baseline)
        has_uln = ~np.isnan(x.uln)
        derived = has_base & has_uln & _gt(x.baseline, x.uln)
        abnormal = np.where(flag_known, x.baseline_abnormal == 1.0, derived)
        # unknown flag with a baseline but no ULN: cannot tell which criteria apply
        reason[~abnormal & ~has_uln] = _R_ULN
        reason[abnormal & ~has_base] = _R_BASE
        ref = np.where(abnormal, x.baseline, x.uln)
        mult_n, mult_b = term.cuts, term.baseline_cuts
        g1_b = _ge(v, mult_b[0] * ref) if term.baseline_g1_inclusive else _gt(v, mult_b[0] * ref)
        g1 = np.where(abnormal, g1_b, _gt(v, mult_n[0] * ref))
        grade[g1] = 1
        for k in range(1, 4):
            m = np.where(abnormal, mult_b[k], mult_n[k])
            grade[_gt(v, m * ref)] = k + 1
    elif kind == "abs_low":
        for k, cut in enumerate(cuts, start=2):
            grade[_lt(v, cut)] = k
        at0 = grade == 0
        reason[at0 & np.isnan(x.lln)] = _R_LLN
        grade[at0 & _lt(v, x.lln)] = 1
    elif kind == "abs_high":
        for k, cut in enumerate(cuts, start=2):
            grade[_gt(v, cut)] = k
        at0 = grade == 0
        reason[at0 & np.isnan(x.uln)] = _R_ULN
        grade[at0 & _gt(v, x.uln)] = 1
    elif kind == "hypo_na":
        c130, c125, c120 = cuts
        band = _lt(v, c130)
        grade[band] = np.where(x.symptomatic[band], 3, 2)
        grade[_lt(v, c125)] = 3
        grade[_lt(v, c120)] = 4
        at0 = grade == 0
        reason[at0 & np.isnan(x.lln)] = _R_LLN
        grade[at0 & _lt(v, x.lln)] = 1
    elif kind == "hypo_k":
        c30, c25 = cuts
        grade[_lt(v, c30)] = 3
        grade[_lt(v, c25)] = 4
        at0 = grade == 0
        reason[at0 & np.isnan(x.lln)] = _R_LLN
        below = at0 & _lt(v, x.lln)
        grade[below] = np.where(x.symptomatic[below], 2, 1)
    elif kind == "creatinine":
        reason[np.isnan(x.uln)] = _R_ULN
        for k, m in enumerate(term.cuts, start=1):
            grade[_gt(v, m * x.uln)] = k
        for k, m in enumerate(term.baseline_cuts, start=2):
            hit = _gt(v, m * x.baseline) & (grade < k)
            grade[hit] = k
    elif kind == "inr":
        # NCI: absolute cut-offs; for anticoagulated patients the "x baseline" alternative
        # applies as well (a semicolon means "or"), so the worse of the two is taken
        for k, cut in enumerate(cuts, start=1):
            grade[_gt(v, cut)] = k
        ac = x.anticoagulated
        for k, m in enumerate(term.baseline_cuts, start=1):
            grade[ac & _gt(v, m * x.baseline) & (grade < k)] = k
        # without a baseline the x-baseline alternative could give a higher grade
        reason[ac & np.isnan(x.baseline) & (grade < 3)] = _R_BASE_AC
    else:  # pragma: no cover - TERMS is closed
        raise AssertionError(kind)

    if term.clinical_g4:
        grade[x.life_threatening & (grade >= 1) & (grade < 4)] = 4
    if term.has_g5:
        grade[x.fatal & (grade >= 1)] = 5
    reason[np.isnan(v)] = _R_VALUE
    grade[reason != _R_OK] = np.nan
    return grade, reason


def _grade_analyte(
    term_keys: tuple[str, ...], x: _Inputs, grading_unit: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grade rows of one analyte; returns (grade, reason, index into term_keys or -1 = both)."""
    if len(term_keys) == 1:
        g, r = _grade_term(TERMS[term_keys[0]], x, grading_unit)
        return g, r, np.zeros(g.shape[0], dtype=np.int8)
    g_lo, r_lo = _grade_term(TERMS[term_keys[0]], x)
    g_hi, r_hi = _grade_term(TERMS[term_keys[1]], x)
    lo_hit = g_lo >= 1
    hi_hit = g_hi >= 1
    which = np.full(g_lo.shape[0], -1, dtype=np.int8)
    which[lo_hit] = 0
    which[hi_hit] = 1
    grade = np.where(hi_hit, g_hi, np.where(lo_hit, g_lo, 0.0))
    reason = np.zeros(g_lo.shape[0], dtype=np.int8)
    neither = ~lo_hit & ~hi_hit
    # neither direction abnormal: not gradable if either direction could not be decided
    r_nd = np.where(r_hi != _R_OK, r_hi, r_lo)
    undecided = neither & (r_nd != _R_OK)
    reason[undecided] = r_nd[undecided]
    which[undecided & (r_hi != _R_OK)] = 1
    which[undecided & (r_hi == _R_OK)] = 0
    grade[undecided] = np.nan
    return grade, reason, which
