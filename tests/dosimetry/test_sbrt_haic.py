"""Tests of hccrt.dosimetry.sbrt and hccrt.dosimetry.haic.

Sources of the reference numbers:
- BED/EQD2 5-fraction table: shared/reference/dosimetry.md section 3.1 (computed by the
  note's author from the LQ formulas).
- 54 Gy in 3 fractions = BED10 151.2 Gy: the widely published value for the RTOG 0236 lung
  SBRT schedule (e.g. Timmerman R et al., JAMA 2010;303:1070 discussion; Onishi 2004).
- Protocol rules: shared/protocols.md (sbrt-bclcc 25-40 Gy in 5 fractions of 5-8 Gy;
  sirt-haic FOLFOX doses, every 3-4 weeks, 2 or 4 cycles).
- TG-101 values: reference note section 3.2 transcription of AAPM TG-101 Table III.
- HAIC doses: reference note section 4.2-4.3 (computed from Mosteller and DuBois BSA): at
  170 cm / 70 kg oxaliplatin 245.4 mg, LV 727.2 mg, 5-FU 727.2 mg, 5-FU 46 h 4363.5 mg
  (94.9 mg/h); DuBois 244.3 / 723.9 / 723.9 / 4343.2 mg; 190 cm / 120 kg: 339.7 mg uncapped,
  270 mg capped at 2.0 m2.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccrt.dosimetry import haic, sbrt
from hccrt.dosimetry.checks import Window
from hccrt.errors import InputError

# ---- BED / EQD2 ----

TABLE = [  # total, BED10, EQD2(10), BED3, EQD2(3), BED2.5
    (25, 37.5, 31.2, 66.7, 40.0, 75.0),
    (30, 48.0, 40.0, 90.0, 54.0, 102.0),
    (35, 59.5, 49.6, 116.7, 70.0, 133.0),
    (40, 72.0, 60.0, 146.7, 88.0, 168.0),
    (45, 85.5, 71.2, 180.0, 108.0, 207.0),
    (50, 100.0, 83.3, 216.7, 130.0, 250.0),
]


@pytest.mark.parametrize(("d", "b10", "e10", "b3", "e3", "b25"), TABLE)
def test_five_fraction_table(d, b10, e10, b3, e3, b25):
    assert sbrt.bed_gy(d, 5, 10) == pytest.approx(b10, abs=0.05)
    assert sbrt.eqd2_gy(d, 5, 10) == pytest.approx(e10, abs=0.051)
    assert sbrt.bed_gy(d, 5, 3) == pytest.approx(b3, abs=0.05)
    assert sbrt.eqd2_gy(d, 5, 3) == pytest.approx(e3, abs=0.05)
    assert sbrt.bed_gy(d, 5, 2.5) == pytest.approx(b25, abs=0.05)


def test_rtog0236_bed():
    assert sbrt.bed_gy(54, 3, 10) == pytest.approx(151.2)


def test_vectorised_and_conventional_identity():
    out = sbrt.eqd2_gy(np.array([25.0, 40.0]), 5, 10)
    assert out.tolist() == pytest.approx([31.25, 60.0])
    # 2 Gy fractions are their own EQD2 whatever alpha/beta
    assert sbrt.eqd2_gy(60, 30, 3.7) == pytest.approx(60.0)


def test_bad_fractions():
    for bad in (0, 2.5, -1, True, "5"):
        with pytest.raises(InputError) as e:
            sbrt.bed_gy(25, bad, 10)
        assert e.value.field == "fractions"
    with pytest.raises(InputError):
        sbrt.bed_gy(25, 5, 0)


def test_cumulative_eqd2_staged_courses():
    # 25 Gy/5 then 40 Gy/5 at alpha/beta 3: 40.0 + 88.0 (table above)
    assert sbrt.cumulative_eqd2_gy([(25, 5), (40, 5)], 3) == pytest.approx(128.0)
    with pytest.raises(InputError):
        sbrt.cumulative_eqd2_gy([], 3)
    with pytest.raises(InputError):
        sbrt.cumulative_eqd2_gy([(25,)], 3)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.1, 100), st.integers(1, 40), st.floats(0.5, 20))
def test_lq_invariants(d, n, ab):
    bed = sbrt.bed_gy(d, n, ab)
    assert bed >= d
    assert sbrt.eqd2_gy(d, n, ab) == pytest.approx(bed / (1 + 2 / ab), rel=1e-12)
    # splitting a course into two halves with the same fraction size adds up
    assert sbrt.bed_gy(2 * d, 2 * n, ab) == pytest.approx(2 * bed, rel=1e-12)


# ---- prescription ----

SBRT_BCLCC = sbrt.SbrtPrescriptionLimits(
    total_dose_gy=Window(low=25, high=40), fractions=(5,),
    dose_per_fraction_gy=Window(low=5, high=8), source="sbrt-bclcc protocol")


@pytest.mark.parametrize(("d", "n", "ok"), [(25, 5, True), (40, 5, True), (30, 5, True),
                                            (24.9, 5, False), (40.1, 5, False),
                                            (25, 4, False), (40, 6, False)])
def test_sbrt_bclcc_prescription_boundaries(d, n, ok):
    res = sbrt.check_sbrt_prescription(d, n, SBRT_BCLCC)
    assert all(r.status == "pass" for r in res) is ok
    assert "BED10" in res[0].message


# ---- OAR constraints ----

def test_tg101_values_and_evaluation():
    keyed = {(c.structure, c.key): c.limit for c in sbrt.TG101_5FX.constraints}
    assert keyed[("liver_minus_gtv", "CV21Gy")] == 700
    assert keyed[("duodenum", "D5cc")] == 18.0 and keyed[("stomach", "D10cc")] == 18.0
    assert keyed[("spinal_cord", "Dmax")] == 30.0
    dvh = {
        "liver_minus_gtv": {"volume_cc": 1400.0, "V21Gy": 700.0},
        "duodenum": {"D5cc": 18.0, "D10cc": 12.4, "Dmax": 31.9},
        "stomach": {"D10cc": 17.9},
    }
    res = {r.rule: r for r in sbrt.evaluate_oar_constraints(dvh, sbrt.TG101_5FX, 5)}
    assert res["oar:liver_minus_gtv:CV21Gy"].status == "pass"  # exactly 700 cc spared
    assert res["oar:liver_minus_gtv:CV21Gy"].value == 700.0
    assert res["oar:duodenum:D5cc"].status == "fail"  # 18 Gy is not < 18 Gy
    assert res["oar:duodenum:D10cc"].status == "pass"
    assert res["oar:stomach:D10cc"].status == "pass"
    assert res["oar:spinal_cord:Dmax"].status == "not_evaluated"
    dvh["liver_minus_gtv"] = {"CV21Gy": 699.9}
    res = {r.rule: r for r in sbrt.evaluate_oar_constraints(dvh, sbrt.TG101_5FX, 5)}
    assert res["oar:liver_minus_gtv:CV21Gy"].status == "fail"


def test_fractionation_mismatch_refused_and_conversion_explicit():
    with pytest.raises(InputError):
        sbrt.evaluate_oar_constraints({}, sbrt.TG101_5FX, 3)
    six = sbrt.QUANTEC_LIVER_MEAN[1]
    five = sbrt.convert_constraint(six, 5, 2.5)
    # independent check: equal BED at alpha/beta 2.5
    assert sbrt.bed_gy(five.limit, 5, 2.5) == pytest.approx(sbrt.bed_gy(18, 6, 2.5))
    assert 15.0 < five.limit < 18.0 and "derived" in five.source
    res = sbrt.evaluate_oar_constraints({"liver_minus_gtv": {"Dmean": 14.0}}, [five], 5)
    assert res[0].status == "pass"


def test_bad_constraint_key():
    with pytest.raises(InputError):
        sbrt.OarConstraint(structure="x", key="D5", limit=1, fractions=5, source="s")


# ---- HAIC ----

@pytest.mark.parametrize(("method", "expected"), [
    ("mosteller", (245.4, 727.2, 727.2, 4363.5)),
    ("dubois", (244.3, 723.9, 723.9, 4343.2)),
])
def test_folfox_doses_170_70(method, expected):
    r = haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, height_cm=170, weight_kg=70,
                        bsa_method=method)
    # rel 5e-5: the note's DuBois 4343.2 mg is 0.1 mg below 2400 x 1.809708 m2 (its BSA was
    # rounded before multiplying); 1.8097 m2 itself is confirmed by the note's Ex 4
    assert [o.calculated_mg for o in r.orders] == pytest.approx(list(expected), abs=0.05, rel=5e-5)
    assert [o.infusion_h for o in r.orders] == [3, 1.5, 2, 46]


def test_infusion_rate_46h():
    r = haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, height_cm=170, weight_kg=70)
    assert r.orders[3].rate_mg_per_h == pytest.approx(94.9, abs=0.05)


def test_cap_only_when_protocol_caps():
    r = haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, height_cm=190, weight_kg=120)
    assert r.orders[0].calculated_mg == pytest.approx(339.7, abs=0.05) and not r.capped
    capped = haic.FOLFOX_HAIC_SIRT_HAIC.model_copy(update={"bsa_cap_m2": 2.0})
    c = haic.haic_doses(capped, height_cm=190, weight_kg=120)
    assert c.capped and c.orders[0].calculated_mg == pytest.approx(270.0)
    assert c.bsa_uncapped_m2 == pytest.approx(2.5166, abs=5e-5)


def test_rounding_and_tolerance():
    drugs = tuple(d.model_copy(update={"rounding_increment_mg": 50.0})
                  for d in haic.FOLFOX_HAIC_SIRT_HAIC.drugs)
    reg = haic.FOLFOX_HAIC_SIRT_HAIC.model_copy(update={"drugs": drugs})
    r = haic.haic_doses(reg, bsa_m2=1.818)
    ox = r.orders[0]  # 245.43 -> 250 mg, +1.86 %
    assert ox.rounded_mg == 250.0
    assert ox.rounding_deviation_pct == pytest.approx((250 - 245.43) / 245.43 * 100)
    assert ox.within_rounding_tolerance
    small = haic.haic_doses(reg, bsa_m2=0.5)  # 67.5 mg -> 50 mg: -25.9 % > 10 %
    assert small.orders[0].rounded_mg == 50.0 and not small.orders[0].within_rounding_tolerance


def test_documented_reduction_applies_to_its_cycle_only():
    mod = haic.DoseModification(cycle=2, label="oxaliplatin", reduction_pct=20,
                                reason="grade 2 neuropathy")
    c1 = haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, bsa_m2=2.0, modifications=[mod])
    c2 = haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, cycle=2, bsa_m2=2.0, modifications=[mod])
    assert c1.orders[0].calculated_mg == pytest.approx(270.0)
    assert c2.orders[0].calculated_mg == pytest.approx(216.0)
    assert c2.orders[0].reduction_reason == "grade 2 neuropathy"
    with pytest.raises(InputError):
        haic.DoseModification(cycle=2, label="oxaliplatin", reduction_pct=20, reason="")
    with pytest.raises(InputError):
        haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, bsa_m2=2.0, modifications=[
            haic.DoseModification(cycle=1, label="cisplatin", reduction_pct=10, reason="abc")])


def test_bsa_input_errors():
    with pytest.raises(InputError):
        haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC)
    with pytest.raises(InputError):
        haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, bsa_m2=1.8, height_cm=170, weight_kg=70)
    with pytest.raises(InputError):
        haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, height_cm=17, weight_kg=70)


@pytest.mark.parametrize(("gaps", "ok"), [((21,), True), ((28,), True), ((20,), False),
                                          ((29,), False), ((21, 28, 21), True)])
def test_schedule_intervals_boundaries(gaps, ok):
    dates = [date(2026, 1, 5)]
    for g in gaps:
        dates.append(dates[-1] + (date(2026, 1, 1 + g) - date(2026, 1, 1)))
    res = haic.check_haic_schedule(dates, haic.FOLFOX_HAIC_SIRT_HAIC, complete=False)
    assert all(r.status == "pass" for r in res) is ok


def test_cycle_count():
    three = haic.haic_cycle_dates(date(2026, 1, 5), 3, 21)
    res = haic.check_haic_schedule(three, haic.FOLFOX_HAIC_SIRT_HAIC)
    assert res[-1].rule == "haic_cycle_count" and res[-1].status == "fail"
    four = haic.haic_cycle_dates(date(2026, 1, 5), 4, 28)
    assert four[-1] == date(2026, 3, 30)
    assert all(r.status == "pass" for r in haic.check_haic_schedule(four,
                                                                     haic.FOLFOX_HAIC_SIRT_HAIC))


@settings(max_examples=100, deadline=None)
@given(st.floats(0.31, 4.0), st.floats(0.0, 99.0))
def test_doses_linear_in_bsa(bsa, pct):
    mod = haic.DoseModification(cycle=1, label="5-FU infusion", reduction_pct=pct or 1.0,
                                reason="test")
    r = haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, bsa_m2=bsa, modifications=[mod])
    assert r.orders[0].calculated_mg == pytest.approx(135 * bsa)
    assert r.orders[3].calculated_mg == pytest.approx(2400 * bsa * (1 - (pct or 1.0) / 100))


def test_quantec_critical_volume_and_weight_change():
    c = sbrt.QUANTEC_LIVER_CRITICAL_VOLUME_5FX
    res = sbrt.evaluate_oar_constraints({"liver_minus_gtv": {"volume_cc": 1500, "V15Gy": 800}},
                                        [c], 5)
    assert res[0].status == "pass" and res[0].value == 700.0  # exactly 700 cc spared
    w = haic.check_weight_change(70.0, 77.0)  # +10 % exactly: recalculate
    assert w.status == "warning" and w.value == pytest.approx(10.0)
    assert haic.check_weight_change(70.0, 76.9).status == "pass"
