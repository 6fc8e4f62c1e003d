"""ADLB (CTCAE v5.0 grades, baseline and worst grades, shifts) and ADSC (clinical scores:
ECOG, ALBI, Child-Pugh, MELD per visit with baseline and change).

ADLB follows admiral ``ad_adlb.R``: ATOXGR from :func:`hccrt.clinical.ctcae.grade_lab_table`
(``derive_var_atoxgr``), ABLFL the baseline record (LBBLFL = Y, else the last record on or
before TRTSDT, admiral ``restrict_derivation(derive_var_extreme_flag, filter = ADT <=
TRTSDT)``), BTOXGR the baseline grade, WGRHIFL the worst post-baseline grade per subject and
term (admiral ``derive_var_worst_flag`` for grades), SHIFT1 "BTOXGR to worst" on that record.

ADSC holds the scores change-from-baseline endpoints name (rescue: ECOG, ALBI grade, Child-Pugh
class, MELD to day 90): PARAMCD ECOG, ALBI, ALBIGR, CPPTS, CPCLS (AVAL 1/2/3 for A/B/C), MELD,
with ADY, ABLFL, BASE and CHG.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.clinical.ctcae import grade_lab_table
from hccrt.endpoints._common import table, to_date
from hccrt.endpoints.adsl import lab_values, liver_scores
from hccrt.records import RecordSet


def _baseline_flag(df: pd.DataFrame, key: list[str], ref: pd.Series,
                   blfl: pd.Series | None = None) -> np.ndarray:
    """ABLFL: the recorded baseline flag when present, else the last record on or before the
    subject's reference date (per ``key``)."""
    if blfl is not None and (blfl == "Y").any():
        return np.where(blfl.to_numpy() == "Y", "Y", None)
    d = df.assign(_ref=df["USUBJID"].map(ref))
    pre = d[d["ADT"].notna() & (d["ADT"] <= d["_ref"])]
    idx = pre.sort_values("ADT").drop_duplicates(key, keep="last").index
    return np.where(d.index.isin(idx), "Y", None)


def _col(df: pd.DataFrame, name: str) -> np.ndarray:
    return (df[name] if name in df.columns else pd.Series(None, index=df.index)).to_numpy()


def derive_adlb(records: RecordSet, adsl: pd.DataFrame) -> pd.DataFrame:
    """ADLB with CTCAE grades, baseline and worst grade flags and shifts."""
    lb = table(records, "LB")
    if lb is None:
        return pd.DataFrame(columns=["USUBJID", "PARAMCD", "ADT", "AVAL", "ATOXGR"])
    g = grade_lab_table(lb, columns={"test": "LBTESTCD", "value": "LBSTRESN",
                                     "unit": "LBSTRESU", "lln": "LBSTNRLO", "uln": "LBSTNRHI"})
    out = pd.DataFrame({
        "STUDYID": lb["STUDYID"].to_numpy(), "USUBJID": lb["USUBJID"].astype(str).to_numpy(),
        "LBSEQ": lb["LBSEQ"].to_numpy(), "PARAMCD": lb["LBTESTCD"].to_numpy(),
        "PARAM": _col(lb, "LBTEST"), "AVISIT": _col(lb, "VISIT"),
        "ADT": to_date(lb["LBDTC"]).to_numpy(),
        "AVAL": pd.to_numeric(lb["LBSTRESN"], errors="coerce").to_numpy(),
        "AVALU": lb["LBSTRESU"].to_numpy(),
        "ANRLO": _col(lb, "LBSTNRLO"), "ANRHI": _col(lb, "LBSTNRHI"),
        "ATOXDSC": g["ctcae_term"].to_numpy(), "ATOXGR": g["ctcae_grade"].to_numpy(),
        "ATOXDIR": g["ctcae_direction"].to_numpy(),
    })
    ref = adsl.set_index(adsl["USUBJID"].astype(str))["TRTSDT"]
    ref = ref.fillna(adsl.set_index(adsl["USUBJID"].astype(str))["ENRLDT"])
    out["TRTSDT"] = out["USUBJID"].map(ref)
    out["ABLFL"] = _baseline_flag(out, ["USUBJID", "PARAMCD"], ref, lb.get("LBBLFL"))
    base = out[out["ABLFL"] == "Y"].drop_duplicates(["USUBJID", "PARAMCD"]).set_index(
        ["USUBJID", "PARAMCD"])
    idx = pd.MultiIndex.from_arrays([out["USUBJID"], out["PARAMCD"]])
    out["BASE"] = base["AVAL"].reindex(idx).to_numpy()
    out["BTOXGR"] = pd.array(base["ATOXGR"].astype("Int64").reindex(idx).to_numpy(),
                             dtype="Int64")
    out["CHG"] = out["AVAL"] - out["BASE"]
    post = out[(out["ADT"] > out["TRTSDT"]) & out["ATOXGR"].notna()]
    worst = (post.assign(_g=post["ATOXGR"].astype(float))
             .sort_values(["USUBJID", "PARAMCD", "ATOXDIR", "_g", "ADT"])
             .drop_duplicates(["USUBJID", "PARAMCD", "ATOXDIR"], keep="last").index)
    out["WGRHIFL"] = np.where(out.index.isin(worst), "Y", None)
    out["SHIFT1"] = np.where(
        out["WGRHIFL"] == "Y",
        out["BTOXGR"].astype("string").fillna("missing") + " to "
        + out["ATOXGR"].astype("string"), None)
    return out


def derive_adsc(records: RecordSet, adsl: pd.DataFrame) -> pd.DataFrame:
    """ADSC: ECOG, ALBI, Child-Pugh and MELD per subject and date with baseline and change."""
    a = adsl.set_index(adsl["USUBJID"].astype(str))
    ref = a["TRTSDT"].fillna(a["ENRLDT"])
    parts = []
    scores = liver_scores(lab_values(records), records)
    if not scores.empty:
        cp = scores["CPCLS"].map({"A": 1.0, "B": 2.0, "C": 3.0})
        for code, val, txt in (("ALBI", scores["ALBI"], None),
                               ("ALBIGR", scores["ALBIGR"], None),
                               ("CPPTS", scores["CPPTS"], None),
                               ("CPCLS", cp, scores["CPCLS"]), ("MELD", scores["MELD"], None)):
            parts.append(pd.DataFrame({"USUBJID": scores["USUBJID"].to_numpy(),
                                       "PARAMCD": code, "ADT": scores["date"].to_numpy(),
                                       "AVAL": np.asarray(val, dtype=float),
                                       "AVALC": None if txt is None else txt.to_numpy()}))
    rs = table(records, "RS")
    if rs is not None:
        e = rs[rs["RSTESTCD"] == "ECOG101"]
        parts.append(pd.DataFrame({"USUBJID": e["USUBJID"].astype(str).to_numpy(),
                                   "PARAMCD": "ECOG", "ADT": to_date(e["RSDTC"]).to_numpy(),
                                   "AVAL": pd.to_numeric(e["RSSTRESN"], errors="coerce")
                                   .to_numpy(), "AVALC": None}))
    if not parts:
        return pd.DataFrame(columns=["USUBJID", "PARAMCD", "ADT", "AVAL", "BASE", "CHG", "ADY"])
    out = pd.concat(parts, ignore_index=True)
    out = out[out["USUBJID"].isin(a.index)].reset_index(drop=True)
    out["ABLFL"] = _baseline_flag(out, ["USUBJID", "PARAMCD"], ref)
    base = out[out["ABLFL"] == "Y"].set_index(["USUBJID", "PARAMCD"])["AVAL"]
    idx = pd.MultiIndex.from_arrays([out["USUBJID"], out["PARAMCD"]])
    out["BASE"] = base.reindex(idx).to_numpy()
    out["CHG"] = out["AVAL"] - out["BASE"]
    d = (out["ADT"] - out["USUBJID"].map(ref)) / pd.Timedelta(days=1)
    out["ADY"] = d.where(d < 0, d + 1)
    out["TRT01P"] = out["USUBJID"].map(a["TRT01P"])
    return out
