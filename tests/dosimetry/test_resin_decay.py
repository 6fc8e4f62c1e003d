"""Tests of hccrt.dosimetry.resin and hccrt.dosimetry.decay.

Sources of the reference numbers:
- "Ex 4" (resin BSA) and "Ex 5" (decay, vial choice): shared/reference/dosimetry.md section
  1.9, computed by the note's author from the Sirtex BSA formula (SIR-Spheres IFU; REBOC,
  Kennedy 2007) and the decay law with T1/2 = 64.1 h (TheraSphere insert v12); not printed
  in a label.
- Decay: checked against the daily factor 0.7714 of the reference note (section 1.1) and an
  independent integration of the decay ODE dA/dt = -lambda A with scipy.integrate.solve_ivp.
- Time zones: US Eastern noon vs Korea Standard Time (UTC+9), from the IANA tz database
  (2026-03-01 is before the US DST change of 2026-03-08, so New York is UTC-5).
- Resin vial: 3 GBq in 5 mL water (Selwyn 2008, Med Phys 35:1278; reference note 1.7).
- Residual: Hoang et al. JVIR medians 0.61 % glass (reference note 1.3).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from hccrt.dosimetry import decay, resin
from hccrt.errors import InputError

NY = ZoneInfo("America/New_York")
SEOUL = ZoneInfo("Asia/Seoul")
CAL = datetime(2026, 3, 1, 12, 0, tzinfo=NY)  # a Sunday, noon Eastern


# ---- resin BSA (Ex 4) ----

def test_ex4_whole_liver_and_reductions():
    a = resin.resin_bsa_activity_gbq(1.8097, 300, 1500)
    assert a == pytest.approx(1.810, abs=5e-4)
    assert a * resin.shunt_reduction_factor(0.12) == pytest.approx(1.448, abs=5e-4)
    assert a * resin.shunt_reduction_factor(0.17) == pytest.approx(1.086, abs=5e-4)


def test_ex4_lobar_variants():
    a = resin.resin_bsa_activity_gbq(1.8097, 300, 1500, target_volume_ml=900)
    assert a == pytest.approx(1.086, abs=5e-4)
    b = resin.resin_bsa_activity_gbq(1.8097, 300, 1500, 900, 250, "scale_bsa_term")
    assert b == pytest.approx(1.132, abs=5e-4)


@pytest.mark.parametrize(
    ("lsf", "factor"),
    [(0.0, 1.0), (0.0999, 1.0), (0.10, 0.8), (0.1499, 0.8), (0.15, 0.6), (0.20, 0.6)],
)
def test_shunt_band_boundaries(lsf, factor):
    assert resin.shunt_reduction_factor(lsf) == factor


def test_shunt_above_20_percent_do_not_treat():
    assert math.isnan(resin.shunt_reduction_factor(0.2000001))
    out = resin.shunt_reduction_factor(np.array([0.05, 0.25]))
    assert out[0] == 1.0 and math.isnan(out[1])


def test_resin_bad_input():
    with pytest.raises(InputError) as e:
        resin.resin_bsa_activity_gbq(1.8, 1600, 1500)
    assert e.value.field == "tumour_volume_ml"
    with pytest.raises(InputError):
        resin.resin_bsa_activity_gbq(0.2, 100, 1500)
    with pytest.raises(InputError):
        resin.resin_bsa_activity_gbq(1.8, 100, 1500, 900, None, "scale_bsa_term")
    with pytest.raises(InputError):
        resin.ShuntReductionTable(bands=(resin.ShuntBand(lsf_from=0, lsf_to=0.5,
                                                         activity_factor=1.0),), source="x")


# ---- decay (Ex 5) ----

@pytest.mark.parametrize(("hours", "factor", "activity"), [(46, 0.6081, 3.040),
                                                           (68, 0.4794, 2.397)])
def test_ex5_decay_of_a_5_gbq_vial(hours, factor, activity):
    assert decay.decay_factor(hours) == pytest.approx(factor, abs=5e-5)
    assert 5 * decay.decay_factor(hours) == pytest.approx(activity, abs=5e-4)


def test_daily_factor():
    assert decay.decay_factor(24.0) == pytest.approx(0.7714, abs=5e-5)


def test_decay_against_ode_solution():
    lam = math.log(2) / 64.1
    sol = solve_ivp(lambda t, a: -lam * a, (0, 200), [5.0], rtol=1e-10, atol=1e-12,
                    t_eval=[37.5, 200])
    assert 5.0 * decay.decay_factor(37.5) == pytest.approx(sol.y[0][0], rel=1e-7)
    assert 5.0 * decay.decay_factor(200.0) == pytest.approx(sol.y[0][1], rel=1e-7)


def test_ex5_vial_times_and_needed_activity():
    stock = decay.GlassVialStock(calibration_time=CAL, shelf_life_h=12 * 24)
    assert 2.629 / decay.decay_factor(68) == pytest.approx(5.48, abs=5e-3)
    seven = decay.glass_time_for_vial(2.629, 7.0, stock)
    five = decay.glass_time_for_vial(2.629, 5.0, stock)
    assert seven.hours_after_calibration == pytest.approx(90.6, abs=0.05)
    assert five.hours_after_calibration == pytest.approx(59.4, abs=0.05)
    assert five.activity_at_administration_gbq == pytest.approx(2.629)


def test_time_zones_are_respected():
    # noon New York (UTC-5) = 02:00 next day Seoul; admin 09:00 Seoul on Tuesday 3 March
    admin = datetime(2026, 3, 3, 9, 0, tzinfo=SEOUL)
    assert decay.hours_between(CAL, admin) == pytest.approx(24 + 7)
    a = decay.activity_at_gbq(5.0, CAL, admin)
    assert a == pytest.approx(5.0 * 2 ** (-31 / 64.1))


def test_naive_datetime_refused():
    with pytest.raises(InputError):
        decay.hours_between(datetime(2026, 3, 1, 12), datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(InputError):
        decay.GlassVialStock(calibration_time=datetime(2026, 3, 1, 12), shelf_life_h=100)


def test_vial_for_fixed_time_and_tolerance_boundary():
    stock = decay.GlassVialStock(calibration_time=CAL, shelf_life_h=12 * 24)
    t = CAL + timedelta(hours=46)
    c = decay.glass_vial_for_time(3.0, t, stock)
    assert c.vial_gbq == 5.0
    assert c.activity_at_administration_gbq == pytest.approx(3.040, abs=5e-4)
    assert c.estimated_spheres == pytest.approx(5 * 1.2e6 / 3)
    # exactly 10 % above the required activity is accepted (tolerance inclusive)
    held = 5.0 * decay.decay_factor(46)
    assert decay.glass_vial_for_time(held / 1.10, t, stock).vial_gbq == 5.0
    with pytest.raises(InputError) as e:
        decay.glass_vial_for_time(held / 1.1001 * 0.86, t, stock)
    assert "what would work" in str(e.value)


def test_administration_before_calibration_and_after_shelf_life():
    stock = decay.GlassVialStock(calibration_time=CAL, shelf_life_h=12 * 24)
    with pytest.raises(InputError) as e:
        decay.glass_vial_for_time(3.0, CAL - timedelta(hours=1), stock)
    assert "before" in str(e.value)
    with pytest.raises(InputError) as e:
        decay.glass_vial_for_time(0.1, CAL + timedelta(hours=12 * 24 + 1), stock)
    assert "shelf life" in str(e.value)
    # 20 GBq decayed to 0.05 GBq takes 553 h > 288 h of shelf life
    with pytest.raises(InputError):
        decay.glass_time_for_vial(0.05, 20.0, stock)
    # a required activity above the largest vial cannot be reached after calibration
    with pytest.raises(InputError):
        decay.glass_time_for_vial(25.0, 20.0, stock)


def test_unreachable_with_no_vial_says_so():
    stock = decay.GlassVialStock(calibration_time=CAL, shelf_life_h=24, sizes_gbq=(3.0,))
    with pytest.raises(InputError) as e:
        decay.glass_vial_for_time(1.0, CAL + timedelta(hours=2), stock)
    assert "order another calibration" in str(e.value)


def test_resin_dispense():
    vial = decay.ResinVial(calibration_time=CAL, shelf_life_h=24 + 48,
                           earliest_use_before_calibration_h=24)
    disp = CAL + timedelta(hours=2)
    admin = CAL + timedelta(hours=4)
    d = decay.resin_dispense(1.448, vial, disp, admin)
    # independent: draw A such that A * 2^(-2/64.1) = 1.448; volume = 5 mL * A / (3 * 2^(-2/64.1))
    draw = 1.448 * 2 ** (2 / 64.1)
    assert d.activity_to_draw_gbq == pytest.approx(draw)
    assert d.volume_to_draw_ml == pytest.approx(5.0 * draw / (3.0 * 2 ** (-2 / 64.1)))
    with pytest.raises(InputError) as e:
        decay.resin_dispense(3.0, vial, disp, admin)
    assert e.value.field == "required_activity_gbq"


def test_delivered_activity_from_assays():
    admin = CAL + timedelta(hours=50)
    pre_t = admin - timedelta(hours=2.2)
    post_t = admin + timedelta(hours=1)
    d = decay.delivered_activity(3.0, pre_t, 0.0183, post_t, admin)
    pre_at_admin = 3.0 * 2 ** (-2.2 / 64.1)
    res_at_admin = 0.0183 * 2 ** (1 / 64.1)
    assert d.delivered_activity_gbq == pytest.approx(pre_at_admin - res_at_admin)
    assert d.residual_fraction == pytest.approx(res_at_admin / pre_at_admin)
    with pytest.raises(InputError):
        decay.delivered_activity(1.0, pre_t, 2.0, post_t, admin)


SECOND = timedelta(seconds=1)


def test_vial_assay_at_the_administration_is_accepted_one_second_after_refused():
    # Boundary: the vial assay at the administration time itself decays by 2^0 = 1, so the
    # vial counts at its reading; one second later it is refused naming the field and value.
    admin = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    post_t = admin + timedelta(hours=1)
    d = decay.delivered_activity(3.0, admin, 0.0183, post_t, admin)
    assert d.vial_activity_at_administration_gbq == pytest.approx(3.0, rel=1e-15)
    assert d.delivered_activity_gbq == pytest.approx(3.0 - 0.0183 * 2 ** (1 / 64.1))
    late = admin + SECOND
    with pytest.raises(InputError) as e:
        decay.delivered_activity(3.0, late, 0.0183, post_t, admin)
    assert e.value.field == "pre_assay_time"
    assert e.value.value == late.isoformat()
    assert "at or before administration" in e.value.allowed


def test_residual_assay_at_the_administration_is_accepted_one_second_before_refused():
    admin = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    pre_t = admin - timedelta(hours=2.2)
    d = decay.delivered_activity(3.0, pre_t, 0.0183, admin, admin)
    assert d.residual_activity_at_administration_gbq == pytest.approx(0.0183, rel=1e-15)
    early = admin - SECOND
    with pytest.raises(InputError) as e:
        decay.delivered_activity(3.0, pre_t, 0.0183, early, admin)
    assert e.value.field == "residual_assay_time"
    assert e.value.value == early.isoformat()
    assert "at or after administration" in e.value.allowed


def test_assay_order_is_judged_on_instants_not_wall_clock():
    # 09:30 in Seoul (UTC+9) is 00:30 UTC, before an administration at 19:45 US Eastern of
    # the previous day (2026-03-02 00:45 UTC; EST, UTC-5, before the 2026-03-08 DST change):
    # on the wall clock the assay reads later than the administration, in time it is 15 min
    # before it, and its activity decays by 2^(-0.25 / 64.1).
    admin = datetime(2026, 3, 1, 19, 45, tzinfo=ZoneInfo("America/New_York"))
    pre_t = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    d = decay.delivered_activity(3.0, pre_t, 0.0, admin + timedelta(hours=1), admin)
    assert d.vial_activity_at_administration_gbq == pytest.approx(3.0 * 2 ** (-0.25 / 64.1))
    # and a residual read at 09:30 Seoul on 2026-03-02 (00:30 UTC) is 15 min before it
    with pytest.raises(InputError) as e:
        decay.delivered_activity(3.0, admin - timedelta(hours=1), 0.01, pre_t, admin)
    assert e.value.field == "residual_assay_time"


@settings(max_examples=200, deadline=None)
@given(st.floats(-500, 500), st.floats(-500, 500))
def test_decay_composes(t1, t2):
    assert decay.decay_factor(t1) * decay.decay_factor(t2) == pytest.approx(
        decay.decay_factor(t1 + t2), rel=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.01, 19.9), st.sampled_from([3.0, 5.0, 7.0, 10.0, 15.0, 20.0]))
def test_time_for_vial_round_trip(req, size):
    stock = decay.GlassVialStock(calibration_time=CAL, shelf_life_h=24 * 366)
    if req > size:
        with pytest.raises(InputError):
            decay.glass_time_for_vial(req, size, stock)
    else:
        c = decay.glass_time_for_vial(req, size, stock)
        assert c.activity_at_administration_gbq == pytest.approx(req, rel=1e-9)
