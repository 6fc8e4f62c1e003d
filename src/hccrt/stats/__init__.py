"""Survival and response statistics for trial analysis, validated against R.

Public interface (arrays, or a DataFrame passed as ``data=`` with column names):
``kaplan_meier``.
"""

from hccrt.stats.km import KaplanMeierResult, kaplan_meier

__all__ = ["KaplanMeierResult", "kaplan_meier"]
