"""ADAE: adverse events with treatment-emergence flags from each protocol's collection windows.

A window (:class:`hccrt.protocols.schema.AeCollectionWindow`) runs from its ``start`` anchor +
``start_offset`` to its ``end`` anchor + ``end_offset``, both inclusive, and ends earlier at the
first of its ``end_also_at`` events (subsequent anti-cancer therapy, death, withdrawal, loss to
follow-up), an AE starting on or after that date being outside. It applies to the AEs of its
``scope`` (all, serious, treatment-related, of special interest) in its ``arms`` (all arms when
none). An AE is treatment-emergent (TRTEMFL = Y) when its start date (ASTDT) lies in a window
that applies to it; AEWINDOW lists those windows. This is the protocol's own rule, e.g.
sbrt-bclcc: "treatment-related AEs from consent to 30 days after the last radiotherapy, SAEs to
90 days" (admiral's ``derive_var_trtemfl`` with ``end_window`` is the one-window special case).

Variables: ASTDT/AENDT (first-day imputation), ATOXGRN (AETOXGR as a number), AESER, RELFL
(AEREL possibly, probably or related), AESIFL (SUPPAE AESI), ASTDY, TRT01A, WORSTFL (the
subject's worst-grade record per AEDECOD among treatment-emergent AEs, admiral
``derive_var_extreme_flag`` mode "last" by grade then date).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.endpoints._common import add_duration, table, to_date
from hccrt.protocols.schema import AeCollectionWindow, Anchor, Protocol
from hccrt.records import RecordSet

RELATED = ("POSSIBLY RELATED", "PROBABLY RELATED", "RELATED")
ANCHOR_VARS = {
    Anchor.SCREENING: "RFICDT",
    Anchor.CONSENT: "RFICDT",
    Anchor.ENROLMENT: "ENRLDT",
    Anchor.RANDOMIZATION: "RANDDT",
    Anchor.FIRST_TREATMENT: "TRTSDT",
    Anchor.EACH_TREATMENT: "TRTSDT",
    Anchor.LAST_TREATMENT: "TRTEDT",
    Anchor.LAST_RADIOTHERAPY: "LRTDT",
    Anchor.SURGERY: "SURGDT",
    Anchor.STUDY_END: "STUDYEDT",
}
END_ALSO_VARS = {"subsequent_anticancer_therapy": "NACTDT", "death": "DTHDT",
                 "withdrawal": "WDRLDT", "lost_to_follow_up": "LTFUDT"}


def window_bounds(window: AeCollectionWindow, adsl: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(start, end) dates of ``window`` per ADSL row (end already cut at ``end_also_at``; the
    cut date itself is outside, so the end is the day before it).

    For a window anchored on randomization in a non-randomized design the allocation date
    (ENRLDT) is used; when the end anchor is missing (e.g. no surgery yet) the window has no
    end (open), and when the start anchor is missing the window does not apply.
    """
    def anchor(a: Anchor) -> pd.Series:
        s = adsl[ANCHOR_VARS[a]]
        if a is Anchor.RANDOMIZATION:
            s = s.fillna(adsl["ENRLDT"])
        return s

    start = add_duration(anchor(window.start), window.start_offset)
    end = add_duration(anchor(window.end), window.end_offset)
    end = end.fillna(pd.Timestamp.max.normalize())
    for ev in window.end_also_at:
        cut = adsl[END_ALSO_VARS[ev]] - pd.Timedelta(days=1)
        end = end.where(cut.isna() | (end <= cut), cut)
    return start, end


def _scope_mask(ae: pd.DataFrame, scope: str) -> np.ndarray:
    if scope == "serious_ae":
        return (ae["AESER"] == "Y").to_numpy()
    if scope == "treatment_related_ae":
        return (ae["RELFL"] == "Y").to_numpy()
    if scope == "aesi":
        return (ae["AESIFL"] == "Y").to_numpy()
    return np.ones(len(ae), dtype=bool)


def derive_adae(records: RecordSet, protocol: Protocol, adsl: pd.DataFrame) -> pd.DataFrame:
    """ADAE of the AE domain with the protocol's windows (see the module docstring)."""
    ae = table(records, "AE")
    cols = ["STUDYID", "USUBJID", "AESEQ", "AETERM", "AEDECOD", "AEBODSYS", "AESER", "AEREL",
            "AETOXGR", "AEOUT"]
    if ae is None:
        return pd.DataFrame(columns=[*cols, "ASTDT", "AENDT", "TRTEMFL", "AEWINDOW"])
    out = ae[[c for c in cols if c in ae.columns]].copy().reset_index(drop=True)
    out["USUBJID"] = out["USUBJID"].astype(str)
    out["ASTDT"] = to_date(ae["AESTDTC"]).to_numpy()
    out["AENDT"] = (to_date(ae["AEENDTC"]).to_numpy() if "AEENDTC" in ae.columns else pd.NaT)
    out["ATOXGRN"] = pd.to_numeric(out.get("AETOXGR"), errors="coerce")
    out["RELFL"] = np.where(out.get("AEREL", pd.Series(None, index=out.index)).isin(RELATED),
                            "Y", "N")
    out["AESIFL"] = "N"
    supp = table(records, "SUPPAE")
    if supp is not None:
        s = supp[(supp["QNAM"] == "AESI") & (supp["QVAL"] == "Y")]
        keys = set(s["USUBJID"].astype(str) + "|" + s["IDVARVAL"].astype(str).str.replace(
            r"\.0$", "", regex=True))
        k = out["USUBJID"] + "|" + pd.to_numeric(out["AESEQ"]).map(lambda v: f"{v:.0f}")
        out.loc[k.isin(keys), "AESIFL"] = "Y"
    a = adsl.set_index(adsl["USUBJID"].astype(str))
    sub = a.reindex(out["USUBJID"])
    out["TRT01A"] = sub["TRT01A"].to_numpy()
    out["TRTSDT"] = sub["TRTSDT"].to_numpy()
    out["ASTDY"] = ((out["ASTDT"] - out["TRTSDT"]) / pd.Timedelta(days=1)).where(
        lambda d: d < 0, lambda d: d + 1)
    windows: list[list[str]] = [[] for _ in range(len(out))]
    sub = sub.reset_index(drop=True)
    for w in protocol.safety.ae_collection:
        start, end = window_bounds(w, sub)
        inside = (out["ASTDT"] >= start.to_numpy()) & (out["ASTDT"] <= end.to_numpy())
        inside &= pd.Series(_scope_mask(out, w.scope))
        if w.arms:
            inside &= out["TRT01A"].isin(w.arms)
        for i in np.flatnonzero(inside.fillna(False).to_numpy(bool)):
            windows[i].append(w.id)
    out["AEWINDOW"] = [";".join(w) or None for w in windows]
    out["TRTEMFL"] = np.where(out["AEWINDOW"].notna(), "Y", "N")
    te = out[out["TRTEMFL"] == "Y"].sort_values(["USUBJID", "AEDECOD", "ATOXGRN", "ASTDT"])
    worst = te.drop_duplicates(["USUBJID", "AEDECOD"], keep="last").index
    out["WORSTFL"] = np.where(out.index.isin(worst), "Y", None)
    return out
