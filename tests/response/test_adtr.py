"""ADTR against the boundary values response-rules.md section 5 states for the pharmaverse
data (admiralonco ad_adtr.R), investigator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hccrt.response.adtr import derive_adtr
from hccrt.response.sdtm import lesions_from_sdtm, read_sdtm_dir
from tests.response.helpers import T, visits

DATA = Path("/work/shared/conformance/pharmaverse-recist")


@pytest.fixture(scope="module")
def sdiam():
    if not DATA.is_dir():
        pytest.skip("conformance data not present")
    d = read_sdtm_dir(DATA)
    a = derive_adtr(lesions_from_sdtm(d.tr, d.tu))
    s = a.loc[(a["PARAMCD"] == "SDIAM") & (a["PARCAT2"] == "INVESTIGATOR")]
    return s.set_index(["USUBJID", "VISIT"])


def test_1133_week3_pchg_is_exactly_minus_30(sdiam):
    assert sdiam.loc[("01-701-1133", "WEEK 3"), "PCHG"] == pytest.approx(-30.0, abs=1e-12)


def test_1133_week9_sum_5_from_nadir_0_has_missing_pchgnad(sdiam):
    r = sdiam.loc[("01-701-1133", "WEEK 9")]
    assert (r["AVAL"], r["NADIR"], r["CHGNAD"]) == (5.0, 0.0, 5.0)
    assert np.isnan(r["PCHGNAD"])


def test_1115_week9_sum_10(sdiam):
    assert sdiam.loc[("01-701-1115", "WEEK 9"), "AVAL"] == 10.0


def test_1028_week6_plus_19_mm_and_20_9_percent_over_nadir_91(sdiam):
    r = sdiam.loc[("01-701-1028", "WEEK 6")]
    assert (r["NADIR"], r["CHGNAD"]) == (91.0, 19.0)
    assert r["PCHGNAD"] == pytest.approx(20.879, abs=1e-3)
    assert r["ANL01FL"] is None or r["ANL01FL"] != "Y"  # T01 missing


def test_1118_week9_incomplete(sdiam):
    assert sdiam.loc[("01-701-1118", "WEEK 9"), "ANL01FL"] != "Y"


def test_best_change_flag_for_waterfall():
    a = derive_adtr(visits([T("T1", 40)], [T("T1", 20)], [T("T1", 30)]))
    s = a.loc[a["PARAMCD"] == "SDIAM"]
    assert s.loc[s["ANL02FL"] == "Y", "PCHG"].tolist() == [-50.0]
    assert s["NADIR"].tolist()[1:] == [40.0, 20.0]


def test_localized_adtr_keeps_only_lesions_in_the_treated_area():
    df = visits([T("T1", 40, site="LIVER", in_treated_area=True, viable_diameter=30,
                   typical_hcc=True),
                 T("T2", 20, site="LIVER", in_treated_area=False, viable_diameter=20,
                   typical_hcc=True)],
                [T("T1", 40, site="LIVER", in_treated_area=True, viable_diameter=15,
                   typical_hcc=True),
                 T("T2", 25, site="LIVER", in_treated_area=False, viable_diameter=25,
                   typical_hcc=True)])
    a = derive_adtr(df, "localized-mrecist")
    s = a.loc[a["PARAMCD"] == "SDIAM"]
    assert s["AVAL"].tolist() == [30.0, 15.0]  # viable diameters of T1 only
    assert s["PCHG"].tolist() == [0.0, -50.0]
    assert set(a.loc[a["PARAMCD"] != "SDIAM", "PARAMCD"]) == {"VDIAM"}
