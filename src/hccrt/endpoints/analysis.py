"""Analysis of each catalogue endpoint by its kind, as tidy tables (``hccrt.stats`` underneath).

Every analysis returns ``(dataset, results)``: the rows of the analysis dataset the endpoint
uses, and a long result table with the columns :data:`RESULT_COLUMNS` (one row per statistic,
group, criteria set and evaluator). Methods (defaults of ``reference/survival.md``), one module
per kind, each documenting its own:

* rate -- :mod:`hccrt.endpoints.analysis_rate` (Clopper-Pearson; Wald difference, Fisher);
* time_to_event, duration, restricted_mean -- :mod:`hccrt.endpoints.analysis_time_to_event`
  (Kaplan-Meier, log-rank, Cox, IPW, Aalen-Johansen, RMST, duration in response);
* change_from_baseline, continuous -- :mod:`hccrt.endpoints.analysis_change` (t CI, Welch);
* threshold -- :mod:`hccrt.endpoints.analysis_threshold` (ROC, DeLong, Youden);
* safety -- :mod:`hccrt.endpoints.analysis_safety` (TEAE summaries, REILD, pneumonitis).

The context the analyses read and the result rows they write are in
:mod:`hccrt.endpoints.analysis_context`.
"""

from __future__ import annotations

import pandas as pd

from hccrt.endpoints.analysis_change import MEASURE_PARAMS, analyze_change, analyze_continuous
from hccrt.endpoints.analysis_context import RESULT_COLUMNS, AnalysisContext
from hccrt.endpoints.analysis_rate import analyze_rate
from hccrt.endpoints.analysis_safety import SPECIAL_TERMS, analyze_safety
from hccrt.endpoints.analysis_threshold import analyze_threshold
from hccrt.endpoints.analysis_time_to_event import (
    IPW_COVARIATES,
    analyze_restricted_mean,
    analyze_tte,
)
from hccrt.protocols.schema import Endpoint, EndpointKind

__all__ = ["ANALYSES", "IPW_COVARIATES", "MEASURE_PARAMS", "RESULT_COLUMNS", "SPECIAL_TERMS",
           "AnalysisContext", "analyze_change", "analyze_continuous", "analyze_endpoint",
           "analyze_rate", "analyze_restricted_mean", "analyze_safety", "analyze_threshold",
           "analyze_tte"]


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
