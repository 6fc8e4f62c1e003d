"""Response criteria sets and their numeric rules.

Four criteria sets are supported (see ``protocols.md``):

* ``recist11`` - RECIST 1.1, Eisenhauer et al., Eur J Cancer 2009;45:228-247. Target PR:
  >= 30 % decrease of the sum of diameters from baseline; PD: >= 20 % and >= 5 mm increase over
  the smallest sum on study; lymph nodes measured by short axis, < 10 mm counts as normal for CR;
  measurable: >= 10 mm longest diameter, nodes >= 15 mm short axis; at most 5 targets, 2 per organ
  (all lymph nodes together are one organ - EORTC RECIST clarifications).
* ``mrecist`` - modified RECIST for HCC, Lencioni & Llovet, Semin Liver Dis 2010;30:52-60. The
  same arithmetic on the *viable* (arterially enhancing) diameter of intrahepatic lesions; target
  CR is no intratumoural arterial enhancement in any target lesion (viable diameter 0); PD >= 20 %
  over the smallest viable sum since treatment. Variants chosen: the 2010 table has no 5 mm
  clause, so ``pd_min_increase_mm`` is ``None`` by default (a protocol may set 5); extrahepatic
  lesions, which have no arterial-enhancement concept, are measured as in RECIST 1.1 (longest
  diameter, nodes by short axis); there is no nodal "< 10 mm is normal" rule (a nodal target must
  disappear for CR). HCC-specific rules: a target must be a typical HCC with a viable diameter
  >= 10 mm; a porta hepatis node is malignant (and may be a target) only if its short axis is
  >= 20 mm (at baseline and for new nodes); malignant portal vein thrombosis is non-measurable
  (non-target only); an ascites or
  pleural effusion counts as progression only when malignant cytology is proven; a new
  intrahepatic lesion counts only if it is >= 10 mm with the typical HCC enhancement pattern, or
  when it later grows by >= 10 mm (progression then dated at the growth).
* ``localized-mrecist`` and ``localized-recist11`` - the same rules restricted to lesions inside
  the treated area; see :mod:`hccrt.response.timepoint` for exactly how lesions outside the area
  are handled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

import numpy as np
import pandas as pd

from hccrt.errors import InputError
from hccrt.response.lesions import TOO_SMALL_MM, Status, text_array


class Criteria(StrEnum):
    """Criteria set names, as used in protocol files and on the command line."""

    RECIST11 = "recist11"
    MRECIST = "mrecist"
    LOCALIZED_MRECIST = "localized-mrecist"
    LOCALIZED_RECIST11 = "localized-recist11"


CRITERIA_NAMES: tuple[str, ...] = tuple(c.value for c in Criteria)
#: Label of each criteria set in ADaM PARCAT3-like columns.
CRITERIA_LABELS: dict[str, str] = {
    "recist11": "RECIST 1.1",
    "mrecist": "mRECIST",
    "localized-mrecist": "Localized mRECIST",
    "localized-recist11": "Localized RECIST 1.1",
}


@dataclass(frozen=True)
class CriteriaRules:
    """Numeric rules of one criteria set. Build with :func:`rules_for`.

    Attributes (units mm and percent):
        criteria: the criteria set.
        measure: ``"anatomic"`` (longest diameter / node short axis) or ``"viable"``
            (viable diameter for intrahepatic lesions).
        localized: only lesions inside the treated area count.
        pr_decrease_pct: target PR threshold, decrease from baseline (inclusive).
        pd_increase_pct: target PD threshold, increase over the nadir (inclusive).
        pd_min_increase_mm: absolute PD increase (inclusive), or None for none.
        node_normal_mm: nodal short axis under which a node is normal for CR, or None.
        measurable_mm / node_measurable_mm: baseline measurability.
        porta_hepatis_node_mm: minimum short axis of a malignant porta hepatis node, or None.
        max_targets / max_targets_per_organ: baseline target limits.
        hcc_new_lesion_rule: apply the mRECIST new intrahepatic lesion rule.
        new_hcc_min_mm / new_growth_mm: its size and interval-growth thresholds.
        effusion_requires_cytology: effusions count as PD only with malignant cytology.
        reappearance_after_cr_is_pd: after an overall CR, any reappearing lesion is PD (EORTC
            RECIST FAQ "Does a new lesion always result in PD?"). Off by default: the strict
            RECIST 1.1 tables, which the public pharmaverse RS data follow (01-701-1133,
            radiologist 2, week 9: 4.95 mm after CR rated PR).
    """

    criteria: Criteria
    measure: Literal["anatomic", "viable"]
    localized: bool
    pr_decrease_pct: float = 30.0
    pd_increase_pct: float = 20.0
    pd_min_increase_mm: float | None = 5.0
    node_normal_mm: float | None = 10.0
    measurable_mm: float = 10.0
    node_measurable_mm: float = 15.0
    porta_hepatis_node_mm: float | None = None
    max_targets: int = 5
    max_targets_per_organ: int = 2
    hcc_new_lesion_rule: bool = False
    new_hcc_min_mm: float = 10.0
    new_growth_mm: float = 10.0
    effusion_requires_cytology: bool = False
    reappearance_after_cr_is_pd: bool = False


def rules_for(criteria: str | Criteria, **overrides: object) -> CriteriaRules:
    """The rules of a criteria set, with optional protocol overrides (field=value)."""
    try:
        crit = Criteria(str(criteria).strip().lower())
    except ValueError:
        raise InputError("criteria", criteria, f"one of {list(CRITERIA_NAMES)}") from None
    if crit in (Criteria.RECIST11, Criteria.LOCALIZED_RECIST11):
        rules = CriteriaRules(crit, "anatomic", crit is Criteria.LOCALIZED_RECIST11)
    else:
        rules = CriteriaRules(
            crit,
            "viable",
            crit is Criteria.LOCALIZED_MRECIST,
            pd_min_increase_mm=None,
            node_normal_mm=None,
            porta_hepatis_node_mm=20.0,
            hcc_new_lesion_rule=True,
            effusion_requires_cytology=True,
        )
    fields = set(CriteriaRules.__dataclass_fields__) - {"criteria", "measure", "localized"}
    for key in overrides:
        if key not in fields:
            raise InputError("rules override", key, f"one of {sorted(fields)}")
    return replace(rules, **overrides)  # type: ignore[arg-type]


def lesion_measurement(table: pd.DataFrame, rules: CriteriaRules) -> np.ndarray:
    """Per-row measurement (mm) used by the sums, NaN when not evaluable.

    Anatomic: short axis for nodes, longest diameter otherwise. Viable (mRECIST): the viable
    diameter for intrahepatic lesions (site LIVER), anatomic for the others. Status ABSENT with no
    number gives 0, TOO SMALL TO MEASURE with no number gives 5 mm (RECIST 1.1 clarifications),
    NOT EVALUABLE gives NaN whatever the number.
    """
    nodal = table["nodal"].to_numpy(dtype=bool)
    ld = table["longest_diameter"].to_numpy(dtype=float)
    sa = table["short_axis"].to_numpy(dtype=float)
    meas = np.where(nodal, sa, ld)
    if rules.measure == "viable":
        liver = (table["site"] == "LIVER").fillna(False).to_numpy(dtype=bool)
        meas = np.where(liver, table["viable_diameter"].to_numpy(dtype=float), meas)
    status = text_array(table["status"])
    nan = np.isnan(meas)
    meas = np.where(nan & (status == Status.ABSENT.value), 0.0, meas)
    meas = np.where(nan & (status == Status.TOO_SMALL.value), TOO_SMALL_MM, meas)
    return np.where(status == Status.NOT_EVALUABLE.value, np.nan, meas)
