"""Part 1: the eCRF tables validate through the clinical core; the rule lives there only.

Expected grades are read from the NCI CTCAE v5.0 table (cited per case), expected QoL scores
from the EORTC QLQ-C30 scoring manual's formulas.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

import hccrt
from hccrt.dosimetry.plan import Y90PlanInput, plan_y90
from hccrt.web.capture import models as m

pytestmark = [pytest.mark.database, pytest.mark.django_db]


def _lab(world, **kw):
    base = {"participant": world.pa, "collection_date": date(2026, 2, 1)}
    lab = m.LabResult(**{**base, **kw})
    lab.save(user=world.system)
    return lab


@pytest.mark.parametrize(
    ("test", "value", "unit", "limits", "grade"),
    [
        # ALT increased, baseline normal: grade 3 is >5.0 - 20.0 x ULN (250 / 40 = 6.25 x)
        ("ALT", 250, "U/L", {"uln": 40}, 3),
        # Blood bilirubin increased: grade 2 is >1.5 - 3.0 x ULN (3.0 / 1.2 = 2.5 x), mg/dL
        ("BILI", 3.0, "mg/dL", {"uln": 1.2}, 2),
        # Platelet count decreased: grade 3 is <50,000 - 25,000/mm3 (40 x 10^9/L)
        ("PLAT", 40, "10^9/L", {"lln": 150}, 3),
        # Platelets in /mm3 (converted by hccrt.units): 80,000/mm3 is grade 1 (<LLN - 75,000)
        ("PLAT", 80000, "/mm3", {"lln": 150000}, 1),
        # Hypoalbuminemia: grade 2 is <3 - 2 g/dL (<30 - 20 g/L)
        ("ALB", 2.5, "g/dL", {"lln": 3.5}, 2),
    ],
)
def test_lab_grade_is_the_nci_ctcae_grade(world, test, value, unit, limits, grade):
    lab = _lab(world, test=test, value=value, unit=unit, **limits)
    assert lab.ctcae_grade == grade
    assert lab.not_gradable_reason == ""


def test_lab_unit_spelling_is_normalised_by_the_units_module(world):
    lab = _lab(world, test="BILI", value=20, unit="µmol/l", uln=21)
    assert lab.unit == "umol/L" and lab.ctcae_grade == 0


@pytest.mark.parametrize(("unit", "allowed_part"), [("mg/furlong", "one of"),
                                                    ("U/L", "umol/L")])
def test_unknown_or_wrong_unit_is_refused_naming_field_and_value(world, unit, allowed_part):
    with pytest.raises(ValidationError) as info:
        _lab(world, test="BILI", value=1.0, unit=unit, uln=1.2)
    err = info.value.error_dict["unit"][0]
    assert err.params["value"] in (unit, "U/L") and allowed_part in err.params["rule"]
    assert not m.LabResult.objects.exists()


def test_lab_without_unit_is_kept_not_graded_and_opens_a_query(world):
    lab = _lab(world, test="ALT", value=250, unit="", uln=40)
    assert lab.ctcae_grade is None and "unit" in lab.not_gradable_reason
    q = m.DataQuery.objects.get(target_model="capture.labresult", target_pk=str(lab.pk))
    assert q.edit_check == "lab_without_unit" and q.status == "open"


def test_afp_takes_its_own_units_and_is_not_ctcae_graded(world):
    lab = _lab(world, test="AFP", value=420, unit="ng/mL")
    assert lab.ctcae_grade is None
    with pytest.raises(ValidationError):
        _lab(world, test="AFP", value=420, unit="g/L")


def test_negative_value_and_lln_above_uln_are_refused(world):
    with pytest.raises(ValidationError) as info:
        _lab(world, test="ALT", value=-1, unit="U/L", uln=40)
    assert "value" in info.value.error_dict
    with pytest.raises(ValidationError) as info:
        _lab(world, test="ALT", value=10, unit="U/L", uln=40, lln=50)
    assert "lln" in info.value.error_dict


def test_a_form_dated_before_consent_is_refused(world):
    with pytest.raises(ValidationError) as info:
        _lab(world, test="ALT", value=20, unit="U/L", uln=40, collection_date=date(2026, 1, 9))
    err = info.value.error_dict["collection_date"][0]
    assert "2026-01-10" in err.params["rule"]


def test_qlq_c30_scores_come_from_the_core(world):
    # all items answered 1 ("not at all"; global health 1 = "very poor"): functional scales
    # score 100, symptom scales 0 and global health 0 (EORTC scoring manual, 3rd ed.)
    q = m.QolResponse(participant=world.pa, completion_date=date(2026, 2, 1),
                      instrument="QLQ-C30", answers={f"q{i}": 1 for i in range(1, 31)})
    q.save(user=world.system)
    assert q.scores["PF2"] == 100 and q.scores["FA"] == 0 and q.scores["QL2"] == 0
    bad = m.QolResponse(participant=world.pa, completion_date=date(2026, 2, 1),
                        instrument="QLQ-C30", answers={"q1": 9})
    with pytest.raises(ValidationError) as info:
        bad.save(user=world.system)
    assert info.value.error_dict


Y90 = {"device": "glass", "model": "mird", "driver": "perfused_dose", "prescribed_value": 120,
       "perfused_volume_ml": 1000, "lsf": 0.05}


def test_y90_plan_outputs_are_the_planning_modules(world):
    plan = m.Y90Plan(participant=world.pa, plan_date=date(2026, 2, 1), inputs=Y90)
    plan.save(user=world.system)
    expected = plan_y90(Y90PlanInput.model_validate(Y90)).result
    assert plan.activity_gbq == expected.activity_gbq
    assert plan.result["lung_dose_gy"] == expected.lung_dose_gy
    admin = m.Y90Administration(participant=world.pa, plan=plan,
                                administration_date=date(2026, 2, 3),
                                delivered_activity_gbq=expected.activity_gbq * 0.9)
    admin.save(user=world.system)
    assert admin.report["delivered_activity_gbq"] == pytest.approx(expected.activity_gbq * 0.9)


def test_y90_plan_input_error_names_the_input(world):
    plan = m.Y90Plan(participant=world.pa, plan_date=date(2026, 2, 1), inputs={**Y90, "lsf": 1.5})
    with pytest.raises(ValidationError) as info:
        plan.save(user=world.system)
    assert "inputs.lsf" in info.value.error_dict
    assert not m.Y90Plan.objects.exists()


def test_sbrt_course_bed_from_the_core_and_fraction_bounds(world):
    course = m.SbrtCourse(participant=world.pa, start_date=date(2026, 2, 1),
                          prescribed_dose_gy=40, fractions=5)
    course.save(user=world.system)
    # BED = nd(1 + d/(a/b)) = 40 x (1 + 8/10) = 72 Gy (Fowler 1989)
    assert course.bed10_gy == pytest.approx(72.0)
    frac = m.SbrtFraction(participant=world.pa, course=course, number=6,
                          fraction_date=date(2026, 2, 8), dose_gy=8)
    with pytest.raises(ValidationError) as info:
        frac.save(user=world.system)
    assert "number" in info.value.error_dict


def test_adverse_event_cross_field_rules(world):
    ae = m.AdverseEvent(participant=world.pa, term="Fatigue", grade=5, serious=True,
                        start_date=date(2026, 2, 1))
    with pytest.raises(ValidationError) as info:
        ae.save(user=world.system)
    assert "results_in_death" in info.value.error_dict
    ae = m.AdverseEvent(participant=world.pa, term="Fatigue", grade=2,
                        start_date=date(2026, 2, 1), relatedness={"y90": "RELATED"})
    with pytest.raises(ValidationError) as info:
        ae.save(user=world.system)
    assert "['sbrt', 'sys']" in info.value.error_dict["relatedness"][0].params["rule"]
    ae.relatedness = {"sbrt": "POSSIBLY RELATED", "sys": "NOT RELATED"}
    ae.save(user=world.system)
    assert ae.version == 1


def test_disposition_withdrawal_needs_scope_and_death_a_cause(world):
    d = m.Disposition(participant=world.pa, disposition_date=date(2026, 3, 1),
                      event="WITHDRAWAL BY SUBJECT")
    with pytest.raises(ValidationError) as info:
        d.save(user=world.system)
    assert "withdrawal_scope" in info.value.error_dict
    d.withdrawal_scope = "visits"
    d.save(user=world.system)
    death = m.Disposition(participant=world.pb, disposition_date=date(2026, 3, 1), event="DEATH")
    with pytest.raises(ValidationError) as info:
        death.save(user=world.system)
    assert "death_cause" in info.value.error_dict


def test_lesion_viable_diameter_cannot_exceed_longest(world):
    a = m.TumourAssessment(participant=world.pa, assessment_date=date(2026, 2, 1),
                           timepoint="baseline", criteria="MRECIST", modality="MRI")
    a.save(user=world.system)
    lesion = m.Lesion(participant=world.pa, assessment=a, lesion_id="T01", role="TARGET",
                      longest_diameter_mm=40, viable_diameter_mm=45)
    with pytest.raises(ValidationError) as info:
        lesion.save(user=world.system)
    assert "viable_diameter_mm" in info.value.error_dict


def test_screening_outcome_comes_from_the_eligibility_engine(world):
    from hccrt.protocols import load_builtin
    from hccrt.web.core.models import Protocol
    from hccrt.web.core.services import store_protocol
    from tests.protocols.eligibility.candidates import candidate, lab

    store_protocol(load_builtin("rescue"), source="rescue.yaml")
    p = world.participant("R-S-1", world.site_a, Protocol.objects.get(code="rescue"))
    facts = candidate("rescue")
    facts.pop("candidate_id")
    s = m.Screening(participant=p, screening_date=date(2026, 1, 10), facts=facts)
    s.save(user=world.system)
    assert s.outcome == "eligible", s.criteria
    assert s.rule_version.endswith(f"hccrt {hccrt.__version__}")
    # issue 6's example: bilirubin 3.1 mg/dL fails RESCUE's <= 3.0 mg/dL
    s.facts = {**facts, "labs": {**facts["labs"], "bilirubin": lab(3.1, "mg/dL")}}
    s.save(user=world.system, reason="lab repeated")
    (crit,) = [c for c in s.criteria if c["id"] == "lab-bilirubin"]
    assert s.outcome == "not_eligible" and crit["outcome"] == "not met"
    s.confirmed = True
    with pytest.raises(ValidationError) as info:
        s.save(user=world.system, reason="confirm")
    assert "confirmed" in info.value.error_dict
