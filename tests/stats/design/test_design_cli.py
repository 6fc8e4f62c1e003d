"""``hccrt design`` commands (typer group design_app), checked on published numbers.

Simon (1989) Table 1 (p0 0.2, p1 0.4, alpha 0.05, beta 0.2: optimal 3/13, 12/43; minimax
4/18, 10/33); survival.md 5.2 (HR 0.67, 2:1: Schoenfeld 221, Freedman 198 events); base R
pbinom (tests/reference/design/design_reference.csv: p0 0.2, p1 0.4 -> n 35, r 11).
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hccrt.cli.design import design_app
from hccrt.stats.randomization import RandomizationList

runner = CliRunner()


def run(*args: str):
    return runner.invoke(design_app, list(args))


def test_simon_json_matches_simon_1989():
    res = run("simon", "0.2", "0.4", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    opt, mm = out["optimal"], out["minimax"]
    assert (opt["r1"], opt["n1"], opt["r"], opt["n"]) == (3, 13, 12, 43)
    assert (mm["r1"], mm["n1"], mm["r"], mm["n"]) == (4, 18, 10, 33)


def test_simon_text_output_names_the_rules():
    res = run("simon", "0.05", "0.25")  # Simon 1989 Table 1: optimal 0/9, 2/17
    assert res.exit_code == 0, res.output
    assert "0/9" in res.output and "2/17" in res.output


def test_events_both_methods():
    res = run("events", "--hr", "0.67", "--ratio", "2:1", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["schoenfeld"]["events"] == 221
    assert out["freedman"]["events"] == 198


def test_binomial_matches_base_r():
    out = json.loads(run("binomial", "0.2", "0.4", "--json").output)
    assert (out["n"], out["r"]) == (35, 11)


def test_sample_size_runs_and_reports_arms():
    res = run("sample-size", "--hr", "0.67", "--median-control", "12", "--accrual", "24",
              "--follow-up", "24", "--ratio", "2:1", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["events"] == 221
    assert out["n_experimental"] + out["n_control"] == out["n_total"]


def test_power_sim_small_run():
    res = run("power-sim", "--trial", "sbrt-bclcc", "--n-sims", "200", "--seed", "1", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n_sims"] == 200
    assert 0 <= out["empirical_power"] <= 1
    assert out["schoenfeld_events_80"] == 221  # survival.md 5.2


def test_randomization_list_is_written_sealed_and_reproducible(tmp_path):
    f = tmp_path / "list.json"
    res = run("randomization-list", "--out", str(f), "--size", "18", "--arms", "SBRT,systemic",
              "--ratio", "2:1", "--stratum", "site=A,B", "--json")  # fmt: skip
    assert res.exit_code == 0, res.output
    shown = json.loads(res.output)
    rl = RandomizationList.model_validate_json(f.read_text())
    assert shown["fingerprint"] == rl.fingerprint()
    assert str(rl.seed) not in res.output  # neither seed nor assignments are printed
    assert rl.strata[0].entries[0].number not in res.output
    f2 = tmp_path / "again.json"
    res2 = run(
        "randomization-list", "--out", str(f2), "--size", "18", "--arms", "SBRT,systemic",
        "--ratio", "2:1", "--stratum", "site=A,B", "--seed", str(rl.seed), "--json",
    )  # fmt: skip
    assert json.loads(res2.output)["fingerprint"] == rl.fingerprint()
    again = run("randomization-list", "--out", str(f), "--size", "18")  # never overwrites
    assert again.exit_code == 2 and "out" in again.output


def test_bad_input_exits_2_naming_the_field():
    for args, field in [
        (("simon", "0.4", "0.2"), "p1"),
        (("simon", "0.1", "0.3", "--alpha", "1.5"), "alpha"),
        (("events", "--hr", "0.7", "--ratio", "0:1"), "ratio"),
        (("events", "--hr", "0.7", "--ratio", "two"), "ratio"),
        (("power-sim", "--trial", "nope"), "scenario"),
        (("randomization-list", "--out", "x.json", "--size", "9", "--ratio", "2:0"), "ratio"),
    ]:
        res = run(*args)
        assert res.exit_code == 2, (args, res.output)
        assert f"{field}:" in res.output, (args, res.output)


def test_non_integer_seed_is_refused():
    res = run("power-sim", "--seed", "1.5", "--n-sims", "10")
    assert res.exit_code == 2
