"""ADaM datasets as SAS transport (XPT) version 5 files, the FDA submission format.

SAS transport v5 (SAS TS-140) limits what a file can hold, and a writer that silently truncates
would corrupt a submission. :func:`xpt_problems` lists every breach and :func:`write_adam_xpt`
refuses (``InputError``) rather than truncate:

* dataset and variable names: at most 8 characters, a letter then letters, digits or ``_``;
* variable labels: at most 40 characters; the dataset label too;
* character values: at most 200 bytes (ASCII here: v5 has no declared encoding);
* PARAMCD values: at most 8 characters, letter first, letters, digits and ``_`` only, and one
  PARAM per PARAMCD where PARAM is present (CDISC ADaM IG 1.3 section 3.3.4).

Dates are written as SAS dates (days since 1960-01-01, format DATE9.) by pyreadstat, date-times
with a time of day as SAS date-times; nullable
integers as numbers. Files are written to a temporary name and renamed, so a failed run leaves
no half-written dataset.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hccrt.errors import InputError

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,7}$")
PARAMCD = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")
MAX_LABEL = 40
MAX_CHAR = 200

#: Dataset labels (at most 40 characters).
DATASET_LABELS = {
    "ADSL": "Subject-Level Analysis Dataset",
    "ADRS": "Response Analysis Dataset",
    "ADTTE": "Time-to-Event Analysis Dataset",
    "ADAE": "Adverse Events Analysis Dataset",
    "ADLB": "Laboratory Analysis Dataset",
    "ADSC": "Clinical Scores Analysis Dataset",
    "ADQS": "Questionnaire Analysis Dataset",
    "ADLF": "Regional Liver Function Analysis Dataset",
}

#: Labels of the common ADaM variables (ADaM IG 1.3 / OCCDS wording, at most 40 characters);
#: other variables are labelled with their name.
VARIABLE_LABELS = {
    "STUDYID": "Study Identifier",
    "USUBJID": "Unique Subject Identifier",
    "SUBJID": "Subject Identifier for the Study",
    "SITEID": "Study Site Identifier",
    "PARAMCD": "Parameter Code",
    "PARAM": "Parameter",
    "PARCAT1": "Parameter Category 1",
    "PARCAT2": "Parameter Category 2",
    "PARCAT3": "Parameter Category 3",
    "AVAL": "Analysis Value",
    "AVALC": "Analysis Value (C)",
    "BASE": "Baseline Value",
    "CHG": "Change from Baseline",
    "PCHG": "Percent Change from Baseline",
    "ABLFL": "Baseline Record Flag",
    "ADT": "Analysis Date",
    "ADY": "Analysis Relative Day",
    "AVISIT": "Analysis Visit",
    "AVISITN": "Analysis Visit (N)",
    "STARTDT": "Time-to-Event Origin Date for Subject",
    "CNSR": "Censor",
    "EVNTDESC": "Event or Censoring Description",
    "CNSDTDSC": "Censor Date Description",
    "SRCDOM": "Source Data",
    "SRCVAR": "Source Variable",
    "SRCSEQ": "Source Sequence Number",
    "TRT01P": "Planned Treatment for Period 01",
    "TRT01A": "Actual Treatment for Period 01",
    "TRTSDT": "Date of First Exposure to Treatment",
    "TRTEDT": "Date of Last Exposure to Treatment",
    "RANDDT": "Date of Randomization",
    "ITTFL": "Intent-To-Treat Population Flag",
    "SAFFL": "Safety Population Flag",
    "ANL01FL": "Analysis Flag 01",
    "ANL02FL": "Analysis Flag 02",
    "TRTEMFL": "Treatment Emergent Analysis Flag",
    "ATOXGR": "Analysis Toxicity Grade",
    "BTOXGR": "Baseline Toxicity Grade",
    "AGE": "Age",
    "SEX": "Sex",
    "DTHDT": "Date of Death",
    "DTHFL": "Subject Death Flag",
}


def _label(name: str) -> str:
    return VARIABLE_LABELS.get(name, name)


def _char_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if df[c].dtype == object or pd.api.types.is_string_dtype(df[c])]


def xpt_problems(name: str, df: pd.DataFrame) -> list[str]:
    """Every way ``df`` would not fit a SAS transport v5 dataset named ``name`` (empty: fits)."""
    out = []
    if not NAME.match(name):
        out.append(f"dataset name {name!r}: at most 8 characters, a letter first")
    if len(DATASET_LABELS.get(name, name)) > MAX_LABEL:
        out.append(f"{name} label longer than {MAX_LABEL} characters")
    for col in df.columns:
        if not isinstance(col, str) or not NAME.match(col):
            out.append(f"{name}.{col}: variable name not 1-8 characters, letter first")
        if len(_label(str(col))) > MAX_LABEL:
            out.append(f"{name}.{col}: label longer than {MAX_LABEL} characters")
    for col in _char_columns(df):
        s = df[col].dropna().astype(str)
        if s.empty:
            continue
        nbytes = s.str.encode("utf-8").str.len()
        if int(nbytes.max()) > MAX_CHAR:
            v = s[nbytes.idxmax()]
            out.append(f"{name}.{col}: value of {int(nbytes.max())} bytes (> {MAX_CHAR}): "
                       f"{v[:60]!r}...")
        if not s.map(str.isascii).all():
            out.append(f"{name}.{col}: non-ASCII value {s[~s.map(str.isascii)].iloc[0]!r}")
    if "PARAMCD" in df.columns and len(df):
        codes = df["PARAMCD"].dropna().astype(str).unique()
        bad = [c for c in codes if not PARAMCD.match(c)]
        if bad:
            out.append(f"{name}.PARAMCD: {bad} not 1-8 characters A-Z, 0-9, _ (letter first)")
        if "PARAM" in df.columns:
            per = df[["PARAMCD", "PARAM"]].dropna().drop_duplicates().groupby("PARAMCD").size()
            if (per > 1).any():
                out.append(f"{name}.PARAMCD: {list(per[per > 1].index)} name several PARAMs")
    return out


def _xpt_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Columns in types pyreadstat writes: text as str ('' for missing), dates as
    ``datetime.date`` (a SAS date, DATE9.), numbers as float64 (nullable integers and
    booleans become numbers)."""
    out = {}
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_datetime64_any_dtype(s) and (
                pd.to_datetime(s).dropna().dt.normalize() == pd.to_datetime(s).dropna()).all():
            d = pd.to_datetime(s)
            out[col] = pd.Series([x.date() if pd.notna(x) else None for x in d],
                                 index=df.index, dtype=object)
        elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            out[col] = pd.to_numeric(s, errors="coerce").astype(np.float64)
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str)
    return pd.DataFrame(out, index=df.index)


def write_adam_xpt(datasets: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each dataset to ``folder/<name lower-case>.xpt`` (SAS transport v5).

    Raises :class:`InputError` listing every limit a dataset breaches (nothing is written).
    """
    import pyreadstat

    problems = [p for name, df in datasets.items() for p in xpt_problems(name, df)]
    if problems:
        raise InputError("datasets", problems[0], "SAS transport v5 limits (see hccrt."
                         "endpoints.xpt)", "; ".join(problems[1:6]) or None)
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, Path]] = []
    try:
        for name, df in datasets.items():
            final = root / f"{name.lower()}.xpt"
            temp = root / f".{name.lower()}.xpt.tmp"
            frame = _xpt_frame(df)
            pyreadstat.write_xport(frame, str(temp), file_label=DATASET_LABELS.get(name, name),
                                   column_labels=[_label(c) for c in frame.columns],
                                   table_name=name, file_format_version=5)
            written.append((temp, final))
        for temp, final in written:
            temp.replace(final)
    except BaseException:
        for temp, _ in written:
            temp.unlink(missing_ok=True)
        raise
    return [final for _, final in written]
