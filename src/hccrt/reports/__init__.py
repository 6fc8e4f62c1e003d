"""Analysis and safety reports: numbered figures and tables in HTML and PDF.

* :mod:`hccrt.reports.figures` -- matplotlib figures from tidy frames (KM with numbers at risk,
  waterfall, spider, swimmer, forest, ROC, QoL, CONSORT);
* :mod:`hccrt.reports.tables` -- display tables (baseline, estimates, AEs, shifts, summaries);
* :mod:`hccrt.reports.document` -- the report model and its HTML/PDF rendering;
* :mod:`hccrt.reports.build` -- :func:`build_report`, the entry point of the CLI and the web.
"""

from hccrt.reports.build import FORMATS, analysis_report, build_report, safety_report
from hccrt.reports.inputs import ReportInputs, gather

__all__ = ["FORMATS", "ReportInputs", "analysis_report", "build_report", "gather",
           "safety_report"]
