"""Who a report's tables count: the participants of a population flag with their arm's display
name, the labels the report uses for arms and populations, and the month length of its time
axes.
"""

from __future__ import annotations

import pandas as pd

from hccrt.protocols import Protocol
from hccrt.reports.inputs import ReportInputs

__all__ = ["DAYS_PER_MONTH", "arm_names", "group_column", "population_text", "subjects"]

DAYS_PER_MONTH = 365.25 / 12


def arm_names(proto: Protocol) -> dict[str, str]:
    """Arm id -> display name, in the protocol's arm order."""
    return {a.id: a.name for a in proto.arms}


def group_column(proto: Protocol) -> str | None:
    """The column tables are split by: ARM with two arms or more, none for a single arm."""
    return "ARM" if len(proto.arms) > 1 else None


def subjects(inp: ReportInputs, flag: str = "ITTFL") -> pd.DataFrame:
    """Subjects of a population flag with ARM (display name) for grouping."""
    a = inp.adsl
    if a is None:
        return pd.DataFrame(columns=["USUBJID", "ARM"])
    a = a.loc[a[flag] == "Y"] if flag in a.columns else a
    arm_col = "TRT01A" if flag == "SAFFL" and "TRT01A" in a.columns else "TRT01P"
    names = arm_names(inp.protocol)
    order = [n for n in names.values()]
    arm = a[arm_col].map(names) if arm_col in a.columns else pd.Series(None, index=a.index)
    out = a.drop(columns=["ARM"], errors="ignore").assign(
        ARM=pd.Categorical(arm, categories=order))
    return out.reset_index(drop=True)


def population_text(proto: Protocol, flag: str) -> str:
    """The population line of a table for a population flag (ITTFL, SAFFL)."""
    return {"ITTFL": "All allocated participants (intention to treat)",
            "SAFFL": "Safety population (received any study treatment)"}.get(flag, flag)
