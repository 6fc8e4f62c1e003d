"""CTCAE v5.0 Pneumonitis grading.

Reference: NCI CTCAE v5.0 (27 Nov 2017), term "Pneumonitis" (Respiratory, thoracic and
mediastinal disorders). The grade wording was checked against several independent public
transcriptions of the v5.0 table (scores.md 3.5 marks it [lit]); each grade's descriptors are
tested as alternatives, one at a time.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccrt.clinical.pneumonitis import PNEUMONITIS_CRITERIA, grade_pneumonitis
from hccrt.errors import InputError


def test_nci_v5_wording():
    assert PNEUMONITIS_CRITERIA[1] == (
        "Asymptomatic; clinical or diagnostic observations only; intervention not indicated"
    )
    assert PNEUMONITIS_CRITERIA[2] == (
        "Symptomatic; medical intervention indicated; limiting instrumental ADL"
    )
    assert PNEUMONITIS_CRITERIA[3] == "Severe symptoms; limiting self care ADL; oxygen indicated"
    assert PNEUMONITIS_CRITERIA[4].startswith(
        "Life-threatening respiratory compromise; urgent intervention indicated"
    )
    assert "tracheotomy or intubation" in PNEUMONITIS_CRITERIA[4]
    assert PNEUMONITIS_CRITERIA[5] == "Death"


def test_grade_0_no_pneumonitis():
    assert grade_pneumonitis(present=False).grade == 0


def test_grade_1_asymptomatic_imaging_finding():
    r = grade_pneumonitis(present=True)
    assert r.grade == 1 and r.criterion == PNEUMONITIS_CRITERIA[1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"symptoms": "present"},  # "Symptomatic"
        {"medical_intervention_indicated": True},  # e.g. corticosteroids
        {"adl_limitation": "instrumental"},
    ],
)
def test_grade_2_each_descriptor(kwargs):
    assert grade_pneumonitis(present=True, **kwargs).grade == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"symptoms": "severe"},
        {"adl_limitation": "self_care"},
        {"oxygen_indicated": True},
        {"symptoms": "present", "medical_intervention_indicated": True, "oxygen_indicated": True},
    ],
)
def test_grade_3_each_descriptor(kwargs):
    assert grade_pneumonitis(present=True, **kwargs).grade == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"life_threatening_respiratory_compromise": True},
        {"urgent_airway_intervention_indicated": True},  # tracheotomy or intubation
        {"oxygen_indicated": True, "urgent_airway_intervention_indicated": True},
    ],
)
def test_grade_4_each_descriptor(kwargs):
    assert grade_pneumonitis(present=True, **kwargs).grade == 4


def test_grade_5_death():
    r = grade_pneumonitis(present=True, fatal=True, oxygen_indicated=True)
    assert r.grade == 5 and r.reasons == ("death",)


def test_inconsistent_and_bad_inputs():
    with pytest.raises(InputError) as exc:
        grade_pneumonitis(present=False, oxygen_indicated=True)
    assert exc.value.field == "present"
    with pytest.raises(InputError):
        grade_pneumonitis(present=True, symptoms="mild")
    with pytest.raises(InputError):
        grade_pneumonitis(present=True, adl_limitation="self care")
    with pytest.raises(InputError):
        grade_pneumonitis(present="yes")  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    present=st.one_of(st.booleans(), st.none(), st.integers(0, 1)),
    symptoms=st.one_of(st.sampled_from(["none", "present", "severe"]), st.text(max_size=4)),
    adl=st.one_of(st.sampled_from(["none", "instrumental", "self_care"]), st.none()),
    flags=st.lists(st.one_of(st.booleans(), st.none()), min_size=5, max_size=5),
)
def test_no_crash_other_than_input_error(present, symptoms, adl, flags):
    try:
        r = grade_pneumonitis(
            present=present,
            symptoms=symptoms,
            adl_limitation=adl,
            medical_intervention_indicated=flags[0],
            oxygen_indicated=flags[1],
            life_threatening_respiratory_compromise=flags[2],
            urgent_airway_intervention_indicated=flags[3],
            fatal=flags[4],
        )
    except InputError:
        return
    assert r.grade in range(6)
    assert (r.grade == 0) == (present is False)
