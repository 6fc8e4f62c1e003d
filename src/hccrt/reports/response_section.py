"""The tumour response figures: waterfall of the best percent change in the target-lesion sum,
spider plot over time, and the swimmer plot of time on study with responses and events.
"""

from __future__ import annotations

import pandas as pd

from hccrt.reports import figures as F
from hccrt.reports.document import FigureBlock, Section
from hccrt.reports.inputs import ReportInputs
from hccrt.reports.populations import DAYS_PER_MONTH, subjects

__all__ = ["response_section"]


def response_section(inp: ReportInputs) -> Section | None:
    """Waterfall, spider and swimmer plots; None without ADTR (no tumour measurements)."""
    from hccrt.response import rules_for
    from hccrt.response.criteria import CRITERIA_LABELS

    if inp.adtr is None or inp.adtr.empty:
        return None
    s = Section("Tumour response figures", "tumour-response")
    ad = inp.adtr
    sd = ad.loc[ad["PARAMCD"] == "SDIAM"]
    if "PARCAT3" in sd.columns:
        crit_col = "PARCAT3"
    else:
        return None
    labels = {v: k for k, v in CRITERIA_LABELS.items()}
    best = sd.loc[sd["ANL02FL"] == "Y"]
    bor = None
    if inp.adrs is not None and "PARAMCD" in inp.adrs.columns:
        b = inp.adrs.loc[inp.adrs["PARAMCD"] == "BOR"]
        if "PARCAT2" in b.columns:
            b = b.loc[b["PARCAT2"] == "INVESTIGATOR"]
        bor = b[["USUBJID", "PARCAT3", "AVALC"]].drop_duplicates(["USUBJID", "PARCAT3"])
    wf = pd.DataFrame({"criteria": best[crit_col].to_numpy(),
                       "subject": best["USUBJID"].to_numpy(),
                       "pchg": pd.to_numeric(best["PCHG"], errors="coerce").to_numpy()})
    if bor is not None:
        wf = wf.merge(bor.rename(columns={"USUBJID": "subject", "PARCAT3": "criteria",
                                          "AVALC": "response"}),
                      on=["subject", "criteria"], how="left")
    refs = {}
    for lab in wf["criteria"].unique():
        code = labels.get(lab)
        if code:
            r = rules_for(code)
            refs[lab] = (r.pd_increase_pct, r.pr_decrease_pct)
    if len(wf):
        s.blocks.append(FigureBlock(
            "Waterfall plot of the best percent change in the target-lesion sum",
            F.waterfall_plot(wf, reference_lines=refs),
            "Allocated participants with a baseline and a post-baseline assessment",
            key="waterfall",
            caption="Dashed lines: the criteria's PD (+) and PR (-) thresholds. Colour: best "
            "overall response (investigator)."))
    first = next(iter(wf["criteria"].unique()), None) if len(wf) else None
    if first is not None:
        sp = sd.loc[(sd[crit_col] == first) & sd["PCHG"].notna()]
        subj = subjects(inp, "ITTFL")
        ref = subj.set_index("USUBJID")["TRTSDT"] if "TRTSDT" in subj else None
        if ref is not None and "ADT" in sp.columns:
            t = (pd.to_datetime(sp["ADT"]) - sp["USUBJID"].map(ref)).dt.days / DAYS_PER_MONTH
            ch = pd.DataFrame({"subject": sp["USUBJID"].to_numpy(), "time": t.to_numpy(),
                               "pchg": pd.to_numeric(sp["PCHG"]).to_numpy()})
            if len(inp.protocol.arms) > 1:
                ch["group"] = sp["USUBJID"].map(subj.set_index("USUBJID")["ARM"]).to_numpy()
            ch = ch.dropna(subset=["time"])
            code = labels.get(first)
            r = rules_for(code) if code else None
            s.blocks.append(FigureBlock(
                f"Spider plot of the percent change in the target-lesion sum ({first})",
                F.spider_plot(ch, reference_lines=(r.pd_increase_pct, r.pr_decrease_pct)
                              if r else None),
                "Allocated participants with post-baseline assessments", key="spider"))
    sw = _swimmer(inp)
    if sw is not None:
        s.blocks.append(sw)
    return s


def _swimmer(inp: ReportInputs) -> FigureBlock | None:
    a = subjects(inp, "SAFFL")
    if a.empty or "TRTSDT" not in a.columns:
        return None
    start = a.set_index("USUBJID")["TRTSDT"]
    end = a.set_index("USUBJID")["DTHDT"].fillna(a.set_index("USUBJID")["LSTALVDT"])
    lanes = pd.DataFrame({"subject": start.index,
                          "end": ((end - start).dt.days / DAYS_PER_MONTH).to_numpy(),
                          "ongoing": (a.set_index("USUBJID")["EOSSTT"] != "DISCONTINUED")
                          .to_numpy()})
    if len(inp.protocol.arms) > 1:
        lanes["group"] = a.set_index("USUBJID")["ARM"].to_numpy()
    lanes = lanes.dropna(subset=["end"])
    ev = []
    if inp.adrs is not None and "ADT" in inp.adrs.columns:
        r = inp.adrs.loc[inp.adrs["PARAMCD"] == "OVR"] if "OVR" in set(
            inp.adrs["PARAMCD"]) else inp.adrs.iloc[0:0]
        if "PARCAT2" in r.columns:
            r = r.loc[r["PARCAT2"] == "INVESTIGATOR"]
        if len(r) and "PARCAT3" in r.columns:
            r = r.loc[r["PARCAT3"] == r["PARCAT3"].iloc[0]]
        r = r.loc[r["AVALC"].isin(["CR", "PR", "PD"])]
        r = r.sort_values("ADT").drop_duplicates(["USUBJID", "AVALC"])
        ev.append(pd.DataFrame({"subject": r["USUBJID"].to_numpy(),
                                "time": ((pd.to_datetime(r["ADT"]) - r["USUBJID"].map(start))
                                         .dt.days / DAYS_PER_MONTH).to_numpy(),
                                "event": r["AVALC"].to_numpy()}))
    dth = a.loc[a["DTHDT"].notna()]
    ev.append(pd.DataFrame({"subject": dth["USUBJID"].to_numpy(),
                            "time": ((dth["DTHDT"] - dth["TRTSDT"]).dt.days
                                     / DAYS_PER_MONTH).to_numpy(), "event": "Death"}))
    if "NACTDT" in a.columns:
        sub = a.loc[a["NACTDT"].notna()]
        ev.append(pd.DataFrame({"subject": sub["USUBJID"].to_numpy(),
                                "time": ((sub["NACTDT"] - sub["TRTSDT"]).dt.days
                                         / DAYS_PER_MONTH).to_numpy(),
                                "event": "Subsequent therapy"}))
    events = pd.concat(ev, ignore_index=True).dropna(subset=["time"])
    return FigureBlock("Swimmer plot: time on study, responses and events per participant",
                       F.swimmer_plot(lanes, events), "Safety population", key="swimmer",
                       caption="Responses: first investigator-assessed timepoint of each kind "
                       "(first criteria set of the catalogue).")
