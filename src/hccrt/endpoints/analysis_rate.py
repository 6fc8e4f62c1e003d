"""Rate endpoints: proportions with exact CIs and the between-arm difference.

Proportion with the Clopper-Pearson exact CI (R ``binom.test``); between arms the difference
with a Wald CI and Fisher's exact test. Response rates count the best overall response (ADRS
BOR, confirmation not required, as the registry texts say "best response") and, on a second
row, the confirmed best response (CBOR); denominator: all allocated participants (ITTFL),
MISSING/NE counted as non-responders (admiralonco / RECIST 1.1). Other rates (major pathologic
response, conversion, reasons for subsequent treatment) come from ADSL; LRT unsuitability also
reads the mRECIST best response and the new lesions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from hccrt import stats
from hccrt.endpoints.adrs import EVALUATOR_LABELS, criteria_label
from hccrt.endpoints.analysis_context import (
    AnalysisContext,
    adrs_param,
    criteria_evaluators,
    result_row,
    result_table,
)
from hccrt.protocols.schema import Endpoint

__all__ = ["analyze_rate", "rate_rows"]


def rate_rows(ep: Endpoint, df: pd.DataFrame, flag: str, statistic: str, ctx: AnalysisContext,
              **kw: object) -> list[dict]:
    """Per-arm rates of the 0/1 column ``flag`` of ``df`` (USUBJID, TRT01P) and the contrast."""
    rows = []
    for arm, g in df.groupby("TRT01P", sort=True):
        k, n = int(g[flag].sum()), len(g)
        if n == 0:
            continue
        cp = stats.clopper_pearson(k, n).iloc[0]
        rows.append(result_row(ep, statistic, k / n, group=arm, lower=cp["lower"],
                               upper=cp["upper"], n=n, events=k, unit="proportion",
                               method="Clopper-Pearson exact", **kw))
    exp, ref = ctx.arms()
    if ep.comparison == "between_arms" and exp and ref:
        a, b = df[df["TRT01P"] == exp][flag], df[df["TRT01P"] == ref][flag]
        if len(a) and len(b):
            p1, p0 = a.mean(), b.mean()
            se = np.sqrt(p1 * (1 - p1) / len(a) + p0 * (1 - p0) / len(b))
            p = sps.fisher_exact([[a.sum(), len(a) - a.sum()], [b.sum(), len(b) - b.sum()]])[1]
            rows.append(result_row(ep, statistic + " difference", p1 - p0, group=f"{exp} - {ref}",
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
        for crit, ev in criteria_evaluators(ep, ctx):
            b = adrs_param(ctx, "BOR", crit, ev)
            d = base.merge(b[["USUBJID", "AVALC"]], on="USUBJID", how="left").fillna(
                {"AVALC": "MISSING"})
            for cat in ("CR", "PR", "SD", "NON-CR/NON-PD", "PD", "NE", "MISSING"):
                rows += rate_rows(ep, d.assign(f=(d["AVALC"] == cat).astype(int)), "f",
                                  f"best overall response {cat}", ctx, criteria=crit,
                                  evaluator=EVALUATOR_LABELS[ev])
            parts.append(d.assign(PARAMCD="BOR", CRITERIA=crit, EVALUATOR=ev))
        return pd.concat(parts, ignore_index=True), result_table(rows)
    if ep.criteria:
        sustained = "sustained" in ep.id
        parts = []
        for crit, ev in criteria_evaluators(ep, ctx):
            kw = {"criteria": crit, "evaluator": EVALUATOR_LABELS[ev]}
            for param in (("SCR",) if sustained else ("BOR", "CBOR")):
                b = adrs_param(ctx, param, crit, ev)
                d = base.merge(b[["USUBJID", "AVALC"]], on="USUBJID", how="left")
                ok = ["Y"] if param == "SCR" else list(ep.responses)
                d["f"] = d["AVALC"].isin(ok).astype(int)
                label = {"BOR": "rate (best overall response)",
                         "CBOR": "rate (confirmed best overall response)",
                         "SCR": "sustained complete response rate"}[param]
                rows += rate_rows(ep, d, "f", label, ctx, paramcd=param, **kw)
                parts.append(d.assign(PARAMCD=param, CRITERIA=crit, EVALUATOR=ev))
        return pd.concat(parts, ignore_index=True), result_table(rows)
    itt = ctx.itt.assign(USUBJID=lambda d: d["USUBJID"].astype(str))
    if ep.id == "mpr-rate":
        d = itt[itt["NECROPCT"].notna()] if "NECROPCT" in itt else itt.iloc[:0]
        d = d.assign(f=(d.get("NECROPCT", pd.Series(dtype=float)) >= 90).astype(int))
        rows += rate_rows(ep, d, "f", "major pathologic response rate (>= 90 % necrosis)",
                          ctx)
        return d, result_table(rows)
    if "conversion" in ep.id:
        if "ablation" in ep.definition.lower():
            d = itt.assign(f=(itt["CURCONFL"] == "Y").astype(int))
            label = "curative conversion rate (resection, transplant or ablation)"
        else:
            d = itt.assign(f=(itt["SURGDT"].notna() & (itt["SURGDT"] >= itt["TRTSDT"]))
                           .astype(int))
            label = "conversion rate (resection or transplant)"
        return d, result_table(rate_rows(ep, d, "f", label, ctx))
    if ep.id == "lrt-unsuitability-rate":
        flag = _lrt_unsuitable(ctx)
        d = itt.assign(f=itt["USUBJID"].map(flag).fillna(False).astype(int))
        return d, result_table(rate_rows(ep, d, "f", "LRT unsuitability rate", ctx))
    if "reason_for_subsequent_treatment" in ep.measures:
        d = itt[itt["NHCCDT"].notna()]
        for reason in sorted(d["NHCCRSN"].dropna().unique()):
            rows += rate_rows(ep, d.assign(f=(d["NHCCRSN"] == reason).astype(int)), "f",
                              f"reason: {reason}", ctx)
        return d, result_table(rows)
    return itt.iloc[:0], result_table([result_row(ep, "not derivable", None,
                                                  note="no rate rule for this endpoint id")])
