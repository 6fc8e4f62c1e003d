"""Restricted mean duration of response / PBIR against R survfit (tests/reference/dor.R)."""

from __future__ import annotations

import numpy as np
import pytest

from hccrt.errors import InputError
from hccrt.stats import duration_of_response, rmst
from tests.stats.refdata import assert_close, load_data, load_ref


def check_dor(ref: dict) -> None:
    d = load_data("dor")
    res = duration_of_response("pfs_time", "pfs_status", "resp_time", tau=600, group="arm", data=d)
    tab = res.table.set_index("group")
    for arm, r in ref.items():
        if arm == "generated_by":
            continue
        assert_close(tab.loc[arm, "rmst_pfs"], r["rmst_pfs"], what=f"{arm} RMST PFS")
        assert_close(tab.loc[arm, "rmst_first"], r["rmst_first"], what=f"{arm} RMST first")
        assert_close(tab.loc[arm, "rmdor"], r["rmdor"], what=f"{arm} RMDoR")
        assert_close(tab.loc[arm, "se"], r["se"], what=f"{arm} RMDoR se")
        cur = res.curve[res.curve["group"] == arm]
        assert_close(cur["time"], r["time"], what=f"{arm} PBIR times")
        assert_close(cur["pbir"], r["pbir"], atol=1e-12, what=f"{arm} PBIR")


def test_matches_r() -> None:
    check_dor(load_ref("dor"))


def test_area_equals_difference_of_rmsts() -> None:
    """Independent route: the two RMSTs from hccrt.stats.rmst (checked against R)."""
    d = load_data("dor")
    first = np.where(d["resp_time"].isna(), d["pfs_time"], d["resp_time"])
    first_ev = np.where(d["resp_time"].isna(), d["pfs_status"], 1)
    a = rmst(d["pfs_time"], d["pfs_status"], tau=500).table["rmst"].iloc[0]
    b = rmst(first, first_ev, tau=500).table["rmst"].iloc[0]
    res = duration_of_response(d["pfs_time"], d["pfs_status"], d["resp_time"], tau=500)
    assert_close(res.table["rmdor"].iloc[0], a - b, rtol=1e-12)


def test_no_responders_gives_zero() -> None:
    res = duration_of_response([5, 8, 9], [1, 0, 1], [np.nan] * 3, tau=8)
    assert res.table["rmdor"].iloc[0] == 0 and res.table["se"].iloc[0] == 0


def test_bad_input() -> None:
    with pytest.raises(InputError) as err:
        duration_of_response([5, 8], [1, 0], [6, np.nan], tau=5)
    assert err.value.field == "response_time"
    with pytest.raises(InputError) as err:
        duration_of_response([5, 8], [1, 0], [1, np.nan], tau=50)
    assert err.value.field == "tau"
