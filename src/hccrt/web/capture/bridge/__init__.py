"""Records bridge: the database to the record tables of the core pipeline, and back.

:func:`export_records` turns a protocol's participants and forms into an SDTM-shaped
:class:`hccrt.records.RecordSet`; :func:`import_records` loads record tables (for example a
synthetic cohort from :mod:`hccrt.simulate`) through the same path as the API: every row is a
model ``save()`` (validation by the core, audit event, edit checks) inside one transaction,
so a table with an invalid row loads nothing and the error (:class:`BridgeError`) names the
domain, row, field, value and rule.

Domains and their forms:

- DM: Participant; DS: Disposition, Allocation (ENROLLED / RANDOMIZED), consent (DM);
  LB: LabResult; VS: VitalSigns; AE: AdverseEvent; QS: QolResponse (``core_domains``)
- SV: Visit; DV: ProtocolDeviation; IE: Screening (criteria not met); MH: MedicalHistory;
  CM + SUPPCM: ConcomitantMedication; PR + SUPPPR + MI: SurgeryPathology and
  SubsequentTreatment; RS: VitalSigns.ecog (ECOG) and ChildPughClinical (``history``)
- TU + TR + SUPPTU: TumourAssessment (one read) and Lesion; XL: RegionalLiverFunction
  (``tumours``)
- EX: SbrtCourse / SbrtFraction (SBRT, external beam radiotherapy), HaicCycle, SystemicTherapy
  and SystemicDose (``treatments``); Y-90 EX + XP + XA: Y90Plan, Y90Administration and
  Y90PostTreatmentDosimetry (XP POST-TREATMENT) (``y90``)

AE + SUPPAE (AESI): AdverseEvent with its special-interest flag.

:data:`NOT_ROUND_TRIPPED` lists, per domain and column, what does not come back and why.

**Baseline flags** (LBBLFL, VSBLFL, QSBLFL): Y on the records of the schedule's first visit
(screening / baseline, VISITNUM 100) of participants who entered the study (not screen
failures), as the protocol schedule defines baseline.

**Row order and --SEQ on export**: rows are sorted by USUBJID, then the domain's first date
column (stable; rows of one date keep form order: the order they were loaded in), and --SEQ
numbers them per subject from 1, the rule :mod:`hccrt.simulate` writes them by; SV is sorted
by USUBJID and VISITNUM and has no --SEQ. SUPP-- rows point at the exported --SEQ.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db import transaction

from hccrt.records import RecordSet
from hccrt.web.audit.base import audit_context
from hccrt.web.capture.bridge import core_domains, history, treatments, tumours, y90
from hccrt.web.capture.bridge._common import BridgeError, ExportContext, LoadContext
from hccrt.web.core.models import Participant, Protocol

__all__ = ["BRIDGED", "NOT_ROUND_TRIPPED", "BridgeError", "export_records", "import_records"]

BRIDGED = ("DM", "SV", "IE", "DS", "LB", "VS", "AE", "SUPPAE", "QS", "RS", "MH", "DV", "CM",
           "SUPPCM", "PR", "SUPPPR", "MI", "TU", "TR", "SUPPTU", "EX", "XP", "XA",
           "XL")  # fmt: skip

_DERIVED = "derived downstream from other columns, not captured on a form"
_RECOMPUTED = ("identical for the plan inputs (ACTIVITY, LSF, TNR, TUMVOL, NLVOL, LIVVOL, "
               "LUNGMASS, TARGDOSE); masses, doses and CLUNGDSE are recomputed by the core from "
               "the 4-decimal inputs, within 0.01 % of the generator's values")
_RESIDUAL = ("identical for PRESACT, VIALACT, DELACT, DELPCT; RESACT and RESPCT are computed "
             "from the 4-decimal activities, within 0.0002 GBq and 0.01 percentage point")
#: domain -> column -> why the value does not come back from the forms (columns the synthetic
#: cohorts write; tests/web/test_bridge_domains.py checks the list is complete)
NOT_ROUND_TRIPPED: dict[str, dict[str, str]] = {
    "DM": {
        "RACE": "not captured (the participant holds no direct or quasi-identifiers beyond "
                "sex and age)",
    },
    "DS": {},
    "LB": {"LBCAT": "category of the test: not captured",
           "LBSPEC": "specimen: not captured",
           "LBSTRESC": "standard value recomputed by hccrt.units (exact); the "
           "generator rounds to 2 decimals", "LBSTRESN": "as LBSTRESC",
           "LBSTNRLO": "as LBSTRESC", "LBSTNRHI": "as LBSTRESC"},
    "VS": {"VSSEQ": "BMI and BSA rows are derived, not captured, so numbering differs"},
    "AE": {"AEDECOD": "dictionary-coded term: not captured (the form holds the CTCAE term, "
                      "exported as AETERM and AEDECOD)",
           "AESPID": "sponsor line id: not captured", "AEBODSYS": "MedDRA SOC: not captured",
           "AESEV": "severity: not captured (the CTCAE grade is)",
           "AEACN": "action taken: not captured"},
    "QS": {},
    "MH": {},
    "SV": {},
    "DV": {},
    "IE": {},
    "RS": {"RSSEQ": "rows of one date: the Child-Pugh signs, then ECOG; the generator writes "
                    "a screen failure's ECOG first"},
    "CM": {},
    "PR": {},
    "MI": {},
    "SUPPAE": {}, "SUPPCM": {}, "SUPPPR": {}, "TU": {}, "TR": {}, "SUPPTU": {},
    "EX": {"EXDOSE": "identical except Y-90: the delivered activity is stored with XA's 4 "
                     "decimals and written with 3; the generator rounds the unrounded value, so "
                     "about 1 row in 1000 differs by 0.001 GBq (checked in the tests)"},
    "XP": {"XPORRES": _RECOMPUTED, "XPSTRESC": _RECOMPUTED, "XPSTRESN": _RECOMPUTED},
    "XL": {},
    "XA": {"XAORRES": _RESIDUAL, "XASTRESC": _RESIDUAL, "XASTRESN": _RESIDUAL},
}


def export_records(protocol_code: str) -> RecordSet:
    """The bridged domains of one protocol's data (soft-deleted rows excluded)."""
    participants = list(Participant.objects.alive().filter(protocol__code=protocol_code)
                        .select_related("site", "protocol").order_by("study_id"))  # fmt: skip
    doc = participants[0].protocol.document if participants else \
        Protocol.objects.get(code=protocol_code, is_current=True).document
    ctx = ExportContext(protocol_code.upper(), participants, doc)
    tables = core_domains.export_core(ctx)
    tables["RS"] = history.export_child_pugh(ctx) + tables["RS"]
    tables["SV"] = history.export_sv(ctx)
    tables["IE"] = history.export_ie(ctx)
    tables["MH"] = history.export_mh(ctx)
    tables["DV"] = history.export_dv(ctx)
    tables["CM"], tables["SUPPCM"] = history.export_cm(ctx)
    tables.update(history.export_pr_mi(ctx))
    tables.update(tumours.export_tu_tr(ctx))
    y = y90.export_y90(ctx)
    tables["EX"] = y["EX"] + treatments.export_ex(ctx)
    tables["XP"], tables["XA"] = y["XP"], y["XA"]
    tables["XL"] = tumours.export_xl(ctx)
    frames = {}
    for code, rows in tables.items():
        df = pd.DataFrame(rows)
        if df.empty and code != "DM":
            continue
        if code not in ("DM", "SV") and not code.startswith("SUPP"):
            dtc = [c for c in df.columns if c.endswith("DTC")]
            df = df.sort_values(["USUBJID", *dtc[:1]], kind="stable", na_position="last")
            df = df.reset_index(drop=True)
            df.insert(3, f"{code}SEQ", (df.groupby("USUBJID").cumcount() + 1).astype(float))
        frames[code] = df
    return RecordSet(frames)


@transaction.atomic
def import_records(records: RecordSet, protocol_code: str, *, user: Any = None,
                   reason: str = "loaded from record tables") -> dict[str, int]:  # fmt: skip
    """Load the bridged domains through the audited save path; returns rows loaded per domain
    (VS and QS count forms: one per subject, date and visit)."""
    protocol = Protocol.objects.get(code=protocol_code, is_current=True)
    ctx = LoadContext(records, protocol, user)
    with audit_context(user, reason):
        core_domains.import_dm(ctx)
        history.import_sv(ctx)
        treatments.import_ex(ctx)
        y90.import_y90(ctx)
        history.import_ie(ctx)
        history.import_mh(ctx)
        history.import_dv(ctx)
        core_domains.import_core(ctx)
        history.import_child_pugh(ctx)
        history.import_cm(ctx)
        history.import_pr_mi(ctx)
        tumours.import_tu_tr(ctx)
        tumours.import_xl(ctx)
    return dict(ctx.counts)
