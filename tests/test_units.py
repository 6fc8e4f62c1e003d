"""Tests of hccrt.units against published conversion factors.

Sources of reference numbers:
- bilirubin 1 mg/dL = 17.1 umol/L, creatinine 1 mg/dL = 88.4 umol/L, albumin 1 g/dL = 10 g/L:
  shared/reference/scores.md section 4 (Johnson 2015 ALBI paper; KDIGO 2012 creatinine);
  checked independently from molar masses (bilirubin C33H36N4O6 584.66 g/mol, creatinine
  C4H7N3O 113.12 g/mol, haemoglobin monomer 16 114.5 g/mol).
- haemoglobin 10.0 g/dL = 6.2 mmol/L: NCI CTCAE v5.0 "Anemia" grade 1/2 cut-off.
- counts: 1 uL = 1 mm3 = 1e-6 L (SI definition), so 150 000 /uL = 150 x 10^9/L.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hccrt.errors import InputError, UnitError
from hccrt.units import (
    ANALYTES,
    CANONICAL_UNIT,
    KNOWN_UNITS,
    Quantity,
    allowed_units,
    as_value,
    convert,
    normalize_unit,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("mg/dl", "mg/dL"),
        ("MG/DL", "mg/dL"),
        ("umol/l", "umol/L"),
        ("µmol/L", "umol/L"),  # micro sign U+00B5
        ("μmol/L", "umol/L"),  # Greek mu U+03BC
        ("10^9/l", "10^9/L"),
        ("x10^9/L", "10^9/L"),
        ("10*9/L", "10^9/L"),
        ("G/L", "10^9/L"),
        ("g/L", "g/L"),
        ("g/l", "g/L"),
        ("10^3/uL", "10^3/uL"),
        ("K/uL", "10^3/uL"),
        ("/uL", "/uL"),
        ("/mm3", "/mm3"),
        ("IU/L", "U/L"),
        ("mEq/L", "mmol/L"),
        ("g/dL", "g/dL"),
        ("mmol/L", "mmol/L"),
        ("", "1"),
        ("1", "1"),
        ("ratio", "1"),
    ],
)
def test_normalize_unit_spellings(spelling: str, canonical: str) -> None:
    assert normalize_unit(spelling) == canonical


@pytest.mark.parametrize("bad", ["mg", "furlongs", "mg/dL/L", "10^6/L", "kg"])
def test_unknown_unit_is_unit_error_naming_field(bad: str) -> None:
    with pytest.raises(UnitError) as err:
        normalize_unit(bad, field="bilirubin")
    assert err.value.field == "bilirubin"
    assert err.value.value == bad
    assert "mg/dL" in err.value.allowed


def test_canonical_units_cover_all_analytes_and_are_known() -> None:
    assert set(CANONICAL_UNIT) == set(ANALYTES)
    assert CANONICAL_UNIT["bilirubin"] == "umol/L"
    assert CANONICAL_UNIT["inr"] == "1"
    for analyte, unit in CANONICAL_UNIT.items():
        assert unit in KNOWN_UNITS
        assert unit in allowed_units(analyte)


def test_parse_quantity() -> None:
    assert parse_quantity("1.2 mg/dL") == Quantity(1.2, "mg/dL")
    assert parse_quantity("250 U/L") == Quantity(250.0, "U/L")
    assert parse_quantity("1.1") == Quantity(1.1, "1")
    assert parse_quantity("  3.5g/dl ") == Quantity(3.5, "g/dL")
    assert parse_quantity("150 x10^9/L") == Quantity(150.0, "10^9/L")
    assert parse_quantity("1e2 /uL") == Quantity(100.0, "/uL")


@pytest.mark.parametrize("bad", ["", "mg/dL", "abc", "1..2 mg/dL", "nan mg/dL", "inf"])
def test_parse_quantity_rejects_non_numbers(bad: str) -> None:
    with pytest.raises(InputError) as err:
        parse_quantity(bad, field="albumin")
    assert err.value.field == "albumin"


def test_parse_quantity_unknown_unit_names_field_and_text() -> None:
    with pytest.raises(UnitError) as err:
        parse_quantity("1.2 mg/ml", field="bilirubin")
    assert err.value.field == "bilirubin"
    assert err.value.value == "1.2 mg/ml"


# --- conversions: published factors ----------------------------------------------------


def test_bilirubin_factor_17_1() -> None:
    # Johnson 2015 / scores.md 4: 1 mg/dL = 17.1 umol/L
    assert convert(1.0, "mg/dL", "umol/L", analyte="bilirubin") == pytest.approx(17.1)
    # Child-Pugh table cut-offs: 34.2 umol/L = 2.0 mg/dL and 51.3 umol/L = 3.0 mg/dL, exactly
    assert convert(34.2, "umol/L", "mg/dL", analyte="bilirubin") == 2.0
    assert convert(51.3, "umol/L", "mg/dL", analyte="bilirubin") == 3.0
    # independent check from the molar mass of bilirubin, 584.66 g/mol (within 0.05 %)
    molar = 10.0 / 584.66 * 1000  # 1 mg/dL = 10 mg/L -> umol/L
    assert convert(1.0, "mg/dL", "umol/L", analyte="bilirubin") == pytest.approx(molar, rel=5e-4)


def test_creatinine_factor_88_4() -> None:
    # KDIGO 2012: 1 mg/dL = 88.4 umol/L; scores.md CG-3: 97.24 umol/L = 1.1 mg/dL
    assert convert(1.0, "mg/dL", "umol/L", analyte="creatinine") == pytest.approx(88.4)
    assert convert(97.24, "umol/L", "mg/dL", analyte="creatinine") == pytest.approx(1.1)
    molar = 10.0 / 113.12 * 1000
    assert convert(1.0, "mg/dL", "umol/L", analyte="creatinine") == pytest.approx(molar, rel=5e-4)


def test_hemoglobin_conversions() -> None:
    # CTCAE v5.0 anaemia: 10.0 g/dL = 100 g/L = 6.2 mmol/L
    assert convert(10.0, "g/dL", "g/L", analyte="hemoglobin") == 100.0
    assert convert(10.0, "g/dL", "mmol/L", analyte="hemoglobin") == pytest.approx(6.2, abs=0.01)
    # monomer molar mass 16 114.5 g/mol: 100 g/L / 16.1145 g/mmol
    assert convert(100.0, "g/L", "mmol/L", analyte="hemoglobin") == pytest.approx(
        100 / 16.1145, rel=1e-4
    )
    assert convert(6.206, "mmol/L", "g/dL", analyte="hemoglobin") == pytest.approx(10.0)


def test_albumin_g_dl_to_g_l() -> None:
    assert convert(3.5, "g/dL", "g/L", analyte="albumin") == 35.0
    assert convert(28.0, "g/L", "g/dL", analyte="albumin") == 2.8


def test_counts() -> None:
    # 1 uL = 1 mm3 = 1e-6 L: 150 000 /uL = 150 x 10^9/L; 10^3/uL == 10^9/L
    assert convert(150000.0, "/uL", "10^9/L", analyte="platelets") == 150.0
    assert convert(1500.0, "/mm3", "10^9/L", analyte="neutrophils") == 1.5
    assert convert(1500.0, "/mm3", "/uL") == 1500.0
    assert convert(4.2, "10^3/uL", "10^9/L", analyte="wbc") == 4.2
    assert convert(4.2, "K/uL", "G/L") == 4.2


def test_enzymes_and_electrolytes_are_identities() -> None:
    assert convert(250.0, "IU/L", "U/L", analyte="alt") == 250.0
    assert convert(135.0, "mEq/L", "mmol/L", analyte="sodium") == 135.0
    assert convert(1.3, "", "1", analyte="inr") == 1.3


def test_vectorized_conversion() -> None:
    values = np.array([1.0, 2.0, np.nan, 3.0])
    out = convert(values, "mg/dL", "umol/L", analyte="bilirubin")
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out[[0, 1, 3]], [17.1, 34.2, 51.3])
    assert math.isnan(out[2])


@pytest.mark.parametrize(
    ("value_unit", "to_unit", "analyte"),
    [
        ("mg/dL", "umol/L", None),  # needs the analyte
        ("mg/dL", "umol/L", "albumin"),  # albumin has no molar conversion here
        ("U/L", "mg/dL", "alt"),
        ("mmol/L", "g/L", "sodium"),
        ("10^9/L", "g/L", None),
        ("1", "U/L", None),
        ("g/dL", "mmol/L", "potassium"),
    ],
)
def test_unconvertible_is_unit_error(value_unit: str, to_unit: str, analyte: str | None) -> None:
    with pytest.raises(UnitError) as err:
        convert(1.0, value_unit, to_unit, analyte=analyte, field="lab")
    assert err.value.field == "lab"


def test_unknown_analyte_is_input_error() -> None:
    with pytest.raises(InputError) as err:
        convert(1.0, "mg/dL", "g/L", analyte="unobtainium")
    assert err.value.field == "analyte"


def test_as_value() -> None:
    assert as_value("1.0 mg/dL", "umol/L", analyte="bilirubin") == pytest.approx(17.1)
    assert as_value(Quantity(3.5, "g/dL"), "g/L", analyte="albumin") == 35.0
    assert as_value(2.0, "mg/dL", analyte="bilirubin") == 2.0
    with pytest.raises(InputError):
        as_value(float("nan"), "mg/dL", field="bilirubin")
    with pytest.raises(InputError):
        as_value(True, "mg/dL", field="bilirubin")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        as_value(None, "mg/dL", field="bilirubin")  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------------


@given(st.text(max_size=30))
def test_parse_quantity_only_raises_input_error(text: str) -> None:
    try:
        q = parse_quantity(text)
    except InputError:
        return
    assert q.unit in KNOWN_UNITS
    assert math.isfinite(q.value)


@given(st.one_of(st.text(max_size=15), st.none(), st.integers(), st.floats()))
def test_normalize_unit_only_raises_unit_error(unit: object) -> None:
    with contextlib.suppress(UnitError):
        assert normalize_unit(unit) in KNOWN_UNITS  # type: ignore[arg-type]


@given(
    st.floats(min_value=1e-6, max_value=1e6),
    st.sampled_from(ANALYTES),
    st.data(),
)
def test_round_trip(value: float, analyte: str, data: st.DataObject) -> None:
    units = allowed_units(analyte)
    a = data.draw(st.sampled_from(units))
    b = data.draw(st.sampled_from(units))
    there = convert(value, a, b, analyte=analyte)
    back = convert(there, b, a, analyte=analyte)
    assert back == pytest.approx(value, rel=1e-12)


@given(
    st.one_of(st.floats(), st.integers(), st.text(max_size=5), st.none(), st.booleans()),
    st.text(max_size=8),
    st.text(max_size=8),
    st.one_of(st.none(), st.sampled_from(ANALYTES), st.text(max_size=5)),
)
def test_convert_only_raises_input_error(value, a, b, analyte) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(InputError):
        convert(value, a, b, analyte=analyte)


def test_as_value_refuses_unitless_string_for_a_dimensioned_target() -> None:
    # a bare "1.2" typed where a lab value with a unit is expected is not guessed
    with pytest.raises(UnitError) as err:
        as_value("1.2", "mg/dL", analyte="bilirubin", field="bilirubin")
    assert err.value.field == "bilirubin"
    assert "umol/L" in err.value.allowed
    assert as_value("1.3", "1", analyte="inr", field="inr") == 1.3


def test_european_units() -> None:
    # SI prefixes: 1 mg/L = 0.1 mg/dL (French bilirubin/creatinine reports); 1 /nL = 10^9/L
    # (German platelet reports); katal (IFCC/NFSS): 1 ukat/L = 60 U/L since 1 U = 1 umol/min
    assert convert(20.0, "mg/L", "mg/dL", analyte="bilirubin") == 2.0
    assert convert(10.0, "mg/L", "umol/L", analyte="creatinine") == pytest.approx(88.4)
    assert convert(150.0, "/nl", "10^9/L", analyte="platelets") == 150.0
    assert convert(1.0, "µkat/L", "U/L", analyte="alt") == 60.0
    assert convert(120.0, "U/L", "ukat/L", analyte="ast") == 2.0
