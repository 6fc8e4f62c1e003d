"""RECIST 1.1 timepoint response: scenario tests of every row of the overall-response tables
(Eisenhauer et al., Eur J Cancer 2009;45:228-247, Table 1 "target and non-target" and Table 2
"non-target only") and of the target-lesion rules at their cut-offs (section 4.3.1)."""

from __future__ import annotations

import pytest

from hccrt.response.timepoint import derive_timepoint_response
from tests.response.helpers import NEW, NT, T, visits


def overall(df, criteria="recist11", **kw):
    return derive_timepoint_response(df, criteria, **kw)["overall"].tolist()


def one(df, col="overall", criteria="recist11", **kw):
    return derive_timepoint_response(df, criteria, **kw)[col].tolist()[-1]


BASE = [T("T1", 50), T("T2", 50), NT("N1")]


# ---- Table 1: target lesions (+/- non-target) -------------------------------------------------
@pytest.mark.parametrize(
    ("follow", "expected"),
    [
        # CR | CR | No -> CR
        ([T("T1", 0), T("T2", 0), NT("N1", "ABSENT")], "CR"),
        # CR | Non-CR/non-PD | No -> PR
        ([T("T1", 0), T("T2", 0), NT("N1", "PRESENT")], "PR"),
        # CR | Not evaluated | No -> PR
        ([T("T1", 0), T("T2", 0), NT("N1", "NOT EVALUABLE")], "PR"),
        # PR | Non-PD or not all evaluated | No -> PR
        ([T("T1", 35), T("T2", 35), NT("N1", "PRESENT")], "PR"),
        ([T("T1", 35), T("T2", 35), NT("N1", "NOT EVALUABLE")], "PR"),
        # SD | Non-PD or not all evaluated | No -> SD
        ([T("T1", 45), T("T2", 45), NT("N1", "PRESENT")], "SD"),
        ([T("T1", 45), T("T2", 45), NT("N1", "NOT EVALUABLE")], "SD"),
        # Not all evaluated | Non-PD | No -> NE
        ([T("T1", 45), T("T2", None), NT("N1", "PRESENT")], "NE"),
        # PD | Any | Yes or No -> PD
        ([T("T1", 65), T("T2", 60), NT("N1", "PRESENT")], "PD"),
        # Any | PD | Yes or No -> PD
        ([T("T1", 0), T("T2", 0), NT("N1", "UNEQUIVOCAL")], "PD"),
        # Any | Any | Yes -> PD
        ([T("T1", 0), T("T2", 0), NT("N1", "ABSENT"), NEW("X1")], "PD"),
    ],
)
def test_table1_rows(follow, expected):
    assert one(visits(BASE, follow)) == expected


# ---- Table 2: non-target lesions only ----------------------------------------------------------
@pytest.mark.parametrize(
    ("follow", "expected"),
    [
        ([NT("N1", "ABSENT"), NT("N2", "ABSENT")], "CR"),
        ([NT("N1", "ABSENT"), NT("N2", "PRESENT")], "NON-CR/NON-PD"),
        ([NT("N1", "ABSENT"), NT("N2", "NOT EVALUABLE")], "NE"),
        ([NT("N1", "ABSENT")], "NE"),  # N2 not assessed at all
        ([NT("N1", "UNEQUIVOCAL"), NT("N2", "PRESENT")], "PD"),
        ([NT("N1", "ABSENT"), NT("N2", "ABSENT"), NEW("X1")], "PD"),
    ],
)
def test_table2_rows(follow, expected):
    assert one(visits([NT("N1"), NT("N2")], follow)) == expected


# ---- cut-offs (section 4.3.1) ---------------------------------------------------------------
def test_pr_at_exactly_minus_30_percent_and_sd_just_above():
    base = [T("T1", 50), T("T2", 50)]
    assert one(visits(base, [T("T1", 35), T("T2", 35)])) == "PR"  # -30.0 %
    assert one(visits(base, [T("T1", 35), T("T2", 35.01)])) == "SD"  # -29.99 %


def test_pd_needs_20_percent_and_5_mm_over_the_nadir():
    base = [T("T1", 50), T("T2", 50)]
    # nadir 60 at V1: 72 = +20 % and +12 mm -> PD; 71.99 -> SD (relative to baseline -28 %)
    assert one(visits(base, [T("T1", 30), T("T2", 30)], [T("T1", 36), T("T2", 36)])) == "PD"
    assert one(visits(base, [T("T1", 30), T("T2", 30)], [T("T1", 36), T("T2", 35.99)])) == "SD"
    # small sums: nadir 20 -> 24 is +20 % but only +4 mm: not PD (the 5 mm rule), 25 is PD
    b2 = [T("T1", 30), T("T2", 30)]
    assert one(visits(b2, [T("T1", 10), T("T2", 10)], [T("T1", 12), T("T2", 12)])) == "PR"
    assert one(visits(b2, [T("T1", 10), T("T2", 10)], [T("T1", 12), T("T2", 13)])) == "PD"


def test_progression_is_measured_from_the_nadir_not_baseline():
    # EORTC clarification: SD = no PR vs baseline and no PD vs smallest sum on study
    base = [T("T1", 100)]
    df = visits(base, [T("T1", 60)], [T("T1", 75)])
    tp = derive_timepoint_response(df, "recist11")
    assert tp["overall"].tolist() == ["PR", "PD"]  # 75 is +25 % over nadir 60, still -25 % vs 100
    assert tp["nadir"].tolist() == [100.0, 60.0]


def test_lymph_node_short_axis_under_10_mm_is_normal_for_cr():
    base = [T("L1", short_axis=20, site="LYMPH NODE"), T("T2", 20)]
    assert one(visits(base, [T("L1", short_axis=9.9, site="LYMPH NODE"), T("T2", 0)])) == "CR"
    assert one(visits(base, [T("L1", short_axis=10, site="LYMPH NODE"), T("T2", 0)])) == "PR"


def test_missing_target_is_ne_unless_pd_certain():
    base = [T("T1", 40), T("T2", 40), T("T3", 20)]
    # assessed lesions alone reach +20 % and +5 mm over the nadir 100 -> PD
    assert one(visits(base, [T("T1", 60), T("T2", 60), T("T3", None)])) == "PD"
    assert one(visits(base, [T("T1", 50), T("T2", 60), T("T3", None)])) == "NE"


def test_too_small_to_measure_counts_5_mm_and_absent_counts_0():
    # EORTC RECIST clarifications: present but too small -> 5 mm
    base = [T("T1", 10), T("T2", 10)]
    tp = derive_timepoint_response(
        visits(base, [T("T1", None, status="TOO SMALL TO MEASURE"), T("T2", None,
                                                                      status="ABSENT")]),
        "recist11")
    assert tp["target_sum"].tolist() == [5.0]
    assert tp["overall"].tolist() == ["PR"]


def test_equivocal_new_lesion_is_not_pd_until_confirmed_then_dated_at_first_scan():
    # RECIST 1.1 section 4.3.2
    base = [T("T1", 50)]
    lone = visits(base, [T("T1", 50), NEW("X1", "EQUIVOCAL")])
    assert overall(lone) == ["SD"]
    confirmed = visits(base, [T("T1", 50), NEW("X1", "EQUIVOCAL")],
                       [T("T1", 50), NEW("X1", "UNEQUIVOCAL")])
    assert overall(confirmed) == ["PD", "PD"]


def test_reappearance_after_cr_rule_is_optional():
    # EORTC RECIST FAQ: after CR, reappearance is PD; off by default as the pharmaverse RS data
    # (01-701-1133 radiologist 2 week 9: 4.95 mm after CR -> PR) do not apply it.
    from hccrt.response.criteria import rules_for

    df = visits([T("T1", 30)], [T("T1", 0)], [T("T1", 4)])
    assert overall(df) == ["CR", "PR"]
    rules = rules_for("recist11", reappearance_after_cr_is_pd=True)
    assert overall(df, rules=rules) == ["CR", "PD"]


def test_incomplete_baseline_gives_ne_with_that_reason():
    tp = derive_timepoint_response(visits([T("T1", 30), T("T2", None)], [T("T1", 10),
                                                                        T("T2", 10)]))
    assert tp["overall"].tolist() == ["NE"]
    assert "baseline target measurements incomplete" in tp["reason"].item()
