"""The closed vocabulary of facts an eligibility rule may name.

A rule never computes anything itself: it names a *fact* and compares it with a threshold.
Each fact is either captured at screening (a lab value with its unit and date, an imaging
finding, a date of prior treatment) or derived from captured data by the clinical core or the
planning module (Child-Pugh class, BCLC and CNLC stage, up-to-seven, Couinaud contiguity,
Cockcroft-Gault clearance, x ULN ratios, days between dates). This table is what the rule
validator checks a protocol file against when it loads: an unknown fact, a unit that does not
fit the fact, or a comparison of the wrong type is a load-time error naming the criterion.

This module is plain data (no imports from the rest of hccrt beyond :mod:`hccrt.units`), so
the protocol schema can import it without import cycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from hccrt.units import CANONICAL_UNIT

__all__ = [
    "FACTS",
    "LAB_ANALYTES",
    "REFERENCE_DATES",
    "FactSpec",
    "fact",
]

FactKind = Literal["lab", "number", "count", "bool", "category", "date"]

#: Dates a time window may be measured back from (see ``before`` in a rule).
REFERENCE_DATES: tuple[str, ...] = ("screening", "treatment_start")


@dataclass(frozen=True)
class FactSpec:
    """One fact: its type, the units a rule may use for it, and words for a coordinator.

    ``units`` maps each unit a rule may write to the factor that converts a value in that unit
    to the fact's stored unit (``unit``); lab facts use :mod:`hccrt.units` instead (any unit
    convertible for ``analyte``, plus ``"x ULN"``). ``needs`` names the captured inputs a
    derived fact is computed from, so that a missing input is reported by its own name.
    """

    name: str
    kind: FactKind
    label: str
    unit: str | None = None
    units: dict[str, float] = field(default_factory=dict)
    analyte: str | None = None
    choices: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    needs: tuple[str, ...] = ()
    derived: str | None = None

    @property
    def is_derived(self) -> bool:
        return self.derived is not None


_LAB_LABELS = {
    "wbc": "Leukocytes",
    "neutrophils": "Absolute neutrophil count",
    "hemoglobin": "Hemoglobin",
    "platelets": "Platelets",
    "bilirubin": "Total bilirubin",
    "albumin": "Serum albumin",
    "inr": "INR",
    "ast": "AST",
    "alt": "ALT",
    "alp": "ALP",
    "creatinine": "Serum creatinine",
}
#: Laboratory analytes captured at screening (value, unit, date and optional site ULN each).
LAB_ANALYTES: tuple[str, ...] = tuple(_LAB_LABELS)

_DERIVED_CP = ("bilirubin", "albumin", "inr", "ascites", "encephalopathy")
_TUMOUR = ("n_lesions", "largest_cm", "macrovascular_invasion", "extrahepatic_spread")

_SPECS: list[FactSpec] = [
    # ------------------------------------------------------------------ person and consent
    FactSpec("age", "number", "Age", "years", {"years": 1.0}, lo=0, hi=120,
             needs=("birth_date",), derived="completed years at the screening date"),
    FactSpec("age_at_consent", "number", "Age at consent", "years", {"years": 1.0}, lo=0,
             hi=120, needs=("birth_date", "consent_date"),
             derived="completed years on the consent date"),
    FactSpec("sex", "category", "Sex", choices=("female", "male")),
    FactSpec("weight_kg", "number", "Body weight", "kg", {"kg": 1.0}, lo=20, hi=350),
    # captured as such, or set by a consent date on or before screening
    FactSpec("consent_signed", "bool", "Written informed consent signed"),
    FactSpec("reproductive_potential", "bool",
             "Of reproductive potential (woman of childbearing potential or fertile man)"),
    FactSpec("pregnant", "bool", "Pregnant"),
    FactSpec("breastfeeding", "bool", "Breastfeeding"),
    FactSpec("contraception_agreed", "bool",
             "Agrees to abstinence or effective contraception as the protocol requires"),
    FactSpec("ecog", "count", "ECOG performance status", lo=0, hi=4),
    # ------------------------------------------------------------------ laboratory
    *[FactSpec(a, "lab", label, CANONICAL_UNIT[a], analyte=a) for a, label in
      _LAB_LABELS.items()],
    FactSpec("on_anticoagulant", "bool", "Taking anticoagulants"),
    FactSpec("creatinine_clearance", "number", "Creatinine clearance (Cockcroft-Gault)",
             "mL/min", {"mL/min": 1.0}, needs=("age", "weight_kg", "sex", "creatinine"),
             derived="hccrt.clinical.body.cockcroft_gault_array"),
    # ------------------------------------------------------------------ liver function
    FactSpec("ascites", "category", "Ascites", choices=("none", "slight", "moderate-severe")),
    FactSpec("encephalopathy", "category", "Hepatic encephalopathy",
             choices=("none", "grade 1-2", "grade 3-4")),
    FactSpec("child_pugh_class", "category", "Child-Pugh class", choices=("A", "B", "C"),
             needs=_DERIVED_CP, derived="hccrt.clinical.liver.child_pugh_points_array"),
    FactSpec("child_pugh_points", "count", "Child-Pugh score", lo=5, hi=15, needs=_DERIVED_CP,
             derived="hccrt.clinical.liver.child_pugh_points_array"),
    FactSpec("liver_function", "category",
             "Liver function judged for BCLC (needed for Child-Pugh B)",
             choices=("preserved", "end-stage")),
    # ------------------------------------------------------------------ diagnosis and tumour
    FactSpec("hcc_histology", "bool", "HCC confirmed by histology"),
    FactSpec("lirads", "category", "LI-RADS category",
             choices=("LR-1", "LR-2", "LR-3", "LR-4", "LR-5", "LR-M", "LR-TIV")),
    FactSpec("hcc_klca_ncc", "bool",
             "HCC diagnosed by the KLCA-NCC guideline (histological or clinical)"),
    FactSpec("fibrolamellar_or_sarcomatoid", "bool",
             "Fibrolamellar or sarcomatoid carcinoma"),
    FactSpec("n_lesions", "count", "Number of intrahepatic tumours", lo=1, hi=100),
    FactSpec("largest_cm", "number", "Largest tumour diameter", "cm",
             {"cm": 1.0, "mm": 0.1}, lo=0, hi=30),
    FactSpec("n_segments", "count", "Couinaud segments involved", lo=1, hi=8,
             needs=("segments",), derived="count of hccrt.clinical.staging.parse_segments"),
    FactSpec("segments_contiguous", "bool", "Involved Couinaud segments adjacent",
             needs=("segments",), derived="hccrt.clinical.staging.couinaud_contiguous"),
    FactSpec("macrovascular_invasion", "bool",
             "Major vascular invasion / tumour thrombus (portal vein, hepatic vein or IVC)"),
    FactSpec("bile_duct_invasion", "bool", "Bile duct invasion"),
    FactSpec("extrahepatic_spread", "bool", "Extrahepatic metastasis"),
    FactSpec("measurable_disease", "bool", "Measurable target lesion (RECIST 1.1)"),
    FactSpec("brain_metastasis_active", "bool",
             "Active brain or leptomeningeal metastasis"),
    FactSpec("within_up_to_seven", "bool", "Within the up-to-seven criterion", needs=_TUMOUR,
             derived="hccrt.clinical.staging.up_to_seven"),
    FactSpec("bclc_stage", "category", "BCLC stage", choices=("0", "A", "B", "C", "D"),
             needs=(*_TUMOUR, "ecog", "child_pugh_class"),
             derived="hccrt.clinical.staging.bclc"),
    FactSpec("cnlc_stage", "category", "CNLC stage",
             choices=("Ia", "Ib", "IIa", "IIb", "IIIa", "IIIb", "IV"),
             needs=(*_TUMOUR, "ecog", "child_pugh_class"),
             derived="hccrt.clinical.staging.cnlc"),
    FactSpec("total_lesions", "count", "Lesions at baseline (including extrahepatic)", lo=0,
             hi=1000),
    FactSpec("pet_active_lesions", "count",
             "Active lesions on whole-body FDG-PET/CT after 3 months of systemic therapy",
             lo=0, hi=1000),
    # ------------------------------------------------------------------ treatment history
    FactSpec("prior_hcc_treatment", "bool", "Any prior treatment for liver cancer"),
    FactSpec("prior_interferon", "bool", "Prior interferon"),
    FactSpec("prior_systemic_lines_advanced", "count",
             "Prior systemic therapy lines for advanced HCC", lo=0, hi=20),
    FactSpec("first_line_ici_based", "bool",
             "First-line systemic therapy was an immune-checkpoint-inhibitor-based regimen"),
    FactSpec("prior_liver_rt", "bool", "Prior radiotherapy to the liver"),
    FactSpec("rt_field_overlaps_prior", "bool",
             "Planned radiation field overlaps a previously irradiated area"),
    FactSpec("last_locoregional_date", "date",
             "Last locoregional therapy for HCC (other than palliative bone radiotherapy)"),
    FactSpec("last_bone_rt_date", "date", "Last palliative radiotherapy to bone"),
    FactSpec("locoregional_complications_unresolved", "bool",
             "Not recovered from complications of locoregional therapy"),
    FactSpec("biliary_procedure", "bool", "Prior bile duct surgery or procedure"),
    FactSpec("transplant", "bool", "Prior allogeneic stem cell or solid organ transplant"),
    FactSpec("last_immunosuppression_date", "date",
             "Last systemic corticosteroid > 10 mg/day prednisone-equivalent or other "
             "immunosuppressant"),
    FactSpec("planned_immunotherapy", "bool",
             "Immunotherapy planned irrespective of the response to radioembolization"),
    FactSpec("systemic_therapy_ongoing", "bool",
             "Receiving guideline-recommended systemic therapy"),
    FactSpec("systemic_therapy_start_date", "date", "Start of current systemic therapy"),
    FactSpec("intrahepatic_response", "category",
             "Intrahepatic response on systemic therapy", choices=("CR", "PR", "SD", "PD")),
    # ------------------------------------------------------------------ history
    FactSpec("autoimmune_disease", "bool",
             "Active or past autoimmune disease or immune deficiency (outside the listed "
             "exceptions)"),
    FactSpec("hiv", "bool", "HIV infection"),
    FactSpec("substance_abuse", "bool", "History of drug or substance abuse"),
    FactSpec("antibody_anaphylaxis", "bool",
             "Severe anaphylaxis to chimeric or humanized antibodies or fusion proteins"),
    FactSpec("related_drug_allergy", "bool", "Allergy to the study-related drugs"),
    FactSpec("other_malignancy", "bool", "History of another malignancy"),
    FactSpec("other_malignancy_date", "date", "Other malignancy last active"),
    FactSpec("other_malignancy_negligible_risk", "bool",
             "Other malignancy of negligible risk of metastasis or death"),
    FactSpec("nyha_class", "count", "NYHA functional class", lo=1, hi=4),
    FactSpec("last_mi_or_stroke_date", "date",
             "Last myocardial infarction or cerebrovascular accident"),
    FactSpec("unstable_arrhythmia_or_angina", "bool", "Unstable arrhythmia or unstable angina"),
    FactSpec("last_bleed_or_cv_event_date", "date",
             "Last gastrointestinal bleeding or cardio/cerebrovascular event"),
    FactSpec("hbv_status", "category", "HBV screening result", choices=("positive", "negative")),
    FactSpec("hcv_status", "category", "HCV screening result", choices=("positive", "negative")),
    FactSpec("antiviral_therapy", "bool", "On antiviral therapy"),
    # ------------------------------------------------------------------ 99mTc-MAA work-up
    FactSpec("severe_ap_shunt", "bool",
             "Severe hepatic artery-portal vein shunting on 99mTc-MAA"),
]

#: Every fact by name.
FACTS: dict[str, FactSpec] = {s.name: s for s in _SPECS}


def fact(name: str) -> FactSpec:
    """The spec of fact ``name`` (KeyError when unknown)."""
    return FACTS[name]
