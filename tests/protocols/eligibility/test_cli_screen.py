"""``hccrt screen`` through typer's test runner (the command function, as main.py registers it)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from hccrt.cli.screen import screen
from tests.protocols.eligibility.candidates import candidate, lab

runner = CliRunner()
app = typer.Typer()
app.command()(screen)


@pytest.fixture
def candidates_json(tmp_path):
    items = [
        {**candidate("rescue"), "candidate_id": "ok"},
        {**candidate("rescue", labs__bilirubin=lab(3.1, "mg/dL")), "candidate_id": "high-bili"},
        {**candidate("rescue", labs__platelets=None), "candidate_id": "no-platelets"},
    ]
    path = tmp_path / "candidates.json"
    path.write_text(json.dumps(items))
    return path


def test_one_protocol_one_row_per_candidate(candidates_json, tmp_path):
    out = tmp_path / "results.csv"
    result = runner.invoke(app, ["--protocol", "rescue", "--input", str(candidates_json),
                                 "--out", str(out), "--explain"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, keep_default_na=False)
    assert frame["status"].tolist() == ["eligible", "ineligible", "incomplete"]
    assert frame.loc[1, "failing"] == "child-pugh-a;lab-bilirubin"
    assert frame.loc[2, "unknown"] == "lab-platelets"
    assert frame.loc[1, "lab-bilirubin"] == "not met"
    assert "Total bilirubin 3.1 mg/dL > 3.0 mg/dL" in frame.loc[1, "lab-bilirubin:why"]


def test_explain_on_the_terminal_and_the_screening_log(candidates_json, tmp_path):
    log = tmp_path / "log.md"
    ie = tmp_path / "ie.csv"
    result = runner.invoke(app, ["--protocol", "rescue", "--input", str(candidates_json),
                                 "--explain", "--log", str(log), "--ie", str(ie)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(ie)["IESPID"].tolist() == ["child-pugh-a", "lab-bilirubin"]
    text = " ".join(result.output.split())
    assert "Total bilirubin 3.1 mg/dL > 3.0 mg/dL" in text
    assert "- ineligible: 1" in log.read_text()


def test_all_protocols_tells_which_could_be_entered(candidates_json, tmp_path):
    out = tmp_path / "fits.csv"
    logs = tmp_path / "logs"
    result = runner.invoke(app, ["--all-protocols", "--input", str(candidates_json),
                                 "--out", str(out), "--log", str(logs)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in logs.iterdir()) == sorted(
        f"{code}.md" for code in ("tare-ut7", "rescue", "sirt-haic", "io-rt-mvi", "sbrt-bclcc"))
    assert "Screening log: rescue (3 screened)" in (logs / "rescue.md").read_text()
    frame = pd.read_csv(out, keep_default_na=False)
    assert frame.loc[0, "rescue"] == "eligible"
    assert "rescue" in frame.loc[0, "eligible_for"].split(";")
    assert frame.loc[1, "rescue"] == "ineligible"


def test_bad_input_exits_2_naming_the_field(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("candidate_id,screening_date,ecog\nx,2026-10-15,7\n")
    result = runner.invoke(app, ["--protocol", "rescue", "--input", str(path)])
    assert result.exit_code == 2
    assert "ecog" in result.output
    both = runner.invoke(app, ["--input", str(path)])
    assert both.exit_code == 2


def test_all_protocols_on_the_terminal(candidates_json):
    result = runner.invoke(app, ["--all-protocols", "--input", str(candidates_json)])
    assert result.exit_code == 0, result.output
    ok_line = next(line for line in result.output.splitlines() if "│ ok " in line)
    assert "rescue" in ok_line.split("│")[2]  # the "eligible" column


def test_columns_lists_every_input_column_once():
    from hccrt.protocols.eligibility.candidate import INPUT_COLUMNS, input_columns

    names = [name for name, _, _ in input_columns()]
    assert sorted(names) == sorted(INPUT_COLUMNS)
    result = runner.invoke(app, ["--columns"])
    assert result.exit_code == 0 and "bilirubin_uln" in result.output
    assert runner.invoke(app, []).exit_code == 2  # neither --columns nor --input
