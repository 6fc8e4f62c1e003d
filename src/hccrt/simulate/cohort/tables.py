"""Record accumulation: column arrays per SDTM domain, built into DataFrames at the end."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hccrt.records.recordset import frame


class _Tables:
    """Accumulates column arrays per domain; builds one DataFrame per domain at the end."""

    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[int, dict[str, Any]]]] = {}

    def add(self, code: str, **cols: Any) -> None:
        n = max((len(v) for v in cols.values() if isinstance(v, np.ndarray | list)), default=0)
        if n:
            self.parts.setdefault(code, []).append((n, cols))

    @staticmethod
    def _column(n: int, value: Any) -> np.ndarray:
        if isinstance(value, np.ndarray | list):
            arr = np.asarray(value)
            return arr if arr.dtype.kind in "fiub" else arr.astype(object)
        if value is None or isinstance(value, str):
            return np.full(n, value, dtype=object)
        return np.full(n, float(value))

    def build(self, studyid: str, codes: tuple[str, ...] | None = None
              ) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        for code, parts in self.parts.items():
            if codes is not None and code not in codes:
                continue
            names: list[str] = []
            for _, cols in parts:
                names += [c for c in cols if c not in names]
            total = sum(n for n, _ in parts)
            data: dict[str, np.ndarray] = {
                "STUDYID": np.full(total, studyid, dtype=object),
                "RDOMAIN" if code.startswith("SUPP") else "DOMAIN":
                    np.full(total, code[4:] if code.startswith("SUPP") else code, dtype=object),
            }
            for name in names:
                arrays = [self._column(n, cols.get(name)) for n, cols in parts]
                if all(a.dtype.kind in "fiub" for a in arrays):
                    data[name] = np.concatenate([a.astype(float) for a in arrays])
                else:
                    arrays = [a if a.dtype == object else _num_obj(a) for a in arrays]
                    data[name] = np.concatenate(arrays)
            df = frame(data)
            if code not in ("DM", "SV") and not code.startswith("SUPP"):
                dtc = [c for c in df.columns if c.endswith("DTC")]
                order = ["USUBJID", *dtc[:1]] if dtc else ["USUBJID"]
                df = df.sort_values(order, kind="stable", na_position="last")
                df = df.reset_index(drop=True)
                df.insert(3, f"{code}SEQ", (df.groupby("USUBJID").cumcount() + 1).astype(float))
            out[code] = df
        return out


def _num_obj(a: np.ndarray) -> np.ndarray:
    """Numbers as object values, NaN as None (for a column mixing text and numbers)."""
    o = a.astype(object)
    if a.dtype.kind == "f":
        o[np.isnan(a)] = None
    return o
