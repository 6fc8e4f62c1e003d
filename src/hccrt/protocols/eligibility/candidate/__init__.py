"""Screening input: what a site captures about a candidate, and the facts derived from it.

Two ways in, one table out:

* :class:`ScreeningInput` (pydantic) is one candidate as nested JSON: demographics, labs with
  units, dates and site ULNs, imaging findings, prior treatments and medications with dates,
  99mTc-MAA results, attestations. :meth:`ScreeningInput.to_row` flattens it, deriving the
  treatment-history facts (last locoregional therapy, prior systemic lines, ...) from the
  dated lists.
* A flat table (CSV, one row per candidate, one column per input; see :data:`INPUT_COLUMNS`)
  is read as is.

:func:`facts_frame` validates the flat table column by column (vectorised; a bad cell raises
:class:`~hccrt.errors.InputError` naming the column, the value and what is allowed) and adds
the derived facts from the clinical core and the planning module: age in completed years,
Child-Pugh points and class, Cockcroft-Gault clearance, BCLC and CNLC stage, up-to-seven,
Couinaud contiguity, partition-model lung dose at a reference tumour dose and the untreated
non-tumorous liver fraction. Missing values stay missing (NaN/None): the engine reports them
by name; nothing is guessed.

Conventions
-----------
- Labs: ``<analyte>`` (a number, or a string such as ``"1.2 mg/dL"``), ``<analyte>_unit``,
  ``<analyte>_date`` and ``<analyte>_uln`` (site upper limit of normal, in the same unit).
  A number without a unit is refused: units are explicit.
- Dates: ISO ``YYYY-MM-DD``. For a dated event (``last_locoregional_date`` ...) the word
  ``none`` means the event never happened; an empty cell means unknown.
- Booleans: true/false, yes/no, y/n, 1/0.
- Attestations: columns ``attest:<criterion id>`` (any protocol) or
  ``attest:<protocol code>:<criterion id>``; true/false answer the rule's ``attest`` statement.
- Age: ``birth_date`` (preferred) or ``age`` in completed years at screening. Without a birth
  date, age at consent is taken to be the age at screening.
- Reference dates: lab windows and "within N before screening" count back from
  ``screening_date`` (rescue's "within one month of study enrollment" included: enrolment is
  not known at screening). Windows "prior to initiation of study treatment" count back from
  ``treatment_start_date`` when given, otherwise from the screening date, which can only
  exclude a candidate too early, never admit one wrongly (an event within N days of
  screening is within N days of any later start).
The package, one module per responsibility: :mod:`.columns` (the flat table's columns),
:mod:`.json_input` (:class:`ScreeningInput` and its flattening), :mod:`.reading` (files),
:mod:`.parsers` (column validation), :mod:`.frame` (:class:`Facts`, :func:`facts_frame` and
the derived facts), :mod:`.staging` (BCLC, CNLC, up-to-seven) and :mod:`.planning` (lung dose,
untreated liver fraction).
"""

from hccrt.protocols.eligibility.candidate.columns import INPUT_COLUMNS, input_columns
from hccrt.protocols.eligibility.candidate.columns import NEVER as NEVER
from hccrt.protocols.eligibility.candidate.columns import PLAIN_FACTS as PLAIN_FACTS
from hccrt.protocols.eligibility.candidate.frame import Facts as Facts
from hccrt.protocols.eligibility.candidate.frame import category_codes as category_codes
from hccrt.protocols.eligibility.candidate.frame import facts_frame
from hccrt.protocols.eligibility.candidate.json_input import (
    Lab,
    Medication,
    PriorTreatment,
    ScreeningInput,
)
from hccrt.protocols.eligibility.candidate.planning import lung_dose_at_reference
from hccrt.protocols.eligibility.candidate.planning import untreated_fraction as untreated_fraction
from hccrt.protocols.eligibility.candidate.reading import read_candidates

# Facts, category_codes, untreated_fraction, NEVER and PLAIN_FACTS are importable from here
# too (explicit re-exports), but were never in __all__.
__all__ = [
    "INPUT_COLUMNS",
    "Lab",
    "Medication",
    "PriorTreatment",
    "ScreeningInput",
    "facts_frame",
    "input_columns",
    "lung_dose_at_reference",
    "read_candidates",
]
