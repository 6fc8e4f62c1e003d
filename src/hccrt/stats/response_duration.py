"""Probability of being in response (PBIR) and restricted mean duration of response (RMDoR).

Method (Temkin 1978; Huang et al. 2018, JAMA Oncol 4:1252, "Evaluating treatment effect based
on duration of response"): with T_R the time to response and T_P the time to progression or
death, both from randomization/start, in all participants (non-responders included),
PBIR(t) = P(T_R <= t < T_P) = S_P(t) - S_F(t), where S_P is the Kaplan-Meier curve of T_P
(PFS) and S_F that of the time to the first of response or progression/death. The restricted
mean duration of response is the area under PBIR to tau:
RMDoR(tau) = RMST_P(tau) - RMST_F(tau).
Its variance uses the infinitesimal-jackknife influence of each participant on both RMSTs
(they share participants, so the covariance matters): var = sum_i (phi_P,i - phi_F,i)^2 with
phi the influence on the area under each Kaplan-Meier curve, the same influence R ``survfit``
uses for its robust variance (survfitkm.c). CI: est +- z se; between groups the difference
with se = sqrt(v1 + v0) (independent groups).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from hccrt.errors import InputError
from hccrt.stats._inputs import ArrayLike, as_event, as_labels, as_time, column


@dataclass(frozen=True)
class ResponseDurationResult:
    """``table``: group, tau, rmdor, se, lower, upper, rmst_pfs, rmst_first (the two areas).
    ``contrasts``: difference vs the reference group (estimate, lower, upper, p_value).
    ``curve``: group, time, pbir (PBIR at each distinct time of the two curves)."""

    table: pd.DataFrame
    contrasts: pd.DataFrame | None
    curve: pd.DataFrame
    tau: float
    conf_level: float


def _km_area_influence(
    t: np.ndarray, e: np.ndarray, tau: float
) -> tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """Kaplan-Meier steps, area to tau, and per-observation IJ influence on that area."""
    order = np.argsort(t, kind="stable")
    ts, es = t[order], e[order]
    new = np.r_[True, ts[1:] != ts[:-1]]
    idx = np.flatnonzero(new)
    u = ts[idx]
    n = (ts.size - idx).astype(float)
    d = np.add.reduceat(es, idx)
    s = np.cumprod(1 - d / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(n - d > 0, 1 / (n - d), 0.0)
        a = np.where(d > 0, d * b / n, 0.0)
    big_a = np.cumsum(a)
    # segments [u_j, u_{j+1}) clipped to tau, plus [0, u_1) with S = 1, A = 0
    nxt = np.r_[u[1:], np.inf]
    seg = np.maximum(0.0, np.minimum(nxt, tau) - np.minimum(u, tau))
    first = min(u[0], tau)
    area_j = s * seg
    g = np.cumsum(area_j[::-1])[::-1]  # G(u_j) = area from u_j to tau
    h = np.r_[0.0, np.cumsum(s * big_a * seg)[:-1]]  # H(u_j) = int_0^{u_j} S A
    area = first + area_j.sum()
    blk = np.cumsum(new) - 1  # block of each sorted observation
    phi_sorted = -es * b[blk] * g[blk] + h[blk] + big_a[blk] * g[blk]
    phi = np.empty_like(phi_sorted)
    phi[order] = phi_sorted
    return u, s, area, phi


def duration_of_response(
    pfs_time: ArrayLike,
    pfs_event: ArrayLike,
    response_time: ArrayLike,
    *,
    tau: float,
    group: ArrayLike | None = None,
    data: pd.DataFrame | None = None,
    conf_level: float = 0.95,
    reference: object = None,
) -> ResponseDurationResult:
    """RMDoR to ``tau`` and the PBIR curve, per group.

    ``response_time`` is the time of first response, missing (NaN) for non-responders;
    ``pfs_time``/``pfs_event`` the progression-free survival time and indicator, all from the
    same origin. Arguments are arrays, or column names of ``data``.
    """
    if not (isinstance(tau, (int, float)) and np.isfinite(tau) and tau > 0):
        raise InputError("tau", tau, "a finite time > 0")
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise InputError("conf_level", conf_level, "a number strictly between 0 and 1")
    tp = as_time(data, pfs_time, "pfs_time")
    ep = as_event(data, pfs_event, tp.size, "pfs_event")
    rt = column(data, response_time, "response_time").astype(np.float64)
    if rt.size != tp.size:
        raise InputError("response_time", f"length {rt.size}", "same length as pfs_time")
    responded = ~np.isnan(rt)
    bad = responded & ((rt < 0) | (rt > tp) | ~np.isfinite(rt))
    if bad.any():
        raise InputError(
            "response_time", rt[bad][0].item(), "missing, or between 0 and the PFS time"
        )
    tf = np.where(responded, rt, tp)
    ef = np.where(responded, 1.0, ep)
    lab = as_labels(data, group, tp.size, "group")
    codes, levels = (
        (np.zeros(tp.size, np.int16), np.array([None], dtype=object)) if lab is None else lab
    )
    z = float(norm.ppf(0.5 + conf_level / 2))
    rows, curves = [], []
    for k, lvl in enumerate(levels):
        m = codes == k
        if tau > tp[m].max():
            raise InputError(
                "tau", tau, f"<= the last PFS follow-up time of every group ({tp[m].max():g})"
            )
        up, sp, area_p, phi_p = _km_area_influence(tp[m], ep[m], tau)
        uf, sf, area_f, phi_f = _km_area_influence(tf[m], ef[m], tau)
        est = area_p - area_f
        se = float(np.sqrt(np.sum((phi_p - phi_f) ** 2)))
        rows.append((lvl, float(tau), est, se, est - z * se, est + z * se, area_p, area_f))
        grid = np.union1d(up, uf)
        s_p = np.r_[1.0, sp][np.searchsorted(up, grid, side="right")]
        s_f = np.r_[1.0, sf][np.searchsorted(uf, grid, side="right")]
        curves.append(pd.DataFrame({"group": lvl, "time": grid, "pbir": s_p - s_f}))
    table = pd.DataFrame(
        rows,
        columns=["group", "tau", "rmdor", "se", "lower", "upper", "rmst_pfs", "rmst_first"],
    )
    contrasts = None
    if len(levels) > 1:
        lv = list(levels)
        ref = lv[0] if reference is None else reference
        if ref not in lv:
            raise InputError("reference", reference, f"one of the groups {lv}")
        i0 = lv.index(ref)
        out = []
        for i, g in enumerate(lv):
            if i == i0:
                continue
            diff = rows[i][2] - rows[i0][2]
            se = float(np.hypot(rows[i][3], rows[i0][3]))
            out.append(
                (g, ref, diff, diff - z * se, diff + z * se, float(2 * norm.sf(abs(diff / se))))
            )
        contrasts = pd.DataFrame(
            out, columns=["group", "reference", "difference", "lower", "upper", "p_value"]
        )
    return ResponseDurationResult(
        table, contrasts, pd.concat(curves, ignore_index=True), float(tau), conf_level
    )
