"""Cox PH against R coxph (tests/reference/cox.R -> cox.json), published values and lifelines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrt.errors import InputError
from hccrt.stats import cox_ph
from tests.stats.refdata import assert_close, load_data, load_ref

CASES = {
    "lung_efron": ("lung", ["age", "sex"], None, "efron", None),
    "lung_breslow": ("lung", ["age", "sex"], None, "breslow", None),
    "lung_strata_sex": ("lung", ["age", "ph.ecog"], "sex", "efron", None),
    "trial_efron": ("trial", ["sirt", "x1", "x2", "age"], None, "efron", None),
    "trial_breslow": ("trial", ["sirt", "x1", "x2", "age"], None, "breslow", None),
    "trial_w_efron": ("trial", ["sirt", "x1", "age"], None, "efron", "weight"),
    "trial_w_strata_breslow": ("trial", ["sirt", "x1"], "stratum", "breslow", "weight"),
    "trial_intw_efron": ("trial", ["sirt", "x2"], None, "efron", "iw"),
    "aml_efron": ("aml", ["maint"], None, "efron", None),
}


def dataset(name: str) -> pd.DataFrame:
    d = load_data(name)
    if name == "trial":
        d["sirt"] = (d["arm"] == "SIRT").astype(int)
        d["iw"] = np.round(d["weight"] * 2)  # R round() is half-even too
    if name == "aml":
        d["maint"] = (d["x"] == "Maintained").astype(int)
    return d


def check_cox(ref: dict) -> None:
    for key, r in ref.items():
        if key == "generated_by":
            continue
        name, x, strata, ties, w = CASES[key]
        d = dataset(name).dropna(subset=[*x, *([strata] if strata else [])])
        fit = cox_ph("time", "status", x, data=d, strata=strata, weights=w, ties=ties)
        assert fit.robust == r["robust"], key
        assert_close(fit.table["coef"], r["coef"], what=f"{key} coef")
        assert_close(fit.variance.ravel(order="F"), r["var"], what=f"{key} var")
        assert_close(fit.naive_variance.ravel(order="F"), r["naive_var"], what=f"{key} naive")
        assert_close(fit.loglik, r["loglik"], what=f"{key} loglik")
        t = fit.tests.set_index("test")["statistic"]
        assert_close(t["likelihood_ratio"], r["lr"], what=f"{key} LR")
        assert_close(t["wald"], r["wald"], what=f"{key} Wald")
        assert_close(t["score"], r["score"], what=f"{key} score")
        if r["robust"]:
            assert_close(t["robust_score"], r["robust_score"], what=f"{key} robust score")
        assert_close(fit.table["hr_lower"], r["hr_lower"], what=f"{key} HR lower")
        assert_close(fit.table["hr_upper"], r["hr_upper"], what=f"{key} HR upper")
        assert_close(fit.table["p_value"], r["p"], what=f"{key} p")
        assert fit.n == r["n"] and fit.n_events == r["nevent"]


def test_cox_matches_r_coxph() -> None:
    check_cox(load_ref("cox"))


def test_published_rossi_and_lung() -> None:
    """rossi (Fox & Weisberg; R output): fin -0.37942 (se 0.19138), LR 33.27 on 7 df.
    lung ~ age + sex (survival-Ex.Rout.save): sex -0.513219 (se .167458), HR CI .4311-.8311."""
    lifelines = pytest.importorskip("lifelines")  # rossi ships with lifelines, not R survival
    rossi = lifelines.datasets.load_rossi()
    cov = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    fit = cox_ph("week", "arrest", cov, data=rossi)
    fin = fit.table.set_index("term").loc["fin"]
    assert round(fin["coef"], 5) == -0.37942 and round(fin["se"], 5) == 0.19138
    assert round(fit.tests.set_index("test").loc["likelihood_ratio", "statistic"], 2) == 33.27
    lung = cox_ph("time", "status", ["age", "sex"], data=load_data("lung"))
    sex = lung.table.set_index("term").loc["sex"]
    assert round(sex["coef"], 6) == -0.513219 and round(sex["se"], 6) == 0.167458
    assert (round(sex["hr_lower"], 4), round(sex["hr_upper"], 4)) == (0.4311, 0.8311)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_matches_lifelines_efron() -> None:
    lifelines = pytest.importorskip("lifelines")
    d = dataset("trial")[["time", "status", "sirt", "x1", "x2", "age"]]
    # lifelines' default stopping rule (precision 1e-7) leaves coefficients ~5e-6 from the
    # maximum; tighten it so both sit at the optimum
    cph = lifelines.CoxPHFitter().fit(d, "time", "status", fit_options={"precision": 1e-12})
    fit = cox_ph("time", "status", ["sirt", "x1", "x2", "age"], data=d)
    assert_close(fit.table["coef"], cph.params_.to_numpy(), rtol=1e-6)
    assert_close(fit.table["se"], cph.standard_errors_.to_numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ties": "exact"}, "ties"),
        ({"covariates": ["nope"]}, "covariates"),
        ({"covariates": ["arm"]}, "covariates"),
        ({"covariates": ["dup1", "dup2"]}, "covariates"),
    ],
)
def test_bad_input(kwargs: dict, field: str) -> None:
    d = dataset("trial")
    d["dup1"] = d["x1"]
    d["dup2"] = d["x1"] * 2
    args = {"covariates": ["x1"], **kwargs}
    with pytest.raises(InputError) as err:
        cox_ph("time", "status", data=d, **args)
    assert err.value.field == field
