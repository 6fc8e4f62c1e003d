"""Central review: accepted result rule and reader agreement. Kappa is checked against a
published worked example (Wikipedia "Cohen's kappa", simple example: 50 proposals, 20 yes/yes,
5 yes/no, 10 no/yes, 15 no/no -> p_o 0.7, p_e 0.5, kappa 0.4) and against scikit-learn's
cohen_kappa_score on the same data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccrt.errors import InputError
from hccrt.response.best import derive_best_response
from hccrt.response.review import (
    accepted_by_reader_choice,
    accepted_response,
    agreement,
    reader_agreement,
)
from hccrt.response.sdtm import lesions_from_sdtm, read_sdtm_dir, subjects_from_sdtm
from hccrt.response.timepoint import derive_timepoint_response

DATA = Path("/work/shared/conformance/pharmaverse-recist")


def test_kappa_published_example():
    a = ["Y"] * 25 + ["N"] * 25
    b = ["Y"] * 20 + ["N"] * 5 + ["Y"] * 10 + ["N"] * 15
    r = agreement(a, b)
    assert r["percent_agreement"] == pytest.approx(70.0)
    assert r["expected_agreement"] == pytest.approx(0.5)
    assert r["kappa"] == pytest.approx(0.4)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["CR", "PR", "SD", "PD", "NE"]),
                          st.sampled_from(["CR", "PR", "SD", "PD", "NE"])), min_size=2))
def test_kappa_equals_sklearn(pairs):
    sk = pytest.importorskip("sklearn.metrics")
    a, b = zip(*pairs, strict=True)
    r = agreement(list(a), list(b))
    if r["expected_agreement"] < 1:
        assert r["kappa"] == pytest.approx(sk.cohen_kappa_score(a, b), abs=1e-12)


def test_agreement_bad_input():
    with pytest.raises(InputError):
        agreement(["CR"], ["CR", "PR"])
    with pytest.raises(InputError):
        agreement([None], ["CR"])


def rows(*recs):
    return pd.DataFrame(recs, columns=["subject", "evaluator", "visit", "date", "overall"])


def test_accepted_rule_agree_adjudicate_unresolved_incomplete():
    d = "2024-03-01"
    tp = rows(("A", "RADIOLOGIST 1", "W6", d, "PR"), ("A", "RADIOLOGIST 2", "W6", d, "PR"),
              ("B", "RADIOLOGIST 1", "W6", d, "PR"), ("B", "RADIOLOGIST 2", "W6", d, "SD"),
              ("B", "ADJUDICATOR", "W6", d, "SD"),
              ("C", "RADIOLOGIST 1", "W6", d, "PD"), ("C", "RADIOLOGIST 2", "W6", d, "SD"),
              ("D", "RADIOLOGIST 1", "W6", d, "CR"))
    acc = accepted_response(tp).set_index("subject")
    assert acc["overall"].to_dict() == {"A": "PR", "B": "SD", "C": "NE", "D": "NE"}
    assert acc["source"].to_dict() == {"A": "AGREE", "B": "ADJUDICATED", "C": "UNRESOLVED",
                                       "D": "INCOMPLETE"}


def test_pharmaverse_radiologists_timepoint_and_bor_agreement():
    if not DATA.is_dir():
        pytest.skip("conformance data not present")
    d = read_sdtm_dir(DATA)
    tp = derive_timepoint_response(lesions_from_sdtm(d.tr, d.tu))
    # RS data: the radiologists disagree at 01-701-1028 week 6 (NE/PD), 01-701-1133 weeks 3
    # (SD/PR) and 9 (PD/PR): 19 of 22 paired timepoints agree
    r = reader_agreement(tp)
    assert (r["n"], r["percent_agreement"]) == (22, pytest.approx(100 * 19 / 22))
    sk = pytest.importorskip("sklearn.metrics")
    m = tp.loc[tp["evaluator"] == "RADIOLOGIST 1"].merge(
        tp.loc[tp["evaluator"] == "RADIOLOGIST 2"], on=["subject", "visit"])
    assert r["kappa"] == pytest.approx(sk.cohen_kappa_score(m["overall_x"], m["overall_y"]))
    best = derive_best_response(tp, subjects_from_sdtm(d))
    rb = reader_agreement(best.loc[best["BOR"] != "MISSING"], value="BOR",
                          on=("subject", "criteria"))
    # by hand from RS: 01-701-1028 radiologist 1 SD at day 63 (post-NE), radiologist 2 PD at
    # week 6 (the later SD is after PD) -> BOR SD vs PD; the other 7 subjects agree
    assert (rb["n"], rb["percent_agreement"]) == (8, 87.5)


def test_subject_level_adjudication_takes_the_chosen_readers_whole_assessment():
    d1, d2 = "2024-03-01", "2024-04-01"
    tp = rows(("A", "RADIOLOGIST 1", "W6", d1, "PR"), ("A", "RADIOLOGIST 2", "W6", d1, "SD"),
              ("A", "RADIOLOGIST 1", "W12", d2, "PR"), ("A", "RADIOLOGIST 2", "W12", d2, "PR"),
              ("B", "RADIOLOGIST 1", "W6", d1, "SD"), ("B", "RADIOLOGIST 2", "W6", d1, "SD"),
              ("C", "RADIOLOGIST 1", "W6", d1, "PD"), ("C", "RADIOLOGIST 2", "W6", d1, "SD"))
    choices = pd.DataFrame({"subject": ["A"], "accepted_reader": ["RADIOLOGIST 2"]})
    acc = accepted_by_reader_choice(tp, choices).set_index(["subject", "visit"])
    assert acc.loc[("A", "W6"), "overall"] == "SD"  # reader 2's read, although reader 1 said PR
    assert acc.loc[("A", "W12"), "overall"] == "PR"
    assert acc.loc[("B", "W6"), ["overall", "source"]].tolist() == ["SD", "AGREE"]
    assert acc.loc[("C", "W6"), ["overall", "source"]].tolist() == ["NE", "UNRESOLVED"]
    with pytest.raises(InputError, match="accepted_reader"):
        accepted_by_reader_choice(tp, pd.DataFrame({"subject": ["A"],
                                                    "accepted_reader": ["SITE"]}))
