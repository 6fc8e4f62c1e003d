"""Constants and date helpers shared by the cohort generator's stages."""

from __future__ import annotations

from typing import Any

import numpy as np

from hccrt.errors import InputError
from hccrt.protocols.schema import InterventionKind

MONTH = 365.25 / 12
LN2 = np.log(2.0)
Y90_KINDS = (InterventionKind.Y90_GLASS, InterventionKind.Y90_RESIN, InterventionKind.Y90)


def _iso(d: np.ndarray) -> np.ndarray:
    """ISO 8601 text of datetime64[D] values (None for NaT)."""
    d = np.asarray(d, dtype="datetime64[D]")
    s = np.datetime_as_string(d, unit="D").astype(object)
    s[np.isnat(d)] = None
    return s


def _days(n: np.ndarray | float) -> np.ndarray:
    return np.round(np.asarray(n, dtype=float)).astype(np.int64).astype("timedelta64[D]")


def _dd(a: Any, b: Any) -> np.ndarray:
    """Days from ``b`` to ``a`` (arrays of dates) as float, NaN where either is missing."""
    a = np.asarray(a).astype("datetime64[D]")
    b = np.asarray(b).astype("datetime64[D]")
    out = (a - b).astype(np.int64).astype(float)
    out[np.isnat(a) | np.isnat(b)] = np.nan
    return out


def _check_int(value: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InputError(name, value, f"an integer in [{lo}, {hi}]")
    if not lo <= int(value) <= hi:
        raise InputError(name, value, f"an integer in [{lo}, {hi}]")
    return int(value)
