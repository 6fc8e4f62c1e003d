"""The Y-90 dosimetry section: planned (partition model) and administered quantities per
session, the planned lung dose against the protocol's limits, and prescribed vs delivered.
"""

from __future__ import annotations

import pandas as pd

from hccrt.reports import figures as F
from hccrt.reports import tables as T
from hccrt.reports.document import FigureBlock, Section, TableBlock
from hccrt.reports.inputs import ReportInputs
from hccrt.reports.populations import group_column, subjects

__all__ = ["dosimetry_section"]


def dosimetry_section(inp: ReportInputs) -> Section | None:
    """Y-90 planning and administration summaries; None without XP or XA records."""
    xp, xa = inp.records.get("XP"), inp.records.get("XA")
    if xp is None and xa is None:
        return None
    s = Section("Y-90 dosimetry", "dosimetry")
    subj = subjects(inp, "SAFFL")[["USUBJID", "ARM"]]
    for name, dom, pre in (("planned (partition model)", xp, "XP"),
                           ("administered", xa, "XA")):
        if dom is None or dom.empty:
            continue
        d = dom.assign(_v=pd.to_numeric(dom[f"{pre}STRESN"], errors="coerce"))
        wide = d.pivot_table(index=["USUBJID", f"{pre}GRPID"], columns=f"{pre}TESTCD",
                             values="_v", aggfunc="first").reset_index()
        wide = wide.merge(subj, on="USUBJID", how="inner")
        tests = d.drop_duplicates(f"{pre}TESTCD")
        cols = [(str(r[f"{pre}TESTCD"]), f"{r[f'{pre}TEST']} ({r[f'{pre}STRESU']})")
                for _, r in tests.iterrows()]
        s.blocks.append(TableBlock(T.summary_table(
            wide, cols, group=group_column(inp.protocol), title=f"Y-90 {name}: per session",
            population="Participants with a Y-90 session")))
        if pre == "XP" and "LUNGDOSE" in wide.columns:
            vals = pd.DataFrame({"value": wide["LUNGDOSE"]})
            limits = sorted({float(lim.maximum) for lim in inp.protocol.planning.limits
                             if lim.quantity.value == "lung_absorbed_dose"
                             and lim.applies in ("planning", "delivery")
                             and not lim.conditions and lim.maximum is not None})
            s.blocks.append(FigureBlock(
                "Distribution of the planned lung absorbed dose per session",
                F.distribution_plot(vals, xlabel="Lung absorbed dose (Gy)", limits=limits),
                "Participants with a Y-90 session", key="lung-dose",
                caption="Dashed: the protocol's lung-dose limits." if limits else ""))
    if xp is not None and xa is not None and not xp.empty and not xa.empty:
        from hccrt.reports import dosimetry as D

        paired = D.paired_sessions(xp, xa).merge(subj, on="USUBJID", how="inner")
        if not paired.empty:
            within, total = D.as_planned_count(paired)
            table = T.summary_table(
                paired, D.columns(paired), group=group_column(inp.protocol),
                title="Y-90 prescribed vs delivered: activity and absorbed doses per session",
                population="Y-90 sessions with both a plan and an administration record")
            table.footnote = (
                f"{within} of {total} sessions delivered within 90-110 % of the planned "
                "activity. Delivered doses are the planned doses scaled by delivered/planned "
                "activity (doses are proportional to activity in the partition and MIRD models).")
            table.key = "y90-prescribed-vs-delivered"
            s.blocks.append(TableBlock(table))
    return s
