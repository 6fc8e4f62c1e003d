"""Baseline validation of target-lesion selection for a criteria set.

Rules checked (each breach is one row with a message naming lesion, value and what is allowed):

* RECIST 1.1 (Eisenhauer et al. 2009, sections 3.1-3.3): a target lesion is measurable, i.e.
  longest diameter >= 10 mm, or for a lymph node short axis >= 15 mm; at most 5 targets in total
  and 2 per organ, all lymph nodes together counting as one organ (EORTC RECIST clarifications);
  a target must be measured at baseline; malignant portal vein thrombosis and effusions are
  non-measurable.
* mRECIST (Lencioni & Llovet 2010, table 1): an intrahepatic target must be a typical HCC
  (arterial hyperenhancement with washout) with a viable diameter >= 10 mm; a porta hepatis
  lymph node must have a short axis >= 20 mm to be malignant; malignant portal vein thrombosis is
  non-measurable; extrahepatic targets follow RECIST 1.1 measurability.
* localized criteria: every target and non-target lesion must say whether it lies inside the
  treated area.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.errors import InputError
from hccrt.response.criteria import Criteria, CriteriaRules, rules_for
from hccrt.response.lesions import Role, text_array, validate_lesions

BREACH_COLUMNS: list[str] = ["subject", "evaluator", "lesion_id", "field", "value", "allowed",
                             "detail"]


def validate_baseline(
    lesions: pd.DataFrame,
    criteria: str | Criteria = Criteria.RECIST11,
    *,
    rules: CriteriaRules | None = None,
) -> pd.DataFrame:
    """All baseline breaches of ``criteria`` (empty frame when the selection is valid)."""
    rules = rules if rules is not None else rules_for(criteria)
    table, _ = validate_lesions(lesions, errors="raise")
    base = table.loc[table["tp_index"] == 0]
    out: list[pd.DataFrame] = []

    def add(mask: np.ndarray | pd.Series, field: str, values: pd.Series, allowed: str,
            detail: str, frame: pd.DataFrame | None = None) -> None:
        f = base if frame is None else frame
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            sub = f.loc[mask]
            lid = sub["lesion_id"] if "lesion_id" in sub.columns else pd.Series("", index=sub.index)
            out.append(pd.DataFrame({
                "subject": sub["subject"].to_numpy(), "evaluator": sub["evaluator"].to_numpy(),
                "lesion_id": lid.to_numpy(), "field": field,
                "value": np.asarray(values, dtype=object)[mask], "allowed": allowed,
                "detail": detail,
            }))

    tgt = (base["role"] == Role.TARGET.value).to_numpy()
    nodal = base["nodal"].to_numpy(dtype=bool)
    site = pd.Series(text_array(base["site"]), index=base.index)
    liver = (site == "LIVER").to_numpy()
    ld = base["longest_diameter"].to_numpy(dtype=float)
    sa = base["short_axis"].to_numpy(dtype=float)
    vd = base["viable_diameter"].to_numpy(dtype=float)
    pvt = base["pvt"].fillna(False).to_numpy(dtype=bool)
    eff = base["effusion"].fillna(False).to_numpy(dtype=bool)

    add(tgt & pvt, "role", base["role"], "NON-TARGET for malignant portal vein thrombosis",
        "malignant portal vein thrombosis is non-measurable")
    add(tgt & eff, "role", base["role"], "NON-TARGET for an effusion",
        "ascites / pleural effusion is non-measurable")
    plain = tgt & ~pvt & ~eff
    viable = rules.measure == "viable"
    hcc = plain & liver & viable
    other = plain & ~(liver & viable)
    add(other & ~nodal & ~(ld >= rules.measurable_mm), "longest_diameter", base[
        "longest_diameter"], f">= {rules.measurable_mm:g} mm for a target lesion",
        "target lesion not measurable")
    node_min = np.full(len(base), rules.node_measurable_mm)
    if rules.porta_hepatis_node_mm is not None:
        node_min = np.where(site.to_numpy() == "PORTA HEPATIS",
                            max(rules.porta_hepatis_node_mm, rules.node_measurable_mm), node_min)
    add(other & nodal & ~(sa >= node_min), "short_axis", base["short_axis"],
        ">= 15 mm short axis for a target lymph node (mRECIST porta hepatis: >= 20 mm)",
        "target lymph node not pathological")
    typical = base["typical_hcc"].fillna(False).to_numpy(dtype=bool)
    add(hcc & ~typical, "typical_hcc", base["typical_hcc"],
        "true (arterial hyperenhancement with washout) for an mRECIST target",
        "mRECIST target must show the typical HCC enhancement pattern")
    add(hcc & typical & ~(vd >= rules.measurable_mm), "viable_diameter",
        base["viable_diameter"], f">= {rules.measurable_mm:g} mm viable diameter",
        "mRECIST target lesion without a measurable viable portion")

    t = base.loc[tgt]
    n = t.groupby(["subject", "evaluator"]).size().rename("n").reset_index()
    add((n["n"] > rules.max_targets).to_numpy(), "targets", n["n"],
        f"at most {rules.max_targets} target lesions", "too many target lesions",
        frame=n.assign(lesion_id=""))
    tsite = text_array(t["site"])
    organ = np.where(t["nodal"].to_numpy(dtype=bool), "LYMPH NODE",
                     np.where(tsite == "", "UNKNOWN", tsite))
    per = t.assign(organ=organ).groupby(["subject", "evaluator", "organ"]).size().rename(
        "n").reset_index()
    add((per["n"] > rules.max_targets_per_organ).to_numpy(), "targets per organ",
        per["organ"] + ": " + per["n"].astype(str),
        f"at most {rules.max_targets_per_organ} target lesions per organ "
        "(all lymph nodes are one organ)", "too many target lesions in one organ",
        frame=per.assign(lesion_id=""))
    if rules.localized:
        tnt = base["role"].isin([Role.TARGET.value, Role.NON_TARGET.value]).to_numpy()
        add(tnt & base["in_treated_area"].isna().to_numpy(), "in_treated_area",
            base["in_treated_area"], "true or false",
            "localized criteria need the position of every baseline lesion")
    if not out:
        return pd.DataFrame(columns=BREACH_COLUMNS)
    return pd.concat(out, ignore_index=True)[BREACH_COLUMNS]


def check_baseline(
    lesions: pd.DataFrame,
    criteria: str | Criteria = Criteria.RECIST11,
    *,
    rules: CriteriaRules | None = None,
) -> None:
    """Raise InputError for the first baseline breach (see :func:`validate_baseline`)."""
    breaches = validate_baseline(lesions, criteria, rules=rules)
    if len(breaches):
        b = breaches.iloc[0]
        raise InputError(
            str(b["field"]), b["value"], str(b["allowed"]),
            f"subject {b['subject']}, evaluator {b['evaluator']}, lesion {b['lesion_id']}: "
            f"{b['detail']}" + (f" (and {len(breaches) - 1} more)" if len(breaches) > 1 else ""),
        )
