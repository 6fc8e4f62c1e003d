"""What every endpoint analysis reads and returns (:mod:`hccrt.endpoints.analysis`).

:class:`AnalysisContext` holds the derived datasets; each analysis returns a long result table
with the columns :data:`RESULT_COLUMNS` (one row per statistic, group, criteria set and
evaluator), built row by row with :func:`result_row`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hccrt.endpoints.adrs import EVALUATOR_LABELS, AdrsResult, criteria_label
from hccrt.protocols.schema import Endpoint, Protocol

__all__ = ["RESULT_COLUMNS", "AnalysisContext", "adrs_param", "criteria_evaluators",
           "result_row", "result_table"]

RESULT_COLUMNS = ["ENDPOINT", "PARAMCD", "CRITERIA", "EVALUATOR", "GROUP", "STATISTIC",
                  "ESTIMATE", "LOWER", "UPPER", "PVALUE", "N", "EVENTS", "UNIT", "METHOD",
                  "NOTE"]


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


def result_row(ep: Endpoint, statistic: str, estimate: float | None, **kw: object) -> dict:
    """One result row of ``ep``; keyword arguments fill the columns of the same name."""
    r = dict.fromkeys(RESULT_COLUMNS)
    r.update({"ENDPOINT": ep.id, "STATISTIC": statistic, "ESTIMATE": estimate})
    r.update({k.upper(): v for k, v in kw.items()})
    return r


def result_table(rows: list[dict]) -> pd.DataFrame:
    """Result rows as a table with exactly the columns :data:`RESULT_COLUMNS`."""
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def criteria_evaluators(ep: Endpoint, ctx: AnalysisContext) -> list[tuple[str, str]]:
    """(criteria set, evaluator) pairs of ``ep`` that ADRS holds (investigator by default)."""
    evals = [e for e in (ep.evaluators or ["investigator"]) if e in ctx.adrs.evaluators]
    return [(c.value, e) for c in ep.criteria for e in evals]


def adrs_param(ctx: AnalysisContext, param: str, crit: str, ev: str) -> pd.DataFrame:
    """ADRS rows of one parameter, criteria set and evaluator (USUBJID as text)."""
    a = ctx.adrs.adrs
    out = a[(a["PARAMCD"] == param) & (a["PARCAT3"] == criteria_label(crit))
            & (a["PARCAT2"] == EVALUATOR_LABELS[ev])]
    return out.assign(USUBJID=out["USUBJID"].astype(str))
