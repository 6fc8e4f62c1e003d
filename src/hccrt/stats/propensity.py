"""Propensity scores, inverse-probability weights and covariate balance (SMD).

For the non-randomized comparison (e.g. SIRT vs HAIC): a logistic propensity model, IPTW
weights, and standardized mean differences before and after weighting; the weights then go
to :func:`hccrt.stats.kaplan_meier` / :func:`hccrt.stats.cox_ph` (which use R's robust
variances for non-integer weights).

Methods:

* Propensity score: logistic regression P(T = 1 | X) by maximum likelihood (Newton-Raphson /
  IRLS, as R ``glm(family = binomial)``), with model-based standard errors.
* Weights (Rosenbaum & Rubin 1983; Robins et al. 2000): ``"ATE"``: T/e + (1 - T)/(1 - e);
  ``"ATT"``: T + (1 - T) e/(1 - e). ``stabilize=True`` multiplies ATE weights by the marginal
  probability of the treatment received (Xu et al. 2010).
* Balance: standardized mean difference (Austin 2009; Austin & Stuart 2015):
  (m1 - m0) / sqrt((s1^2 + s0^2) / 2) with weighted means and, for continuous covariates, the
  weighted variance sum w / ((sum w)^2 - sum w^2) * sum w (x - m)^2 (R ``cov.wt(method =
  "unbiased")``), and p(1 - p) for binary (0/1) covariates. Unweighted SMDs use w = 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from hccrt.errors import InputError


@dataclass(frozen=True)
class IPWResult:
    """``model``: term, coef, se, z, p_value of the logistic propensity model.
    ``scores``/``weights``: per row of the input. ``balance``: covariate, binary,
    mean_treated, mean_control (weighted), smd_unweighted, smd_weighted."""

    model: pd.DataFrame
    scores: np.ndarray
    weights: np.ndarray
    balance: pd.DataFrame
    estimand: str
    stabilized: bool
    iterations: int


def _logistic(
    x: np.ndarray, y: np.ndarray, max_iter: int = 50
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    beta = np.zeros(x.shape[1])
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - value used after the loop
        eta = x @ beta
        p = 1 / (1 + np.exp(-eta))
        w = p * (1 - p)
        info = (x * w[:, None]).T @ x
        try:
            step = np.linalg.solve(info, x.T @ (y - p))
        except np.linalg.LinAlgError as exc:
            raise InputError(
                "covariates", "singular design", "linearly independent covariates"
            ) from exc
        beta = beta + step
        if np.max(np.abs(step)) < 1e-12 * max(1.0, float(np.max(np.abs(beta)))):
            break
    eta = x @ beta
    p = 1 / (1 + np.exp(-eta))
    info = (x * (p * (1 - p))[:, None]).T @ x
    if np.any(p < 1e-10) or np.any(p > 1 - 1e-10):
        raise InputError(
            "covariates", "perfect separation", "covariates that do not predict treatment exactly"
        )
    return beta, np.linalg.inv(info), p, it


def _wstats(x: np.ndarray, w: np.ndarray, binary: bool) -> tuple[float, float]:
    m = float(np.sum(w * x) / np.sum(w))
    if binary:
        return m, m * (1 - m)
    sw = w.sum()
    var = float(sw / (sw**2 - np.sum(w**2)) * np.sum(w * (x - m) ** 2))
    return m, var


def smd(
    x: np.ndarray, treated: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, float, float]:
    """(mean treated, mean control, SMD) of one covariate; binary if it only takes 0/1."""
    w = np.ones(x.size) if weights is None else weights
    binary = bool(np.all((x == 0) | (x == 1)))
    t = treated.astype(bool)
    m1, v1 = _wstats(x[t], w[t], binary)
    m0, v0 = _wstats(x[~t], w[~t], binary)
    den = np.sqrt((v1 + v0) / 2)
    return m1, m0, float((m1 - m0) / den) if den > 0 else float("nan")


def ipw(
    data: pd.DataFrame,
    treatment: str,
    covariates: Sequence[str],
    *,
    estimand: str = "ATE",
    stabilize: bool = False,
) -> IPWResult:
    """Fit the propensity model of ``treatment`` (a 0/1 column) on ``covariates`` (numeric
    columns of ``data``), return the weights and the balance table."""
    if not isinstance(data, pd.DataFrame):
        raise InputError("data", type(data).__name__, "a pandas DataFrame")
    if estimand not in ("ATE", "ATT"):
        raise InputError("estimand", estimand, "ATE | ATT")
    if stabilize and estimand != "ATE":
        raise InputError("stabilize", stabilize, "False for ATT weights")
    names = [covariates] if isinstance(covariates, str) else list(covariates)
    if not names:
        raise InputError("covariates", covariates, "at least one column name")
    for c in [treatment, *names]:
        if c not in data.columns:
            raise InputError(c, "(missing column)", f"a column of data: {list(data.columns)}")
    try:
        y = data[treatment].to_numpy(dtype=np.float64)
        xcov = data[names].to_numpy(dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("covariates", names, "numeric columns (code factors as 0/1)") from exc
    if np.any((y != 0) & (y != 1)):
        raise InputError(treatment, y[(y != 0) & (y != 1)][0].item(), "0/1 (1 = treated)")
    if y.min() == y.max():
        raise InputError(treatment, "one arm only", "both treated (1) and control (0) rows")
    if not np.all(np.isfinite(xcov)):
        raise InputError("covariates", "missing value", "finite values in every row")
    x = np.column_stack([np.ones(y.size), xcov])
    beta, cov, p, it = _logistic(x, y)
    se = np.sqrt(np.diag(cov))
    model = pd.DataFrame(
        {
            "term": ["(Intercept)", *names],
            "coef": beta,
            "se": se,
            "z": beta / se,
            "p_value": 2 * norm.sf(np.abs(beta / se)),
        }
    )
    if estimand == "ATE":
        w = y / p + (1 - y) / (1 - p)
        if stabilize:
            pt = y.mean()
            w = w * np.where(y == 1, pt, 1 - pt)
    else:
        w = y + (1 - y) * p / (1 - p)
    rows = []
    for j, c in enumerate(names):
        s_u = smd(xcov[:, j], y)[2]
        m1, m0, s_w = smd(xcov[:, j], y, w)
        binary = bool(np.all((xcov[:, j] == 0) | (xcov[:, j] == 1)))
        rows.append((c, binary, m1, m0, s_u, s_w))
    balance = pd.DataFrame(
        rows,
        columns=[
            "covariate",
            "binary",
            "mean_treated",
            "mean_control",
            "smd_unweighted",
            "smd_weighted",
        ],
    )
    return IPWResult(model, p, w, balance, estimand, bool(stabilize), it)
