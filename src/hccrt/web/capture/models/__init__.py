"""The eCRFs of a liver-directed radiotherapy trial, each an audited, versioned table.

Every form derives from :class:`hccrt.web.audit.base.AuditedModel` (audit trail, version for
optimistic concurrency, soft delete only) and belongs to a participant, so site isolation is
one filter (``participant__site``). Coded values use the controlled terminology of
:mod:`hccrt.records.schema` (one vocabulary for capture and records); derived values (CTCAE
grade, QoL scale scores, Y-90 doses) are computed by the clinical core in ``clean()`` and are
not editable.

The forms live in topical modules; this package re-exports every public name, so
``from hccrt.web.capture.models import X`` and ``models.X`` read the same as ever:

- :mod:`.base`: Form, VisitLinked, protocol facts, roles, memberships, TOTP devices
- :mod:`.enrolment`: screening, randomization lists, allocation
- :mod:`.y90`: Y-90 plan, administration, post-treatment dosimetry
- :mod:`.treatments`: SBRT, HAIC, systemic therapy lines and doses
- :mod:`.observations`: visits, vital signs, labs, quality of life, Child-Pugh signs
- :mod:`.imaging`: tumour assessments, lesions, regional liver function
- :mod:`.history`: medical history, medications, protocol deviations
- :mod:`.outcomes`: adverse events, surgery and pathology, subsequent treatment,
  disposition, data queries
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from hccrt.records import schema as rs
from hccrt.web.capture.models.base import (
    Form,
    Membership,
    ProtocolFacts,
    Role,
    TotpDevice,
    VisitLinked,
    _choices,
    _non_negative,
    protocol_facts,
    protocol_model,
)
from hccrt.web.capture.models.enrolment import (
    Allocation,
    RandomizationList,
    Screening,
    StratumCounter,
)
from hccrt.web.capture.models.history import (
    ConcomitantMedication,
    MedicalHistory,
    ProtocolDeviation,
)
from hccrt.web.capture.models.imaging import Lesion, RegionalLiverFunction, TumourAssessment
from hccrt.web.capture.models.observations import (
    ASCITES,
    ENCEPHALOPATHY,
    ChildPughClinical,
    LabResult,
    QolResponse,
    Visit,
    VitalSigns,
)
from hccrt.web.capture.models.outcomes import (
    AdverseEvent,
    DataQuery,
    Disposition,
    SubsequentTreatment,
    SurgeryPathology,
)
from hccrt.web.capture.models.treatments import (
    HaicCycle,
    SbrtCourse,
    SbrtFraction,
    SystemicDose,
    SystemicTherapy,
)
from hccrt.web.capture.models.y90 import (
    POST_TREATMENT_DOSES,
    Y90Administration,
    Y90Plan,
    Y90PostTreatmentDosimetry,
)
from hccrt.web.core.models import Participant, Protocol, Site  # read as models.X by callers

#: the forms of the first capture release (pages, admin)
FORM_MODELS: tuple[type[Form], ...] = (
    Screening, Allocation, Y90Plan, Y90Administration, Y90PostTreatmentDosimetry, SbrtCourse,
    SbrtFraction, HaicCycle, SystemicTherapy, Visit, VitalSigns, LabResult, TumourAssessment,
    Lesion, AdverseEvent, QolResponse, SurgeryPathology, SubsequentTreatment, Disposition,
    DataQuery,
)  # fmt: skip
#: the forms added for the records bridge (MH, CM, DV, Child-Pugh signs, EX doses, XL):
#: API and bridge only, no generic page yet
EXTRA_FORM_MODELS: tuple[type[Form], ...] = (
    MedicalHistory, ConcomitantMedication, ProtocolDeviation, ChildPughClinical, SystemicDose,
    RegionalLiverFunction,
)  # fmt: skip

__all__ = [
    "ASCITES", "ENCEPHALOPATHY", "EXTRA_FORM_MODELS", "FORM_MODELS", "POST_TREATMENT_DOSES",
    "AdverseEvent",
    "Allocation", "ChildPughClinical", "ConcomitantMedication", "DataQuery", "Disposition",
    "Form", "HaicCycle", "LabResult", "Lesion", "MedicalHistory", "Membership",
    "Participant", "Protocol", "ProtocolDeviation", "ProtocolFacts", "QolResponse",
    "RandomizationList", "RegionalLiverFunction", "Role", "SbrtCourse", "SbrtFraction",
    "Screening", "Site",
    "StratumCounter", "SubsequentTreatment", "SurgeryPathology", "SystemicDose",
    "SystemicTherapy", "TotpDevice", "TumourAssessment", "ValidationError", "Visit",
    "VisitLinked", "VitalSigns", "Y90Administration", "Y90Plan", "Y90PostTreatmentDosimetry",
    "_choices", "_non_negative",
    "protocol_facts", "protocol_model", "rs",
]  # fmt: skip
