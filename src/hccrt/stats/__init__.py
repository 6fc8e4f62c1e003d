"""Survival and response statistics for trial analysis, validated against R.

Public interface (arrays, or a DataFrame passed as ``data=`` with column names):
``kaplan_meier``, ``logrank``.
"""

from hccrt.stats.km import KaplanMeierResult, kaplan_meier
from hccrt.stats.logrank import LogrankResult, logrank

__all__ = ["KaplanMeierResult", "LogrankResult", "kaplan_meier", "logrank"]
