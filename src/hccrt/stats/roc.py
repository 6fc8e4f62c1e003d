"""ROC curve, AUC with DeLong CI, and the Youden-optimal threshold with a bootstrap CI.

For the dose-response endpoint (tumour absorbed dose predicting response). Methods as R
``pROC`` 1.18 (Robin et al. 2011), which the tests reproduce to 1e-6:

* Thresholds: midpoints between consecutive distinct predictor values, plus -inf and +inf
  (``roc.utils.thresholds``; note scikit-learn uses the observed values instead, so a cut-off
  in Gy differs by half a gap). Direction ``"<"``: controls have lower values, a participant is
  called positive when predictor >= threshold; ``"auto"`` picks it as pROC does (by the
  medians of the two groups).
* AUC = Mann-Whitney probability P(case > control) + 0.5 P(tie); DeLong, DeLong &
  Clarke-Pearson (1988) variance from the structural components (placements, computed by
  midranks as Sun & Xu 2014), Wald CI clipped to [0, 1] as ``ci.auc(method = "delong")``.
* Youden index J = max(sensitivity + specificity - 1) (Youden 1950); among tied maxima the
  lowest threshold is reported and the number of ties is given. Its CI: percentile interval of
  the Youden threshold over ``n_boot`` stratified bootstrap resamples (cases and controls
  resampled separately, as pROC's default ``boot.stratified = TRUE``), reproducible via
  ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm, rankdata

from hccrt.errors import InputError
from hccrt.stats._inputs import ArrayLike, column


@dataclass(frozen=True)
class RocResult:
    """ROC analysis. ``curve``: threshold, sensitivity, specificity, one row per threshold in
    pROC's order (increasing sensitivity cut-offs: ascending for "<", descending for ">").
    ``youden``: threshold, sensitivity, specificity, j, n_ties, lower, upper (bootstrap CI of
    the threshold)."""

    curve: pd.DataFrame
    auc: float
    auc_se: float
    auc_lower: float
    auc_upper: float
    direction: str
    youden: dict
    n_cases: int
    n_controls: int
    conf_level: float
    n_boot: int


def _thresholds(values: np.ndarray) -> np.ndarray:
    u = np.unique(values)
    lo = np.r_[-np.inf, u]
    hi = np.r_[u, np.inf]
    with np.errstate(invalid="ignore", over="ignore"):
        t1 = (lo + hi) / 2
        t2 = lo / 2 + hi / 2
    return np.where(np.abs(t1) > 1e100, t2, t1)


def _curve(
    cases: np.ndarray, controls: np.ndarray, thr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sensitivity and specificity at thresholds for direction '<' (positive if >= thr)."""
    cs = np.sort(cases)
    ct = np.sort(controls)
    sens = (cs.size - np.searchsorted(cs, thr, side="left")) / cs.size
    spec = np.searchsorted(ct, thr, side="left") / ct.size
    return sens, spec


def _youden(
    sens: np.ndarray, spec: np.ndarray, thr: np.ndarray
) -> tuple[float, float, float, float, int]:
    j = sens + spec - 1
    best = np.flatnonzero(j == j.max())
    i = best[0]
    return thr[i], sens[i], spec[i], j[i], best.size


def _delong(cases: np.ndarray, controls: np.ndarray) -> tuple[float, float]:
    m, n = cases.size, controls.size
    allr = rankdata(np.r_[cases, controls])  # midranks handle ties (psi = 1/2)
    rx = rankdata(cases)
    ry = rankdata(controls)
    v10 = (allr[:m] - rx) / n  # placement of each case among controls
    v01 = 1 - (allr[m:] - ry) / m  # placement of each control among cases
    auc = float(v10.mean())
    if m <= 1 or n <= 1:
        return auc, float("nan")
    sx = np.sum((v10 - auc) ** 2) / (m - 1)
    sy = np.sum((v01 - auc) ** 2) / (n - 1)
    return auc, float(np.sqrt(sx / m + sy / n))


def roc(
    response: ArrayLike,
    predictor: ArrayLike,
    *,
    data: pd.DataFrame | None = None,
    direction: str = "auto",
    conf_level: float = 0.95,
    n_boot: int = 2000,
    seed: int | None = 20261122,
) -> RocResult:
    """ROC analysis of a continuous ``predictor`` (e.g. tumour dose) for a 0/1 ``response``.

    Arguments are arrays, or column names of ``data``. ``n_boot=0`` skips the bootstrap.
    """
    if direction not in ("auto", "<", ">"):
        raise InputError("direction", direction, "auto | < | >")
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise InputError("conf_level", conf_level, "a number strictly between 0 and 1")
    if not (isinstance(n_boot, int) and n_boot >= 0):
        raise InputError("n_boot", n_boot, "an integer >= 0")
    y = column(data, response, "response")
    x = column(data, predictor, "predictor")
    if x.size != y.size:
        raise InputError("predictor", f"length {x.size}", f"same length as response ({y.size})")
    try:
        xf = x.astype(np.float64)
        yf = y.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("predictor", x[:5].tolist(), "numbers, with a 0/1 response") from exc
    if np.any(~np.isfinite(xf)):
        raise InputError("predictor", xf[~np.isfinite(xf)][0].item(), "finite numbers")
    bad = (yf != 0) & (yf != 1)
    if bad.any():
        raise InputError("response", yf[bad][0].item(), "0 (control) or 1 (case)")
    cases, controls = xf[yf == 1], xf[yf == 0]
    if cases.size == 0 or controls.size == 0:
        raise InputError("response", "one class only", "at least one case and one control")
    if direction == "auto":
        direction = ">" if np.median(controls) > np.median(cases) else "<"
    sign = 1.0 if direction == "<" else -1.0
    c, k = sign * cases, sign * controls
    thr = _thresholds(np.r_[c, k])
    sens, spec = _curve(c, k, thr)
    auc, se = _delong(c, k)
    z = float(norm.ppf(0.5 + conf_level / 2))
    lo, hi = min(max(auc - z * se, 0.0), 1.0), min(max(auc + z * se, 0.0), 1.0)
    yt, ys, yp, yj, nt = _youden(sens, spec, thr)
    boot = np.full(n_boot, np.nan)
    if n_boot:
        rng = np.random.default_rng(seed)
        ic = rng.integers(0, c.size, size=(n_boot, c.size))
        ik = rng.integers(0, k.size, size=(n_boot, k.size))
        for b in range(n_boot):  # loop over resamples, vectorized within each
            cb, kb = c[ic[b]], k[ik[b]]
            tb = _thresholds(np.r_[cb, kb])
            sb, pb = _curve(cb, kb, tb)
            boot[b] = _youden(sb, pb, tb)[0]
    alpha = 1 - conf_level
    if n_boot:
        b_lo, b_hi = np.quantile(sign * boot, [alpha / 2, 1 - alpha / 2])
        b_lo, b_hi = sorted((float(b_lo), float(b_hi)))
    else:
        b_lo = b_hi = float("nan")
    curve = pd.DataFrame({"threshold": sign * thr, "sensitivity": sens, "specificity": spec})
    youden = {
        "threshold": float(sign * yt),
        "sensitivity": float(ys),
        "specificity": float(yp),
        "j": float(yj),
        "n_ties": int(nt),
        "lower": b_lo,
        "upper": b_hi,
    }
    return RocResult(
        curve, auc, se, lo, hi, direction, youden, int(c.size), int(k.size), conf_level, n_boot
    )
