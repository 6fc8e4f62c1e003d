"""Survival and response statistics for trial analysis, validated against R.

Public interface (arrays, or a DataFrame passed as ``data=`` with column names):
``kaplan_meier``, ``logrank``, ``rmst``, ``cox_ph``, ``cumulative_incidence``,
``clopper_pearson``, ``roc``, ``ipw``,
``duration_of_response``
(and ``wilson``, ``rate``).

KM, log-rank and RMST on the same data share one sort: fit ``km = kaplan_meier(time, event,
group=arm)`` once, then ``logrank_from_km(km)`` and ``rmst_from_km(km, tau)`` reuse its per-group
tables (identical results to ``logrank``/``rmst`` on the arrays). Their elementwise passes run in
blocks (``hccrt.stats.km.BLOCK`` rows), so at N = 1e6 the peak traced memory stays under 3x the
input arrays.
"""

from hccrt.stats.binomial import clopper_pearson, rate, wilson
from hccrt.stats.competing import CumIncResult, cumulative_incidence
from hccrt.stats.cox import CoxResult, cox_ph
from hccrt.stats.km import KaplanMeierResult, kaplan_meier
from hccrt.stats.logrank import LogrankResult, logrank, logrank_from_km
from hccrt.stats.propensity import IPWResult, ipw, smd
from hccrt.stats.response_duration import ResponseDurationResult, duration_of_response
from hccrt.stats.rmst import RMSTResult, rmst, rmst_from_km
from hccrt.stats.roc import RocResult, roc

__all__ = [
    "CoxResult",
    "CumIncResult",
    "IPWResult",
    "KaplanMeierResult",
    "LogrankResult",
    "RMSTResult",
    "ResponseDurationResult",
    "RocResult",
    "clopper_pearson",
    "cox_ph",
    "cumulative_incidence",
    "duration_of_response",
    "ipw",
    "kaplan_meier",
    "logrank",
    "logrank_from_km",
    "rate",
    "rmst",
    "rmst_from_km",
    "roc",
    "smd",
    "wilson",
]
