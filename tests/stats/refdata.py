"""Helpers to read the R reference values and compare with them.

Reference values come from R (scripts and their JSON outputs in tests/reference/). The
``r_reference`` marker selects tests that rerun R; they skip unless ``Rscript`` is on PATH.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

REF = Path(__file__).resolve().parents[1] / "reference"
RTOL = 1e-6


def load_ref(name: str, directory: Path = REF) -> dict:
    return json.loads((directory / f"{name}.json").read_text())


def load_data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / "data" / f"{name}.csv")


def as_float(values) -> np.ndarray:
    if not isinstance(values, list):
        values = [values]
    special = {"NA": np.nan, "NaN": np.nan, "Inf": np.inf, "-Inf": -np.inf, None: np.nan}
    return np.array([special[v] if v is None or isinstance(v, str) else v for v in values], float)


def assert_close(ours, theirs, rtol: float = RTOL, atol: float = 1e-12, what: str = "") -> None:
    """Relative agreement to ``rtol`` with NaN (R's NA) required in the same places."""
    a = np.asarray(ours, dtype=float).ravel()
    b = as_float(theirs) if not isinstance(theirs, np.ndarray) else theirs.astype(float).ravel()
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
