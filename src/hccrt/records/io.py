"""Readers and writers of a :class:`~hccrt.records.RecordSet`: CSV folders and SAS XPT.

This is an I/O module (DESIGN.md: only readers and writers touch files). One file per domain,
named by the lower-case domain code (``dm.csv``, ``supptu.csv``; ``dm.xpt``). Writing validates
first and writes every file to a temporary name before renaming, so a failed write leaves no
half-written set; domain files of an earlier set that the new one lacks are removed, so a
folder holds exactly one RecordSet (other files are left alone). Numbers are written in their
shortest exact form (``1`` not ``1.0``), so ``read_csv_dir(write_csv_dir(rs))`` gives identical
tables.

XPT (SAS transport v5, the FDA submission format) is written with ``pyreadstat`` (a maintained
ReadStat binding) and read with :func:`pyreadstat.read_xport`. Variable names are at most
8 characters and labels at most 40, as v5 requires; the schema's names satisfy both.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from hccrt.errors import InputError
from hccrt.records.recordset import RecordSet, coerce_table
from hccrt.records.schema import DOMAINS

__all__ = ["read_csv_dir", "read_xpt_dir", "write_csv_dir", "write_xpt_dir"]


def _num_text(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    f = float(v)  # type: ignore[arg-type]
    return str(int(f)) if f.is_integer() else repr(f)


def _domain_files(folder: Path, suffix: str) -> dict[str, Path]:
    if not folder.is_dir():
        raise InputError("records folder", str(folder), "an existing directory")
    found: dict[str, Path] = {}
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() != suffix:
            continue
        code = p.stem.upper()
        if code not in DOMAINS:
            raise InputError(f"file {p.name}", code, "a file named by a known domain: "
                             + ", ".join(sorted(DOMAINS)))
        found[code] = p
    return found


def _commit(tmp: dict[Path, Path], root: Path, suffix: str) -> None:
    """Move the temporary files into place, then remove domain files of an earlier set that
    this set does not have (so the folder holds exactly one RecordSet)."""
    for final, temp in tmp.items():
        os.replace(temp, final)
    for p in root.iterdir():
        if p.suffix.lower() == suffix and p.stem.upper() in DOMAINS and p not in tmp:
            p.unlink()


def _cleanup(tmp: dict[Path, Path]) -> None:
    for temp in tmp.values():
        temp.unlink(missing_ok=True)


def write_csv_dir(records: RecordSet, folder: str | Path, validate: bool = True) -> list[Path]:
    """Write every table of ``records`` to ``folder/<domain>.csv``; return the paths written.

    Validates first (``validate=False`` skips it, for exporting a set under repair).
    """
    if validate:
        records.validate()
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    tmp: dict[Path, Path] = {}
    try:
        for code in records:
            df = records[code].copy()
            dom = DOMAINS.get(code)
            for col in df.columns:
                var = dom.variable(col) if dom else None
                if var is not None and var.type == "Num":
                    df[col] = df[col].map(_num_text)
            final = root / f"{code.lower()}.csv"
            temp = root / f".{code.lower()}.csv.tmp"
            tmp[final] = temp
            df.to_csv(temp, index=False, na_rep="", lineterminator="\n")
        _commit(tmp, root, ".csv")
    except BaseException:
        _cleanup(tmp)
        raise
    return list(tmp)


def read_csv_dir(folder: str | Path, validate: bool = True) -> RecordSet:
    """Read every ``<domain>.csv`` in ``folder`` into a RecordSet (validated by default)."""
    tables = {}
    for code, path in _domain_files(Path(folder), ".csv").items():
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        tables[code] = coerce_table(code, df)
    rs = RecordSet(tables)
    return rs.validate() if validate else rs


def write_xpt_dir(records: RecordSet, folder: str | Path, validate: bool = True) -> list[Path]:
    """Write every table to ``folder/<domain>.xpt`` (SAS transport v5) with pyreadstat."""
    import pyreadstat

    if validate:
        records.validate()
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    tmp: dict[Path, Path] = {}
    try:
        for code in records:
            dom = DOMAINS[code]
            df = records[code].copy()
            labels = []
            for col in df.columns:
                var = dom.variable(col)
                labels.append(var.label[:40] if var else col)
                if var is None or var.type == "Char":
                    df[col] = df[col].astype(object).where(df[col].notna(), "")
            final = root / f"{code.lower()}.xpt"
            temp = root / f".{code.lower()}.xpt.tmp"
            tmp[final] = temp
            pyreadstat.write_xport(df, str(temp), file_label=dom.label[:40],
                                   column_labels=labels, table_name=code,
                                   file_format_version=5)
        _commit(tmp, root, ".xpt")
    except BaseException:
        _cleanup(tmp)
        raise
    return list(tmp)


def read_xpt_dir(folder: str | Path, validate: bool = True) -> RecordSet:
    """Read every ``<domain>.xpt`` in ``folder`` into a RecordSet (validated by default)."""
    import pyreadstat

    tables = {}
    for code, path in _domain_files(Path(folder), ".xpt").items():
        df, _ = pyreadstat.read_xport(str(path))
        dom = DOMAINS[code]
        for col in df.columns:
            var = dom.variable(col.upper())
            if var is None or var.type == "Char":
                df[col] = df[col].astype(object).where(df[col] != "", None)
        tables[code] = coerce_table(code, df)
    rs = RecordSet(tables)
    return rs.validate() if validate else rs
