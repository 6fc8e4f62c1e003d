"""Kaplan-Meier against R survival 3.5 (tests/reference/km.R -> km.json) and lifelines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrt.errors import InputError
from hccrt.stats import kaplan_meier
from tests.stats.refdata import assert_close, load_data, load_ref

TIMES = [0.5, 30, 180, 365, 730, 1000]
CASES = {
    "lung_all": ("lung", None, None),
    "lung_sex": ("lung", "sex", None),
    "lung_ecog": ("lung", "ph.ecog", None),
    "trial_arm": ("trial", "arm", None),
    "trial_arm_w": ("trial", "arm", "weight"),
    "toy": ("toy", None, None),
    "flat": ("flat", None, None),
}


def dataset(name: str) -> pd.DataFrame:
    if name == "toy":  # R survival tests/quantile.R
        return pd.DataFrame({"time": [9, 1, 1, 6, 6, 8, 10], "status": [1, 1, 0, 1, 1, 0, 0]})
    if name == "flat":
        return pd.DataFrame({"time": np.arange(1, 21), "status": 1})
    return load_data(name)


def check_km(ref: dict) -> None:
    """Compare every KM case of an R reference file with hccrt."""
    for key, r in ref.items():
        if key == "generated_by":
            continue
        case, conf_type = key.split("|")
        name, group, weights = CASES[case]
        d = dataset(name)
        if group:
            d = d.dropna(subset=[group])
        fit = kaplan_meier(
            "time", "status", group=group, weights=weights, data=d, conf_type=conf_type
        )
        tab = fit.table
        rt = r["table"]
        for col in ("time", "n_risk", "n_event", "n_censor", "surv"):
            assert_close(tab[col], rt[col], what=f"{key} {col}")
        # R's fit$std.err is the SE of log S (Greenwood) or, with the robust variance used
        # for non-integer weights, the SE of S itself (fit$logse = FALSE)
        se_col = "std_err_log" if rt["logse"] else "std_err"
        assert fit.variance == ("greenwood" if rt["logse"] else "robust")
        assert_close(tab[se_col], rt["std_err"], what=f"{key} {se_col}")
        assert_close(tab["lower"], rt["lower"], what=f"{key} lower")
        assert_close(tab["upper"], rt["upper"], what=f"{key} upper")
        q = fit.quantiles([0.25, 0.5, 0.75])
        assert_close(q["time"], r["quantile"]["quantile"], what=f"{key} quantile")
        assert_close(q["lower"], r["quantile"]["lower"], what=f"{key} quantile lower")
        assert_close(q["upper"], r["quantile"]["upper"], what=f"{key} quantile upper")
        lm = fit.at(TIMES)
        lm = lm[lm["surv"].notna()]  # R drops times beyond the last follow-up
        rl = r["landmark"]
        for col in ("time", "n_risk", "surv", "std_err", "lower", "upper"):
            assert_close(lm[col], rl[col], what=f"{key} landmark {col}")


def test_km_matches_r_reference_values() -> None:
    check_km(load_ref("km"))


def test_published_lung_values() -> None:
    """survival tests/cancer.Rout.save and survival-Ex.Rout.save (printed precision)."""
    d = load_data("lung").dropna(subset=["ph.ecog"])
    fit = kaplan_meier(d["time"], d["status"], group=d["ph.ecog"], conf_type="log")
    med = fit.median().set_index("group")
    assert med.loc[[0.0, 1.0, 2.0]].to_numpy().tolist() == [
        [394, 348, 574],
        [306, 268, 429],
        [199, 156, 288],
    ]
    lm = fit.at([365]).set_index("group").loc[1.0]
    assert round(lm["surv"], 3) == 0.431 and round(lm["lower"], 4) == 0.3417


def test_median_not_reached_is_nan_not_inf() -> None:
    fit = kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])
    assert np.isnan(fit.median()["time"].iloc[0])


def test_matches_lifelines_point_and_loglog_ci() -> None:
    lifelines = pytest.importorskip("lifelines")
    d = load_data("trial")
    fit = kaplan_meier("time", "status", data=d)
    kmf = lifelines.KaplanMeierFitter().fit(d["time"], d["status"])
    sf = kmf.survival_function_.iloc[1:, 0].to_numpy()  # lifelines adds a t=0 row
    assert_close(fit.table["surv"], sf, rtol=1e-10)
    ci = kmf.confidence_interval_.iloc[1:].to_numpy()
    # lifelines' CI is always log-log (our default); at the last time S = 0 where lifelines
    # reports 0 and R (and hccrt) report NA, so that row is left out
    lo, hi = fit.table["lower"].to_numpy(), fit.table["upper"].to_numpy()
    assert np.isnan(lo[-1]) and ci[-1, 0] == 0
    assert_close(lo[:-1], ci[:-1, 0], rtol=1e-8)
    assert_close(hi[:-1], ci[:-1, 1], rtol=1e-8)
    assert kmf.median_survival_time_ == fit.median()["time"].iloc[0]
    # continuous (untied) times take a separate fast path
    t = d["time"].to_numpy() + np.random.default_rng(5).uniform(0, 1, len(d))
    kmc = lifelines.KaplanMeierFitter().fit(t, d["status"])
    fit_c = kaplan_meier(t, d["status"])
    assert_close(fit_c.table["surv"], kmc.survival_function_.iloc[1:, 0].to_numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"time": [1, -2], "event": [1, 0]}, "time"),
        ({"time": [1, np.nan], "event": [1, 0]}, "time"),
        ({"time": [1, 2], "event": [1, 2]}, "event"),
        ({"time": [1, 2], "event": [1]}, "event"),
        ({"time": [1, 2], "event": [1, 0], "weights": [1, 0]}, "weights"),
        ({"time": [1, 2], "event": [1, 0], "conf_type": "logit"}, "conf_type"),
        ({"time": [1, 2], "event": [1, 0], "conf_level": 95}, "conf_level"),
        ({"time": "t", "event": [1, 0]}, "time"),
    ],
)
def test_bad_input_raises_input_error(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        kaplan_meier(**kwargs)
    assert err.value.field == field
