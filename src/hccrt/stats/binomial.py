"""Confidence intervals for response rates (ORR, DCR, CR, toxicity rates).

* Clopper & Pearson (1934) exact interval, as R ``binom.test``: lower = Beta^-1(alpha/2; x,
  n - x + 1) (0 when x = 0), upper = Beta^-1(1 - alpha/2; x + 1, n - x) (1 when x = n). With
  ``p0`` the exact two-sided p-value of R ``binom.test`` (sum of the probabilities of outcomes
  no more likely than the observed one, relative tolerance 1e-7), via scipy ``binomtest``.
* Wilson (1927) score interval, as R ``prop.test(correct = FALSE)``.

Inputs are either counts (``successes`` and ``n``, scalars or arrays) or one 0/1 value per
participant (``successes`` only), optionally by ``group``, as arrays or columns of ``data``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta, binomtest, norm

from hccrt.errors import InputError
from hccrt.stats._inputs import ArrayLike, as_labels, column

METHODS = ("clopper-pearson", "wilson")


def _counts(
    successes: ArrayLike,
    n: ArrayLike | None,
    group: ArrayLike | None,
    data: pd.DataFrame | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labels, successes, totals) from counts or from one 0/1 value per participant."""
    if n is not None:
        x = np.atleast_1d(
            np.asarray(successes if data is None else column(data, successes, "successes"))
        )
        nn = np.atleast_1d(
            np.asarray(n if data is None or not isinstance(n, str) else column(data, n, "n"))
        )
        if x.shape != nn.shape:
            raise InputError("n", nn.tolist(), f"same shape as successes ({x.shape})")
        for name, arr in (("successes", x), ("n", nn)):
            if (
                not np.issubdtype(arr.dtype, np.number)
                or np.any(arr != np.round(arr))
                or np.any(arr < 0)
            ):
                raise InputError(name, arr.tolist(), "whole numbers >= 0")
        if np.any(nn == 0):
            raise InputError("n", nn.tolist(), "at least one participant")
        if np.any(x > nn):
            raise InputError("successes", x.tolist(), "at most n")
        labels = np.arange(x.size) if group is None else np.asarray(group)
        return labels, x.astype(float), nn.astype(float)
    y = column(data, successes, "successes")
    if y.size == 0:
        raise InputError("successes", "empty", "at least one participant")
    yb = y.astype(float) if y.dtype == bool else y
    try:
        yf = np.asarray(yb, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError("successes", y[:5].tolist(), "0/1 or booleans") from exc
    bad = (yf != 0) & (yf != 1)
    if bad.any():
        raise InputError("successes", yf[bad][0].item(), "0/1 or booleans (no missing values)")
    lab = as_labels(data, group, yf.size, "group")
    if lab is None:
        return np.array([None], dtype=object), np.array([yf.sum()]), np.array([float(yf.size)])
    codes, levels = lab
    k = len(levels)
    return (
        levels,
        np.bincount(codes, weights=yf, minlength=k),
        np.bincount(codes, minlength=k) * 1.0,
    )


def rate(
    successes: ArrayLike,
    n: ArrayLike | None = None,
    *,
    group: ArrayLike | None = None,
    data: pd.DataFrame | None = None,
    method: str = "clopper-pearson",
    conf_level: float = 0.95,
    p0: float | None = None,
) -> pd.DataFrame:
    """Rate with its CI: one row per group (group, n, events, rate, lower, upper, method[,
    p_value against ``p0``, exact binomial for Clopper-Pearson, score test for Wilson])."""
    if method not in METHODS:
        raise InputError("method", method, " | ".join(METHODS))
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise InputError("conf_level", conf_level, "a number strictly between 0 and 1")
    if p0 is not None and not (isinstance(p0, (int, float)) and 0 < p0 < 1):
        raise InputError("p0", p0, "a probability strictly between 0 and 1")
    labels, x, nn = _counts(successes, n, group, data)
    alpha = 1 - conf_level
    est = x / nn
    if method == "clopper-pearson":
        with np.errstate(invalid="ignore"):
            lower = np.where(x > 0, beta.ppf(alpha / 2, x, nn - x + 1), 0.0)
            upper = np.where(x < nn, beta.ppf(1 - alpha / 2, x + 1, nn - x), 1.0)
    else:
        z = norm.ppf((1 + conf_level) / 2)
        z22n = z * z / (2 * nn)
        half = z * np.sqrt(est * (1 - est) / nn + z22n / (2 * nn))
        upper = np.where(est >= 1, 1.0, (est + z22n + half) / (1 + 2 * z22n))
        lower = np.where(est <= 0, 0.0, (est + z22n - half) / (1 + 2 * z22n))
    out = pd.DataFrame(
        {"group": labels, "n": nn, "events": x, "rate": est, "lower": lower, "upper": upper}
    )
    out["method"] = method
    if p0 is not None:
        if method == "clopper-pearson":
            out["p_value"] = [
                binomtest(int(a), int(b), p0).pvalue for a, b in zip(x, nn, strict=True)
            ]
        else:  # prop.test(correct = FALSE): chi-square score test
            zz = (est - p0) / np.sqrt(p0 * (1 - p0) / nn)
            out["p_value"] = 2 * norm.sf(np.abs(zz))
    return out


def clopper_pearson(
    successes: ArrayLike,
    n: ArrayLike | None = None,
    *,
    group: ArrayLike | None = None,
    data: pd.DataFrame | None = None,
    conf_level: float = 0.95,
    p0: float | None = None,
) -> pd.DataFrame:
    """Clopper-Pearson exact CI (R ``binom.test``); see :func:`rate`."""
    return rate(successes, n, group=group, data=data, conf_level=conf_level, p0=p0)


def wilson(
    successes: ArrayLike,
    n: ArrayLike | None = None,
    *,
    group: ArrayLike | None = None,
    data: pd.DataFrame | None = None,
    conf_level: float = 0.95,
    p0: float | None = None,
) -> pd.DataFrame:
    """Wilson score CI (R ``prop.test(correct = FALSE)``); see :func:`rate`."""
    return rate(successes, n, group=group, data=data, method="wilson", conf_level=conf_level, p0=p0)
