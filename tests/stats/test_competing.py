"""Cumulative incidence and Gray's test against R cmprsk::cuminc (tests/reference/cuminc.R)."""

from __future__ import annotations

import numpy as np
import pytest

from hccrt.errors import InputError
from hccrt.stats import cumulative_incidence
from tests.stats.refdata import assert_close, load_data, load_ref

CASES = {
    "arm": ("arm", None, 0.0),
    "stratum": ("stratum", None, 0.0),
    "arm_by_stratum": ("arm", "stratum", 0.0),
    "arm_rho1": ("arm", None, 1.0),
    "overall": (None, None, 0.0),
}
TIMES = [100, 365, 700, 2000]


def check_cuminc(ref: dict) -> None:
    d = load_data("trial")
    for key, r in ref.items():
        if key == "generated_by":
            continue
        group, strata, rho = CASES[key]
        res = cumulative_incidence("time", "cause", group=group, strata=strata, rho=rho, data=d)
        tab = res.table
        for name, curve in r["curves"].items():
            g, c = name.split(" ")
            sub = tab[(tab["cause"] == int(c)) & ((tab["group"] == g) if group else True)]
            assert_close(sub["time"], curve["time"], what=f"{key} {name} time")
            assert_close(sub["estimate"], curve["est"], what=f"{key} {name} est")
            assert_close(sub["variance"], curve["var"], what=f"{key} {name} var")
        at = res.at(TIMES)
        for i, name in enumerate(r["tp_names"]):
            g, c = name.split(" ")
            sub = at[(at["cause"] == int(c)) & ((at["group"] == g) if group else True)]
            sl = slice(i * len(TIMES), (i + 1) * len(TIMES))
            assert_close(sub["estimate"], r["tp_est"][sl], what=f"{key} {name} timepoints")
            assert_close(sub["variance"], r["tp_var"][sl], what=f"{key} {name} tp var")
        if "tests" in r:
            assert_close(res.tests["statistic"], r["tests"]["stat"], what=f"{key} Gray")
            assert_close(res.tests["p_value"], r["tests"]["p"], what=f"{key} Gray p")
        else:
            assert res.tests is None


def test_matches_cmprsk_cuminc() -> None:
    check_cuminc(load_ref("cuminc"))


def test_ties_are_exact_and_deterministic() -> None:
    """Tied times of different causes use S(t-) for every increment, so F1 + F2 + S = 1."""
    from hccrt.stats import kaplan_meier

    d = load_data("trial")
    res = cumulative_incidence("time", "cause", data=d)
    km = kaplan_meier("time", d["cause"] > 0, data=d)
    at = res.at([365.0]).set_index("cause")["estimate"]
    s = km.at([365.0])["surv"].iloc[0]
    assert_close(at.sum() + s, 1.0, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_estimate_matches_sksurv_style_aalen_johansen_via_lifelines_without_ties() -> None:
    """lifelines' AalenJohansenFitter jitters ties; on tie-free data it is exact."""
    lifelines = pytest.importorskip("lifelines")
    d = load_data("trial")
    rng = np.random.default_rng(1)
    t = d["time"].to_numpy() + rng.uniform(0, 0.5, len(d))  # break ties ourselves
    ajf = lifelines.AalenJohansenFitter(calculate_variance=False).fit(
        t, d["cause"], event_of_interest=1
    )
    ours = cumulative_incidence(t, d["cause"]).table
    ours = ours[ours["cause"] == 1]
    ll = ajf.cumulative_density_.iloc[:, 0]
    assert_close(ours["estimate"], ll.loc[ours["time"].to_numpy()].to_numpy(), rtol=1e-10)


def test_bad_input() -> None:
    with pytest.raises(InputError) as err:
        cumulative_incidence([1, 2], [0, 0])
    assert err.value.field == "event"
    with pytest.raises(InputError) as err:
        cumulative_incidence([1, 2], [1, 2], rho=-1)
    assert err.value.field == "rho"
