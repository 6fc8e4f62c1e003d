"""Baseline target-selection rules, each at its cut-off (RECIST 1.1 sections 3.1-3.3,
Eisenhauer 2009; EORTC clarifications: all nodes one organ; mRECIST table 1, Lencioni &
Llovet 2010)."""

from __future__ import annotations

import pytest

from hccrt.errors import InputError
from hccrt.response.baseline import check_baseline, validate_baseline
from tests.response.helpers import NT, T, visits


def details(df, criteria="recist11"):
    return validate_baseline(df, criteria)["detail"].tolist()


def test_measurable_at_exactly_10_mm_and_node_at_exactly_15_mm():
    ok = visits([T("T1", 10, site="LIVER"), T("L1", short_axis=15, site="LYMPH NODE")])
    assert details(ok) == []
    bad = visits([T("T1", 9.9, site="LIVER"), T("L1", short_axis=14.9, site="LYMPH NODE")])
    assert details(bad) == ["target lesion not measurable", "target lymph node not pathological"]


def test_at_most_five_targets_and_two_per_organ_nodes_one_organ():
    five = visits([T(f"T{i}", 20, site=s) for i, s in
                   enumerate(["LIVER", "LIVER", "LUNG", "LUNG", "BONE"])])
    assert details(five) == []
    six = visits([T(f"T{i}", 20, site=s) for i, s in
                  enumerate(["LIVER", "LIVER", "LUNG", "LUNG", "BONE", "ADRENAL GLAND"])])
    assert details(six) == ["too many target lesions"]
    nodes = visits([T(f"L{i}", short_axis=20, site="LYMPH NODE") for i in range(3)])
    assert details(nodes) == ["too many target lesions in one organ"]
    with pytest.raises(InputError, match="at most 2 target lesions per organ"):
        check_baseline(nodes)


def test_pvt_and_effusion_cannot_be_targets():
    df = visits([T("P1", 30, site="PORTAL VEIN", pvt=True), T("E1", 30, effusion=True),
                 NT("P2", site="PORTAL VEIN", pvt=True)])
    assert details(df) == ["malignant portal vein thrombosis is non-measurable",
                           "ascites / pleural effusion is non-measurable"]


def test_mrecist_target_needs_typical_hcc_with_viable_10_mm():
    ok = visits([T("T1", 40, site="LIVER", viable_diameter=10, typical_hcc=True)])
    assert details(ok, "mrecist") == []
    atyp = visits([T("T1", 40, site="LIVER", viable_diameter=30, typical_hcc=False)])
    assert details(atyp, "mrecist") == [
        "mRECIST target must show the typical HCC enhancement pattern"]
    small = visits([T("T1", 40, site="LIVER", viable_diameter=9.9, typical_hcc=True)])
    assert details(small, "mrecist") == [
        "mRECIST target lesion without a measurable viable portion"]
    # RECIST 1.1 does not look at enhancement
    assert details(atyp, "recist11") == []


def test_mrecist_porta_hepatis_node_needs_20_mm():
    node = visits([T("L1", short_axis=19.9, site="PORTA HEPATIS", nodal=True)])
    assert details(node, "mrecist") == ["target lymph node not pathological"]
    assert details(node, "recist11") == []
    node20 = visits([T("L1", short_axis=20, site="PORTA HEPATIS", nodal=True)])
    assert details(node20, "mrecist") == []


def test_localized_needs_position_of_baseline_lesions():
    df = visits([T("T1", 30, site="LIVER", in_treated_area=True), NT("N1")])
    assert details(df, "localized-recist11") == [
        "localized criteria need the position of every baseline lesion"]
