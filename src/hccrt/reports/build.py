"""Assemble the analysis report and the safety report of a protocol and write HTML / PDF.

:func:`build_report` is the one entry point the CLI and the web app call (the web runs it in a
background worker and passes ``progress_callback`` for its progress bar). Everything shown is
computed by the core (derivations in :mod:`hccrt.endpoints`, statistics in :mod:`hccrt.stats`,
criteria thresholds in :mod:`hccrt.response`); this module chooses, orders and lays out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import hccrt
from hccrt.errors import InputError
from hccrt.protocols import Protocol
from hccrt.protocols.schema import EndpointKind
from hccrt.reports import figures as F
from hccrt.reports import tables as T
from hccrt.reports.document import FigureBlock, Report, Section, TableBlock, TextBlock
from hccrt.reports.forest import forest_figure
from hccrt.reports.inputs import ReportInputs, gather

__all__ = ["FORMATS", "analysis_report", "build_report", "safety_report"]

FORMATS = ("html", "pdf")
#: Change-from-baseline rows of fewer participants are left out of tables and figures.
MIN_N_SHOWN = 10
DAYS_PER_MONTH = 365.25 / 12

#: AE causality terms counted as treatment-related until ADAE supplies its own flag.
RELATED_TERMS = ("RELATED", "PROBABLY RELATED", "POSSIBLY RELATED", "DEFINITELY RELATED")


# ----------------------------------------------------------------------------- helpers


def _arm_names(proto: Protocol) -> dict[str, str]:
    return {a.id: a.name for a in proto.arms}


def _group_col(proto: Protocol) -> str | None:
    return "ARM" if len(proto.arms) > 1 else None


def _subjects(inp: ReportInputs, flag: str = "ITTFL") -> pd.DataFrame:
    """Subjects of a population flag with ARM (display name) for grouping."""
    a = inp.adsl
    if a is None:
        return pd.DataFrame(columns=["USUBJID", "ARM"])
    a = a.loc[a[flag] == "Y"] if flag in a.columns else a
    arm_col = "TRT01A" if flag == "SAFFL" and "TRT01A" in a.columns else "TRT01P"
    names = _arm_names(inp.protocol)
    order = [n for n in names.values()]
    arm = a[arm_col].map(names) if arm_col in a.columns else pd.Series(None, index=a.index)
    out = a.drop(columns=["ARM"], errors="ignore").assign(
        ARM=pd.Categorical(arm, categories=order))
    return out.reset_index(drop=True)


def _adae(inp: ReportInputs) -> pd.DataFrame | None:
    """AE rows with grade, serious, related and ARM: ADAE when the endpoints module gives it
    (treatment-emergent rows only), else the AE records of the safety population."""
    saf = _subjects(inp, "SAFFL")
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


def _population_text(proto: Protocol, flag: str) -> str:
    return {"ITTFL": "All allocated participants (intention to treat)",
            "SAFFL": "Safety population (received any study treatment)"}.get(flag, flag)


# ----------------------------------------------------------------------------- sections


def _overview(inp: ReportInputs, kind: str) -> Section:
    p = inp.protocol
    items = [("Design", f"{p.design.type.value.replace('_', ' ')}, {p.design.masking}"),
             ("Arms", "; ".join(f"{a.name} ({a.role})" for a in p.arms)),
             ("Protocol version", p.version),
             ("Registry", ", ".join(p.identity.registry_ids) or "not stated"),
             ("Endpoints", f"{len(p.endpoints)} in the catalogue, reported in its order")]
    blocks: list[Any] = [TextBlock(items=items)]
    for n in inp.notes:
        blocks.append(TextBlock(n, note=True))
    return Section("Trial and data", "overview", blocks)


def consort_counts(inp: ReportInputs) -> F.ConsortCounts:
    """CONSORT counts from ADSL (populations, disposition) and IE (criteria not met)."""
    a = inp.adsl
    if a is None:
        raise InputError("ADSL", None, "a subject-level dataset for the flow diagram")
    names = _arm_names(inp.protocol)
    reasons: dict[str, int] = {}
    ie = inp.records.get("IE")
    if ie is not None and len(ie):
        per = ie.drop_duplicates(["USUBJID", "IETESTCD"])
        col = "IESPID" if "IESPID" in per.columns else "IETESTCD"
        reasons = {str(k): int(v) for k, v in per[col].value_counts().items()}
    arms = []
    for arm_id, name in names.items():
        d = a.loc[(a["ITTFL"] == "Y") & (a["TRT01P"] == arm_id)]
        treated = int((d["SAFFL"] == "Y").sum())
        disc = d.loc[d["EOSSTT"] == "DISCONTINUED", "DCSREAS"].fillna("unknown")
        disc = disc[disc != "DEATH"]
        dcounts = {str(k).capitalize(): int(v) for k, v in disc.value_counts().items()}
        arms.append(F.ArmFlow(name, len(d), treated,
                              {"Not treated": len(d) - treated} if len(d) - treated else {},
                              dcounts, len(d) - sum(dcounts.values()), len(d)))
    label = "Randomized" if inp.protocol.design.type.value == "randomized" else (
        "Allocated" if len(names) > 1 else "Enrolled")
    return F.ConsortCounts(len(a), reasons, arms, allocation_label=label,
                           not_eligible=int((a["ITTFL"] != "Y").sum()))


def _flow(inp: ReportInputs) -> Section:
    s = Section("Participant flow", "flow")
    if inp.adsl is None:
        s.blocks.append(TextBlock("ADSL is not available: no flow diagram.", note=True))
        return s
    c = consort_counts(inp)
    s.blocks.append(FigureBlock("CONSORT flow diagram", F.consort_diagram(c),
                                "All screened participants", key="consort",
                                caption="Eligibility reasons count each criterion not met; a "
                                "participant may fail more than one."))
    return s


BASELINE_VARIABLES = (
    T.Variable("AGE", "Age (years)", "continuous"),
    T.Variable("SEX", "Sex"),
    T.Variable("RACE", "Race"),
    T.Variable("BECOG", "ECOG performance status"),
    T.Variable("AETIOL", "Aetiology"),
    T.Variable("BCPCLS", "Child-Pugh class"),
    T.Variable("BCPPTS", "Child-Pugh points"),
    T.Variable("BALBIGR", "ALBI grade"),
    T.Variable("BALBI", "ALBI score", "continuous"),
    T.Variable("BMELD", "MELD score", "continuous"),
    T.Variable("BCLC", "BCLC stage"),
    T.Variable("CNLC", "CNLC stage"),
    T.Variable("TUMNUM", "Number of tumours"),
    T.Variable("TUMSIZE", "Largest tumour (mm)", "continuous"),
    T.Variable("BAFP", "AFP (ng/mL)", "continuous"),
)


def _baseline(inp: ReportInputs) -> Section:
    s = Section("Baseline characteristics", "baseline")
    if inp.adsl is None:
        s.blocks.append(TextBlock("ADSL is not available.", note=True))
        return s
    subj = _subjects(inp, "ITTFL")
    t = T.baseline_table(subj, BASELINE_VARIABLES, group=_group_col(inp.protocol),
                         population=_population_text(inp.protocol, "ITTFL"))
    s.blocks.append(TableBlock(t))
    return s


#: Display scale and decimals of the endpoints module's result units.
_UNITS: dict[str, tuple[str, int]] = {"proportion": ("%", 1), "months": ("months", 1),
                                      "ratio": ("", 2), "chi-square": ("", 2), "AUC": ("", 3),
                                      "Gy": ("Gy", 0), "change": ("", 1)}


def _result_frame(result: Any) -> pd.DataFrame | None:
    """An endpoint's result table (``hccrt.endpoints`` RESULT_COLUMNS, one row per statistic)
    as the rows of :func:`hccrt.reports.tables.estimates_table`, numbers unchanged."""
    from hccrt.response.criteria import CRITERIA_LABELS

    res = getattr(result, "results", result)
    if not isinstance(res, pd.DataFrame) or "STATISTIC" not in res.columns:
        return None
    rows = []
    for r in res.to_dict("records"):
        qual = [CRITERIA_LABELS.get(str(r.get("CRITERIA")), r.get("CRITERIA")),
                r.get("EVALUATOR")]
        qual = [str(q).lower() if q == r.get("EVALUATOR") else str(q) for q in qual
                if q is not None and not pd.isna(q)]
        unit, digits = _UNITS.get(str(r.get("UNIT")), (str(r.get("UNIT") or ""), 2))
        if str(r.get("UNIT")).startswith("proportion"):
            unit, digits = "%", 1
        rows.append({"parameter": str(r["STATISTIC"]) + (f" ({', '.join(qual)})" if qual
                                                          else ""),
                     "group": r.get("GROUP"), "estimate": r.get("ESTIMATE"),
                     "lower": r.get("LOWER"), "upper": r.get("UPPER"),
                     "p_value": r.get("PVALUE"), "n": r.get("N"), "events": r.get("EVENTS"),
                     "unit": unit, "digits": digits,
                     "method": str(r.get("METHOD") or "") + (
                         f"; {r['NOTE']}" if isinstance(r.get("NOTE"), str) else "")})
    return pd.DataFrame(rows)


def _qol_figure(inp: ReportInputs, ep_id: str, title: str) -> FigureBlock | None:
    """Mean change from baseline with CIs over time, from the endpoint's result rows."""
    res = inp.results.get(ep_id)
    r = getattr(res, "results", None)
    d = getattr(res, "dataset", None)
    if r is None or d is None or "AVISIT" not in getattr(d, "columns", []):
        return None
    r = r.loc[r["STATISTIC"].astype(str).str.startswith("change in ")
              & r["ESTIMATE"].notna()].copy()
    if r.empty:
        return None
    r["AVISIT"] = r["STATISTIC"].astype(str).str.split(" at ", n=1).str[1]
    when = d.groupby("AVISIT")["ADY"].median() / DAYS_PER_MONTH
    r["time"] = r["AVISIT"].map(when)
    names = _arm_names(inp.protocol)
    m = pd.DataFrame({"scale": r["PARAMCD"], "time": r["time"], "mean": r["ESTIMATE"],
                      "lower": r["LOWER"].fillna(r["ESTIMATE"]),
                      "upper": r["UPPER"].fillna(r["ESTIMATE"])})
    if len(inp.protocol.arms) > 1:
        m["group"] = r["GROUP"].map(names).fillna(r["GROUP"])
    m = m.dropna(subset=["time"])
    m = m.loc[r.loc[m.index, "N"].fillna(0) >= MIN_N_SHOWN]  # as in the table
    if m.empty:
        return None
    return FigureBlock(f"Mean change from baseline with 95% CI: {title}",
                       F.qol_plot(m, ylabel="Mean change (95% CI)", xlabel="Months",
                                  reference=0.0),
                       "Participants with a baseline and a post-baseline questionnaire",
                       key=f"qol-{ep_id}", caption=f"Visits with fewer than {MIN_N_SHOWN} "
                       "participants are not drawn.")


def _roc_figure(inp: ReportInputs, ep_id: str) -> list[FigureBlock]:
    """ROC of the threshold endpoint per outcome, threshold and AUC from the result table."""
    from hccrt.stats import roc

    res = inp.results.get(ep_id)
    r, d = getattr(res, "results", None), getattr(res, "dataset", None)
    ep = getattr(res, "endpoint", None)
    if r is None or d is None or "TUMDOSE" not in getattr(d, "columns", []):
        return []
    d = d.loc[d["TUMDOSE"].notna()]
    if "EVALUATOR" in d.columns:
        d = d.loc[d["EVALUATOR"] == d["EVALUATOR"].iloc[0]] if len(d) else d
    out = []
    ok_resp = list(ep.responses) if ep is not None and ep.responses else ["CR", "PR"]
    for outcome, success in (("complete response", ["CR"]), ("objective response", ok_resp)):
        thr = r.loc[r["STATISTIC"] == f"threshold dose for {outcome}"]
        auc = r.loc[r["STATISTIC"] == f"AUC for {outcome}"]
        y = d["AVALC"].isin(success).astype(int)
        if thr.empty or y.nunique() < 2:
            continue
        rr = roc(y.to_numpy(), d["TUMDOSE"].to_numpy(dtype=float), n_boot=0)
        chosen = dict(rr.youden)
        chosen["threshold"] = float(thr["ESTIMATE"].iloc[0])
        a = (auc["ESTIMATE"].iloc[0], auc["LOWER"].iloc[0], auc["UPPER"].iloc[0]) if len(
            auc) else None
        out.append(FigureBlock(f"ROC curve of the tumour absorbed dose for {outcome}",
                               F.roc_plot(rr.curve, chosen, auc=a, outcome=outcome),
                               "Participants with a tumour dose and a best response",
                               key=f"roc-{outcome.split()[0]}",
                               caption="Marked: the Youden-optimal threshold."))
    return out


def _km_figures(inp: ReportInputs, ep_id: str, title: str) -> list[FigureBlock]:
    """KM figures of an endpoint's ADTTE parameters (first evaluator), curves and numbers at
    risk from hccrt.stats."""
    from hccrt.response.criteria import CRITERIA_LABELS
    from hccrt.stats import kaplan_meier

    adtte = inp.datasets.get("ADTTE")
    if adtte is None or "ENDPOINT" not in adtte.columns:
        return []
    d = adtte.loc[adtte["ENDPOINT"] == ep_id]
    if "PARCAT2" in d.columns and d["PARCAT2"].notna().any():
        d = d.loc[d["PARCAT2"] == d["PARCAT2"].dropna().iloc[0]]
    names = _arm_names(inp.protocol)
    out = []
    for code, g in d.groupby("PARAMCD", sort=False):
        t = pd.to_numeric(g["AVALM"], errors="coerce")
        ev = 1 - pd.to_numeric(g["CNSR"], errors="coerce")
        ok = (t.notna() & ev.notna()).to_numpy()
        if ok.sum() == 0:
            continue
        group = None
        if len(inp.protocol.arms) > 1:
            group = pd.Categorical(g["TRT01P"].map(names)[ok], categories=list(names.values()))
        km = kaplan_meier(t[ok].to_numpy(), ev[ok].to_numpy(), group=group)
        ticks = F.km_ticks(float(t[ok].max()))
        crit = g["CRITERIA"].dropna().iloc[0] if "CRITERIA" in g and g["CRITERIA"].notna(
        ).any() else None
        label = f"{title}" + (f", {CRITERIA_LABELS.get(crit, crit)}" if crit else "")
        fig = F.km_plot(km.table, km.at(ticks, extend=True), xlabel="Months",
                        ylabel="Probability without event")
        out.append(FigureBlock(f"Kaplan-Meier estimate: {label} ({code})", fig,
                               "As the endpoint's population", key=f"km-{code}",
                               caption="Shaded: pointwise 95% CI (log-log). Ticks: censored. "
                               "Numbers at risk at the tick times."))
    return out


def _endpoint_sections(inp: ReportInputs) -> list[Section]:
    out = []
    for i, e in enumerate(inp.protocol.endpoints, start=1):
        s = Section(f"{i}. {e.name}", f"endpoint-{e.id}", level=3, endpoint_id=e.id,
                    subtitle=f"{e.role} · {e.kind.value.replace('_', ' ')} · id {e.id}"
                    + (" · assumed (not in the registry text)" if e.assumed else ""))
        s.blocks.append(TextBlock(items=[("Definition", e.definition),
                                         ("Population", e.population),
                                         ("Time frame", e.time_frame)]
                                  + ([("Criteria", ", ".join(c.value for c in e.criteria))]
                                     if e.criteria else [])))
        frame = _result_frame(inp.results.get(e.id))
        if frame is not None and len(frame):
            foot = ""
            if e.kind is EndpointKind.CHANGE_FROM_BASELINE:
                small = pd.to_numeric(frame["n"], errors="coerce").fillna(0) < MIN_N_SHOWN
                if small.any():
                    foot = (f"{int(small.sum())} of {len(frame)} rows (visits with fewer than "
                            f"{MIN_N_SHOWN} participants) are not shown; `hccrt analyze` "
                            "writes them all.")
                    frame = frame.loc[~small]
            s.blocks.append(TableBlock(T.estimates_table(
                frame, title=e.name, population=e.population, footnote=foot,
                key=f"estimates-{e.id}",
                by_group=e.kind is EndpointKind.CHANGE_FROM_BASELINE)))
        else:
            s.blocks.append(TextBlock(
                "Estimate not available: hccrt.endpoints gives no result for this endpoint "
                "in this build.", note=True))
        if e.kind in (EndpointKind.TIME_TO_EVENT, EndpointKind.DURATION):
            s.blocks.extend(_km_figures(inp, e.id, e.name))
            if e.comparison == "between_arms" and e.kind is EndpointKind.TIME_TO_EVENT:
                fb = forest_figure(inp, e.id, e.name)
                if fb is not None:
                    s.blocks.append(fb)
        elif e.kind is EndpointKind.THRESHOLD:
            s.blocks.extend(_roc_figure(inp, e.id))
        elif e.kind is EndpointKind.CHANGE_FROM_BASELINE and any(
                m.startswith("qlq") for m in e.measures):
            fb = _qol_figure(inp, e.id, e.name)
            if fb is not None:
                s.blocks.append(fb)
        out.append(s)
    return out


def _response_section(inp: ReportInputs) -> Section | None:
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
        subj = _subjects(inp, "ITTFL")
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
    a = _subjects(inp, "SAFFL")
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


def _safety_sections(inp: ReportInputs, pooled: bool = False) -> list[Section]:
    ae = _adae(inp)
    saf = _subjects(inp, "SAFFL")
    group = None if pooled else _group_col(inp.protocol)
    s = Section("Adverse events", "adverse-events")
    if ae is None or saf.empty:
        s.blocks.append(TextBlock("No adverse-event data.", note=True))
        return [s]
    pop = _population_text(inp.protocol, "SAFFL")
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


def _dosimetry(inp: ReportInputs) -> Section | None:
    xp, xa = inp.records.get("XP"), inp.records.get("XA")
    if xp is None and xa is None:
        return None
    s = Section("Y-90 dosimetry", "dosimetry")
    subj = _subjects(inp, "SAFFL")[["USUBJID", "ARM"]]
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
            wide, cols, group=_group_col(inp.protocol), title=f"Y-90 {name}: per session",
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
                paired, D.columns(paired), group=_group_col(inp.protocol),
                title="Y-90 prescribed vs delivered: activity and absorbed doses per session",
                population="Y-90 sessions with both a plan and an administration record")
            table.footnote = (
                f"{within} of {total} sessions delivered within 90-110 % of the planned "
                "activity. Delivered doses are the planned doses scaled by delivered/planned "
                "activity (doses are proportional to activity in the partition and MIRD models).")
            table.key = "y90-prescribed-vs-delivered"
            s.blocks.append(TableBlock(table))
    return s


# ----------------------------------------------------------------------------- reports


def analysis_report(inp: ReportInputs) -> Report:
    """The analysis report of a protocol (see issue 11)."""
    p = inp.protocol
    r = Report("Analysis report", p.code, p.identity.title, inp.data_cutoff,
               hccrt.__version__, inp.checksum)
    r.sections.append(_overview(inp, "analysis"))
    r.sections.append(_flow(inp))
    r.sections.append(_baseline(inp))
    r.sections.append(Section("Outcome measures", "outcome-measures",
                              [TextBlock("Every outcome measure of the protocol's catalogue, in "
                                         "its order, with its estimate, CI and method.")]))
    r.sections.extend(_endpoint_sections(inp))
    resp = _response_section(inp)
    if resp is not None:
        r.sections.append(resp)
    r.sections.extend(_safety_sections(inp))
    dos = _dosimetry(inp)
    if dos is not None:
        r.sections.append(dos)
    return r


def safety_report(inp: ReportInputs, *, closed: bool = True) -> Report:
    """DSMB safety report: closed (by arm, unblinded) or open (pooled, blinded)."""
    p = inp.protocol
    aud = ("Closed report, by arm: DSMB members only" if closed
           else "Open report, arms pooled: for blinded audiences")
    r = Report("Safety report", p.code, p.identity.title, inp.data_cutoff,
               hccrt.__version__, inp.checksum, kind="safety", audience=aud)
    r.sections.append(_overview(inp, "safety"))
    if closed:
        r.sections.append(_flow(inp))
    else:
        a = inp.adsl
        n = 0 if a is None else int((a["ITTFL"] == "Y").sum())
        r.sections.append(Section("Enrolment", "flow", [TextBlock(
            items=[("Screened", str(0 if a is None else len(a))),
                   ("Enrolled (all arms pooled)", str(n))])]))
    saf = _subjects(inp, "SAFFL")
    group = _group_col(p) if closed else None
    exp = Section("Exposure", "exposure")
    if "EX" in inp.records and not saf.empty:
        ex = inp.records["EX"].merge(saf[["USUBJID", "ARM"]], on="USUBJID")
        per = ex.groupby(["USUBJID", "EXTRT"]).size().rename("administrations").reset_index()
        per = per.merge(saf[["USUBJID", "ARM"]], on="USUBJID")
        for trt, d in per.groupby("EXTRT"):
            exp.blocks.append(TableBlock(T.summary_table(
                d, [("administrations", "Administrations per participant")], group=group,
                title=f"Exposure: {trt}", population="Safety population", digits=1)))
    r.sections.append(exp)
    r.sections.extend(_safety_sections(inp, pooled=not closed))
    deaths = Section("Deaths", "deaths")
    if not saf.empty:
        deaths.blocks.append(TableBlock(T.baseline_table(
            saf.assign(DIED=np.where(saf["DTHDT"].notna(), "Died", "Alive")),
            [T.Variable("DIED", "Vital status at data cut-off", order=("Died", "Alive"))],
            group=group, title="Deaths", population="Safety population")))
    r.sections.append(deaths)
    dv = Section("Protocol deviations", "deviations")
    if "DV" in inp.records and len(inp.records["DV"]):
        d = inp.records["DV"].merge(_subjects(inp, "ITTFL")[["USUBJID", "ARM"]],
                                    on="USUBJID")
        tab = d.assign(grade=0, serious=False, related=False)
        tab["term"] = tab["DVDECOD"].fillna(tab["DVTERM"])
        dv.blocks.append(TableBlock(T.ae_by_term_table(
            tab, _subjects(inp, "ITTFL"), group=group, grade_columns=False,
            title="Participants with protocol deviations by type",
            population="All allocated participants")))
    else:
        dv.blocks.append(TextBlock("No protocol deviations recorded."))
    r.sections.append(dv)
    return r


def build_report(
    protocol_code: str | Protocol,
    data: Any,
    out_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    progress_callback: Callable[[str, float], None] | None = None,
    *,
    kind: str = "analysis",
) -> dict[str, Path]:
    """Build a report and write it to ``out_dir``; returns {format: path}.

    Args:
        protocol_code: built-in protocol code or a loaded protocol.
        data: a folder of SDTM-shaped CSV/XPT files, a RecordSet, a simulated trial, or
            :class:`ReportInputs` already gathered (to build several reports from one run).
        out_dir: output folder (created).
        formats: any of ``"html"``, ``"pdf"``.
        progress_callback: called as ``(stage, fraction_done)`` (0-1), for progress bars.
        kind: ``"analysis"``, ``"safety-closed"`` or ``"safety-open"``.
    """
    fmts = [f.strip().lower() for f in formats]
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise InputError("formats", list(formats), "html and/or pdf")
    if kind not in ("analysis", "safety-closed", "safety-open"):
        raise InputError("kind", kind, "analysis | safety-closed | safety-open")
    t0 = time.perf_counter()

    def say(stage: str, frac: float) -> None:
        if progress_callback is not None:
            progress_callback(stage, frac)

    inp = (data if isinstance(data, ReportInputs)
           else gather(protocol_code, data, progress=lambda st: say(st, 0.1)))
    say("assembling", 0.4)
    report = (analysis_report(inp) if kind == "analysis"
              else safety_report(inp, closed=kind == "safety-closed"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{inp.protocol.code}-{kind}-report"
    paths: dict[str, Path] = {}
    from hccrt.reports.document import render_html, write_pdf

    n = max(len(report.figures), 1)
    done = [0]

    def fig_progress(stage: str) -> None:
        if stage == "layout":
            say("laying out PDF", 0.85)
            return
        done[0] += 1
        say("rendering figures", 0.4 + 0.4 * min(done[0] / (n * len(fmts)), 1.0))

    if "html" in fmts:
        p = out / f"{stem}.html"
        p.write_text(render_html(report, "html", fig_progress), encoding="utf-8")
        paths["html"] = p
    if "pdf" in fmts:
        paths["pdf"] = write_pdf(report, out / f"{stem}.pdf", fig_progress)
    say(f"done in {time.perf_counter() - t0:.1f} s", 1.0)
    return paths
