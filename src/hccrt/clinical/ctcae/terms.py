"""The CTCAE v5.0 laboratory terms graded by hccrt: NCI texts, cut-offs and grading kind.

Conventions and sources: see :mod:`hccrt.clinical.ctcae`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["high", "low"]
Kind = Literal["uln_baseline", "abs_low", "abs_high", "creatinine", "inr", "hypo_na", "hypo_k"]


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
