"""Laboratory quantities with explicit units, and the conversions the trials need.

Why a small explicit table rather than ``pint``: clinical lab units are few, and the hard part
is not dimensional algebra but the analyte-specific, conventionally rounded factors (bilirubin
17.1, creatinine 88.4, haemoglobin 0.6206) and the count spellings (``10^9/L``, ``10^3/uL``,
``/mm3``, ``G/L``, ``K/uL``) that pint does not know. A table that names each factor with its
source is shorter and easier to audit than a pint registry extended with the same numbers.

Conversion factors and their sources
------------------------------------
- Bilirubin: 1 mg/dL = 17.1 umol/L (molar mass 584.7 g/mol; the conventional factor used by
  Johnson 2015 for ALBI and by SI conversion tables, e.g. AMA Manual of Style SI conversion
  table; Young DS, Ann Intern Med 1987;106:114-29). The more precise 17.104 is not used, so
  that 34.2 umol/L is exactly 2.0 mg/dL, as the Child-Pugh tables print it.
- Creatinine: 1 mg/dL = 88.4 umol/L (molar mass 113.12 g/mol; Young 1987; KDIGO 2012).
- Haemoglobin: 1 g/dL = 10 g/L; 1 g/dL = 0.6206 mmol/L, on the monomer (Hb/4, 16 114.5
  g/mol) basis used by European laboratories and by the CTCAE v5.0 anaemia term
  (10.0 g/dL = 6.2 mmol/L).
- Albumin: 1 g/dL = 10 g/L (mass concentration; no molar conversion is offered).
- Mass concentration: 1 g/dL = 10 g/L = 1000 mg/dL (SI prefixes); mg/L (French
  laboratories report bilirubin and creatinine in mg/L) = 0.1 mg/dL.
- Cell counts: 1 /uL = 1 /mm3 = 10^-3 x 10^9/L; 10^3/uL = 10^9/L = 1 /nL (1 uL = 1 mm3 =
  10^-6 L; 1 nL = 10^-9 L, the German "/nl" or "Gpt/l").
- Enzymes: U/L and IU/L are the same unit (the IUB 1961 enzyme unit, umol/min). The SI unit
  katal: 1 ukat/L = 60 U/L (1 U = 1 umol/min = 1/60 umol/s; NFSS/IFCC, used in Nordic
  laboratories).
- Electrolytes: for monovalent ions (Na+, K+) 1 mEq/L = 1 mmol/L.
- INR is a ratio without unit; its canonical spelling is ``"1"``.

Each factor is held as an exact :class:`fractions.Fraction` and a conversion multiplies by
the numerator and divides by the denominator once, so round numbers stay round (34.2 umol/L
bilirubin becomes 2.0 mg/dL, not 1.9999999999999998) and boundaries tested by the scores are
not shifted by floating-point noise.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, overload

import numpy as np

from hccrt.errors import InputError, UnitError

__all__ = [
    "ANALYTES",
    "CANONICAL_UNIT",
    "KNOWN_UNITS",
    "Quantity",
    "allowed_units",
    "as_value",
    "convert",
    "normalize_unit",
    "parse_quantity",
]

ANALYTES: tuple[str, ...] = (
    "bilirubin",
    "albumin",
    "creatinine",
    "hemoglobin",
    "platelets",
    "neutrophils",
    "wbc",
    "lymphocytes",
    "ast",
    "alt",
    "alp",
    "ggt",
    "inr",
    "sodium",
    "potassium",
)

CANONICAL_UNIT: dict[str, str] = {
    "bilirubin": "umol/L",
    "albumin": "g/L",
    "creatinine": "umol/L",
    "hemoglobin": "g/L",
    "platelets": "10^9/L",
    "neutrophils": "10^9/L",
    "wbc": "10^9/L",
    "lymphocytes": "10^9/L",
    "ast": "U/L",
    "alt": "U/L",
    "alp": "U/L",
    "ggt": "U/L",
    "inr": "1",
    "sodium": "mmol/L",
    "potassium": "mmol/L",
}

# canonical unit -> (dimension, size of the unit in the dimension's base unit, exact)
# bases: mass g/L, amount mmol/L, count 10^9/L, activity U/L, ratio 1.
_UNITS: dict[str, tuple[str, Fraction]] = {
    "g/L": ("mass", Fraction(1)),
    "g/dL": ("mass", Fraction(10)),
    "mg/dL": ("mass", Fraction(1, 100)),
    "mg/L": ("mass", Fraction(1, 1000)),
    "mmol/L": ("amount", Fraction(1)),
    "umol/L": ("amount", Fraction(1, 1000)),
    "10^9/L": ("count", Fraction(1)),
    "10^3/uL": ("count", Fraction(1)),
    "/uL": ("count", Fraction(1, 1000)),
    "/mm3": ("count", Fraction(1, 1000)),
    "/nL": ("count", Fraction(1)),
    "U/L": ("activity", Fraction(1)),
    "ukat/L": ("activity", Fraction(60)),
    "1": ("ratio", Fraction(1)),
}

KNOWN_UNITS: tuple[str, ...] = tuple(_UNITS)

# (mmol/L) per (g/L) for the analytes that convert between mass and amount; derived from the
# conventional factors documented above: 17.1 umol/L per mg/dL = 1.71 mmol/L per g/L, etc.
_AMOUNT_PER_MASS: dict[str, Fraction] = {
    "bilirubin": Fraction("17.1") * Fraction(1, 1000) / Fraction(1, 100),
    "creatinine": Fraction("88.4") * Fraction(1, 1000) / Fraction(1, 100),
    "hemoglobin": Fraction("0.6206") / Fraction(10),
}

# dimensions each analyte may be expressed in
_ANALYTE_DIMENSIONS: dict[str, frozenset[str]] = {
    "bilirubin": frozenset({"mass", "amount"}),
    "albumin": frozenset({"mass"}),
    "creatinine": frozenset({"mass", "amount"}),
    "hemoglobin": frozenset({"mass", "amount"}),
    "platelets": frozenset({"count"}),
    "neutrophils": frozenset({"count"}),
    "wbc": frozenset({"count"}),
    "lymphocytes": frozenset({"count"}),
    "ast": frozenset({"activity"}),
    "alt": frozenset({"activity"}),
    "alp": frozenset({"activity"}),
    "ggt": frozenset({"activity"}),
    "inr": frozenset({"ratio"}),
    "sodium": frozenset({"amount"}),
    "potassium": frozenset({"amount"}),
}


def _alias_key(text: str) -> str:
    """Case-, space- and micro-sign-insensitive key used to look up unit spellings."""
    key = text.strip().replace("µ", "u").replace("μ", "u").replace("×", "x")
    key = re.sub(r"\s+", "", key).lower()
    return key


_ALIASES: dict[str, str] = {}


def _add(canonical: str, *spellings: str) -> None:
    for spelling in (canonical, *spellings):
        _ALIASES[_alias_key(spelling)] = canonical


_add("g/L", "g/l")
_add("g/dL", "g/dl", "g%")
_add("mg/dL", "mg/dl", "mg%")
_add("mg/L", "mg/l")
_add("mmol/L", "mmol/l", "mEq/L", "meq/l")
_add("umol/L", "umol/l", "µmol/L", "μmol/L", "micromol/L")
_add(
    "10^9/L",
    "10^9/l",
    "x10^9/L",
    "x 10^9/L",
    "10*9/L",
    "x10*9/L",
    "10e9/L",
    "x10e9/L",
    "10E9/L",
    "giga/L",
    "Gpt/L",
)
_add("10^3/uL", "10^3/ul", "x10^3/uL", "10*3/uL", "x10*3/uL", "10e3/uL", "K/uL", "k/ul", "thou/uL")
_add("/uL", "/ul", "cells/uL", "1/uL")
_add("/mm3", "/mm^3", "cells/mm3", "1/mm3")
_add("/nL", "/nl", "1/nL")
_add("U/L", "u/l", "IU/L", "iu/l")
_add("ukat/L", "µkat/L", "μkat/L", "ukat/l")
_add("1", "", "ratio", "none", "-")

_UNIT_LIST = ", ".join(repr(u) for u in KNOWN_UNITS)


def normalize_unit(unit: str, field: str = "unit") -> str:
    """Return the canonical spelling of a lab unit, or raise :class:`UnitError`.

    Spellings are matched ignoring case, spaces and the micro sign (``µ``/``μ`` -> ``u``),
    with one exception: ``"G/L"`` (upper-case G, giga-cells per litre, used in French and
    German laboratories) means ``10^9/L``, whereas ``"g/L"`` is grams per litre.
    """
    if not isinstance(unit, str):
        raise UnitError(field, unit, f"a unit string, one of {_UNIT_LIST}")
    if unit in _UNITS:  # already canonical (the common case)
        return unit
    if unit.strip() == "G/L":
        return "10^9/L"
    canonical = _ALIASES.get(_alias_key(unit))
    if canonical is None:
        raise UnitError(field, unit, f"one of {_UNIT_LIST} (or a known spelling of them)")
    return canonical


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, the unit in canonical spelling (see :func:`normalize_unit`)."""

    value: float
    unit: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit", normalize_unit(self.unit))
        value = _as_float(self.value, "value")
        object.__setattr__(self, "value", value)

    def __str__(self) -> str:
        return f"{self.value:g}" if self.unit == "1" else f"{self.value:g} {self.unit}"


_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")


def parse_quantity(text: str, field: str = "value") -> Quantity:
    """Parse ``"1.2 mg/dL"``, ``"250 U/L"`` or ``"1.1"`` (unitless) into a :class:`Quantity`.

    Raises :class:`InputError` when no finite number leads the text and :class:`UnitError`
    when the unit is unknown; both name ``field``.
    """
    if isinstance(text, Quantity):
        return text
    if not isinstance(text, str):
        raise InputError(field, text, "a string such as '1.2 mg/dL'")
    match = _NUMBER.match(text.replace(",", "."))
    if match is None:
        raise InputError(field, text, "a number followed by an optional unit, e.g. '1.2 mg/dL'")
    value = float(match.group(1))
    if not math.isfinite(value):
        raise InputError(field, text, "a finite number")
    unit_text = match.group(2)
    try:
        unit = normalize_unit(unit_text, field)
    except UnitError as exc:
        raise UnitError(field, text, exc.allowed) from None
    return Quantity(value, unit)


def _as_float(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError(field, value, "a real number")
    return float(value)


def allowed_units(analyte: str | None) -> tuple[str, ...]:
    """Canonical units an analyte may be given in (every known unit when ``analyte`` is None)."""
    if analyte is None:
        return KNOWN_UNITS
    dims = _ANALYTE_DIMENSIONS[_check_analyte(analyte)]
    return tuple(u for u, (dim, _) in _UNITS.items() if dim in dims)


def _check_analyte(analyte: str) -> str:
    if analyte not in _ANALYTE_DIMENSIONS:
        raise InputError("analyte", analyte, f"one of {', '.join(ANALYTES)}")
    return analyte


def _factor(from_unit: str, to_unit: str, analyte: str | None, field: str) -> Fraction:
    """Exact factor f such that value_in_to_unit = value_in_from_unit * f."""
    if not (isinstance(from_unit, str) and isinstance(to_unit, str)):
        return _factor_uncached(from_unit, to_unit, analyte, field)
    if analyte is not None and not isinstance(analyte, str):
        return _factor_uncached(from_unit, to_unit, analyte, field)
    return _factor_cached(from_unit, to_unit, analyte, field)


@functools.lru_cache(maxsize=4096)
def _factor_cached(from_unit: str, to_unit: str, analyte: str | None, field: str) -> Fraction:
    # a pure function of its arguments: memoised because Fraction arithmetic is slow
    return _factor_uncached(from_unit, to_unit, analyte, field)


def _factor_uncached(from_unit: str, to_unit: str, analyte: str | None, field: str) -> Fraction:
    src = normalize_unit(from_unit, field)
    dst = normalize_unit(to_unit, field)
    src_dim, src_size = _UNITS[src]
    dst_dim, dst_size = _UNITS[dst]
    if analyte is not None:
        dims = _ANALYTE_DIMENSIONS[_check_analyte(analyte)]
        allowed = ", ".join(allowed_units(analyte))
        for unit, dim in ((src, src_dim), (dst, dst_dim)):
            if dim not in dims:
                raise UnitError(field, unit, f"a unit for {analyte}: {allowed}")
    if src_dim == dst_dim:
        return src_size / dst_size
    pair = {src_dim, dst_dim}
    if pair == {"mass", "amount"} and analyte in _AMOUNT_PER_MASS:
        k = _AMOUNT_PER_MASS[analyte]
        if src_dim == "mass":
            return src_size * k / dst_size
        return src_size / k / dst_size
    same_dim = ", ".join(u for u, (d, _) in _UNITS.items() if d == src_dim)
    raise UnitError(
        field,
        f"{from_unit} -> {to_unit}",
        f"a conversion within {same_dim}"
        + ("" if analyte else "; converting mass to amount needs the analyte"),
    )


@overload
def convert(
    value: float,
    from_unit: str,
    to_unit: str,
    *,
    analyte: str | None = None,
    field: str = "value",
) -> float: ...


@overload
def convert(
    value: np.ndarray,
    from_unit: str,
    to_unit: str,
    *,
    analyte: str | None = None,
    field: str = "value",
) -> np.ndarray: ...


def convert(
    value: float | np.ndarray,
    from_unit: str,
    to_unit: str,
    *,
    analyte: str | None = None,
    field: str = "value",
) -> float | np.ndarray:
    """Convert ``value`` (a number or a numpy array) from ``from_unit`` to ``to_unit``.

    Conversions between mass and amount concentration (mg/dL <-> umol/L, g/dL <-> mmol/L)
    need ``analyte`` (bilirubin, creatinine or hemoglobin). When ``analyte`` is given, both
    units must be units that analyte is measured in. Anything else raises :class:`UnitError`
    naming ``field``, the units and the units allowed. NaN passes through unchanged (missing).
    """
    factor = _factor(from_unit, to_unit, analyte, field)
    if isinstance(value, np.ndarray):
        if not (np.issubdtype(value.dtype, np.number)) or np.issubdtype(value.dtype, np.bool_):
            raise InputError(field, value.dtype, "a numeric array")
        arr = value.astype(float)
        if factor == 1:
            return arr
        return arr * factor.numerator / factor.denominator
    x = _as_float(value, field)
    if factor == 1:
        return x
    return x * factor.numerator / factor.denominator


def as_value(
    value: Quantity | str | float | int,
    to_unit: str,
    *,
    analyte: str | None = None,
    field: str = "value",
) -> float:
    """Return ``value`` as a float in ``to_unit``.

    A :class:`Quantity` or a string such as ``"1.2 mg/dL"`` is converted; a bare number is
    taken to be in ``to_unit`` already (the documented unit of the caller's argument). NaN and
    infinities are refused: a score needs a measured value.
    """
    if isinstance(value, str):
        text = value
        value = parse_quantity(text, field)
        target = normalize_unit(to_unit, field)
        if value.unit == "1" and target != "1":
            # a string without a unit is not guessed to be in the caller's unit
            units = ", ".join(allowed_units(analyte)) if analyte else target
            raise UnitError(field, text, f"a value with its unit ({units}), e.g. '1.2 {target}'")
    if isinstance(value, Quantity):
        x = convert(value.value, value.unit, to_unit, analyte=analyte, field=field)
    else:
        x = _as_float(value, field)
        normalize_unit(to_unit, field)
    if not math.isfinite(x):
        raise InputError(field, value, "a finite number")
    return x
