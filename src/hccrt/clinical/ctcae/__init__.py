"""CTCAE v5.0 grading of laboratory values, per value and vectorized over tables.

Authority: National Cancer Institute, *Common Terminology Criteria for Adverse Events (CTCAE)
version 5.0*, 27 November 2017 (US DHHS/NIH/NCI). The grade texts kept in :data:`TERMS` are
the NCI cells as machine-readably transcribed by the pharmaverse ``admiral`` project
(``atoxgr_criteria_ctcv5``, admiral 1.5.0.9003); admiral's grading code was used as a
cross-check, and where it departs from the NCI text the NCI text is followed (listed below).

Terms graded (NCI term, analyte, direction)
-------------------------------------------
Blood bilirubin increased, Aspartate/Alanine aminotransferase increased, Alkaline phosphatase
increased, GGT increased (x ULN, or x baseline when the baseline was abnormal); Creatinine
increased (x ULN and x baseline); INR increased (absolute, and x baseline if on
anticoagulation); Hypoalbuminemia, Anemia, Platelet / Neutrophil / White blood cell /
Lymphocyte count decreased (absolute cut-offs, grade 1 from the LLN); Hyponatremia,
Hypernatremia, Hypokalemia, Hyperkalemia.

Conventions (NCI wording, and how it is read)
---------------------------------------------
- A range ``>A - B`` means strictly above A and at most B; ``<A - B`` means strictly below A
  and at least B. A value exactly on a cut-off therefore takes the milder grade (e.g. ALT
  exactly 3.0 x ULN is grade 1). A range written without ``>`` (``1.5 - 3.0 x baseline``)
  includes its lower bound.
- Comparisons allow a relative tolerance of 1e-12 so that floating-point noise from unit
  conversion (1.5 mg/dL x 17.1) cannot move a value across a cut-off (admiral does the same
  with ``signif(x, 15)``).
- Values are converted to the SI unit of :data:`hccrt.units.CANONICAL_UNIT` before grading;
  the absolute cut-offs are the NCI SI figures (g/L, 10^9/L, mmol/L). ULN, LLN and baseline are
  in the record's unit.
- "Baseline abnormal" (liver enzymes, bilirubin) means baseline above ULN. It can be given
  explicitly (``baseline_abnormal``); otherwise it is derived as ``baseline > ULN``; with no
  baseline the baseline-normal (x ULN) criteria apply, as in admiral. When the baseline is
  abnormal the ULN is not used and a value above ULN can be grade 0.
- Grades are given only when they are certain from the data: a missing LLN/ULN/baseline gives
  "not gradable" (grade ``None`` with a reason) unless the value already reaches a grade that
  does not depend on the missing limit (platelets 74 x 10^9/L with no LLN is grade 2). A
  missing or unconvertible unit is "not gradable", never grade 0.
- CTCAE has no grade 0; grade 0 here means "gradable and within no grade's criteria".

Clinical context (explicit inputs and their defaults)
-----------------------------------------------------
- ``anticoagulated`` (default ``False``): INR is graded on the absolute cut-offs (>1.2, >1.5,
  >2.5). NCI adds the alternative ">1 - 1.5 / >1.5 - 2.5 / >2.5 x baseline if on
  anticoagulation"; for an anticoagulated patient both alternatives apply (NCI CTCAE v5.0
  introduction: "a semi-colon indicates 'or' within the description of the grade") and the
  worse grade is taken, which needs the baseline. Most HCC trial patients are not
  anticoagulated; admiral always assumes anticoagulation (worst case).
- ``symptomatic`` (default ``False``): hyponatremia 125-129 mmol/L is grade 2 when
  asymptomatic and 3 when symptomatic; hypokalemia <LLN-3.0 is grade 1, and grade 2 when
  "symptomatic with <LLN - 3.0 mmol/L; intervention indicated" (pass ``True`` when either
  applies). Default: lab-only (asymptomatic) reading. admiral assumes symptomatic (worst
  case); pass ``True`` for that reading.
- ``life_threatening`` (default ``False``) raises an abnormal value (grade >= 1) to grade 4 for
  the terms whose NCI grade 4 is "life-threatening consequences" (anemia, hypoalbuminemia,
  sodium and potassium terms). ``fatal`` (default ``False``) gives grade 5 (death) for the
  same terms; grade 5 is never derived from a lab value. Both are ignored for terms without
  such grades (the liver enzymes, bilirubin, creatinine, INR, blood counts).
- Transfusion ("anemia grade 3: transfusion indicated") and intervention/hospitalisation
  qualifiers of the electrolyte terms are not inputs: the lab-value criteria decide.

Departures from admiral's implementation (the NCI text is followed)
-------------------------------------------------------------------
1. GGT, baseline abnormal: NCI "2.0 - 2.5 x baseline" includes 2.0 x baseline (grade 1);
   admiral uses ``> 2*BASE`` for GGT (but ``>=`` for ALP).
2. Hyponatremia: NCI grade 2/3 is "125-129 mmol/L" and grade 1 "<LLN - 130"; a non-integer
   value such as 129.5 is read as within the 125-<130 band (grade 2 or 3), since it is below
   130. admiral grades 129.5 as 1 (it tests ``<= 129``).
3. Creatinine with ULN missing: not gradable (the ULN criteria can give a higher grade than
   the baseline criteria); admiral returns the baseline-based grade.
4. INR: the x-baseline alternative applies only when ``anticoagulated`` is set (admiral:
   always). Anticoagulated with the baseline missing is not gradable unless the absolute value
   is already grade 3 (admiral grades from the absolute cut-offs, e.g. 1.6 -> 2, although the
   baseline alternative could give 3).
5. Electrolyte symptom default (asymptomatic) as above; admiral assumes symptomatic.
6. Baseline flagged abnormal but baseline value missing: not gradable; admiral gives grade 0.
   Baseline abnormal with ULN missing: graded on the baseline (the ULN is not used then);
   admiral requires the ULN.
7. Anaemia reported in mmol/L is graded with NCI's own mmol/L cut-offs (<6.2, <4.9 mmol/L)
   rather than by converting to g/L: NCI's mmol/L figures are rounded (6.2 mmol/L is
   99.9 g/L at 0.6206 mmol/L per g/dL), so converting would grade 6.2 mmol/L as 2 where NCI
   says 1. admiral grades haemoglobin only in g/L (SI) or g/dL.

The package, one module per responsibility:

- :mod:`~hccrt.clinical.ctcae.terms`: the graded terms (:data:`TERMS`), their NCI texts and
  cut-offs;
- :mod:`~hccrt.clinical.ctcae.aliases`: test names and codes accepted for each term
  (:data:`TEST_ALIASES`, :func:`resolve_test`);
- :mod:`~hccrt.clinical.ctcae.kernel`: the vectorized grading rules and the "not gradable"
  reason codes (:data:`NOT_GRADABLE_REASONS`);
- :mod:`~hccrt.clinical.ctcae.single`: one value (:func:`grade_lab`, :class:`CtcaeGrade`);
- :mod:`~hccrt.clinical.ctcae.table`: a table of results (:func:`grade_lab_table`).
"""

from hccrt.clinical.ctcae.aliases import TEST_ALIASES, resolve_test
from hccrt.clinical.ctcae.kernel import NOT_GRADABLE_REASONS
from hccrt.clinical.ctcae.single import CtcaeGrade, grade_lab
from hccrt.clinical.ctcae.table import grade_lab_table
from hccrt.clinical.ctcae.terms import TERMS, CtcaeTerm

__all__ = [
    "NOT_GRADABLE_REASONS",
    "TERMS",
    "TEST_ALIASES",
    "CtcaeGrade",
    "CtcaeTerm",
    "grade_lab",
    "grade_lab_table",
    "resolve_test",
]
