"""ADLF: regional liver function by hepatobiliary scintigraphy, with baseline and change.

Source: the custom SDTM findings domain XL (:mod:`hccrt.records.schema`), one record per scan
and liver territory, ``XLTESTCD = HBUPTR`` (BSA-corrected hepatic tracer uptake rate, %/min/m2)
with the territory in ``XLLOC``. One ADaM BDS row per subject, scan and territory:

* PARCAT1 ``REGIONAL LIVER FUNCTION``; PARAMCD by territory: ``HBUWL`` whole liver, ``HBUTT``
  treated territory, ``HBUUL`` untreated liver (PARAM names the territory and unit);
* AVAL the uptake rate; ADT the scan date; ADY with day 1 the reference date (first treatment,
  else randomization, else enrolment) and no day 0; AVISIT the SDTM visit;
* ABLFL: the record flagged XLBLFL = Y, else the last scan on or before the reference date
  (admiral ``derive_var_extreme_flag``); BASE, CHG = AVAL - BASE and PCHG = 100 CHG / BASE
  (admiral ``derive_var_base`` / ``derive_var_chg`` / ``derive_var_pchg``); TRT01P.

Records without a numeric result (XLSTAT = NOT DONE) are dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.endpoints._common import table, to_date
from hccrt.records import RecordSet

PARCAT1 = "REGIONAL LIVER FUNCTION"
#: XLLOC -> (PARAMCD, PARAM).
TERRITORIES = {
    "WHOLE LIVER": ("HBUWL", "Hepatic Uptake Rate, Whole Liver (%/min/m2)"),
    "TREATED TERRITORY": ("HBUTT", "Hepatic Uptake Rate, Treated Territory (%/min/m2)"),
    "UNTREATED LIVER": ("HBUUL", "Hepatic Uptake Rate, Untreated Liver (%/min/m2)"),
}
ADLF_COLUMNS = ["USUBJID", "PARCAT1", "PARAMCD", "PARAM", "AVISIT", "ADT", "ADY", "AVAL",
                "ABLFL", "BASE", "CHG", "PCHG", "TRT01P"]


def derive_adlf(records: RecordSet, adsl: pd.DataFrame) -> pd.DataFrame:
    """ADLF from XL (see the module docstring); empty when XL is absent."""
    xl = table(records, "XL")
    if xl is None:
        return pd.DataFrame(columns=ADLF_COLUMNS)
    xl = xl[(xl["XLTESTCD"] == "HBUPTR") & xl["XLLOC"].isin(list(TERRITORIES))]
    aval = pd.to_numeric(xl["XLSTRESN"], errors="coerce")
    xl, aval = xl[aval.notna()], aval[aval.notna()]
    a = adsl.set_index(adsl["USUBJID"].astype(str))
    ref = a["TRTSDT"].fillna(a["RANDDT"]).fillna(a["ENRLDT"])
    loc = xl["XLLOC"].astype(str)
    out = pd.DataFrame({
        "USUBJID": xl["USUBJID"].astype(str).to_numpy(),
        "PARCAT1": PARCAT1,
        "PARAMCD": loc.map(lambda s: TERRITORIES[s][0]).to_numpy(),
        "PARAM": loc.map(lambda s: TERRITORIES[s][1]).to_numpy(),
        "AVISIT": xl["VISIT"].to_numpy() if "VISIT" in xl else None,
        "ADT": to_date(xl["XLDTC"]).to_numpy(),
        "AVAL": aval.to_numpy(float),
        "_BLFL": (xl["XLBLFL"] if "XLBLFL" in xl else pd.Series(None, index=xl.index))
        .to_numpy(object),
    })
    out = out[out["USUBJID"].isin(a.index)].reset_index(drop=True)
    if out.empty:
        return pd.DataFrame(columns=ADLF_COLUMNS)
    out["_ref"] = out["USUBJID"].map(ref)
    if (out["_BLFL"] == "Y").any():
        out["ABLFL"] = np.where(out["_BLFL"] == "Y", "Y", None)
    else:
        pre = out[out["ADT"].notna() & (out["ADT"] <= out["_ref"])]
        idx = pre.sort_values("ADT").drop_duplicates(["USUBJID", "PARAMCD"], keep="last").index
        out["ABLFL"] = np.where(out.index.isin(idx), "Y", None)
    base = (out[out["ABLFL"] == "Y"].drop_duplicates(["USUBJID", "PARAMCD"])
            .set_index(["USUBJID", "PARAMCD"])["AVAL"])
    out["BASE"] = base.reindex(pd.MultiIndex.from_arrays([out["USUBJID"], out["PARAMCD"]]))\
        .to_numpy()
    out["CHG"] = out["AVAL"] - out["BASE"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["PCHG"] = np.where(out["BASE"] != 0, 100.0 * out["CHG"] / out["BASE"], np.nan)
    d = (out["ADT"] - out["_ref"]) / pd.Timedelta(days=1)
    out["ADY"] = d.where(d < 0, d + 1)
    out["TRT01P"] = out["USUBJID"].map(a["TRT01P"])
    return out.sort_values(["USUBJID", "PARAMCD", "ADT"], kind="mergesort")[ADLF_COLUMNS]\
        .reset_index(drop=True)
