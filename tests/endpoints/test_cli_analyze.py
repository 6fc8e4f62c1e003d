"""``hccrt analyze`` writes the objects the Python API returns, as CSV and Parquet."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from hccrt.cli.main import app
from hccrt.endpoints import analyze
from hccrt.records import read_csv_dir, write_csv_dir
from hccrt.simulate import simulate


def test_analyze_writes_every_endpoint_as_csv_and_parquet(tmp_path):
    data = tmp_path / "data"
    write_csv_dir(simulate("io-rt-mvi", n=40, seed=2).records, data)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["analyze", "--protocol", "io-rt-mvi", "--data", str(data),
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    run = analyze(read_csv_dir(data), "io-rt-mvi")
    for ep_id, er in run.endpoints.items():
        for kind in ("dataset", "results"):
            assert (out / "endpoints" / ep_id / f"{kind}.csv").exists()
            assert (out / "endpoints" / ep_id / f"{kind}.parquet").exists()
        written = pd.read_parquet(out / "endpoints" / ep_id / "results.parquet")
        assert list(written["STATISTIC"]) == list(er.results["STATISTIC"])
        pd.testing.assert_series_equal(written["ESTIMATE"].astype(float),
                                       er.results["ESTIMATE"].astype(float), check_names=False)
    for name in run.datasets:
        assert (out / "datasets" / f"{name}.csv").exists()


def test_analyze_rejects_unknown_format(tmp_path):
    res = CliRunner().invoke(app, ["analyze", "--protocol", "io-rt-mvi", "--data", str(tmp_path),
                                   "--out", str(tmp_path / "o"), "--format", "xlsx"])
    assert res.exit_code == 2


def test_analyze_unknown_protocol_is_an_error(tmp_path):
    res = CliRunner().invoke(app, ["analyze", "--protocol", "nope", "--data", str(tmp_path),
                                   "--out", str(tmp_path / "o")])
    assert res.exit_code == 1


def test_analyze_writes_the_adam_datasets_as_xpt(tmp_path):
    """--format xpt: one SAS transport file per ADaM dataset, read back with the same rows."""
    data = tmp_path / "data"
    write_csv_dir(simulate("sbrt-bclcc", n=20, seed=3).records, data)
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["analyze", "--protocol", "sbrt-bclcc", "--data", str(data),
                                   "--out", str(out), "--format", "csv,xpt"])
    assert res.exit_code == 0, res.output
    run = analyze(read_csv_dir(data), "sbrt-bclcc")
    xpts = {p.stem.upper(): p for p in (out / "xpt").glob("*.xpt")}
    assert set(xpts) == {name.upper() for name in run.datasets}
    adtte = pd.read_sas(xpts["ADTTE"], format="xport")
    assert len(adtte) == len(run.datasets["ADTTE"])
    assert (out / "results.csv").exists()
