"""Renal function and body size: Cockcroft-Gault creatinine clearance and body surface area.

Sources
-------
- Cockcroft DW, Gault MH. Prediction of creatinine clearance from serum creatinine.
  Nephron 1976;16:31-41: CrCl (mL/min) = (140 - age) x weight (kg) / (72 x SCr (mg/dL)),
  x 0.85 for women. The original equation uses **actual** body weight and is not normalised to
  body surface area; this module implements exactly that (no ideal or adjusted weight, unlike
  some calculators, e.g. MedCalc-Bench's ``creatinine_clearance.py``). SCr in umol/L is
  converted to mg/dL with 88.4 umol/L per mg/dL (:mod:`hccrt.units`).
- Mosteller RD. Simplified calculation of body-surface area. NEJM 1987;317:1098:
  BSA (m2) = sqrt(height (cm) x weight (kg) / 3600). The default.
- DuBois D, DuBois EF. A formula to estimate the approximate surface area if height and weight
  be known. Arch Intern Med 1916;17:863-71: BSA (m2) = 0.007184 x weight^0.425 x height^0.725.

Plausibility bounds (refused outside, as probable unit errors): age 18-120 years (the
equation was derived in adults), weight 20-350 kg, height 100-250 cm, creatinine
0 < SCr <= 30 mg/dL.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from hccrt.errors import InputError
from hccrt.units import Quantity, as_value

__all__ = [
    "ADULT_AGE_RANGE",
    "BSA_METHODS",
    "HEIGHT_RANGE_CM",
    "WEIGHT_RANGE_KG",
    "bsa",
    "bsa_array",
    "cockcroft_gault",
    "cockcroft_gault_array",
]

BSA_METHODS = ("mosteller", "dubois")
ADULT_AGE_RANGE = (18.0, 120.0)  # years (Cockcroft-Gault was derived in adults)
WEIGHT_RANGE_KG = (20.0, 350.0)
HEIGHT_RANGE_CM = (100.0, 250.0)


def _number(value: object, field: str, lo: float, hi: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(field, value, f"a number from {lo:g} to {hi:g} {unit}")
    x = float(value)
    if not (math.isfinite(x) and lo <= x <= hi):
        raise InputError(field, value, f"a number from {lo:g} to {hi:g} {unit}")
    return x


def _female(sex: object) -> bool:
    if isinstance(sex, str):
        key = sex.strip().lower()
        if key in ("female", "f", "woman"):
            return True
        if key in ("male", "m", "man"):
            return False
    raise InputError("sex", sex, "'female' or 'male'")


def cockcroft_gault(
    *,
    age: float,
    weight_kg: float,
    creatinine: Quantity | str | float,
    sex: str,
) -> float:
    """Creatinine clearance in mL/min (Cockcroft & Gault 1976, actual body weight).

    Args:
        age: years (18-120).
        weight_kg: actual body weight in kg (20-350).
        creatinine: serum creatinine; a bare number is mg/dL.
        sex: ``"female"`` (x 0.85) or ``"male"``.
    """
    age_v = _number(age, "age", *ADULT_AGE_RANGE, "years")
    weight = _number(weight_kg, "weight_kg", *WEIGHT_RANGE_KG, "kg")
    scr = as_value(creatinine, "mg/dL", analyte="creatinine", field="creatinine")
    if not 0 < scr <= 30:
        raise InputError("creatinine", creatinine, "greater than 0 and at most 30 mg/dL")
    crcl = (140 - age_v) * weight / (72 * scr)
    return crcl * 0.85 if _female(sex) else crcl


def cockcroft_gault_array(
    age: np.ndarray, weight_kg: np.ndarray, creatinine_mg_dl: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """Vectorized :func:`cockcroft_gault` (no range checks; NaN propagates)."""
    age_a = np.asarray(age, dtype=float)
    w = np.asarray(weight_kg, dtype=float)
    scr = np.asarray(creatinine_mg_dl, dtype=float)
    f = np.asarray(female, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        crcl = (140 - age_a) * w / (72 * scr)
    return np.where(f, crcl * 0.85, crcl)


def bsa(
    *,
    height_cm: float,
    weight_kg: float,
    method: Literal["mosteller", "dubois"] = "mosteller",
) -> float:
    """Body surface area in m2: Mosteller 1987 (default) or DuBois & DuBois 1916.

    Args:
        height_cm: height in cm (100-250).
        weight_kg: weight in kg (20-350).
        method: ``"mosteller"`` or ``"dubois"``.
    """
    if method not in BSA_METHODS:
        raise InputError("method", method, "'mosteller' or 'dubois'")
    h = _number(height_cm, "height_cm", *HEIGHT_RANGE_CM, "cm")
    w = _number(weight_kg, "weight_kg", *WEIGHT_RANGE_KG, "kg")
    if method == "mosteller":
        return math.sqrt(h * w / 3600)
    return 0.007184 * w**0.425 * h**0.725


def bsa_array(
    height_cm: np.ndarray,
    weight_kg: np.ndarray,
    method: Literal["mosteller", "dubois"] = "mosteller",
) -> np.ndarray:
    """Vectorized :func:`bsa` (no range checks; NaN propagates)."""
    if method not in BSA_METHODS:
        raise InputError("method", method, "'mosteller' or 'dubois'")
    h = np.asarray(height_cm, dtype=float)
    w = np.asarray(weight_kg, dtype=float)
    if method == "mosteller":
        return np.sqrt(h * w / 3600)
    return 0.007184 * w**0.425 * h**0.725
