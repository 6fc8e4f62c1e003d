"""Grading one laboratory value (:func:`grade_lab`), with its units, limits and context."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from hccrt.clinical.ctcae.aliases import resolve_test
from hccrt.clinical.ctcae.kernel import (
    _R_OK,
    _R_UNIT,
    _R_VALUE,
    NOT_GRADABLE_REASONS,
    _grade_analyte,
    _Inputs,
)
from hccrt.clinical.ctcae.terms import TERMS, Direction
from hccrt.errors import InputError, UnitError
from hccrt.units import CANONICAL_UNIT, Quantity, convert, normalize_unit, parse_quantity


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
        Clinical context; see :mod:`hccrt.clinical.ctcae` for their effect and defaults.

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
