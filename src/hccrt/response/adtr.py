"""ADTR-shaped analysis dataset: target-lesion diameters and their sum, with baseline, nadir,
change and percent change (admiralonco ``inst/templates/ad_adtr.R``; response-rules.md section 5).

Rows: one per target lesion and assessment (PARAMCD ``LDIAM`` for non-nodal lesions, ``SAXIS``
for nodal ones, ``VDIAM`` for viable diameters of intrahepatic lesions under mRECIST), and one
``SDIAM`` (sum of diameters) per assessment. Conventions as admiralonco:

* SDIAM sums the assessed lesions (missing ones skipped); ANL01FL = Y only when every baseline
  target lesion was assessed;
* ABLFL = Y on the baseline assessment; BASE its value; CHG/PCHG change from baseline;
* NADIR = smallest SDIAM of the *earlier* complete assessments (baseline included); CHGNAD and
  PCHGNAD relative to it; PCHGNAD missing when the nadir is 0;
* ANL02FL = Y on the complete post-baseline assessment with the smallest PCHG (the best change,
  for waterfall plots; the earliest on ties).

Difference from admiralonco: dates are the assessment dates of the lesion table (hccrt imputes
a partial date once, to the last day of the month; admiralonco's ADTR imputes the first day).
Localized criteria keep only target lesions inside the treated area.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from hccrt.response.criteria import (
    CRITERIA_LABELS,
    Criteria,
    CriteriaRules,
    lesion_measurement,
    rules_for,
)
from hccrt.response.lesions import Role, validate_lesions

ADTR_COLUMNS: list[str] = ["USUBJID", "PARCAT2", "PARCAT3", "PARAMCD", "PARAM", "TRLNKID",
                           "VISIT", "VISITNUM", "ADT", "AVAL", "ABLFL", "BASE", "CHG", "PCHG",
                           "NADIR", "CHGNAD", "PCHGNAD", "ANL01FL", "ANL02FL"]


def derive_adtr(
    lesions: pd.DataFrame,
    criteria: str | Criteria = Criteria.RECIST11,
    *,
    rules: CriteriaRules | None = None,
    errors: Literal["raise", "flag"] = "raise",
) -> pd.DataFrame:
    """ADTR from a lesion table for one criteria set (columns :data:`ADTR_COLUMNS`)."""
    rules = rules if rules is not None else rules_for(criteria)
    t, _ = validate_lesions(lesions, errors)
    meas = lesion_measurement(t, rules)
    m = (t["role"] == Role.TARGET.value).to_numpy(dtype=bool)
    if rules.localized:
        m = m & (t["in_treated_area"] == True).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    t = t.loc[m].assign(AVAL=meas[m])
    if t.empty:
        return pd.DataFrame(columns=ADTR_COLUMNS)
    liver = (t["site"] == "LIVER").fillna(False).to_numpy(dtype=bool)
    code = np.where(t["nodal"].to_numpy(dtype=bool), "SAXIS", "LDIAM")
    if rules.measure == "viable":
        code = np.where(liver, "VDIAM", code)
    names = {"LDIAM": "Longest Diameter (mm)", "SAXIS": "Short Axis (mm)",
             "VDIAM": "Viable Tumour Longest Diameter (mm)"}
    key = ["subject", "evaluator"]
    les = pd.DataFrame({
        "USUBJID": t["subject"].to_numpy(), "PARCAT2": t["evaluator"].to_numpy(),
        "PARAMCD": code, "TRLNKID": t["lesion_id"].to_numpy(), "VISIT": t["visit"].to_numpy(),
        "VISITNUM": t["visitnum"].to_numpy(), "ADT": t["tp_date"].to_numpy(),
        "AVAL": t["AVAL"].to_numpy(), "_tp": t["tp_index"].to_numpy(),
    })
    les["ABLFL"] = np.where(les["_tp"] == 0, "Y", None)
    base = les.loc[les["_tp"] == 0, ["USUBJID", "PARCAT2", "TRLNKID", "AVAL"]].rename(
        columns={"AVAL": "BASE"})
    les = les.merge(base, on=["USUBJID", "PARCAT2", "TRLNKID"], how="left")

    g = t.groupby([*key, "tp_index"], sort=False)
    s = g.agg(VISIT=("visit", "first"), VISITNUM=("visitnum", "first"), ADT=("tp_date", "first"),
              AVAL=("AVAL", lambda x: x.sum(min_count=1)), _n=("AVAL", "count"),
              _rows=("AVAL", "size")).reset_index()
    expected = s.loc[s["tp_index"] == 0, [*key, "_rows"]].rename(columns={"_rows": "_exp"})
    s = s.merge(expected, on=key, how="left")
    s["ANL01FL"] = np.where(s["_n"] == s["_exp"], "Y", None)
    s = s.rename(columns={"subject": "USUBJID", "evaluator": "PARCAT2", "tp_index": "_tp"})
    s["PARAMCD"] = "SDIAM"
    s["TRLNKID"] = None
    s["ABLFL"] = np.where(s["_tp"] == 0, "Y", None)
    b = s.loc[s["_tp"] == 0, ["USUBJID", "PARCAT2", "AVAL"]].rename(columns={"AVAL": "BASE"})
    s = s.merge(b, on=["USUBJID", "PARCAT2"], how="left")
    s = s.sort_values(["USUBJID", "PARCAT2", "_tp"], kind="mergesort").reset_index(drop=True)
    grp = s.groupby(["USUBJID", "PARCAT2"], sort=False)
    val = s["AVAL"].where(s["ANL01FL"] == "Y", np.inf)
    s["NADIR"] = val.groupby([s["USUBJID"], s["PARCAT2"]]).cummin().groupby(
        [s["USUBJID"], s["PARCAT2"]]).shift(1).replace(np.inf, np.nan)
    s["CHGNAD"] = s["AVAL"] - s["NADIR"]
    s["PCHGNAD"] = np.where(s["NADIR"] > 0, s["CHGNAD"] / s["NADIR"] * 100, np.nan)
    s["CHG"] = s["AVAL"] - s["BASE"]
    s["PCHG"] = np.where(s["BASE"] > 0, s["CHG"] / s["BASE"] * 100, np.nan)
    cand = (s["ANL01FL"] == "Y") & (s["_tp"] > 0) & s["PCHG"].notna()
    best_idx = s.loc[cand].sort_values(["USUBJID", "PARCAT2", "PCHG", "_tp"],
                                       kind="mergesort").drop_duplicates(
        ["USUBJID", "PARCAT2"]).index
    s["ANL02FL"] = None
    s.loc[best_idx, "ANL02FL"] = "Y"
    del grp

    les["CHG"] = les["AVAL"] - les["BASE"]
    les["PCHG"] = np.where(les["BASE"] > 0, les["CHG"] / les["BASE"] * 100, np.nan)
    out = pd.concat([les, s], ignore_index=True)
    out["PARCAT3"] = CRITERIA_LABELS[rules.criteria.value]
    out["PARAM"] = out["PARAMCD"].map({**names, "SDIAM": "Sum of Diameters (mm)"})
    out = out.sort_values(["USUBJID", "PARCAT2", "_tp", "PARAMCD", "TRLNKID"], kind="mergesort")
    return out.reindex(columns=ADTR_COLUMNS).reset_index(drop=True)
