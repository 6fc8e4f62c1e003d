"""Restricted mean survival time (RMST) to a horizon tau, and between-group contrasts.

Method: RMST(tau) = integral_0^tau S(t) dt under the Kaplan-Meier curve, with the variance of
Miller (1981) as implemented in R ``print.survfit(rmean = tau)`` (``survmean``) and in
``survRM2::rmst1`` (Uno et al. 2014), which SAS PROC LIFETEST ``RMST`` also reproduces:
var = sum_{t_j <= tau} A_j^2 d_j / (n_j (n_j - d_j)), A_j the area under S from t_j to tau
(terms with n_j = d_j are 0). CI: est +- z se. Contrasts (survRM2 ``rmst2``): difference
with se = sqrt(v1 + v0); RMST ratio and restricted-mean-time-lost ratio on the log scale with
delta-method se (se(log mu) = se / mu). As survRM2, tau may not exceed the last follow-up
time of any group. Do not use lifelines ``return_variance`` for this (lifelines issue #1682:
it returns Var[min(T, tau)], not the sampling variance of the estimator).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from hccrt.errors import InputError
from hccrt.stats import km as _km
from hccrt.stats._inputs import ArrayLike, check_conf
from hccrt.stats.km import KaplanMeierResult, SortedSurv, km_from_sorted, prepare


@dataclass(frozen=True)
class RMSTResult:
    """RMST per group (``table``) and, with two or more groups, contrasts against the
    reference group (``contrasts``: difference, RMST ratio, RMTL ratio with CIs and p)."""

    table: pd.DataFrame
    contrasts: pd.DataFrame | None
    tau: float
    conf_level: float


def _rmst_one(
    time: np.ndarray, n: np.ndarray, d: np.ndarray, surv: np.ndarray, tau: float
) -> tuple[float, float]:
    """R survmean's rmean/varmean for one curve (start time 0), in bounded memory.

    With t_0 < ... < t_{m-1} the times <= tau and t_m = tau, the area is
    t_0 + sum_j r_j with r_j = (t_{j+1} - t_j) S(t_j), and the variance
    sum_j A_j^2 d_j / (n_j (n_j - d_j)) with A_j = sum_{i >= j} r_i the area from t_j to tau
    (terms with n_j = d_j are 0). A_j is a reverse cumulative sum, taken block by block from
    the end with a carry (:data:`~hccrt.stats.km.BLOCK` rows at a time).
    """
    m = int(np.searchsorted(time, tau, side="right"))  # times are sorted
    if m == 0:
        return tau, 0.0
    area = float(time[0])
    var = 0.0
    carry = 0.0
    size = _km.BLOCK
    for s in reversed(range(0, m, size)):
        e = min(s + size, m)
        nxt = np.empty(e - s)
        nxt[: e - s - 1] = time[s + 1 : e]
        nxt[-1] = time[e] if e < m else tau
        r = np.subtract(nxt, time[s:e], out=nxt)
        r *= surv[s:e]
        area += float(r.sum())
        big_a = np.cumsum(r[::-1])[::-1]
        big_a += carry
        carry = float(big_a[0])
        nb, db = n[s:e], d[s:e]
        nd = nb - db
        with np.errstate(divide="ignore", invalid="ignore"):
            hh = np.where(nd == 0, 0.0, db / (nb * nd))
        var += float(np.einsum("i,i,i->", big_a, big_a, hh))  # no BLAS (threads)
    return area, var


def rmst_from_km(
    km: KaplanMeierResult, tau: float, conf_level: float = 0.95, reference: object = None
) -> RMSTResult:
    """RMST from a fitted Kaplan-Meier result (no refit, no re-sort)."""
    check_conf("log", conf_level)
    if not (isinstance(tau, (int, float)) and np.isfinite(tau) and tau > 0):
        raise InputError("tau", tau, "a finite time > 0")
    z = float(norm.ppf(0.5 + conf_level / 2))
    ss: SortedSurv = km.sorted
    surv = km.arrays["surv"]
    rows = []
    for k, lvl, sl in km._slices():
        if tau > km.last_time[k]:
            raise InputError(
                "tau",
                tau,
                f"<= the last follow-up time of every group ({km.last_time.min():g})",
                f"group {lvl!r} ends at {km.last_time[k]:g} (survRM2 rule)",
            )
        est, var = _rmst_one(ss.time[sl], ss.n_risk[sl], ss.n_event[sl], surv[sl], tau)
        se = np.sqrt(var)
        rows.append((lvl, float(tau), est, se, est - z * se, est + z * se))
    table = pd.DataFrame(rows, columns=["group", "tau", "rmst", "se", "lower", "upper"])
    contrasts = None
    if len(rows) > 1:
        levels = list(table["group"])
        ref = levels[0] if reference is None else reference
        if ref not in levels:
            raise InputError("reference", reference, f"one of the groups {levels}")
        est_all = table["rmst"].to_numpy()
        se_all = table["se"].to_numpy()
        i0 = levels.index(ref)
        m0, s0 = est_all[i0], se_all[i0]
        out = []
        for i1, g1 in enumerate(levels):
            if i1 == i0:
                continue
            m1, s1 = est_all[i1], se_all[i1]
            diff = m1 - m0
            se_d = np.sqrt(s1**2 + s0**2)
            lr = np.log(m1 / m0)
            se_r = np.sqrt((s1 / m1) ** 2 + (s0 / m0) ** 2)
            l1, l0 = tau - m1, tau - m0
            ll = np.log(l1 / l0)
            se_l = np.sqrt((s1 / l1) ** 2 + (s0 / l0) ** 2)
            for name, est, se, log in (
                ("difference", diff, se_d, False),
                ("rmst_ratio", lr, se_r, True),
                ("rmtl_ratio", ll, se_l, True),
            ):
                p = 2 * norm.sf(abs(est / se))
                lo, hi = est - z * se, est + z * se
                if log:
                    est, lo, hi = np.exp(est), np.exp(lo), np.exp(hi)
                out.append((g1, ref, name, float(est), float(lo), float(hi), float(p)))
        contrasts = pd.DataFrame(
            out, columns=["group", "reference", "measure", "estimate", "lower", "upper", "p_value"]
        )
    return RMSTResult(table, contrasts, float(tau), conf_level)


def rmst(
    time: ArrayLike,
    event: ArrayLike | None = None,
    *,
    tau: float,
    group: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    data: pd.DataFrame | None = None,
    conf_level: float = 0.95,
    reference: object = None,
) -> RMSTResult:
    """RMST at ``tau`` per group, with contrasts against ``reference`` (default: the first
    group in sorted order). Arguments are arrays, or column names of ``data``."""
    check_conf("log", conf_level)
    km = km_from_sorted(prepare(time, event, group, weights, data), "log", conf_level)
    return rmst_from_km(km, tau, conf_level, reference)
