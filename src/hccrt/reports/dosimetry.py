"""Y-90 prescribed-versus-delivered pairing for the report, from the XP and XA record tables.

One row per treatment session (participant and plan group id): the planned activity and
doses (XP, partition model), the administered activity (XA ``DELACT``), the delivered share
and the doses at the delivered activity (:func:`hccrt.dosimetry.delivery.delivered_dose_gy`).
"""

from __future__ import annotations

import pandas as pd

from hccrt.dosimetry.delivery import delivered_dose_gy, delivered_fraction

#: planned dose tests of XP and the labels of their planned / delivered columns
DOSES: tuple[tuple[str, str], ...] = (("TUMDOSE", "tumour"), ("NLDOSE", "normal liver"),
                                      ("LUNGDOSE", "lung"))  # fmt: skip
#: delivered activity within this share of the plan counts as "as planned" (+/- 10 %)
AS_PLANNED = (0.9, 1.1)


def _wide(dom: pd.DataFrame, pre: str) -> pd.DataFrame:
    d = dom.assign(_v=pd.to_numeric(dom[f"{pre}STRESN"], errors="coerce"))
    wide = d.pivot_table(index=["USUBJID", f"{pre}GRPID"], columns=f"{pre}TESTCD", values="_v",
                         aggfunc="first")  # fmt: skip
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index().rename(columns={f"{pre}GRPID": "GRPID"})


def paired_sessions(xp: pd.DataFrame, xa: pd.DataFrame) -> pd.DataFrame:
    """Per-session planned vs delivered activity and doses (sessions present in both)."""
    plan, adm = _wide(xp, "XP"), _wide(xa, "XA")
    if "ACTIVITY" not in plan.columns or "DELACT" not in adm.columns:
        return pd.DataFrame()
    keep = ["USUBJID", "GRPID", "ACTIVITY", *[c for c, _ in DOSES if c in plan.columns]]
    pairs = plan[keep].merge(adm[["USUBJID", "GRPID", "DELACT"]], on=["USUBJID", "GRPID"],
                             how="inner")  # fmt: skip
    out = pd.DataFrame({"USUBJID": pairs["USUBJID"], "GRPID": pairs["GRPID"],
                        "planned_activity_gbq": pairs["ACTIVITY"],
                        "delivered_activity_gbq": pairs["DELACT"]})  # fmt: skip
    out["delivered_percent"] = 100 * delivered_fraction(pairs["ACTIVITY"], pairs["DELACT"])
    for code, label in DOSES:
        if code in pairs.columns:
            key = label.replace(" ", "_")
            out[f"planned_{key}_dose_gy"] = pairs[code]
            out[f"delivered_{key}_dose_gy"] = delivered_dose_gy(pairs[code], pairs["ACTIVITY"],
                                                                pairs["DELACT"])
    return out


def columns(paired: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, label) pairs of :func:`paired_sessions` output for a summary table."""
    cols = [("planned_activity_gbq", "Planned activity (GBq)"),
            ("delivered_activity_gbq", "Delivered activity (GBq)"),
            ("delivered_percent", "Delivered, % of planned activity")]
    for _, label in DOSES:
        key = label.replace(" ", "_")
        cols += [(f"planned_{key}_dose_gy", f"Planned {label} dose (Gy)"),
                 (f"delivered_{key}_dose_gy", f"Delivered {label} dose (Gy)")]
    return [(c, lab) for c, lab in cols if c in paired.columns]  # fmt: skip


def as_planned_count(paired: pd.DataFrame) -> tuple[int, int]:
    """Sessions whose delivered activity is within :data:`AS_PLANNED` of the plan, and all."""
    share = pd.to_numeric(paired["delivered_percent"], errors="coerce").dropna() / 100
    return int(((share >= AS_PLANNED[0]) & (share <= AS_PLANNED[1])).sum()), len(share)
