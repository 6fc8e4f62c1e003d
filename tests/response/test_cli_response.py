"""``hccrt response derive`` end to end on the public pharmaverse RECIST data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hccrt.cli.main import app

DATA = Path("/work/shared/conformance/pharmaverse-recist")
runner = CliRunner()


@pytest.mark.skipif(not DATA.is_dir(), reason="conformance data not present")
def test_derive_writes_adrs_with_the_admiralonco_results(tmp_path):
    res = runner.invoke(app, ["response", "derive", "--sdtm", str(DATA), "--out", str(tmp_path),
                              "--evaluator", "INVESTIGATOR", "--criteria", "recist11"])
    assert res.exit_code == 0, res.output
    adrs = pd.read_csv(tmp_path / "adrs.csv", dtype=str)
    cbor = adrs.loc[adrs["PARAMCD"] == "CBOR"].set_index("USUBJID")["AVALC"]
    # response-rules.md 3: 01-701-1118 confirmed PR across one NE; 01-701-1115 SD with 28 d
    assert (cbor["01-701-1118"], cbor["01-701-1115"]) == ("PR", "SD")
    assert {p.name for p in tmp_path.iterdir()} == {"adrs.csv", "adtr.csv", "timepoints.csv",
                                                    "unevaluable.csv", "rs_check_recist-11.csv"}
    # the RS check: all 22 investigator records of rs_onco_recist reproduced
    assert "derived equals recorded RS for 22 of 22" in res.output
    check = pd.read_csv(tmp_path / "rs_check_recist-11.csv")
    assert check["match"].all()
    # same with the vignette's 21-day confirmation: 1115 becomes a confirmed PR (note 3.2)
    res21 = runner.invoke(app, ["response", "derive", "--sdtm", str(DATA), "--out",
                                str(tmp_path / "c21"), "--evaluator", "INVESTIGATOR",
                                "--confirmation-days", "21"])
    assert res21.exit_code == 0, res21.output
    a21 = pd.read_csv(tmp_path / "c21" / "adrs.csv", dtype=str)
    assert a21.loc[(a21["PARAMCD"] == "CBOR") & (a21["USUBJID"] == "01-701-1115"),
                   "AVALC"].item() == "PR"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sdtm", "/nonexistent", "--out", "/tmp/x"], "sdtm folder"),
        (["--sdtm", str(DATA), "--out", "/tmp/x", "--criteria", "who"], "criteria"),
        (["--sdtm", str(DATA), "--out", "/tmp/x", "--confirmation-days", "-3"],
         "confirmation_days"),
        (["--sdtm", str(DATA), "--out", "/tmp/x", "--evaluator", "NOBODY"], "evaluator"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    res = runner.invoke(app, ["response", "derive", *args])
    assert res.exit_code == 2
    assert message in res.output


@pytest.mark.skipif(not DATA.is_dir(), reason="conformance data not present")
def test_subject_dates_from_a_separate_adsl(tmp_path):
    import shutil

    sdtm = tmp_path / "sdtm"
    sdtm.mkdir()
    for name in ("tu_onco_recist.csv", "tr_onco_recist.csv"):
        shutil.copy(DATA / name, sdtm / name)
    no_dates = runner.invoke(app, ["response", "derive", "--sdtm", str(sdtm), "--out",
                                   str(tmp_path / "a")])
    assert no_dates.exit_code == 2 and "DM" in no_dates.output
    res = runner.invoke(app, ["response", "derive", "--sdtm", str(sdtm), "--out",
                              str(tmp_path / "b"), "--adsl", str(DATA / "adsl.csv"),
                              "--criteria", "localized-mrecist"])
    assert res.exit_code == 0, res.output
    # no positions relative to the treated area in these data: every subject is unevaluable
    # for localized criteria, and says why
    tps = pd.read_csv(tmp_path / "b" / "timepoints.csv")
    assert (tps["overall"] == "NE").all()
    assert tps["reason"].str.contains("in_treated_area").all()
