"""REILD classification and Braat 2017 hepatotoxicity grading.

References:
- Sangro B et al., Cancer 2008;112:1538-46, abstract: jaundice and ascites appearing 4 to 8
  weeks after radioembolization (window day 28-56), without tumour progression or bile-duct
  occlusion.
- Braat MNGJA et al., Eur J Gastroenterol Hepatol 2017;29:144-52, definition and grading as
  quoted in van Roekel C, PhD thesis (Utrecht), ch. 2 pp. 38-39: jaundice, new or increased
  ascites, hyperbilirubinaemia and hypoalbuminaemia from two weeks to four months after
  treatment; grades 0-5.
- Jaundice threshold 3.0 mg/dL = 51.3 umol/L (1 mg/dL = 17.1 umol/L): the documented
  operational default of hccrt.clinical.reild (a parameter; see its docstring).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccrt.clinical.reild import braat_hepatotoxicity_grade, classify_reild
from hccrt.errors import InputError

T0 = dt.date(2024, 3, 1)


def day(n: int) -> dt.date:
    return T0 + dt.timedelta(days=n)


def sangro(bili, ascites, progression=False, obstruction=False, **kw):
    return classify_reild(
        treatment_date=T0,
        bilirubin=bili,
        ascites_dates=ascites,
        tumour_progression=progression,
        biliary_obstruction=obstruction,
        **kw,
    )


def test_sangro_typical_case_met():
    r = sangro([(day(10), 1.1), (day(35), 4.2)], [day(40)])
    assert r.met is True
    assert r.jaundice_date == day(35) and r.ascites_date == day(40)
    assert r.window == (day(28), day(56))


@pytest.mark.parametrize(("n", "inside"), [(27, False), (28, True), (56, True), (57, False)])
def test_sangro_window_4_to_8_weeks_boundaries(n, inside):
    r = sangro([(day(n), 5.0)], [day(n)])
    assert r.met is inside


@pytest.mark.parametrize(
    ("value", "jaundice"),
    [(3.0, True), (2.99, False), ("51.3 umol/L", True), ("51.2 umol/L", False)],
)
def test_bilirubin_threshold_3_mg_dl_boundary(value, jaundice):
    r = sangro([(day(30), value)], [day(30)])
    assert r.met is jaundice


def test_threshold_is_a_parameter():
    assert sangro([(day(30), 2.5)], [day(30)], bilirubin_threshold="2 mg/dL").met is True


def test_exclusions_and_adjudication():
    bili, asc = [(day(30), 5.0)], [day(31)]
    r = sangro(bili, asc, progression=True)
    assert r.met is False and "excluded: tumour progression" in r.reasons
    r = sangro(bili, asc, obstruction=True)
    assert r.met is False and "excluded: biliary obstruction" in r.reasons
    r = sangro(bili, asc, progression=None)
    assert r.met is None and "not adjudicated: tumour progression" in r.reasons[-1]
    # criteria not met: False even when exclusions are not adjudicated
    assert sangro(bili, [], progression=None, obstruction=None).met is False


def test_ascites_alone_or_jaundice_alone_not_reild():
    assert sangro([(day(30), 1.0)], [day(30)]).met is False
    assert sangro([(day(30), 6.0)], []).met is False


def test_braat_window_and_hypoalbuminemia():
    kw = {"definition": "braat2017", "albumin_lln": 3.5}
    r = sangro([(day(14), 3.5)], [day(20)], albumin=[(day(21), 2.9)], **kw)
    assert r.met is True and r.hypoalbuminemia_date == day(21)
    assert r.window == (day(14), day(120))
    # outside the Sangro 4-8 week window, inside Braat's 2 weeks - 4 months
    assert sangro([(day(100), 3.5)], [day(100)], albumin=[(day(100), 2.9)], **kw).met is True
    assert sangro([(day(100), 3.5)], [day(100)]).met is False  # Sangro
    assert sangro([(day(121), 3.5)], [day(121)], albumin=[(day(121), 2.9)], **kw).met is False
    assert sangro([(day(13), 3.5)], [day(13)], albumin=[(day(13), 2.9)], **kw).met is False
    # albumin exactly at LLN is not hypoalbuminaemia
    assert sangro([(day(30), 3.5)], [day(30)], albumin=[(day(30), 3.5)], **kw).met is False
    # albumin not provided: indeterminate when the rest is met
    r = sangro([(day(30), 3.5)], [day(30)], definition="braat2017")
    assert r.met is None


def test_bad_inputs():
    with pytest.raises(InputError):
        sangro([(day(30), -1.0)], [day(30)])
    with pytest.raises(InputError):
        sangro([(day(30), "3 furlong")], [day(30)])
    with pytest.raises(InputError):
        sangro([(day(-3), 3.0)], [day(30)])
    with pytest.raises(InputError):
        sangro([(day(30), 3.0)], [day(30)], definition="salem2010")
    with pytest.raises(InputError):
        sangro([(day(30), 3.0)], [day(30)], progression="no")
    with pytest.raises(InputError):
        sangro([("2024-04-01", 3.0)], [day(30)])


# ---------------------------------------------------------------- Braat grading


def braat(base=None, worst=None, **kw):
    return braat_hepatotoxicity_grade(
        baseline_grades=base or {}, worst_grades=worst or {}, reild=kw.pop("reild", False), **kw
    ).grade


def test_braat_grade_0_no_change():
    assert braat({"alt_increased": 1}, {"alt_increased": 1}) == 0


def test_braat_grade_1_enzymes_only_new_grade_1():
    assert braat({}, {"alt_increased": 1, "ggt_increased": 1}) == 1


def test_braat_grade_2_beyond_enzymes_or_beyond_grade_1():
    assert braat({}, {"alt_increased": 2}) == 2
    assert braat({}, {"bilirubin_increased": 1}) == 2
    assert braat({}, {"hypoalbuminemia": 1}) == 2


def test_braat_grades_3_4_5_reild():
    assert braat(reild=True, reild_treatment="noninvasive") == 3
    assert braat(reild=True, reild_treatment="invasive") == 4
    assert braat(reild=True, reild_treatment="invasive", fatal=True) == 5


def test_braat_inconsistent_inputs():
    with pytest.raises(InputError):
        braat(reild=False, reild_treatment="invasive")
    with pytest.raises(InputError):
        braat({}, {"alt_increased": 2}, medical_intervention=True)
    with pytest.raises(InputError):
        braat({}, {"creatinine_increased": 2})
    with pytest.raises(InputError):
        braat({}, {"alt_increased": 7})


# ---------------------------------------------------------------- properties

_value = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-5, 100),
    st.sampled_from(["3 mg/dL", "60 umol/L", "x", "2 g/L"]),
    st.none(),
)


@settings(max_examples=150, deadline=None)
@given(
    bili=st.lists(st.tuples(st.integers(-10, 200).map(day), _value), max_size=5),
    asc=st.lists(st.integers(-10, 200).map(day), max_size=3),
    prog=st.one_of(st.none(), st.booleans(), st.integers(0, 1)),
    definition=st.sampled_from(["sangro2008", "braat2017", "other"]),
    alb=st.one_of(st.none(), st.lists(st.tuples(st.integers(0, 200).map(day), _value))),
)
def test_classify_no_crash_other_than_input_error(bili, asc, prog, definition, alb):
    try:
        r = classify_reild(
            treatment_date=T0,
            bilirubin=bili,
            ascites_dates=asc,
            tumour_progression=prog,
            biliary_obstruction=False,
            albumin=alb,
            albumin_lln=3.5,
            definition=definition,
        )
    except InputError:
        return
    assert r.met in (True, False, None) and r.reasons
