"""Radioembolization BED and the prescribed-versus-delivered report.

Sources of the reference numbers:
- BED examples (alpha/beta 10 Gy, T_rep 1.5 h: 120 Gy -> 152.9, 150 -> 201.4, 205 -> 301.1;
  normal liver 40 Gy, alpha/beta 2.5, T_rep 2.5 h -> 64.0): shared/reference/dosimetry.md
  section 1.10 (computed by the note's author with Dale's formula).
- Independent check: the Lea-Catcheside G factor of an exponentially decaying dose rate,
  G = (2 / D^2) int_0^inf R(t) int_0^t exp(-mu (t - s)) R(s) ds dt, integrated numerically
  (scipy.integrate.dblquad) and put into BED = D (1 + G D / (alpha/beta)).
- Delivery thresholds: 20 % medical-event threshold (US NRC 10 CFR 35.1000 licensing
  guidance, reference note 1.8) and the EANM 10 % level (reference note 1.8).
- Ex 3 plan values: reference note section 1.9.
"""

from __future__ import annotations

import math

import pytest
from scipy import integrate

from hccrt.dosimetry.plan import Tumour, Y90PlanInput, delivery_report, plan_y90
from hccrt.dosimetry.radiobiology import radioembolization_bed_gy, radioembolization_eqd2_gy
from hccrt.errors import InputError


@pytest.mark.parametrize(("dose", "bed"), [(120, 152.9), (150, 201.4), (205, 301.1)])
def test_tumour_bed_examples(dose, bed):
    assert radioembolization_bed_gy(dose, 10, 1.5) == pytest.approx(bed, abs=0.05)


def test_normal_liver_bed_example():
    assert radioembolization_bed_gy(40, 2.5, 2.5) == pytest.approx(64.0, abs=0.05)


def test_bed_against_numerical_g_factor():
    lam = math.log(2) / 64.1
    mu = math.log(2) / 1.5
    dose = 150.0
    r0 = dose * lam  # R(t) = R0 exp(-lam t) integrates to D

    def inner(s, t):
        return r0 * math.exp(-lam * t) * math.exp(-mu * (t - s)) * r0 * math.exp(-lam * s)

    val, _ = integrate.dblquad(inner, 0, 2000, 0, lambda t: t, epsabs=1e-10, epsrel=1e-10)
    g = 2 * val / dose**2
    assert radioembolization_bed_gy(dose, 10, 1.5) == pytest.approx(
        dose * (1 + g * dose / 10), rel=1e-6)


def test_eqd2_and_bad_input():
    assert radioembolization_eqd2_gy(150, 10, 1.5) == pytest.approx(
        radioembolization_bed_gy(150, 10, 1.5) / 1.2)
    with pytest.raises(InputError):
        radioembolization_bed_gy(150, 10, 0)
    with pytest.raises(InputError):
        radioembolization_bed_gy(-1, 10, 1.5)


def test_delivery_report_thresholds():
    plan = plan_y90(Y90PlanInput(device="resin", model="partition", driver="tumour_dose",
                                 prescribed_value=150, perfused_volume_ml=1500, lsf=0.10,
                                 tumours=(Tumour(volume_ml=200, tnr=3),)))
    a = plan.result.activity_gbq
    assert a == pytest.approx(2.189, abs=5e-4)
    ok = delivery_report(plan, a * 0.95)
    assert ok.within_10_percent and not ok.medical_event
    assert ok.delivered.tumour_dose_gy == pytest.approx(150 * 0.95)
    assert ok.delivered.lung_dose_gy == pytest.approx(10.87 * 0.95, abs=5e-3)
    edge = delivery_report(plan, a * 0.8)
    assert edge.difference_pct == pytest.approx(-20.0) and edge.medical_event
    near = delivery_report(plan, a * 0.8001)
    assert not near.medical_event and not near.within_10_percent
    with pytest.raises(InputError):
        delivery_report(plan, -1.0)
