"""ADTTE: one parameter per time-to-event endpoint of the catalogue, criteria set and evaluator.

The protocol file drives everything: :func:`tte_sources` turns each :class:`TimePoint` of an
endpoint (``origin``, ``events``, ``censoring``) into a dated :class:`TteSource` through
:func:`source_dates` (one function knows what every ``EventSource`` means), and the generic
engine :func:`hccrt.endpoints.tte.derive_param_tte` combines them. Changing a protocol file's
events or censorings changes the derivation; no endpoint is coded by name.

``EventSource`` -> date (ADSL variables are described in :mod:`hccrt.endpoints.adsl`):

==============================  ===========================================================
enrolment / randomization       ENRLDT / RANDDT (ENRLDT when the design is not randomized)
first_treatment / surgery       TRTSDT / SURGDT
first_response                  ADRS RSP = Y, ADT (first CR or PR, unconfirmed)
first_complete_response         first ADRS OVR = CR (ANL01FL = ANL02FL = Y)
progression                     ADRS PD = Y, ADT (first PD); hepatic_progression: HPD
death                           DTHDT
subsequent_anticancer_therapy   NACTDT; subsequent_hcc_treatment: NHCCDT
loss_of_complete_response       first OVR after the first CR that is PR, SD, NON-CR/NON-PD or PD
best_response                   ADRS BOR ADT when BOR is CR, PR, SD or NON-CR/NON-PD
withdrawal_of_consent           WDRLDT; lost_to_follow_up: LTFUDT
study_end / data_cutoff         STUDYEDT / DCUTDT
last_tumour_assessment          last adequate (not NE) OVR assessment, ANL01FL = Y
last_known_alive                LSTALVDT
==============================  ===========================================================

PARAMCD is the protocol file's ``paramcd`` of the endpoint with the criteria set's code appended
(``PFS`` + mRECIST -> ``PFSM``, localized mRECIST -> ``PFSLM``, RECIST 1.1 -> ``PFSR``): at most
8 characters as ADaM and SAS transport v5 require, unique per parameter (checked);
PARCAT2 is the evaluator (INVESTIGATOR / CENTRAL REVIEW), PARCAT3 the criteria label.
"""

from __future__ import annotations

import re

import pandas as pd

from hccrt.endpoints._common import duration_days
from hccrt.endpoints.adrs import EVALUATOR_LABELS, AdrsResult, criteria_label
from hccrt.endpoints.tte import TTE_COLUMNS, TteSource, derive_param_tte
from hccrt.errors import InputError
from hccrt.protocols.schema import (
    Assessment,
    DesignType,
    Endpoint,
    EndpointKind,
    EventSource,
    Protocol,
    TimePoint,
)

TTE_KINDS = (EndpointKind.TIME_TO_EVENT, EndpointKind.DURATION, EndpointKind.RESTRICTED_MEAN)
FALLBACK_SOURCES = (EventSource.LAST_TUMOUR_ASSESSMENT, EventSource.LAST_KNOWN_ALIVE)
_ADSL_DATES = {
    EventSource.ENROLMENT: "ENRLDT",
    EventSource.FIRST_TREATMENT: "TRTSDT",
    EventSource.SURGERY: "SURGDT",
    EventSource.DEATH: "DTHDT",
    EventSource.SUBSEQUENT_ANTICANCER_THERAPY: "NACTDT",
    EventSource.SUBSEQUENT_HCC_TREATMENT: "NHCCDT",
    EventSource.WITHDRAWAL_OF_CONSENT: "WDRLDT",
    EventSource.LOST_TO_FOLLOW_UP: "LTFUDT",
    EventSource.STUDY_END: "STUDYEDT",
    EventSource.DATA_CUTOFF: "DCUTDT",
    EventSource.LAST_KNOWN_ALIVE: "LSTALVDT",
}
ADTTE_COLUMNS = ["STUDYID", "USUBJID", "PARAMCD", "PARAM", "ENDPOINT", "PARCAT2", "PARCAT3",
                 "CRITERIA", "TRT01P", *TTE_COLUMNS[1:]]


def imaging_gap_days(protocol: Protocol, missed: int) -> float | None:
    """Rule 6 threshold: (missed + 1) x the longest repeating imaging interval of the schedule
    (the follow-up phase's, e.g. every 3 months) + that visit's window after; None when the
    schedule repeats no imaging."""
    best: tuple[float, float] | None = None
    for v in protocol.schedule.visits:
        if Assessment.IMAGING in v.assessments and v.repeat is not None:
            every = duration_days(v.repeat.every)
            if best is None or every > best[0]:
                best = (every, duration_days(v.window.after))
    if best is None:
        return None
    return (missed + 1) * best[0] + best[1]


def _by_subject(df: pd.DataFrame, col: str = "ADT") -> pd.Series:
    s = df.drop_duplicates("USUBJID").set_index("USUBJID")[col]
    s.index = s.index.astype(str)
    return pd.to_datetime(s)


class SourceContext:
    """What :func:`source_dates` reads: ADSL and ADRS (and the design type)."""

    def __init__(self, adsl: pd.DataFrame, adrs: pd.DataFrame, protocol: Protocol) -> None:
        self.adsl = adsl.set_index(adsl["USUBJID"].astype(str))
        self.protocol = protocol
        a = adrs.assign(USUBJID=adrs["USUBJID"].astype(str).to_numpy(object))
        self._empty = a.iloc[:0]
        self._groups: dict[tuple, pd.DataFrame] = {
            (k[0], k[1], k[2]): g for k, g in a.groupby(
                [a["PARAMCD"].astype(object), a["PARCAT3"].astype(object),
                 a["PARCAT2"].astype(object)], sort=False, dropna=False)}
        self._asm: dict[tuple, pd.DataFrame] = {}

    def adrs_rows(self, paramcd: str, criteria: str, evaluator: str) -> pd.DataFrame:
        """ADRS rows of one parameter, criteria set and evaluator."""
        key = (paramcd, criteria_label(criteria), EVALUATOR_LABELS[evaluator])
        return self._groups.get(key, self._empty)

    def assessments(self, criteria: str, evaluator: str) -> pd.DataFrame:
        """Adequate tumour assessments: OVR records with ANL01FL = Y and a response other than
        NE (columns USUBJID, date)."""
        key = (criteria, evaluator)
        if key not in self._asm:
            ovr = self.adrs_rows("OVR", criteria, evaluator)
            ok = ovr[(ovr["ANL01FL"] == "Y") & (ovr["AVALC"] != "NE")]
            self._asm[key] = pd.DataFrame({"USUBJID": ok["USUBJID"].to_numpy(),
                                           "date": pd.to_datetime(ok["ADT"]).to_numpy()})
        return self._asm[key]


def source_dates(tp: TimePoint | EventSource, ctx: SourceContext, criteria: str | None,
                 evaluator: str | None) -> pd.Series:
    """The date of source ``tp`` per USUBJID for one criteria set and evaluator."""
    src = tp.source if isinstance(tp, TimePoint) else EventSource(tp)
    a = ctx.adsl
    if src is EventSource.RANDOMIZATION:
        col = a["RANDDT"]
        return col.fillna(a["ENRLDT"]) if ctx.protocol.design.type is not \
            DesignType.RANDOMIZED else col
    if src in _ADSL_DATES:
        return a[_ADSL_DATES[src]]
    if criteria is None:
        raise InputError("criteria", None, f"a criteria set for source {src.value!r}")
    ev = evaluator or "investigator"
    if src is EventSource.FIRST_RESPONSE:
        r = ctx.adrs_rows("RSP", criteria, ev)
        return _by_subject(r[r["AVALC"] == "Y"])
    if src is EventSource.PROGRESSION:
        r = ctx.adrs_rows("PD", criteria, ev)
        return _by_subject(r[r["AVALC"] == "Y"])
    if src is EventSource.HEPATIC_PROGRESSION:
        r = ctx.adrs_rows("HPD", criteria, "investigator")
        return _by_subject(r[r["AVALC"] == "Y"])
    if src is EventSource.BEST_RESPONSE:
        r = ctx.adrs_rows("BOR", criteria, ev)
        return _by_subject(r[r["AVALC"].isin(["CR", "PR", "SD", "NON-CR/NON-PD"])])
    if src is EventSource.LAST_TUMOUR_ASSESSMENT:
        asm = ctx.assessments(criteria, ev)
        return asm.groupby("USUBJID")["date"].max()
    ovr = ctx.adrs_rows("OVR", criteria, ev)
    ovr = ovr[(ovr["ANL01FL"] == "Y") & (ovr["ANL02FL"] == "Y")].sort_values(["USUBJID", "ADT"])
    first_cr = _by_subject(ovr[ovr["AVALC"] == "CR"])
    if src is EventSource.FIRST_COMPLETE_RESPONSE:
        return first_cr
    if src is EventSource.LOSS_OF_COMPLETE_RESPONSE:
        after = ovr.assign(fcr=ovr["USUBJID"].astype(str).map(first_cr))
        lost = after[(after["ADT"] > after["fcr"])
                     & after["AVALC"].isin(["PR", "SD", "NON-CR/NON-PD", "PD"])]
        return _by_subject(lost)
    raise InputError("source", src.value, "a source of hccrt.protocols.schema.EventSource")


def assessment_based(endpoint: Endpoint) -> bool:
    """Tumour assessments decide the censoring date (PFS, TTP, DoR, hepatic PFS ...)."""
    points = [*endpoint.events, *endpoint.censoring]
    return any(p.criteria_dependent or p.source in (
        EventSource.PROGRESSION, EventSource.HEPATIC_PROGRESSION,
        EventSource.LAST_TUMOUR_ASSESSMENT) for p in points)


#: 1-2 letter code of each criteria set, appended to the endpoint's PARAMCD.
CRITERIA_PARAMCD = {"recist11": "R", "mrecist": "M", "localized-mrecist": "LM",
                    "localized-recist11": "LR"}
#: CDISC ADaM IG 1.3 section 3.3.4 (PARAMCD: at most 8 characters, starting with a letter,
#: letters, digits and underscores only), so it fits a SAS transport v5 value.
PARAMCD_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")


def paramcd_base(endpoint: Endpoint) -> str:
    """The endpoint's PARAMCD without criteria code: the protocol file's ``paramcd``, else the
    id upper-cased without separators when that is at most 6 characters, else the initials
    of its words (``time-to-subsequent-treatment`` -> ``TTST``)."""
    if endpoint.paramcd:
        return endpoint.paramcd
    words = [w for w in re.split(r"[^A-Za-z0-9]+", endpoint.id) if w]
    joined = "".join(words).upper()
    code = joined if len(joined) <= 6 else "".join(w[0] for w in words).upper()[:6]
    return code if code[:1].isalpha() else f"P{code}"[:6]


def paramcd(endpoint: Endpoint, criteria: str | None) -> str:
    """ADTTE PARAMCD: the endpoint's code plus the criteria set's code (``PFS`` + mRECIST ->
    ``PFSM``; localized mRECIST -> ``PFSLM``), at most 8 characters."""
    code = paramcd_base(endpoint) + (CRITERIA_PARAMCD[criteria] if criteria else "")
    if not PARAMCD_PATTERN.match(code):
        raise InputError(f"endpoints[{endpoint.id}].paramcd", code,
                         "at most 8 characters: a letter, then letters, digits or underscores")
    return code


def check_unique_paramcds(adtte: pd.DataFrame) -> None:
    """Each PARAMCD names one parameter (endpoint and criteria set) of the dataset."""
    if adtte.empty:
        return
    params = adtte[["PARAMCD", "ENDPOINT", "CRITERIA"]].astype(object).drop_duplicates()
    clash = params.groupby("PARAMCD")["ENDPOINT"].transform("size") > 1
    if clash.any():
        dup = params[clash]
        code = str(dup["PARAMCD"].iloc[0])
        raise InputError("endpoints.paramcd", code, "a PARAMCD unique to one endpoint and "
                         "criteria set", f"shared by {sorted(set(dup['ENDPOINT']))}; set a "
                         "distinct paramcd in the protocol file")


def tte_sources(endpoint: Endpoint, ctx: SourceContext, criteria: str | None,
                evaluator: str | None) -> dict[str, object]:
    """Keyword arguments of :func:`derive_param_tte` for one endpoint/criteria/evaluator."""
    def mk(tp: TimePoint) -> TteSource:
        return TteSource(tp.source.value, tp.description,
                         source_dates(tp, ctx, criteria, evaluator))

    assert endpoint.origin is not None
    based = assessment_based(endpoint) and criteria is not None
    events = [mk(tp) for tp in endpoint.events]
    terms = [mk(tp) for tp in endpoint.censoring if tp.source not in FALLBACK_SOURCES]
    falls = [mk(tp) for tp in endpoint.censoring if tp.source in FALLBACK_SOURCES]
    start = source_dates(endpoint.origin, ctx, criteria, evaluator)
    if endpoint.horizon is not None:
        horizon = start + pd.to_timedelta(round(duration_days(endpoint.horizon)), unit="D")
        terms.append(TteSource("horizon", f"end of the observation window ({endpoint.horizon} "
                               "after the origin)", horizon))
    if not falls:
        falls = ([TteSource("last_tumour_assessment", "last adequate tumour assessment",
                            source_dates(EventSource.LAST_TUMOUR_ASSESSMENT, ctx, criteria,
                                         evaluator))] if based else
                 [TteSource("last_known_alive", "last known alive",
                            ctx.adsl["LSTALVDT"])])
    return {
        "start": start, "events": events, "censorings": terms, "fallbacks": falls,
        "assessments": ctx.assessments(criteria, evaluator or "investigator")
        if based else None,
        "last_contact": ctx.adsl["LSTALVDT"],
    }


def endpoint_combinations(endpoint: Endpoint) -> list[tuple[str | None, str | None]]:
    """(criteria, evaluator) pairs an endpoint is derived for."""
    crits = [c.value for c in endpoint.criteria] or [None]
    evals: list[str | None] = [None]
    if endpoint.criteria:
        evals = list(endpoint.evaluators) or ["investigator"]
    return [(c, e) for c in crits for e in evals]


def derive_adtte(adsl: pd.DataFrame, adrs: AdrsResult, protocol: Protocol, *,
                 missed_assessments: int | None = 2,
                 endpoints: list[str] | None = None) -> pd.DataFrame:
    """ADTTE for every time-to-event, duration and restricted-mean endpoint of ``protocol``.

    Args:
        adsl: from :func:`hccrt.endpoints.adsl.derive_adsl`.
        adrs: from :func:`hccrt.endpoints.adrs.derive_adrs_protocol`.
        protocol: the protocol whose catalogue is derived.
        missed_assessments: rule 6 of :mod:`hccrt.endpoints.tte` (None: off), an integer >= 0.
        endpoints: endpoint ids to derive (default: all time-to-event kinds).
    """
    if missed_assessments is not None and (
            not isinstance(missed_assessments, int) or missed_assessments < 0):
        raise InputError("missed_assessments", missed_assessments, "None or an integer >= 0")
    known = {e.id for e in protocol.endpoints if e.kind in TTE_KINDS}
    if endpoints is not None:
        bad = [e for e in endpoints if e not in known]
        if bad:
            raise InputError("endpoints", bad, "time-to-event endpoint ids: "
                             + ", ".join(sorted(known)))
    gap = (imaging_gap_days(protocol, missed_assessments)
           if missed_assessments is not None else None)
    itt = adsl[adsl["ITTFL"] == "Y"]
    ctx = SourceContext(itt, adrs.adrs, protocol)
    parts = []
    for ep in protocol.endpoints:
        if ep.kind not in TTE_KINDS or (endpoints is not None and ep.id not in endpoints):
            continue
        for crit, ev in endpoint_combinations(ep):
            if ev is not None and ev not in adrs.evaluators:
                continue
            kw = tte_sources(ep, ctx, crit, ev)
            based = kw["assessments"] is not None
            out = derive_param_tte(
                **kw,  # type: ignore[arg-type]
                missed_gap_days=gap if based else None,
                missed_assessments=missed_assessments)
            out.insert(0, "STUDYID", itt["STUDYID"].iloc[0] if len(itt) else None)
            out.insert(2, "PARAMCD", paramcd(ep, crit))
            label = f" ({criteria_label(crit)})" if crit else ""
            out.insert(3, "PARAM", ep.name.split(" by ")[0] + label)
            out.insert(4, "ENDPOINT", ep.id)
            out.insert(5, "PARCAT2", EVALUATOR_LABELS[ev] if ev else None)
            out.insert(6, "PARCAT3", criteria_label(crit) if crit else None)
            out.insert(7, "CRITERIA", crit)
            out.insert(8, "TRT01P", out["USUBJID"].map(ctx.adsl["TRT01P"]))
            parts.append(out)
    if not parts:
        return pd.DataFrame(columns=ADTTE_COLUMNS)
    adtte = pd.concat(parts, ignore_index=True)[ADTTE_COLUMNS]
    check_unique_paramcds(adtte)
    return adtte
