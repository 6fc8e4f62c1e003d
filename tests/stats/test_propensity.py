"""Propensity model, IPW weights, SMD balance and the weighted KM / Cox that use them,
against R glm / cov.wt / survfit / coxph (tests/reference/ipw.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrt.errors import InputError
from hccrt.stats import cox_ph, ipw, kaplan_meier
from tests.stats.refdata import assert_close, load_data, load_ref

COVS = ["age", "ecog01", "wt.loss"]


def lung() -> pd.DataFrame:
    d = load_data("lung").dropna(subset=["ph.ecog", "wt.loss"]).reset_index(drop=True)
    d["female"] = (d["sex"] == 2).astype(int)
    d["ecog01"] = (d["ph.ecog"] <= 1).astype(int)
    return d


def check_ipw(r: dict) -> None:
    d = lung()
    res = ipw(d, "female", COVS)
    assert_close(res.model["coef"], r["coef"], what="glm coef")
    assert_close(res.model["se"], r["se"], what="glm se")
    assert_close(res.scores, r["ps"], what="propensity")
    assert_close(res.weights, r["w_ate"], what="ATE weights")
    assert_close(res.balance["smd_unweighted"], r["smd_unweighted"], what="SMD raw")
    assert_close(res.balance["smd_weighted"], r["smd_ate"], what="SMD ATE")
    assert_close(ipw(d, "female", COVS, stabilize=True).weights, r["w_sate"], what="stab.")
    att = ipw(d, "female", COVS, estimand="ATT")
    assert_close(att.weights, r["w_att"], what="ATT weights")
    assert_close(att.balance["smd_weighted"], r["smd_att"], what="SMD ATT")
    km = kaplan_meier("time", "status", group="female", weights=res.weights, data=d)
    assert km.variance == "robust"
    assert_close(km.table["surv"], r["km_surv"], what="IPW KM")
    assert_close(km.table["std_err"], r["km_std_err"], what="IPW KM se")
    assert_close(km.table["lower"], r["km_lower"], what="IPW KM lower")
    assert_close(km.table["upper"], r["km_upper"], what="IPW KM upper")
    med = km.median()
    assert_close(med["time"], r["km_median"], what="IPW median")
    assert_close(med["lower"], r["km_median_lower"], what="IPW median lower")
    assert_close(med["upper"], r["km_median_upper"], what="IPW median upper")
    cx = cox_ph("time", "status", ["female"], weights=res.weights, data=d)
    assert cx.robust
    assert_close(cx.table["coef"], r["cox_coef"], what="IPW Cox")
    assert_close(cx.table["se"], r["cox_robust_se"], what="IPW Cox robust se")
    assert_close(cx.table["naive_se"], r["cox_naive_se"], what="IPW Cox naive se")


def test_matches_r() -> None:
    check_ipw(load_ref("ipw"))


def test_weighting_improves_balance() -> None:
    res = ipw(lung(), "female", COVS)
    assert np.all(np.abs(res.balance["smd_weighted"]) < np.abs(res.balance["smd_unweighted"]))


def test_bad_input() -> None:
    d = lung()
    with pytest.raises(InputError) as err:
        ipw(d, "sex", COVS)
    assert err.value.field == "sex"
    with pytest.raises(InputError) as err:
        ipw(d, "female", ["nope"])
    assert err.value.field == "nope"
    with pytest.raises(InputError) as err:
        ipw(d, "female", COVS, estimand="ATC")
    assert err.value.field == "estimand"
    d["copy"] = d["female"]
    with pytest.raises(InputError) as err:
        ipw(d, "female", ["copy"])
    assert err.value.field == "covariates"
