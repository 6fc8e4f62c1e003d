"""Change-from-baseline and continuous endpoints.

* change_from_baseline: change at the horizon (the record nearest origin + horizon within the
  visit window) -- n, mean, SD, 95 % t CI, median; for longer horizons by visit; between arms
  the difference of mean changes (Welch). Records after the first subsequent anti-cancer
  therapy are left out when the endpoint's censoring lists it.
* continuous: n, mean, SD, median, range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from hccrt.endpoints._common import duration_days
from hccrt.endpoints.analysis_context import AnalysisContext, result_row, result_table
from hccrt.protocols.schema import Endpoint, EventSource

__all__ = ["MEASURE_PARAMS", "analyze_change", "analyze_continuous"]

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
            rows.append(result_row(ep, f"change in {measure}", None,
                                   note="not derivable: the records hold no data for this measure"))
            continue
        ds, key = MEASURE_PARAMS[measure]
        data = {"ADSC": ctx.adsc, "ADQS": ctx.adqs, "ADLF": ctx.adlf}[ds]
        if data is None or data.empty:
            rows.append(result_row(ep, f"change in {measure}", None,
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
            rows.append(result_row(ep, f"change in {measure} {r.PARAMCD} at {r.AVISIT}", r.mean,
                                   lower=r.lower, upper=r.upper, n=r.n, paramcd=r.PARAMCD,
                                   group=r.TRT01P, unit="change",
                                   method="mean change from baseline, t CI",
                                   note=f"SD {r.sd:.3g}; median {r.median:.3g}"))
        if ep.comparison == "between_arms" and exp and ref:
            w = _welch(summ[summ["TRT01P"] == exp], summ[summ["TRT01P"] == ref])
            for r in w.itertuples(index=False):
                rows.append(result_row(ep, f"difference in mean change {r.PARAMCD} at {r.AVISIT}",
                                       r.diff, lower=r.lower, upper=r.upper, pvalue=r.p, n=r.n,
                                       paramcd=r.PARAMCD, group=f"{exp} - {ref}", unit="change",
                                       method="Welch t-test"))
    dataset = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return dataset, result_table(rows)


def analyze_continuous(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Continuous measures (pathological necrosis %) among those measured."""
    itt = ctx.itt
    rows: list[dict] = []
    d = itt.iloc[:0]
    if any("necrosis" in m for m in ep.measures) and "NECROPCT" in itt.columns:
        d = itt[itt["NECROPCT"].notna()]
        for arm, g in d.groupby("TRT01P"):
            x = g["NECROPCT"]
            rows.append(result_row(ep, "mean pathological necrosis", x.mean(), group=arm,
                                   lower=x.min(), upper=x.max(), n=len(x), unit="%",
                                   method="mean; LOWER/UPPER hold the range",
                                   note=f"SD {x.std(ddof=1):.3g}; median {x.median():.3g}"))
    if not rows:
        rows.append(result_row(ep, "summary", None, note="no measurements recorded"))
    return d, result_table(rows)
