"""Tumour response: lesions, RECIST 1.1, mRECIST, localized criteria, timepoint and best
response, central review, SDTM TU/TR/RS in and ADRS/ADTR out.

Pure core except :mod:`hccrt.response.sdtm` (the reader). Start with
:func:`derive_timepoint_response` and :func:`derive_best_response`, or
:func:`derive_response` for the whole chain.
"""

from hccrt.response.adrs import derive_adrs, measurable_disease
from hccrt.response.adtr import derive_adtr
from hccrt.response.baseline import check_baseline, validate_baseline
from hccrt.response.best import BestResponseParams, derive_best_response, select_records
from hccrt.response.criteria import Criteria, CriteriaRules, rules_for
from hccrt.response.lesions import LesionAssessment, Role, Status, validate_lesions
from hccrt.response.pipeline import ResponseResult, derive_response
from hccrt.response.review import (
    CentralReviewRule,
    accepted_by_reader_choice,
    accepted_response,
    agreement,
    reader_agreement,
)
from hccrt.response.timepoint import (
    PreparedLesions,
    derive_timepoint_response,
    prepare_lesions,
)

__all__ = [
    "BestResponseParams",
    "CentralReviewRule",
    "Criteria",
    "CriteriaRules",
    "LesionAssessment",
    "PreparedLesions",
    "ResponseResult",
    "Role",
    "Status",
    "accepted_by_reader_choice",
    "accepted_response",
    "agreement",
    "check_baseline",
    "derive_adrs",
    "derive_adtr",
    "derive_best_response",
    "derive_response",
    "derive_timepoint_response",
    "measurable_disease",
    "prepare_lesions",
    "reader_agreement",
    "rules_for",
    "select_records",
    "validate_baseline",
    "validate_lesions",
]
