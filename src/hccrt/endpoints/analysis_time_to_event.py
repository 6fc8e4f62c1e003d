"""Time-to-event, duration and restricted-mean endpoints from ADTTE.

* time_to_event / duration: Kaplan-Meier median and quartiles (Brookmeyer-Crowley, log-log),
  landmark rates; between arms log-rank and Cox HR (Efron ties, Wald CI) of the experimental
  arm against the comparator; with an ``adjustment`` in a non-randomized design also the
  inverse-probability-of-treatment-weighted KM and Cox (robust variance) with the balance
  table (ATE weights on baseline ECOG, Child-Pugh points, ALBI, log AFP and age). Time to
  subsequent treatment, where death censors, is also given as an Aalen-Johansen cumulative
  incidence with death competing (Gray's test between arms).
* restricted_mean: RMST at tau (survRM2 variance); for durations of response (origin the first
  response or CR) also the restricted mean duration in response over all participants (area
  under the probability-of-being-in-response curve, :func:`hccrt.stats.duration_of_response`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt import stats
from hccrt.endpoints._common import DAYS_PER_MONTH, duration_days
from hccrt.endpoints.adrs import EVALUATOR_LABELS
from hccrt.endpoints.adtte import SourceContext, source_dates
from hccrt.endpoints.analysis_context import AnalysisContext, result_row, result_table
from hccrt.endpoints.tte import TteSource, derive_param_tte
from hccrt.errors import InputError
from hccrt.protocols.schema import DesignType, Endpoint, EventSource

__all__ = ["IPW_COVARIATES", "analyze_restricted_mean", "analyze_tte"]

IPW_COVARIATES = ("BECOG", "BCPPTS", "BALBI", "LOGAFP", "AGE")


def _ipw_weights(ctx: AnalysisContext, d: pd.DataFrame, exp: str
                 ) -> tuple[np.ndarray | None, pd.DataFrame | None, str]:
    a = ctx.adsl.set_index(ctx.adsl["USUBJID"].astype(str))
    cov = pd.DataFrame(index=d["USUBJID"])
    for c in IPW_COVARIATES:
        if c == "LOGAFP":
            cov[c] = np.log10(a["BAFP"].reindex(d["USUBJID"]).clip(lower=1.0)).to_numpy()
        elif c in a.columns:
            cov[c] = pd.to_numeric(a[c].reindex(d["USUBJID"]), errors="coerce").to_numpy()
    cov = cov.loc[:, cov.notna().mean() > 0.9]
    cov = cov.fillna(cov.median())
    cov = cov.loc[:, cov.std() > 0]
    if cov.shape[1] == 0:
        return None, None, "no usable baseline covariates for the propensity model"
    names = list(cov.columns)
    cov["treated"] = (d["TRT01P"].to_numpy() == exp).astype(float)
    while names:
        try:
            res = stats.ipw(cov.reset_index(drop=True), "treated", names)
        except InputError:
            names = names[:-1]  # singular or separated design: drop the last covariate
            continue
        return res.weights, res.balance, ", ".join(names)
    return None, None, "the propensity model could not be fitted"


def _km_rows(ep: Endpoint, d: pd.DataFrame, kw: dict, weights: np.ndarray | None = None,
             label: str = "") -> list[dict]:
    rows: list[dict] = []
    t, e = d["AVALM"].to_numpy(float), 1 - d["CNSR"].to_numpy(int)
    km = stats.kaplan_meier(t, e, group=d["TRT01P"].to_numpy(object), weights=weights)
    method = "Kaplan-Meier" + label + ", log-log CI"
    n = d.groupby("TRT01P").size()
    ev = d.assign(e=e).groupby("TRT01P")["e"].sum()
    for _, r in km.quantiles([0.25, 0.5, 0.75]).iterrows():
        stat = {0.25: "first quartile", 0.5: "median", 0.75: "third quartile"}[r["prob"]]
        rows.append(result_row(ep, stat + label, r["time"], group=r["group"], lower=r["lower"],
                               upper=r["upper"], n=int(n.get(r["group"], 0)),
                               events=int(ev.get(r["group"], 0)), unit="months",
                               method=method + " (Brookmeyer-Crowley)", **kw))
    if ep.landmarks:
        lm = [duration_days(x) / DAYS_PER_MONTH for x in ep.landmarks]
        for _, r in km.at(lm).iterrows():
            rows.append(result_row(ep, f"rate at {r['time']:.0f} months" + label, r["surv"],
                                   group=r["group"], lower=r["lower"], upper=r["upper"],
                                   n=r["n_risk"], unit="proportion", method=method, **kw))
    return rows


def _tte_rows(ep: Endpoint, d: pd.DataFrame, ctx: AnalysisContext, kw: dict) -> list[dict]:
    rows = _km_rows(ep, d, kw)
    exp, ref = ctx.arms()
    if ep.comparison == "between_arms" and exp and ref and d["TRT01P"].nunique() > 1:
        d = d[d["TRT01P"].isin([exp, ref])]
        t, e = d["AVALM"].to_numpy(float), 1 - d["CNSR"].to_numpy(int)
        strata = d["USUBJID"].map(ctx.adsl.set_index(ctx.adsl["USUBJID"].astype(str))
                                  ["STRATAR"]) if "STRATAR" in ctx.adsl.columns else None
        if strata is not None and strata.isna().any():
            strata = None
        sv = strata.to_numpy(object) if strata is not None else None
        label = " stratified by the randomization strata" if sv is not None else ""
        lr = stats.logrank(t, e, group=d["TRT01P"].to_numpy(object), strata=sv)
        rows.append(result_row(ep, "log-rank test", lr.chisq, pvalue=lr.p_value, n=len(d),
                               events=int(e.sum()), group=f"{exp} vs {ref}", unit="chi-square",
                               method="log-rank (Mantel-Haenszel)" + label, **kw))
        x = (d["TRT01P"].to_numpy() == exp).astype(float)
        cox = stats.cox_ph(t, e, x, names=[f"{exp} vs {ref}"], strata=sv)
        c = cox.table.iloc[0]
        rows.append(result_row(ep, "hazard ratio", c["hr"], lower=c["hr_lower"],
                               upper=c["hr_upper"], pvalue=c["p_value"], n=len(d),
                               events=int(e.sum()), group=f"{exp} vs {ref}", unit="ratio",
                               method="Cox PH, Efron ties, Wald CI" + label, **kw))
        if ep.adjustment and ctx.protocol.design.type is not DesignType.RANDOMIZED:
            w, balance, covs = _ipw_weights(ctx, d, exp)
            if w is None:
                rows.append(result_row(ep, "IPW hazard ratio", None, note=covs, **kw))
            else:
                rows += _km_rows(ep, d, kw, weights=w, label=" (IPW)")
                cw = stats.cox_ph(t, e, x, names=[f"{exp} vs {ref}"], weights=w, robust=True)
                c = cw.table.iloc[0]
                rows.append(result_row(ep, "IPW hazard ratio", c["hr"], lower=c["hr_lower"],
                                       upper=c["hr_upper"], pvalue=c["p_value"], n=len(d),
                                       events=int(e.sum()), group=f"{exp} vs {ref}", unit="ratio",
                                       method="Cox PH weighted by ATE inverse-probability weights, "
                                       "robust variance", note="propensity covariates: " + covs,
                                       **kw))
                for _, b in balance.iterrows():
                    rows.append(result_row(ep, f"SMD {b['covariate']} (weighted)",
                                           b["smd_weighted"], lower=b["smd_unweighted"], unit="SMD",
                                           method="standardized mean difference; LOWER holds the "
                                           "unweighted SMD", **kw))
    if any(p.source is EventSource.DEATH for p in ep.censoring) and any(
            p.source in (EventSource.SUBSEQUENT_HCC_TREATMENT,
                         EventSource.SUBSEQUENT_ANTICANCER_THERAPY) for p in ep.events):
        cause = np.where(d["CNSR"] == 0, 1, np.where(d["SRCRULE"] == "death", 2, 0))
        ci = stats.cumulative_incidence(d["AVALM"].to_numpy(float), cause,
                                        group=d["TRT01P"].to_numpy(object))
        for _, r in ci.at([6.0, 12.0, 24.0]).iterrows():
            if r["cause"] != 1:
                continue
            rows.append(result_row(ep, f"cumulative incidence at {r['time']:.0f} months",
                                   r["estimate"], lower=r["lower"], upper=r["upper"],
                                   group=r["group"], unit="proportion",
                                   method="Aalen-Johansen, death as competing event", **kw))
        if ci.tests is not None:
            for _, r in ci.tests[ci.tests["cause"] == 1].iterrows():
                rows.append(result_row(ep, "Gray's test", r["statistic"], pvalue=r["p_value"],
                                       unit="chi-square", method="Gray's K-sample test", **kw))
    return rows


def _adtte_param(ctx: AnalysisContext, ep: Endpoint) -> pd.DataFrame:
    return ctx.adtte[ctx.adtte["ENDPOINT"] == ep.id]


def _groups(d: pd.DataFrame) -> list[tuple[tuple, pd.DataFrame]]:
    keys = ["PARAMCD", "CRITERIA", "PARCAT2"]
    return list(d.groupby([d[k].astype(object).fillna("") for k in keys], sort=False))


def analyze_tte(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time-to-event and duration endpoints (module docstring)."""
    d = _adtte_param(ctx, ep)
    rows: list[dict] = []
    for (pc, crit, ev), g in _groups(d):
        kw = {"paramcd": pc, "criteria": crit or None, "evaluator": ev or None}
        if len(g) == 0 or (g["CNSR"] == 0).sum() == 0:
            rows.append(result_row(ep, "median", None, n=len(g), events=0,
                                   note="no events: nothing to estimate", **kw))
            continue
        rows += _tte_rows(ep, g, ctx, kw)
    if "reason_for_subsequent_treatment" in ep.measures:
        itt = ctx.itt
        sub = itt[itt["NHCCDT"].notna()]
        for reason, k in sub["NHCCRSN"].fillna("NOT RECORDED").value_counts().items():
            rows.append(result_row(ep, f"reason: {reason}", k / max(len(sub), 1), n=len(sub),
                                   events=int(k), unit="proportion of subsequent treatments"))
    return d, result_table(rows)


def _pbir(ep: Endpoint, ctx: AnalysisContext, crit: str, ev: str) -> pd.DataFrame:
    """Per allocated subject: time from the first treatment to progression/death/the DoR end
    (months), its event flag and the time to the first response (or CR) for the PBIR area."""
    sc = SourceContext(ctx.itt, ctx.adrs.adrs, ctx.protocol)
    start = source_dates(EventSource.FIRST_TREATMENT, sc, None, None)

    def src(tp: object) -> TteSource:
        return TteSource(tp.source.value, tp.description,  # type: ignore[attr-defined]
                         source_dates(tp, sc, crit, ev))  # type: ignore[arg-type]

    terms = [src(t) for t in ep.censoring if t.source is not EventSource.LAST_TUMOUR_ASSESSMENT]
    falls = [TteSource("last_tumour_assessment", "last adequate tumour assessment",
                       source_dates(EventSource.LAST_TUMOUR_ASSESSMENT, sc, crit, ev))]
    pfs = derive_param_tte(start, [src(t) for t in ep.events], terms, falls,
                           assessments=sc.assessments(crit, ev), last_contact=sc.adsl["LSTALVDT"])
    assert ep.origin is not None
    first = source_dates(ep.origin, sc, crit, ev)
    resp = (first.reindex(pfs["USUBJID"]).to_numpy(dtype="datetime64[ns]") - pfs["STARTDT"]
            .to_numpy(dtype="datetime64[ns]")) / np.timedelta64(1, "D") + 1
    pfs["RESPM"] = resp / DAYS_PER_MONTH
    pfs["TRT01P"] = pfs["USUBJID"].map(sc.adsl["TRT01P"])
    return pfs


def analyze_restricted_mean(ep: Endpoint, ctx: AnalysisContext
                            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """RMST at tau per arm (and the PBIR restricted mean duration for response durations)."""
    assert ep.tau is not None
    tau = duration_days(ep.tau) / DAYS_PER_MONTH
    d = _adtte_param(ctx, ep)
    rows: list[dict] = []
    for (pc, crit, ev), g in _groups(d):
        kw = {"paramcd": pc, "criteria": crit or None, "evaluator": ev or None}
        t, e = g["AVALM"].to_numpy(float), 1 - g["CNSR"].to_numpy(int)
        try:
            r = stats.rmst(t, e, tau=tau, group=g["TRT01P"].to_numpy(object))
            for _, x in r.table.iterrows():
                rows.append(result_row(ep, f"restricted mean to {tau:.0f} months", x["rmst"],
                                       lower=x["lower"], upper=x["upper"], group=x["group"],
                                       n=len(g), events=int(e.sum()), unit="months",
                                       method="RMST (area under KM), survRM2 variance", **kw))
        except InputError as exc:
            rows.append(result_row(ep, f"restricted mean to {tau:.0f} months", None, n=len(g),
                                   note=f"not estimable: {exc}", **kw))
        if crit and ep.origin is not None and ep.origin.source in (
                EventSource.FIRST_RESPONSE, EventSource.FIRST_COMPLETE_RESPONSE):
            p = _pbir(ep, ctx, crit, {v: k for k, v in EVALUATOR_LABELS.items()}[ev])
            try:
                dr = stats.duration_of_response(
                    p["AVALM"].to_numpy(float), 1 - p["CNSR"].to_numpy(int),
                    p["RESPM"].to_numpy(float), tau=tau, group=p["TRT01P"].to_numpy(object))
                for _, x in dr.table.iterrows():
                    rows.append(result_row(ep, f"restricted mean duration in response to {tau:.0f} "
                                           "months (all participants)", x["rmdor"],
                                           lower=x["lower"], upper=x["upper"], group=x["group"],
                                           n=len(p), unit="months",
                                           method="area under the probability-of-being-in-response "
                                           "curve", **kw))
            except InputError as exc:
                rows.append(result_row(ep, "restricted mean duration in response", None,
                                       note=f"not estimable: {exc}", **kw))
    return d, result_table(rows)
