"""``hccrt report`` and ``hccrt report safety`` from a folder of record files."""

from __future__ import annotations

from typer.testing import CliRunner

from hccrt.cli import app
from hccrt.records import write_csv_dir
from hccrt.simulate import simulate


def test_report_and_safety_commands(tmp_path) -> None:
    data = tmp_path / "data"
    write_csv_dir(simulate("io-rt-mvi", n=8, seed=2).records, data)
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(app, ["report", "--protocol", "io-rt-mvi", "--data", str(data),
                              "--out", str(out), "--format", "html"])
    assert res.exit_code == 0, res.output
    html = (out / "io-rt-mvi-analysis-report.html").read_text()
    assert 'data-endpoint="os"' in html and 'data-endpoint="ae"' in html
    res = runner.invoke(app, ["report", "safety", "--protocol", "io-rt-mvi", "--data", str(data),
                              "--out", str(out), "--format", "html", "--open"])
    assert res.exit_code == 0, res.output
    assert (out / "io-rt-mvi-safety-open-report.html").exists()


def test_report_needs_one_data_source(tmp_path) -> None:
    res = CliRunner().invoke(app, ["report", "--protocol", "rescue", "--out", str(tmp_path)])
    assert res.exit_code == 2
    res = CliRunner().invoke(app, ["report", "--protocol", "rescue", "--data", str(tmp_path),
                                   "--format", "docx"])
    assert res.exit_code == 2
