"""Liver function scores: Child-Pugh, ALBI / mALBI, MELD, MELD-Na and MELD 3.0.

Every function accepts each laboratory value as a :class:`hccrt.units.Quantity`, a string
such as ``"1.2 mg/dL"`` or a bare number in the unit the published formula uses (named in
each parameter's description). Quantities in other units are converted with
:mod:`hccrt.units`; an unconvertible unit, a non-finite, non-positive or implausible value
raises :class:`hccrt.errors.InputError` naming the field.

Plausibility bounds (to catch unit mix-ups, not to define disease): bilirubin 0 < x <= 100
mg/dL, albumin 0.5 < x <= 10 g/dL (so an albumin in g/dL typed where g/L is expected, e.g.
3.5 "g/L", is refused), INR 0 < x <= 20, creatinine 0 < x <= 30 mg/dL, sodium 90-200 mmol/L.

Sources and variants
--------------------
- Child-Pugh: Pugh RNH et al., Br J Surg 1973;60:646-9 (modifying Child & Turcotte 1964), with
  INR in place of prothrombin-time prolongation as in current HCC guidelines (EASL 2018).
  Bands in mg/dL and g/dL: bilirubin <2 / 2-3 / >3; albumin >3.5 / 2.8-3.5 / <2.8; INR <1.7 /
  1.7-2.3 / >2.3. Values on a cut-off belong to the middle band. SI inputs are converted to
  mg/dL first (factor 17.1, so 34.2 umol/L is exactly 2.0 mg/dL); tables printing 34/50 umol/L
  differ by rounding, and this module deliberately uses the mg/dL definition.
- ALBI: Johnson PJ et al., J Clin Oncol 2015;33:550-8: ALBI = 0.66 log10(bilirubin umol/L)
  - 0.085 albumin (g/L). Grades: 1 if <= -2.60, 2 if > -2.60 and <= -1.39, 3 if > -1.39.
  The albumin coefficient is a parameter: -0.085 (default, the rounded value printed in the
  paper's abstract and figure) or -0.0852 (used by several calculators).
- mALBI: Hiraoka A et al., Liver Cancer 2017;6:204-15 (Liver Cancer 2017;6:325-36): grade 2 is
  split at ALBI -2.270 into 2a (lower) and 2b (higher). Papers differ on which side -2.270
  itself falls; the default puts it in 2b (2a: -2.60 < ALBI < -2.270; 2b: -2.270 <= ALBI <=
  -1.39), and ``malbi_cut_in`` switches it.
- MELD (UNOS/OPTN form used until January 2016; Kamath PS et al., Hepatology 2001;33:464-70;
  Wiesner R et al., Gastroenterology 2003;124:91-6): MELD(i) = 0.957 ln(Cr) + 0.378 ln(bili) +
  1.120 ln(INR) + 0.643 (mg/dL); bili, Cr and INR below 1.0 are set to 1.0; Cr is capped at
  4.0 and set to 4.0 after dialysis twice in the past 7 days or 24 h of CVVHD; MELD(i) is
  rounded to the tenth and multiplied by 10; the score is bounded 6-40.
- MELD-Na: ``variant="optn2016"`` (default; OPTN policy 2016-2023): Na bounded 125-137;
  if MELD > 11, MELD-Na = MELD + 1.32 (137 - Na) - 0.033 MELD (137 - Na), else MELD; rounded
  and capped at 40. ``variant="kim2008"`` is the original of Kim WR et al., NEJM
  2008;359:1018-26: MELD-Na = MELD - Na - 0.025 MELD (140 - Na) + 140, Na bounded 125-140.
- MELD 3.0: Kim WR et al., Gastroenterology 2021;161:1887-95 (OPTN policy 9.1.D since July
  2023): 1.33 (female) + 4.56 ln(bili) + 0.82 (137 - Na) - 0.24 (137 - Na) ln(bili) + 9.09
  ln(INR) + 11.14 ln(Cr) + 1.85 (3.5 - alb) - 1.83 (3.5 - alb) ln(Cr) + 6, with bili, Cr, INR
  floored at 1.0, Cr capped at 3.0 (dialysis sets 3.0), Na bounded 125-137, albumin bounded
  1.5-3.5 g/dL, rounded to an integer. Under OPTN policy candidates aged 12-17 receive the
  1.33 term whatever their sex (as in the CU Anschutz ``meld.sas`` macro, which transcribes
  the policy). The paper sets no upper cap; OPTN reports scores bounded 6-40. ``cap=40`` is
  the default (current allocation use); ``cap=None`` gives the paper's uncapped value.

Rounding is half away from zero (as the OPTN calculator and SAS ``round`` do), not Python's
half-to-even.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from hccrt.errors import InputError
from hccrt.units import Quantity, as_value, convert

__all__ = [
    "AlbiResult",
    "ChildPughResult",
    "albi",
    "albi_array",
    "albi_grade",
    "albi_grade_array",
    "ascites_points",
    "child_pugh",
    "child_pugh_class",
    "child_pugh_class_array",
    "child_pugh_points_array",
    "encephalopathy_points",
    "lab_value",
    "malbi_grade",
    "malbi_grade_array",
    "meld",
    "meld3",
    "meld3_array",
    "meld_array",
    "meld_na",
    "meld_na_array",
    "sex_is_female",
]

LabInput = Quantity | str | float | int

ASCITES = ("none", "slight", "moderate-severe")
ENCEPHALOPATHY = ("none", "grade 1-2", "grade 3-4")

_ASCITES_ALIASES = {
    "none": "none",
    "absent": "none",
    "no": "none",
    "0": "none",
    "slight": "slight",
    "mild": "slight",
    "controlled": "slight",
    "1": "slight",
    "moderate-severe": "moderate-severe",
    "moderate": "moderate-severe",
    "severe": "moderate-severe",
    "moderate/severe": "moderate-severe",
    "refractory": "moderate-severe",
    "2": "moderate-severe",
}
_ENCEPHALOPATHY_ALIASES = {
    "none": "none",
    "absent": "none",
    "no": "none",
    "0": "none",
    "grade 1-2": "grade 1-2",
    "1-2": "grade 1-2",
    "grade 1": "grade 1-2",
    "grade 2": "grade 1-2",
    "1": "grade 1-2",
    "2": "grade 1-2",
    "mild": "grade 1-2",
    "grade 3-4": "grade 3-4",
    "3-4": "grade 3-4",
    "grade 3": "grade 3-4",
    "grade 4": "grade 3-4",
    "3": "grade 3-4",
    "4": "grade 3-4",
    "severe": "grade 3-4",
}

_BOUNDS_CONVENTIONAL = {
    "bilirubin": (0.0, 100.0, "mg/dL"),
    "albumin": (0.5, 10.0, "g/dL"),
    "inr": (0.0, 20.0, "1"),
    "creatinine": (0.0, 30.0, "mg/dL"),
}


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def lab_value(value: LabInput, analyte: str, unit: str, field: str | None = None) -> float:
    """Return ``value`` in ``unit`` after unit conversion and the plausibility checks above.

    ``analyte`` is one of bilirubin, albumin, inr, creatinine, sodium.
    """
    field = field or analyte
    x = as_value(value, unit, analyte=analyte, field=field)
    if analyte == "sodium":
        if not 90.0 <= x <= 200.0:
            raise InputError(field, value, "90 to 200 mmol/L")
        return x
    lo, hi, conv_unit = _BOUNDS_CONVENTIONAL[analyte]
    conventional = convert(x, unit, conv_unit, analyte=analyte, field=field)
    if not lo < conventional <= hi:
        shown = f"{conv_unit}" if conv_unit != "1" else ""
        raise InputError(field, value, f"greater than {lo:g} and at most {hi:g} {shown}".strip())
    return x


def _bool(value: object, field: str) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise InputError(field, value, "True or False")


def _choice(value: object, field: str, aliases: dict[str, str], allowed: tuple[str, ...]) -> str:
    if isinstance(value, str):
        key = value.strip().lower().replace("_", " ")
        if key in aliases:
            return aliases[key]
        key = key.replace(" ", "-")
        if key in aliases:
            return aliases[key]
    raise InputError(field, value, " / ".join(allowed))


# --- Child-Pugh ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildPughResult:
    """Child-Pugh points (5-15), class (A 5-6, B 7-9, C 10-15) and the points of each item."""

    points: int
    child_pugh_class: str
    bilirubin_points: int
    albumin_points: int
    inr_points: int
    ascites_points: int
    encephalopathy_points: int


def _cp_bilirubin(mg_dl: float) -> int:
    return 1 if mg_dl < 2.0 else (2 if mg_dl <= 3.0 else 3)


def _cp_albumin(g_dl: float) -> int:
    return 1 if g_dl > 3.5 else (2 if g_dl >= 2.8 else 3)


def _cp_inr(inr: float) -> int:
    return 1 if inr < 1.7 else (2 if inr <= 2.3 else 3)


def child_pugh_class(points: int) -> str:
    """Class from points: A 5-6, B 7-9, C 10-15 (Pugh 1973)."""
    if (
        isinstance(points, bool)
        or not isinstance(points, int | np.integer)
        or not (5 <= points <= 15)
    ):
        raise InputError("child_pugh_points", points, "an integer from 5 to 15")
    return "A" if points <= 6 else ("B" if points <= 9 else "C")


def ascites_points(ascites: str) -> int:
    """Child-Pugh points for ascites: none 1, slight 2, moderate-severe 3."""
    return ASCITES.index(_choice(ascites, "ascites", _ASCITES_ALIASES, ASCITES)) + 1


def encephalopathy_points(encephalopathy: str) -> int:
    """Child-Pugh points for hepatic encephalopathy: none 1, grade 1-2 2, grade 3-4 3."""
    choice = _choice(encephalopathy, "encephalopathy", _ENCEPHALOPATHY_ALIASES, ENCEPHALOPATHY)
    return ENCEPHALOPATHY.index(choice) + 1


def child_pugh_class_array(points: np.ndarray) -> np.ndarray:
    """Vectorized :func:`child_pugh_class` (object array; None where points are NaN)."""
    p = np.asarray(points, dtype=float)
    cls = np.where(p <= 6, "A", np.where(p <= 9, "B", "C")).astype(object)
    cls[np.isnan(p)] = None
    return cls


def child_pugh(
    bilirubin: LabInput,
    albumin: LabInput,
    inr: LabInput,
    ascites: str,
    encephalopathy: str,
) -> ChildPughResult:
    """Child-Pugh score and class.

    Args:
        bilirubin: total bilirubin; a bare number is mg/dL.
        albumin: serum albumin; a bare number is g/dL.
        inr: INR (unitless).
        ascites: ``"none"``, ``"slight"`` (mild, controlled with diuretics) or
            ``"moderate-severe"`` (also accepted: absent, mild, moderate, severe, refractory).
        encephalopathy: ``"none"``, ``"grade 1-2"`` or ``"grade 3-4"`` (West Haven grades).
    """
    bili = lab_value(bilirubin, "bilirubin", "mg/dL")
    alb = lab_value(albumin, "albumin", "g/dL")
    inr_v = lab_value(inr, "inr", "1")
    parts = (
        _cp_bilirubin(bili),
        _cp_albumin(alb),
        _cp_inr(inr_v),
        ascites_points(ascites),
        encephalopathy_points(encephalopathy),
    )
    points = sum(parts)
    return ChildPughResult(points, child_pugh_class(points), *parts)


def child_pugh_points_array(
    bilirubin_mg_dl: np.ndarray,
    albumin_g_dl: np.ndarray,
    inr: np.ndarray,
    ascites_points: np.ndarray,
    encephalopathy_points: np.ndarray,
) -> np.ndarray:
    """Vectorized Child-Pugh points (float array, NaN where any input is NaN).

    Same bands as :func:`child_pugh`; ascites and encephalopathy are given as their points
    (1, 2 or 3). Inputs are not range-checked: validate with the scalar function's rules first.
    """
    b = np.asarray(bilirubin_mg_dl, dtype=float)
    a = np.asarray(albumin_g_dl, dtype=float)
    i = np.asarray(inr, dtype=float)
    pts = (
        np.where(b < 2.0, 1, np.where(b <= 3.0, 2, 3))
        + np.where(a > 3.5, 1, np.where(a >= 2.8, 2, 3))
        + np.where(i < 1.7, 1, np.where(i <= 2.3, 2, 3))
        + np.asarray(ascites_points, dtype=float)
        + np.asarray(encephalopathy_points, dtype=float)
    ).astype(float)
    missing = np.isnan(b) | np.isnan(a) | np.isnan(i)
    return np.where(missing, np.nan, pts)


# --- ALBI ---------------------------------------------------------------------------------

ALBI_COEFFICIENTS = (-0.085, -0.0852)


@dataclass(frozen=True)
class AlbiResult:
    """ALBI score, grade (1-3) and modified grade (``"1"``, ``"2a"``, ``"2b"``, ``"3"``)."""

    score: float
    grade: int
    malbi_grade: str


def albi_grade(score: float) -> int:
    """ALBI grade: 1 if <= -2.60; 2 if > -2.60 and <= -1.39; 3 if > -1.39 (Johnson 2015)."""
    if not isinstance(score, int | float) or isinstance(score, bool) or not math.isfinite(score):
        raise InputError("albi_score", score, "a finite number")
    return 1 if score <= -2.60 else (2 if score <= -1.39 else 3)


def malbi_grade(score: float, malbi_cut_in: Literal["2a", "2b"] = "2b") -> str:
    """Modified ALBI grade (Hiraoka 2017): grade 2 split at -2.270.

    ``malbi_cut_in`` says which sub-grade the value -2.270 itself takes (default ``"2b"``).
    """
    if malbi_cut_in not in ("2a", "2b"):
        raise InputError("malbi_cut_in", malbi_cut_in, "'2a' or '2b'")
    grade = albi_grade(score)
    if grade != 2:
        return str(grade)
    if score < -2.270 or (score == -2.270 and malbi_cut_in == "2a"):
        return "2a"
    return "2b"


def albi(
    bilirubin: LabInput,
    albumin: LabInput,
    *,
    coefficient: float = -0.085,
    malbi_cut_in: Literal["2a", "2b"] = "2b",
) -> AlbiResult:
    """ALBI score (Johnson 2015) with grade and mALBI grade.

    Args:
        bilirubin: total bilirubin; a bare number is umol/L.
        albumin: serum albumin; a bare number is g/L.
        coefficient: albumin coefficient, -0.085 (default) or -0.0852.
        malbi_cut_in: sub-grade of an ALBI of exactly -2.270 (see :func:`malbi_grade`).
    """
    if coefficient not in ALBI_COEFFICIENTS:
        raise InputError("coefficient", coefficient, "-0.085 or -0.0852")
    bili = lab_value(bilirubin, "bilirubin", "umol/L")
    alb = lab_value(albumin, "albumin", "g/L")
    score = 0.66 * math.log10(bili) + coefficient * alb
    # remove floating noise at the 1e-12 level so that cut-offs (e.g. -2.60) are exact
    score = round(score, 10)
    return AlbiResult(score, albi_grade(score), malbi_grade(score, malbi_cut_in))


def albi_array(
    bilirubin_umol_l: np.ndarray, albumin_g_l: np.ndarray, *, coefficient: float = -0.085
) -> np.ndarray:
    """Vectorized ALBI score (NaN where an input is NaN or not positive)."""
    b = np.asarray(bilirubin_umol_l, dtype=float)
    a = np.asarray(albumin_g_l, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = 0.66 * np.log10(np.where(b > 0, b, np.nan)) + coefficient * a
    return np.round(score, 10)


def albi_grade_array(score: np.ndarray) -> np.ndarray:
    """Vectorized ALBI grade (float, NaN where the score is NaN)."""
    s = np.asarray(score, dtype=float)
    g = np.where(s <= -2.60, 1.0, np.where(s <= -1.39, 2.0, 3.0))
    return np.where(np.isnan(s), np.nan, g)


def malbi_grade_array(score: np.ndarray, malbi_cut_in: Literal["2a", "2b"] = "2b") -> np.ndarray:
    """Vectorized :func:`malbi_grade` (object array; None where the score is NaN)."""
    if malbi_cut_in not in ("2a", "2b"):
        raise InputError("malbi_cut_in", malbi_cut_in, "'2a' or '2b'")
    s = np.asarray(score, dtype=float)
    in_2a = (s < -2.270) | ((s == -2.270) & (malbi_cut_in == "2a"))
    g = np.where(s <= -2.60, "1", np.where(s <= -1.39, np.where(in_2a, "2a", "2b"), "3")).astype(
        object
    )
    g[np.isnan(s)] = None
    return g


# --- MELD family --------------------------------------------------------------------------


def _meld_i(bili: float, inr: float, cr: float) -> float:
    return 0.957 * math.log(cr) + 0.378 * math.log(bili) + 1.120 * math.log(inr) + 0.643


def _meld_inputs(
    bilirubin: LabInput, inr: LabInput, creatinine: LabInput, dialysis: object, cr_cap: float
) -> tuple[float, float, float]:
    bili = max(lab_value(bilirubin, "bilirubin", "mg/dL"), 1.0)
    inr_v = max(lab_value(inr, "inr", "1"), 1.0)
    cr = lab_value(creatinine, "creatinine", "mg/dL")
    cr = cr_cap if _bool(dialysis, "dialysis") else min(max(cr, 1.0), cr_cap)
    return bili, inr_v, cr


def _meld_unbounded(bili: float, inr: float, cr: float) -> int:
    """MELD(i) rounded to the tenth, times 10 (an integer, before the 6-40 bounds)."""
    return _round_half_up(round(_meld_i(bili, inr, cr) * 10, 9))


def meld(
    bilirubin: LabInput,
    inr: LabInput,
    creatinine: LabInput,
    *,
    dialysis: bool = False,
) -> int:
    """MELD score, UNOS/OPTN form (6-40).

    Args:
        bilirubin: total bilirubin; a bare number is mg/dL.
        inr: INR.
        creatinine: serum creatinine; a bare number is mg/dL.
        dialysis: dialysis at least twice, or CVVHD for 24 h, in the 7 days before the
            creatinine was measured (sets creatinine to 4.0).
    """
    bili, inr_v, cr = _meld_inputs(bilirubin, inr, creatinine, dialysis, 4.0)
    return min(max(_meld_unbounded(bili, inr_v, cr), 6), 40)


MeldNaVariant = Literal["optn2016", "kim2008"]


def meld_na(
    bilirubin: LabInput,
    inr: LabInput,
    creatinine: LabInput,
    sodium: LabInput,
    *,
    dialysis: bool = False,
    variant: MeldNaVariant = "optn2016",
) -> int:
    """MELD-Na (default: OPTN 2016 policy; ``variant="kim2008"`` for Kim 2008's original).

    Args:
        bilirubin, inr, creatinine, dialysis: as :func:`meld`.
        sodium: serum sodium; a bare number is mmol/L (= mEq/L).
    """
    if variant not in ("optn2016", "kim2008"):
        raise InputError("variant", variant, "'optn2016' or 'kim2008'")
    bili, inr_v, cr = _meld_inputs(bilirubin, inr, creatinine, dialysis, 4.0)
    m = _meld_unbounded(bili, inr_v, cr)  # OPTN: the sodium term uses MELD before the 40 cap
    na = lab_value(sodium, "sodium", "mmol/L")
    if variant == "optn2016":
        na = min(max(na, 125.0), 137.0)
        if m <= 11:
            return max(m, 6)
        value = m + 1.32 * (137 - na) - 0.033 * m * (137 - na)
    else:
        na = min(max(na, 125.0), 140.0)
        value = m - na - 0.025 * m * (140 - na) + 140
    return min(max(_round_half_up(round(value, 9)), 6), 40)


def meld3(
    bilirubin: LabInput,
    inr: LabInput,
    creatinine: LabInput,
    sodium: LabInput,
    albumin: LabInput,
    *,
    sex: str,
    age: float | None = None,
    dialysis: bool = False,
    cap: int | None = 40,
) -> int:
    """MELD 3.0 (Kim 2021).

    Args:
        bilirubin, inr, creatinine, dialysis: as :func:`meld` (creatinine capped at 3.0, and
            set to 3.0 by dialysis).
        sodium: serum sodium; a bare number is mmol/L.
        albumin: serum albumin; a bare number is g/dL.
        sex: ``"female"`` or ``"male"`` (``"F"``/``"M"`` accepted).
        age: age in years, optional; 12-17 gets the 1.33 term whatever the sex (OPTN);
            below 12 MELD does not apply (PELD) and an error is raised.
        cap: upper bound (default 40, OPTN); ``None`` for the paper's uncapped score.
            The lower bound 6 always applies.
    """
    female = sex_is_female(sex)
    if age is not None:
        if isinstance(age, bool) or not isinstance(age, int | float) or not math.isfinite(age):
            raise InputError("age", age, "a number of years from 12 to 120")
        if not 12 <= age <= 120:
            raise InputError("age", age, "12 to 120 years", "MELD applies from age 12; PELD below")
        if age < 18:
            female = True
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 6):
        raise InputError("cap", cap, "an integer >= 6, or None for no cap")
    bili, inr_v, cr = _meld_inputs(bilirubin, inr, creatinine, dialysis, 3.0)
    na = min(max(lab_value(sodium, "sodium", "mmol/L"), 125.0), 137.0)
    alb = min(max(lab_value(albumin, "albumin", "g/dL"), 1.5), 3.5)
    value = _meld3_value(female, bili, inr_v, cr, na, alb)
    score = max(_round_half_up(round(value, 9)), 6)
    return score if cap is None else min(score, cap)


def _meld3_value(female: float, bili: float, inr: float, cr: float, na: float, alb: float):  # type: ignore[no-untyped-def]
    """MELD 3.0 linear predictor (scalars or numpy arrays; inputs already bounded)."""
    ln = np.log
    return (
        1.33 * female
        + 4.56 * ln(bili)
        + 0.82 * (137 - na)
        - 0.24 * (137 - na) * ln(bili)
        + 9.09 * ln(inr)
        + 11.14 * ln(cr)
        + 1.85 * (3.5 - alb)
        - 1.83 * (3.5 - alb) * ln(cr)
        + 6
    )


def sex_is_female(sex: object) -> bool:
    if isinstance(sex, str):
        key = sex.strip().lower()
        if key in ("female", "f", "woman"):
            return True
        if key in ("male", "m", "man"):
            return False
    raise InputError("sex", sex, "'female' or 'male'")


# --- vectorized MELD family (for tables) ---------------------------------------------------


def _half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(np.round(x, 9) + 0.5)


def meld_array(
    bilirubin_mg_dl: np.ndarray,
    inr: np.ndarray,
    creatinine_mg_dl: np.ndarray,
    dialysis: np.ndarray | None = None,
    *,
    bounded: bool = True,
) -> np.ndarray:
    """Vectorized :func:`meld` (float array; NaN where an input is NaN). No range checks.

    ``bounded=False`` returns 10 x MELD(i) rounded, before the 6-40 bounds.
    """
    b = np.maximum(np.asarray(bilirubin_mg_dl, dtype=float), 1.0)
    i = np.maximum(np.asarray(inr, dtype=float), 1.0)
    c = np.clip(np.asarray(creatinine_mg_dl, dtype=float), 1.0, 4.0)
    if dialysis is not None:
        c = np.where(np.asarray(dialysis, dtype=bool), 4.0, c)
    mi = 0.957 * np.log(c) + 0.378 * np.log(b) + 1.120 * np.log(i) + 0.643
    m = _half_up(mi * 10)
    return np.clip(m, 6, 40) if bounded else m


def meld_na_array(
    bilirubin_mg_dl: np.ndarray,
    inr: np.ndarray,
    creatinine_mg_dl: np.ndarray,
    sodium_mmol_l: np.ndarray,
    dialysis: np.ndarray | None = None,
) -> np.ndarray:
    """Vectorized :func:`meld_na`, OPTN 2016 variant."""
    m = meld_array(bilirubin_mg_dl, inr, creatinine_mg_dl, dialysis, bounded=False)
    na = np.clip(np.asarray(sodium_mmol_l, dtype=float), 125.0, 137.0)
    value = m + 1.32 * (137 - na) - 0.033 * m * (137 - na)
    out = np.where(m > 11, np.clip(_half_up(value), 6, 40), np.maximum(m, 6))
    return np.where(np.isnan(na), np.nan, out)


def meld3_array(
    bilirubin_mg_dl: np.ndarray,
    inr: np.ndarray,
    creatinine_mg_dl: np.ndarray,
    sodium_mmol_l: np.ndarray,
    albumin_g_dl: np.ndarray,
    female: np.ndarray,
    dialysis: np.ndarray | None = None,
    cap: int | None = 40,
) -> np.ndarray:
    """Vectorized :func:`meld3` (``female`` boolean array; ages 12-17 must be set female)."""
    b = np.maximum(np.asarray(bilirubin_mg_dl, dtype=float), 1.0)
    i = np.maximum(np.asarray(inr, dtype=float), 1.0)
    c = np.clip(np.asarray(creatinine_mg_dl, dtype=float), 1.0, 3.0)
    if dialysis is not None:
        c = np.where(np.asarray(dialysis, dtype=bool), 3.0, c)
    na = np.clip(np.asarray(sodium_mmol_l, dtype=float), 125.0, 137.0)
    alb = np.clip(np.asarray(albumin_g_dl, dtype=float), 1.5, 3.5)
    f = np.asarray(female, dtype=float)
    score = np.maximum(_half_up(_meld3_value(f, b, i, c, na, alb)), 6)
    return score if cap is None else np.minimum(score, cap)
