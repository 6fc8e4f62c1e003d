"""Grading a table of laboratory results (:func:`grade_lab_table`), vectorized by analyte."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from hccrt.clinical.ctcae.aliases import TEST_ALIASES, _key
from hccrt.clinical.ctcae.kernel import (
    _R_OK,
    _R_TEST,
    _R_UNIT,
    NOT_GRADABLE_REASONS,
    _grade_analyte,
    _Inputs,
)
from hccrt.clinical.ctcae.terms import _ANALYTE_TERMS, TERMS
from hccrt.errors import InputError, UnitError
from hccrt.units import CANONICAL_UNIT, convert, normalize_unit

_ROLES = (
    "test",
    "value",
    "unit",
    "lln",
    "uln",
    "baseline",
    "baseline_abnormal",
    "direction",
    "anticoagulated",
    "symptomatic",
    "life_threatening",
    "fatal",
)


def _numeric_column(df: pd.DataFrame, col: str, role: str, positive: bool) -> np.ndarray:
    series = df[col]
    if series.dtype == bool:
        raise InputError(col, "boolean column", "numbers (NaN or empty when missing)")
    arr = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(arr) & series.notna().to_numpy()
    lower_ok = (arr > 0) if positive else (arr >= 0)
    bad |= ~np.isnan(arr) & (~np.isfinite(arr) | ~lower_ok)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        allowed = "a finite number > 0" if positive else "a finite number >= 0"
        raise InputError(col, series.iloc[pos], allowed + " or empty", f"{role}, row {pos}")
    return arr


def _flag_column(df: pd.DataFrame, col: str | None, n: int, *, tristate: bool) -> np.ndarray:
    if col is None:
        return np.full(n, np.nan) if tristate else np.zeros(n, dtype=bool)
    series = df[col]
    allowed = "True/False, 1/0, Y/N" + (", HIGH/NORMAL/LOW" if tristate else "") + " or empty"
    if series.dtype == bool:
        arr = series.to_numpy(dtype=float)
    elif pd.api.types.is_numeric_dtype(series.dtype):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isnan(arr) & (arr != 0.0) & (arr != 1.0)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise InputError(col, series.iloc[pos], allowed, f"row {pos}")
    else:
        mapping: dict[Any, float] = {True: 1.0, False: 0.0, "Y": 1.0, "N": 0.0}
        mapping |= {"y": 1.0, "n": 0.0, "TRUE": 1.0, "FALSE": 0.0, "True": 1.0, "False": 0.0}
        if tristate:
            mapping |= {"HIGH": 1.0, "NORMAL": 0.0, "LOW": 0.0}
        arr = series.map(mapping).to_numpy(dtype=float, na_value=np.nan)
        bad = np.isnan(arr) & series.notna().to_numpy()
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise InputError(col, series.iloc[pos], allowed, f"row {pos}")
    if tristate:
        return arr
    return arr == 1.0


def grade_lab_table(
    df: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Grade a table of lab results with CTCAE v5.0 (vectorized; one row per result).

    Column roles (default column name = role name; rename with ``columns``, e.g.
    ``{"test": "LBTESTCD", "value": "LBSTRESN", "unit": "LBSTRESU", "lln": "LBSTNRLO",
    "uln": "LBSTNRHI", "baseline": "BASE", "baseline_abnormal": "BNRIND"}``):

    - ``test`` and ``value`` are required; ``unit`` is required except for INR-only tables.
    - ``lln``, ``uln``, ``baseline`` are in the row's unit; empty = missing.
    - ``baseline_abnormal``: True/False, 1/0, Y/N or HIGH/NORMAL/LOW; empty = derive.
    - ``direction``: ``low``/``high``/empty (sodium, potassium).
    - ``anticoagulated``, ``symptomatic``, ``life_threatening``, ``fatal``: True/False, 1/0,
      Y/N; absent or empty = False. Their meaning is the same as in :func:`grade_lab`.

    Returns a DataFrame with the input's index and columns ``ctcae_term``, ``ctcae_grade``
    (nullable Int64; <NA> when not gradable), ``ctcae_direction`` and ``ctcae_reason``
    (empty when graded). Tests that are not CTCAE-graded here get ``<NA>`` with a reason; a
    missing or unconvertible unit gives ``<NA>`` with a reason. A negative, infinite or
    non-numeric value or limit raises :class:`InputError` naming the column and row.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError("df", type(df).__name__, "a pandas DataFrame")
    names = {role: role for role in _ROLES}
    if columns is not None:
        for role, col in columns.items():
            if role not in names:
                raise InputError("columns", role, "roles: " + ", ".join(_ROLES))
            names[role] = col
    present = {role: (col if col in df.columns else None) for role, col in names.items()}
    for role in ("test", "value"):
        if present[role] is None:
            raise InputError("columns", names[role], f"a column for the {role!r} role")
    n = len(df)

    test_codes, test_uniques = pd.factorize(df[present["test"]], use_na_sentinel=True)
    # analyte index per unique test (-1 when not graded)
    analytes = sorted(_ANALYTE_TERMS)
    uniq_analyte = np.full(len(test_uniques) + 1, -1, dtype=np.int16)
    uniq_term_override: dict[int, str] = {}
    for i, name in enumerate(test_uniques):
        target = TEST_ALIASES.get(_key(name)) if isinstance(name, str) else None
        if target is None:
            continue
        if target in TERMS:
            uniq_term_override[i] = target
            target = TERMS[target].analyte
        uniq_analyte[i] = analytes.index(target)
    row_analyte = uniq_analyte[test_codes]  # -1 sentinel maps to last (= -1)

    value = _numeric_column(df, present["value"], "value", positive=False)
    uln = _numeric_column(df, present["uln"], "uln", True) if present["uln"] else np.full(n, np.nan)
    lln = _numeric_column(df, present["lln"], "lln", True) if present["lln"] else np.full(n, np.nan)
    base = (
        _numeric_column(df, present["baseline"], "baseline", False)
        if present["baseline"]
        else np.full(n, np.nan)
    )
    inverted = ~np.isnan(lln) & ~np.isnan(uln) & (lln > uln)
    if inverted.any():
        pos = int(np.flatnonzero(inverted)[0])
        raise InputError(present["lln"], lln[pos], f"<= ULN ({uln[pos]})", f"row {pos}")

    # unit factor to the analyte's canonical unit, per (analyte, unit) pair
    factor = np.full(n, np.nan)
    if present["unit"] is not None:
        unit_codes, unit_uniques = pd.factorize(df[present["unit"]], use_na_sentinel=True)
    else:
        unit_codes, unit_uniques = np.full(n, -1, dtype=np.intp), pd.Index([])
    pair = (row_analyte.astype(np.int64) + 1) * (len(unit_uniques) + 1) + (unit_codes + 1)
    pair_uniques, pair_inverse = np.unique(pair, return_inverse=True)
    pair_factor = np.full(len(pair_uniques), np.nan)
    grading_units: list[str | None] = [None]  # index 0: canonical unit
    pair_grading = np.zeros(len(pair_uniques), dtype=np.int8)
    for j, p in enumerate(pair_uniques):
        a_idx, u_idx = divmod(int(p), len(unit_uniques) + 1)
        a_idx -= 1
        u_idx -= 1
        if a_idx < 0:
            continue
        analyte = analytes[a_idx]
        target = CANONICAL_UNIT[analyte]
        if u_idx < 0:
            pair_factor[j] = 1.0 if target == "1" else np.nan
            continue
        unit_text = unit_uniques[u_idx]
        if not isinstance(unit_text, str):
            continue
        try:
            canonical_unit = normalize_unit(unit_text)
            special = [TERMS[k].unit_cuts for k in _ANALYTE_TERMS[analyte] if TERMS[k].unit_cuts]
            if special and canonical_unit in special[0]:
                if canonical_unit not in grading_units:
                    grading_units.append(canonical_unit)
                pair_grading[j] = grading_units.index(canonical_unit)
                pair_factor[j] = 1.0
            else:
                pair_factor[j] = float(convert(1.0, unit_text, target, analyte=analyte))
        except UnitError:
            pair_factor[j] = np.nan
    factor = pair_factor[pair_inverse.reshape(-1)]
    row_grading = pair_grading[pair_inverse.reshape(-1)]

    direction = np.zeros(n, dtype=np.int8)  # 0 both, 1 low, 2 high
    if present["direction"] is not None:
        dser = df[present["direction"]]
        dmap = {"low": 1, "high": 2, "L": 1, "H": 2, "LOW": 1, "HIGH": 2}
        mapped = dser.map(dmap).to_numpy(dtype=float, na_value=np.nan)
        bad_dir = np.isnan(mapped) & dser.notna().to_numpy()
        if bad_dir.any():
            pos = int(np.flatnonzero(bad_dir)[0])
            raise InputError(present["direction"], dser.iloc[pos], "low/high or empty")
        direction = np.nan_to_num(mapped, nan=0.0).astype(np.int8)

    flags = {
        "baseline_abnormal": _flag_column(df, present["baseline_abnormal"], n, tristate=True),
        "anticoagulated": _flag_column(df, present["anticoagulated"], n, tristate=False),
        "symptomatic": _flag_column(df, present["symptomatic"], n, tristate=False),
        "life_threatening": _flag_column(df, present["life_threatening"], n, tristate=False),
        "fatal": _flag_column(df, present["fatal"], n, tristate=False),
    }

    # term labels: codes into term_labels
    term_labels: list[str] = []
    label_index: dict[str, int] = {}

    def label(text: str) -> int:
        if text not in label_index:
            label_index[text] = len(term_labels)
            term_labels.append(text)
        return label_index[text]

    out_grade = np.full(n, np.nan)
    out_reason = np.full(n, _R_TEST, dtype=np.int8)
    out_term = np.full(n, -1, dtype=np.int32)
    out_dir = np.zeros(n, dtype=np.int8)  # 0 none, 1 low, 2 high

    # term overrides (a row naming e.g. "hyponatremia") act as a direction choice
    override_dir = np.zeros(len(test_uniques) + 1, dtype=np.int8)
    for i, key in uniq_term_override.items():
        override_dir[i] = 1 if TERMS[key].direction == "low" else 2
    row_override = override_dir[test_codes]
    direction = np.where(row_override > 0, row_override, direction)

    # one pass per (analyte, direction choice, grading unit) group present in the table
    n_g = len(grading_units)
    group = (row_analyte.astype(np.int64) * 3 + direction) * n_g + row_grading
    graded_rows = row_analyte >= 0
    order = np.flatnonzero(graded_rows)
    order = order[np.argsort(group[order], kind="stable")]
    group_ids, starts = np.unique(group[order], return_index=True)
    bounds = [*starts.tolist(), order.size]
    for gi, gid in enumerate(group_ids.tolist()):
        rows = order[bounds[gi] : bounds[gi + 1]]
        a_idx, rest = divmod(gid, 3 * n_g)
        dcode, gcode = divmod(rest, n_g)
        analyte = analytes[a_idx]
        keys = _ANALYTE_TERMS[analyte]
        if dcode:
            want = "low" if dcode == 1 else "high"
            keys = tuple(k for k in keys if TERMS[k].direction == want)
        if not keys:
            raise InputError(
                present["direction"] or "direction",
                "low" if dcode == 1 else "high",
                f"the direction graded for {analyte}",
                f"row {int(rows[0])}",
            )
        f = factor[rows]
        unit_bad = np.isnan(f)
        x = _Inputs(
            value=value[rows] * f,
            uln=uln[rows] * f,
            lln=lln[rows] * f,
            baseline=base[rows] * f,
            baseline_abnormal=flags["baseline_abnormal"][rows],
            anticoagulated=flags["anticoagulated"][rows],
            symptomatic=flags["symptomatic"][rows],
            life_threatening=flags["life_threatening"][rows],
            fatal=flags["fatal"][rows],
        )
        grade, reason, which = _grade_analyte(keys, x, grading_units[gcode])
        value_missing = np.isnan(value[rows])
        reason = np.where(unit_bad & ~value_missing, _R_UNIT, reason).astype(np.int8)
        grade = np.where(reason == _R_OK, grade, np.nan)
        both_label = label(" / ".join(TERMS[k].term for k in keys))
        term_codes = np.full(rows.size, both_label, dtype=np.int32)
        dir_codes = np.zeros(rows.size, dtype=np.int8)
        for w, key in enumerate(keys):
            sel = which == w
            term_codes[sel] = label(TERMS[key].term)
            graded_abnormal = sel & (reason == _R_OK) & (grade >= 1)
            dir_codes[graded_abnormal] = 1 if TERMS[key].direction == "low" else 2
            if len(keys) == 1:
                dir_codes[sel & (reason == _R_OK)] = 1 if TERMS[key].direction == "low" else 2
        out_grade[rows] = grade
        out_reason[rows] = reason
        out_term[rows] = term_codes
        out_dir[rows] = dir_codes

    grade_series = pd.array(
        np.where(np.isnan(out_grade), 0, out_grade).astype(np.int64), dtype="Int64"
    )
    grade_series[np.isnan(out_grade)] = pd.NA
    result = pd.DataFrame(
        {
            "ctcae_term": pd.Categorical.from_codes(out_term, categories=term_labels or ["-"])
            if term_labels
            else pd.Categorical([None] * n),
            "ctcae_grade": grade_series,
            "ctcae_direction": pd.Categorical.from_codes(
                np.where(out_dir == 0, -1, out_dir - 1), categories=["low", "high"]
            ),
            "ctcae_reason": pd.Categorical.from_codes(
                out_reason.astype(np.int16), categories=list(NOT_GRADABLE_REASONS)
            ),
        },
        index=df.index,
    )
    return result
