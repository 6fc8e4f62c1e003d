"""Report tables count what they are given (checked against hand counts)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccrt.reports import tables as T


def _subjects() -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": [f"S{i}" for i in range(6)],
                         "ARM": ["A", "A", "A", "B", "B", "B"],
                         "AGE": [50, 60, 70, 40, 45, np.nan],
                         "BECOG": [0.0, 1.0, 0.0, 1.0, np.nan, 1.0]})


def test_baseline_counts_and_median() -> None:
    t = T.baseline_table(_subjects(), [T.Variable("AGE", "Age", "continuous"),
                                       T.Variable("BECOG", "ECOG"),
                                       T.Variable("NOPE", "Absent")], group="ARM")
    f = t.frame.set_index("Characteristic")
    assert list(t.frame.columns[1:]) == ["A (N = 3)", "B (N = 3)", "Total (N = 6)"]
    assert f.loc["  Median (IQR)", "A (N = 3)"] == "60.0 (55.0-65.0)"
    assert f.loc["  n", "B (N = 3)"] == "2"
    assert f.loc["  0", "A (N = 3)"] == "2 (66.7%)"
    assert f.loc["  1", "Total (N = 6)"] == "3 (50.0%)"
    assert f.loc["  Missing", "B (N = 3)"] == "1 (33.3%)"
    assert "Absent" in t.footnote


def test_ae_overview_and_by_term() -> None:
    subj = _subjects()
    ae = pd.DataFrame({"USUBJID": ["S0", "S0", "S1", "S3", "S3"],
                       "term": ["Fatigue", "Pain", "Fatigue", "Fatigue", "Fatigue"],
                       "grade": [1, 3, 2, 3, 4], "serious": [False, True, False, False, True],
                       "related": [True, False, True, True, False], "ARM": list("AAABB")})
    o = T.ae_overview_table(ae, subj, group="ARM").frame.set_index("Participants with")
    assert o.loc["Any adverse event", "A (N = 3)"] == "2 (66.7%)"
    assert o.loc["Grade >= 3", "A (N = 3)"] == "1 (33.3%)"
    assert o.loc["Grade >= 3", "B (N = 3)"] == "1 (33.3%)"
    assert o.loc["Treatment-related grade >= 3", "Total (N = 6)"] == "1 (16.7%)"
    assert o.loc["Serious", "Total (N = 6)"] == "2 (33.3%)"
    b = T.ae_by_term_table(ae, subj, group="ARM", title="x").frame
    assert list(b["Adverse event"]) == ["Fatigue", "Pain"]  # by frequency
    assert b.iloc[0]["A (N = 3) any grade"] == "2 (66.7%)"
    assert b.iloc[0]["B grade >= 3"] == "1 (33.3%)"
    g3 = T.ae_by_term_table(ae, subj, group="ARM", title="x", min_grade=3).frame
    assert list(g3["Adverse event"]) == ["Fatigue", "Pain"]
    assert g3.set_index("Adverse event").loc["Fatigue", "A (N = 3)"] == "0 (0.0%)"


def test_estimates_table_formats_ci_and_method() -> None:
    res = pd.DataFrame({"parameter": ["ORR mRECIST"], "estimate": [0.4], "lower": [0.25],
                        "upper": [0.57], "method": ["Clopper-Pearson exact"], "n": [40],
                        "unit": ["%"]})
    f = T.estimates_table(res, title="ORR").frame
    assert f.loc[0, "Estimate (95% CI)"] == "40.0 (25.0-57.0)%"
    assert f.loc[0, "Method"] == "Clopper-Pearson exact"


def test_shift_table_counts() -> None:
    labs = pd.DataFrame({"BTOXGR": [0, 0, 1, np.nan], "WORSTGR": [0, 3, 1, 2],
                         "ARM": ["A"] * 4})
    f = T.shift_table(labs, parameter="BILI", group="ARM").frame
    a0 = f.loc[(f["Group"] == "A") & (f["Baseline"] == "Grade 0")].iloc[0]
    assert (a0["Worst 0"], a0["Worst 3"], a0["Total"]) == ("1", "1", "2")
    miss = f.loc[(f["Group"] == "A") & (f["Baseline"] == "Missing")].iloc[0]
    assert miss["Worst 2"] == "1"
