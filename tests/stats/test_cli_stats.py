"""``hccrt stats``: the CLI reproduces the R reference values and refuses bad input cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from hccrt.cli.stats import stats_app
from tests.stats.refdata import REF, assert_close, load_ref

runner = CliRunner()
LUNG = str(REF / "data" / "lung.csv")
TRIAL = str(REF / "data" / "trial.csv")


def _json(args: list[str]) -> dict:
    result = runner.invoke(stats_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _col(rows: list[dict], key: str) -> np.ndarray:
    return np.array([np.nan if r[key] is None else r[key] for r in rows], dtype=float)


def test_km_quantiles_and_landmarks_match_r() -> None:
    r = load_ref("km")["lung_sex|log"]
    out = _json(
        [
            "km",
            "--input",
            LUNG,
            "--time",
            "time",
            "--event",
            "status",
            "--group",
            "sex",
            "--conf-type",
            "log",
            "--times",
            "30,180,365",
        ]
    )
    q = out["quantiles"]
    assert_close(_col(q, "time"), r["quantile"]["quantile"])
    assert_close(_col(q, "lower"), r["quantile"]["lower"])
    assert_close(_col(q, "upper"), r["quantile"]["upper"])
    lm = r["landmark"]
    keep = np.isin(np.asarray(lm["time"]), [30, 180, 365])
    assert_close(_col(out["landmarks"], "surv"), np.asarray(lm["surv"])[keep])


def test_logrank_matches_r() -> None:
    r = load_ref("logrank")["trial_arm_strat"]
    out = _json(
        [
            "logrank",
            "--input",
            TRIAL,
            "--time",
            "time",
            "--event",
            "status",
            "--group",
            "arm",
            "--strata",
            "stratum",
        ]
    )
    assert_close(out["chisq"], r["chisq"])
    assert_close(_col(out["groups"], "expected"), r["expected"])


def test_cox_matches_r() -> None:
    r = load_ref("cox")["lung_efron"]
    out = _json(
        ["cox", "--input", LUNG, "--time", "time", "--event", "status", "--covariates", "age,sex"]
    )
    assert_close(_col(out["coefficients"], "coef"), r["coef"])
    assert out["ties"] == "efron"


def test_rmst_matches_r() -> None:
    r = load_ref("rmst")["lung_sex"]
    out = _json(
        [
            "rmst",
            "--input",
            LUNG,
            "--time",
            "time",
            "--event",
            "status",
            "--group",
            "sex",
            "--tau",
            "965",
        ]
    )
    assert_close(_col(out["rmst"], "rmst"), r["rmst"])
    assert_close(_col(out["contrasts"], "estimate")[:1], r["diff"][:1])


def test_cif_matches_cmprsk() -> None:
    r = load_ref("cuminc")["arm"]
    out = _json(
        [
            "cif",
            "--input",
            TRIAL,
            "--time",
            "time",
            "--event",
            "cause",
            "--group",
            "arm",
            "--times",
            "100,365,700,2000",
        ]
    )
    assert_close(_col(out["gray_test"], "statistic"), r["tests"]["stat"])
    rows = {(x["group"], x["cause"], x["time"]): x["estimate"] for x in out["incidence"]}
    i = r["tp_names"].index("SIRT 1")
    assert_close(
        [rows[("SIRT", 1, t)] for t in (100.0, 365.0, 700.0)], r["tp_est"][4 * i : 4 * i + 3]
    )


def test_roc_matches_proc() -> None:
    r = load_ref("roc")["dose"]
    out = _json(
        ["roc", "--input", TRIAL, "--event", "response", "--marker", "dose", "--n-boot", "0"]
    )
    a = out["auc"][0]
    assert_close([a["lower"], a["auc"], a["upper"]], r["ci"])
    assert_close(out["youden"][0]["threshold"], r["best_threshold"])


def test_rate_matches_binom_test(tmp_path: Path) -> None:
    path = tmp_path / "resp.csv"
    pd.DataFrame({"resp": [1] * 7 + [0] * 13}).to_csv(path, index=False)
    out = _json(["rate", "--input", str(path), "--event", "resp"])
    # R binom.test(7, 20)$conf.int
    assert_close(
        [out["rates"][0]["lower"], out["rates"][0]["upper"]], [0.1539092, 0.5921885], rtol=5e-7
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["km", "--input", "missing.csv", "--time", "time", "--event", "status"], "input"),
        (["km", "--input", LUNG, "--time", "nope", "--event", "status"], "nope"),
        (
            ["km", "--input", LUNG, "--time", "time", "--event", "status", "--conf-type", "x"],
            "conf_type",
        ),
        (["rmst", "--input", LUNG, "--time", "time", "--event", "status", "--tau", "-1"], "tau"),
        (
            ["cox", "--input", LUNG, "--time", "time", "--event", "status", "--covariates", ","],
            "covariates",
        ),
    ],
)
def test_bad_input_exits_2_naming_the_field(args: list[str], field: str) -> None:
    result = runner.invoke(stats_app, args)
    assert result.exit_code == 2
    assert f"error: {field}:" in result.stderr
