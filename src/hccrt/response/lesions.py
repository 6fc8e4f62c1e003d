"""Lesion model: the long lesion-assessment table every response derivation reads.

One row is one lesion, seen by one reader (evaluator) at one assessment (visit). The table is
SDTM TU/TR shaped (see :mod:`hccrt.response.sdtm` for the mapping) but uses plain column names:

================== ======== ==============================================================
column             required meaning
================== ======== ==============================================================
subject            yes      subject id (USUBJID)
evaluator          yes      reader: INVESTIGATOR, RADIOLOGIST 1, RADIOLOGIST 2, ADJUDICATOR
visit              no       assessment label; defaults to the ISO date
visitnum           no       assessment order; defaults to the date order
date               yes      date of the assessment (datetime64 or ISO string)
lesion_id          yes      lesion id, stable across visits (TULNKID: T01, NT01, NEW01)
role               yes      TARGET, NON-TARGET or NEW
site               no       organ/site (TULOC); LIVER for intrahepatic lesions
segment            no       Couinaud segment 1-8 (liver lesions)
nodal              no       lymph node (RECIST: short axis measured); default site == LYMPH NODE
longest_diameter   no       mm, longest diameter (non-nodal lesions)
short_axis         no       mm, short axis (lymph nodes)
viable_diameter    no       mm, longest diameter of the arterially enhancing part (mRECIST)
typical_hcc        no       typical HCC enhancement (arterial hyperenhancement + washout)
in_treated_area    no       lesion lies inside the treated area (localized criteria)
pvt                no       the lesion is a malignant portal vein thrombosis
effusion           no       the lesion is an ascites / pleural effusion
cytology_positive  no       malignant cytology of that effusion
status             no       PRESENT, ABSENT, NOT EVALUABLE, TOO SMALL TO MEASURE,
                            EQUIVOCAL, UNEQUIVOCAL (progression, non-target and new lesions)
================== ======== ==============================================================

Conventions (Eisenhauer et al., Eur J Cancer 2009;45:228-247, "RECIST 1.1", and the EORTC RECIST
clarifications): a lesion present but too small to measure counts 5 mm; a lesion that has
disappeared counts 0 mm; a target lesion that was not assessed makes the target response NE
unless progression is already certain.

:func:`validate_lesions` checks the table and returns it normalised. Each breach names the
subject, reader, field, the value and what is allowed. With ``errors="raise"`` the first breach
raises :class:`~hccrt.errors.InputError`; with ``errors="flag"`` breaches are returned as an
issues table and the affected (subject, evaluator) pairs are excluded from derivation (their
assessments then come out NE with the reason), so that nothing is silently derived from bad data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd

from hccrt.errors import InputError


class Role(StrEnum):
    """Role of a lesion (RECIST 1.1 section 3.3)."""

    TARGET = "TARGET"
    NON_TARGET = "NON-TARGET"
    NEW = "NEW"


class Status(StrEnum):
    """Status of a lesion at one assessment."""

    PRESENT = "PRESENT"
    ABSENT = "ABSENT"
    NOT_EVALUABLE = "NOT EVALUABLE"
    TOO_SMALL = "TOO SMALL TO MEASURE"
    EQUIVOCAL = "EQUIVOCAL"
    UNEQUIVOCAL = "UNEQUIVOCAL"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)
STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
#: Accepted spellings of statuses, mapped to the canonical value.
STATUS_ALIASES: dict[str, str] = {
    "NE": Status.NOT_EVALUABLE.value,
    "NOT ASSESSED": Status.NOT_EVALUABLE.value,
    "NOT DONE": Status.NOT_EVALUABLE.value,
    "TOO SMALL": Status.TOO_SMALL.value,
    "UNEQUIVOCAL PROGRESSION": Status.UNEQUIVOCAL.value,
}

REQUIRED_COLUMNS: tuple[str, ...] = ("subject", "evaluator", "date", "lesion_id", "role")
DIAMETER_COLUMNS: tuple[str, ...] = ("longest_diameter", "short_axis", "viable_diameter")
FLAG_COLUMNS: tuple[str, ...] = (
    "typical_hcc",
    "in_treated_area",
    "pvt",
    "effusion",
    "cytology_positive",
)
#: Largest diameter accepted, in mm (a 1 m lesion is a unit error, not a tumour).
MAX_DIAMETER_MM = 1000.0
#: Measurement recorded for a lesion present but too small to measure (RECIST 1.1 clarifications).
TOO_SMALL_MM = 5.0

ISSUE_COLUMNS: list[str] = ["subject", "evaluator", "field", "value", "allowed", "detail"]


@dataclass(frozen=True)
class LesionAssessment:
    """One lesion at one assessment, for callers that build the table row by row.

    Validation happens on the whole table (:func:`validate_lesions`), where cross-row rules
    (baseline, duplicates, date order) can be checked; ``to_frame`` builds that table.
    """

    subject: str
    evaluator: str
    date: str
    lesion_id: str
    role: str
    visit: str | None = None
    visitnum: float | None = None
    site: str | None = None
    segment: int | None = None
    nodal: bool | None = None
    longest_diameter: float | None = None
    short_axis: float | None = None
    viable_diameter: float | None = None
    typical_hcc: bool | None = None
    in_treated_area: bool | None = None
    pvt: bool | None = None
    effusion: bool | None = None
    cytology_positive: bool | None = None
    status: str | None = None

    @staticmethod
    def to_frame(rows: list[LesionAssessment]) -> pd.DataFrame:
        """The lesion table of these rows (columns as in the module docstring)."""
        return pd.DataFrame([r.__dict__ for r in rows])


class _Collector:
    """Collects breaches; raises the first one in ``raise`` mode."""

    def __init__(self, errors: Literal["raise", "flag"]) -> None:
        if errors not in ("raise", "flag"):
            raise InputError("errors", errors, "'raise' or 'flag'")
        self.errors = errors
        self.rows: list[dict[str, object]] = []

    def add(
        self,
        frame: pd.DataFrame,
        mask: np.ndarray | pd.Series,
        field: str,
        values: pd.Series | np.ndarray,
        allowed: str,
        detail: str,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        vals = np.asarray(values, dtype=object)[mask]
        sub = frame.loc[mask, ["subject", "evaluator"]]
        if self.errors == "raise":
            first = sub.iloc[0]
            raise InputError(
                field,
                vals[0],
                allowed,
                f"subject {first['subject']}, evaluator {first['evaluator']}: {detail}",
            )
        issues = pd.DataFrame(
            {
                "subject": sub["subject"].to_numpy(),
                "evaluator": sub["evaluator"].to_numpy(),
                "field": field,
                "value": vals,
                "allowed": allowed,
                "detail": detail,
            }
        ).drop_duplicates(["subject", "evaluator"])
        self.rows.extend(issues.to_dict("records"))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=ISSUE_COLUMNS)


def _as_flag(series: pd.Series, field: str, col: _Collector, frame: pd.DataFrame) -> pd.Series:
    """Booleans from bool / Y,N / 1,0 / missing; anything else is a breach."""
    if series.dtype == bool:
        return series.astype("boolean")
    text = series.astype("string").str.strip().str.upper()
    mapping = {"Y": True, "YES": True, "TRUE": True, "1": True, "1.0": True,
               "N": False, "NO": False, "FALSE": False, "0": False, "0.0": False}
    out = text.map(mapping).astype("boolean")
    bad = text.notna() & (text != "") & out.isna()
    col.add(frame, bad, field, series, "Y/N, true/false, 1/0 or missing", "not a yes/no value")
    return out


def _to_date(series: pd.Series, col: _Collector, frame: pd.DataFrame) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.astype("datetime64[ns]")
    out = pd.to_datetime(series, errors="coerce", format="ISO8601")
    bad = out.isna()
    col.add(frame, bad, "date", series, "an ISO 8601 date YYYY-MM-DD", "date missing or invalid")
    return out.astype("datetime64[ns]")


def validate_lesions(
    lesions: pd.DataFrame, errors: Literal["raise", "flag"] = "raise"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check and normalise a lesion table.

    Returns ``(table, issues)``. ``table`` has every column of the module docstring, sorted by
    subject, evaluator, assessment order and lesion, with identical duplicate rows removed (the
    public pharmaverse TR data repeat some rows verbatim) and the rows of (subject, evaluator)
    pairs with a breach removed in ``flag`` mode. ``issues`` lists one breach per row
    (columns ``subject, evaluator, field, value, allowed, detail``).

    Breaches: a required column missing; an unknown role or status; a negative, non-numeric or
    implausible (> 1000 mm) diameter; a Couinaud segment outside 1-8; the same lesion twice at one
    assessment with different values; assessment dates out of order with the visit numbers; a
    lesion measured before the baseline assessment; a target or non-target lesion first seen after
    baseline; a new lesion at baseline; no target or non-target lesion at baseline.
    """
    if not isinstance(lesions, pd.DataFrame):
        raise InputError("lesions", type(lesions).__name__, "a pandas DataFrame")
    missing = [c for c in REQUIRED_COLUMNS if c not in lesions.columns]
    if missing:
        raise InputError(
            "lesions.columns", sorted(lesions.columns), f"must include {list(REQUIRED_COLUMNS)}",
            f"missing {missing}",
        )
    col = _Collector(errors)
    df = lesions.reset_index(drop=True).copy()
    for c in ("subject", "evaluator", "lesion_id"):
        df[c] = df[c].astype("string").str.strip()
        col.add(df, df[c].isna() | (df[c] == ""), c, df[c], "a non-empty id", "missing")
    df["role"] = df["role"].astype("string").str.strip().str.upper()
    col.add(df, ~df["role"].isin(ROLES), "role", df["role"], f"one of {list(ROLES)}",
            "unknown lesion role")
    df["date"] = _to_date(df["date"], col, df)

    if "status" in df.columns:
        st = df["status"].astype("string").str.strip().str.upper()
        st = st.replace(STATUS_ALIASES)
        col.add(df, st.notna() & ~st.isin(STATUSES), "status", st, f"one of {list(STATUSES)}",
                "unknown lesion status")
        df["status"] = st
    else:
        df["status"] = pd.Series(pd.NA, index=df.index, dtype="string")

    for c in DIAMETER_COLUMNS:
        if c not in df.columns:
            df[c] = np.nan
            continue
        raw = df[c]
        num = pd.to_numeric(raw, errors="coerce").astype(float)
        nonnum = num.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
        col.add(df, nonnum, c, raw, "a number of mm", "not a number")
        col.add(df, num < 0, c, num, "0 to 1000 mm", "negative diameter")
        col.add(df, num > MAX_DIAMETER_MM, c, num, "0 to 1000 mm",
                "implausible diameter (unit error?)")
        df[c] = num

    if "site" in df.columns:
        df["site"] = df["site"].astype("string").str.strip().str.upper()
    else:
        df["site"] = pd.Series(pd.NA, index=df.index, dtype="string")
    if "nodal" in df.columns:
        nodal = _as_flag(df["nodal"], "nodal", col, df)
        df["nodal"] = nodal.fillna(df["site"] == "LYMPH NODE").fillna(False).astype(bool)
    else:
        df["nodal"] = (df["site"] == "LYMPH NODE").fillna(False).astype(bool)
    for c in FLAG_COLUMNS:
        if c in df.columns:
            df[c] = _as_flag(df[c], c, col, df)
        else:
            df[c] = pd.Series(pd.NA, index=df.index, dtype="boolean")
    if "segment" in df.columns:
        seg = pd.to_numeric(df["segment"], errors="coerce")
        badseg = (seg.notna() & ~seg.isin(list(range(1, 9)))) | (seg.isna() & df["segment"].notna())
        col.add(df, badseg, "segment", df["segment"], "Couinaud segment 1-8", "invalid segment")
        df["segment"] = seg.astype("Int64")
    else:
        df["segment"] = pd.Series(pd.NA, index=df.index, dtype="Int64")

    if "visit" not in df.columns:
        df["visit"] = df["date"].dt.strftime("%Y-%m-%d")
    df["visit"] = df["visit"].astype("string").fillna(df["date"].dt.strftime("%Y-%m-%d"))
    if "visitnum" in df.columns:
        df["visitnum"] = pd.to_numeric(df["visitnum"], errors="coerce").astype(float)
    else:
        df["visitnum"] = np.nan

    # Rows whose keys are unusable cannot take part in cross-row checks.
    if errors == "flag" and col.rows:
        df = _drop_flagged(df, col.frame())
    df = _cross_row_checks(df, col)
    issues = col.frame()
    if errors == "flag" and len(issues):
        df = _drop_flagged(df, issues)
    return df.reset_index(drop=True), issues


def _drop_flagged(df: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    bad = pd.MultiIndex.from_frame(issues[["subject", "evaluator"]].astype("string"))
    key = pd.MultiIndex.from_frame(df[["subject", "evaluator"]].astype("string"))
    return df.loc[~key.isin(bad)]


def _cross_row_checks(df: pd.DataFrame, col: _Collector) -> pd.DataFrame:
    """Duplicates, date order and baseline rules (see :func:`validate_lesions`)."""
    compare = ["subject", "evaluator", "visit", "lesion_id", "role", "status", "date",
               *DIAMETER_COLUMNS]
    df = df.drop_duplicates(subset=[c for c in df.columns if c in compare or c in FLAG_COLUMNS])
    key = ["subject", "evaluator", "visit", "lesion_id"]
    dup = df.duplicated(key, keep=False)
    col.add(df, dup, "lesion_id", df["lesion_id"], "one record per lesion, reader and visit",
            "same lesion recorded twice at one visit with different values")

    # Assessment order: visitnum when given, else date.
    tp = df.groupby(["subject", "evaluator", "visit"], sort=False, observed=True).agg(
        tp_date=("date", "min"), tp_num=("visitnum", "min")
    ).reset_index()
    tp["order"] = tp["tp_num"].where(tp["tp_num"].notna(), np.nan)
    tp = tp.sort_values(["subject", "evaluator", "tp_num", "tp_date"], na_position="last",
                        kind="mergesort")
    # Dates must not go backwards when visit numbers go forward.
    g = tp.groupby(["subject", "evaluator"], sort=False, observed=True)
    prev_max = g["tp_date"].cummax().groupby([tp["subject"], tp["evaluator"]]).shift(1)
    tp["tp_index"] = g.cumcount()
    tp_base = tp["tp_date"].where(tp["tp_index"] == 0).groupby(
        [tp["subject"], tp["evaluator"]]).transform("max")
    before = (tp["tp_date"] < tp_base).to_numpy()
    backwards = (tp["tp_date"] < prev_max).to_numpy() & ~before
    col.add(tp, before, "date", tp["tp_date"].dt.strftime("%Y-%m-%d"),
            "on or after the baseline assessment", "lesion measured before baseline")
    col.add(tp, backwards, "date", tp["tp_date"].dt.strftime("%Y-%m-%d"),
            "assessment dates in the order of the visit numbers",
            "dates out of order")
    df = df.merge(tp[["subject", "evaluator", "visit", "tp_index", "tp_date"]],
                  on=["subject", "evaluator", "visit"], how="left")
    base_date = df["tp_date"].where(df["tp_index"] == 0).groupby(
        [df["subject"], df["evaluator"]]).transform("max")
    col.add(df, df["date"] < base_date, "date", df["date"].dt.strftime("%Y-%m-%d"),
            "on or after the baseline assessment", "lesion measured before baseline")

    is_base = df["tp_index"] == 0
    col.add(df, is_base & (df["role"] == Role.NEW.value), "role", df["role"],
            "TARGET or NON-TARGET at baseline", "new lesion recorded at baseline")
    base_keys = df.loc[is_base & df["role"].isin([Role.TARGET.value, Role.NON_TARGET.value]),
                       ["subject", "evaluator", "lesion_id", "role"]].drop_duplicates()
    base_keys = base_keys.assign(_in_base=True)
    m = df.merge(base_keys, on=["subject", "evaluator", "lesion_id", "role"], how="left")
    late = (~is_base.to_numpy()) & df["role"].isin(
        [Role.TARGET.value, Role.NON_TARGET.value]).to_numpy() & m["_in_base"].isna().to_numpy()
    col.add(df, late, "lesion_id", df["lesion_id"],
            "target and non-target lesions identified at baseline",
            "target or non-target lesion first recorded after baseline")
    has_base = base_keys.groupby(["subject", "evaluator"]).size().rename("_n").reset_index()
    m2 = df[["subject", "evaluator"]].merge(has_base, on=["subject", "evaluator"], how="left")
    col.add(df, m2["_n"].isna().to_numpy(), "role", df["role"],
            "at least one target or non-target lesion at baseline",
            "no baseline disease recorded")
    return df.sort_values(["subject", "evaluator", "tp_index", "lesion_id"], kind="mergesort")
