"""Rate CIs against R binom.test / prop.test(correct = FALSE) (tests/reference/binom.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrt.errors import InputError
from hccrt.stats import clopper_pearson, wilson
from tests.stats.refdata import assert_close, load_ref


def check_binom(r: dict) -> None:
    x, n, conf = (np.asarray(r[k], float) for k in ("x", "n", "conf"))
    for level in np.unique(conf):
        m = conf == level
        cp = clopper_pearson(x[m], n[m], conf_level=float(level), p0=0.2)
        assert_close(cp["lower"], np.asarray(r["cp_lower"])[m], what="cp lower")
        assert_close(cp["upper"], np.asarray(r["cp_upper"])[m], what="cp upper")
        assert_close(cp["p_value"], np.asarray(r["cp_p"])[m], what="cp p")
        wi = wilson(x[m], n[m], conf_level=float(level), p0=0.2)
        assert_close(wi["lower"], np.asarray(r["wilson_lower"])[m], what="wilson lower")
        assert_close(wi["upper"], np.asarray(r["wilson_upper"])[m], what="wilson upper")
        assert_close(wi["p_value"], np.asarray(r["wilson_p"])[m], what="wilson p")


def test_matches_r_binom_test_and_prop_test() -> None:
    check_binom(load_ref("binom"))


def test_published_clopper_pearson() -> None:
    """survival.md section 2.2 (scipy, statsmodels and R binom.test agree): 7/20, 0/20, 12/43."""
    cp = clopper_pearson([7, 0, 12], [20, 20, 43])
    assert_close(cp["lower"], [0.1539092, 0.0, 0.1532892], rtol=5e-7, atol=0)
    assert_close(cp["upper"], [0.5921885, 0.1684335, 0.4366870], rtol=5e-7)


def test_per_participant_input_by_group() -> None:
    df = pd.DataFrame({"resp": [1, 0, 1, 1, 0, 0, 1], "arm": list("AABBBBA")})
    out = clopper_pearson("resp", group="arm", data=df).set_index("group")
    assert out.loc["A", ["n", "events"]].tolist() == [3, 2]
    direct = clopper_pearson(2, 3)
    assert_close(out.loc["A", "lower"], direct["lower"].iloc[0], rtol=0)


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        ((5, 3), {}, "successes"),
        ((1, 0), {}, "n"),
        ((1.5, 3), {}, "successes"),
        (([1, 2, 1],), {}, "successes"),
        ((1, 3), {"conf_level": 1.0}, "conf_level"),
        ((1, 3), {"p0": 0}, "p0"),
    ],
)
def test_bad_input(args: tuple, kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as err:
        clopper_pearson(*args, **kwargs)
    assert err.value.field == field
