"""Forest plot of the experimental-vs-comparator hazard ratio, overall and by subgroup.

The overall row is the analysis's own model (so it equals the result table's HR); subgroup rows
are unstratified Cox fits within each baseline level (see :func:`forest_rows`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hccrt.errors import HccrtError
from hccrt.reports import figures as F
from hccrt.reports.document import FigureBlock
from hccrt.reports.inputs import ReportInputs

__all__ = ["SUBGROUPS", "forest_figure", "forest_rows"]


#: Subgroups of the forest plot: ADSL column, label, and how levels are formed.
SUBGROUPS: tuple[tuple[str, str], ...] = (("SEX", "Sex"), ("AGE", "Age"), ("BECOG", "ECOG"),
                                          ("BCPCLS", "Child-Pugh class"),
                                          ("BALBIGR", "ALBI grade"))


def forest_rows(inp: ReportInputs, ep_id: str) -> pd.DataFrame | None:
    """Rows of the forest plot: the experimental-vs-comparator hazard ratio overall and within
    baseline subgroups, each from :func:`hccrt.stats.cox_ph` (Efron ties, Wald CI) on the
    endpoint's first ADTTE parameter. The overall row is the analysis's own model (stratified
    by the randomization strata ``STRATAR`` when every participant has one, as in
    :mod:`hccrt.endpoints.analysis`), so it equals the result table's hazard ratio; subgroup
    rows are unstratified (strata are too sparse within a subgroup). Levels with fewer than 10
    participants or no event in an arm are not estimable (NaN)."""
    from hccrt.stats import cox_ph

    adtte, adsl = inp.datasets.get("ADTTE"), inp.adsl
    arms = inp.protocol.arms
    if adtte is None or adsl is None or len(arms) != 2 or "ENDPOINT" not in adtte.columns:
        return None
    d = adtte.loc[adtte["ENDPOINT"] == ep_id]
    if d.empty:
        return None
    d = d.loc[d["PARAMCD"] == d["PARAMCD"].iloc[0]]
    if "PARCAT2" in d.columns and d["PARCAT2"].notna().any():
        d = d.loc[d["PARCAT2"] == d["PARCAT2"].dropna().iloc[0]]
    exp = next((a for a in arms if a.role == "experimental"), arms[0])
    comp = next(a for a in arms if a.id != exp.id)
    d = d.loc[d["TRT01P"].isin([exp.id, comp.id])]
    keep = [c for c, _ in SUBGROUPS if c in adsl.columns]
    if "STRATAR" in adsl.columns:
        keep.append("STRATAR")
    d = d.merge(adsl[["USUBJID", *keep]], on="USUBJID", how="left")
    d = d.assign(_t=pd.to_numeric(d["AVALM"], errors="coerce"),
                 _e=1 - pd.to_numeric(d["CNSR"], errors="coerce"),
                 _x=(d["TRT01P"] == exp.id).astype(float))
    rows = []

    def fit(sub: pd.DataFrame, label: str, level: str, strata: Any = None) -> None:
        hr = lo = up = np.nan
        ok = (len(sub) >= 10 and sub["_x"].nunique() == 2
              and all(sub.loc[sub["_x"] == v, "_e"].sum() > 0 for v in (0.0, 1.0)))
        if ok:
            try:
                t = cox_ph(sub["_t"].to_numpy(), sub["_e"].to_numpy(),
                           sub[["_x"]].to_numpy(), names=["arm"], strata=strata).table.iloc[0]
                hr, lo, up = float(t["hr"]), float(t["hr_lower"]), float(t["hr_upper"])
            except HccrtError:
                pass
        rows.append({"label": label, "level": level, "n": len(sub), "hr": hr, "lower": lo,
                     "upper": up})

    d = d.dropna(subset=["_t", "_e"])
    stratified = "STRATAR" in d.columns and d["STRATAR"].notna().all()
    fit(d, "All participants", "stratified" if stratified else "",
        d["STRATAR"].to_numpy(object) if stratified else None)
    for col, label in SUBGROUPS:
        if col not in d.columns:
            continue
        v = d[col]
        if col == "AGE":
            v = pd.Series(np.where(pd.to_numeric(v, errors="coerce") >= 65, ">= 65", "< 65"),
                          index=d.index).where(v.notna())
        levels = sorted(v.dropna().map(lambda x: str(int(x)) if isinstance(x, float)
                                       and float(x).is_integer() else str(x)).unique())
        vt = v.map(lambda x: str(int(x)) if isinstance(x, float) and float(x).is_integer()
                   else (None if pd.isna(x) else str(x)))
        if len(levels) < 2:
            continue
        for lev in levels:
            fit(d.loc[vt == lev], label, lev)
    return pd.DataFrame(rows)


def forest_figure(inp: ReportInputs, ep_id: str, title: str) -> FigureBlock | None:
    """Forest plot of :func:`forest_rows`."""
    rows = forest_rows(inp, ep_id)
    if rows is None:
        return None
    arms = inp.protocol.arms
    exp = next((a for a in arms if a.role == "experimental"), arms[0])
    comp = next(a for a in arms if a.id != exp.id)
    stratified = rows.iloc[0]["level"] == "stratified"
    return FigureBlock(f"Forest plot of hazard ratios by baseline subgroup: {title}",
                       F.forest_plot(rows, favours=(exp.name, comp.name)),
                       "All allocated participants", key=f"forest-{ep_id}",
                       caption=f"Hazard ratio of {exp.name} vs {comp.name}, Cox model with arm "
                       "only (Efron ties, Wald 95% CI), within each subgroup level"
                       + ("; the overall row is stratified by the randomization strata, as "
                          "in the result table." if stratified else "."))
