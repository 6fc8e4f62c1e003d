"""Input validation shared by the dosimetry modules (internal).

Every function of :mod:`hccrt.dosimetry` accepts a scalar or an array-like of numbers for its
numeric inputs (so that a cohort of plans is computed in one vectorised call) and refuses
anything else with :class:`hccrt.errors.InputError` naming the field, the offending value (and,
for arrays, its index) and what is allowed. Pydantic models of the package derive from
:class:`StrictModel`, whose validation failures are re-raised as :class:`InputError` too, so a
caller only ever has to catch one error type.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, ParamSpec, Self, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from hccrt.errors import InputError

FloatOrArray = float | np.ndarray
P = ParamSpec("P")
R = TypeVar("R")


def _describe(lo: float | None, lo_incl: bool, hi: float | None, hi_incl: bool) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>=' if lo_incl else '>'} {lo:g}")
    if hi is not None:
        parts.append(f"{'<=' if hi_incl else '<'} {hi:g}")
    return "a finite number " + " and ".join(parts) if parts else "a finite number"


def real(
    value: Any,
    field: str,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
    allowed: str | None = None,
) -> np.ndarray:
    """Return ``value`` as a float64 array (0-d for a scalar) after checking its range.

    Raises :class:`InputError` for booleans, non-numbers, NaN, infinities, empty arrays and
    values outside the bounds. ``allowed`` overrides the generated description of the range.
    """
    lo, lo_incl = (gt, False) if gt is not None else (ge, True)
    hi, hi_incl = (lt, False) if lt is not None else (le, True)
    text = allowed or _describe(lo, lo_incl, hi, hi_incl)
    if isinstance(value, bool | np.bool_ | str | bytes) or value is None:
        raise InputError(field, value, text)
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise InputError(field, value, text) from None
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise InputError(field, value, text)
    if arr.size == 0:
        raise InputError(field, value, text, "empty array")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if lo is not None:
        bad |= (arr < lo) if lo_incl else (arr <= lo)
    if hi is not None:
        bad |= (arr > hi) if hi_incl else (arr >= hi)
    if bad.any():
        if arr.ndim == 0:
            raise InputError(field, float(arr), text)
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        where = idx[0] if len(idx) == 1 else idx
        raise InputError(
            field, float(arr[idx]), text, f"element {where}; {int(bad.sum())} invalid in all"
        )
    return arr


def scalar(value: Any, field: str, **bounds: Any) -> float:
    """Like :func:`real` but the value must be a single number; returns a float."""
    arr = real(value, field, **bounds)
    if arr.ndim != 0:
        raise InputError(field, value, "a single number, not an array")
    return float(arr)


def out(x: np.ndarray | float, *inputs: Any, allow_inf: bool = False) -> FloatOrArray:
    """Return a float when every input was a scalar, else a numpy array.

    A result that is not finite (overflow from physically implausible magnitudes such as
    1e300 GBq) raises :class:`InputError` rather than returning inf or NaN; ``allow_inf``
    lets +inf through where it has a meaning (no ceiling).
    """
    arr = np.asarray(x, dtype=np.float64)
    bad = np.isnan(arr) | (np.isinf(arr) if not allow_inf else np.isneginf(arr))
    if bad.any():
        raise InputError(
            "inputs", [v if np.ndim(v) == 0 else "array" for v in inputs],
            "physically plausible magnitudes whose result is a finite number",
        )
    if all(np.ndim(v) == 0 for v in inputs):
        return float(np.asarray(x))
    return np.asarray(x, dtype=np.float64)


def quiet(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` with numpy floating-point warnings off; :func:`out` checks the result."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with np.errstate(all="ignore"):
            return func(*args, **kwargs)

    return wrapper


def broadcast(field_values: dict[str, np.ndarray]) -> None:
    """Check that arrays broadcast together; name the fields if not."""
    try:
        np.broadcast_shapes(*(v.shape for v in field_values.values()))
    except ValueError:
        shapes = {k: v.shape for k, v in field_values.items()}
        raise InputError(
            ", ".join(field_values), shapes, "arrays of the same length (or scalars)"
        ) from None


def aware(value: Any, field: str) -> datetime:
    """Return a timezone-aware datetime or raise :class:`InputError`."""
    if not isinstance(value, datetime):
        raise InputError(field, value, "a timezone-aware datetime")
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise InputError(
            field, value.isoformat(), "a timezone-aware datetime, e.g. 2026-03-02T09:00+09:00",
            "naive datetimes are refused: the time zone of a calibration label matters",
        )
    return value


def finite(value: float, field: str) -> float:
    if not math.isfinite(value):
        raise InputError(field, value, "a finite number")
    return value


_MODEL_MSG = re.compile(r"^(?:Value error, )?(?P<field>[a-z_][a-z0-9_.]*): (?P<allowed>.*)$", re.S)


def _input_error(exc: ValidationError, model: str) -> InputError:
    """First validation error as an InputError. Model-level validators name their field by
    starting the message with ``"field: "``; the value is then taken from the input."""
    err = exc.errors()[0]
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, InputError):  # a nested model already named the field: keep it
        return inner
    loc = ".".join(str(p) for p in err.get("loc", ()))
    allowed = str(err.get("msg", "a valid value"))
    value = err.get("input")
    if not loc:
        m = _MODEL_MSG.match(allowed)
        if m:
            loc, allowed = m["field"], m["allowed"]
            value = value.get(loc) if isinstance(value, dict) else getattr(value, loc, None)
        else:
            loc, allowed = model, allowed.removeprefix("Value error, ")
            value = "(the model's inputs)"
    n = exc.error_count()
    detail = f"{model}" + (f"; {n} errors in all" if n > 1 else "")
    return InputError(loc, value, allowed, detail)


class StrictModel(BaseModel):
    """Frozen pydantic model that forbids unknown fields and raises :class:`InputError`."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _input_error(exc, type(self).__name__) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:  # type: ignore[override]
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise _input_error(exc, cls.__name__) from None

    @classmethod
    def model_validate_json(  # type: ignore[override]
        cls, json_data: str | bytes, *args: Any, **kwargs: Any
    ) -> Self:
        try:
            return super().model_validate_json(json_data, *args, **kwargs)
        except ValidationError as exc:
            raise _input_error(exc, cls.__name__) from None
