"""Analysis of each catalogue endpoint by its kind, as tidy tables (``hccrt.stats`` underneath).

Every analysis returns ``(dataset, results)``: the rows of the analysis dataset the endpoint
uses, and a long result table with the columns :data:`RESULT_COLUMNS` (one row per statistic,
group, criteria set and evaluator). Methods (defaults of ``reference/survival.md``):

* rate: proportion with the Clopper-Pearson exact CI (R ``binom.test``); between arms the
  difference with a Wald CI and Fisher's exact test. Response rates count the best overall
  response (ADRS BOR, confirmation not required, as the registry texts say "best response")
  and, on a second row, the confirmed best response (CBOR); denominator: all allocated
  participants (ITTFL), MISSING/NE counted as non-responders (admiralonco / RECIST 1.1).
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
* change_from_baseline: change at the horizon (the record nearest origin + horizon within the
  visit window) -- n, mean, SD, 95 % t CI, median; for longer horizons by visit; between arms
  the difference of mean changes (Welch).
* continuous: n, mean, SD, median, range.
* threshold: ROC of the tumour absorbed dose for CR and for CR/PR (best response), AUC with
  DeLong CI, Youden-optimal threshold with bootstrap CI (:func:`hccrt.stats.roc`).
* safety: subjects with any treatment-emergent AE, grade >= 3, serious, related, fatal, by
  arm, and worst grade per preferred term; for endpoints with a horizon (REILD, radiation
  pneumonitis) the rate within the horizon before subsequent therapy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from hccrt import stats
from hccrt.endpoints._common import DAYS_PER_MONTH, duration_days
from hccrt.endpoints.adrs import EVALUATOR_LABELS, AdrsResult, criteria_label
from hccrt.endpoints.adtte import SourceContext, source_dates
from hccrt.endpoints.tte import TteSource, derive_param_tte
from hccrt.errors import InputError
from hccrt.protocols.schema import DesignType, Endpoint, EndpointKind, EventSource, Protocol

RESULT_COLUMNS = ["ENDPOINT", "PARAMCD", "CRITERIA", "EVALUATOR", "GROUP", "STATISTIC",
                  "ESTIMATE", "LOWER", "UPPER", "PVALUE", "N", "EVENTS", "UNIT", "METHOD",
                  "NOTE"]
IPW_COVARIATES = ("BECOG", "BCPPTS", "BALBI", "LOGAFP", "AGE")


@dataclass
class AnalysisContext:
    """The derived datasets an endpoint analysis reads."""

    protocol: Protocol
    adsl: pd.DataFrame
    adrs: AdrsResult
    adtte: pd.DataFrame
    adae: pd.DataFrame
    adlb: pd.DataFrame
    adsc: pd.DataFrame
    adqs: pd.DataFrame
    lesions_new: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)
    adlf: pd.DataFrame | None = None

    @property
    def itt(self) -> pd.DataFrame:
        return self.adsl[self.adsl["ITTFL"] == "Y"]

    def arms(self) -> tuple[str | None, str | None]:
        """(experimental, reference) arm ids for between-arm contrasts."""
        exp = [a.id for a in self.protocol.arms if a.role == "experimental"]
        ref = [a.id for a in self.protocol.arms if a.role in ("active_comparator", "control")]
        if len(self.protocol.arms) < 2:
            return None, None
        return (exp[0] if exp else self.protocol.arms[0].id,
                ref[0] if ref else self.protocol.arms[1].id)


def _row(ep: Endpoint, statistic: str, estimate: float | None, **kw: object) -> dict:
    r = dict.fromkeys(RESULT_COLUMNS)
    r.update({"ENDPOINT": ep.id, "STATISTIC": statistic, "ESTIMATE": estimate})
    r.update({k.upper(): v for k, v in kw.items()})
    return r


def _table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def _combos(ep: Endpoint, ctx: AnalysisContext) -> list[tuple[str, str]]:
    evals = [e for e in (ep.evaluators or ["investigator"]) if e in ctx.adrs.evaluators]
    return [(c.value, e) for c in ep.criteria for e in evals]


# ----------------------------------------------------------------------------- rates


def _rate_rows(ep: Endpoint, df: pd.DataFrame, flag: str, statistic: str, ctx: AnalysisContext,
               **kw: object) -> list[dict]:
    """Per-arm rates of the 0/1 column ``flag`` of ``df`` (USUBJID, TRT01P) and the contrast."""
    rows = []
    for arm, g in df.groupby("TRT01P", sort=True):
        k, n = int(g[flag].sum()), len(g)
        if n == 0:
            continue
        cp = stats.clopper_pearson(k, n).iloc[0]
        rows.append(_row(ep, statistic, k / n, group=arm, lower=cp["lower"], upper=cp["upper"],
                         n=n, events=k, unit="proportion", method="Clopper-Pearson exact",
                         **kw))
    exp, ref = ctx.arms()
    if ep.comparison == "between_arms" and exp and ref:
        a, b = df[df["TRT01P"] == exp][flag], df[df["TRT01P"] == ref][flag]
        if len(a) and len(b):
            p1, p0 = a.mean(), b.mean()
            se = np.sqrt(p1 * (1 - p1) / len(a) + p0 * (1 - p0) / len(b))
            p = sps.fisher_exact([[a.sum(), len(a) - a.sum()], [b.sum(), len(b) - b.sum()]])[1]
            rows.append(_row(ep, statistic + " difference", p1 - p0, group=f"{exp} - {ref}",
                             lower=p1 - p0 - 1.96 * se, upper=p1 - p0 + 1.96 * se, pvalue=p,
                             n=len(a) + len(b), unit="proportion",
                             method="Wald CI; Fisher exact test", **kw))
    return rows


def _base(ctx: AnalysisContext) -> pd.DataFrame:
    return ctx.itt[["USUBJID", "TRT01P"]].assign(USUBJID=lambda d: d["USUBJID"].astype(str))


def _lrt_unsuitable(ctx: AnalysisContext) -> pd.Series:
    """tare-ut7 LRT unsuitability per subject: no objective response (mRECIST BOR) after two
    intra-arterial sessions, or a new lesion in the treated zone, vascular invasion in the
    treated zone (new PVTT/vascular lesion in field) or extrahepatic spread (a new lesion
    outside the liver)."""
    itt = ctx.itt.set_index(ctx.itt["USUBJID"].astype(str))
    out = pd.Series(False, index=itt.index)
    bor = ctx.adrs.adrs
    bor = bor[(bor["PARAMCD"] == "BOR") & (bor["PARCAT2"] == "INVESTIGATOR")
              & (bor["PARCAT3"] == criteria_label("mrecist"))]
    resp = set(bor.loc[bor["AVALC"].isin(["CR", "PR"]), "USUBJID"].astype(str))
    sessions = itt.get("NSESS", pd.Series(0, index=itt.index)).fillna(0)
    out |= (sessions >= 2) & ~itt.index.isin(resp)
    new = ctx.lesions_new
    if new is not None and not new.empty:
        site = new["site"].astype("string").str.upper().fillna("")
        infield = new.get("in_treated_area", pd.Series(pd.NA, index=new.index)).astype(
            "string").str.upper() == "Y"
        vascular = site.isin(["PORTAL VEIN", "HEPATIC VEIN", "INFERIOR VENA CAVA"]) | (
            new.get("pvt", pd.Series(pd.NA, index=new.index)).astype("string") == "Y")
        hit = (infield.fillna(False) & (site == "LIVER")) | (vascular & infield.fillna(False)) \
            | ((site != "LIVER") & ~vascular)
        hit = hit.fillna(False).to_numpy(dtype=bool)
        out |= out.index.isin(set(new.loc[hit, "subject"].astype(str)))
    return out


def analyze_rate(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rate endpoints (response rates from ADRS; other rates from ADSL, see module doc)."""
    rows: list[dict] = []
    base = _base(ctx)
    if ep.criteria and "best_overall_response" in ep.measures:
        parts = []
        for crit, ev in _combos(ep, ctx):
            b = _adrs_param(ctx, "BOR", crit, ev)
            d = base.merge(b[["USUBJID", "AVALC"]], on="USUBJID", how="left").fillna(
                {"AVALC": "MISSING"})
            for cat in ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING"):
                rows += _rate_rows(ep, d.assign(f=(d["AVALC"] == cat).astype(int)), "f",
                                   f"best overall response {cat}", ctx, criteria=crit,
                                   evaluator=EVALUATOR_LABELS[ev])
            parts.append(d.assign(PARAMCD="BOR", CRITERIA=crit, EVALUATOR=ev))
        return pd.concat(parts, ignore_index=True), _table(rows)
    if ep.criteria:
        sustained = "sustained" in ep.id
        parts = []
        for crit, ev in _combos(ep, ctx):
            kw = {"criteria": crit, "evaluator": EVALUATOR_LABELS[ev]}
            for param in (("SCR",) if sustained else ("BOR", "CBOR")):
                b = _adrs_param(ctx, param, crit, ev)
                d = base.merge(b[["USUBJID", "AVALC"]], on="USUBJID", how="left")
                ok = ["Y"] if param == "SCR" else list(ep.responses)
                d["f"] = d["AVALC"].isin(ok).astype(int)
                label = {"BOR": "rate (best overall response)",
                         "CBOR": "rate (confirmed best overall response)",
                         "SCR": "sustained complete response rate"}[param]
                rows += _rate_rows(ep, d, "f", label, ctx, paramcd=param, **kw)
                parts.append(d.assign(PARAMCD=param, CRITERIA=crit, EVALUATOR=ev))
        return pd.concat(parts, ignore_index=True), _table(rows)
    itt = ctx.itt.assign(USUBJID=lambda d: d["USUBJID"].astype(str))
    if ep.id == "mpr-rate":
        d = itt[itt["NECROPCT"].notna()] if "NECROPCT" in itt else itt.iloc[:0]
        d = d.assign(f=(d.get("NECROPCT", pd.Series(dtype=float)) >= 90).astype(int))
        rows += _rate_rows(ep, d, "f", "major pathologic response rate (>= 90 % necrosis)",
                           ctx)
        return d, _table(rows)
    if "conversion" in ep.id:
        if "ablation" in ep.definition.lower():
            d = itt.assign(f=(itt["CURCONFL"] == "Y").astype(int))
            label = "curative conversion rate (resection, transplant or ablation)"
        else:
            d = itt.assign(f=(itt["SURGDT"].notna() & (itt["SURGDT"] >= itt["TRTSDT"]))
                           .astype(int))
            label = "conversion rate (resection or transplant)"
        return d, _table(_rate_rows(ep, d, "f", label, ctx))
    if ep.id == "lrt-unsuitability-rate":
        flag = _lrt_unsuitable(ctx)
        d = itt.assign(f=itt["USUBJID"].map(flag).fillna(False).astype(int))
        return d, _table(_rate_rows(ep, d, "f", "LRT unsuitability rate", ctx))
    if "reason_for_subsequent_treatment" in ep.measures:
        d = itt[itt["NHCCDT"].notna()]
        for reason in sorted(d["NHCCRSN"].dropna().unique()):
            rows += _rate_rows(ep, d.assign(f=(d["NHCCRSN"] == reason).astype(int)), "f",
                               f"reason: {reason}", ctx)
        return d, _table(rows)
    return itt.iloc[:0], _table([_row(ep, "not derivable", None,
                                      note="no rate rule for this endpoint id")])


def _adrs_param(ctx: AnalysisContext, param: str, crit: str, ev: str) -> pd.DataFrame:
    a = ctx.adrs.adrs
    out = a[(a["PARAMCD"] == param) & (a["PARCAT3"] == criteria_label(crit))
            & (a["PARCAT2"] == EVALUATOR_LABELS[ev])]
    return out.assign(USUBJID=out["USUBJID"].astype(str))


# ----------------------------------------------------------------------------- time to event


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
        rows.append(_row(ep, stat + label, r["time"], group=r["group"], lower=r["lower"],
                         upper=r["upper"], n=int(n.get(r["group"], 0)),
                         events=int(ev.get(r["group"], 0)), unit="months",
                         method=method + " (Brookmeyer-Crowley)", **kw))
    if ep.landmarks:
        lm = [duration_days(x) / DAYS_PER_MONTH for x in ep.landmarks]
        for _, r in km.at(lm).iterrows():
            rows.append(_row(ep, f"rate at {r['time']:.0f} months" + label, r["surv"],
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
        rows.append(_row(ep, "log-rank test", lr.chisq, pvalue=lr.p_value, n=len(d),
                         events=int(e.sum()), group=f"{exp} vs {ref}", unit="chi-square",
                         method="log-rank (Mantel-Haenszel)" + label, **kw))
        x = (d["TRT01P"].to_numpy() == exp).astype(float)
        cox = stats.cox_ph(t, e, x, names=[f"{exp} vs {ref}"], strata=sv)
        c = cox.table.iloc[0]
        rows.append(_row(ep, "hazard ratio", c["hr"], lower=c["hr_lower"], upper=c["hr_upper"],
                         pvalue=c["p_value"], n=len(d), events=int(e.sum()),
                         group=f"{exp} vs {ref}", unit="ratio",
                         method="Cox PH, Efron ties, Wald CI" + label, **kw))
        if ep.adjustment and ctx.protocol.design.type is not DesignType.RANDOMIZED:
            w, balance, covs = _ipw_weights(ctx, d, exp)
            if w is None:
                rows.append(_row(ep, "IPW hazard ratio", None, note=covs, **kw))
            else:
                rows += _km_rows(ep, d, kw, weights=w, label=" (IPW)")
                cw = stats.cox_ph(t, e, x, names=[f"{exp} vs {ref}"], weights=w, robust=True)
                c = cw.table.iloc[0]
                rows.append(_row(ep, "IPW hazard ratio", c["hr"], lower=c["hr_lower"],
                                 upper=c["hr_upper"], pvalue=c["p_value"], n=len(d),
                                 events=int(e.sum()), group=f"{exp} vs {ref}", unit="ratio",
                                 method="Cox PH weighted by ATE inverse-probability weights, "
                                 "robust variance", note="propensity covariates: " + covs,
                                 **kw))
                for _, b in balance.iterrows():
                    rows.append(_row(ep, f"SMD {b['covariate']} (weighted)", b["smd_weighted"],
                                     lower=b["smd_unweighted"], unit="SMD",
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
            rows.append(_row(ep, f"cumulative incidence at {r['time']:.0f} months",
                             r["estimate"], lower=r["lower"], upper=r["upper"],
                             group=r["group"], unit="proportion",
                             method="Aalen-Johansen, death as competing event", **kw))
        if ci.tests is not None:
            for _, r in ci.tests[ci.tests["cause"] == 1].iterrows():
                rows.append(_row(ep, "Gray's test", r["statistic"], pvalue=r["p_value"],
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
            rows.append(_row(ep, "median", None, n=len(g), events=0,
                             note="no events: nothing to estimate", **kw))
            continue
        rows += _tte_rows(ep, g, ctx, kw)
    if "reason_for_subsequent_treatment" in ep.measures:
        itt = ctx.itt
        sub = itt[itt["NHCCDT"].notna()]
        for reason, k in sub["NHCCRSN"].fillna("NOT RECORDED").value_counts().items():
            rows.append(_row(ep, f"reason: {reason}", k / max(len(sub), 1), n=len(sub),
                             events=int(k), unit="proportion of subsequent treatments"))
    return d, _table(rows)


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
                rows.append(_row(ep, f"restricted mean to {tau:.0f} months", x["rmst"],
                                 lower=x["lower"], upper=x["upper"], group=x["group"],
                                 n=len(g), events=int(e.sum()), unit="months",
                                 method="RMST (area under KM), survRM2 variance", **kw))
        except InputError as exc:
            rows.append(_row(ep, f"restricted mean to {tau:.0f} months", None, n=len(g),
                             note=f"not estimable: {exc}", **kw))
        if crit and ep.origin is not None and ep.origin.source in (
                EventSource.FIRST_RESPONSE, EventSource.FIRST_COMPLETE_RESPONSE):
            p = _pbir(ep, ctx, crit, {v: k for k, v in EVALUATOR_LABELS.items()}[ev])
            try:
                dr = stats.duration_of_response(
                    p["AVALM"].to_numpy(float), 1 - p["CNSR"].to_numpy(int),
                    p["RESPM"].to_numpy(float), tau=tau, group=p["TRT01P"].to_numpy(object))
                for _, x in dr.table.iterrows():
                    rows.append(_row(ep, f"restricted mean duration in response to {tau:.0f} "
                                     "months (all participants)", x["rmdor"],
                                     lower=x["lower"], upper=x["upper"], group=x["group"],
                                     n=len(p), unit="months",
                                     method="area under the probability-of-being-in-response "
                                     "curve", **kw))
            except InputError as exc:
                rows.append(_row(ep, "restricted mean duration in response", None,
                                 note=f"not estimable: {exc}", **kw))
    return d, _table(rows)


# ----------------------------------------------------------------------------- change, other

MEASURE_PARAMS = {"ecog": ("ADSC", "ECOG"), "albi_grade": ("ADSC", "ALBIGR"),
                  "child_pugh_class": ("ADSC", "CPCLS"), "meld": ("ADSC", "MELD"),
                  "qlq-c30": ("ADQS", "qlq-c30"), "qlq-hcc18": ("ADQS", "qlq-hcc18"),
                  "regional_liver_function": ("ADLF", "REGIONAL LIVER FUNCTION")}


def _summaries(post: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """n, mean, SD, median and the t CI of CHG per ``by`` group (vectorized)."""
    g = post.groupby(by, sort=False)["CHG"]
    out = g.agg(n="count", mean="mean", sd="std", median="median").reset_index()
    out = out[out["n"] > 0]
    df = (out["n"] - 1).where(out["n"] > 1)
    half = sps.t.ppf(0.975, df) * out["sd"] / np.sqrt(out["n"])
    return out.assign(lower=out["mean"] - half, upper=out["mean"] + half)


def _welch(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Welch difference a - b of mean changes from two ``_summaries`` tables (same keys)."""
    m = a.merge(b, on=["PARAMCD", "AVISIT"], suffixes=("_a", "_b"))
    m = m[(m["n_a"] > 1) & (m["n_b"] > 1)]
    va, vb = m["sd_a"] ** 2 / m["n_a"], m["sd_b"] ** 2 / m["n_b"]
    se = np.sqrt(va + vb)
    with np.errstate(divide="ignore", invalid="ignore"):
        dfree = (va + vb) ** 2 / (va**2 / (m["n_a"] - 1) + vb**2 / (m["n_b"] - 1))
        diff = m["mean_a"] - m["mean_b"]
        half = sps.t.ppf(0.975, dfree) * se
        p = 2 * sps.t.sf(np.abs(diff / se), dfree)
    return m.assign(diff=diff, lower=diff - half, upper=diff + half, p=p, n=m["n_a"] + m["n_b"])


def _before_subsequent_therapy(ep: Endpoint, post: pd.DataFrame,
                               ctx: AnalysisContext) -> pd.DataFrame:
    """Drop post-baseline records after the first subsequent anti-cancer therapy (ADSL NACTDT)
    when the endpoint's censoring lists it ("... or until subsequent anticancer treatment if
    earlier"): a change measured after another treatment is not this treatment's."""
    if not any(c.source == EventSource.SUBSEQUENT_ANTICANCER_THERAPY for c in ep.censoring):
        return post
    if "NACTDT" not in ctx.adsl.columns or post.empty:
        return post
    a = ctx.adsl.set_index(ctx.adsl["USUBJID"].astype(str))
    nact = post["USUBJID"].astype(str).map(a["NACTDT"])
    return post[nact.isna() | (post["ADT"] <= nact)]


def analyze_change(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Change from baseline at the horizon (or by visit for long horizons)."""
    rows: list[dict] = []
    parts = []
    horizon = duration_days(ep.horizon) if ep.horizon is not None else None
    exp, ref = ctx.arms()
    for measure in ep.measures:
        if measure not in MEASURE_PARAMS:
            rows.append(_row(ep, f"change in {measure}", None,
                             note="not derivable: the records hold no data for this measure"))
            continue
        ds, key = MEASURE_PARAMS[measure]
        data = {"ADSC": ctx.adsc, "ADQS": ctx.adqs, "ADLF": ctx.adlf}[ds]
        if data is None or data.empty:
            rows.append(_row(ep, f"change in {measure}", None,
                             note=f"no {ds} records for this measure"))
            continue
        sel = data[data["PARAMCD"] == key] if ds == "ADSC" else data[data["PARCAT1"] == key]
        sel = sel[sel["USUBJID"].isin(set(ctx.itt["USUBJID"].astype(str)))]
        post = sel[(sel["ADY"] > 1) & sel["CHG"].notna()]
        post = _before_subsequent_therapy(ep, post, ctx)
        if horizon is not None and horizon <= 180:
            win = max(14.0, 0.2 * horizon)
            post = post.assign(_dist=(post["ADY"] - horizon).abs())
            post = post[post["_dist"] <= win].sort_values("_dist").drop_duplicates(
                ["USUBJID", "PARAMCD"])
            post = post.assign(AVISIT=f"day {horizon:.0f}")
        elif horizon is not None:
            post = post[post["ADY"] <= horizon + 14]
        parts.append(post.assign(MEASURE=measure))
        summ = _summaries(post, ["PARAMCD", "AVISIT", "TRT01P"])
        for r in summ.itertuples(index=False):
            rows.append(_row(ep, f"change in {measure} {r.PARAMCD} at {r.AVISIT}", r.mean,
                             lower=r.lower, upper=r.upper, n=r.n, paramcd=r.PARAMCD,
                             group=r.TRT01P, unit="change",
                             method="mean change from baseline, t CI",
                             note=f"SD {r.sd:.3g}; median {r.median:.3g}"))
        if ep.comparison == "between_arms" and exp and ref:
            w = _welch(summ[summ["TRT01P"] == exp], summ[summ["TRT01P"] == ref])
            for r in w.itertuples(index=False):
                rows.append(_row(ep, f"difference in mean change {r.PARAMCD} at {r.AVISIT}",
                                 r.diff, lower=r.lower, upper=r.upper, pvalue=r.p, n=r.n,
                                 paramcd=r.PARAMCD, group=f"{exp} - {ref}", unit="change",
                                 method="Welch t-test"))
    dataset = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return dataset, _table(rows)


def analyze_continuous(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Continuous measures (pathological necrosis %) among those measured."""
    itt = ctx.itt
    rows: list[dict] = []
    d = itt.iloc[:0]
    if any("necrosis" in m for m in ep.measures) and "NECROPCT" in itt.columns:
        d = itt[itt["NECROPCT"].notna()]
        for arm, g in d.groupby("TRT01P"):
            x = g["NECROPCT"]
            rows.append(_row(ep, "mean pathological necrosis", x.mean(), group=arm,
                             lower=x.min(), upper=x.max(), n=len(x), unit="%",
                             method="mean; LOWER/UPPER hold the range",
                             note=f"SD {x.std(ddof=1):.3g}; median {x.median():.3g}"))
    if not rows:
        rows.append(_row(ep, "summary", None, note="no measurements recorded"))
    return d, _table(rows)


def analyze_threshold(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ROC of the tumour absorbed dose against CR and against CR/PR (best response)."""
    rows: list[dict] = []
    parts = []
    itt = ctx.itt.assign(USUBJID=lambda d: d["USUBJID"].astype(str))
    if "TUMDOSE" not in itt.columns:
        return itt.iloc[:0], _table([_row(ep, "threshold", None, note="no tumour dose (XP)")])
    for crit, ev in _combos(ep, ctx):
        b = _adrs_param(ctx, "BOR", crit, ev)
        d = itt[["USUBJID", "TRT01P", "TUMDOSE"]].merge(b[["USUBJID", "AVALC"]], on="USUBJID",
                                                        how="left").dropna(subset=["TUMDOSE"])
        parts.append(d.assign(CRITERIA=crit, EVALUATOR=ev))
        for label, ok in (("complete response", ["CR"]), ("objective response", ["CR", "PR"])):
            y = d["AVALC"].isin(ok).astype(int).to_numpy()
            kw = {"criteria": crit, "evaluator": EVALUATOR_LABELS[ev], "paramcd": "BOR"}
            if y.min() == y.max():
                rows.append(_row(ep, f"threshold for {label}", None, n=len(y),
                                 note="one outcome class only", **kw))
                continue
            r = stats.roc(y, d["TUMDOSE"].to_numpy(float), n_boot=500)
            yd = r.youden
            rows.append(_row(ep, f"AUC for {label}", r.auc, lower=r.auc_lower,
                             upper=r.auc_upper, n=len(y), events=int(y.sum()), unit="AUC",
                             method="ROC, DeLong CI", **kw))
            rows.append(_row(ep, f"threshold dose for {label}", yd["threshold"],
                             lower=yd.get("lower"), upper=yd.get("upper"), n=len(y),
                             events=int(y.sum()), unit="Gy",
                             method="Youden-optimal threshold, bootstrap CI",
                             note=f"sensitivity {yd['sensitivity']:.3f}, specificity "
                             f"{yd['specificity']:.3f}", **kw))
    d = pd.concat(parts, ignore_index=True) if parts else itt.iloc[:0]
    return d, _table(rows)


SPECIAL_TERMS = {"pneumonitis": ("PNEUMONITIS",),
                 "reild": ("RADIOEMBOLIZATION-INDUCED LIVER DISEASE", "RADIATION HEPATITIS",
                           "REILD")}


def analyze_safety(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Treatment-emergent AE summaries by arm; special-interest rates within a horizon."""
    rows: list[dict] = []
    saf = ctx.adsl[ctx.adsl["SAFFL"] == "Y"].assign(USUBJID=lambda d: d["USUBJID"].astype(str))
    ae = ctx.adae
    te = ae[ae["TRTEMFL"] == "Y"] if len(ae) else ae
    special = next((k for k in SPECIAL_TERMS if k in ep.id), None)
    if special is not None:
        text = (ae["AEDECOD"].astype(str) + " | " + ae["AETERM"].astype(str)).str.upper()
        hit = ae[text.str.contains("|".join(SPECIAL_TERMS[special]), regex=True)]
        a = saf.set_index("USUBJID")
        start = hit["USUBJID"].map(a["TRTSDT"])
        end = start + pd.to_timedelta(duration_days(ep.horizon) if ep.horizon else 1e5,
                                      unit="D")
        nact = hit["USUBJID"].map(a["NACTDT"])
        ok = (hit["ASTDT"] >= start) & (hit["ASTDT"] <= end) & (nact.isna()
                                                                 | (hit["ASTDT"] < nact))
        subj = set(hit.loc[ok, "USUBJID"])
        d = saf.assign(f=saf["USUBJID"].isin(subj).astype(int))
        rows += _rate_rows(ep, d, "f", f"{special} incidence (reported adverse events)", ctx)
        if special == "reild":
            rows += _reild_from_labs(ep, ctx, saf)
        return hit[ok], _table(rows)
    if "trae" in ep.id:
        te = te[te["RELFL"] == "Y"]
    flags = {"any TEAE": te, "grade >= 3": te[te["ATOXGRN"] >= 3],
             "serious": te[te["AESER"] == "Y"], "related": te[te["RELFL"] == "Y"],
             "fatal (grade 5)": te[te["ATOXGRN"] == 5]}
    for label, sub in flags.items():
        d = saf.assign(f=saf["USUBJID"].isin(set(sub["USUBJID"])).astype(int))
        rows += _rate_rows(ep, d, "f", f"subjects with {label}", ctx)
    worst = te[te["WORSTFL"] == "Y"]
    for (arm, term, grade), g in worst.groupby(["TRT01A", "AEDECOD", "ATOXGRN"]):
        n = int((saf["TRT01A"] == arm).sum())
        rows.append(_row(ep, f"{term}: worst grade {grade:.0f}", len(g) / max(n, 1),
                         group=arm, n=n, events=len(g), unit="proportion",
                         method="subjects by worst CTCAE grade"))
    lb = ctx.adlb
    if len(lb) and "WGRHIFL" in lb.columns:
        w = lb[(lb["WGRHIFL"] == "Y") & (lb["ATOXGR"].astype("Float64") >= 3)]
        w = w[w["USUBJID"].isin(set(saf["USUBJID"]))]
        arms = saf.set_index("USUBJID")["TRT01A"]
        for (term, arm), g in w.assign(TRT01A=w["USUBJID"].map(arms)).groupby(
                ["ATOXDSC", "TRT01A"]):
            n = int((saf["TRT01A"] == arm).sum())
            rows.append(_row(ep, f"lab {term}: worst grade >= 3", g["USUBJID"].nunique() / n,
                             group=arm, n=n, events=g["USUBJID"].nunique(), unit="proportion",
                             method="CTCAE v5.0 lab grade (ADLB)"))
    return te, _table(rows)


def _reild_from_labs(ep: Endpoint, ctx: AnalysisContext, saf: pd.DataFrame) -> list[dict]:
    """REILD by :func:`hccrt.clinical.reild.classify_reild` (Sangro 2008) per treated subject:
    bilirubin from ADLB, ascites from ADSC Child-Pugh ascites points > 1 (RS CPASCIT) or an
    ascites AE, tumour progression from ADRS (mRECIST, investigator) within the window;
    biliary obstruction not adjudicated (None). Subjects whose classification is
    indeterminate (``met`` None) are counted as not meeting the criteria, and reported."""
    from hccrt.clinical.reild import classify_reild

    lb = ctx.adlb[ctx.adlb["PARAMCD"] == "BILI"] if len(ctx.adlb) else ctx.adlb
    bili = {k: g for k, g in lb.groupby("USUBJID")} if len(lb) else {}
    ae = ctx.adae
    asc_ae = ae[ae["AEDECOD"].astype(str).str.upper().str.contains("ASCITES")] if len(ae) \
        else ae
    asc = {k: list(g["ASTDT"].dropna().dt.date) for k, g in asc_ae.groupby("USUBJID")} \
        if len(asc_ae) else {}
    pd_rows = ctx.adrs.adrs
    pd_rows = pd_rows[(pd_rows["PARAMCD"] == "PD") & (pd_rows["AVALC"] == "Y")
                      & (pd_rows["PARCAT2"] == "INVESTIGATOR")]
    pd_date = pd_rows.groupby(pd_rows["USUBJID"].astype(str))["ADT"].min()
    met, unknown = set(), 0
    for r in saf.itertuples(index=False):
        start = r.TRTSDT
        if pd.isna(start):
            continue
        g = bili.get(r.USUBJID)
        obs = [] if g is None else [
            (d.date(), f"{v} {u}") for d, v, u in zip(g["ADT"], g["AVAL"], g["AVALU"],
                                                       strict=True)
            if pd.notna(d) and pd.notna(v) and d > start]
        prog = pd_date.get(r.USUBJID)
        within = pd.notna(prog) and (prog - start).days <= 180
        try:
            res = classify_reild(treatment_date=start.date(), bilirubin=obs,
                                 ascites_dates=asc.get(r.USUBJID, []),
                                 tumour_progression=bool(within), biliary_obstruction=None)
        except InputError:
            unknown += 1
            continue
        if res.met:
            met.add(r.USUBJID)
        elif res.met is None:
            unknown += 1
    d = saf.assign(f=saf["USUBJID"].isin(met).astype(int))
    return [{**row, "METHOD": "Clopper-Pearson exact; hccrt.clinical.reild Sangro 2008 "
             "criteria from labs", "NOTE": f"{unknown} subjects indeterminate (counted as not "
             "met)"} for row in _rate_rows(ep, d, "f", "REILD (Sangro 2008 criteria)", ctx)]


ANALYSES = {
    EndpointKind.RATE: analyze_rate,
    EndpointKind.TIME_TO_EVENT: analyze_tte,
    EndpointKind.DURATION: analyze_tte,
    EndpointKind.RESTRICTED_MEAN: analyze_restricted_mean,
    EndpointKind.CHANGE_FROM_BASELINE: analyze_change,
    EndpointKind.CONTINUOUS: analyze_continuous,
    EndpointKind.THRESHOLD: analyze_threshold,
    EndpointKind.SAFETY: analyze_safety,
}


def analyze_endpoint(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis of ``ep`` by its kind: ``(dataset, results)``."""
    return ANALYSES[ep.kind](ep, ctx)
