"""Batched log-rank and power by simulation (hccrt.stats.power_simulation).

References:

* R survival 3.5.3 ``survdiff`` (rho = 0) chi-square of 40 trials (20 simulated, 20 with
  heavy ties), tests/reference/design/logrank_survdiff.R -> logrank_survdiff.csv.
* lifelines 0.30.3 ``logrank_test`` on the same simulated data (dev-only dependency).
* survival.md section 5.3 (event-driven simulation, 2:1, HR 0.67, control median 12 months,
  uniform 24-month accrual): power 0.827 at 221 events, MC SE about 0.004.
* Lachin & Foulkes (1986) expected number of events, as computed by
  :func:`hccrt.stats.design.event_probability` and checked there against R integrate().
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from hccrt.errors import InputError
from hccrt.stats import design
from hccrt.stats import power_simulation as ps

REF = Path(__file__).resolve().parents[2] / "reference" / "design"


def load_trials() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rows: dict[str, list[tuple[float, int, int]]] = {}
    with (REF / "logrank_trials.csv").open() as fh:
        for r in csv.DictReader(fh):
            rows.setdefault(r["trial"], []).append(
                (float(r["time"]), int(r["event"]), int(r["group"]))
            )
    return {k: tuple(np.array(c) for c in zip(*v, strict=True)) for k, v in rows.items()}


def test_batched_logrank_equals_r_survdiff():
    # R survival::survdiff chi-square per trial (logrank_survdiff.R)
    with (REF / "logrank_survdiff.csv").open() as fh:
        ref = {r["trial"]: float(r["chisq"]) for r in csv.DictReader(fh)}
    trials = load_trials()
    names = list(trials)
    assert set(names) == set(ref) and len(names) == 40
    for prefix in ("sim", "tied"):  # one batch per trial size
        batch = [k for k in names if k.startswith(prefix)]
        t, e, g = (np.stack([trials[k][i] for k in batch]) for i in range(3))
        got = ps.batched_logrank(t, e, g).chi2
        want = np.array([ref[k] for k in batch])
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Starting with pandas version 4.0")
def test_batched_logrank_identical_to_lifelines_loop():
    lifelines_stats = pytest.importorskip("lifelines.statistics")
    sims = ps.simulate_trials(ps.SCENARIOS["sbrt-bclcc"], 20, seed=3)
    got = ps.batched_logrank(sims.time, sims.event, sims.group).chi2
    for i in range(20):
        g = sims.group[i] == 1
        r = lifelines_stats.logrank_test(
            sims.time[i][g], sims.time[i][~g], sims.event[i][g], sims.event[i][~g]
        )
        assert got[i] == pytest.approx(r.test_statistic, rel=1e-12)


def test_batched_logrank_chunking_does_not_change_results():
    sims = ps.simulate_trials(ps.SCENARIOS["sirt-haic"], 50, seed=5)
    a = ps.batched_logrank(sims.time, sims.event, sims.group, chunk=7)
    b = ps.batched_logrank(sims.time, sims.event, sims.group, chunk=1000)
    np.testing.assert_array_equal(a.chi2, b.chi2)


def test_simulation_is_reproducible_from_the_seed():
    s = ps.SCENARIOS["sbrt-bclcc"]
    a = ps.simulate_trials(s, 5, seed=42)
    b = ps.simulate_trials(s, 5, seed=42)
    c = ps.simulate_trials(s, 5, seed=43)
    np.testing.assert_array_equal(a.time, b.time)
    assert not np.array_equal(a.time, c.time)


def test_event_driven_analysis_has_exactly_d_events():
    s = ps.scenario("sbrt-bclcc", events=100)
    sims = ps.simulate_trials(s, 200, seed=1)
    np.testing.assert_array_equal(sims.event.sum(axis=1), 100)


def test_mean_events_match_lachin_foulkes_expectation():
    # calendar analysis at 24 + 24 months: E[events] = n_e P_e + n_c P_c (Lachin & Foulkes
    # 1986; P checked against R integrate() in test_design_sample_size.py)
    s = ps.SCENARIOS["sbrt-bclcc"]
    lam_c = math.log(2) / s.median_control
    pe = design.event_probability(lam_c * s.hazard_ratio, s.accrual, s.follow_up)
    pc = design.event_probability(lam_c, s.accrual, s.follow_up)
    expected = s.n_experimental * pe + s.n_control * pc
    sims = ps.simulate_trials(s, 2000, seed=9)
    events = sims.event.sum(axis=1)
    se = events.std(ddof=1) / math.sqrt(events.size)
    assert abs(events.mean() - expected) < 4 * se


def test_type_one_error_is_alpha_under_the_null():
    # HR = 1: the log-rank test is asymptotically exact, rejection rate 0.05 +- MC error
    s = ps.scenario("sbrt-bclcc", hazard_ratio=1.0)
    res = ps.power_by_simulation(s, n_sims=4000, seed=2)
    assert res.schoenfeld_power is None
    assert abs(res.empirical_power - 0.05) < 4 * math.sqrt(0.05 * 0.95 / 4000)


def test_event_driven_power_at_221_events_matches_survival_md():
    # survival.md 5.3: 2:1, HR 0.67, 221 events -> simulated power 0.827 (MC SE ~0.004);
    # Schoenfeld 0.801 and Freedman 0.843 at the same events (analytical)
    s = ps.scenario("sbrt-bclcc", n_experimental=400, n_control=200, events=221)
    res = ps.power_by_simulation(s, n_sims=4000, seed=11)
    se = math.hypot(res.monte_carlo_se, 0.004)
    assert abs(res.empirical_power - 0.827) < 4 * se
    assert res.mean_events == 221
    assert res.schoenfeld_power == pytest.approx(0.801, abs=0.0015)
    assert res.freedman_power == pytest.approx(0.843, abs=0.0015)


def test_confounded_non_randomized_comparison_inflates_type_one_error():
    # no treatment effect, but the prognostic factor (HR 2) is in 20 % vs 60 % of the arms:
    # the crude log-rank test rejects far more often than alpha
    s = ps.scenario(
        "sirt-haic", hazard_ratio=1.0, confounder_prevalence=(0.2, 0.6),
        confounder_hazard_ratio=2.0,
    )  # fmt: skip
    res = ps.power_by_simulation(s, n_sims=1000, seed=4)
    assert res.empirical_power > 0.05 + 6 * math.sqrt(0.05 * 0.95 / 1000)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: ps.simulate_trials(ps.SCENARIOS["sbrt-bclcc"], 10, seed=1.5), "seed"),
        (lambda: ps.simulate_trials(ps.SCENARIOS["sbrt-bclcc"], 10, seed="42"), "seed"),
        (lambda: ps.simulate_trials(ps.SCENARIOS["sbrt-bclcc"], 10, seed=-1), "seed"),
        (lambda: ps.simulate_trials(ps.SCENARIOS["sbrt-bclcc"], 0, seed=1), "n_sims"),
        (lambda: ps.scenario("sbrt-bclcc", events=500), "events"),
        (lambda: ps.scenario("sbrt-bclcc", n_control=0), "n_control"),
        (lambda: ps.scenario("sbrt-bclcc", hazard_ratio=-0.5), "hazard_ratio"),
        (lambda: ps.scenario("sbrt-bclcc", confounder_prevalence=(0.2, 1.5)),
         "confounder_prevalence"),
        (lambda: ps.scenario("tare-ut7"), "scenario"),
        (lambda: ps.power_by_simulation(ps.SCENARIOS["sbrt-bclcc"], 10, alpha=1.0), "alpha"),
        (lambda: ps.batched_logrank(np.ones((2, 3)), np.ones((2, 3)), np.full((2, 3), 2)),
         "group"),
        (lambda: ps.batched_logrank(-np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3))), "time"),
    ],
)  # fmt: skip
def test_bad_input_is_a_typed_error(call, field):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field


def test_batched_logrank_equals_hccrt_single_trial_logrank():
    # the batch form must agree with hccrt.stats.logrank (one trial at a time) on the same data
    from hccrt.stats.logrank import logrank

    trials = load_trials()
    for name in ("sim0", "sim7", "tied0", "tied5", "tied19"):
        t, e, g = trials[name]
        single = logrank(t, e, group=g).chisq
        batch = ps.batched_logrank(t[None], e[None], g[None]).chi2[0]
        assert batch == pytest.approx(single, rel=1e-10)
