"""Best overall response, confirmed and unconfirmed, and the subject-level response flags.

The rules are those of admiralonco's ``inst/templates/ad_adrs.R`` with the event objects of
``R/response_sources.R`` (pharmaverse, Apache 2.0), summarised in hccrt's
``reference/response-rules.md`` section 3, with every constant a protocol parameter
(:class:`BestResponseParams`):

* working records: overall responses dated on or after the reference date (randomization or
  treatment start); per date the worst one (NE < CR < PR < SD < NON-CR/NON-PD < PD, ties: last);
  only up to and including the first PD; optionally only before subsequent anti-cancer therapy;
* SD (and NON-CR/NON-PD) counts only at >= ``sd_min_days`` after the reference date (day 43 when
  the reference date is day 1; default 42);
* BOR: CR if any CR, else PR if any PR, else SD if any CR/PR/SD at >= sd_min_days, else
  NON-CR/NON-PD likewise, else PD if any PD, else NE if any record, else MISSING; the date is the
  earliest record of the winning event;
* confirmation (CBOR, CRSP, CCB): a CR is confirmed by a later CR >= ``confirmation_days`` after
  it (inclusive) with only CR or NE in between and at most ``max_ne_between`` NE; a PR by a later
  CR or PR >= ``confirmation_days`` after it with only CR, PR or NE in between (SD too when
  ``sd_breaks_confirmation`` is False), at most ``max_ne_between`` NE, and no PR after a CR in
  that window; an unconfirmed CR/PR at >= sd_min_days is SD;
* RSP: Y if any CR/PR (date of the first); CB: Y if any CR/PR, or SD/NON-CR/NON-PD at
  >= sd_min_days (earliest date); BCP/CBCP: BOR/CBOR in CR, PR (CBCP derived correctly, not
  with the upstream pipe defect of response-rules.md 3.9);
* PD: first PD among all post-reference records (date); LSTA: last post-reference assessment,
  post-PD ones included; DEATH: death date known; MDIS: a target lesion at baseline.

hccrt additions (no admiralonco counterpart; defined here): TTBR, days from the reference date to
the date of the best response, counted as ADT - reference + 1 (admiral ``derive_vars_duration``
``add_one = TRUE``); SCR, sustained complete response: a CR followed, at least
``sustained_cr_days`` later, by a CR with only CR or NE (at most ``max_ne_between``) in between.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccrt.errors import InputError
from hccrt.response.lesions import clean_text

RESPONSES: tuple[str, ...] = ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE")
#: admiral "worst" ranking used to pick one record per date (ANL01FL).
WORST_RANK: dict[str, int] = {"NE": 1, "CR": 2, "PR": 3, "SD": 4, "NON-CR/NON-PD": 5, "PD": 6}
#: admiralonco ``aval_resp``.
AVAL_RESP: dict[str, int] = {"CR": 1, "PR": 2, "SD": 3, "NON-CR/NON-PD": 4, "PD": 5, "NE": 6,
                             "MISSING": 7}
_CODE = {"CR": 0, "PR": 1, "SD": 2, "NON-CR/NON-PD": 3, "PD": 4, "NE": 5}
_CR, _PR, _SD, _NCNP, _PD, _NE = range(6)


@dataclass(frozen=True)
class BestResponseParams:
    """Protocol parameters of best-response derivation (defaults: admiralonco ad_adrs.R).

    reference: subject-table column holding the reference date (``randomization_date`` or
        ``treatment_date``).
    sd_min_days: SD counts at ``date >= reference + sd_min_days``.
    confirmation_days: the confirming assessment is ``>= confirmation_days`` later.
    max_ne_between: NE assessments tolerated inside a confirmation window.
    sd_breaks_confirmation: an SD inside the window prevents confirmation of a PR.
    up_to_first_pd: ignore assessments after the first PD (ANL02FL).
    before_new_therapy: ignore assessments on or after ``new_therapy_date`` when the subject
        table has that column.
    sustained_cr_days: duration of a sustained CR (SCR).
    window_days: when set, only assessments up to ``reference + window_days`` count for the
        response parameters (ANL02FL: BOR, CBOR, RSP, CRSP, CB, CCB, SCR; e.g. 730 for "best
        response within 2 years", protocol rescue); PD and LSTA keep all assessments (ANL01FL).
    """

    reference: str = "randomization_date"
    sd_min_days: int = 42
    confirmation_days: int = 28
    max_ne_between: int = 1
    sd_breaks_confirmation: bool = True
    up_to_first_pd: bool = True
    before_new_therapy: bool = True
    sustained_cr_days: int = 365
    window_days: int | None = None

    @classmethod
    def from_mapping(cls, values: dict[str, object]) -> BestResponseParams:
        """Parameters from a protocol file's mapping; unknown keys are an InputError."""
        if not isinstance(values, dict):
            raise InputError("best response parameters", values, "a mapping of name: value")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise InputError("best response parameter", unknown, f"one of {sorted(known)}")
        return cls(**values)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        for name in ("sd_min_days", "confirmation_days", "max_ne_between", "sustained_cr_days"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise InputError(name, v, "a whole number of days >= 0")
        if self.window_days is not None and (
                not isinstance(self.window_days, int) or isinstance(self.window_days, bool)
                or self.window_days < 1):
            raise InputError("window_days", self.window_days, "a whole number of days >= 1")
        for name in ("sd_breaks_confirmation", "up_to_first_pd", "before_new_therapy"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(name, getattr(self, name), "true or false")
        if self.reference not in ("randomization_date", "treatment_date"):
            raise InputError("reference", self.reference,
                             "'randomization_date' or 'treatment_date'")


SUBJECT_COLUMNS: list[str] = [
    "subject", "evaluator", "criteria", "BOR", "BOR_date", "CBOR", "CBOR_date", "RSP",
    "RSP_date", "CRSP", "CRSP_date", "CB", "CB_date", "CCB", "CCB_date", "BCP", "CBCP", "PD",
    "PD_date", "LSTA", "LSTA_date", "DEATH", "DEATH_date", "MDIS", "TTBR", "SCR", "SCR_date",
    "reference_date",
]


def _subject_dates(subject: pd.Series, dates: pd.Series) -> np.ndarray:
    """Per-row dates looked up once per distinct subject (``subject`` is categorical)."""
    cats = pd.Series(np.asarray(subject.cat.categories, dtype=object))
    per = pd.to_datetime(cats.map(dates), errors="coerce").to_numpy().astype("datetime64[ns]")
    per = np.append(per, np.datetime64("NaT", "ns"))
    return per[subject.cat.codes.to_numpy()]


def select_records(
    timepoints: pd.DataFrame, subjects: pd.DataFrame, params: BestResponseParams
) -> pd.DataFrame:
    """Timepoints with the flags ANL01FL (worst per date, on/after the reference date) and
    ANL02FL (also up to the first PD and before new therapy), sorted by group and date; ``gid``
    numbers the (subject, evaluator, criteria) groups."""
    need = ["subject", "date", "overall"]
    missing = [c for c in need if c not in timepoints.columns]
    if missing:
        raise InputError("timepoints.columns", list(timepoints.columns), f"must include {need}",
                         f"missing {missing}")
    if "subject" not in subjects.columns or params.reference not in subjects.columns:
        raise InputError("subjects.columns", list(subjects.columns),
                         f"must include subject and {params.reference}")
    tp = timepoints.copy()
    for c, default in (("evaluator", "INVESTIGATOR"), ("criteria", "RECIST 1.1")):
        if c not in tp.columns:
            tp[c] = default
    for c in ("subject", "evaluator", "criteria"):
        tp[c] = clean_text(tp[c])
    tp["overall"] = clean_text(tp["overall"], upper=True)
    bad = ~tp["overall"].isin(RESPONSES)
    if bad.any():
        row = tp.loc[bad].iloc[0]
        raise InputError("overall", row["overall"], f"one of {list(RESPONSES)}",
                         f"subject {row['subject']}")
    tp["date"] = pd.to_datetime(tp["date"], errors="coerce").astype("datetime64[ns]")
    if tp["date"].isna().any():
        row = tp.loc[tp["date"].isna()].iloc[0]
        raise InputError("date", None, "a date for every assessment", f"subject {row['subject']}")
    if "seq" not in tp.columns:
        tp["seq"] = np.arange(len(tp), dtype=float)
    subj = subjects.drop_duplicates("subject").copy()
    subj["subject"] = subj["subject"].astype(str).str.strip()
    subj = subj.set_index("subject")
    tp["reference_date"] = _subject_dates(tp["subject"], subj[params.reference])
    rank = np.array([WORST_RANK[c] for c in tp["overall"].cat.categories])[
        tp["overall"].cat.codes.to_numpy()]
    sc = tp["subject"].cat.codes.to_numpy().astype(np.int64)
    ec = tp["evaluator"].cat.codes.to_numpy().astype(np.int64)
    cc = tp["criteria"].cat.codes.to_numpy().astype(np.int64)
    days = tp["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    order = np.lexsort((tp["seq"].to_numpy(dtype=float), rank, days, cc, ec, sc))
    tp = tp.take(order).reset_index(drop=True)
    ne, nc = (int(ec.max()) + 2, int(cc.max()) + 2) if len(tp) else (1, 1)
    combo = (sc * ne + ec) * nc + cc
    gid = pd.factorize(combo[order])[0].astype(np.int64)
    tp["gid"] = gid
    days = days[order]
    post = (tp["date"] >= tp["reference_date"]).fillna(False).to_numpy(dtype=bool)
    last_on_date = ~pd.Series(gid * 1_000_000 + days).duplicated(keep="last").to_numpy()
    a1 = post & last_on_date
    tp["ANL01FL"] = np.where(a1, "Y", None)
    keep = a1.copy()
    if params.window_days is not None:
        ref_days = tp["reference_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
        keep &= days <= ref_days + params.window_days
    if params.before_new_therapy and "new_therapy_date" in subj.columns:
        nact = _subject_dates(tp["subject"], subj["new_therapy_date"])
        keep &= ~(tp["date"].to_numpy() >= nact)
    if params.up_to_first_pd:
        is_pd = ((tp["overall"] == "PD").to_numpy() & keep).astype(np.int64)
        before = pd.Series(is_pd).groupby(gid).cumsum().to_numpy() - is_pd
        keep &= before == 0
    tp["ANL02FL"] = np.where(keep, "Y", None)
    return tp


def _confirmed(
    gid: np.ndarray, days: np.ndarray, code: np.ndarray, candidate: int, upper: list[int],
    allowed: list[int], max_ne: int, gap: int, pr_rule: bool,
) -> np.ndarray:
    """admiral ``filter_joined`` (join_type "after", first_cond_upper), vectorised.

    For each record with code ``candidate``: the window runs from the next record of the same
    group to the first record with a code in ``upper`` dated >= ``gap`` days later. The record
    qualifies when that record exists, every code in the window is in ``allowed``, the window has
    at most ``max_ne`` NE and (``pr_rule``) no PR is dated after the first CR in the window.
    """
    n = len(code)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    starts = np.r_[0, np.flatnonzero(gid[1:] != gid[:-1]) + 1]
    ends = np.r_[starts[1:], n]
    end_of = np.repeat(ends, ends - starts)
    kmax = int((ends - starts).max())
    if kmax < 2:
        return out
    cand = np.flatnonzero(code == candidate)
    ks = np.arange(1, kmax)
    chunk = max(1, 4_000_000 // kmax)
    for s in range(0, len(cand), chunk):
        idx = cand[s:s + chunk]
        j = idx[:, None] + ks[None, :]
        valid = j < end_of[idx][:, None]
        jc = np.minimum(j, n - 1)
        cj = code[jc]
        dj = days[jc]
        hit = valid & np.isin(cj, upper) & (dj >= days[idx][:, None] + gap)
        has = hit.any(axis=1)
        first = hit.argmax(axis=1)
        win = valid & (ks[None, :] - 1 <= first[:, None])
        ok = has & ~(win & ~np.isin(cj, allowed)).any(axis=1)
        ok &= (win & (cj == _NE)).sum(axis=1) <= max_ne
        if pr_rule:
            is_cr = win & (cj == _CR)
            is_pr = win & (cj == _PR)
            first_cr = np.where(is_cr, dj, np.iinfo(np.int64).max).min(axis=1)
            last_pr = np.where(is_pr, dj, np.iinfo(np.int64).min).max(axis=1)
            ok &= (first_cr > last_pr) | ~is_cr.any(axis=1) | ~is_pr.any(axis=1)
        out[idx] = ok
    return out


def derive_best_response(
    timepoints: pd.DataFrame,
    subjects: pd.DataFrame,
    params: BestResponseParams | None = None,
    *,
    measurable: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Subject-level response parameters per (subject, evaluator, criteria).

    ``timepoints``: subject, date, overall (CR, PR, SD, NON-CR/NON-PD, PD, NE), optionally
    evaluator, criteria, seq. ``subjects``: subject and the reference-date column of ``params``,
    optionally death_date and new_therapy_date; every subject listed gets rows (MISSING / N when
    it has no assessment), for every (evaluator, criteria) present in ``timepoints``.
    ``measurable``: (subject, evaluator) pairs with a target lesion at baseline (for MDIS).
    Returns the columns of :data:`SUBJECT_COLUMNS`; value columns hold AVALC.
    """
    params = params or BestResponseParams()
    rec = select_records(timepoints, subjects, params)
    key = ["subject", "evaluator", "criteria"]
    gtab = rec.drop_duplicates("gid")[[*key, "gid"]].astype({c: object for c in key})
    n_g = len(gtab)
    groups = gtab[["evaluator", "criteria"]].drop_duplicates()
    if groups.empty:
        groups = pd.DataFrame({"evaluator": ["INVESTIGATOR"], "criteria": ["RECIST 1.1"]})
    subj = subjects.drop_duplicates("subject").copy()
    subj["subject"] = subj["subject"].astype(str).str.strip()
    frame = subj[["subject"]].astype(object).merge(groups, how="cross")
    frame = frame.merge(gtab, on=key, how="left")
    fg = frame["gid"].fillna(-1).to_numpy(dtype=np.int64)
    has = fg >= 0
    fgi = np.where(has, fg, 0)

    code_all = np.array([_CODE[c] for c in rec["overall"].cat.categories], dtype=np.int64)[
        rec["overall"].cat.codes.to_numpy()]
    days_all = rec["date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    ref_all = rec["reference_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    gid_all = rec["gid"].to_numpy()
    a1m = (rec["ANL01FL"] == "Y").to_numpy()
    a2m = (rec["ANL02FL"] == "Y").to_numpy()
    gid, days, code = gid_all[a2m], days_all[a2m], code_all[a2m]
    late = days >= ref_all[a2m] + params.sd_min_days
    allowed_pr = [_CR, _PR, _NE] + ([] if params.sd_breaks_confirmation else [_SD])
    conf_cr = _confirmed(gid, days, code, _CR, [_CR], [_CR, _NE], params.max_ne_between,
                         params.confirmation_days, False)
    conf_pr = _confirmed(gid, days, code, _PR, [_CR, _PR], allowed_pr, params.max_ne_between,
                         params.confirmation_days, True)
    sust_cr = _confirmed(gid, days, code, _CR, [_CR], [_CR, _NE], params.max_ne_between,
                         params.sustained_cr_days, False)
    big = np.iinfo(np.int64).max

    def first(mask: np.ndarray, g: np.ndarray = gid, d: np.ndarray = days) -> np.ndarray:
        """Earliest day per frame row among records matching mask (big when none)."""
        arr = np.full(max(n_g, 1), big, dtype=np.int64)
        np.minimum.at(arr, g[mask], d[mask])
        return np.where(has, arr[fgi], big)

    def as_date(d: np.ndarray) -> np.ndarray:
        return np.where(d == big, np.datetime64("NaT"), d.astype("datetime64[D]")).astype(
            "datetime64[ns]")

    def event(events: list[tuple[str, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """First event in list order wins; earliest date within the event; else MISSING."""
        val = np.full(len(frame), "MISSING", dtype=object)
        date = np.full(len(frame), big, dtype=np.int64)
        done = np.zeros(len(frame), dtype=bool)
        for name, mask in events:
            d = first(mask)
            hit = ~done & (d != big)
            val[hit], date[hit] = name, d[hit]
            done |= hit
        return val, as_date(date)

    def flag(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d = first(mask)
        return np.where(d != big, "Y", "N").astype(object), as_date(d)

    rsp = (code == _CR) | (code == _PR)
    sd_ok = ((code == _CR) | (code == _PR) | (code == _SD)) & late
    ncnp_ok = (code == _NCNP) & late
    tail = [("SD", sd_ok), ("NON-CR/NON-PD", ncnp_ok), ("PD", code == _PD),
            ("NE", code != _PD)]
    res = frame[key].copy()
    res["BOR"], res["BOR_date"] = event([("CR", code == _CR), ("PR", code == _PR), *tail])
    res["CBOR"], res["CBOR_date"] = event([("CR", conf_cr), ("PR", conf_pr), *tail])
    res["RSP"], res["RSP_date"] = flag(rsp)
    res["CRSP"], res["CRSP_date"] = flag(conf_cr | conf_pr)
    res["CB"], res["CB_date"] = flag(rsp | sd_ok | ncnp_ok)
    res["CCB"], res["CCB_date"] = flag(conf_cr | conf_pr | sd_ok | ncnp_ok)
    res["BCP"] = np.where(np.isin(res["BOR"], ["CR", "PR"]), "Y", "N")
    res["CBCP"] = np.where(np.isin(res["CBOR"], ["CR", "PR"]), "Y", "N")
    pdd = first(a1m & (code_all == _PD), gid_all, days_all)
    res["PD"] = np.where(pdd != big, "Y", "N")
    res["PD_date"] = as_date(pdd)
    last = np.full(max(n_g, 1), -1, dtype=np.int64)
    np.maximum.at(last, gid_all[a1m], np.flatnonzero(a1m))
    li = np.where(has, last[fgi], -1)
    ov_all = np.append(rec["overall"].astype(object).to_numpy(), None)
    dt_all = np.append(rec["date"].to_numpy().astype("datetime64[ns]"),
                       np.datetime64("NaT", "ns"))
    li = np.where(li >= 0, li, len(rec))
    res["LSTA"] = ov_all[li]
    res["LSTA_date"] = dt_all[li]
    s = subj.set_index("subject")
    death = (pd.to_datetime(res["subject"].map(s["death_date"])) if "death_date" in s.columns
             else pd.Series(pd.NaT, index=res.index))
    res["DEATH"] = np.where(death.notna(), "Y", "N")
    res["DEATH_date"] = death.to_numpy()
    if measurable is not None:
        mk = measurable[["subject", "evaluator"]].astype(str).drop_duplicates().assign(_m=1)
        mm = res[["subject", "evaluator"]].astype(str).merge(
            mk, on=["subject", "evaluator"], how="left")
        res["MDIS"] = np.where(mm["_m"].notna(), "Y", "N")
    else:
        res["MDIS"] = None
    ref = pd.to_datetime(res["subject"].map(s[params.reference]))
    res["reference_date"] = ref.to_numpy()
    ttbr = (pd.to_datetime(res["BOR_date"]) - ref).dt.days + 1
    res["TTBR"] = ttbr.where(res["BOR"].isin(["CR", "PR", "SD", "NON-CR/NON-PD"]))
    res["SCR"], res["SCR_date"] = flag(sust_cr)
    return res[SUBJECT_COLUMNS]
