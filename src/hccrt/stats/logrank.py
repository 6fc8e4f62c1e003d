"""Log-rank test, stratified log-rank test and the Fleming-Harrington G-rho family.

Method (as R ``survival::survdiff``, which the tests reproduce to 1e-6): at each distinct event
time t_j within a stratum, with n_kj at risk and d_kj events in group k (N_j, D_j in total),
the Mantel-Haenszel (1966) / Peto log-rank statistic accumulates
O_k - E_k = sum_j w_j (d_kj - D_j n_kj / N_j) and the hypergeometric covariance
V = sum_j w_j^2 D_j (N_j - D_j) / (N_j - 1) (diag(n_j / N_j) - n_j n_j' / N_j^2).
The test statistic is (O - E)' V^- (O - E) on (number of groups with E > 0) - 1 degrees of
freedom, computed (as survdiff) after dropping the first group. ``rho = 0`` (default) is the
log-rank test (w_j = 1); ``rho > 0`` weights by S(t_j-)^rho, the pooled left-continuous
Kaplan-Meier estimate within the stratum (Harrington & Fleming 1982). Stratified: O - E and
V are sums of the within-stratum quantities (stratified log-rank; lifelines has none).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2

from hccrt.errors import InputError
from hccrt.stats._inputs import ArrayLike, as_event, as_labels, as_time
from hccrt.stats.km import KaplanMeierResult, SortedSurv, pooled_event_blocks, sort_survival


@dataclass(frozen=True)
class LogrankResult:
    """Result of a (stratified) log-rank test.

    ``table``: one row per group with n, observed, expected, (O-E)^2/E and (O-E)^2/V, as
    R's ``print.survdiff``. ``variance`` is the K x K covariance matrix of O - E.
    """

    table: pd.DataFrame
    chisq: float
    df: int
    p_value: float
    variance: np.ndarray
    rho: float
    stratified: bool


def _block_counts(
    t: np.ndarray, e: np.ndarray, g: np.ndarray, s: np.ndarray | None, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per (stratum, distinct time) block: at-risk and event counts per group (B x K).

    Inputs are sorted by (stratum, time). Returns (n_risk, n_event, block_stratum_start, idx).
    """
    n = t.size
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(t[1:], t[:-1], out=new[1:])
    if s is not None:
        new[1:] |= s[1:] != s[:-1]
    idx = np.flatnonzero(new)
    nb = idx.size
    cnt = np.empty((nb, k))
    dev = np.empty((nb, k))
    for j in range(k):
        m = g == j
        cnt[:, j] = np.add.reduceat(m.astype(np.float64), idx)
        dev[:, j] = np.add.reduceat(np.where(m, e, 0.0), idx)
    # reverse cumulative sums within each stratum (counts are exact in float64)
    if s is None:
        sstart = np.zeros(nb, dtype=np.int64)
        risk = np.cumsum(cnt[::-1], axis=0)[::-1]
    else:
        snew = np.empty(nb, dtype=bool)
        snew[0] = True
        sb = s[idx]
        np.not_equal(sb[1:], sb[:-1], out=snew[1:])
        starts = np.flatnonzero(snew)
        sstart = np.repeat(starts, np.diff(np.append(starts, nb)))
        rc = np.cumsum(cnt[::-1], axis=0)[::-1]
        nxt = np.vstack([rc[starts[1:]], np.zeros((1, k))])
        which = np.repeat(np.arange(starts.size), np.diff(np.append(starts, nb)))
        risk = rc - nxt[which]
    return risk, dev, sstart, idx


def _accumulate(
    blocks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]], k: int, rho: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted observed, expected and covariance of O - E, summed over blocks.

    Each block is (risk, dev, new_stratum): K x B at-risk and event counts at B distinct
    times in (stratum, time) order, and a flag per time that it starts a stratum. The pooled
    left-continuous KM of the G-rho weights is carried across blocks within a stratum.
    """
    observed_w = np.zeros(k)
    expected = np.zeros(k)
    var = np.zeros((k, k))
    carry = 1.0  # pooled KM after the last time of the previous block (same stratum)
    for risk, dev, snew in blocks:
        nn = risk.sum(axis=0)
        dd = dev.sum(axis=0)
        if rho != 0:
            # pooled left-continuous KM within stratum at each time
            surv_after = 1.0 - dd / nn
            bounds = np.append(np.flatnonzero(snew), nn.size)
            if bounds[0] != 0:
                bounds = np.r_[0, bounds]
            s_minus = np.empty_like(nn)
            for a, b in itertools.pairwise(bounds):
                start = 1.0 if snew[a] else carry
                np.cumprod(surv_after[a:b], out=surv_after[a:b])
                surv_after[a:b] *= start
                s_minus[a] = start
                s_minus[a + 1 : b] = surv_after[a : b - 1]
                carry = float(surv_after[b - 1])
            wt = s_minus**rho
        else:
            wt = None
        ev = dd > 0
        if not ev.all():
            risk, dev, nn, dd = risk[:, ev], dev[:, ev], nn[ev], dd[ev]
            wt = None if wt is None else wt[ev]
        # K x B products are summed with einsum's own loops, not BLAS: a multithreaded BLAS
        # call per block costs more than the sums (and stalls on a loaded machine)
        frac = risk / nn
        with np.errstate(divide="ignore", invalid="ignore"):
            if wt is None:
                observed_w += dev.sum(axis=1)
                expected += np.einsum("kb,b->k", frac, dd)
                c = np.where(nn > 1, dd * (nn - dd) / (nn - 1), 0.0)
            else:
                observed_w += np.einsum("kb,b->k", dev, wt)
                expected += np.einsum("kb,b->k", frac, wt * dd)
                c = np.where(nn > 1, wt * wt * dd * (nn - dd) / (nn - 1), 0.0)
        fc = frac * c
        var += np.diag(fc.sum(axis=1)) - np.einsum("kb,jb->kj", fc, frac)
    return observed_w, expected, var


def _statistic(
    blocks: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]],
    levels: np.ndarray,
    n_per: np.ndarray,
    rho: float,
    stratified: bool,
) -> LogrankResult:
    """Test statistic from the blocks of :func:`_accumulate`."""
    observed_w, expected, var = _accumulate(blocks, len(levels), rho)
    u = observed_w - expected
    df = int(np.sum(expected > 0)) - 1
    sub = var[1:, 1:]
    try:
        chisq = float(u[1:] @ np.linalg.solve(sub, u[1:]))
    except np.linalg.LinAlgError:
        chisq = float(u[1:] @ np.linalg.pinv(sub) @ u[1:])
    p = float(chi2.sf(chisq, df)) if df > 0 else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        table = pd.DataFrame(
            {
                "group": levels,
                "n": n_per,
                "observed": observed_w,
                "expected": expected,
                "oe2_e": u**2 / expected,
                "oe2_v": u**2 / np.diag(var),
            }
        )
    return LogrankResult(table, chisq, df, p, var, float(rho), stratified)


def logrank_from_arrays(
    time: np.ndarray,
    event: np.ndarray,
    codes: np.ndarray,
    levels: np.ndarray,
    scodes: np.ndarray | None = None,
    rho: float = 0.0,
) -> LogrankResult:
    """Log-rank test on validated arrays (one sort by stratum and time)."""
    k = len(levels)
    if k < 2:
        raise InputError("group", list(levels), "at least two groups")
    if scodes is None:
        return logrank_from_sorted(sort_survival(time, event, codes, levels, None), rho)
    # order within tied times is irrelevant (only block sums are used), so the
    # fast unstable (SIMD) sort is used; the group/stratum partition below is stable
    order = np.argsort(time)
    order = order[np.argsort(scodes[order], kind="stable")]
    t, e, g, s = time[order], event[order], codes[order], scodes[order]
    risk, dev, sstart, _ = _block_counts(t, e, g, s, k)
    del t, e, g, s
    n_per = np.bincount(codes, minlength=k)
    snew = np.r_[True, sstart[1:] != sstart[:-1]]
    block = (np.ascontiguousarray(risk.T), np.ascontiguousarray(dev.T), snew)
    return _statistic([block], levels, n_per, rho, True)


def logrank_from_sorted(ss: SortedSurv, rho: float = 0.0) -> LogrankResult:
    """Unstratified test from the per-group tables of :func:`sort_survival` (e.g. a fitted
    Kaplan-Meier's ``sorted``), merged block by block in time order
    (:func:`~hccrt.stats.km.pooled_event_blocks`): no second sort, bounded temporaries."""
    if ss.weighted:
        raise InputError("weights", "given", "no case weights (the log-rank test is unweighted)")
    k = len(ss.levels)
    if k < 2:
        raise InputError("group", list(ss.levels), "at least two groups")
    first = [True]

    def blocks() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        for risk, dev in pooled_event_blocks(ss):
            snew = np.zeros(risk.shape[1], dtype=bool)
            snew[0] = first[0]
            first[0] = False
            yield risk, dev, snew

    return _statistic(blocks(), ss.levels, ss.n_obs, rho, False)


def logrank_from_km(km: KaplanMeierResult, rho: float = 0.0) -> LogrankResult:
    """Unstratified log-rank / G-rho test between the groups of a fitted Kaplan-Meier
    estimate (shares its sort: KM + log-rank + RMST sort the data once)."""
    return logrank_from_sorted(km.sorted, rho)


def logrank(
    time: ArrayLike,
    event: ArrayLike | None = None,
    *,
    group: ArrayLike,
    strata: ArrayLike | None = None,
    rho: float = 0.0,
    data: pd.DataFrame | None = None,
) -> LogrankResult:
    """Log-rank (``rho=0``) or G-rho test comparing ``group``s, optionally stratified.

    Arguments are arrays, or column names of ``data``. See the module docstring.
    """
    if not (isinstance(rho, (int, float)) and np.isfinite(rho) and rho >= 0):
        raise InputError("rho", rho, "a finite number >= 0")
    t = as_time(data, time)
    e = as_event(data, event, t.size)
    lab = as_labels(data, group, t.size, "group")
    if lab is None:
        raise InputError("group", None, "group labels (two or more groups)")
    slab = as_labels(data, strata, t.size, "strata")
    return logrank_from_arrays(t, e, lab[0], lab[1], None if slab is None else slab[0], float(rho))
