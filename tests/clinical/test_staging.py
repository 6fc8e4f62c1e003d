"""Staging and tumour-burden rules against the published criteria.

Reference values: /work/shared/reference/scores.md section 5 worked examples (BCLC-1..10,
CNLC-1..9, Milan-1..6, U7-1..5), derived from Reig 2022 (BCLC), the CNLC 2022 guideline,
Mazzaferro 1996 (Milan) and Mazzaferro 2009 (up-to-seven, PMC4641125 criteria table).
Couinaud adjacency: Couinaud 1957 / Bismuth 1982 planes (right, middle and left hepatic veins,
umbilical fissure, portal plane).
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hccrt.clinical.staging import (
    COUINAUD_ADJACENCY,
    bclc,
    cnlc,
    couinaud_contiguous,
    milan,
    parse_segments,
    tumour_burden,
    up_to_seven,
)
from hccrt.errors import InputError

# --- BCLC 2022 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "nodules", "kwargs", "stage"),
    [
        ("BCLC-1", [1.8], {}, "0"),
        ("BCLC-2 single 2.0 cm (<= 2)", [2.0], {}, "0"),
        ("single 2.1 cm", [2.1], {}, "A"),
        ("BCLC-3", [6.0], {}, "A"),
        ("BCLC-4", [3.0, 2.5, 1.0], {}, "A"),
        ("3 nodules, largest 3.1", [3.1, 2.5, 1.0], {}, "B"),
        ("BCLC-5", [4.0, 2.0], {}, "B"),
        ("BCLC-6", [1.0, 1.0, 1.0, 1.0], {}, "B"),
        ("BCLC-7 PVTT", [3.0], {"macrovascular_invasion": True}, "C"),
        ("extrahepatic spread", [1.0], {"extrahepatic_spread": True}, "C"),
        ("BCLC-8 PS 1", [2.0], {"ecog": 1}, "C"),
        ("PS 2", [2.0], {"ecog": 2}, "C"),
        ("BCLC-9 PS 3", [2.0], {"ecog": 3}, "D"),
        ("PS 4", [9.0, 3.0], {"ecog": 4}, "D"),
        ("BCLC-10 Child-Pugh C", [2.0], {"child_pugh_class": "C"}, "D"),
    ],
)
def test_bclc_worked_examples(case, nodules, kwargs, stage) -> None:  # type: ignore[no-untyped-def]
    args = {"ecog": 0, "child_pugh_class": "A"} | kwargs
    assert bclc(nodules, **args).stage == stage, case


def test_bclc_child_pugh_b_needs_explicit_liver_function() -> None:
    with pytest.raises(InputError) as err:
        bclc([2.0], ecog=0, child_pugh_class="B")
    assert err.value.field == "liver_function"
    assert bclc([2.0], ecog=0, child_pugh_class="B", liver_function="preserved").stage == "0"
    assert bclc([2.0], ecog=0, child_pugh_class="B", liver_function="end-stage").stage == "D"
    with pytest.raises(InputError):
        bclc([2.0], ecog=0, child_pugh_class="C", liver_function="preserved")
    assert bclc([2.0], ecog=0, liver_function="preserved").stage == "0"


def test_bclc_count_and_largest_form() -> None:
    assert bclc(n_nodules=3, largest_cm=3.0, ecog=0, child_pugh_class="A").stage == "A"
    assert bclc(n_nodules=4, largest_cm=1.0, ecog=0, child_pugh_class="A").stage == "B"


# --- CNLC 2022 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "nodules", "kwargs", "stage"),
    [
        ("CNLC-1 single 5.0", [5.0], {}, "Ia"),
        ("CNLC-2 single 5.1", [5.1], {}, "Ib"),
        ("CNLC-3 3 nodules largest 3.0", [3.0, 2.0, 1.0], {}, "Ib"),
        ("CNLC-4 2 nodules largest 4", [4.0, 2.0], {}, "IIa"),
        ("3 nodules largest 3.1", [3.1, 1.0, 1.0], {}, "IIa"),
        ("CNLC-5 4 nodules", [1.0, 1.0, 1.0, 1.0], {}, "IIb"),
        (
            "CNLC-6 PVTT PS 1 CP B",
            [3.0],
            {"macrovascular_invasion": True, "ecog": 1, "child_pugh_class": "B"},
            "IIIa",
        ),
        ("CNLC-7 lung metastasis", [3.0], {"extrahepatic_spread": True}, "IIIb"),
        (
            "EHS with PVTT",
            [3.0],
            {"extrahepatic_spread": True, "macrovascular_invasion": True},
            "IIIb",
        ),
        ("PS 2 still staged by tumour", [5.0], {"ecog": 2}, "Ia"),
        ("CNLC-8 PS 3", [5.0], {"ecog": 3}, "IV"),
        ("CNLC-9 CP C single 2 cm", [2.0], {"child_pugh_class": "C"}, "IV"),
    ],
)
def test_cnlc_worked_examples(case, nodules, kwargs, stage) -> None:  # type: ignore[no-untyped-def]
    args = {"ecog": 0, "child_pugh_class": "A"} | kwargs
    assert cnlc(nodules, **args).stage == stage, case


# --- Milan / up-to-seven --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "nodules", "kwargs", "within"),
    [
        ("Milan-1 single 5.0", [5.0], {}, True),
        ("Milan-2 single 5.5", [5.5], {}, False),
        ("single 5.01", [5.01], {}, False),
        ("Milan-3 3/2/1", [3.0, 2.0, 1.0], {}, True),
        ("Milan-4 3.5 + 1", [3.5, 1.0], {}, False),
        ("Milan-5 4 x 1 cm", [1.0] * 4, {}, False),
        ("Milan-6 PVTT", [3.0], {"macrovascular_invasion": True}, False),
        ("EHS", [3.0], {"extrahepatic_spread": True}, False),
    ],
)
def test_milan(case, nodules, kwargs, within) -> None:  # type: ignore[no-untyped-def]
    assert milan(nodules, **kwargs) is within, case


@pytest.mark.parametrize(
    ("case", "nodules", "total", "within"),
    [
        ("U7-1 single 6 cm", [6.0], 7.0, True),
        ("U7-2 3 nodules largest 4", [4.0, 1.0, 1.0], 7.0, True),
        ("U7-3 2 nodules largest 5.5", [5.5, 2.0], 7.5, False),
        ("U7-4 5 nodules largest 2.5", [2.5, 1, 1, 1, 1], 7.5, False),
        ("U7-5 4 x 1 cm", [1.0] * 4, 5.0, True),
        ("single 6.01", [6.01], 7.01, False),
    ],
)
def test_up_to_seven(case, nodules, total, within) -> None:  # type: ignore[no-untyped-def]
    result = up_to_seven(nodules)
    assert result.total == pytest.approx(total), case
    assert result.within is within, case


def test_up_to_seven_excludes_macrovascular_invasion() -> None:
    assert up_to_seven([2.0], macrovascular_invasion=True).within is False
    # U7-1 is outside Milan but inside up-to-seven (the discriminating case)
    assert milan([6.0]) is False and up_to_seven([6.0]).within is True


# --- Couinaud ----------------------------------------------------------------------------


def test_couinaud_graph_is_symmetric_and_covers_1_to_8() -> None:
    assert set(COUINAUD_ADJACENCY) == set(range(1, 9))
    for seg, neighbours in COUINAUD_ADJACENCY.items():
        for n in neighbours:
            assert seg in COUINAUD_ADJACENCY[n]


@pytest.mark.parametrize(
    ("segments", "contiguous"),
    [
        ([2, 3], True),  # left lateral section (left hepatic vein plane)
        ([5, 6, 7, 8], True),  # right hemiliver
        ([2, 3, 4], True),  # left hemiliver
        ([4, 5, 8], True),  # central (middle hepatic vein)
        ([6, 7], True),  # right posterior section (portal plane)
        ([5, 8], True),  # right anterior section
        ([5, 7], False),  # diagonal across two planes
        ([6, 8], False),
        ([2, 5], False),
        ([3, 6], False),
        ([2, 3, 6, 7], False),
        (["4a", "4b"], True),
        ("IV,V", True),
        ("S2, S3", True),
        ("segment 6, seg 7", True),
        ([1], True),
    ],
)
def test_couinaud_contiguous(segments, contiguous: bool) -> None:  # type: ignore[no-untyped-def]
    assert couinaud_contiguous(segments) is contiguous


@pytest.mark.parametrize("bad", [[0], [9], ["4c"], [], "x", [True], None, [2.5], ["¹"], ["٣"]])
def test_couinaud_bad_segments(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        parse_segments(bad)
    assert err.value.field == "segments"


# --- bad input and properties -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"nodules": []}, "nodules"),
        ({"nodules": [0.0]}, "nodules"),
        ({"nodules": [-1.0]}, "nodules"),
        ({"nodules": [31.0]}, "nodules"),
        ({"nodules": ["3"]}, "nodules"),
        ({"nodules": [3.0], "ecog": 5}, "ecog"),
        ({"nodules": [3.0], "ecog": 1.5}, "ecog"),
        ({"nodules": [3.0], "child_pugh_class": "D"}, "child_pugh_class"),
        ({"nodules": [3.0], "macrovascular_invasion": "yes"}, "macrovascular_invasion"),
        ({"n_nodules": 0, "largest_cm": 2.0}, "n_nodules"),
        ({"n_nodules": 2}, "nodules"),
    ],
)
def test_cnlc_bad_input(kwargs: dict, field: str) -> None:
    args = {"ecog": 0, "child_pugh_class": "A"} | kwargs
    with pytest.raises(InputError) as err:
        cnlc(**args)
    assert err.value.field == field


_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 50),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
)


@given(
    st.one_of(st.none(), st.lists(_value, max_size=6), _value),
    _value,
    st.one_of(_value, st.sampled_from(["A", "B", "C"])),
    _value,
    _value,
)
def test_staging_only_raises_input_error(nodules, ecog, cp, mvi, ehs) -> None:  # type: ignore[no-untyped-def]
    for fn in (bclc, cnlc):
        with contextlib.suppress(InputError):
            fn(
                nodules,
                ecog=ecog,
                child_pugh_class=cp,
                macrovascular_invasion=mvi,
                extrahepatic_spread=ehs,
            )
    for fn in (milan, up_to_seven):
        with contextlib.suppress(InputError):
            fn(nodules, macrovascular_invasion=mvi, extrahepatic_spread=ehs)


@given(st.lists(st.floats(min_value=0.1, max_value=30), min_size=1, max_size=10))
def test_tumour_burden_forms_agree(sizes: list[float]) -> None:
    n, largest = tumour_burden(sizes)
    assert n == len(sizes) and largest == max(sizes)
    for fn in (milan,):
        assert fn(sizes) == fn(n_nodules=n, largest_cm=largest)
    assert up_to_seven(sizes) == up_to_seven(n_nodules=n, largest_cm=largest)


@given(st.lists(st.one_of(st.integers(-2, 10), st.text(max_size=3), st.none()), max_size=8))
def test_couinaud_only_raises_input_error(segments) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(InputError):
        couinaud_contiguous(segments)


@pytest.mark.parametrize(
    ("name", "segments"),
    [
        ("right hemiliver / right hepatectomy", [5, 6, 7, 8]),
        ("left hemiliver / left hepatectomy", [2, 3, 4]),
        ("right anterior section", [5, 8]),
        ("right posterior section", [6, 7]),
        ("left lateral section", [2, 3]),
        ("right trisection (4-8)", [4, 5, 6, 7, 8]),
        ("left trisection (2-5, 8)", [2, 3, 4, 5, 8]),
        ("right hepatectomy extended to segment 1", [1, 5, 6, 7, 8]),
        ("left hepatectomy extended to segment 1", [1, 2, 3, 4]),
    ],
)
def test_brisbane_2000_resections_are_contiguous(name: str, segments: list[int]) -> None:
    # IHPBA Brisbane 2000 terminology (Strasberg SM, HPB 2000;2:333-9): every named anatomical
    # resection removes one connected part of the liver, so its segments must be contiguous
    assert couinaud_contiguous(segments) is True, name
