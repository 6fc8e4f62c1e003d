"""Cox proportional-hazards regression (partial likelihood), as R ``survival::coxph``.

Method: maximum partial likelihood (Cox 1972) by Newton-Raphson from beta = 0 with step
halving, iterated to full convergence. Ties: Efron (1977) approximation (default, as R and
lifelines) or Breslow (1974) (as SAS PHREG, Stata, statsmodels); the output names the one used.
With case weights the weighted partial likelihood of R ``coxfit6``: for d tied deaths with
weights w, the l-th Efron term uses the risk-set sum S0 - (l/d) D0 and carries the mean death
weight. Standard errors from the inverse information; hazard ratios with Wald CIs on the log
scale; likelihood-ratio, Wald and score (at beta = 0, equal to the log-rank test for a single
binary covariate) tests, as ``summary.coxph``. Robust sandwich variance (Lin & Wei 1989) from
the weighted dfbeta residuals, sum_i (w_i L_i V)' (w_i L_i V), used by default with non-integer
weights exactly as R decides (``robust = NULL``), plus R's robust score test. Strata: separate
baseline hazards, common coefficients.

Everything is vectorized: one sort, per-(stratum, time) block sums with ``np.add.reduceat``,
within-stratum reverse cumulative sums over blocks, and the information matrix as X' diag(v) X
so no n x p x p array is ever built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from hccrt.errors import InputError
from hccrt.stats._inputs import ArrayLike, as_event, as_labels, as_time, as_weights, column

TIES = ("efron", "breslow")


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model.

    ``table``: term, coef, hr, se (the one used for inference), naive_se (model-based; differs
    from se only for robust fits), z, p_value, hr_lower, hr_upper. ``tests``: likelihood_ratio,
    wald, score (and robust_score for robust fits) with df and p. ``variance`` is the
    covariance matrix used for inference (robust if ``robust``).
    """

    table: pd.DataFrame
    tests: pd.DataFrame
    variance: np.ndarray
    naive_variance: np.ndarray
    loglik: tuple[float, float]  # (at beta = 0, at the estimate)
    n: int
    n_events: float
    ties: str
    robust: bool
    iterations: int
    conf_level: float


class _Design:
    """Data sorted by (stratum, time) with block (stratum x distinct time) bookkeeping."""

    def __init__(
        self,
        t: np.ndarray,
        e: np.ndarray,
        x: np.ndarray,
        w: np.ndarray,
        s: np.ndarray | None,
    ) -> None:
        # order within tied times is irrelevant (only block sums are used), so the
        # fast unstable (SIMD) sort is used; the group/stratum partition below is stable
        order = np.argsort(t)
        if s is not None:
            order = order[np.argsort(s[order], kind="stable")]
        self.t = t[order]
        self.e = e[order]
        self.x = x[order]
        self.x -= self.x.mean(axis=0)  # centring (as coxph) for numerical stability
        self.w = w[order]
        n = t.size
        new = np.empty(n, dtype=bool)
        new[0] = True
        np.not_equal(self.t[1:], self.t[:-1], out=new[1:])
        snew_obs = np.zeros(n, dtype=bool)
        snew_obs[0] = True
        if s is not None:
            ss = s[order]
            snew_obs[1:] = ss[1:] != ss[:-1]
            new |= snew_obs
        self.idx = np.flatnonzero(new)
        self.block_of = np.cumsum(new) - 1
        nb = self.idx.size
        sb = snew_obs[self.idx]
        self.sstarts = np.flatnonzero(sb)  # block index where each stratum starts
        self.sbounds = np.append(self.sstarts, nb)
        ew = self.e * self.w
        self.ew = ew
        self.dc = np.add.reduceat(self.e, self.idx)  # unweighted deaths per block
        self.dw = np.add.reduceat(ew, self.idx)  # weighted deaths per block
        self.dm = self.dc > 0
        reps = self.dc[self.dm].astype(np.int64)
        nd = int(reps.sum())
        self.bi = np.repeat(np.arange(reps.size), reps)  # death-block of each Efron term
        first = np.cumsum(reps) - reps
        self.ell = np.arange(nd) - np.repeat(first, reps)
        self.term_start = first
        self.frac = self.ell / reps[self.bi]
        self.mw = (self.dw[self.dm] / self.dc[self.dm])[self.bi]
        self.ewx = ew @ self.x
        self.no_ties = self.idx.size == n  # every block is one observation
        self.single = bool(reps.size == 0 or reps.max() <= 1)  # no tied deaths

    def blocksum(self, a: np.ndarray) -> np.ndarray:
        """Sum of observations within each block (identity when there are no ties)."""
        return a if self.no_ties else np.add.reduceat(a, self.idx, axis=0)

    def revcum(self, a: np.ndarray) -> np.ndarray:
        """Reverse cumulative sum over blocks within each stratum."""
        out = np.empty_like(a)
        for lo, hi in zip(self.sbounds[:-1], self.sbounds[1:], strict=True):
            out[lo:hi] = np.cumsum(a[lo:hi][::-1], axis=0)[::-1]
        return out

    def cum(self, a: np.ndarray) -> np.ndarray:
        """Cumulative sum over blocks within each stratum."""
        out = np.empty_like(a)
        for lo, hi in zip(self.sbounds[:-1], self.sbounds[1:], strict=True):
            out[lo:hi] = np.cumsum(a[lo:hi], axis=0)
        return out


def _pieces(
    dz: _Design, beta: np.ndarray, frac: np.ndarray, info: bool = True
) -> tuple[float, np.ndarray, np.ndarray | None, dict | None]:
    """Log partial likelihood, score and information at beta (plus pieces for residuals)."""
    eta = dz.x @ beta
    r = np.exp(eta)
    wr = dz.w * r
    wrx = dz.x * wr[:, None]
    s0 = dz.revcum(dz.blocksum(wr))[dz.dm]
    s1 = dz.revcum(dz.blocksum(wrx))[dz.dm]
    bi = dz.bi
    if dz.single:  # one death per death block: Efron = Breslow, no expansion needed
        del wrx
        den = s0
        a = s1 / den[:, None]
    else:
        d0 = dz.blocksum(dz.e * wr)[dz.dm]
        d1 = dz.blocksum(wrx * dz.e[:, None])[dz.dm]
        del wrx
        den = s0[bi] - frac * d0[bi]
        a = (s1[bi] - frac[:, None] * d1[bi]) / den[:, None]
    loglik = float(dz.ew @ eta - dz.mw @ np.log(den))
    u = dz.ewx - dz.mw @ a
    if not info:
        return loglik, u, None, None
    h = dz.mw / den
    nblk = dz.idx.size
    hb = np.zeros(nblk)
    hfb = np.zeros(nblk)
    if dz.single:
        hb[dz.dm] = h
    else:
        hb[dz.dm] = np.bincount(bi, weights=h, minlength=s0.size)
        hfb[dz.dm] = np.bincount(bi, weights=frac * h, minlength=s0.size)
    c = dz.cum(hb)
    v = wr * (c[dz.block_of] - dz.e * hfb[dz.block_of])
    imat = (dz.x * v[:, None]).T @ dz.x - (a * dz.mw[:, None]).T @ a
    extra = {"r": r, "h": h, "a": a, "hb": hb, "hfb": hfb, "c": c}
    return loglik, u, imat, extra


def _score_residuals(dz: _Design, ex: dict, frac: np.ndarray) -> np.ndarray:
    """Per-observation score residuals L_i (R coxscore, Efron/Breslow), unweighted."""
    nblk = dz.idx.size
    p = dz.x.shape[1]
    h, a = ex["h"], ex["a"]
    g = np.zeros((nblk, p))
    gf = np.zeros((nblk, p))
    abar = np.zeros((nblk, p))
    reps = dz.dc[dz.dm]
    if a.shape[0]:
        g[dz.dm] = np.add.reduceat(a * h[:, None], dz.term_start, axis=0)
        gf[dz.dm] = np.add.reduceat(a * (frac * h)[:, None], dz.term_start, axis=0)
        abar[dz.dm] = np.add.reduceat(a, dz.term_start, axis=0) / reps[:, None]
    cg = dz.cum(g)
    b = dz.block_of
    r = ex["r"]
    x = dz.x
    e = dz.e[:, None]
    return (
        e * (x - abar[b])
        - r[:, None] * (x * ex["c"][b][:, None] - cg[b])
        + e * r[:, None] * (x * ex["hfb"][b][:, None] - gf[b])
    )


def _chol_solve(m: np.ndarray, v: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(m, v)
    except np.linalg.LinAlgError as exc:
        raise InputError(
            "covariates", "singular information matrix", "linearly independent covariates"
        ) from exc


def cox_ph(
    time: ArrayLike,
    event: ArrayLike | None,
    covariates: Sequence[str] | np.ndarray | pd.DataFrame,
    *,
    data: pd.DataFrame | None = None,
    strata: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    ties: str = "efron",
    robust: bool | None = None,
    conf_level: float = 0.95,
    names: Sequence[str] | None = None,
    max_iter: int = 30,
) -> CoxResult:
    """Fit a Cox model. ``covariates`` are column names of ``data``, or an (n, p) array /
    DataFrame of numeric covariates (``names`` labels array columns). See the module docstring.
    """
    if ties not in TIES:
        raise InputError("ties", ties, " | ".join(TIES))
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise InputError("conf_level", conf_level, "a number strictly between 0 and 1")
    t = as_time(data, time)
    n = t.size
    e = as_event(data, event, n)
    if isinstance(covariates, pd.DataFrame):
        names = list(covariates.columns)
        xs = covariates.to_numpy()
    elif isinstance(covariates, np.ndarray):
        xs = covariates.reshape(n, -1) if covariates.ndim == 1 else covariates
        names = list(names) if names is not None else [f"x{j + 1}" for j in range(xs.shape[1])]
    else:
        cov_names = [covariates] if isinstance(covariates, str) else list(covariates)
        if not cov_names:
            raise InputError("covariates", covariates, "at least one covariate")
        xs = np.column_stack([column(data, c, "covariates") for c in cov_names])
        names = [str(c) for c in cov_names]
    try:
        x = np.asarray(xs, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("covariates", names, "numeric columns (code factors as 0/1)") from exc
    if x.ndim != 2 or x.shape[0] != n or x.shape[1] != len(names) or x.shape[1] == 0:
        raise InputError("covariates", f"shape {x.shape}", f"(n={n}, p>=1) numeric values")
    if not np.all(np.isfinite(x)):
        bad = names[int(np.argwhere(~np.isfinite(x))[0, 1])]
        raise InputError("covariates", bad, "finite values (no missing values)")
    w_in = as_weights(data, weights, n)
    w = np.ones(n) if w_in is None else w_in
    lab = as_labels(data, strata, n, "strata")
    if e.sum() == 0:
        raise InputError("event", "no events", "at least one event")
    if robust is None:  # R coxph: robust by default with non-integer case weights
        robust = w_in is not None and bool(np.any(w_in != np.floor(w_in)))
    dz = _Design(t, e, x, w, None if lab is None else lab[0])
    frac = dz.frac if ties == "efron" else np.zeros_like(dz.frac)
    p = x.shape[1]
    beta = np.zeros(p)
    ll0, u0, i0, ex0 = _pieces(dz, beta, frac)
    score = float(u0 @ _chol_solve(i0, u0))
    ll, u, imat, exf = ll0, u0, i0, ex0
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - value used after the loop
        step = _chol_solve(imat, u)
        new = beta + step
        ll_new, u_new, i_new, ex_new = _pieces(dz, new, frac)
        halvings = 0
        while (not np.isfinite(ll_new) or ll_new < ll - 1e-12 * abs(ll)) and halvings < 30:
            new = (beta + new) / 2
            ll_new, u_new, i_new, ex_new = _pieces(dz, new, frac)
            halvings += 1
        done = abs(ll_new - ll) <= 1e-13 * max(1.0, abs(ll_new)) and np.max(
            np.abs(new - beta)
        ) < 1e-9 * max(1.0, float(np.max(np.abs(new))))
        beta, ll, u, imat, exf = new, ll_new, u_new, i_new, ex_new
        if done:
            break
    ll_fin = ll
    naive = np.linalg.inv(imat)
    var = naive
    tests_rows = []
    if robust:
        lres = _score_residuals(dz, exf, frac) * dz.w[:, None]
        dfb = lres @ naive
        var = dfb.T @ dfb
        l0 = _score_residuals(dz, ex0, frac) * dz.w[:, None]
        u0r = l0.sum(axis=0)
        rscore = float(u0r @ _chol_solve(l0.T @ l0, u0r))
    z = float(norm.ppf(0.5 + conf_level / 2))
    se = np.sqrt(np.diag(var))
    zz = beta / se
    table = pd.DataFrame(
        {
            "term": names,
            "coef": beta,
            "hr": np.exp(beta),
            "se": se,
            "naive_se": np.sqrt(np.diag(naive)),
            "z": zz,
            "p_value": 2 * norm.sf(np.abs(zz)),
            "hr_lower": np.exp(beta - z * se),
            "hr_upper": np.exp(beta + z * se),
        }
    )
    lr = 2 * (ll_fin - ll0)
    wald = float(beta @ _chol_solve(var, beta))
    tests_rows = [("likelihood_ratio", lr), ("wald", wald), ("score", score)]
    if robust:
        tests_rows.append(("robust_score", rscore))
    tests = pd.DataFrame(tests_rows, columns=["test", "statistic"])
    tests["df"] = p
    tests["p_value"] = chi2.sf(tests["statistic"], p)
    return CoxResult(
        table=table,
        tests=tests,
        variance=var,
        naive_variance=naive,
        loglik=(float(ll0), float(ll_fin)),
        n=n,
        n_events=float(e.sum()),
        ties=ties,
        robust=bool(robust),
        iterations=iterations,
        conf_level=conf_level,
    )
