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
