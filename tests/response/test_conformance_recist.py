"""Conformance: the engine fed TU/TR reproduces every RS overall response of the public CDISC
pharmaverse RECIST 1.1 test data (pharmaversesdtm @ 530a5ea8, tu/tr/rs_onco_recist: 8 subjects,
investigator and two independent radiologists)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hccrt.response.sdtm import lesions_from_sdtm, overall_from_rs, read_sdtm_dir
from hccrt.response.timepoint import derive_timepoint_response

DATA = Path("/work/shared/conformance/pharmaverse-recist")
pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason="conformance data not present")


@pytest.fixture(scope="module")
def merged() -> pd.DataFrame:
    d = read_sdtm_dir(DATA)
    tp = derive_timepoint_response(lesions_from_sdtm(d.tr, d.tu), "recist11")
    rs = overall_from_rs(d.rs)
    return rs.merge(tp, on=["subject", "evaluator", "visit"], how="outer",
                    suffixes=("_rs", ""), indicator=True)


def test_every_rs_record_has_a_derived_timepoint(merged: pd.DataFrame) -> None:
    # 66 RS OVRLRESP records = 22 subject-visits x 3 evaluators (rs_onco_recist.csv)
    assert len(merged) == 66
    assert (merged["_merge"] == "both").all()
    assert set(merged["evaluator"]) == {"INVESTIGATOR", "RADIOLOGIST 1", "RADIOLOGIST 2"}


@pytest.mark.parametrize("evaluator", ["INVESTIGATOR", "RADIOLOGIST 1", "RADIOLOGIST 2"])
def test_overall_response_equals_rs_for_every_evaluator(merged: pd.DataFrame,
                                                        evaluator: str) -> None:
    m = merged.loc[merged["evaluator"] == evaluator]
    diff = m.loc[m["overall_rs"] != m["overall"],
                 ["subject", "visit", "overall_rs", "overall", "reason"]]
    assert diff.empty, diff.to_string()


def test_dates_match_rs_with_last_day_imputation(merged: pd.DataFrame) -> None:
    # admiralonco ad_adrs.R imputes "2014-02" to 2014-02-28 (response-rules.md 3.1)
    assert (merged["date"] == merged["date_rs"]).all()
    row = merged.loc[(merged["subject"] == "01-701-1015") & (merged["visit"] == "WEEK 6")]
    assert (row["date"] == pd.Timestamp("2014-02-28")).all()


@pytest.mark.parametrize(
    ("subject", "visit", "expected", "why"),
    [
        ("01-701-1133", "WEEK 3", "PR", "sum 42 from 60 is exactly -30 %: PR is inclusive"),
        ("01-701-1133", "WEEK 9", "PD", "5 mm from a nadir of 0 is exactly +5 mm: inclusive"),
        ("01-701-1115", "WEEK 9", "CR", "nodes 7 and 3 mm short axis are normal (< 10 mm)"),
        ("01-701-1028", "WEEK 6", "PD", "+19 mm, +20.9 % over nadir 91 with T01 missing"),
        ("01-701-1118", "WEEK 9", "NE", "one of two targets not assessed"),
    ],
)
def test_boundary_cases_named_in_response_rules(merged: pd.DataFrame, subject: str, visit: str,
                                                expected: str, why: str) -> None:
    # response-rules.md section 5, "Boundary cases in the data" (investigator)
    m = merged.loc[(merged["subject"] == subject) & (merged["visit"] == visit)
                   & (merged["evaluator"] == "INVESTIGATOR")]
    assert m["overall"].tolist() == [expected], why
    assert m["overall_rs"].tolist() == [expected]
