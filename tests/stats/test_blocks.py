"""The bounded-memory (blockwise) paths of KM, log-rank and RMST.

The estimators process their elementwise steps in blocks of ``hccrt.stats.km.BLOCK`` rows and
the log-rank test merges the groups' tables block by block. The committed R survival 3.5
outputs (tests/reference/*.R) are re-checked with tiny blocks, so every block boundary case
(ties across groups at a cut, a group ending inside a block, strata, G-rho carry) is compared
with R; the pooled counts are compared with a brute-force count; the lazily derived columns
with a direct count; and the issue-8 memory target (peak <= 3x the input arrays) is checked.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from hccrt.stats import kaplan_meier, logrank, logrank_from_km, rmst_from_km
from hccrt.stats import km as km_module
from hccrt.stats.km import pooled_event_blocks
from tests.stats.refdata import load_ref
from tests.stats.test_km import check_km
from tests.stats.test_logrank import check_logrank
from tests.stats.test_rmst import check_rmst


@pytest.mark.parametrize("block", [1, 2, 3, 7])
def test_r_references_hold_with_tiny_blocks(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(km_module, "BLOCK", block)
    check_km(load_ref("km"))
    check_logrank(load_ref("logrank"))
    check_rmst(load_ref("rmst"))


def _tied_three_groups(n: int = 400, seed: int = 5) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 40, n).astype(float)  # heavy ties, within and across groups
    event = (rng.random(n) < 0.7).astype(float)
    group = rng.integers(0, 3, n)
    return time, event, group


@pytest.mark.parametrize("block", [1, 4, 9, 1 << 16])
def test_pooled_counts_equal_a_brute_force_count(block: int) -> None:
    time, event, group = _tied_three_groups()
    fit = kaplan_meier(time, event, group=group)
    blocks = list(pooled_event_blocks(fit.sorted, block))
    risk = np.concatenate([r for r, _ in blocks], axis=1)
    dev = np.concatenate([d for _, d in blocks], axis=1)
    times = np.unique(time[event == 1])  # pooled distinct event times, in order
    assert risk.shape == dev.shape == (3, times.size)
    for j in range(3):
        tj, ej = time[group == j], event[group == j]
        expected_risk = [(tj >= t).sum() for t in times]
        expected_dev = [((tj == t) & (ej == 1)).sum() for t in times]
        np.testing.assert_array_equal(risk[j], expected_risk)
        np.testing.assert_array_equal(dev[j], expected_dev)


@pytest.mark.parametrize("rho", [0.0, 1.0])
def test_logrank_does_not_depend_on_the_block_size(
    rho: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    time, event, group = _tied_three_groups(2000, 11)
    whole = logrank(time, event, group=group, rho=rho)
    monkeypatch.setattr(km_module, "BLOCK", 5)
    small = logrank(time, event, group=group, rho=rho)
    np.testing.assert_allclose(small.variance, whole.variance, rtol=1e-12)
    np.testing.assert_allclose(small.table["expected"], whole.table["expected"], rtol=1e-12)
    assert small.chisq == pytest.approx(whole.chisq, rel=1e-12)


def test_lazy_columns_equal_direct_counts() -> None:
    time, event, group = _tied_three_groups()
    fit = kaplan_meier(time, event, group=group)
    assert list(fit.arrays) == ["time", "n_risk", "n_event", "n_censor", "surv", "std_err",
                                "std_err_log", "lower", "upper"]
    ss = fit.sorted
    for k, _lvl, sl in fit._slices():
        tj, ej = time[group == k], event[group == k]
        expected = [((tj == t) & (ej == 0)).sum() for t in ss.time[sl]]
        np.testing.assert_array_equal(fit.arrays["n_censor"][sl], expected)
    with np.errstate(invalid="ignore"):  # 0 * inf where a curve reaches 0 -> NaN, as R
        expected_se = fit.arrays["surv"] * fit.arrays["std_err_log"]
    np.testing.assert_array_equal(fit.arrays["std_err"], expected_se)
    assert len(fit.table) == ss.time.size


def test_peak_memory_within_three_times_the_input() -> None:
    """Issue 8: KM + log-rank + RMST peak traced memory <= 3x the input arrays (time float64,
    event and arm int64), at N = 1e6 continuous times as in the benchmark (a first run outside
    the trace so one-off import and cache allocations are not counted)."""
    n = 1_000_000
    rng = np.random.default_rng(1)
    arm = rng.integers(0, 2, n)
    t_event = rng.exponential(1 / np.exp(np.log(0.7) * arm))
    t_cens = rng.exponential(2.75, size=n)
    time = np.minimum(t_event, t_cens)
    event = (t_event <= t_cens).astype(np.int64)
    input_bytes = time.nbytes + event.nbytes + arm.nbytes
    rmst_from_km(kaplan_meier(time[:1000], event[:1000], group=arm[:1000]), 0.5)
    tracemalloc.start()
    try:
        fit = kaplan_meier(time, event, group=arm)
        logrank_from_km(fit)
        rmst_from_km(fit, 2.0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 3 * input_bytes, peak / input_bytes


def test_packed_key_sort_keeps_every_time_exactly() -> None:
    """Unweighted rows are sorted as uint64 keys (time bits << 1 | event): times across the
    whole float64 range, -0.0, subnormals and ties of events with censorings come back exactly,
    with the counts of a direct tabulation."""
    time = np.array([5e-324, 1e300, 0.0, -0.0, 3.5, 3.5, 3.5, 1.0, 2.2250738585072014e-308,
                     1e-5, 1e300])
    event = np.array([1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1], dtype=float)
    ss = kaplan_meier(time, event).sorted
    distinct = np.unique(time + 0.0)
    np.testing.assert_array_equal(ss.time, distinct)
    np.testing.assert_array_equal(ss.n_event, [event[time == t].sum() for t in distinct])
    np.testing.assert_array_equal(ss.n_censor, [(1 - event[time == t]).sum() for t in distinct])
    np.testing.assert_array_equal(ss.n_risk, [(time >= t).sum() for t in distinct])
