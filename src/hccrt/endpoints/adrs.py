"""ADRS for a protocol: the response engine (:mod:`hccrt.response`) run on the trial's TU/TR,
once per criteria set and evaluator the endpoint catalogue names. Nothing is re-derived here.

* Criteria sets: the union of every endpoint's ``criteria``.
* Evaluators: ``investigator`` -> PARCAT2 ``INVESTIGATOR``; ``central`` -> the accepted central
  review (two readers + adjudicator, :class:`hccrt.response.CentralReviewRule`), PARCAT2
  ``CENTRAL REVIEW``. When the data hold only one central reader, that reader's reads are
  accepted (``single_reader_accepted``), and the run's notes say so.
* Reference date (best-response day-42 SD window, ANL01FL): randomization (or enrolment in a
  non-randomized design) when the response endpoints' origin is randomization or enrolment,
  else the first treatment -- as the catalogue's origin says.
* New anti-cancer therapy: assessments on or after it do not count for response
  (``before_new_therapy``; the catalogue's "up to subsequent anti-cancer therapy").
* Best response "within 2 years" (a rate endpoint with a ``horizon``): ``window_days``.
* Hepatic progression (PARAMCD ``HPD``): the first PD when only lesions in the liver (TU TULOC
  LIVER) are assessed, by the criteria set of the hepatic endpoint. A new lesion or growth
  outside the liver is not hepatic progression; progression in the untreated liver is (it is
  outside the treated area, so it is not *localized* progression).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hccrt.endpoints._common import duration_days, table
from hccrt.errors import InputError
from hccrt.protocols.schema import EndpointKind, EventSource, Protocol
from hccrt.records import RecordSet
from hccrt.response import (
    BestResponseParams,
    CentralReviewRule,
    accepted_response,
    derive_adrs,
    derive_timepoint_response,
    measurable_disease,
    prepare_lesions,
)
from hccrt.response.criteria import CRITERIA_LABELS
from hccrt.response.sdtm import lesions_from_sdtm

EVALUATOR_LABELS = {"investigator": "INVESTIGATOR", "central": "CENTRAL REVIEW"}


@dataclass
class AdrsResult:
    """ADRS plus what the TTE engine needs: the criteria labels and notes on choices made."""

    adrs: pd.DataFrame
    criteria: list[str] = field(default_factory=list)
    evaluators: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_lesions: pd.DataFrame | None = None


def response_subjects(adsl: pd.DataFrame) -> pd.DataFrame:
    """The response engine's subject table from ADSL (allocated subjects only)."""
    a = adsl[adsl["ITTFL"] == "Y"]
    return pd.DataFrame({
        "subject": a["USUBJID"].astype("string").to_numpy(),
        "randomization_date": a["RANDDT"].fillna(a["ENRLDT"]).to_numpy(),
        "treatment_date": a["TRTSDT"].to_numpy(),
        "death_date": a["DTHDT"].to_numpy(),
        "last_alive_date": a["LSTALVDT"].to_numpy(),
        "new_therapy_date": a["NACTDT"].to_numpy(),
    })


def response_params(protocol: Protocol) -> BestResponseParams:
    """Best-response parameters from the catalogue (reference date, 2-year window)."""
    crit_eps = [e for e in protocol.endpoints if e.criteria]
    origins = {e.origin.source for e in crit_eps if e.origin is not None}
    reference = ("randomization_date"
                 if origins & {EventSource.RANDOMIZATION, EventSource.ENROLMENT}
                 else "treatment_date")
    horizons = {round(duration_days(e.horizon)) for e in crit_eps
                if e.kind is EndpointKind.RATE and e.horizon is not None}
    window = horizons.pop() if len(horizons) == 1 else None
    return BestResponseParams(reference=reference, window_days=window)


def _wanted(protocol: Protocol) -> tuple[list[str], list[str]]:
    crits: list[str] = []
    evals: list[str] = []
    for e in protocol.endpoints:
        for c in e.criteria:
            if c.value not in crits:
                crits.append(c.value)
        for ev in e.evaluators or (["investigator"] if e.criteria else []):
            if ev not in evals:
                evals.append(ev)
    return crits, evals


def derive_adrs_protocol(records: RecordSet, protocol: Protocol, adsl: pd.DataFrame,
                         ) -> AdrsResult:
    """ADRS (admiralonco parameters, :func:`hccrt.response.derive_adrs`) for every criteria set
    and evaluator of the catalogue, plus PARAMCD HPD (hepatic progression)."""
    crits, evals = _wanted(protocol)
    notes: list[str] = []
    tr = table(records, "TR")
    if not crits:
        return AdrsResult(pd.DataFrame(columns=["USUBJID", "PARAMCD", "PARCAT2", "PARCAT3",
                                                "AVALC", "ADT"]), [], [], notes)
    if tr is None:
        raise InputError("records.TR", None, "tumour results (TR) for the response endpoints "
                         + ", ".join(crits))
    lesions = lesions_from_sdtm(tr, table(records, "TU"), table(records, "SUPPTU"))
    readers = sorted(str(v) for v in lesions["evaluator"].dropna().unique()
                     if str(v).upper().startswith("RADIOLOGIST"))
    central = None
    if "central" in evals:
        if readers:
            central = CentralReviewRule(single_reader_accepted=len(readers) < 2)
            if len(readers) < 2:
                notes.append(f"central review: only {readers[0]} read; single reads accepted")
        else:
            notes.append("central review requested but TR has no RADIOLOGIST reads: "
                         "central-review parameters are not derived")
            evals = [e for e in evals if e != "central"]
    params = response_params(protocol)
    subjects = response_subjects(adsl)
    keep = [EVALUATOR_LABELS[e] for e in evals]
    adrs = run_response_engine(lesions, subjects, crits, params, central, keep)
    hepatic = _hepatic_progression(protocol, lesions, subjects, params)
    if hepatic is not None:
        adrs = pd.concat([adrs, hepatic], ignore_index=True)
    role = lesions["role"].astype("string").str.upper()
    new = lesions[(role == "NEW")
                  & (lesions["evaluator"].astype("string").str.upper() == "INVESTIGATOR")]
    return AdrsResult(adrs.reset_index(drop=True), crits, evals, notes, new)


def run_response_engine(lesions: pd.DataFrame, subjects: pd.DataFrame, criteria: list[str],
                        params: BestResponseParams, central: CentralReviewRule | None,
                        evaluators: list[str]) -> pd.DataFrame:
    """The steps of :func:`hccrt.response.derive_response` that ADRS needs (lesion validation,
    timepoint response per criteria set, accepted central review, best response), without
    its ADTR, for the ``evaluators`` kept (PARCAT2 labels)."""
    prepared = prepare_lesions(lesions, errors="flag")
    mdis = measurable_disease(prepared.table)
    if central is not None:
        mdis = pd.concat([mdis, mdis.assign(evaluator=central.accepted_evaluator)
                          .drop_duplicates("subject")], ignore_index=True)
    tps = []
    for c in criteria:
        tp = derive_timepoint_response(prepared, c)
        if central is not None:
            acc = accepted_response(tp, central)
            if len(acc):
                tp = pd.concat([tp, acc[[col for col in acc.columns if col in tp.columns]
                                        + ["source"]]], ignore_index=True)
        tps.append(tp[tp["evaluator"].astype("string").str.upper().isin(evaluators)
                      .fillna(False).to_numpy(bool)])
    return derive_adrs(pd.concat(tps, ignore_index=True), subjects, params, measurable=mdis)


def _hepatic_progression(protocol: Protocol, lesions: pd.DataFrame, subjects: pd.DataFrame,
                         params: BestResponseParams) -> pd.DataFrame | None:
    hep = [e for e in protocol.endpoints
           if any(p.source is EventSource.HEPATIC_PROGRESSION for p in e.events)]
    if not hep:
        return None
    crits = sorted({c.value for e in hep for c in e.criteria} or {"mrecist"})
    site = lesions.get("site", pd.Series(pd.NA, index=lesions.index)).astype("string")
    liver = lesions[site.str.upper() == "LIVER"]
    liver = liver[liver["evaluator"].astype("string").str.upper() == "INVESTIGATOR"]
    if liver.empty:
        return None
    res = run_response_engine(liver, subjects, crits, params, None, ["INVESTIGATOR"])
    pd_rows = res[res["PARAMCD"] == "PD"].copy()
    pd_rows["PARAMCD"] = "HPD"
    pd_rows["PARAM"] = "Hepatic Disease Progression (liver lesions only)"
    return pd_rows


def criteria_label(code: str) -> str:
    """ADRS PARCAT3 label of a criteria code (``mrecist`` -> ``mRECIST``)."""
    return CRITERIA_LABELS[code]
