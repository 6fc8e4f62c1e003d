"""ADRS-shaped analysis dataset (CDISC ADaM BDS, admiralonco ``ad_adrs.R`` parameters).

One row per timepoint (PARAMCD OVR, with ANL01FL/ANL02FL as in :func:`best.select_records`) and
per subject, evaluator and criteria set one row for each of BOR, CBOR, RSP, CRSP, CB, CCB, BCP,
CBCP, PD, LSTA, MDIS, DEATH, and hccrt's TTBR and SCR (see :mod:`hccrt.response.best`).
AVAL follows admiralonco ``aval_resp`` (CR 1, PR 2, SD 3, NON-CR/NON-PD 4, PD 5, NE 6, MISSING 7)
and admiral ``yn_to_numeric`` (Y 1, N 0). PARCAT2 is the evaluator, PARCAT3 the criteria set;
REASON (an hccrt column) explains every NE and PD timepoint. ASEQ orders by USUBJID, PARCAT2,
PARCAT3, PARAMCD, ADT, VISITNUM.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.response.best import (
    AVAL_RESP,
    BestResponseParams,
    derive_best_response,
    select_records,
)
from hccrt.response.lesions import Role

PARAMS: dict[str, str] = {
    "OVR": "Overall Response",
    "BOR": "Best Overall Response (confirmation not required)",
    "CBOR": "Best Confirmed Overall Response",
    "RSP": "Response (CR/PR) (confirmation not required)",
    "CRSP": "Confirmed Response (CR/PR)",
    "CB": "Clinical Benefit (confirmation not required)",
    "CCB": "Confirmed Clinical Benefit",
    "BCP": "Best Overall Response of CR/PR (confirmation not required)",
    "CBCP": "Best Confirmed Overall Response of CR/PR",
    "PD": "Disease Progression",
    "LSTA": "Last Disease Assessment",
    "MDIS": "Measurable Disease at Baseline",
    "DEATH": "Death",
    "TTBR": "Time to Best Overall Response (days)",
    "SCR": "Sustained Complete Response",
}
ADRS_COLUMNS: list[str] = ["USUBJID", "PARAMCD", "PARAM", "PARCAT2", "PARCAT3", "AVALC", "AVAL",
                           "ADT", "VISIT", "VISITNUM", "ANL01FL", "ANL02FL", "REASON", "ASEQ"]
_RESPONSE_PARAMS = ("BOR", "CBOR", "LSTA")
_FLAG_PARAMS = ("RSP", "CRSP", "CB", "CCB", "BCP", "CBCP", "PD", "MDIS", "DEATH", "SCR")
_DATED = {"BOR", "CBOR", "RSP", "CRSP", "CB", "CCB", "PD", "LSTA", "DEATH", "SCR"}


def measurable_disease(lesions: pd.DataFrame) -> pd.DataFrame:
    """(subject, evaluator) pairs with a target lesion at their first (baseline) assessment.

    admiralonco uses the investigator's TU only; hccrt asks each reader's own baseline.
    ``lesions`` is a validated lesion table (with ``tp_index``) or a raw one (earliest date).
    """
    if "tp_index" in lesions.columns:
        base = lesions.loc[lesions["tp_index"] == 0]
    else:
        d = pd.to_datetime(lesions["date"], errors="coerce")
        first = d.groupby([lesions["subject"], lesions["evaluator"]]).transform("min")
        base = lesions.loc[d == first]
    tgt = base.loc[base["role"].astype("string").str.upper() == Role.TARGET.value]
    return tgt[["subject", "evaluator"]].drop_duplicates().reset_index(drop=True)


def aval(values: pd.Series) -> pd.Series:
    """AVAL from AVALC (aval_resp for responses, 1/0 for Y/N)."""
    mapping: dict[str, float] = {k: float(v) for k, v in AVAL_RESP.items()}
    mapping.update({"Y": 1.0, "N": 0.0})
    return values.map(mapping).astype(float)


def derive_adrs(
    timepoints: pd.DataFrame,
    subjects: pd.DataFrame,
    params: BestResponseParams | None = None,
    *,
    measurable: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """ADRS from a timepoint table (:func:`timepoint.derive_timepoint_response`, several
    evaluators/criteria allowed) and the subject table; columns :data:`ADRS_COLUMNS`."""
    params = params or BestResponseParams()
    rec = select_records(timepoints, subjects, params)
    ovr = pd.DataFrame({
        "USUBJID": rec["subject"].astype("string").to_numpy(),
        "PARAMCD": "OVR",
        "PARCAT2": rec["evaluator"].to_numpy(),
        "PARCAT3": rec["criteria"].to_numpy(),
        "AVALC": rec["overall"].astype(object).to_numpy(),
        "ADT": rec["date"].to_numpy(),
        "VISIT": rec["visit"].to_numpy() if "visit" in rec.columns else None,
        "VISITNUM": rec["visitnum"].to_numpy() if "visitnum" in rec.columns else np.nan,
        "ANL01FL": rec["ANL01FL"].to_numpy(),
        "ANL02FL": rec["ANL02FL"].to_numpy(),
        "REASON": rec["reason"].to_numpy() if "reason" in rec.columns else None,
    })
    best = derive_best_response(timepoints, subjects, params, measurable=measurable)
    parts = [ovr]
    for code in (*_RESPONSE_PARAMS, *_FLAG_PARAMS, "TTBR"):
        if code == "MDIS" and measurable is None:
            continue
        part = pd.DataFrame({
            "USUBJID": best["subject"].astype("string").to_numpy(),
            "PARAMCD": code,
            "PARCAT2": best["evaluator"].to_numpy(),
            "PARCAT3": best["criteria"].to_numpy(),
        })
        if code == "TTBR":
            part["AVALC"] = None
            part["AVAL"] = best["TTBR"].to_numpy(dtype=float)
            part["ADT"] = best["BOR_date"].to_numpy()
            part = part.loc[part["AVAL"].notna()]
        else:
            part["AVALC"] = best[code].to_numpy()
            part["ADT"] = best[f"{code}_date"].to_numpy() if code in _DATED else pd.NaT
            if code == "LSTA":
                part = part.loc[part["AVALC"].notna()]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["PARAM"] = out["PARAMCD"].map(PARAMS)
    resp = out["PARAMCD"] != "TTBR"
    out.loc[resp, "AVAL"] = aval(out.loc[resp, "AVALC"].astype("string"))
    out["ADT"] = pd.to_datetime(out["ADT"])
    out = out.sort_values(["USUBJID", "PARCAT2", "PARCAT3", "PARAMCD", "ADT", "VISITNUM"],
                          kind="mergesort", na_position="last").reset_index(drop=True)
    out["ASEQ"] = out.groupby(["USUBJID"]).cumcount() + 1
    return out.reindex(columns=ADRS_COLUMNS)
