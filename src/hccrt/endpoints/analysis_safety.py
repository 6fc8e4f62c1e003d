"""Safety endpoints: treatment-emergent adverse events by arm and special-interest rates.

Subjects with any treatment-emergent AE, grade >= 3, serious, related, fatal, by arm, and worst
grade per preferred term (and worst CTCAE lab grade >= 3 from ADLB); for endpoints with a
horizon (REILD, radiation pneumonitis) the rate within the horizon before subsequent therapy,
and for REILD also by the Sangro 2008 criteria from labs (:mod:`hccrt.clinical.reild`).
"""

from __future__ import annotations

import pandas as pd

from hccrt.endpoints._common import duration_days
from hccrt.endpoints.analysis_context import AnalysisContext, result_row, result_table
from hccrt.endpoints.analysis_rate import rate_rows
from hccrt.errors import InputError
from hccrt.protocols.schema import Endpoint

__all__ = ["SPECIAL_TERMS", "analyze_safety"]

SPECIAL_TERMS = {"pneumonitis": ("PNEUMONITIS",),
                 "reild": ("RADIOEMBOLIZATION-INDUCED LIVER DISEASE", "RADIATION HEPATITIS",
                           "REILD")}


def analyze_safety(ep: Endpoint, ctx: AnalysisContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Treatment-emergent AE summaries by arm; special-interest rates within a horizon."""
    rows: list[dict] = []
    saf = ctx.adsl[ctx.adsl["SAFFL"] == "Y"].assign(USUBJID=lambda d: d["USUBJID"].astype(str))
    ae = ctx.adae
    te = ae[ae["TRTEMFL"] == "Y"] if len(ae) else ae
    special = next((k for k in SPECIAL_TERMS if k in ep.id), None)
    if special is not None:
        text = (ae["AEDECOD"].astype(str) + " | " + ae["AETERM"].astype(str)).str.upper()
        hit = ae[text.str.contains("|".join(SPECIAL_TERMS[special]), regex=True)]
        a = saf.set_index("USUBJID")
        start = hit["USUBJID"].map(a["TRTSDT"])
        end = start + pd.to_timedelta(duration_days(ep.horizon) if ep.horizon else 1e5,
                                      unit="D")
        nact = hit["USUBJID"].map(a["NACTDT"])
        ok = (hit["ASTDT"] >= start) & (hit["ASTDT"] <= end) & (nact.isna()
                                                                 | (hit["ASTDT"] < nact))
        subj = set(hit.loc[ok, "USUBJID"])
        d = saf.assign(f=saf["USUBJID"].isin(subj).astype(int))
        rows += rate_rows(ep, d, "f", f"{special} incidence (reported adverse events)", ctx)
        if special == "reild":
            rows += _reild_from_labs(ep, ctx, saf)
        return hit[ok], result_table(rows)
    if "trae" in ep.id:
        te = te[te["RELFL"] == "Y"]
    flags = {"any TEAE": te, "grade >= 3": te[te["ATOXGRN"] >= 3],
             "serious": te[te["AESER"] == "Y"], "related": te[te["RELFL"] == "Y"],
             "fatal (grade 5)": te[te["ATOXGRN"] == 5]}
    for label, sub in flags.items():
        d = saf.assign(f=saf["USUBJID"].isin(set(sub["USUBJID"])).astype(int))
        rows += rate_rows(ep, d, "f", f"subjects with {label}", ctx)
    worst = te[te["WORSTFL"] == "Y"]
    for (arm, term, grade), g in worst.groupby(["TRT01A", "AEDECOD", "ATOXGRN"]):
        n = int((saf["TRT01A"] == arm).sum())
        rows.append(result_row(ep, f"{term}: worst grade {grade:.0f}", len(g) / max(n, 1),
                               group=arm, n=n, events=len(g), unit="proportion",
                               method="subjects by worst CTCAE grade"))
    lb = ctx.adlb
    if len(lb) and "WGRHIFL" in lb.columns:
        w = lb[(lb["WGRHIFL"] == "Y") & (lb["ATOXGR"].astype("Float64") >= 3)]
        w = w[w["USUBJID"].isin(set(saf["USUBJID"]))]
        arms = saf.set_index("USUBJID")["TRT01A"]
        for (term, arm), g in w.assign(TRT01A=w["USUBJID"].map(arms)).groupby(
                ["ATOXDSC", "TRT01A"]):
            n = int((saf["TRT01A"] == arm).sum())
            rows.append(result_row(ep, f"lab {term}: worst grade >= 3", g["USUBJID"].nunique() / n,
                                   group=arm, n=n, events=g["USUBJID"].nunique(), unit="proportion",
                                   method="CTCAE v5.0 lab grade (ADLB)"))
    return te, result_table(rows)


def _reild_from_labs(ep: Endpoint, ctx: AnalysisContext, saf: pd.DataFrame) -> list[dict]:
    """REILD by :func:`hccrt.clinical.reild.classify_reild` (Sangro 2008) per treated subject:
    bilirubin from ADLB, ascites from ADSC Child-Pugh ascites points > 1 (RS CPASCIT) or an
    ascites AE, tumour progression from ADRS (mRECIST, investigator) within the window;
    biliary obstruction not adjudicated (None). Subjects whose classification is
    indeterminate (``met`` None) are counted as not meeting the criteria, and reported."""
    from hccrt.clinical.reild import classify_reild

    lb = ctx.adlb[ctx.adlb["PARAMCD"] == "BILI"] if len(ctx.adlb) else ctx.adlb
    bili = {k: g for k, g in lb.groupby("USUBJID")} if len(lb) else {}
    ae = ctx.adae
    asc_ae = ae[ae["AEDECOD"].astype(str).str.upper().str.contains("ASCITES")] if len(ae) \
        else ae
    asc = {k: list(g["ASTDT"].dropna().dt.date) for k, g in asc_ae.groupby("USUBJID")} \
        if len(asc_ae) else {}
    pd_rows = ctx.adrs.adrs
    pd_rows = pd_rows[(pd_rows["PARAMCD"] == "PD") & (pd_rows["AVALC"] == "Y")
                      & (pd_rows["PARCAT2"] == "INVESTIGATOR")]
    pd_date = pd_rows.groupby(pd_rows["USUBJID"].astype(str))["ADT"].min()
    met, unknown = set(), 0
    for r in saf.itertuples(index=False):
        start = r.TRTSDT
        if pd.isna(start):
            continue
        g = bili.get(r.USUBJID)
        obs = [] if g is None else [
            (d.date(), f"{v} {u}") for d, v, u in zip(g["ADT"], g["AVAL"], g["AVALU"],
                                                       strict=True)
            if pd.notna(d) and pd.notna(v) and d > start]
        prog = pd_date.get(r.USUBJID)
        within = pd.notna(prog) and (prog - start).days <= 180
        try:
            res = classify_reild(treatment_date=start.date(), bilirubin=obs,
                                 ascites_dates=asc.get(r.USUBJID, []),
                                 tumour_progression=bool(within), biliary_obstruction=None)
        except InputError:
            unknown += 1
            continue
        if res.met:
            met.add(r.USUBJID)
        elif res.met is None:
            unknown += 1
    d = saf.assign(f=saf["USUBJID"].isin(met).astype(int))
    return [{**row, "METHOD": "Clopper-Pearson exact; hccrt.clinical.reild Sangro 2008 "
             "criteria from labs", "NOTE": f"{unknown} subjects indeterminate (counted as not "
             "met)"} for row in rate_rows(ep, d, "f", "REILD (Sangro 2008 criteria)", ctx)]
