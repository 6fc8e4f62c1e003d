"""One call from SDTM-shaped tables to ADaM-shaped response datasets (pure; no file I/O).

``derive_response`` runs, for each requested criteria set: lesion validation, timepoint
response, optional central review (accepted result of two readers + adjudicator), best
response (ADRS) and ADTR, and gathers every breach and every NE with its reason into one
``unevaluable`` table, so that what could not be evaluated is always explained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from hccrt.errors import InputError
from hccrt.response.adrs import derive_adrs, measurable_disease
from hccrt.response.adtr import derive_adtr
from hccrt.response.best import BestResponseParams
from hccrt.response.criteria import CRITERIA_NAMES, rules_for
from hccrt.response.review import CentralReviewRule, accepted_response
from hccrt.response.timepoint import derive_timepoint_response, prepare_lesions


@dataclass
class ResponseResult:
    """Outputs of :func:`derive_response`."""

    timepoints: pd.DataFrame
    adrs: pd.DataFrame
    adtr: pd.DataFrame
    unevaluable: pd.DataFrame
    criteria: list[str] = field(default_factory=list)


def derive_response(
    lesions: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    criteria: list[str] | None = None,
    evaluators: list[str] | None = None,
    params: BestResponseParams | None = None,
    central_review: CentralReviewRule | None = None,
    errors: Literal["raise", "flag"] = "flag",
) -> ResponseResult:
    """Derive timepoints, ADRS, ADTR and the unevaluable report for each criteria set."""
    crits = criteria or ["recist11"]
    for c in crits:
        rules_for(c)  # validates the name
    les = lesions
    if evaluators:
        wanted = [e.upper() for e in evaluators]
        les = lesions.loc[lesions["evaluator"].astype("string").str.upper().isin(wanted)]
        if les.empty:
            raise InputError("evaluator", evaluators,
                             f"evaluators present in the data: "
                             f"{sorted(lesions['evaluator'].dropna().unique())}")
    params = params or BestResponseParams()
    prepared = prepare_lesions(les, errors=errors)
    issues = prepared.issues
    mdis = measurable_disease(prepared.table)
    tps, adrss, adtrs = [], [], []
    for c in crits:
        tp = derive_timepoint_response(prepared, c)
        if central_review is not None:
            acc = accepted_response(tp, central_review)
            if len(acc):
                tp = pd.concat([tp, acc[[col for col in acc.columns if col in tp.columns]
                                        + ["source"]]], ignore_index=True)
                mdis = pd.concat([mdis, mdis.assign(evaluator=central_review.accepted_evaluator)
                                  .drop_duplicates("subject")], ignore_index=True)
        tps.append(tp)
        adrss.append(derive_adrs(tp, subjects, params, measurable=mdis))
        adtrs.append(derive_adtr(les, c, errors=errors))
    timepoints = pd.concat(tps, ignore_index=True)
    ne = timepoints.loc[timepoints["overall"] == "NE",
                        ["subject", "evaluator", "criteria", "visit", "date", "reason"]]
    unevaluable = pd.concat([
        issues.assign(kind="input breach (subject/evaluator excluded)"),
        ne.assign(kind="NE timepoint"),
    ], ignore_index=True)
    return ResponseResult(timepoints, pd.concat(adrss, ignore_index=True),
                          pd.concat(adtrs, ignore_index=True), unevaluable, crits)


def compare_with_recorded(timepoints: pd.DataFrame, recorded: pd.DataFrame) -> pd.DataFrame:
    """Derived against recorded overall responses (e.g. RS OVRLRESP from
    :func:`hccrt.response.sdtm.overall_from_rs`), matched on subject, evaluator and visit:
    subject, evaluator, visit, recorded, derived, match, reason. Recorded responses without a
    derived timepoint have ``derived`` missing and ``match`` False. Only the evaluators present
    in ``timepoints`` are compared."""
    rec = recorded[["subject", "evaluator", "visit", "overall"]].astype(str).rename(
        columns={"overall": "recorded"})
    rec = rec.loc[rec["evaluator"].isin(timepoints["evaluator"].astype(str).unique())]
    der = timepoints[["subject", "evaluator", "visit", "overall", "reason"]].copy()
    for c in ("subject", "evaluator", "visit"):
        der[c] = der[c].astype(str)
    der = der.rename(columns={"overall": "derived"})
    m = rec.merge(der, on=["subject", "evaluator", "visit"], how="left")
    m["match"] = (m["recorded"] == m["derived"]).fillna(False).astype(bool)
    return m


__all__ = ["CRITERIA_NAMES", "ResponseResult", "compare_with_recorded", "derive_response"]
