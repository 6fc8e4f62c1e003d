"""Threshold endpoints: ROC of the tumour absorbed dose for CR and for CR/PR (best response),
AUC with DeLong CI, Youden-optimal threshold with bootstrap CI (:func:`hccrt.stats.roc`).
"""

from __future__ import annotations

import pandas as pd

from hccrt import stats
from hccrt.endpoints.adrs import EVALUATOR_LABELS
from hccrt.endpoints.analysis_context import (
    AnalysisContext,
    adrs_param,
    criteria_evaluators,
    result_row,
    result_table,
)
from hccrt.protocols.schema import Endpoint

__all__ = ["analyze_threshold"]


def analyze_threshold(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ROC of the tumour absorbed dose against CR and against CR/PR (best response)."""
    rows: list[dict] = []
    parts = []
    itt = ctx.itt.assign(USUBJID=lambda d: d["USUBJID"].astype(str))
    if "TUMDOSE" not in itt.columns:
        return itt.iloc[:0], result_table([result_row(ep, "threshold", None,
                                                      note="no tumour dose (XP)")])
    for crit, ev in criteria_evaluators(ep, ctx):
        b = adrs_param(ctx, "BOR", crit, ev)
        d = itt[["USUBJID", "TRT01P", "TUMDOSE"]].merge(b[["USUBJID", "AVALC"]], on="USUBJID",
                                                        how="left").dropna(subset=["TUMDOSE"])
        parts.append(d.assign(CRITERIA=crit, EVALUATOR=ev))
        for label, ok in (("complete response", ["CR"]), ("objective response", ["CR", "PR"])):
            y = d["AVALC"].isin(ok).astype(int).to_numpy()
            kw = {"criteria": crit, "evaluator": EVALUATOR_LABELS[ev], "paramcd": "BOR"}
            if y.min() == y.max():
                rows.append(result_row(ep, f"threshold for {label}", None, n=len(y),
                                       note="one outcome class only", **kw))
                continue
            r = stats.roc(y, d["TUMDOSE"].to_numpy(float), n_boot=500)
            yd = r.youden
            rows.append(result_row(ep, f"AUC for {label}", r.auc, lower=r.auc_lower,
                                   upper=r.auc_upper, n=len(y), events=int(y.sum()), unit="AUC",
                                   method="ROC, DeLong CI", **kw))
            rows.append(result_row(ep, f"threshold dose for {label}", yd["threshold"],
                                   lower=yd.get("lower"), upper=yd.get("upper"), n=len(y),
                                   events=int(y.sum()), unit="Gy",
                                   method="Youden-optimal threshold, bootstrap CI",
                                   note=f"sensitivity {yd['sensitivity']:.3f}, specificity "
                                   f"{yd['specificity']:.3f}", **kw))
    d = pd.concat(parts, ignore_index=True) if parts else itt.iloc[:0]
    return d, result_table(rows)
