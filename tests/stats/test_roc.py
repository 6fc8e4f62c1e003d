"""ROC / AUC / DeLong / Youden against R pROC 1.18 (tests/reference/roc.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrt.errors import InputError
from hccrt.stats import roc
from tests.stats.refdata import assert_close, load_data, load_ref


def trial() -> pd.DataFrame:
    d = load_data("trial")
    d["neg_dose"] = -d["dose"]
    d["dose_int"] = np.round(d["dose"] / 25)  # R round(): half to even, as numpy
    return d


def check_roc(ref: dict) -> None:
    d = trial()
    for key, r in ref.items():
        if key == "generated_by":
            continue
        res = roc("response", key, data=d, n_boot=0)
        assert res.direction == r["direction"], key
        assert_close(res.auc, r["auc"], what=f"{key} auc")
        assert_close(res.auc_se, r["se"], what=f"{key} se")
        assert_close([res.auc_lower, res.auc, res.auc_upper], r["ci"], what=f"{key} ci")
        curve = res.curve
        assert_close(curve["threshold"], r["threshold"], what=f"{key} thresholds")
        assert_close(curve["sensitivity"], r["sensitivity"], what=f"{key} sens")
        assert_close(curve["specificity"], r["specificity"], what=f"{key} spec")
        y = res.youden
        assert_close(y["threshold"], r["best_threshold"], what=f"{key} youden")
        assert_close(y["sensitivity"], r["best_sensitivity"], what=f"{key} youden sens")
        assert_close(y["specificity"], r["best_specificity"], what=f"{key} youden spec")


def test_matches_proc() -> None:
    check_roc(load_ref("roc"))


def test_bootstrap_ci_of_youden_threshold_agrees_with_proc_within_mc_error() -> None:
    """pROC ci.coords (2000 stratified replicates, set.seed(1)) gives the percentile CI in
    roc.json; a different random stream can only agree within Monte Carlo error."""
    r = load_ref("roc")["dose"]["boot_ci"]
    res = roc("response", "dose", data=trial(), n_boot=2000, seed=7)
    spread = r[1] - r[0]
    assert abs(res.youden["lower"] - r[0]) < 0.15 * spread
    assert abs(res.youden["upper"] - r[1]) < 0.15 * spread


def test_bootstrap_equals_a_plain_loop_with_the_same_resamples() -> None:
    """Independent re-implementation: brute-force Youden over observed midpoints."""
    d = trial()
    res = roc("response", "dose", data=d, n_boot=200, seed=3)
    x, yv = d["dose"].to_numpy(), d["response"].to_numpy()
    cases, controls = x[yv == 1], x[yv == 0]
    rng = np.random.default_rng(3)
    ic = rng.integers(0, cases.size, size=(200, cases.size))
    ik = rng.integers(0, controls.size, size=(200, controls.size))
    best = []
    for b in range(200):
        cb, kb = cases[ic[b]], controls[ik[b]]
        u = np.unique(np.r_[cb, kb])
        thr = np.r_[-np.inf, (u[1:] + u[:-1]) / 2, np.inf]
        j = [np.mean(cb >= t) + np.mean(kb < t) - 1 for t in thr]
        best.append(thr[int(np.argmax(j))])
    lo, hi = np.quantile(best, [0.025, 0.975])
    assert_close([res.youden["lower"], res.youden["upper"]], [lo, hi], rtol=1e-12)


def test_auc_matches_mann_whitney() -> None:
    from scipy.stats import mannwhitneyu

    d = trial()
    c, k = d.loc[d.response == 1, "dose_int"], d.loc[d.response == 0, "dose_int"]
    u = mannwhitneyu(c, k).statistic
    assert_close(roc("response", "dose_int", data=d, n_boot=0).auc, u / (len(c) * len(k)))


def test_bad_input() -> None:
    with pytest.raises(InputError) as err:
        roc([0, 0, 0], [1.0, 2.0, 3.0])
    assert err.value.field == "response"
    with pytest.raises(InputError) as err:
        roc([0, 2, 1], [1.0, 2.0, 3.0])
    assert err.value.field == "response"
    with pytest.raises(InputError) as err:
        roc([0, 1], [1.0, np.nan])
    assert err.value.field == "predictor"
