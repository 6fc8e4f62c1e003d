"""Reader: CDISC SDTM TU/TR/RS (+ DM/DS or ADSL) to the tables of the response engine.

This is an I/O module (DESIGN.md: readers and writers are the only core modules that touch
files). Files are CSV or SAS transport (XPT, read with :func:`pandas.read_sas`); a domain's file is
the one whose name starts with the domain code (``tr.csv``, ``tr_onco_recist.csv``, ``tr.xpt``).

Mapping (SDTMIG v3.4 TU/TR/RS; pharmaverse conventions):

* evaluator: ``TREVALID`` when given (RADIOLOGIST 1, ...), else ``TREVAL`` (INVESTIGATOR);
* lesion: ``TRLNKID`` (= ``TULNKID``), role ``TRGRPID`` (TARGET, NON-TARGET, NEW);
* ``TRTESTCD``: LDIAM -> longest diameter, LPERP -> short axis (the longest perpendicular, which
  RECIST measures for nodes), DIAMETER -> longest diameter when LDIAM is absent, TUMSTATE ->
  status, VIABDIAM -> viable diameter (hccrt's test code for mRECIST; SDTM has none);
  ``TRSTAT = NOT DONE`` -> status NOT EVALUABLE;
* site ``TULOC``; nodal when ``TULOC = LYMPH NODE``;
* SUPPTU qualifiers (hccrt convention, optional): INFIELD (inside the treated area), TYPHCC
  (typical HCC enhancement), COUINAUD (segment), MPVT (malignant portal vein thrombosis), EFFUS
  (effusion), CYTOLPOS (malignant cytology), as Y/N (COUINAUD as 1-8);
* dates: a partial ``--DTC`` (YYYY-MM) is imputed to the *last* day of the month, as admiralonco
  ``ad_adrs.R`` does for ADRS (``derive_vars_dt(highest_imputation = "D", date_imputation =
  "last")``); a year-only date is not imputed (NE by the validation).

Subject dates come from ADSL (RANDDT, TRTSDT, DTHDT, LSTALVDT) when present, else from DS
(DSDECOD RANDOMIZED) and DM (RFXSTDTC, DTHDTC, RFPENDTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hccrt.errors import InputError

DOMAINS: tuple[str, ...] = ("tu", "tr", "rs", "dm", "ds", "adsl", "supptu")

_TESTCD_COLUMN: dict[str, str] = {
    "LDIAM": "longest_diameter",
    "LPERP": "short_axis",
    "DIAMETER": "_diameter",
    "VIABDIAM": "viable_diameter",
    "TUMSTATE": "status",
}
_SUPPTU_COLUMN: dict[str, str] = {
    "INFIELD": "in_treated_area",
    "TYPHCC": "typical_hcc",
    "COUINAUD": "segment",
    "MPVT": "pvt",
    "EFFUS": "effusion",
    "CYTOLPOS": "cytology_positive",
}


@dataclass
class SdtmData:
    """The domains found in a folder (None when absent)."""

    tu: pd.DataFrame | None = None
    tr: pd.DataFrame | None = None
    rs: pd.DataFrame | None = None
    dm: pd.DataFrame | None = None
    ds: pd.DataFrame | None = None
    adsl: pd.DataFrame | None = None
    supptu: pd.DataFrame | None = None


def read_domain(path: str | Path) -> pd.DataFrame:
    """One SDTM/ADaM dataset from CSV or XPT, all columns as text (blank -> missing)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        df = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
    elif suffix == ".xpt":
        df = pd.read_sas(p, format="xport", encoding="utf-8")
        for c in df.columns:
            if df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
                df[c] = df[c].astype("string").replace("", pd.NA)
            else:
                df[c] = df[c].astype(float).map(
                    lambda v: np.nan if pd.isna(v) else (str(int(v)) if v == int(v) else str(v)))
    else:
        raise InputError("file", str(p), "a .csv or .xpt file")
    df.columns = [c.upper() for c in df.columns]
    return df


def read_sdtm_dir(folder: str | Path) -> SdtmData:
    """Read every known domain in ``folder`` (file name starts with the domain code)."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError("sdtm folder", str(root), "an existing directory")
    found: dict[str, pd.DataFrame] = {}
    files = sorted(p for p in root.iterdir() if p.suffix.lower() in (".csv", ".xpt"))
    for dom in DOMAINS:
        matches = [p for p in files if p.stem.lower() == dom
                   or p.stem.lower().startswith(dom + "_")]
        if dom == "tu":
            matches = [p for p in matches if not p.stem.lower().startswith("tu_supp")]
        if len(matches) > 1:
            raise InputError(f"{dom} file", [p.name for p in matches],
                             f"exactly one {dom.upper()} file in {root}")
        if matches:
            found[dom] = read_domain(matches[0])
    return SdtmData(**found)


def impute_dtc(dtc: pd.Series, how: str = "last") -> tuple[pd.Series, pd.Series]:
    """Dates from ISO --DTC text; YYYY-MM imputed to the first or last day of the month.

    Returns (dates, flag) where flag is "D" for an imputed day (ADaM --DTF), else missing.
    """
    if how not in ("first", "last"):
        raise InputError("date imputation", how, "'first' or 'last'")
    text = dtc.astype("string").str.strip().str.slice(0, 10)
    month = text.str.fullmatch(r"\d{4}-\d{2}").fillna(False)
    full = pd.to_datetime(text.where(~month), errors="coerce", format="%Y-%m-%d")
    first = pd.to_datetime(text.where(month) + "-01", errors="coerce", format="%Y-%m-%d")
    if how == "last":
        first = first + pd.offsets.MonthEnd(0)
    out = full.where(~month, first).astype("datetime64[ns]")
    flag = pd.Series(np.where(month, "D", None), index=dtc.index, dtype=object)
    return out, flag


def _evaluator(df: pd.DataFrame, prefix: str) -> pd.Series:
    evalid = df.get(f"{prefix}EVALID")
    ev = df.get(f"{prefix}EVAL")
    base = (ev if ev is not None else pd.Series("INVESTIGATOR", index=df.index)).astype("string")
    base = base.fillna("INVESTIGATOR")
    if evalid is None:
        return base.str.upper()
    return evalid.astype("string").where(evalid.notna() & (evalid != ""), base).str.upper()


def _require(df: pd.DataFrame | None, name: str, cols: list[str]) -> pd.DataFrame:
    if df is None:
        raise InputError(name, None, f"an SDTM {name.upper()} dataset")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"{name.upper()} columns", missing, f"must include {cols}")
    return df


def lesions_from_sdtm(
    tr: pd.DataFrame, tu: pd.DataFrame | None = None, supptu: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The lesion table (see :mod:`hccrt.response.lesions`) from TR, TU and SUPPTU.

    Conflicting values for one lesion at one visit are kept as separate rows, so that the lesion
    validation reports them rather than this reader choosing one.
    """
    tr = _require(tr, "tr", ["USUBJID", "TRLNKID", "TRTESTCD", "TRDTC"])
    df = pd.DataFrame({
        "subject": tr["USUBJID"].astype("string"),
        "evaluator": _evaluator(tr, "TR"),
        "visit": tr.get("VISIT", tr["TRDTC"]).astype("string"),
        "visitnum": pd.to_numeric(tr.get("VISITNUM"), errors="coerce")
        if "VISITNUM" in tr.columns else np.nan,
        "dtc": tr["TRDTC"].astype("string"),
        "lesion_id": tr["TRLNKID"].astype("string"),
        "role": tr.get("TRGRPID", pd.Series(pd.NA, index=tr.index)).astype("string").str.upper(),
        "testcd": tr["TRTESTCD"].astype("string").str.upper(),
        "value": tr.get("TRSTRESC", tr.get("TRORRES")).astype("string"),
        "notdone": (tr.get("TRSTAT", pd.Series(pd.NA, index=tr.index)).astype("string")
                    == "NOT DONE").fillna(False),
    })
    df = df.loc[df["testcd"].isin(list(_TESTCD_COLUMN))]
    df.loc[df["notdone"] & df["value"].isna() & (df["testcd"] == "TUMSTATE"),
           "value"] = "NOT EVALUABLE"
    key = ["subject", "evaluator", "visit", "visitnum", "dtc", "lesion_id", "role"]
    df = df.drop_duplicates([*key, "testcd", "value"])
    df["_dup"] = df.groupby([*key, "testcd"], dropna=False).cumcount()
    wide = df.set_index([*key, "_dup", "testcd"])["value"].unstack("testcd")
    wide.columns = list(wide.columns)
    wide = wide.reset_index().rename(columns=_TESTCD_COLUMN)
    wide = wide.dropna(subset=["subject", "lesion_id"])
    for c in ("longest_diameter", "short_axis", "viable_diameter", "_diameter"):
        if c in wide.columns:
            wide[c] = pd.to_numeric(wide[c], errors="coerce")
    if "_diameter" in wide.columns:
        if "longest_diameter" in wide.columns:
            wide["longest_diameter"] = wide["longest_diameter"].fillna(wide["_diameter"])
        else:
            wide["longest_diameter"] = wide["_diameter"]
        wide = wide.drop(columns="_diameter")
    # A NOT DONE measurement with no status makes the lesion not evaluable.
    nd = df.loc[df["notdone"], key].drop_duplicates().assign(_nd=True)
    wide = wide.merge(nd, on=key, how="left")
    if "status" not in wide.columns:
        wide["status"] = pd.NA
    wide["status"] = wide["status"].astype("string")
    wide.loc[wide["_nd"].fillna(False).astype(bool) & wide["status"].isna(),
             "status"] = "NOT EVALUABLE"
    wide["date"], wide["date_imputed"] = impute_dtc(wide["dtc"], "last")
    wide = wide.drop(columns=["_nd", "_dup", "dtc"])

    if tu is not None:
        tu = _require(tu, "tu", ["USUBJID", "TULNKID"])
        t = pd.DataFrame({
            "subject": tu["USUBJID"].astype("string"),
            "evaluator": _evaluator(tu, "TU"),
            "lesion_id": tu["TULNKID"].astype("string"),
            "site": tu.get("TULOC", pd.Series(pd.NA, index=tu.index)).astype("string"),
            "_role": tu.get("TUSTRESC", pd.Series(pd.NA, index=tu.index)).astype("string"),
        })
        if supptu is not None and "TUSEQ" in tu.columns:
            t = _attach_supptu(t, tu, supptu)
        t = t.drop_duplicates(["subject", "evaluator", "lesion_id"])
        wide = wide.merge(t, on=["subject", "evaluator", "lesion_id"], how="left")
        wide["role"] = wide["role"].fillna(wide["_role"])
        wide = wide.drop(columns="_role")
        wide["nodal"] = wide["site"].str.upper() == "LYMPH NODE"
    return wide.reset_index(drop=True)


def _attach_supptu(t: pd.DataFrame, tu: pd.DataFrame, supp: pd.DataFrame) -> pd.DataFrame:
    s = supp.loc[(supp.get("IDVAR") == "TUSEQ") & supp["QNAM"].isin(list(_SUPPTU_COLUMN))]
    if s.empty:
        return t
    s = s.assign(TUSEQ=s["IDVARVAL"].astype("string").str.strip())
    wide = s.pivot_table(index=["USUBJID", "TUSEQ"], columns="QNAM", values="QVAL",
                         aggfunc="first").rename(columns=_SUPPTU_COLUMN).reset_index()
    seq = tu[["USUBJID", "TUSEQ"]].astype("string").assign(
        TUSEQ=lambda x: x["TUSEQ"].str.replace(r"\.0$", "", regex=True))
    wide["TUSEQ"] = wide["TUSEQ"].str.replace(r"\.0$", "", regex=True)
    joined = seq.merge(wide, on=["USUBJID", "TUSEQ"], how="left")
    for c in _SUPPTU_COLUMN.values():
        if c in joined.columns:
            t[c] = joined[c].to_numpy()
    return t


def overall_from_rs(rs: pd.DataFrame, testcd: str = "OVRLRESP") -> pd.DataFrame:
    """The recorded overall responses (RS) as a timepoint table (subject, evaluator, visit,
    date, overall, seq, accepted)."""
    rs = _require(rs, "rs", ["USUBJID", "RSTESTCD", "RSSTRESC", "RSDTC"])
    r = rs.loc[rs["RSTESTCD"] == testcd]
    date, flag = impute_dtc(r["RSDTC"], "last")
    return pd.DataFrame({
        "subject": r["USUBJID"].astype("string"),
        "evaluator": _evaluator(r, "RS"),
        "visit": r.get("VISIT", r["RSDTC"]).astype("string"),
        "visitnum": pd.to_numeric(r.get("VISITNUM"), errors="coerce")
        if "VISITNUM" in r.columns else np.nan,
        "date": date,
        "date_imputed": flag,
        "overall": r["RSSTRESC"].astype("string"),
        "seq": pd.to_numeric(r.get("RSSEQ"), errors="coerce") if "RSSEQ" in r.columns else np.nan,
        "accepted": r.get("RSACPTFL", pd.Series(pd.NA, index=r.index)).astype("string"),
    }).reset_index(drop=True)


def subjects_from_sdtm(data: SdtmData) -> pd.DataFrame:
    """Subject dates: subject, randomization_date, treatment_date, death_date, last_alive_date.

    From ADSL when present (RANDDT, TRTSDT, DTHDT, LSTALVDT), else from DS (RANDOMIZED) and DM.
    """
    if data.adsl is not None:
        a = _require(data.adsl, "adsl", ["USUBJID"])

        def col(name: str) -> pd.Series:
            if name in a.columns:
                return impute_dtc(a[name], "first")[0]
            return pd.Series(pd.NaT, index=a.index, dtype="datetime64[ns]")

        return pd.DataFrame({
            "subject": a["USUBJID"].astype("string"),
            "randomization_date": col("RANDDT"),
            "treatment_date": col("TRTSDT"),
            "death_date": col("DTHDT"),
            "last_alive_date": col("LSTALVDT"),
        })
    dm = _require(data.dm, "dm", ["USUBJID"])
    out = pd.DataFrame({"subject": dm["USUBJID"].astype("string")})
    for name, src in (("treatment_date", "RFXSTDTC"), ("death_date", "DTHDTC"),
                      ("last_alive_date", "RFPENDTC")):
        out[name] = (impute_dtc(dm[src], "first")[0] if src in dm.columns
                     else pd.Series(pd.NaT, index=dm.index, dtype="datetime64[ns]"))
    out["randomization_date"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    if data.ds is not None and "DSDECOD" in data.ds.columns:
        ds = data.ds.loc[data.ds["DSDECOD"] == "RANDOMIZED"]
        rd = pd.DataFrame({"subject": ds["USUBJID"].astype("string"),
                           "_r": impute_dtc(ds.get("DSSTDTC", ds.get("DSDTC")), "first")[0]})
        rd = rd.groupby("subject", as_index=False)["_r"].min()
        out = out.merge(rd, on="subject", how="left")
        out["randomization_date"] = out["_r"]
        out = out.drop(columns="_r")
    return out
