"""Candidates built to satisfy every criterion of one reference protocol.

Each base candidate meets every inclusion and no exclusion of its protocol, with the
investigator's attestations given, so that a test can move exactly one value onto or across
a boundary and see only that criterion change. Screening on 2026-10-15, labs on 2026-10-01.
"""

from __future__ import annotations

import copy
from typing import Any

SCREENING = "2026-10-15"
LAB_DATE = "2026-10-01"


def lab(value: float | str, unit: str | None = None, date: str = LAB_DATE,
        uln: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value, "date": date}
    if unit is not None:
        out["unit"] = unit
    if uln is not None:
        out["uln"] = uln
    return out


_LABS = {
    "wbc": lab(6000, "/uL"),
    "neutrophils": lab(3000, "/mm3"),
    "hemoglobin": lab(12.0, "g/dL"),
    "platelets": lab(150000, "/uL"),
    "bilirubin": lab(1.0, "mg/dL", uln=1.2),
    "albumin": lab(4.0, "g/dL"),
    "inr": lab(1.1, uln=1.2),
    "ast": lab(40, "IU/L", uln=40),
    "alt": lab(40, "IU/L", uln=40),
    "alp": lab(100, "IU/L", uln=120),
    "creatinine": lab(0.9, "mg/dL", uln=1.2),
}

_PERSON = {
    "screening_date": SCREENING,
    "birth_date": "1960-05-01",
    "consent_date": "2026-10-10",
    "sex": "male",
    "weight_kg": 70,
    "ecog": 0,
    "ascites": "none",
    "encephalopathy": "none",
    "labs": _LABS,
    "on_anticoagulant": False,
    "reproductive_potential": False,
    "pregnant": False,
    "breastfeeding": False,
    "contraception_agreed": True,
    "prior_treatments": [],
    "other_malignancy": False,
    "other_malignancy_date": "none",
    "other_malignancy_negligible_risk": False,
}

BASE: dict[str, dict[str, Any]] = {
    "tare-ut7": {
        **_PERSON,
        "hcc_histology": True,
        "n_lesions": 4,
        "largest_cm": 6.0,
        "macrovascular_invasion": False,
        "extrahepatic_spread": False,
        "segments": "5,6,7,8",
    },
    "rescue": {
        **_PERSON,
        "hcc_histology": True,
        "n_lesions": 1,
        "largest_cm": 9.0,
        "macrovascular_invasion": False,
        "bile_duct_invasion": False,
        "extrahepatic_spread": False,
        "maa_lsf": 0.05,
        "maa_tnr": 3.0,
        "tumour_volume_ml": 500,
        "treated_nontumoral_volume_ml": 300,
        "nontumoral_liver_volume_ml": 1200,
        "severe_ap_shunt": False,
        "planned_immunotherapy": False,
        "attestations": {"life-expectancy": True, "consent": True},
    },
    "sirt-haic": {
        **_PERSON,
        "birth_date": "1966-01-01",
        "n_lesions": 1,
        "largest_cm": 6.0,
        "macrovascular_invasion": False,
        "extrahepatic_spread": False,
        "related_drug_allergy": False,
        "hiv": False,
        "substance_abuse": False,
        "last_bleed_or_cv_event_date": "none",
        "treatment_start_date": "2026-10-20",
        "attestations": {
            "resectable-no-distant-metastasis": True,
            "ex-organ-dysfunction": False,
            "ex-psychiatric": False,
            "ex-investigator-judgement": False,
        },
    },
    "io-rt-mvi": {
        **_PERSON,
        "ecog": 1,
        "reproductive_potential": True,
        "hcc_klca_ncc": True,
        "macrovascular_invasion": True,
        "measurable_disease": True,
        "hbv_status": "positive",
        "hcv_status": "negative",
        "antiviral_therapy": True,
        "fibrolamellar_or_sarcomatoid": False,
        "prior_treatments": [
            {"kind": "systemic", "setting": "advanced", "line": 1, "ici_based": True,
             "date": "2026-08-01"},
        ],
        "prior_liver_rt": False,
        "rt_field_overlaps_prior": False,
        "locoregional_complications_unresolved": False,
        "autoimmune_disease": False,
        "transplant": False,
        "medications": [],
        "antibody_anaphylaxis": False,
        "brain_metastasis_active": False,
        "treatment_start_date": "2026-10-20",
        "nyha_class": 1,
        "last_mi_or_stroke_date": "none",
        "unstable_arrhythmia_or_angina": False,
        "attestations": {"ex-uncontrolled-comorbidity": False, "ex-compliance": False},
    },
    "sbrt-bclcc": {
        **_PERSON,
        "ecog": 1,
        "n_lesions": 3,
        "largest_cm": 5.0,
        "macrovascular_invasion": True,
        "extrahepatic_spread": False,
        "measurable_disease": True,
        "systemic_therapy_ongoing": True,
        "systemic_therapy_start_date": "2026-06-01",
        "intrahepatic_response": "SD",
        "total_lesions": 5,
    },
}


def candidate(code: str, **changes: Any) -> dict[str, Any]:
    """The base candidate of ``code`` with ``changes``; ``labs__bilirubin`` replaces a lab,
    a value of ``None`` removes the key (``labs__wbc=None`` drops the leukocyte result)."""
    data = copy.deepcopy(BASE[code])
    data["candidate_id"] = f"{code}-case"
    for key, value in changes.items():
        *parents, last = key.split("__")
        node = data
        for p in parents:
            node = node[p]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data
