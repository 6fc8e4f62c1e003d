"""One section per catalogue endpoint, in the catalogue's order: definition, the endpoint's
result table from :mod:`hccrt.endpoints` (numbers unchanged), and its figures (Kaplan-Meier and
forest plots, ROC curves, mean change over time).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from hccrt.protocols.schema import EndpointKind
from hccrt.reports import figures as F
from hccrt.reports import tables as T
from hccrt.reports.document import FigureBlock, Section, TableBlock, TextBlock
from hccrt.reports.forest import forest_figure
from hccrt.reports.inputs import ReportInputs
from hccrt.reports.populations import DAYS_PER_MONTH, arm_names

__all__ = ["MIN_N_SHOWN", "endpoint_sections"]

#: Change-from-baseline rows of fewer participants are left out of tables and figures.
MIN_N_SHOWN = 10

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
    names = arm_names(inp.protocol)
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
    names = arm_names(inp.protocol)
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


def endpoint_sections(inp: ReportInputs) -> list[Section]:
    """One section per catalogue endpoint, numbered in the catalogue's order."""
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
