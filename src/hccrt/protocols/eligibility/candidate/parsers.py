"""Column parsers: one column of the flat table validated and converted at once.

Numbers, yes/no, dates (days since 1970-01-01; ``none`` = never), categories and labs with
units; a bad cell raises :class:`~hccrt.errors.InputError` naming the column, the value and
what is allowed. Each distinct value is parsed once.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from hccrt.clinical.liver import (
    ASCITES,
    ENCEPHALOPATHY,
    ascites_points,
    encephalopathy_points,
)
from hccrt.errors import InputError
from hccrt.protocols.eligibility.candidate.columns import NEVER
from hccrt.protocols.eligibility.facts import FACTS
from hccrt.units import CANONICAL_UNIT, convert, normalize_unit, parse_quantity

_TRUE = {"true", "yes", "y", "1", "t", "1.0"}
_FALSE = {"false", "no", "n", "0", "f", "0.0"}
_EPOCH = np.datetime64("1970-01-01", "D")


def _is_missing(values: np.ndarray) -> np.ndarray:
    return pd.isna(pd.Series(values, dtype=object)).to_numpy()


def _objects(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), None, dtype=object)
    return df[col].to_numpy(dtype=object, na_value=None)


def _series(df: pd.DataFrame, col: str) -> pd.Series | None:
    return df[col] if col in df.columns else None


def _first(series: pd.Series, mask: np.ndarray) -> Any:
    return series.to_numpy(dtype=object)[np.flatnonzero(mask)[0]]


def _factorized(s: pd.Series, parse: Any, col: str, many: Any = None) -> np.ndarray:
    """``parse`` of every present cell of ``s`` (object array, None where missing).

    Each distinct value is parsed once (``many`` parses the array of distinct values at once
    when given); columns of a plain dtype skip the object conversion.
    """
    out = np.full(len(s), None, dtype=object)
    if len(s) <= 64 or s.dtype == object:
        missing = s.isna().to_numpy()
        out[~missing] = _apply_unique(s.to_numpy(dtype=object)[~missing], parse, col)
        return out
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    parsed = np.empty(len(uniq), dtype=object)  # 1-d even when parse returns tuples
    for k, value in enumerate(many(uniq) if many is not None else (parse(u) for u in uniq)):
        parsed[k] = value
    present = codes >= 0
    out[present] = parsed[codes[present]]
    return out


def _apply_unique(values: np.ndarray, parse: Any, col: str) -> np.ndarray:
    """``parse`` of each element of an object array, computed once per distinct value."""
    if values.size == 0:
        return np.empty(0, dtype=object)
    if values.size <= 64:  # small batches: a dict beats pandas' hashing set-up
        cache: dict[Any, Any] = {}
        out = np.empty(values.size, dtype=object)
        for i, v in enumerate(values):
            key = (type(v), v)
            try:
                if key not in cache:
                    cache[key] = parse(v)
            except TypeError:
                raise InputError(col, v, "a single value per cell") from None
            out[i] = cache[key]
        return out
    try:
        uniques = pd.unique(values)
        codes = pd.Index(uniques, dtype=object).get_indexer(values)
    except TypeError:
        bad = next((v for v in values if not isinstance(v, str | int | float | dt.date)), None)
        raise InputError(col, bad, "a single value per cell") from None
    parsed = np.empty(len(uniques), dtype=object)
    for k, u in enumerate(uniques):
        try:
            parsed[k] = parse(u)
        except TypeError:
            raise InputError(col, u, "a single value per cell") from None
    return parsed[codes]


def _has_odd_objects(s: pd.Series) -> bool:
    """True when an object column holds booleans or containers where numbers belong."""
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind in ("floating", "integer", "mixed-integer-float", "string", "empty", "decimal"):
        return False
    return bool(s.map(lambda v: isinstance(v, bool | np.bool_ | list | dict | tuple | set)
                      ).any())


def _parse_bool(v: Any, col: str) -> float:
    if isinstance(v, bool | np.bool_):
        return float(v)
    if isinstance(v, int | float | np.integer | np.floating) and v in (0, 1):
        return float(v)
    key = str(v).strip().lower()
    if key in _TRUE:
        return 1.0
    if key in _FALSE:
        return 0.0
    raise InputError(col, v, "true or false (yes/no, 1/0)")


def _numbers(s: pd.Series, col: str, lo: float, hi: float, unit: str, whole: bool) -> np.ndarray:
    what = "a whole number" if whole else "a number"
    allowed = f"{what} from {lo:g} to {hi:g} {unit}".strip()
    missing = s.isna().to_numpy()
    if s.dtype == bool or (s.dtype == object and _has_odd_objects(s)):
        raise InputError(col, _first(s, ~missing), allowed)
    try:
        x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise InputError(col, _first(s, ~missing), allowed) from None
    bad = ~missing & ~np.isfinite(x)
    with np.errstate(invalid="ignore"):
        bad |= ~missing & ((x < lo) | (x > hi))
        if whole:
            bad |= ~missing & np.isfinite(x) & (x != np.round(x))
    if bad.any():
        raise InputError(col, _first(s, bad), allowed)
    return np.where(missing, np.nan, x)


def _date_one(v: Any, col: str, allowed: str, allow_never: bool) -> float:
    if isinstance(v, str):
        text = v.strip()
        if text.lower() == "none":
            if not allow_never:
                raise InputError(col, v, allowed)
            return NEVER
        if len(text) != 10:
            raise InputError(col, v, allowed)
        try:
            d = dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(col, v, allowed) from None
    elif isinstance(v, dt.datetime | pd.Timestamp):
        d = v.date()
    elif isinstance(v, dt.date):
        d = v
    elif isinstance(v, np.datetime64) and not np.isnat(v):
        d = v.astype("datetime64[D]").astype(dt.date)
    else:
        raise InputError(col, v, allowed)
    if not 1900 <= d.year <= 2200:
        raise InputError(col, v, "a date between 1900 and 2200")
    return float((np.datetime64(d, "D") - _EPOCH).astype(np.int64))


def _dates(s: pd.Series, col: str, allow_never: bool) -> np.ndarray:
    allowed = "a date YYYY-MM-DD" + (" or 'none' (never happened)" if allow_never else "")

    def one(v: Any) -> float:
        return _date_one(v, col, allowed, allow_never)

    def many(uniq: np.ndarray) -> np.ndarray:
        # ISO strings in one vectorised call; anything else (or a failure) one by one
        text = np.array([u if isinstance(u, str) and len(u) == 10 else "" for u in uniq],
                        dtype=object)
        parsed = pd.to_datetime(pd.Series(text, dtype=object), format="%Y-%m-%d",
                                errors="coerce").to_numpy(dtype="datetime64[D]")
        days = (parsed - _EPOCH).astype(np.int64).astype(float)
        years = parsed.astype("datetime64[Y]").astype(np.int64) + 1970
        good = ~np.isnat(parsed) & (years >= 1900) & (years <= 2200)
        return np.array([days[k] if good[k] else one(u) for k, u in enumerate(uniq)],
                        dtype=object)

    out = np.full(len(s), np.nan)
    values = _factorized(s, one, col, many)
    present = np.array([v is not None for v in values], dtype=bool) if len(s) <= 64 else \
        s.notna().to_numpy()
    out[present] = values[present].astype(float)
    return out


def _column(df: pd.DataFrame, col: str, kind: str, **kw: Any) -> np.ndarray:
    """Parse one column into a float array (NaN missing): numbers, 1.0/0.0, days."""
    s = _series(df, col)
    if s is None:
        return np.full(len(df), np.nan)
    if kind == "bool":
        if s.dtype == bool:
            return s.to_numpy(dtype=float)
        out = np.full(len(df), np.nan)
        values = _factorized(s, lambda v: _parse_bool(v, col), col)
        present = s.notna().to_numpy()
        out[present] = values[present].astype(float)
        return out
    if kind in ("number", "count"):
        return _numbers(s, col, kw.get("lo", -math.inf), kw.get("hi", math.inf),
                        kw.get("unit", ""), kind == "count")
    if kind == "date":
        return _dates(s, col, kw.get("never", True))
    raise AssertionError(kind)


def _category(df: pd.DataFrame, name: str) -> np.ndarray:
    spec = FACTS[name]
    s = _series(df, name)
    if s is None:
        return np.full(len(df), None, dtype=object)

    def parse(v: Any) -> str:
        if not isinstance(v, str):
            raise InputError(name, v, " / ".join(spec.choices))
        if name == "ascites":
            return ASCITES[ascites_points(v) - 1]
        if name == "encephalopathy":
            return ENCEPHALOPATHY[encephalopathy_points(v) - 1]
        key = v.strip()
        for choice in spec.choices:
            if key.lower() == choice.lower():
                return choice
        raise InputError(name, v, " / ".join(spec.choices))

    return _factorized(s, parse, name)


def _lab(df: pd.DataFrame, analyte: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, ULN) in the canonical unit and the result date (days), NaN where missing."""
    n = len(df)
    canonical = CANONICAL_UNIT[analyte]
    value = np.full(n, np.nan)
    uln = np.full(n, np.nan)
    date = _column(df, f"{analyte}_date", "date", never=False)
    s = _series(df, analyte)
    uln_s = _series(df, f"{analyte}_uln")
    if s is None:
        return value, uln, date
    missing = s.isna().to_numpy()
    unit_s = _series(df, f"{analyte}_unit")
    units = (np.full(n, None, dtype=object) if unit_s is None
             else unit_s.to_numpy(dtype=object, na_value=None))
    if s.dtype == bool or (s.dtype == object and _has_odd_objects(s)):
        raise InputError(analyte, _first(s, ~missing), "a lab value, e.g. 1.2 with its unit")
    x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    written = ~missing & np.isnan(x)  # strings such as "1.2 mg/dL"
    unit_of = units.copy()
    raw = s.to_numpy(dtype=object)
    for i in np.flatnonzero(written):
        q = parse_quantity(raw[i] if isinstance(raw[i], str) else str(raw[i]), analyte)
        if q.unit == "1" and canonical != "1":
            if units[i] is None:
                raise InputError(f"{analyte}_unit", None, "the unit of the value, e.g. mg/dL")
        elif units[i] is not None and normalize_unit(str(units[i]), f"{analyte}_unit") != q.unit:
            raise InputError(f"{analyte}_unit", units[i], f"the unit written in the value "
                             f"({raw[i]})")
        else:
            unit_of[i] = q.unit
        x[i] = q.value
    present = ~missing
    if (~np.isfinite(x[present])).any() or (x[present] < 0).any():
        bad = present & (~np.isfinite(x) | (x < 0))
        raise InputError(analyte, _first(s, bad), "a finite value of at least 0")
    no_unit = present & pd.isna(unit_of)
    if no_unit.any():
        if canonical != "1":
            raise InputError(f"{analyte}_unit", None,
                             f"the unit of every {analyte} value, e.g. "
                             f"{'mg/dL' if analyte in ('bilirubin', 'creatinine') else canonical}")
        unit_of[no_unit] = "1"
    uln_raw = (np.full(n, np.nan) if uln_s is None else
               _numbers(uln_s, f"{analyte}_uln", 0, math.inf, "", False))
    if (uln_raw == 0).any():
        raise InputError(f"{analyte}_uln", 0, "a positive number")
    idx_present = np.flatnonzero(present)
    unit_codes, unit_uniques = pd.factorize(pd.Series(unit_of[present], dtype=object))
    for k, u in enumerate(unit_uniques):
        rows_idx = idx_present[unit_codes == k]
        unit = normalize_unit(str(u), f"{analyte}_unit")
        value[rows_idx] = convert(x[rows_idx], unit, canonical, analyte=analyte, field=analyte)
        uln[rows_idx] = convert(uln_raw[rows_idx], unit, canonical, analyte=analyte,
                                field=f"{analyte}_uln")
    if analyte == "inr" and ((value[present] <= 0) | (value[present] > 20)).any():
        bad = present & ((value <= 0) | (value > 20))
        raise InputError(analyte, _first(s, bad), "an INR greater than 0 and at most 20")
    return value, uln, date
