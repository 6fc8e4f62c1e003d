"""The safety sections: adverse events (overview and by preferred term), laboratory shift
tables, and for the DSMB safety report exposure, deaths and protocol deviations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.reports import tables as T
from hccrt.reports.document import Section, TableBlock, TextBlock
from hccrt.reports.inputs import ReportInputs
from hccrt.reports.populations import group_column, population_text, subjects

__all__ = ["RELATED_TERMS", "deaths_section", "deviations_section", "exposure_section",
           "safety_sections"]

#: AE causality terms counted as treatment-related until ADAE supplies its own flag.
RELATED_TERMS = ("RELATED", "PROBABLY RELATED", "POSSIBLY RELATED", "DEFINITELY RELATED")


def _adae(inp: ReportInputs) -> pd.DataFrame | None:
    """AE rows with grade, serious, related and ARM: ADAE when the endpoints module gives it
    (treatment-emergent rows only), else the AE records of the safety population."""
    saf = subjects(inp, "SAFFL")
    if "ADAE" in inp.datasets:
        ae = inp.datasets["ADAE"]
        if "TRTEMFL" in ae.columns:
            ae = ae.loc[ae["TRTEMFL"] == "Y"]
        grade = ae.get("ATOXGRN", ae.get("ATOXGR", ae.get("AETOXGR")))
        related = ae["RELFL"] == "Y" if "RELFL" in ae.columns else ae["AEREL"].isin(RELATED_TERMS)
    elif "AE" in inp.records:
        ae = inp.records["AE"]
        grade = ae["AETOXGR"]
        related = ae["AEREL"].isin(RELATED_TERMS)
    else:
        return None
    out = pd.DataFrame({
        "USUBJID": ae["USUBJID"].astype(str).to_numpy(),
        "term": ae["AEDECOD"].fillna(ae.get("AETERM")).to_numpy(),
        "soc": ae.get("AEBODSYS", pd.Series("", index=ae.index)).to_numpy(),
        "grade": pd.to_numeric(grade, errors="coerce").to_numpy(),
        "serious": (ae["AESER"] == "Y").to_numpy(),
        "related": np.asarray(related, dtype=bool),
    })
    out = out.loc[out["USUBJID"].isin(set(saf["USUBJID"]))]
    return out.merge(saf[["USUBJID", "ARM"]], on="USUBJID", how="left")


def safety_sections(inp: ReportInputs, pooled: bool = False) -> list[Section]:
    """Adverse-event tables and laboratory shift tables, by arm unless ``pooled``."""
    ae = _adae(inp)
    saf = subjects(inp, "SAFFL")
    group = None if pooled else group_column(inp.protocol)
    s = Section("Adverse events", "adverse-events")
    if ae is None or saf.empty:
        s.blocks.append(TextBlock("No adverse-event data.", note=True))
        return [s]
    pop = population_text(inp.protocol, "SAFFL")
    s.blocks.append(TableBlock(T.ae_overview_table(ae, saf, group=group, population=pop)))
    s.blocks.append(TableBlock(T.ae_by_term_table(
        ae, saf, group=group, population=pop,
        title="Adverse events by preferred term, any grade and grade >= 3")))
    s.blocks.append(TableBlock(T.ae_by_term_table(
        ae, saf, group=group, population=pop, min_grade=3,
        title="Adverse events of grade >= 3 by preferred term")))
    s.blocks.append(TableBlock(T.ae_by_term_table(
        ae, saf, group=group, population=pop, serious=True,
        title="Serious adverse events by preferred term")))
    s.blocks.append(TableBlock(T.ae_by_term_table(
        ae, saf, group=group, population=pop, related=True,
        title="Treatment-related adverse events by preferred term")))
    out = [s]
    adlb = inp.datasets.get("ADLB")
    lab = Section("Laboratory toxicities", "labs")
    if adlb is not None and {"PARAMCD", "BTOXGR"} <= set(adlb.columns):
        lb = adlb.assign(WORSTGR=pd.to_numeric(adlb.get("ATOXGR"), errors="coerce"))
        if "ABLFL" in lb.columns:  # worst grade after baseline
            lb.loc[lb["ABLFL"] == "Y", "WORSTGR"] = np.nan
        label_of = (dict(zip(lb["PARAMCD"], lb["PARAM"], strict=False)) if "PARAM" in lb
                    else {})
        worst = lb.groupby(["USUBJID", "PARAMCD"], as_index=False).agg(
            BTOXGR=("BTOXGR", "first"), WORSTGR=("WORSTGR", "max"))
        worst = worst.merge(saf[["USUBJID", "ARM"]], on="USUBJID")
        for p in worst["PARAMCD"].unique():
            lab.blocks.append(TableBlock(T.shift_table(
                worst.loc[worst["PARAMCD"] == p], parameter=str(p), group=group,
                title=f"Shift from baseline to worst CTCAE grade: {label_of.get(p, p)}",
                population=pop)))
    else:
        lab.blocks.append(TextBlock("ADLB (CTCAE grades of laboratory values) is not yet "
                                    "provided by hccrt.endpoints: no shift tables.", note=True))
    out.append(lab)
    return out


def exposure_section(inp: ReportInputs, group: str | None) -> Section:
    """Administrations per participant of each study treatment (safety population)."""
    saf = subjects(inp, "SAFFL")
    exp = Section("Exposure", "exposure")
    if "EX" in inp.records and not saf.empty:
        ex = inp.records["EX"].merge(saf[["USUBJID", "ARM"]], on="USUBJID")
        per = ex.groupby(["USUBJID", "EXTRT"]).size().rename("administrations").reset_index()
        per = per.merge(saf[["USUBJID", "ARM"]], on="USUBJID")
        for trt, d in per.groupby("EXTRT"):
            exp.blocks.append(TableBlock(T.summary_table(
                d, [("administrations", "Administrations per participant")], group=group,
                title=f"Exposure: {trt}", population="Safety population", digits=1)))
    return exp


def deaths_section(inp: ReportInputs, group: str | None) -> Section:
    """Vital status at the data cut-off (safety population)."""
    saf = subjects(inp, "SAFFL")
    deaths = Section("Deaths", "deaths")
    if not saf.empty:
        deaths.blocks.append(TableBlock(T.baseline_table(
            saf.assign(DIED=np.where(saf["DTHDT"].notna(), "Died", "Alive")),
            [T.Variable("DIED", "Vital status at data cut-off", order=("Died", "Alive"))],
            group=group, title="Deaths", population="Safety population")))
    return deaths


def deviations_section(inp: ReportInputs, group: str | None) -> Section:
    """Participants with protocol deviations by type (all allocated participants)."""
    dv = Section("Protocol deviations", "deviations")
    if "DV" in inp.records and len(inp.records["DV"]):
        d = inp.records["DV"].merge(subjects(inp, "ITTFL")[["USUBJID", "ARM"]], on="USUBJID")
        tab = d.assign(grade=0, serious=False, related=False)
        tab["term"] = tab["DVDECOD"].fillna(tab["DVTERM"])
        dv.blocks.append(TableBlock(T.ae_by_term_table(
            tab, subjects(inp, "ITTFL"), group=group, grade_columns=False,
            title="Participants with protocol deviations by type",
            population="All allocated participants")))
    else:
        dv.blocks.append(TextBlock("No protocol deviations recorded."))
    return dv
