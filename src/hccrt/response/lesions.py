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

from collections.abc import Callable
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
        values: pd.Series | np.ndarray | Callable[[], np.ndarray],
        allowed: str,
        detail: str,
    ) -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if callable(values):
            values = values()
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


def clean_text(series: pd.Series, upper: bool = False) -> pd.Categorical:
    """Stripped (and upper-cased) text as a Categorical; blank -> missing.

    String operations run once per distinct value (factorize first), which keeps a
    million-row table fast without pyarrow.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    u = np.array([str(v).strip() for v in uniques], dtype=object)
    if upper:
        u = np.array([v.upper() for v in u], dtype=object)
    cats, inv = np.unique(u, return_inverse=True) if len(u) else (u, np.zeros(0, int))
    new = np.where(codes >= 0, inv[np.maximum(codes, 0)] if len(inv) else -1, -1)
    if len(cats) and cats[0] == "":
        new = np.where(new <= 0, -1, new - 1)
        cats = cats[1:]
    return pd.Categorical.from_codes(new.astype(np.int64), categories=pd.Index(cats,
                                                                               dtype=object))


def text_array(series: pd.Series) -> np.ndarray:
    """Object array of the values with "" for missing (fast for categoricals)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = np.append(np.asarray(series.cat.categories, dtype=object), "")
        return cats[series.cat.codes.to_numpy()]
    return series.astype(object).where(series.notna(), "").to_numpy(dtype=object)


_YES = {"Y", "YES", "TRUE", "1", "1.0", "T"}
_NO = {"N", "NO", "FALSE", "0", "0.0", "F"}


def _as_flag(series: pd.Series, field: str, col: _Collector, frame: pd.DataFrame) -> pd.Series:
    """Booleans from bool / Y,N / 1,0 / missing; anything else is a breach."""
    if series.dtype == bool or str(series.dtype) == "boolean":
        return series.astype("boolean")
    cat = pd.Series(clean_text(series, upper=True), index=series.index)
    cats = list(cat.cat.categories)
    lookup = np.array([True if c in _YES else (False if c in _NO else None) for c in cats]
                      + [None], dtype=object)
    vals = lookup[cat.cat.codes.to_numpy()]
    bad_cat = np.array([c not in _YES and c not in _NO for c in cats] + [False])
    bad = bad_cat[cat.cat.codes.to_numpy()]
    col.add(frame, bad, field, series, "Y/N, true/false, 1/0 or missing", "not a yes/no value")
    return pd.Series(vals, index=series.index, dtype="boolean")


def _to_date(series: pd.Series, col: _Collector, frame: pd.DataFrame) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        out = series.astype("datetime64[ns]")
    else:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        parsed = pd.to_datetime(pd.Series(uniques, dtype=object), errors="coerce",
                                format="ISO8601").to_numpy().astype("datetime64[ns]")
        parsed = np.append(parsed, np.datetime64("NaT", "ns"))
        out = pd.Series(parsed[codes], index=series.index)
    col.add(frame, out.isna(), "date", series, "an ISO 8601 date YYYY-MM-DD",
            "date missing or invalid")
    return out


def validate_lesions(
    lesions: pd.DataFrame, errors: Literal["raise", "flag"] = "raise"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check and normalise a lesion table.

    Returns ``(table, issues)``. ``table`` has every column of the module docstring (text
    columns as Categoricals), sorted by subject, evaluator, assessment order and lesion, with
    identical duplicate rows removed (the public pharmaverse TR data repeat some rows verbatim)
    and the rows of (subject, evaluator) pairs with a breach removed in ``flag`` mode, plus the
    integer columns ``pair`` (subject-evaluator), ``tp`` (assessment), ``tp_index`` (order of
    the assessment within its pair, 0 = baseline) and the assessment date ``tp_date``.
    ``issues`` lists one breach per (subject, evaluator) and kind (columns ``subject,
    evaluator, field, value, allowed, detail``).

    Breaches: a required column missing; an unknown role or status; a negative, non-numeric or
    implausible (> 1000 mm) diameter; a Couinaud segment outside 1-8; the same lesion twice at one
    assessment with different values; assessment dates out of order with the visit numbers; a
    lesion measured before the baseline assessment; a target or non-target lesion first seen after
    baseline; a new lesion at baseline.
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
    src = lesions.reset_index(drop=True)
    df = pd.DataFrame(index=src.index)
    for c in ("subject", "evaluator", "lesion_id"):
        df[c] = clean_text(src[c])
    for c in ("subject", "evaluator", "lesion_id"):
        col.add(df, df[c].isna(), c, src[c], "a non-empty id", "missing")
    df["role"] = clean_text(src["role"], upper=True)
    col.add(df, df["role"].notna() & ~df["role"].isin(ROLES) | df["role"].isna(), "role",
            src["role"], f"one of {list(ROLES)}", "unknown lesion role")
    df["date"] = _to_date(src["date"], col, df)

    if "status" in src.columns:
        raw_st = clean_text(src["status"], upper=True)
        mapped = np.array([STATUS_ALIASES.get(c, c) for c in raw_st.categories] + [None],
                          dtype=object)
        st = pd.Series(clean_text(pd.Series(mapped[raw_st.codes], dtype=object)),
                       index=df.index)
        col.add(df, st.notna() & ~st.isin(STATUSES), "status", st, f"one of {list(STATUSES)}",
                "unknown lesion status")
        df["status"] = st
    else:
        df["status"] = pd.Categorical([None] * len(df), categories=list(STATUSES))

    for c in DIAMETER_COLUMNS:
        if c not in src.columns:
            df[c] = np.nan
            continue
        raw = src[c]
        if pd.api.types.is_numeric_dtype(raw) and raw.dtype != bool:
            num = raw.astype(float)
        else:
            num = pd.to_numeric(raw, errors="coerce").astype(float)
            cand = num.isna() & raw.notna()
            if cand.any():
                blank = pd.Series(clean_text(raw[cand])).isna().to_numpy()
                nonnum = np.zeros(len(raw), dtype=bool)
                nonnum[np.flatnonzero(cand.to_numpy())[~blank]] = True
                col.add(df, nonnum, c, raw, "a number of mm", "not a number")
        col.add(df, num < 0, c, num, "0 to 1000 mm", "negative diameter")
        col.add(df, num > MAX_DIAMETER_MM, c, num, "0 to 1000 mm",
                "implausible diameter (unit error?)")
        df[c] = num.to_numpy()

    if "site" in src.columns:
        df["site"] = clean_text(src["site"], upper=True)
    else:
        df["site"] = pd.Categorical([None] * len(df), categories=["LIVER"])
    lymph = (df["site"] == "LYMPH NODE").to_numpy()
    if "nodal" in src.columns:
        nodal = _as_flag(src["nodal"], "nodal", col, df)
        df["nodal"] = nodal.fillna(pd.Series(lymph, index=df.index)).astype(bool)
    else:
        df["nodal"] = lymph
    for c in FLAG_COLUMNS:
        if c in src.columns:
            df[c] = _as_flag(src[c], c, col, df)
        else:
            df[c] = pd.Series(pd.NA, index=df.index, dtype="boolean")
    if "segment" in src.columns:
        seg = pd.to_numeric(src["segment"], errors="coerce")
        badseg = (seg.notna() & ~seg.isin(list(range(1, 9)))) | (seg.isna() & src[
            "segment"].notna())
        col.add(df, badseg, "segment", src["segment"], "Couinaud segment 1-8", "invalid segment")
        df["segment"] = seg.astype("Int64")
    else:
        df["segment"] = pd.Series(pd.NA, index=df.index, dtype="Int64")

    iso = df["date"].dt.strftime("%Y-%m-%d") if "visit" not in src.columns else None
    if "visit" in src.columns:
        vis = src["visit"]
        if vis.isna().any():
            vis = vis.astype(object).where(vis.notna(), df["date"].dt.strftime("%Y-%m-%d"))
        df["visit"] = clean_text(vis)
    else:
        df["visit"] = clean_text(iso)
    if "visitnum" in src.columns:
        df["visitnum"] = pd.to_numeric(src["visitnum"], errors="coerce").astype(float)
    else:
        df["visitnum"] = np.nan

    if errors == "flag" and col.rows:
        df = _drop_flagged(df, col.frame())
    df = _cross_row_checks(df, col)
    issues = col.frame()
    if errors == "flag" and len(issues):
        df = _drop_flagged(df, issues)
    return df.reset_index(drop=True), issues


def _codes(s: pd.Series) -> np.ndarray:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64)
    return pd.factorize(s, use_na_sentinel=True)[0].astype(np.int64)


def _drop_flagged(df: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    bad = set(zip(issues["subject"].astype(str), issues["evaluator"].astype(str), strict=True))
    pairs = df[["subject", "evaluator"]].drop_duplicates()
    drop = [(s, e) in bad for s, e in zip(pairs["subject"].astype(str),
                                           pairs["evaluator"].astype(str), strict=True)]
    if not any(drop):
        return df
    pid = _pair_ids(df)
    bad_ids = pid[pairs.index[np.asarray(drop)]]
    return df.loc[~np.isin(pid, bad_ids)]


def _pair_ids(df: pd.DataFrame) -> np.ndarray:
    s = _codes(df["subject"])
    e = _codes(df["evaluator"])
    return pd.factorize(s * (e.max() + 2 if len(e) else 1) + e)[0].astype(np.int64)


def _cross_row_checks(df: pd.DataFrame, col: _Collector) -> pd.DataFrame:
    """Duplicates, date order and baseline rules (see :func:`validate_lesions`)."""
    compare = ["subject", "evaluator", "visit", "lesion_id", "role", "status", "date",
               *DIAMETER_COLUMNS, *FLAG_COLUMNS]

    def keys(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
        pair = _pair_ids(frame)
        vcode = _codes(frame["visit"])
        lcode = _codes(frame["lesion_id"])
        nv = int(vcode.max()) + 2 if len(vcode) else 1
        nl = int(lcode.max()) + 2 if len(lcode) else 1
        return pair, pair * nv + vcode, lcode, nv, nl

    pair, pv, lcode, nv, nl = keys(df)
    dup = pd.Series(pv * nl + lcode).duplicated(keep=False).to_numpy()
    if dup.any():  # drop verbatim repeats, then look again
        sub = df.loc[dup]
        drop = sub.duplicated(subset=[c for c in compare if c in df.columns]).to_numpy()
        keep = np.ones(len(df), dtype=bool)
        keep[np.flatnonzero(dup)[drop]] = False
        df = df.loc[keep]
        pair, pv, lcode, nv, nl = keys(df)
        dup = pd.Series(pv * nl + lcode).duplicated(keep=False).to_numpy()
    col.add(df, dup, "lesion_id", df["lesion_id"], "one record per lesion, reader and visit",
            "same lesion recorded twice at one visit with different values")

    # Assessments: (pair, visit); order by visitnum when given, else by date.
    keys, tp_of_row = np.unique(pv, return_inverse=True)
    n_tp = len(keys)
    date_ns = df["date"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    nat = np.iinfo(np.int64).min
    d_for_min = np.where(date_ns == nat, np.iinfo(np.int64).max, date_ns)
    tp_date = np.full(n_tp, np.iinfo(np.int64).max)
    np.minimum.at(tp_date, tp_of_row, d_for_min)
    vn = df["visitnum"].to_numpy(dtype=float)
    tp_num = np.full(n_tp, np.inf)
    np.fmin.at(tp_num, tp_of_row, np.where(np.isnan(vn), np.inf, vn))
    tp_pair = keys // nv
    order = np.lexsort((tp_date, tp_num, tp_pair))
    sp = tp_pair[order]
    starts = np.r_[True, sp[1:] != sp[:-1]]
    grp_start = np.maximum.accumulate(np.where(starts, np.arange(len(sp)), 0))
    rank = np.arange(len(sp)) - grp_start
    tp_index = np.empty(n_tp, dtype=np.int64)
    tp_index[order] = rank
    sd = tp_date[order]
    prev_max = pd.Series(sd).groupby(sp).cummax().groupby(sp).shift(1).to_numpy()
    base_d = sd[grp_start]
    before = sd < base_d
    backwards = (sd < prev_max) & ~before
    tp_rows = np.zeros(n_tp, dtype=np.int64)
    tp_rows[tp_of_row] = np.arange(len(df))
    back_tp = np.zeros(n_tp, dtype=bool)
    back_tp[order] = backwards
    rows_back = np.zeros(len(df), dtype=bool)
    rows_back[tp_rows[np.flatnonzero(back_tp)]] = True
    def dstr() -> np.ndarray:
        return np.datetime_as_string(df["date"].to_numpy().astype("datetime64[D]"))

    col.add(df, rows_back, "date", dstr, "assessment dates in the order of the visit numbers",
            "dates out of order")
    row_tp_index = tp_index[tp_of_row]
    tpd = tp_date[tp_of_row]
    base_date_row = np.full(n_tp, 0, dtype=np.int64)
    base_date_row[order] = base_d
    row_base_date = base_date_row[tp_of_row]
    col.add(df, d_for_min < row_base_date, "date", dstr,
            "on or after the baseline assessment", "lesion measured before baseline")

    is_base = row_tp_index == 0
    role = text_array(df["role"])
    col.add(df, is_base & (role == Role.NEW.value), "role", df["role"],
            "TARGET or NON-TARGET at baseline", "new lesion recorded at baseline")
    tnt = (role == Role.TARGET.value) | (role == Role.NON_TARGET.value)
    rcode = np.where(role == Role.TARGET.value, 0, 1)
    lk = (pair * nl + lcode) * 2 + rcode
    base_keys = np.unique(lk[is_base & tnt])
    late = ~is_base & tnt & ~np.isin(lk, base_keys)
    col.add(df, late, "lesion_id", df["lesion_id"],
            "target and non-target lesions identified at baseline",
            "target or non-target lesion first recorded after baseline")
    out = df.assign(pair=pair, tp=tp_of_row, tp_index=row_tp_index,
                    tp_date=np.where(tpd == np.iinfo(np.int64).max, nat, tpd).astype(
                        "datetime64[ns]"))
    return out.take(np.lexsort((lcode, row_tp_index, pair)))
