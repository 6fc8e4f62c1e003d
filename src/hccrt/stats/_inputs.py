"""Input handling shared by the estimators: arrays or DataFrame columns -> validated numpy.

Every estimator accepts either arrays, or a DataFrame passed as ``data=`` with the other
arguments naming its columns. Bad input raises :class:`hccrt.errors.InputError` naming the
argument, the offending value and what is allowed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from hccrt.errors import InputError

ArrayLike = Any  # numpy array, pandas Series, list, or a column name when ``data`` is given

CONF_TYPES = ("log-log", "log", "plain")


def column(data: pd.DataFrame | None, value: ArrayLike, field: str) -> np.ndarray:
    """Return ``value`` as a 1-D numpy array, looking it up in ``data`` if it is a name."""
    if data is not None:
        if not isinstance(data, pd.DataFrame):
            raise InputError("data", type(data).__name__, "a pandas DataFrame or None")
        if isinstance(value, str):
            if value not in data.columns:
                raise InputError(field, value, f"a column of data: {list(data.columns)}")
            return data[value].to_numpy()
    if isinstance(value, str):
        raise InputError(field, value, "an array, or a column name together with data=")
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise InputError(field, f"array of shape {arr.shape}", "a one-dimensional array")
    return arr


def as_time(data: pd.DataFrame | None, value: ArrayLike, field: str = "time") -> np.ndarray:
    """Follow-up times: finite, non-negative floats, at least one."""
    arr = column(data, value, field)
    try:
        t = arr.astype(np.float64, copy=False)
    except (TypeError, ValueError) as exc:
        raise InputError(field, arr[:5].tolist(), "numbers") from exc
    if t.size == 0:
        raise InputError(field, "empty", "at least one observation")
    bad = ~np.isfinite(t) | (t < 0)
    if bad.any():
        raise InputError(field, t[bad][0].item(), "finite numbers >= 0 (no missing values)")
    return t


def as_event(
    data: pd.DataFrame | None, value: ArrayLike, n: int, field: str = "event"
) -> np.ndarray:
    """Event indicators 0/1 (or booleans) as float64."""
    if value is None:
        return np.ones(n)
    arr = column(data, value, field)
    if arr.dtype == bool:
        e = arr.astype(np.float64)
    else:
        try:
            e = arr.astype(np.float64, copy=False)
        except (TypeError, ValueError) as exc:
            raise InputError(field, arr[:5].tolist(), "0/1 or booleans") from exc
        bad = (e != 0) & (e != 1)
        if bad.any():
            raise InputError(field, e[bad][0].item(), "0 (censored) or 1 (event)")
    if e.size != n:
        raise InputError(field, f"length {e.size}", f"same length as time ({n})")
    return e


def as_weights(
    data: pd.DataFrame | None, value: ArrayLike | None, n: int, field: str = "weights"
) -> np.ndarray | None:
    """Case weights: finite and > 0, or None."""
    if value is None:
        return None
    w = column(data, value, field)
    try:
        w = w.astype(np.float64, copy=False)
    except (TypeError, ValueError) as exc:
        raise InputError(field, w[:5].tolist(), "positive numbers") from exc
    if w.size != n:
        raise InputError(field, f"length {w.size}", f"same length as time ({n})")
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        raise InputError(field, w[bad][0].item(), "finite numbers > 0")
    return w


def as_labels(
    data: pd.DataFrame | None, value: ArrayLike | None, n: int, field: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """Group or stratum labels -> (codes 0..K-1 as int16/int32, sorted level values)."""
    if value is None:
        return None
    arr = column(data, value, field)
    if arr.size != n:
        raise InputError(field, f"length {arr.size}", f"same length as time ({n})")
    if arr.dtype.kind in "biu" and arr.size:
        # integer labels (the usual 0/1 arm): factorize by counting, O(n), no hashing
        a = arr.astype(np.int64, copy=False)
        lo, hi = int(a.min()), int(a.max())
        if hi - lo < 1_000_000:
            present = np.flatnonzero(np.bincount(a - lo))
            dtype = np.int16 if present.size < 32000 else np.int32
            lut = np.zeros(hi - lo + 1, dtype=dtype)
            lut[present] = np.arange(present.size, dtype=dtype)
            return lut[a - lo], (present + lo).astype(arr.dtype)
    if pd.isna(pd.Series(arr)).any():
        raise InputError(field, "missing value", "a label for every observation")
    codes, levels = pd.factorize(pd.Series(arr), sort=True)
    dtype = np.int16 if len(levels) < 32000 else np.int32
    return codes.astype(dtype), np.asarray(levels)


def check_conf(conf_type: str, conf_level: float) -> float:
    """Validate the CI options and return the normal quantile z_{1-alpha/2}."""
    if conf_type not in CONF_TYPES:
        raise InputError("conf_type", conf_type, " | ".join(CONF_TYPES))
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise InputError("conf_level", conf_level, "a number strictly between 0 and 1")
    return float(norm.ppf(0.5 + conf_level / 2))


def check_names(names: Sequence[str], field: str) -> list[str]:
    """A non-empty list of column names."""
    out = list(names)
    if not out or not all(isinstance(x, str) and x for x in out):
        raise InputError(field, names, "a non-empty list of column names")
    return out
