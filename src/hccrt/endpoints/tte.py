"""The one generic time-to-event engine (admiral ``derive_param_tte`` with the protocol rules).

Every time-to-event, duration and restricted-mean endpoint of every protocol is derived by
:func:`derive_param_tte` from data: a start date per subject and lists of dated sources
(:class:`TteSource`, admiral's ``event_source`` / ``censor_source``: a name, the description
that goes into EVNTDESC/CNSDTDSC, and a date per subject). Which sources, in which role, comes
from the protocol file's ``origin``/``events``/``censoring`` (:mod:`hccrt.endpoints.adtte`).

Rules, in order (each one is tested on constructed subjects in ``tests/endpoints``):

1. **Start.** Subjects without a start date are not in the parameter (admiral keeps only
   subjects with a start date; e.g. DoR only for responders).
2. **Earliest event wins** (admiral: ``derive_param_tte`` events, ``mode = "first"``; a tie
   goes to the source listed first). An event dated before the start is set to the start
   (admiral ``ADT = max(ADT, STARTDT)``).
3. **Terminating censorings.** A censoring source other than the last assessment / last known
   alive ends follow-up for the endpoint ("whichever comes first": subsequent anti-cancer
   therapy, withdrawal of consent, loss to follow-up, study end, death for TTP, the end of the
   observation window ``horizon``). An event on or before the earliest such date counts; an
   event after it does not. The study end terminates only subjects still followed then
   (last contact on or after it).
4. **Censoring date.** For an assessment-based endpoint (PFS, TTP, DoR, hepatic PFS: tumour
   assessments decide) a terminated subject is censored at the last adequate tumour assessment
   on or before the terminating date -- strictly *before* it for subsequent therapy ("censor
   at the last adequate assessment before new anti-cancer therapy", FDA Guidance for Industry
   "Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics", 2018, Table A;
   EMA/CHMP/27994/2008 Rev.1 Appendix 1, "Methodological consideration for using progression-
   free survival (PFS) or disease-free survival (DFS) in confirmatory trials", section 5). For
   other endpoints (OS, time to subsequent treatment) at the terminating date, not after the
   last contact. CNSDTDSC is the terminating source's description.
5. **Otherwise the latest fallback censoring** (last adequate tumour assessment, last known
   alive; admiral: censorings ``mode = "last"``, a tie going to the source listed last); none
   -> censored at the start ("no assessment after the start", admiral ``rand_censor``).
6. **Missed assessments.** For an assessment-based endpoint, progression or death observed
   more than ``missed_assessments`` scheduled assessments after the last adequate assessment
   (gap > (missed + 1) x the imaging interval + the visit window) is censored at that last
   adequate assessment (EMA Appendix 1 section 5 and FDA 2018 Table A: "death or progression
   after more than one missed visit: censored at the last adequate assessment"; the number is
   a parameter, 2 by default as in hccrt issue 8). ``missed_assessments=None`` switches it off
   (admiralonco's ``ad_adtte.R`` applies no such rule, response-rules.md section 4).
7. **AVAL** = ADT - STARTDT + 1 days (admiral ``derive_vars_duration(add_one = TRUE)``), AVALM
   the same in months of 30.4375 days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccrt.endpoints._common import DAYS_PER_MONTH
from hccrt.errors import InputError

#: Terminating sources whose censoring is at the last adequate assessment strictly *before*
#: their date (a therapy given on an assessment day follows that assessment).
BEFORE_SOURCES = ("subsequent_anticancer_therapy", "subsequent_hcc_treatment")
#: Event sources the missed-assessment rule applies to.
MISSED_SOURCES = ("progression", "hepatic_progression", "death")
TTE_COLUMNS = ["USUBJID", "STARTDT", "ADT", "AVAL", "AVALM", "CNSR", "EVNTDESC", "CNSDTDSC",
               "SRCRULE"]


@dataclass(frozen=True)
class TteSource:
    """One dated source (admiral ``event_source`` / ``censor_source``).

    source: the catalogue's source name (:class:`hccrt.protocols.schema.EventSource` value).
    description: text for EVNTDESC (event) or CNSDTDSC (censoring).
    dates: a Series indexed by USUBJID with the source's date (missing = no such date).
    """

    source: str
    description: str
    dates: pd.Series


def _aligned(s: pd.Series, subjects: pd.Index) -> np.ndarray:
    if s is None or len(s) == 0:
        return np.full(len(subjects), np.datetime64("NaT"), dtype="datetime64[ns]")
    if not s.index.is_unique:
        raise InputError("source dates", "duplicate subjects", "one date per USUBJID")
    return pd.to_datetime(s.reindex(subjects)).to_numpy(dtype="datetime64[ns]")


def last_assessment_on_or_before(assessments: pd.DataFrame | None, subjects: np.ndarray,
                                 when: np.ndarray, strict: bool = False) -> np.ndarray:
    """Per row, the latest assessment date of ``subjects[i]`` on (or strictly before) ``when[i]``
    (NaT when none); ``assessments`` has columns USUBJID and date.

    One sort of (subject, date) keys and a binary search per row (no per-subject loop)."""
    out = np.full(len(subjects), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~np.isnat(when)
    if assessments is None or assessments.empty or not ok.any():
        return out
    a = assessments.dropna(subset=["date"])
    a_ids = a["USUBJID"].astype(str).to_numpy()
    a_day = a["date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    q_ids = np.asarray(subjects, dtype=object)[ok].astype(str)
    q_day = when[ok].astype("datetime64[D]").astype(np.int64)
    codes, _uniq = pd.factorize(np.concatenate([a_ids, q_ids]))
    ac, qc = codes[: len(a_ids)].astype(np.int64), codes[len(a_ids):].astype(np.int64)
    span = np.int64(1) << 32
    offset = np.int64(1) << 31
    keys = np.sort(ac * span + (a_day + offset))
    q = qc * span + (q_day + offset)
    pos = np.searchsorted(keys, q, side="left" if strict else "right") - 1
    found = pos >= 0
    hit = np.zeros(len(q), dtype=bool)
    hit[found] = (keys[pos[found]] // span) == qc[found]
    days = np.where(hit, keys[np.maximum(pos, 0)] % span - offset, 0)
    res = np.full(len(q), np.datetime64("NaT"), dtype="datetime64[ns]")
    res[hit] = days[hit].astype("datetime64[D]").astype("datetime64[ns]")
    out[np.flatnonzero(ok)] = res
    return out


def derive_param_tte(
    start: pd.Series,
    events: Sequence[TteSource],
    censorings: Sequence[TteSource] = (),
    fallbacks: Sequence[TteSource] = (),
    *,
    assessments: pd.DataFrame | None = None,
    last_contact: pd.Series | None = None,
    missed_gap_days: float | None = None,
    missed_assessments: int | None = None,
    start_description: str = "no assessment after the start (censored at the start)",
) -> pd.DataFrame:
    """One time-to-event parameter: a row per subject with a start date.

    Args:
        start: STARTDT per USUBJID (Series indexed by USUBJID).
        events: event sources, in catalogue order (earliest wins; ties: first listed).
        censorings: terminating censoring sources (rule 3 of the module docstring).
        fallbacks: fallback censorings (latest wins; ties: last listed).
        assessments: adequate tumour assessments (USUBJID, date) for an assessment-based
            endpoint; None for endpoints that do not depend on tumour assessments.
        last_contact: last known alive date per USUBJID (caps non-assessment censoring and
            decides whether the study end terminated follow-up).
        missed_gap_days: the gap (days) beyond which an event counts as observed after the
            allowed number of missed assessments; None disables rule 6.
        missed_assessments: the number of missed assessments (for the CNSDTDSC text).
        start_description: CNSDTDSC when no source gives a date.

    Returns a DataFrame with :data:`TTE_COLUMNS` (CNSR 0 event, 1 censored).
    """
    if not events:
        raise InputError("events", [], "at least one event source")
    st = pd.to_datetime(start).dropna()
    st = st[~st.index.duplicated()]
    subjects = st.index
    ids = np.asarray(subjects, dtype=object)
    S = st.to_numpy(dtype="datetime64[ns]")
    n = len(S)
    nat = np.datetime64("NaT")
    # rule 2: earliest event
    E = np.full(n, nat, dtype="datetime64[ns]")
    ek = np.full(n, -1)
    for k, src in enumerate(events):
        d = _aligned(src.dates, subjects)
        d = np.where(~np.isnat(d) & (d < S), S, d)
        better = ~np.isnat(d) & (np.isnat(E) | (d < E))
        E = np.where(better, d, E)
        ek = np.where(better, k, ek)
    contact = _aligned(last_contact, subjects) if last_contact is not None else None
    # rule 3: earliest terminating censoring
    T = np.full(n, nat, dtype="datetime64[ns]")
    tk = np.full(n, -1)
    for j, src in enumerate(censorings):
        d = _aligned(src.dates, subjects)
        if src.source == "study_end" and contact is not None:
            d = np.where(~np.isnat(contact) & (contact >= d), d, nat)
        d = np.where(~np.isnat(d) & (d < S), S, d)
        better = ~np.isnat(d) & (np.isnat(T) | (d < T))
        T = np.where(better, d, T)
        tk = np.where(better, j, tk)
    is_event = ~np.isnat(E) & (np.isnat(T) | (E <= T))
    adt = np.where(is_event, E, nat)
    cnsr = np.where(is_event, 0, 1)
    evdesc = np.full(n, None, dtype=object)
    cndesc = np.full(n, None, dtype=object)
    rule = np.full(n, None, dtype=object)
    for k, src in enumerate(events):
        m = is_event & (ek == k)
        evdesc[m] = src.description
        rule[m] = src.source
    based = assessments is not None
    # rule 6: events after too many missed assessments
    if based and missed_gap_days is not None:
        prev = last_assessment_on_or_before(assessments, ids, np.where(is_event, E, nat),
                                            strict=True)
        prev = np.where(np.isnat(prev) | (prev < S), S, prev)
        gap = (E - prev) / np.timedelta64(1, "D")
        srcs = np.array([events[k].source if k >= 0 else "" for k in ek], dtype=object)
        late = is_event & np.isin(srcs, MISSED_SOURCES) & (gap > missed_gap_days)
        if late.any():
            is_event = is_event & ~late
            adt = np.where(late, prev, adt)
            cnsr = np.where(late, 1, cnsr)
            for k, src in enumerate(events):
                m = late & (ek == k)
                cndesc[m] = (f"{src.description} after more than {missed_assessments} missed "
                             "assessments (censored at the last adequate assessment)")
                rule[m] = f"{src.source}_after_missed_assessments"
                evdesc[m] = None
    # rule 4: terminated
    pending = ~is_event & np.isnat(adt)
    term = pending & ~np.isnat(T)
    if term.any():
        if based:
            c = np.full(n, nat, dtype="datetime64[ns]")
            for j, src in enumerate(censorings):
                m = term & (tk == j)
                if m.any():
                    c[m] = last_assessment_on_or_before(
                        assessments, ids[m], T[m], strict=src.source in BEFORE_SOURCES)
            c = np.where(np.isnat(c) | (c < S), S, c)
        else:
            c = T
            if contact is not None:
                c = np.where(~np.isnat(contact) & (contact < c), contact, c)
            c = np.where(c < S, S, c)
        adt = np.where(term, c, adt)
        for j, src in enumerate(censorings):
            m = term & (tk == j)
            cndesc[m] = src.description
            rule[m] = src.source
    # rule 5: latest fallback
    rest = pending & ~term
    if rest.any():
        F = np.full(n, nat, dtype="datetime64[ns]")
        fk = np.full(n, -1)
        for j, src in enumerate(fallbacks):
            d = _aligned(src.dates, subjects)
            d = np.where(~np.isnat(d) & (d < S), nat, d)
            better = ~np.isnat(d) & (np.isnat(F) | (d >= F))
            F = np.where(better, d, F)
            fk = np.where(better, j, fk)
        adt = np.where(rest, np.where(np.isnat(F), S, F), adt)
        for j, src in enumerate(fallbacks):
            m = rest & (fk == j)
            cndesc[m] = src.description
            rule[m] = src.source
        m = rest & (fk < 0)
        cndesc[m] = start_description
        rule[m] = "start"
    aval = (adt - S) / np.timedelta64(1, "D") + 1.0
    return pd.DataFrame({
        "USUBJID": ids, "STARTDT": S, "ADT": adt, "AVAL": aval,
        "AVALM": aval / DAYS_PER_MONTH, "CNSR": cnsr.astype(int),
        "EVNTDESC": evdesc, "CNSDTDSC": cndesc, "SRCRULE": rule,
    })
