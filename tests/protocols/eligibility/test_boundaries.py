"""Every numeric and date boundary of the five protocols, on both sides, as the seeds write it.

Each case moves one value of an otherwise eligible candidate (see ``candidates.py``) onto or
across a boundary and checks the outcome of that criterion. The boundary and its direction
are quoted from the registry text (shared/seeds/000..004); expected outcomes follow from the
quoted words, not from running our code. Seeds: 000 tare-ut7, 001 rescue (NCT06178198),
002 sirt-haic (NCT07070076), 003 io-rt-mvi, 004 sbrt-bclcc.
"""

from __future__ import annotations

import pandas as pd
import pytest

from hccrt.protocols import load_builtin
from hccrt.protocols.eligibility import screen, screen_frame
from hccrt.protocols.eligibility.candidate import ScreeningInput
from tests.protocols.eligibility.candidates import BASE, candidate, lab

MET, NOT_MET, UNKNOWN = "met", "not met", "unknown"

# (protocol, criterion, changes, expected outcome of the criterion, seed wording)
CASES: list[tuple[str, str, dict, str, str]] = [
    # ---------------------------------------------------------------- rescue (seed 001)
    ("rescue", "age", {"birth_date": "2008-10-15"}, MET, "Adults aged 18 and over"),
    ("rescue", "age", {"birth_date": "2008-10-16"}, NOT_MET, "Adults aged 18 and over"),
    ("rescue", "tumour-burden", {"n_lesions": 5}, MET, "no more than five lesions"),
    ("rescue", "tumour-burden", {"n_lesions": 6}, NOT_MET, "no more than five lesions"),
    ("rescue", "tumour-burden", {"largest_cm": 8.0}, NOT_MET,
     "the largest tumor diameter exceeding 8 cm"),
    ("rescue", "tumour-burden", {"largest_cm": 8.1}, MET,
     "the largest tumor diameter exceeding 8 cm"),
    ("rescue", "ecog", {"ecog": 1}, MET, "ECOG performance status of 1 or less"),
    ("rescue", "ecog", {"ecog": 2}, NOT_MET, "ECOG performance status of 1 or less"),
    ("rescue", "lab-leukocytes", {"labs__wbc": lab(2500, "/uL")}, MET, "Leukocytes ≥ 2,500/µL"),
    ("rescue", "lab-leukocytes", {"labs__wbc": lab(2499, "/uL")}, NOT_MET,
     "Leukocytes ≥ 2,500/µL"),
    ("rescue", "lab-leukocytes", {"labs__wbc": lab(2.5, "10^9/L")}, MET,
     "Leukocytes ≥ 2,500/µL (2.5 x 10^9/L)"),
    ("rescue", "lab-leukocytes", {"labs__wbc": lab(12000, "/uL")}, MET, "≤ 12,000/µL"),
    ("rescue", "lab-leukocytes", {"labs__wbc": lab(12001, "/uL")}, NOT_MET, "≤ 12,000/µL"),
    ("rescue", "lab-anc", {"labs__neutrophils": lab(1500, "/mm3")}, MET,
     "Absolute neutrophil count ≥ 1,500 /mm^3"),
    ("rescue", "lab-anc", {"labs__neutrophils": lab(1499, "/mm3")}, NOT_MET,
     "Absolute neutrophil count ≥ 1,500 /mm^3"),
    ("rescue", "lab-anc", {"labs__neutrophils": lab(1200, "/mm3")}, NOT_MET,
     "≥ 1,500 /mm^3 (1,200 passes io-rt-mvi's ≥ 1,000 but not this)"),
    ("rescue", "lab-hemoglobin", {"labs__hemoglobin": lab(8.0, "g/dL")}, MET,
     "Hemoglobin ≥ 8.0 g/dL"),
    ("rescue", "lab-hemoglobin", {"labs__hemoglobin": lab(7.9, "g/dL")}, NOT_MET,
     "Hemoglobin ≥ 8.0 g/dL"),
    ("rescue", "lab-bilirubin", {"labs__bilirubin": lab(3.0, "mg/dL")}, MET,
     "Total bilirubin ≤ 3.0 mg/dL"),
    ("rescue", "lab-bilirubin", {"labs__bilirubin": lab(3.1, "mg/dL")}, NOT_MET,
     "Total bilirubin ≤ 3.0 mg/dL"),
    ("rescue", "lab-bilirubin", {"labs__bilirubin": lab(51.3, "umol/L")}, MET,
     "Total bilirubin ≤ 3.0 mg/dL (51.3 umol/L = 3.0 mg/dL at 17.1)"),
    ("rescue", "lab-platelets", {"labs__platelets": lab(50000, "/uL")}, MET,
     "Platelet ≥ 50,000/µL"),
    ("rescue", "lab-platelets", {"labs__platelets": lab(49999, "/uL")}, NOT_MET,
     "Platelet ≥ 50,000/µL"),
    ("rescue", "lab-platelets", {"labs__platelets": lab(50, "10^9/L")}, MET,
     "Platelet ≥ 50,000/µL (50 x 10^9/L)"),
    ("rescue", "lab-inr", {"labs__inr": lab(2.0)}, MET,
     "INR ≤ 2.0 for patients not taking anticoagulants"),
    ("rescue", "lab-inr", {"labs__inr": lab(2.1)}, NOT_MET,
     "INR ≤ 2.0 for patients not taking anticoagulants"),
    ("rescue", "lab-inr", {"labs__inr": lab(2.6), "on_anticoagulant": True}, MET,
     "INR ≤ 2.0 for patients not taking anticoagulants (does not apply when anticoagulated)"),
    ("rescue", "lab-ast", {"labs__ast": lab(200, "IU/L")}, MET, "AST ≤ 200 IU/L"),
    ("rescue", "lab-ast", {"labs__ast": lab(201, "IU/L")}, NOT_MET, "AST ≤ 200 IU/L"),
    ("rescue", "lab-alt", {"labs__alt": lab(200, "U/L")}, MET, "ALT ≤ 200 IU/L"),
    ("rescue", "lab-alt", {"labs__alt": lab(201, "U/L")}, NOT_MET, "ALT ≤ 200 IU/L"),
    ("rescue", "lab-alp", {"labs__alp": lab(575, "IU/L")}, MET, "ALP ≤ 575 IU/L"),
    ("rescue", "lab-alp", {"labs__alp": lab(576, "IU/L")}, NOT_MET, "ALP ≤ 575 IU/L"),
    ("rescue", "lab-creatinine", {"labs__creatinine": lab(2.0, "mg/dL")}, MET,
     "Creatinine ≤ 2.0 mg/dL"),
    ("rescue", "lab-creatinine", {"labs__creatinine": lab(2.1, "mg/dL")}, NOT_MET,
     "Creatinine ≤ 2.0 mg/dL"),
    ("rescue", "lab-creatinine", {"labs__creatinine": lab(176.8, "umol/L")}, MET,
     "Creatinine ≤ 2.0 mg/dL (176.8 umol/L = 2.0 mg/dL at 88.4)"),
    ("rescue", "lab-bilirubin", {"labs__bilirubin": lab(1.0, "mg/dL", date="2026-09-15")},
     MET, "blood tests performed within one month of study enrollment (one calendar month)"),
    ("rescue", "lab-bilirubin", {"labs__bilirubin": lab(1.0, "mg/dL", date="2026-09-14")},
     UNKNOWN, "within one month (an older result is not a result within the window)"),
    ("rescue", "child-pugh-a", {"labs__albumin": lab(3.0, "g/dL")}, MET,
     "Child-Pugh class A (albumin 2.8-3.5 g/dL scores 2: 1 + 2 + 1 + 1 + 1 = 6 points, A)"),
    ("rescue", "child-pugh-a", {"labs__albumin": lab(2.7, "g/dL")}, NOT_MET,
     "Child-Pugh class A (albumin < 2.8 g/dL scores 3: 7 points, B)"),
    ("rescue", "ex-maa-lung-dose", {"maa_lsf": 0.2, "maa_tnr": 5.0, "tumour_volume_ml": 200,
                                    "treated_nontumoral_volume_ml": 300,
                                    "lung_mass_kg": 0.6695}, NOT_MET,
     "estimated lung dose exceeds 15 Gy when 150 Gy ... to the tumor (exactly 15 Gy)"),
    ("rescue", "ex-maa-lung-dose", {"maa_lsf": 0.2, "maa_tnr": 5.0, "tumour_volume_ml": 200,
                                    "treated_nontumoral_volume_ml": 300,
                                    "lung_mass_kg": 0.6690}, MET,
     "estimated lung dose exceeds 15 Gy (15.01 Gy)"),
    ("rescue", "ex-untreated-liver-volume", {"treated_nontumoral_volume_ml": 840}, NOT_MET,
     "less than 30% of the total non-tumorous liver volume (exactly 30 %)"),
    ("rescue", "ex-untreated-liver-volume", {"treated_nontumoral_volume_ml": 841}, MET,
     "less than 30% of the total non-tumorous liver volume (29.9 %)"),
    ("rescue", "ex-other-cancer", {"other_malignancy": True,
                                   "other_malignancy_date": "2024-10-15"}, MET,
     "active cancer within the last two years"),
    ("rescue", "ex-other-cancer", {"other_malignancy": True,
                                   "other_malignancy_date": "2024-10-14"}, NOT_MET,
     "active cancer within the last two years"),
    ("rescue", "hcc-diagnosis", {"hcc_histology": False, "lirads": "LR-4"}, MET,
     "radiologically (LI-RADS 4 or 5)"),
    ("rescue", "hcc-diagnosis", {"hcc_histology": False, "lirads": "LR-3"}, NOT_MET,
     "radiologically (LI-RADS 4 or 5)"),
    # ---------------------------------------------------------------- io-rt-mvi (seed 003)
    ("io-rt-mvi", "age", {"birth_date": "2007-10-10"}, MET,
     "Age >= 19 at the time of signing Informed consent form (consent 2026-10-10)"),
    ("io-rt-mvi", "age", {"birth_date": "2007-10-11"}, NOT_MET,
     "Age >= 19 at the time of signing Informed consent form"),
    ("io-rt-mvi", "ecog", {"ecog": 2}, NOT_MET, "ECOG performance status (PS) of 0-1"),
    ("io-rt-mvi", "lab-hemoglobin", {"labs__hemoglobin": lab(8.0, "g/dL")}, MET,
     "Hemoglobin ≥ 8.0 g/dL"),
    ("io-rt-mvi", "lab-hemoglobin", {"labs__hemoglobin": lab(7.9, "g/dL")}, NOT_MET,
     "Hemoglobin ≥ 8.0 g/dL"),
    ("io-rt-mvi", "lab-anc", {"labs__neutrophils": lab(1000, "/mm3")}, MET,
     "Absolute neutrophil count (ANC) ≥ 1,000/mm3"),
    ("io-rt-mvi", "lab-anc", {"labs__neutrophils": lab(999, "/mm3")}, NOT_MET,
     "Absolute neutrophil count (ANC) ≥ 1,000/mm3"),
    ("io-rt-mvi", "lab-anc", {"labs__neutrophils": lab(1200, "/mm3")}, MET,
     "≥ 1,000/mm3 (1,200 fails rescue's ≥ 1,500)"),
    ("io-rt-mvi", "lab-platelets", {"labs__platelets": lab(50000, "/uL")}, MET,
     "Platelet count ≥ 50,000/μL"),
    ("io-rt-mvi", "lab-platelets", {"labs__platelets": lab(49999, "/uL")}, NOT_MET,
     "Platelet count ≥ 50,000/μL"),
    ("io-rt-mvi", "lab-bilirubin", {"labs__bilirubin": lab(3.0, "mg/dL")}, NOT_MET,
     "Total bilirubin < 3.0 mg/dL (3.0 passes rescue's ≤ 3.0 but not this)"),
    ("io-rt-mvi", "lab-bilirubin", {"labs__bilirubin": lab(2.9, "mg/dL")}, MET,
     "Total bilirubin < 3.0 mg/dL"),
    ("io-rt-mvi", "lab-bilirubin", {"labs__bilirubin": lab(51.3, "umol/L")}, NOT_MET,
     "Total bilirubin < 3.0 mg/dL (51.3 umol/L is 3.0 mg/dL)"),
    ("io-rt-mvi", "lab-albumin", {"labs__albumin": lab(2.8, "g/dL")}, MET,
     "Serum albumin ≥ 2.8 g/dL"),
    ("io-rt-mvi", "lab-albumin", {"labs__albumin": lab(27, "g/L")}, NOT_MET,
     "Serum albumin ≥ 2.8 g/dL (27 g/L)"),
    ("io-rt-mvi", "lab-alt-ast", {"labs__alt": lab(200, "U/L", uln=40)}, MET,
     "ALT and AST ≤ 5 × ULN (200 U/L with ULN 40)"),
    ("io-rt-mvi", "lab-alt-ast", {"labs__alt": lab(201, "U/L", uln=40)}, NOT_MET,
     "ALT and AST ≤ 5 × ULN"),
    ("io-rt-mvi", "lab-alt-ast", {"labs__ast": lab(201, "U/L", uln=40)}, NOT_MET,
     "ALT and AST ≤ 5 × ULN"),
    ("io-rt-mvi", "lab-alt-ast", {"labs__ast": lab(100, "U/L")}, UNKNOWN,
     "≤ 5 × the upper limit of normal (no site ULN: cannot tell)"),
    ("io-rt-mvi", "lab-inr", {"labs__inr": lab(1.8, uln=1.0)}, MET,
     "Prothrombin time in INR ≤ 1.8 × ULN"),
    ("io-rt-mvi", "lab-inr", {"labs__inr": lab(1.9, uln=1.0)}, NOT_MET,
     "Prothrombin time in INR ≤ 1.8 × ULN"),
    ("io-rt-mvi", "lab-creatinine", {"labs__creatinine": lab(2.4, "mg/dL", uln=1.2)}, MET,
     "Serum creatinine ≤ 2.0 × ULN"),
    # 1.85 mg/dL with ULN 0.9 is 2.06 x ULN; Cockcroft-Gault (140 - 66) x 72 / (72 x 1.85) = 40
    ("io-rt-mvi", "lab-creatinine", {"labs__creatinine": lab(1.85, "mg/dL", uln=0.9),
                                     "weight_kg": 72}, MET,
     "or calculated creatinine clearance ≥ 40 mL/min (Cockcroft-Gault, exactly 40)"),
    ("io-rt-mvi", "lab-creatinine", {"labs__creatinine": lab(1.85, "mg/dL", uln=0.9),
                                     "weight_kg": 71}, NOT_MET,
     "≤ 2.0 × ULN or ... ≥ 40 mL/min (neither: 2.06 x ULN, 39.4 mL/min)"),
    ("io-rt-mvi", "lab-hemoglobin", {"labs__hemoglobin": lab(12, "g/dL", date="2026-09-17")},
     MET, "obtained within 28 days prior to screening (28 days)"),
    ("io-rt-mvi", "lab-hemoglobin", {"labs__hemoglobin": lab(12, "g/dL", date="2026-09-16")},
     UNKNOWN, "within 28 days prior to screening (29 days: no valid result)"),
    ("io-rt-mvi", "ex-prior-systemic-lines",
     {"prior_treatments": [{"kind": "systemic", "setting": "advanced", "line": 1,
                            "ici_based": True, "date": "2026-05-01"},
                           {"kind": "systemic", "setting": "advanced", "line": 2,
                            "ici_based": False, "date": "2026-08-01"}]}, MET,
     "Receipt of 2 or more prior systemic therapy for advanced HCC"),
    ("io-rt-mvi", "ex-prior-systemic-lines",
     {"prior_treatments": [{"kind": "systemic", "setting": "advanced", "line": 1,
                            "ici_based": True, "date": "2026-05-01"},
                           {"kind": "systemic", "setting": "adjuvant", "date": "2025-01-01"}]},
     NOT_MET, "Additional prior systemic therapies used as adjuvant ... are allowed"),
    ("io-rt-mvi", "ex-first-line-non-ici",
     {"prior_treatments": [{"kind": "systemic", "setting": "advanced", "line": 1,
                            "ici_based": False, "date": "2026-05-01"}]}, MET,
     "other first-line systemic therapy than immune checkpoint inhibitor-based regimen"),
    ("io-rt-mvi", "ex-recent-locoregional",
     {"prior_treatments": [{"kind": "tace", "date": "2026-09-22"}]}, MET,
     "locoregional therapy for HCC within 28 days prior to initiation (start 2026-10-20)"),
    ("io-rt-mvi", "ex-recent-locoregional",
     {"prior_treatments": [{"kind": "tace", "date": "2026-09-21"}]}, NOT_MET,
     "within 28 days prior to initiation (29 days before)"),
    ("io-rt-mvi", "ex-recent-locoregional",
     {"prior_treatments": [{"kind": "bone_rt_palliative", "date": "2026-10-13"}]}, NOT_MET,
     "A 7-day washout is permitted for palliative radiation to bone lesions (7 days)"),
    ("io-rt-mvi", "ex-recent-locoregional",
     {"prior_treatments": [{"kind": "bone_rt_palliative", "date": "2026-10-14"}]}, MET,
     "A 7-day washout is permitted for palliative radiation to bone lesions (6 days)"),
    ("io-rt-mvi", "ex-immunosuppression",
     {"medications": [{"kind": "corticosteroid", "prednisone_equivalent_mg_per_day": 20,
                       "start": "2026-09-01", "end": "2026-10-06"}]}, MET,
     "corticosteroids (> 10 mg daily prednisone equivalent) within 14 days prior to initiation"),
    ("io-rt-mvi", "ex-immunosuppression",
     {"medications": [{"kind": "corticosteroid", "prednisone_equivalent_mg_per_day": 20,
                       "start": "2026-09-01", "end": "2026-10-05"}]}, NOT_MET,
     "within 14 days prior to initiation of study treatment (15 days)"),
    ("io-rt-mvi", "ex-immunosuppression",
     {"medications": [{"kind": "corticosteroid", "prednisone_equivalent_mg_per_day": 10,
                       "start": "2026-09-01"}]}, NOT_MET,
     "corticosteroids (> 10 mg daily prednisone equivalent): 10 mg is allowed"),
    ("io-rt-mvi", "ex-ascites", {"ascites": "slight"}, NOT_MET,
     "Moderate to severe or intractable ascites"),
    ("io-rt-mvi", "ex-ascites", {"ascites": "moderate"}, MET,
     "Moderate to severe or intractable ascites"),
    ("io-rt-mvi", "ex-other-malignancy", {"other_malignancy": True,
                                          "other_malignancy_date": "2024-10-15"}, MET,
     "History of malignancy other than HCC within 2 years prior to screening"),
    ("io-rt-mvi", "ex-other-malignancy", {"other_malignancy": True,
                                          "other_malignancy_date": "2024-10-15",
                                          "other_malignancy_negligible_risk": True}, NOT_MET,
     "with the exception of malignancies with a negligible risk of metastasis or death"),
    ("io-rt-mvi", "ex-uncontrolled-comorbidity", {"nyha_class": 2}, MET,
     "New York Heart Association Class II or greater cardiac disease"),
    ("io-rt-mvi", "ex-uncontrolled-comorbidity", {"last_mi_or_stroke_date": "2026-07-20"}, MET,
     "myocardial infarction, or cerebrovascular accident) within 3 months prior to the "
     "initiation of study treatment (start 2026-10-20)"),
    ("io-rt-mvi", "ex-uncontrolled-comorbidity", {"last_mi_or_stroke_date": "2026-07-19"},
     NOT_MET, "within 3 months prior to the initiation of study treatment (a day more)"),
    ("io-rt-mvi", "ex-uncontrolled-comorbidity",
     {"attestations": {"ex-uncontrolled-comorbidity": True, "ex-compliance": False}}, MET,
     "any significant medical illness ... in the investigator's judgement"),
    # ---------------------------------------------------------------- sirt-haic (seed 002)
    ("sirt-haic", "age", {"birth_date": "2008-10-15"}, MET, "Age ≥ 18 years"),
    ("sirt-haic", "age", {"birth_date": "2008-10-16"}, NOT_MET, "Age ≥ 18 years"),
    ("sirt-haic", "age", {"birth_date": "1950-10-16"}, MET, "≤ 75 years (75 and 364 days)"),
    ("sirt-haic", "age", {"birth_date": "1950-10-15"}, NOT_MET, "≤ 75 years (76th birthday)"),
    ("sirt-haic", "ecog", {"ecog": 1}, MET, "ECOG Performance Status (PS) of 0-1"),
    ("sirt-haic", "ecog", {"ecog": 2}, NOT_MET, "ECOG Performance Status (PS) of 0-1"),
    ("sirt-haic", "cnlc-stage", {"largest_cm": 5.0}, NOT_MET,
     "stage Ib (... single tumor >5 cm in diameter): a single 5.0 cm tumour is Ia"),
    ("sirt-haic", "cnlc-stage", {"largest_cm": 5.1}, MET, "single tumor >5 cm"),
    ("sirt-haic", "cnlc-stage", {"n_lesions": 3, "largest_cm": 3.1}, MET,
     "IIa (2-3 tumors with the largest diameter >3 cm)"),
    ("sirt-haic", "cnlc-stage", {"n_lesions": 4, "largest_cm": 2.0}, MET, "IIb (≥4 tumors)"),
    ("sirt-haic", "cnlc-stage", {"macrovascular_invasion": True}, MET,
     "IIIa (... with radiologically visible vascular tumor thrombus)"),
    ("sirt-haic", "cnlc-stage", {"extrahepatic_spread": True}, NOT_MET,
     "but without extrahepatic metastasis"),
    ("sirt-haic", "ex-recent-bleeding-or-vascular-event",
     {"last_bleed_or_cv_event_date": "2026-09-20"}, MET,
     "within approximately 30 days prior to treatment (30 days)"),
    ("sirt-haic", "ex-recent-bleeding-or-vascular-event",
     {"last_bleed_or_cv_event_date": "2026-09-19"}, NOT_MET,
     "within approximately 30 days prior to treatment (31 days)"),
    ("sirt-haic", "ex-prior-tumour-treatment",
     {"prior_treatments": [{"kind": "interferon", "date": "2020-01-01"}]}, MET,
     "Prior treatment for the tumor (including interferon)"),
    # ---------------------------------------------------------------- sbrt-bclcc (seed 004)
    ("sbrt-bclcc", "ecog", {"ecog": 2}, MET, "ECOG ≤2"),
    ("sbrt-bclcc", "ecog", {"ecog": 3}, NOT_MET, "ECOG ≤2"),
    ("sbrt-bclcc", "bclc-c", {"macrovascular_invasion": False, "ecog": 0}, NOT_MET,
     "BCLC C disease (3 nodules up to 5 cm, PS 0, no invasion: B)"),
    ("sbrt-bclcc", "child-pugh-a-b",
     {"labs__bilirubin": lab(2.5, "mg/dL"), "labs__albumin": lab(3.0, "g/dL"),
      "liver_function": "preserved"}, MET,
     "Child-Pugh A-B (2 + 2 + 1 + 1 + 1 = 7 points: B; BCLC needs the liver-function call)"),
    ("sbrt-bclcc", "child-pugh-a-b",
     {"labs__bilirubin": lab(3.5, "mg/dL"), "labs__albumin": lab(2.5, "g/dL"),
      "ascites": "slight"}, NOT_MET, "Child-Pugh A-B (3 + 3 + 1 + 2 + 1 = 10 points: C)"),
    ("sbrt-bclcc", "stable-intrahepatic-disease", {"systemic_therapy_start_date": "2026-07-15"},
     MET, "after initial systemic therapy for ≥3 months (exactly 3 months)"),
    ("sbrt-bclcc", "stable-intrahepatic-disease", {"systemic_therapy_start_date": "2026-07-16"},
     NOT_MET, "after initial systemic therapy for ≥3 months (one day short)"),
    ("sbrt-bclcc", "stable-intrahepatic-disease", {"intrahepatic_response": "PD"}, NOT_MET,
     "Stable intrahepatic disease"),
    ("sbrt-bclcc", "active-lesions-le-10", {"total_lesions": 10}, MET,
     "more than 10 lesions at baseline requires reassessment (10 do not)"),
    ("sbrt-bclcc", "active-lesions-le-10", {"total_lesions": 11, "pet_active_lesions": 10}, MET,
     "Patients who demonstrate ≤10 active lesions at this reassessment"),
    ("sbrt-bclcc", "active-lesions-le-10", {"total_lesions": 11, "pet_active_lesions": 11},
     NOT_MET, "≤10 active lesions at this reassessment"),
    ("sbrt-bclcc", "active-lesions-le-10", {"total_lesions": 11}, UNKNOWN,
     "a ... FDG-PET/CT reassessment ... is required (not yet done)"),
    # ---------------------------------------------------------------- tare-ut7 (seed 000)
    ("tare-ut7", "beyond-up-to-seven", {"n_lesions": 3, "largest_cm": 4.0}, NOT_MET,
     "HCC that exceed the up-to-7 criteria (3 + 4.0 = 7 is within)"),
    ("tare-ut7", "beyond-up-to-seven", {"n_lesions": 3, "largest_cm": 4.1}, MET,
     "exceed the up-to-7 criteria (3 + 4.1 > 7)"),
    ("tare-ut7", "locally-confined", {"segments": "2,3,4,5,8"}, MET,
     "confined to up to five geographically adjacent Couinaud segments"),
    ("tare-ut7", "locally-confined", {"segments": "1,2,3,4,5,8"}, NOT_MET,
     "up to five ... segments (six)"),
    ("tare-ut7", "locally-confined", {"segments": "2,6"}, NOT_MET,
     "geographically adjacent Couinaud segments (2 and 6 are not)"),
]


def _ids(case: tuple) -> str:
    code, cid, changes, expected, _ = case
    return f"{code}:{cid}:{'-'.join(f'{k}' for k in changes)}:{expected}"


# Criteria computed from the same values as another criterion (a lab feeds Child-Pugh, the
# tumour burden feeds the stage): they may change together with the criterion under test.
DERIVED_ALONG = {"child-pugh-a", "child-pugh-a-b", "bclc-c", "cnlc-stage",
                 "resectable-no-distant-metastasis"}


@pytest.fixture(scope="module")
def protocols() -> dict:
    return {code: load_builtin(code) for code in BASE}


@pytest.fixture(scope="module")
def batches(protocols) -> dict:
    """Every case of a protocol screened in one batch (row k = k-th case of that protocol)."""
    out = {}
    for code in BASE:
        rows = []
        for k, case in enumerate([c for c in CASES if c[0] == code]):
            data = candidate(code, **case[2])
            data["candidate_id"] = f"case-{k}"
            rows.append(ScreeningInput.parse(data).to_row())
        out[code] = screen_frame(protocols[code], pd.DataFrame(rows))
    return out


def _row(case: tuple) -> int:
    return [c for c in CASES if c[0] == case[0]].index(case)


@pytest.mark.parametrize("code", list(BASE))
def test_base_candidates_are_eligible(protocols, code):
    result = screen(protocols[code], candidate(code))
    assert result.status == "eligible", result.summary()


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_boundary(batches, case):
    code, criterion_id, _changes, expected, _seed = case
    result = batches[code].result(_row(case))
    (criterion,) = [c for c in result.criteria if c.id == criterion_id]
    assert criterion.outcome == expected, criterion.explanation
    others = {c.id for c in result.criteria if c.fails and c.id != criterion_id}
    assert others <= DERIVED_ALONG, f"{criterion_id} changed, and also failed: {others}"
    if expected == UNKNOWN:
        assert result.status == "incomplete"
        assert criterion.missing
    elif criterion.fails or others:
        assert result.status == "ineligible"
        assert set(result.failing) == others | ({criterion_id} if criterion.fails else set())
    else:
        assert result.status == "eligible"


def test_every_protocol_has_boundary_cases():
    assert {c[0] for c in CASES} == set(BASE)


@pytest.mark.parametrize("code", list(BASE))
def test_batch_screening_agrees_with_one_by_one(protocols, batches, code):
    cases = [c for c in CASES if c[0] == code][:3]
    for k, case in enumerate(cases):
        single = screen(protocols[code], candidate(code, **case[2]))
        assert batches[code].status[k] == single.status
        assert batches[code].result(k).criteria == single.criteria
