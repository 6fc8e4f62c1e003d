"""`hccrt protocols ...` and `hccrt --version` through typer's test runner."""

from __future__ import annotations

from typer.testing import CliRunner

import hccrt
from hccrt.cli import app
from tests.protocols.minimal_protocol import as_yaml, minimal

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"hccrt {hccrt.__version__}"


def test_validate_accepts_a_valid_file(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(as_yaml(minimal()))
    result = runner.invoke(app, ["protocols", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout and "mini-trial v1.0, 2 arm(s), 2 visit(s)" in result.stdout


def test_validate_rejects_a_broken_file_with_exit_code_2_and_the_field_path(tmp_path):
    doc = minimal()
    doc["endpoints"][0]["kind"] = "survival"
    path = tmp_path / "broken.yaml"
    path.write_text(as_yaml(doc))
    result = runner.invoke(app, ["protocols", "validate", str(path)])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert str(path) in message.replace(" ", "") or "broken.yaml" in message
    assert "endpoints[0]{os}.kind" in message
    assert "'time_to_event'" in message


def test_show_a_file_lists_its_outcome_measures(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(as_yaml(minimal()))
    result = runner.invoke(app, ["protocols", "show", str(path), "-s", "endpoints"])
    assert result.exit_code == 0, result.output
    assert "Outcome measures (1 primary, 1 secondary)" in result.stdout
    assert "os" in result.stdout and "orr" in result.stdout


def test_show_unknown_code_exits_2():
    result = runner.invoke(app, ["protocols", "show", "no-such-trial"])
    assert result.exit_code == 2
    assert "no built-in protocol 'no-such-trial'" in " ".join(result.output.split())


def test_show_rescue_lists_every_registered_outcome_measure():
    # Acceptance of issue 2: RESCUE (NCT06178198, shared/seeds/001) registers 2 primary and
    # 24 secondary outcome measures; the CLI must list all of them.
    result = runner.invoke(
        app, ["protocols", "show", "rescue", "-s", "endpoints"], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    assert "Outcome measures (2 primary, 24 secondary)" in result.stdout
    cells = [line.split("│")[1].strip() for line in result.stdout.splitlines() if line[:1] == "│"]
    first_column = [cell for cell in cells if cell]  # wrapped rows leave the id cell empty
    assert len(first_column) == 26
    assert first_column[:2] == ["orr-localized-mrecist", "dor-localized-mrecist"]
    assert "meld-change" in first_column and "regional-liver-function-change" in first_column


def test_list_shows_the_five_trials_with_their_outcome_counts():
    result = runner.invoke(app, ["protocols", "list"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for code, counts in [
        ("tare-ut7", "1 primary, 15 secondary"),
        ("rescue", "2 primary, 24 secondary"),
        ("sbrt-bclcc", "1 primary, 7 secondary"),
    ]:
        line = next(row for row in result.stdout.splitlines() if f" {code} " in row)
        assert counts in line
