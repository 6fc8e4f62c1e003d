"""Endpoint derivation: ADaM-shaped analysis datasets from the record tables, per protocol and
endpoint catalogue, and their analysis (admiral / admiralonco style; DESIGN.md).

* :func:`derive_adsl` -- subject level: populations, dates, arms, baseline scores;
* :func:`derive_adrs_protocol` -- ADRS from :mod:`hccrt.response` per criteria set/evaluator;
* :func:`derive_adtte` -- one parameter per time-to-event endpoint, criteria set and evaluator,
  from the one generic engine :func:`derive_param_tte`;
* :func:`derive_adae`, :func:`derive_adlb`, :func:`derive_adsc`, :func:`derive_adqs`;
* :func:`analyze` -- everything above plus each endpoint's result table;
* :func:`write_adam_xpt` -- the datasets as SAS transport v5 files, refusing (not truncating)
  anything beyond the format's limits.
"""

from hccrt.endpoints.adae import derive_adae
from hccrt.endpoints.adlb import derive_adlb, derive_adsc
from hccrt.endpoints.adqs import derive_adqs
from hccrt.endpoints.adrs import AdrsResult, derive_adrs_protocol
from hccrt.endpoints.adsl import derive_adsl
from hccrt.endpoints.adtte import derive_adtte
from hccrt.endpoints.analysis import RESULT_COLUMNS, analyze_endpoint
from hccrt.endpoints.run import STEPS, AnalysisRun, EndpointResult, analyze
from hccrt.endpoints.tte import TteSource, derive_param_tte
from hccrt.endpoints.xpt import write_adam_xpt, xpt_problems

__all__ = [
    "RESULT_COLUMNS",
    "STEPS",
    "AdrsResult",
    "AnalysisRun",
    "EndpointResult",
    "TteSource",
    "analyze",
    "analyze_endpoint",
    "derive_adae",
    "derive_adlb",
    "derive_adqs",
    "derive_adrs_protocol",
    "derive_adsc",
    "derive_adsl",
    "derive_adtte",
    "derive_param_tte",
    "write_adam_xpt",
    "xpt_problems",
]
