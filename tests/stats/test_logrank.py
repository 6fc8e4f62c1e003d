"""Log-rank / stratified / G-rho against R survdiff (tests/reference/logrank.R) and lifelines."""

from __future__ import annotations

import numpy as np
import pytest

from hccrt.errors import InputError
from hccrt.stats import logrank
from tests.stats.refdata import assert_close, load_data, load_ref

CASES = {
    "lung_sex": ("lung", "sex", None, 0.0),
    "lung_ecog": ("lung", "ph.ecog", None, 0.0),
    "lung_karno_inst": ("lung", "pat.karno", "inst", 0.0),
    "lung_inst_rho05": ("lung", "inst", None, 0.5),
    "trial_arm": ("trial", "arm", None, 0.0),
    "trial_arm_strat": ("trial", "arm", "stratum", 0.0),
    "trial_stratum_by_arm": ("trial", "stratum", "arm", 0.0),
    "trial_arm_rho1_strat": ("trial", "arm", "stratum", 1.0),
}


def check_logrank(ref: dict) -> None:
    for key, r in ref.items():
        if key == "generated_by":
            continue
        name, group, strata, rho = CASES[key]
        d = load_data(name).dropna(subset=[c for c in (group, strata) if c])
        res = logrank("time", "status", group=group, strata=strata, rho=rho, data=d)
        assert_close(res.table["n"], r["n"], what=f"{key} n")
        assert_close(res.table["observed"], r["observed"], what=f"{key} O")
        assert_close(res.table["expected"], r["expected"], what=f"{key} E")
        assert_close(res.variance.ravel(order="F"), r["var"], atol=1e-10, what=f"{key} V")
        assert_close(res.chisq, r["chisq"], what=f"{key} chisq")
        assert_close(res.p_value, r["p"], what=f"{key} p")


def test_logrank_matches_r_survdiff() -> None:
    check_logrank(load_ref("logrank"))


def test_published_values() -> None:
    """lung: sex chi2 10.3267 (survdiff output); pat.karno + strata(inst) 21.368
    (survival-Ex.Rout.save); inst, rho = 0.5: 15.1 on 17 df, p 0.5904 (cancer.Rout.save)."""
    lung = load_data("lung")
    assert round(logrank("time", "status", group="sex", data=lung).chisq, 4) == 10.3267
    d = lung.dropna(subset=["pat.karno", "inst"])
    assert round(logrank("time", "status", group="pat.karno", strata="inst", data=d).chisq, 3) == (
        21.368
    )
    g = logrank("time", "status", group="inst", rho=0.5, data=lung.dropna(subset=["inst"]))
    assert g.df == 17 and round(g.p_value, 4) == 0.5904


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_matches_lifelines() -> None:
    stats = pytest.importorskip("lifelines.statistics")
    d = load_data("trial")
    a, b = d[d.arm == "HAIC"], d[d.arm == "SIRT"]
    ll = stats.logrank_test(a.time, b.time, a.status, b.status)
    ours = logrank("time", "status", group="arm", data=d)
    assert_close(ours.chisq, ll.test_statistic, rtol=1e-10)
    # continuous (untied) times take a separate fast path
    rng = np.random.default_rng(2)
    t = d["time"].to_numpy() + rng.uniform(0, 1, len(d))
    a, b = (d.arm == "HAIC").to_numpy(), (d.arm == "SIRT").to_numpy()
    ll_c = stats.logrank_test(t[a], t[b], d.status[a], d.status[b])
    assert_close(logrank(t, d.status, group=d.arm).chisq, ll_c.test_statistic, rtol=1e-10)
    ll3 = stats.multivariate_logrank_test(d.time, d.stratum, d.status)
    assert_close(logrank(d.time, d.status, group=d.stratum).chisq, ll3.test_statistic, rtol=1e-10)


def test_stratified_differs_from_unstratified() -> None:
    d = load_data("trial")
    plain = logrank("time", "status", group="arm", data=d).chisq
    strat = logrank("time", "status", group="arm", strata="stratum", data=d).chisq
    assert not np.isclose(plain, strat)


def test_bad_input() -> None:
    with pytest.raises(InputError) as err:
        logrank([1, 2, 3], [1, 1, 0], group=["a", "a", "a"])
    assert err.value.field == "group"
    with pytest.raises(InputError) as err:
        logrank([1, 2, 3], [1, 1, 0], group=["a", "b", "a"], rho=-1)
    assert err.value.field == "rho"
