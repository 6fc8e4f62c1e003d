"""ADQS: EORTC QLQ-C30 and QLQ-HCC18 scale scores per questionnaire, with baseline and change.

Items (QS ``EOR0101``-``EOR0130`` and ``HCC1831``-``HCC1848``, records schema) are scored with
:func:`hccrt.clinical.qol.score_qlq_c30_table` / :func:`score_qlq_hcc18_table` (EORTC scoring
manual, 3rd edition; a scale is scored when at least half its items are answered). One row per
subject, questionnaire date and scale: PARCAT1 the questionnaire, PARAMCD the scale code,
AVAL the 0-100 score, ABLFL the last questionnaire on or before the first treatment (or the
allocation date; QSBLFL when recorded), BASE and CHG (admiral ``derive_var_base`` /
``derive_var_chg``), ADY and AVISIT.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.clinical.qol import score_qlq_c30_table, score_qlq_hcc18_table
from hccrt.endpoints._common import table, to_date
from hccrt.records import RecordSet

QUESTIONNAIRES = {"EORTC QLQ-C30 V3.0": ("qlq-c30", "EOR01", score_qlq_c30_table),
                  "EORTC QLQ-HCC18": ("qlq-hcc18", "HCC18", score_qlq_hcc18_table)}
#: PARAMCDs of the QLQ-HCC18 scales (hccrt's codes, at most 8 characters as ADaM and SAS transport
#: v5 require; :mod:`hccrt.clinical.qol` names the scales descriptively, not by EORTC codes).
#: QLQ-C30 scales keep the EORTC scoring manual's abbreviations (QL2, PF2, FA ...).
HCC18_PARAMCD = {"HCC_FATIGUE": "HCCFA", "HCC_BODY_IMAGE": "HCCBI", "HCC_JAUNDICE": "HCCJA",
                 "HCC_NUTRITION": "HCCNU", "HCC_PAIN": "HCCPA", "HCC_FEVER": "HCCFE",
                 "HCC_SEXUAL_INTEREST": "HCCSX", "HCC_ABDOMINAL_SWELLING": "HCCAB"}
ADQS_COLUMNS = ["USUBJID", "PARCAT1", "PARAMCD", "AVISIT", "ADT", "ADY", "AVAL", "ABLFL",
                "BASE", "CHG", "TRT01P"]


def derive_adqs(records: RecordSet, adsl: pd.DataFrame) -> pd.DataFrame:
    """ADQS of the QS domain (see the module docstring); empty when QS is absent."""
    qs = table(records, "QS")
    if qs is None:
        return pd.DataFrame(columns=ADQS_COLUMNS)
    a = adsl.set_index(adsl["USUBJID"].astype(str))
    ref = a["TRTSDT"].fillna(a["RANDDT"]).fillna(a["ENRLDT"])
    parts = []
    for cat, (name, prefix, scorer) in QUESTIONNAIRES.items():
        q = qs[(qs["QSCAT"] == cat) & qs["QSTESTCD"].astype(str).str.startswith(prefix)]
        if q.empty:
            continue
        item = q["QSTESTCD"].astype(str).str[len(prefix):].astype(int).to_numpy()
        # one row per (subject, date, visit): a 2-D array filled by factorized codes, the last
        # record winning for a repeated item (as pivot "last", without its per-group cost)
        key = pd.DataFrame({"USUBJID": q["USUBJID"].astype(str).to_numpy(),
                            "QSDTC": q["QSDTC"].astype(str).to_numpy(),
                            "AVISIT": q["VISIT"].astype(str).to_numpy()})
        codes, uniq = pd.factorize(pd.MultiIndex.from_frame(key))
        items = sorted(set(item.tolist()))
        col = np.searchsorted(np.asarray(items), item)
        grid = np.full((len(uniq), len(items)), np.nan)
        grid[codes, col] = pd.to_numeric(q["QSSTRESN"], errors="coerce").to_numpy(float)
        wide = pd.DataFrame(grid, columns=[f"q{i}" for i in items])
        wide.insert(0, "USUBJID", uniq.get_level_values(0))
        wide.insert(1, "QSDTC", uniq.get_level_values(1))
        wide.insert(2, "AVISIT", uniq.get_level_values(2))
        answered = ~np.isnan(grid).all(axis=1)
        bl_flag = q.get("QSBLFL", pd.Series(None, index=q.index)).to_numpy(object) == "Y"
        blv = np.zeros(len(uniq), dtype=bool)
        np.logical_or.at(blv, codes, bl_flag)
        wide, blv = wide[answered].reset_index(drop=True), blv[answered]
        scores = scorer(wide)
        wide_bl = np.where(blv, "Y", None)
        adt = to_date(wide["QSDTC"]).to_numpy()
        for code in scores.columns:
            parts.append(pd.DataFrame({
                "USUBJID": wide["USUBJID"].to_numpy(), "PARCAT1": name,
                "PARAMCD": HCC18_PARAMCD.get(code, code),
                "AVISIT": wide["AVISIT"].to_numpy(),
                "ADT": adt,
                "AVAL": scores[code].to_numpy(), "QSBLFL": wide_bl}))
    if not parts:
        return pd.DataFrame(columns=ADQS_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out = out[out["USUBJID"].isin(a.index)].reset_index(drop=True)
    out["_ref"] = out["USUBJID"].map(ref)
    if (out["QSBLFL"] == "Y").any():
        out["ABLFL"] = np.where(out["QSBLFL"] == "Y", "Y", None)
    else:
        pre = out[out["ADT"].notna() & (out["ADT"] <= out["_ref"])]
        idx = pre.sort_values("ADT").drop_duplicates(["USUBJID", "PARAMCD"], keep="last").index
        out["ABLFL"] = np.where(out.index.isin(idx), "Y", None)
    base = (out[out["ABLFL"] == "Y"].drop_duplicates(["USUBJID", "PARCAT1", "PARAMCD"])
            .set_index(["USUBJID", "PARCAT1", "PARAMCD"])["AVAL"])
    idx = pd.MultiIndex.from_arrays([out["USUBJID"], out["PARCAT1"], out["PARAMCD"]])
    out["BASE"] = base.reindex(idx).to_numpy()
    out["CHG"] = out["AVAL"] - out["BASE"]
    d = (out["ADT"] - out["_ref"]) / pd.Timedelta(days=1)
    out["ADY"] = d.where(d < 0, d + 1)
    out["TRT01P"] = out["USUBJID"].map(a["TRT01P"])
    return out[ADQS_COLUMNS]
