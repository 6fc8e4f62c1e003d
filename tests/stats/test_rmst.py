"""RMST against R print.survfit(rmean=) (tests/reference/rmst.R), survRM2/survminer published
values, and lifelines' point estimate."""

from __future__ import annotations

import numpy as np
import pytest

from hccrt.errors import InputError
from hccrt.stats import kaplan_meier, rmst
from tests.stats.refdata import assert_close, load_data, load_ref

CASES = {
    "lung_sex": ("lung", "sex", 965, None),
    "lung_ecog": ("lung", "ph.ecog", 730, None),
    "lung_all": ("lung", None, 500.5, None),
    "trial_arm": ("trial", "arm", 700, None),
    "trial_arm_w": ("trial", "arm", 700, "weight"),
    "pbc_arm": ("pbc", "arm", 10, None),
}


def check_rmst(ref: dict) -> None:
    for key, r in ref.items():
        if key == "generated_by":
            continue
        name, group, tau, w = CASES[key]
        d = load_data(name)
        if group:
            d = d.dropna(subset=[group])
        if key == "lung_ecog":
            d = d[d["ph.ecog"] < 3]
        res = rmst("time", "status", tau=tau, group=group, weights=w, data=d)
        assert_close(res.table["rmst"], r["rmst"], what=f"{key} rmst")
        assert_close(res.table["se"], r["se"], what=f"{key} se")
        if "diff" in r:
            c = res.contrasts.set_index("measure")
            k = len(r["rmst"]) - 1
            cols = ["estimate", "lower", "upper"]
            diff = np.asarray(r["diff"], float).reshape(4, k)
            assert_close(c.loc[["difference"], cols].to_numpy().T, diff[:3], what=f"{key} diff")
            assert_close(c.loc[["difference"], "p_value"], diff[3], what=f"{key} diff p")
            ratio = np.asarray(r["ratio"], float).reshape(3, k)
            assert_close(c.loc[["rmst_ratio"], cols].to_numpy().T, ratio, what=f"{key} ratio")
            rmtl = np.asarray(r["rmtl_ratio"], float).reshape(3, k)
            assert_close(c.loc[["rmtl_ratio"], cols].to_numpy().T, rmtl, what=f"{key} rmtl")


def test_rmst_matches_r_survmean() -> None:
    check_rmst(load_ref("rmst"))


def test_published_survminer_lung_by_sex() -> None:
    """survminer PR #827 (ggrmst_difference example): 324.0484 (22.29794), 455.9041
    (32.91742); difference 131.8557 (53.93005, 209.7813), p 0.0009118595."""
    res = rmst("time", "status", tau=965, group="sex", data=load_data("lung"))
    assert_close(res.table["rmst"], [324.0484, 455.9041], rtol=1e-6)
    assert_close(res.table["se"], [22.29794, 32.91742], rtol=1e-6)
    diff = res.contrasts.set_index("measure").loc["difference"]
    assert_close(diff[["estimate", "lower", "upper"]], [131.8557, 53.93005, 209.7813], rtol=1e-6)
    assert_close(diff["p_value"], 0.0009118595, rtol=1e-6)


def test_published_survrm2_pbc_vignette() -> None:
    """cran/survRM2 vignette (printed to 3 d.p.): arm1 7.146 (0.283), arm0 7.283 (0.295),
    diff -0.137 (-0.939, 0.665), RMST ratio 0.981 (0.878, 1.096), RMTL ratio 1.050."""
    res = rmst("time", "status", tau=10, group="arm", data=load_data("pbc"))
    t = res.table.set_index("group")
    assert np.round(t.loc[1, ["rmst", "se"]].to_numpy(float), 3).tolist() == [7.146, 0.283]
    assert np.round(t.loc[0, ["rmst", "se"]].to_numpy(float), 3).tolist() == [7.283, 0.295]
    c = res.contrasts.set_index("measure")
    cols = ["estimate", "lower", "upper"]
    assert np.round(c.loc["difference", cols].to_numpy(float), 3).tolist() == [
        -0.137,
        -0.939,
        0.665,
    ]
    assert np.round(c.loc["rmst_ratio", cols].to_numpy(float), 3).tolist() == [0.981, 0.878, 1.096]
    assert round(float(c.loc["rmtl_ratio", "estimate"]), 3) == 1.050


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_point_estimate_matches_lifelines() -> None:
    lifelines = pytest.importorskip("lifelines")
    from lifelines.utils import restricted_mean_survival_time

    d = load_data("trial")
    kmf = lifelines.KaplanMeierFitter().fit(d["time"], d["status"])
    ours = rmst("time", "status", tau=650.5, data=d).table["rmst"].iloc[0]
    assert_close(ours, restricted_mean_survival_time(kmf, t=650.5), rtol=1e-10)


def test_tau_beyond_follow_up_is_refused() -> None:
    d = load_data("lung")
    with pytest.raises(InputError) as err:
        rmst("time", "status", tau=5000, group="sex", data=d)
    assert err.value.field == "tau"


def test_from_fitted_km_equals_direct() -> None:
    from hccrt.stats.rmst import rmst_from_km

    d = load_data("trial")
    km = kaplan_meier("time", "status", group="arm", data=d)
    a = rmst_from_km(km, 500).table
    b = rmst("time", "status", tau=500, group="arm", data=d).table
    assert_close(a["rmst"], b["rmst"].to_numpy(), rtol=0)
