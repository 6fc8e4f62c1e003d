"""CTCAE v5.0 grading of laboratory values, per value and vectorized over tables.

Authority: National Cancer Institute, *Common Terminology Criteria for Adverse Events (CTCAE)
version 5.0*, 27 November 2017 (US DHHS/NIH/NCI). The grade texts kept in :data:`TERMS` are
the NCI cells as machine-readably transcribed by the pharmaverse ``admiral`` project
(``atoxgr_criteria_ctcv5``, admiral 1.5.0.9003); admiral's grading code was used as a
cross-check, and where it departs from the NCI text the NCI text is followed (listed below).

Terms graded (NCI term, analyte, direction)
-------------------------------------------
Blood bilirubin increased, Aspartate/Alanine aminotransferase increased, Alkaline phosphatase
increased, GGT increased (x ULN, or x baseline when the baseline was abnormal); Creatinine
increased (x ULN and x baseline); INR increased (absolute, and x baseline if on
anticoagulation); Hypoalbuminemia, Anemia, Platelet / Neutrophil / White blood cell /
Lymphocyte count decreased (absolute cut-offs, grade 1 from the LLN); Hyponatremia,
Hypernatremia, Hypokalemia, Hyperkalemia.

Conventions (NCI wording, and how it is read)
---------------------------------------------
- A range ``>A - B`` means strictly above A and at most B; ``<A - B`` means strictly below A
  and at least B. A value exactly on a cut-off therefore takes the milder grade (e.g. ALT
  exactly 3.0 x ULN is grade 1). A range written without ``>`` (``1.5 - 3.0 x baseline``)
  includes its lower bound.
- Comparisons allow a relative tolerance of 1e-12 so that floating-point noise from unit
  conversion (1.5 mg/dL x 17.1) cannot move a value across a cut-off (admiral does the same
  with ``signif(x, 15)``).
- Values are converted to the SI unit of :data:`hccrt.units.CANONICAL_UNIT` before grading;
  the absolute cut-offs are the NCI SI figures (g/L, 10^9/L, mmol/L). ULN, LLN and baseline are
  in the record's unit.
- "Baseline abnormal" (liver enzymes, bilirubin) means baseline above ULN. It can be given
  explicitly (``baseline_abnormal``); otherwise it is derived as ``baseline > ULN``; with no
  baseline the baseline-normal (x ULN) criteria apply, as in admiral. When the baseline is
  abnormal the ULN is not used and a value above ULN can be grade 0.
- Grades are given only when they are certain from the data: a missing LLN/ULN/baseline gives
  "not gradable" (grade ``None`` with a reason) unless the value already reaches a grade that
  does not depend on the missing limit (platelets 74 x 10^9/L with no LLN is grade 2). A
  missing or unconvertible unit is "not gradable", never grade 0.
- CTCAE has no grade 0; grade 0 here means "gradable and within no grade's criteria".

Clinical context (explicit inputs and their defaults)
-----------------------------------------------------
- ``anticoagulated`` (default ``False``): INR is graded on the absolute cut-offs (>1.2, >1.5,
  >2.5). NCI adds the alternative ">1 - 1.5 / >1.5 - 2.5 / >2.5 x baseline if on
  anticoagulation"; for an anticoagulated patient both alternatives apply (NCI CTCAE v5.0
  introduction: "a semi-colon indicates 'or' within the description of the grade") and the
  worse grade is taken, which needs the baseline. Most HCC trial patients are not
  anticoagulated; admiral always assumes anticoagulation (worst case).
- ``symptomatic`` (default ``False``): hyponatremia 125-129 mmol/L is grade 2 when
  asymptomatic and 3 when symptomatic; hypokalemia <LLN-3.0 is grade 1, and grade 2 when
  "symptomatic with <LLN - 3.0 mmol/L; intervention indicated" (pass ``True`` when either
  applies). Default: lab-only (asymptomatic) reading. admiral assumes symptomatic (worst
  case); pass ``True`` for that reading.
- ``life_threatening`` (default ``False``) raises an abnormal value (grade >= 1) to grade 4 for
  the terms whose NCI grade 4 is "life-threatening consequences" (anemia, hypoalbuminemia,
  sodium and potassium terms). ``fatal`` (default ``False``) gives grade 5 (death) for the
  same terms; grade 5 is never derived from a lab value. Both are ignored for terms without
  such grades (the liver enzymes, bilirubin, creatinine, INR, blood counts).
- Transfusion ("anemia grade 3: transfusion indicated") and intervention/hospitalisation
  qualifiers of the electrolyte terms are not inputs: the lab-value criteria decide.

Departures from admiral's implementation (the NCI text is followed)
-------------------------------------------------------------------
1. GGT, baseline abnormal: NCI "2.0 - 2.5 x baseline" includes 2.0 x baseline (grade 1);
   admiral uses ``> 2*BASE`` for GGT (but ``>=`` for ALP).
2. Hyponatremia: NCI grade 2/3 is "125-129 mmol/L" and grade 1 "<LLN - 130"; a non-integer
   value such as 129.5 is read as within the 125-<130 band (grade 2 or 3), since it is below
   130. admiral grades 129.5 as 1 (it tests ``<= 129``).
3. Creatinine with ULN missing: not gradable (the ULN criteria can give a higher grade than
   the baseline criteria); admiral returns the baseline-based grade.
4. INR: the x-baseline alternative applies only when ``anticoagulated`` is set (admiral:
   always). Anticoagulated with the baseline missing is not gradable unless the absolute value
   is already grade 3 (admiral grades from the absolute cut-offs, e.g. 1.6 -> 2, although the
   baseline alternative could give 3).
5. Electrolyte symptom default (asymptomatic) as above; admiral assumes symptomatic.
6. Baseline flagged abnormal but baseline value missing: not gradable; admiral gives grade 0.
   Baseline abnormal with ULN missing: graded on the baseline (the ULN is not used then);
   admiral requires the ULN.
7. Anaemia reported in mmol/L is graded with NCI's own mmol/L cut-offs (<6.2, <4.9 mmol/L)
   rather than by converting to g/L: NCI's mmol/L figures are rounded (6.2 mmol/L is
   99.9 g/L at 0.6206 mmol/L per g/dL), so converting would grade 6.2 mmol/L as 2 where NCI
   says 1. admiral grades haemoglobin only in g/L (SI) or g/dL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from hccrt.errors import InputError, UnitError
from hccrt.units import CANONICAL_UNIT, Quantity, convert, normalize_unit, parse_quantity

__all__ = [
    "NOT_GRADABLE_REASONS",
    "TERMS",
    "TEST_ALIASES",
    "CtcaeGrade",
    "CtcaeTerm",
    "grade_lab",
    "grade_lab_table",
    "resolve_test",
]

Direction = Literal["high", "low"]
Kind = Literal["uln_baseline", "abs_low", "abs_high", "creatinine", "inr", "hypo_na", "hypo_k"]

_REL_TOL = 1e-12


@dataclass(frozen=True)
class CtcaeTerm:
    """One CTCAE v5.0 laboratory term and the rule used to grade it.

    ``cuts``: for ``uln_baseline`` and ``creatinine`` the multiples of ULN that grades 1.. exceed;
    for ``abs_low``/``abs_high`` the absolute SI cut-offs of grades 2..; for ``inr`` the absolute
    cut-offs of grades 1..3; for ``hypo_na`` the cut-offs 130/125/120 mmol/L and for ``hypo_k``
    3.0/2.5 mmol/L. ``baseline_cuts``: multiples of baseline (grade 1.. for ``uln_baseline``
    and ``inr``; grades 2-3 for ``creatinine``). ``unit_cuts``: NCI cut-offs printed for a
    non-canonical unit, used instead of conversion when the value is in that unit (anaemia in
    mmol/L). ``clinical_g4``/``has_g5``: the term has a clinical grade 4 / a grade 5 (death).
    """

    key: str
    term: str
    analyte: str
    direction: Direction
    kind: Kind
    criteria: Mapping[int, str]
    cuts: tuple[float, ...] = ()
    baseline_cuts: tuple[float, ...] = ()
    baseline_g1_inclusive: bool = False
    clinical_g4: bool = False
    unit_cuts: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    has_g5: bool = False


def _t(
    key: str,
    term: str,
    analyte: str,
    direction: Direction,
    kind: Kind,
    g: tuple[str, str, str, str, str],
    **kw: Any,
) -> CtcaeTerm:
    criteria = {i + 1: text for i, text in enumerate(g) if text != "-"}
    return CtcaeTerm(key, term, analyte, direction, kind, criteria, **kw)


_ENZ = (
    ">ULN - 3.0 x ULN if baseline was normal; 1.5 - 3.0 x baseline if baseline was abnormal",
    ">3.0 - 5.0 x ULN if baseline was normal; >3.0 - 5.0 x baseline if baseline was abnormal",
    ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was abnormal",
    ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal",
    "-",
)
_ALP = (
    ">ULN - 2.5 x ULN if baseline was normal; 2.0 - 2.5 x baseline if baseline was abnormal",
    ">2.5 - 5.0 x ULN if baseline was normal; >2.5 - 5.0 x baseline if baseline was abnormal",
    ">5.0 - 20.0 x ULN if baseline was normal; >5.0 - 20.0 x baseline if baseline was abnormal",
    ">20.0 x ULN if baseline was normal; >20.0 x baseline if baseline was abnormal",
    "-",
)

TERMS: dict[str, CtcaeTerm] = {
    t.key: t
    for t in (
        _t(
            "bilirubin_increased",
            "Blood bilirubin increased",
            "bilirubin",
            "high",
            "uln_baseline",
            (
                ">ULN - 1.5 x ULN if baseline was normal; > 1.0 - 1.5 x baseline if baseline "
                "was abnormal",
                ">1.5 - 3.0 x ULN if baseline was normal; >1.5 - 3.0 x baseline if baseline "
                "was abnormal",
                ">3.0 - 10.0 x ULN if baseline was normal; >3.0 - 10.0 x baseline if baseline "
                "was abnormal",
                ">10.0 x ULN if baseline was normal; >10.0 x baseline if baseline was abnormal",
                "-",
            ),
            cuts=(1.0, 1.5, 3.0, 10.0),
            baseline_cuts=(1.0, 1.5, 3.0, 10.0),
            baseline_g1_inclusive=False,
        ),
        _t(
            "ast_increased",
            "Aspartate aminotransferase increased",
            "ast",
            "high",
            "uln_baseline",
            _ENZ,
            cuts=(1.0, 3.0, 5.0, 20.0),
            baseline_cuts=(1.5, 3.0, 5.0, 20.0),
            baseline_g1_inclusive=True,
        ),
        _t(
            "alt_increased",
            "Alanine aminotransferase increased",
            "alt",
            "high",
            "uln_baseline",
            _ENZ,
            cuts=(1.0, 3.0, 5.0, 20.0),
            baseline_cuts=(1.5, 3.0, 5.0, 20.0),
            baseline_g1_inclusive=True,
        ),
        _t(
            "alp_increased",
            "Alkaline phosphatase increased",
            "alp",
            "high",
            "uln_baseline",
            _ALP,
            cuts=(1.0, 2.5, 5.0, 20.0),
            baseline_cuts=(2.0, 2.5, 5.0, 20.0),
            baseline_g1_inclusive=True,
        ),
        _t(
            "ggt_increased",
            "GGT increased",
            "ggt",
            "high",
            "uln_baseline",
            _ALP,
            cuts=(1.0, 2.5, 5.0, 20.0),
            baseline_cuts=(2.0, 2.5, 5.0, 20.0),
            baseline_g1_inclusive=True,
        ),
        _t(
            "creatinine_increased",
            "Creatinine increased",
            "creatinine",
            "high",
            "creatinine",
            (
                ">ULN - 1.5 x ULN",
                ">1.5 - 3.0 x baseline; >1.5 - 3.0 x ULN",
                ">3.0 baseline; >3.0 - 6.0 x ULN",
                ">6.0 x ULN",
                "-",
            ),
            cuts=(1.0, 1.5, 3.0, 6.0),
            baseline_cuts=(1.5, 3.0),
        ),
        _t(
            "inr_increased",
            "INR increased",
            "inr",
            "high",
            "inr",
            (
                ">1.2 - 1.5; >1 - 1.5 x baseline if on anticoagulation; monitoring only indicated",
                ">1.5 - 2.5; >1.5 - 2.5 x baseline if on anticoagulation; dose adjustment "
                "indicated",
                ">2.5; >2.5 times above baseline if on anticoagulation",
                "-",
                "-",
            ),
            cuts=(1.2, 1.5, 2.5),
            baseline_cuts=(1.0, 1.5, 2.5),
        ),
        _t(
            "hypoalbuminemia",
            "Hypoalbuminemia",
            "albumin",
            "low",
            "abs_low",
            (
                "<LLN - 3 g/dL; <LLN - 30 g/L",
                "<3 - 2 g/dL; <30 - 20 g/L",
                "<2 g/dL; <20 g/L",
                "Life-threatening consequences; urgent intervention indicated",
                "Death",
            ),
            cuts=(30.0, 20.0),
            clinical_g4=True,
            has_g5=True,
        ),
        _t(
            "anemia",
            "Anemia",
            "hemoglobin",
            "low",
            "abs_low",
            (
                "Hemoglobin (Hgb) <LLN - 10.0 g/dL; <LLN - 6.2 mmol/L; <LLN - 100 g/L",
                "Hgb <10.0 - 8.0 g/dL; <6.2 - 4.9 mmol/L; <100 - 80g/L",
                "Hgb <8.0 g/dL; <4.9 mmol/L; <80 g/L; transfusion indicated",
                "Life-threatening consequences; urgent intervention indicated",
                "Death",
            ),
            cuts=(100.0, 80.0),
            unit_cuts={"mmol/L": (6.2, 4.9)},
            clinical_g4=True,
            has_g5=True,
        ),
        _t(
            "platelet_count_decreased",
            "Platelet count decreased",
            "platelets",
            "low",
            "abs_low",
            (
                "<LLN - 75,000/mm3; <LLN - 75.0 x 10e9 /L",
                "<75,000 - 50,000/mm3; <75.0 - 50.0 x 10e9 /L",
                "<50,000 - 25,000/mm3; <50.0 - 25.0 x 10e9 /L",
                "<25,000/mm3; <25.0 x 10e9 /L",
                "-",
            ),
            cuts=(75.0, 50.0, 25.0),
        ),
        _t(
            "neutrophil_count_decreased",
            "Neutrophil count decreased",
            "neutrophils",
            "low",
            "abs_low",
            (
                "<LLN - 1500/mm3; <LLN - 1.5 x 10e9 /L",
                "<1500 - 1000/mm3; <1.5 - 1.0 x 10e9 /L",
                "<1000 - 500/mm3; <1.0 - 0.5 x 10e9 /L",
                "<500/mm3; <0.5 x 10e9 /L",
                "-",
            ),
            cuts=(1.5, 1.0, 0.5),
        ),
        _t(
            "white_blood_cell_decreased",
            "White blood cell decreased",
            "wbc",
            "low",
            "abs_low",
            (
                "<LLN - 3000/mm3; <LLN - 3.0 x 10e9 /L",
                "<3000 - 2000/mm3; <3.0 - 2.0 x 10e9 /L",
                "<2000 - 1000/mm3; <2.0 - 1.0 x 10e9 /L",
                "<1000/mm3; <1.0 x 10e9 /L",
                "-",
            ),
            cuts=(3.0, 2.0, 1.0),
        ),
        _t(
            "lymphocyte_count_decreased",
            "Lymphocyte count decreased",
            "lymphocytes",
            "low",
            "abs_low",
            (
                "<LLN - 800/mm3; <LLN - 0.8 x 10e9/L",
                "<800 - 500/mm3; <0.8 - 0.5 x 10e9 /L",
                "<500 - 200/mm3; <0.5 - 0.2 x 10e9 /L",
                "<200/mm3; <0.2 x 10e9 /L",
                "-",
            ),
            cuts=(0.8, 0.5, 0.2),
        ),
        _t(
            "hyponatremia",
            "Hyponatremia",
            "sodium",
            "low",
            "hypo_na",
            (
                "<LLN - 130 mmol/L",
                "125-129 mmol/L and asymptomatic",
                "125-129 mmol/L symptomatic; 120-124 mmol/L regardless of symptoms",
                "<120 mmol/L; life-threatening consequences",
                "Death",
            ),
            cuts=(130.0, 125.0, 120.0),
            clinical_g4=True,
            has_g5=True,
        ),
        _t(
            "hypernatremia",
            "Hypernatremia",
            "sodium",
            "high",
            "abs_high",
            (
                ">ULN - 150 mmol/L",
                ">150 - 155 mmol/L; intervention initiated",
                ">155 - 160 mmol/L; hospitalization indicated",
                ">160 mmol/L; life-threatening consequences",
                "Death",
            ),
            cuts=(150.0, 155.0, 160.0),
            clinical_g4=True,
            has_g5=True,
        ),
        _t(
            "hypokalemia",
            "Hypokalemia",
            "potassium",
            "low",
            "hypo_k",
            (
                "<LLN - 3.0 mmol/L",
                "Symptomatic with <LLN - 3.0 mmol/L; intervention indicated",
                "<3.0 - 2.5 mmol/L; hospitalization indicated",
                "<2.5 mmol/L; life-threatening consequences",
                "Death",
            ),
            cuts=(3.0, 2.5),
            clinical_g4=True,
            has_g5=True,
        ),
        _t(
            "hyperkalemia",
            "Hyperkalemia",
            "potassium",
            "high",
            "abs_high",
            (
                ">ULN - 5.5 mmol/L",
                ">5.5 - 6.0 mmol/L; intervention initiated",
                ">6.0 - 7.0 mmol/L; hospitalization indicated",
                ">7.0 mmol/L; life-threatening consequences",
                "Death",
            ),
            cuts=(5.5, 6.0, 7.0),
            clinical_g4=True,
            has_g5=True,
        ),
    )
}

# analyte -> term keys (one, or (low, high) for sodium and potassium)
_ANALYTE_TERMS: dict[str, tuple[str, ...]] = {}
for _term in TERMS.values():
    _ANALYTE_TERMS.setdefault(_term.analyte, ())
    _ANALYTE_TERMS[_term.analyte] = (*_ANALYTE_TERMS[_term.analyte], _term.key)


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


# test names (SDTM LBTESTCD / LBTEST spellings, common abbreviations) -> analyte or term key
TEST_ALIASES: dict[str, str] = {}
for _names, _target in (
    (("BILI", "bilirubin", "total bilirubin", "blood bilirubin", "TBIL", "TBILI"), "bilirubin"),
    (("AST", "SGOT", "aspartate aminotransferase"), "ast"),
    (("ALT", "SGPT", "alanine aminotransferase"), "alt"),
    (("ALP", "ALKPH", "alkaline phosphatase"), "alp"),
    (("GGT", "gamma glutamyl transferase", "gamma-GT", "GGTP"), "ggt"),
    (("ALB", "albumin"), "albumin"),
    (("HGB", "Hb", "hemoglobin", "haemoglobin"), "hemoglobin"),
    (("PLAT", "PLT", "platelets", "platelet count"), "platelets"),
    (
        ("NEUT", "ANC", "neutrophils", "neutrophil count", "absolute neutrophil count"),
        "neutrophils",
    ),
    (("WBC", "leukocytes", "white blood cells", "white blood cell count"), "wbc"),
    (("LYM", "LYMPH", "lymphocytes", "lymphocyte count"), "lymphocytes"),
    (("CREAT", "creatinine"), "creatinine"),
    (("INR", "PT INR", "prothrombin INR"), "inr"),
    (("SODIUM", "Na", "natrium"), "sodium"),
    (("K", "POTAS", "POTASSIUM", "kalium"), "potassium"),
):
    for _name in _names:
        TEST_ALIASES[_key(_name)] = _target
for _term in TERMS.values():
    TEST_ALIASES[_key(_term.key)] = _term.key
    TEST_ALIASES[_key(_term.term)] = _term.key

_ALLOWED_TESTS = "a CTCAE lab term or test: " + ", ".join(
    (
        *("BILI", "AST", "ALT", "ALP", "GGT", "ALB", "HGB", "PLAT", "NEUT", "WBC", "LYM"),
        *("CREAT", "INR", "SODIUM", "K", "or a term name such as 'hyponatremia'"),
    )
)

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


def resolve_test(test: str, field: str = "test") -> tuple[str, ...]:
    """Return the term keys graded for a test name (two for sodium and potassium).

    Accepts SDTM test codes (``ALT``, ``BILI``, ``PLAT``...), common names
    (``"total bilirubin"``), CTCAE term names (``"Hyponatremia"``) and term keys. Raises
    :class:`InputError` for anything else.
    """
    if not isinstance(test, str) or not test.strip():
        raise InputError(field, test, _ALLOWED_TESTS)
    target = TEST_ALIASES.get(_key(test))
    if target is None:
        raise InputError(field, test, _ALLOWED_TESTS)
    if target in TERMS:
        return (target,)
    return _ANALYTE_TERMS[target]


# --------------------------------------------------------------------------- kernel


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


# --------------------------------------------------------------------------- scalar API


@dataclass(frozen=True)
class CtcaeGrade:
    """Result of grading one lab value.

    ``grade`` is 0-5, or ``None`` when not gradable (then ``reason`` says why). ``term`` is the
    NCI CTCAE v5.0 term graded; ``direction`` ``"high"`` or ``"low"`` (``None`` when a
    two-sided analyte such as sodium is normal); ``criterion`` the NCI text of the grade given
    (empty for grade 0 and when not gradable).
    """

    term: str
    grade: int | None
    direction: Direction | None
    reason: str
    criterion: str

    @property
    def gradable(self) -> bool:
        return self.grade is not None


def _number(value: Any, field: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(field, value, "a number, a Quantity or a string such as '40 U/L'")
    x = float(value)
    if math.isnan(x):
        return x
    if not math.isfinite(x) or x < 0 or (positive and x == 0):
        raise InputError(field, value, "a finite number > 0" if positive else ">= 0")
    return x


def _parse(value: Any, field: str) -> tuple[Any, bool]:
    """Parse a string quantity; an unknown unit is reported (not raised): not gradable."""
    if isinstance(value, str):
        try:
            return parse_quantity(value, field), True
        except UnitError:
            return None, False
    return value, True


def _to_unit(
    value: Any, unit: str | None, analyte: str, target: str, field: str, *, positive: bool = False
) -> tuple[float, bool]:
    """Return (value in ``target`` unit or NaN, unit_ok)."""
    value, ok = _parse(value, field)
    if not ok:
        return math.nan, False
    if value is None:
        return math.nan, True
    if isinstance(value, Quantity):
        number, from_unit = _number(value.value, field, positive=positive), value.unit
    else:
        number, from_unit = _number(value, field, positive=positive), unit
    if math.isnan(number):
        return number, True
    if from_unit is None:
        if target == "1":
            return number, True
        return math.nan, False
    try:
        return float(convert(number, from_unit, target, analyte=analyte, field=field)), True
    except UnitError:
        return math.nan, False


def _flag(value: Any, field: str) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise InputError(field, value, "True or False")


def grade_lab(
    test: str,
    value: float | str | Quantity | None,
    unit: str | None = None,
    *,
    uln: float | str | Quantity | None = None,
    lln: float | str | Quantity | None = None,
    baseline: float | str | Quantity | None = None,
    baseline_abnormal: bool | None = None,
    direction: Direction | None = None,
    anticoagulated: bool = False,
    symptomatic: bool = False,
    life_threatening: bool = False,
    fatal: bool = False,
) -> CtcaeGrade:
    """Grade one laboratory value with CTCAE v5.0.

    Parameters
    ----------
    test:
        Test code or name (``"ALT"``, ``"BILI"``, ``"PLAT"``, ``"sodium"``...) or CTCAE term
        (``"Hyponatremia"``); see :data:`TEST_ALIASES`.
    value:
        The result: a number in ``unit``, a :class:`~hccrt.units.Quantity` or a string such as
        ``"250 U/L"``. ``None`` gives "not gradable: value missing".
    unit:
        Unit of numeric ``value``/``uln``/``lln``/``baseline`` (not needed for INR).
    uln, lln, baseline:
        Upper/lower limit of normal and the participant's baseline value, as numbers in
        ``unit`` or as quantities/strings with their own unit; ``None`` when not available.
    baseline_abnormal:
        Whether the baseline was abnormal (above ULN) for the liver enzymes and bilirubin;
        ``None`` derives it from ``baseline > uln``.
    direction:
        ``"low"`` or ``"high"`` to grade only one side of sodium or potassium; by default
        both sides are graded and the abnormal one reported.
    anticoagulated, symptomatic, life_threatening, fatal:
        Clinical context; see the module docstring for their effect and defaults.

    Raises :class:`InputError` for an unknown test, a negative or non-numeric value or limit, a
    zero ULN/LLN or a malformed flag. A missing value, limit or baseline, or a missing or
    unconvertible unit, gives a :class:`CtcaeGrade` with ``grade=None`` and the reason.
    """
    keys = resolve_test(test)
    if direction is not None:
        if direction not in ("low", "high"):
            raise InputError("direction", direction, "'low', 'high' or None")
        keys = tuple(k for k in keys if TERMS[k].direction == direction)
        if not keys:
            raise InputError("direction", direction, f"the direction graded for {test!r}")
    term0 = TERMS[keys[0]]
    analyte = term0.analyte
    value, value_unit_ok = _parse(value, "value")
    if _is_nan(unit):
        unit = None  # a missing unit read from a table (NaN) is a missing unit
    if unit is None and isinstance(value, Quantity):
        unit = value.unit  # bare-number limits are in the value's unit
    if unit is not None:
        try:
            unit = normalize_unit(unit, "unit")
        except UnitError:
            unit = "?"  # unconvertible: not gradable below
    value_unit = value.unit if isinstance(value, Quantity) else unit
    # anaemia in mmol/L is graded with NCI's own mmol/L cut-offs (see module docstring)
    grading_unit = value_unit if len(keys) == 1 and value_unit in term0.unit_cuts else None
    target = grading_unit or CANONICAL_UNIT[analyte]
    if unit == "?" or not value_unit_ok:
        conv_ok = False
        v = uln_v = lln_v = base_v = math.nan
    else:
        v, ok_v = _to_unit(value, unit, analyte, target, "value")
        uln_v, ok_u = _to_unit(uln, unit, analyte, target, "uln", positive=True)
        lln_v, ok_l = _to_unit(lln, unit, analyte, target, "lln", positive=True)
        base_v, ok_b = _to_unit(baseline, unit, analyte, target, "baseline")
        conv_ok = ok_v and ok_u and ok_l and ok_b
    if not math.isnan(lln_v) and not math.isnan(uln_v) and lln_v > uln_v:
        raise InputError("lln", lln, f"<= ULN ({uln})")
    if baseline_abnormal is None:
        abn = math.nan
    else:
        abn = 1.0 if _flag(baseline_abnormal, "baseline_abnormal") else 0.0
    x = _Inputs(
        value=np.array([v]),
        uln=np.array([uln_v]),
        lln=np.array([lln_v]),
        baseline=np.array([base_v]),
        baseline_abnormal=np.array([abn]),
        anticoagulated=np.array([_flag(anticoagulated, "anticoagulated")]),
        symptomatic=np.array([_flag(symptomatic, "symptomatic")]),
        life_threatening=np.array([_flag(life_threatening, "life_threatening")]),
        fatal=np.array([_flag(fatal, "fatal")]),
    )
    term_name = " / ".join(TERMS[k].term for k in keys)
    if value_unit_ok and (value is None or (not isinstance(value, Quantity) and _is_nan(value))):
        return CtcaeGrade(term_name, None, None, NOT_GRADABLE_REASONS[_R_VALUE], "")
    if not conv_ok:
        return CtcaeGrade(term_name, None, None, NOT_GRADABLE_REASONS[_R_UNIT], "")
    grade, reason, which = _grade_analyte(keys, x, grading_unit)
    w = int(which[0])
    term = TERMS[keys[w]] if w >= 0 else None
    if reason[0] != _R_OK:
        name = term.term if term is not None else term_name
        return CtcaeGrade(name, None, None, NOT_GRADABLE_REASONS[int(reason[0])], "")
    g = int(grade[0])
    if term is None:
        return CtcaeGrade(term_name, 0, None, "within no grade's criteria", "")
    if g == 0:
        return CtcaeGrade(term.term, 0, term.direction, "within no grade's criteria", "")
    return CtcaeGrade(term.term, g, term.direction, "graded", term.criteria.get(g, ""))


def _is_nan(value: Any) -> bool:
    return isinstance(value, float | np.floating) and math.isnan(value)


# --------------------------------------------------------------------------- table API

_ROLES = (
    "test",
    "value",
    "unit",
    "lln",
    "uln",
    "baseline",
    "baseline_abnormal",
    "direction",
    "anticoagulated",
    "symptomatic",
    "life_threatening",
    "fatal",
)


def _numeric_column(df: pd.DataFrame, col: str, role: str, positive: bool) -> np.ndarray:
    series = df[col]
    if series.dtype == bool:
        raise InputError(col, "boolean column", "numbers (NaN or empty when missing)")
    arr = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(arr) & series.notna().to_numpy()
    lower_ok = (arr > 0) if positive else (arr >= 0)
    bad |= ~np.isnan(arr) & (~np.isfinite(arr) | ~lower_ok)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        allowed = "a finite number > 0" if positive else "a finite number >= 0"
        raise InputError(col, series.iloc[pos], allowed + " or empty", f"{role}, row {pos}")
    return arr


def _flag_column(df: pd.DataFrame, col: str | None, n: int, *, tristate: bool) -> np.ndarray:
    if col is None:
        return np.full(n, np.nan) if tristate else np.zeros(n, dtype=bool)
    series = df[col]
    allowed = "True/False, 1/0, Y/N" + (", HIGH/NORMAL/LOW" if tristate else "") + " or empty"
    if series.dtype == bool:
        arr = series.to_numpy(dtype=float)
    elif pd.api.types.is_numeric_dtype(series.dtype):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(arr) & (arr != 0.0) & (arr != 1.0)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise InputError(col, series.iloc[pos], allowed, f"row {pos}")
    else:
        mapping: dict[Any, float] = {True: 1.0, False: 0.0, "Y": 1.0, "N": 0.0}
        mapping |= {"y": 1.0, "n": 0.0, "TRUE": 1.0, "FALSE": 0.0, "True": 1.0, "False": 0.0}
        if tristate:
            mapping |= {"HIGH": 1.0, "NORMAL": 0.0, "LOW": 0.0}
        arr = series.map(mapping).to_numpy(dtype=float, na_value=np.nan)
        bad = np.isnan(arr) & series.notna().to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise InputError(col, series.iloc[pos], allowed, f"row {pos}")
    if tristate:
        return arr
    return arr == 1.0


def grade_lab_table(
    df: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Grade a table of lab results with CTCAE v5.0 (vectorized; one row per result).

    Column roles (default column name = role name; rename with ``columns``, e.g.
    ``{"test": "LBTESTCD", "value": "LBSTRESN", "unit": "LBSTRESU", "lln": "LBSTNRLO",
    "uln": "LBSTNRHI", "baseline": "BASE", "baseline_abnormal": "BNRIND"}``):

    - ``test`` and ``value`` are required; ``unit`` is required except for INR-only tables.
    - ``lln``, ``uln``, ``baseline`` are in the row's unit; empty = missing.
    - ``baseline_abnormal``: True/False, 1/0, Y/N or HIGH/NORMAL/LOW; empty = derive.
    - ``direction``: ``low``/``high``/empty (sodium, potassium).
    - ``anticoagulated``, ``symptomatic``, ``life_threatening``, ``fatal``: True/False, 1/0,
      Y/N; absent or empty = False. Their meaning is the same as in :func:`grade_lab`.

    Returns a DataFrame with the input's index and columns ``ctcae_term``, ``ctcae_grade``
    (nullable Int64; <NA> when not gradable), ``ctcae_direction`` and ``ctcae_reason``
    (empty when graded). Tests that are not CTCAE-graded here get ``<NA>`` with a reason; a
    missing or unconvertible unit gives ``<NA>`` with a reason. A negative, infinite or
    non-numeric value or limit raises :class:`InputError` naming the column and row.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError("df", type(df).__name__, "a pandas DataFrame")
    names = {role: role for role in _ROLES}
    if columns is not None:
        for role, col in columns.items():
            if role not in names:
                raise InputError("columns", role, "roles: " + ", ".join(_ROLES))
            names[role] = col
    present = {role: (col if col in df.columns else None) for role, col in names.items()}
    for role in ("test", "value"):
        if present[role] is None:
            raise InputError("columns", names[role], f"a column for the {role!r} role")
    n = len(df)

    test_codes, test_uniques = pd.factorize(df[present["test"]], use_na_sentinel=True)
    # analyte index per unique test (-1 when not graded)
    analytes = sorted(_ANALYTE_TERMS)
    uniq_analyte = np.full(len(test_uniques) + 1, -1, dtype=np.int16)
    uniq_term_override: dict[int, str] = {}
    for i, name in enumerate(test_uniques):
        target = TEST_ALIASES.get(_key(name)) if isinstance(name, str) else None
        if target is None:
            continue
        if target in TERMS:
            uniq_term_override[i] = target
            target = TERMS[target].analyte
        uniq_analyte[i] = analytes.index(target)
    row_analyte = uniq_analyte[test_codes]  # -1 sentinel maps to last (= -1)

    value = _numeric_column(df, present["value"], "value", positive=False)
    uln = _numeric_column(df, present["uln"], "uln", True) if present["uln"] else np.full(n, np.nan)
    lln = _numeric_column(df, present["lln"], "lln", True) if present["lln"] else np.full(n, np.nan)
    base = (
        _numeric_column(df, present["baseline"], "baseline", False)
        if present["baseline"]
        else np.full(n, np.nan)
    )
    inverted = ~np.isnan(lln) & ~np.isnan(uln) & (lln > uln)
    if inverted.any():
        pos = int(np.flatnonzero(inverted)[0])
        raise InputError(present["lln"], lln[pos], f"<= ULN ({uln[pos]})", f"row {pos}")

    # unit factor to the analyte's canonical unit, per (analyte, unit) pair
    factor = np.full(n, np.nan)
    if present["unit"] is not None:
        unit_codes, unit_uniques = pd.factorize(df[present["unit"]], use_na_sentinel=True)
    else:
        unit_codes, unit_uniques = np.full(n, -1, dtype=np.intp), pd.Index([])
    pair = (row_analyte.astype(np.int64) + 1) * (len(unit_uniques) + 1) + (unit_codes + 1)
    pair_uniques, pair_inverse = np.unique(pair, return_inverse=True)
    pair_factor = np.full(len(pair_uniques), np.nan)
    grading_units: list[str | None] = [None]  # index 0: canonical unit
    pair_grading = np.zeros(len(pair_uniques), dtype=np.int8)
    for j, p in enumerate(pair_uniques):
        a_idx, u_idx = divmod(int(p), len(unit_uniques) + 1)
        a_idx -= 1
        u_idx -= 1
        if a_idx < 0:
            continue
        analyte = analytes[a_idx]
        target = CANONICAL_UNIT[analyte]
        if u_idx < 0:
            pair_factor[j] = 1.0 if target == "1" else np.nan
            continue
        unit_text = unit_uniques[u_idx]
        if not isinstance(unit_text, str):
            continue
        try:
            canonical_unit = normalize_unit(unit_text)
            special = [TERMS[k].unit_cuts for k in _ANALYTE_TERMS[analyte] if TERMS[k].unit_cuts]
            if special and canonical_unit in special[0]:
                if canonical_unit not in grading_units:
                    grading_units.append(canonical_unit)
                pair_grading[j] = grading_units.index(canonical_unit)
                pair_factor[j] = 1.0
            else:
                pair_factor[j] = float(convert(1.0, unit_text, target, analyte=analyte))
        except UnitError:
            pair_factor[j] = np.nan
    factor = pair_factor[pair_inverse.reshape(-1)]
    row_grading = pair_grading[pair_inverse.reshape(-1)]

    direction = np.zeros(n, dtype=np.int8)  # 0 both, 1 low, 2 high
    if present["direction"] is not None:
        dser = df[present["direction"]]
        dmap = {"low": 1, "high": 2, "L": 1, "H": 2, "LOW": 1, "HIGH": 2}
        mapped = dser.map(dmap).to_numpy(dtype=float, na_value=np.nan)
        bad_dir = np.isnan(mapped) & dser.notna().to_numpy()
        if bad_dir.any():
            pos = int(np.flatnonzero(bad_dir)[0])
            raise InputError(present["direction"], dser.iloc[pos], "low/high or empty")
        direction = np.nan_to_num(mapped, nan=0.0).astype(np.int8)

    flags = {
        "baseline_abnormal": _flag_column(df, present["baseline_abnormal"], n, tristate=True),
        "anticoagulated": _flag_column(df, present["anticoagulated"], n, tristate=False),
        "symptomatic": _flag_column(df, present["symptomatic"], n, tristate=False),
        "life_threatening": _flag_column(df, present["life_threatening"], n, tristate=False),
        "fatal": _flag_column(df, present["fatal"], n, tristate=False),
    }

    # term labels: codes into term_labels
    term_labels: list[str] = []
    label_index: dict[str, int] = {}

    def label(text: str) -> int:
        if text not in label_index:
            label_index[text] = len(term_labels)
            term_labels.append(text)
        return label_index[text]

    out_grade = np.full(n, np.nan)
    out_reason = np.full(n, _R_TEST, dtype=np.int8)
    out_term = np.full(n, -1, dtype=np.int32)
    out_dir = np.zeros(n, dtype=np.int8)  # 0 none, 1 low, 2 high

    # term overrides (a row naming e.g. "hyponatremia") act as a direction choice
    override_dir = np.zeros(len(test_uniques) + 1, dtype=np.int8)
    for i, key in uniq_term_override.items():
        override_dir[i] = 1 if TERMS[key].direction == "low" else 2
    row_override = override_dir[test_codes]
    direction = np.where(row_override > 0, row_override, direction)

    # one pass per (analyte, direction choice, grading unit) group present in the table
    n_g = len(grading_units)
    group = (row_analyte.astype(np.int64) * 3 + direction) * n_g + row_grading
    graded_rows = row_analyte >= 0
    order = np.flatnonzero(graded_rows)
    order = order[np.argsort(group[order], kind="stable")]
    group_ids, starts = np.unique(group[order], return_index=True)
    bounds = [*starts.tolist(), order.size]
    for gi, gid in enumerate(group_ids.tolist()):
        rows = order[bounds[gi] : bounds[gi + 1]]
        a_idx, rest = divmod(gid, 3 * n_g)
        dcode, gcode = divmod(rest, n_g)
        analyte = analytes[a_idx]
        keys = _ANALYTE_TERMS[analyte]
        if dcode:
            want = "low" if dcode == 1 else "high"
            keys = tuple(k for k in keys if TERMS[k].direction == want)
        if not keys:
            raise InputError(
                present["direction"] or "direction",
                "low" if dcode == 1 else "high",
                f"the direction graded for {analyte}",
                f"row {int(rows[0])}",
            )
        f = factor[rows]
        unit_bad = np.isnan(f)
        x = _Inputs(
            value=value[rows] * f,
            uln=uln[rows] * f,
            lln=lln[rows] * f,
            baseline=base[rows] * f,
            baseline_abnormal=flags["baseline_abnormal"][rows],
            anticoagulated=flags["anticoagulated"][rows],
            symptomatic=flags["symptomatic"][rows],
            life_threatening=flags["life_threatening"][rows],
            fatal=flags["fatal"][rows],
        )
        grade, reason, which = _grade_analyte(keys, x, grading_units[gcode])
        value_missing = np.isnan(value[rows])
        reason = np.where(unit_bad & ~value_missing, _R_UNIT, reason).astype(np.int8)
        grade = np.where(reason == _R_OK, grade, np.nan)
        both_label = label(" / ".join(TERMS[k].term for k in keys))
        term_codes = np.full(rows.size, both_label, dtype=np.int32)
        dir_codes = np.zeros(rows.size, dtype=np.int8)
        for w, key in enumerate(keys):
            sel = which == w
            term_codes[sel] = label(TERMS[key].term)
            graded_abnormal = sel & (reason == _R_OK) & (grade >= 1)
            dir_codes[graded_abnormal] = 1 if TERMS[key].direction == "low" else 2
            if len(keys) == 1:
                dir_codes[sel & (reason == _R_OK)] = 1 if TERMS[key].direction == "low" else 2
        out_grade[rows] = grade
        out_reason[rows] = reason
        out_term[rows] = term_codes
        out_dir[rows] = dir_codes

    grade_series = pd.array(
        np.where(np.isnan(out_grade), 0, out_grade).astype(np.int64), dtype="Int64"
    )
    grade_series[np.isnan(out_grade)] = pd.NA
    result = pd.DataFrame(
        {
            "ctcae_term": pd.Categorical.from_codes(out_term, categories=term_labels or ["-"])
            if term_labels
            else pd.Categorical([None] * n),
            "ctcae_grade": grade_series,
            "ctcae_direction": pd.Categorical.from_codes(
                np.where(out_dir == 0, -1, out_dir - 1), categories=["low", "high"]
            ),
            "ctcae_reason": pd.Categorical.from_codes(
                out_reason.astype(np.int16), categories=list(NOT_GRADABLE_REASONS)
            ),
        },
        index=df.index,
    )
    return result
