"""ADLB grades/shifts and ADQS scores/changes on constructed participants (hand-worked)."""

from __future__ import annotations

import pytest

from hccrt.endpoints.adlb import derive_adlb
from hccrt.endpoints.adqs import derive_adqs
from hccrt.endpoints.adsl import derive_adsl
from hccrt.protocols import load_builtin
from tests.endpoints.builders import Trial


def _trial() -> Trial:
    t = Trial("RESCUE")
    t.subject("R-1", "RESCUE", "2024-01-01", "2024-01-05", "ENROLLED")
    t.exposure("R-1", "2024-01-10")
    # bilirubin ULN 20.5 umol/L: 10 at screening (grade 0), 41 on day 30 (2 x ULN: CTCAE v5.0
    # "Blood bilirubin increased" grade 2 is > 1.5 - 3.0 x ULN), 25 on day 90 (grade 1)
    for date, v in (("2024-01-02", 10.0), ("2024-02-09", 41.0), ("2024-04-09", 25.0)):
        t.add("LB", USUBJID="R-1", LBTESTCD="BILI", LBTEST="Bilirubin", LBSTRESN=v,
              LBSTRESU="umol/L", LBSTNRLO=3.0, LBSTNRHI=20.5, LBDTC=date)
    # QLQ-C30: every item 1 at baseline, every item 2 on day 90
    for date, v in (("2024-01-03", 1.0), ("2024-04-09", 2.0)):
        for i in range(1, 31):
            t.add("QS", USUBJID="R-1", QSTESTCD=f"EOR01{i:02d}", QSCAT="EORTC QLQ-C30 V3.0",
                  QSSTRESN=v, VISIT="V", QSDTC=date)
    return t


@pytest.fixture(scope="module")
def data():
    recs = _trial().records()
    adsl = derive_adsl(recs, load_builtin("rescue"))
    return derive_adlb(recs, adsl), derive_adqs(recs, adsl)


def test_lab_baseline_worst_grade_and_shift(data):
    adlb, _ = data
    b = adlb.set_index("ADT")
    assert b["ABLFL"].eq("Y").sum() == 1 and b.loc["2024-01-02", "ABLFL"] == "Y"
    assert int(b.loc["2024-02-09", "ATOXGR"]) == 2 and int(b.loc["2024-04-09", "ATOXGR"]) == 1
    worst = adlb[adlb["WGRHIFL"] == "Y"]
    assert len(worst) == 1 and str(worst["ADT"].iloc[0].date()) == "2024-02-09"
    assert worst["SHIFT1"].iloc[0] == "0 to 2"
    assert b.loc["2024-02-09", "CHG"] == pytest.approx(31.0)


def test_qlq_c30_scores_and_change(data):
    # EORTC scoring manual: functional scale = (1 - (raw - 1) / range) x 100, symptom scale =
    # (raw - 1) / range x 100; PF2 items 1-5 range 3, QL2 items 29-30 range 6
    _, adqs = data
    post = adqs[adqs["ABLFL"].isna()].set_index("PARAMCD")
    base = adqs[adqs["ABLFL"] == "Y"].set_index("PARAMCD")
    assert base.loc["PF2", "AVAL"] == pytest.approx(100.0)
    assert post.loc["PF2", "AVAL"] == pytest.approx(100 * (1 - 1 / 3))
    assert post.loc["PF2", "CHG"] == pytest.approx(-100 / 3)
    assert post.loc["FA", "CHG"] == pytest.approx(100 / 3)  # fatigue: symptom, range 3
    assert post.loc["QL2", "CHG"] == pytest.approx(100 / 6)
    assert post.loc["PF2", "ADY"] == 91  # 2024-01-10 -> 2024-04-09 is day 91
