"""Tests of Y-90 plan records, the ledger and the protocol checks.

Sources of the reference numbers:
- Protocol limits: shared/protocols.md (tare-ut7: 700 Gy, accepted 350-1050 Gy, second
  treatment within 180 days only if cumulative lung dose < 50 Gy; rescue: exclude if lung
  dose > 15 Gy at 150 Gy tumour dose by the partition model, untreated non-tumorous liver
  >= 30 %).
- Ex 2, Ex 3, Ex 4, Ex 6: shared/reference/dosimetry.md section 1.9 (computed by the note's
  author from the label formulas, not printed in a label).
- EANM 2022 Table 2/3 levels (205 Gy glass tumour; 100 Gy resin tumour): Weber M et al.,
  EJNMMI 2022;49:1682 as tabulated in the reference note section 1.8.
- Other expected values are hand calculations written out in the test.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccrt.dosimetry.checks import (
    EANM_2022_GLASS_HCC,
    EANM_2022_RESIN_HCC,
    Limit,
    ReferenceLungLimit,
    Window,
    Y90Limits,
    check_y90,
)
from hccrt.dosimetry.constants import Y90Constants
from hccrt.dosimetry.ledger import LedgerEntry, TreatmentLedger
from hccrt.dosimetry.plan import (
    Tumour,
    Y90Plan,
    Y90PlanInput,
    Y90Session,
    plan_y90,
    untreated_nontumoral_fraction,
)
from hccrt.errors import InputError

TARE_UT7 = Y90Limits(
    tumour_dose_gy=Window(low=350, high=1050, prescribed=700, source="tare-ut7 protocol"),
    lung_dose_session_gy=Limit(value=30, source="Leung 1995 / glass label"),
    lung_dose_cumulative_gy=Limit(value=50, inclusive=False, source="tare-ut7 protocol"),
    retreatment_window_days=180, max_treatments=2, retreatment_source="tare-ut7 protocol",
    guidance=EANM_2022_GLASS_HCC,
)
RESCUE = Y90Limits(
    lung_dose_at_reference=ReferenceLungLimit(
        reference_tumour_dose_gy=150, max_lung_dose_gy=Limit(value=15, source="rescue")),
    untreated_nontumoral_liver_fraction=Limit(value=0.30, source="rescue"),
    guidance=EANM_2022_RESIN_HCC,
)


def by_rule(results, rule):
    hits = [r for r in results if r.rule == rule]
    assert len(hits) == 1, results
    return hits[0]


def segment_plan(dose=700.0, lsf=0.03, driver="perfused_dose"):
    return plan_y90(Y90PlanInput(device="glass", model="mird", driver=driver,
                                 prescribed_value=dose, perfused_volume_ml=150, lsf=lsf,
                                 territory="S8"))


def rescue_plan(lsf, driver="tumour_dose", value=150.0, lung_mass_kg=None):
    return plan_y90(Y90PlanInput(
        device="resin", model="partition", driver=driver, prescribed_value=value,
        perfused_volume_ml=1500, tumours=(Tumour(volume_ml=200, tnr=3.0),), lsf=lsf,
        lung_mass_kg=lung_mass_kg, territory="right lobe"))


# ---- plans ----

def test_ex2_segment_plan_and_window_pass():
    p = segment_plan()
    assert p.result.activity_gbq == pytest.approx(2.245, abs=5e-4)
    res = check_y90(p, TARE_UT7)
    assert by_rule(res, "tumour_dose_window").status == "pass"
    assert "single-compartment" in by_rule(res, "tumour_dose_window").message


def test_delivered_underdose_fails_window():
    p = segment_plan()
    delivered = p.at_activity(1.0)
    assert delivered.perfused_dose_gy == pytest.approx(49.67 * 1.0 * 0.97 / 0.1545)
    assert delivered.perfused_dose_gy < 350


def test_ex3_rescue_plan_values_and_eligibility():
    p = rescue_plan(0.10)
    assert p.result.activity_gbq == pytest.approx(2.189, abs=5e-4)
    assert p.result.normal_liver_dose_gy == pytest.approx(50.0, abs=0.05)
    res = check_y90(p, RESCUE, nontumoral_liver_volume_ml=1300 / 0.6)
    lung = by_rule(res, "lung_dose_at_reference_tumour_dose")
    assert lung.status == "pass" and lung.value == pytest.approx(10.87, abs=5e-3)
    excl = check_y90(rescue_plan(0.15), RESCUE)
    lung15 = by_rule(excl, "lung_dose_at_reference_tumour_dose")
    assert lung15.status == "fail" and lung15.value == pytest.approx(17.27, abs=5e-3)
    assert lung15.source == "rescue"


def test_reference_lung_dose_independent_of_plan_driver_and_k():
    a = check_y90(rescue_plan(0.15, driver="normal_liver_dose", value=20.0), RESCUE)
    b = check_y90(plan_y90(rescue_plan(0.15).inputs, Y90Constants(
        dose_constant_gy_kg_per_gbq=50.0)), RESCUE)
    va = by_rule(a, "lung_dose_at_reference_tumour_dose").value
    vb = by_rule(b, "lung_dose_at_reference_tumour_dose").value
    assert va == pytest.approx(17.27, abs=5e-3) and vb == pytest.approx(va, rel=1e-12)


def test_ct_lung_mass_changes_lung_dose_ex3():
    p = rescue_plan(0.10, lung_mass_kg=0.822)
    assert p.result.lung_dose_gy == pytest.approx(13.23, abs=5e-3)


def test_ex6_untreated_fraction():
    assert untreated_nontumoral_fraction(1500, 900) == pytest.approx(0.40)
    res = check_y90(rescue_plan(0.10), RESCUE, nontumoral_liver_volume_ml=1300 / 0.6)
    u = by_rule(res, "untreated_nontumoral_liver")
    assert u.status == "pass" and u.value == pytest.approx(0.4)


def test_untreated_fraction_boundary_exact():
    # 1300 mL treated of 1300/0.7 mL: exactly 30 % untreated passes (>= 30 %)
    lim = RESCUE.untreated_nontumoral_liver_fraction
    assert lim.lower_ok(untreated_nontumoral_fraction(1000, 700))
    assert not lim.lower_ok(untreated_nontumoral_fraction(1000, 700.001))
    res = check_y90(rescue_plan(0.10), RESCUE, nontumoral_liver_volume_ml=1500)
    assert by_rule(res, "untreated_nontumoral_liver").status == "fail"


def test_missing_volume_is_not_evaluated():
    res = check_y90(rescue_plan(0.10), RESCUE)
    assert by_rule(res, "untreated_nontumoral_liver").status == "not_evaluated"


def test_eanm_guidance_warnings():
    res = check_y90(rescue_plan(0.10, value=90.0), RESCUE, nontumoral_liver_volume_ml=3000)
    w = next(r for r in res if r.rule == "guidance:tumour_dose_gy")
    assert w.status == "warning" and "Table 3" in w.source
    res = check_y90(segment_plan(), TARE_UT7)
    t = next(r for r in res if r.rule == "guidance:tumour_dose_gy")
    assert t.status == "not_evaluated"


def test_plan_is_recomputable_after_json_round_trip():
    p = rescue_plan(0.10)
    q = Y90Plan.model_validate_json(p.model_dump_json())
    assert q == p and q.is_reproducible()
    assert q.constants.dose_constant_gy_kg_per_gbq == 49.67


def test_plan_records_constants_k50():
    p = plan_y90(segment_plan(400).inputs, Y90Constants.label_convention())
    # hand: 400 * 0.1545 / (50 * 0.97)
    assert p.result.activity_gbq == pytest.approx(400 * 0.1545 / (50 * 0.97))
    assert p.constants.dose_constant_gy_kg_per_gbq == 50.0


def test_multi_tumour_partition_plan():
    inp = Y90PlanInput(device="glass", model="partition", driver="tumour_dose",
                       prescribed_value=205, perfused_volume_ml=1000, lsf=0.05,
                       tumours=(Tumour(name="T1", volume_ml=100, tnr=4.0),
                                Tumour(name="T2", volume_ml=50, tnr=2.0)), target_tumour=1)
    r = plan_y90(inp).result
    assert r.tumour_doses_gy[1] == pytest.approx(205.0)
    assert r.tumour_doses_gy[0] == pytest.approx(410.0)  # twice the uptake ratio
    assert r.normal_liver_dose_gy == pytest.approx(102.5)
    # hand: sum r M = 0.85*1.03 + 4*0.103 + 2*0.0515 = 1.3905; A = 102.5*1.3905/(49.67*0.95)
    assert r.activity_gbq == pytest.approx(102.5 * 1.3905 / (49.67 * 0.95))


def test_resin_bsa_plan_ex4():
    inp = Y90PlanInput(device="resin", model="bsa", driver="bsa", perfused_volume_ml=1500,
                       bsa_m2=1.8097, liver_volume_ml=1500, liver_tumour_volume_ml=300,
                       lsf=0.17)
    r = plan_y90(inp).result
    assert r.activity_gbq == pytest.approx(1.086, abs=5e-4)
    lobar = plan_y90(inp.model_copy(update={"perfused_volume_ml": 900, "lsf": 0.05})).result
    assert lobar.activity_gbq == pytest.approx(1.086, abs=5e-4)
    refused = plan_y90(inp.model_copy(update={"lsf": 0.25}))
    assert not refused.result.treatable
    assert by_rule(check_y90(refused, RESCUE), "treatable").status == "fail"


def test_resin_bsa_from_height_weight_uses_dubois():
    inp = Y90PlanInput(device="resin", model="bsa", driver="bsa", perfused_volume_ml=1500,
                       height_cm=170, weight_kg=70, liver_volume_ml=1500,
                       liver_tumour_volume_ml=300, lsf=0.05)
    assert plan_y90(inp).result.bsa_m2 == pytest.approx(1.8097, abs=5e-5)


@pytest.mark.parametrize("bad", [
    {"tumours": (Tumour(volume_ml=2000, tnr=3),)},
    {"lsf": 1.0},
    {"perfused_volume_ml": 0},
    {"model": "bsa"},
    {"tumours": (Tumour(volume_ml=200),)},
    {"driver": "perfused_dose"},
    {"prescribed_value": None},
])
def test_bad_plan_inputs(bad):
    base = rescue_plan(0.1).inputs.model_dump()
    base.update(bad)
    with pytest.raises(InputError):
        Y90PlanInput(**base)


def test_glass_bsa_refused():
    with pytest.raises(InputError) as e:
        Y90PlanInput(device="glass", model="bsa", driver="bsa", perfused_volume_ml=1500,
                     bsa_m2=1.8, liver_volume_ml=1500, liver_tumour_volume_ml=300, lsf=0.05)
    assert "resin" in str(e.value)


# ---- sessions, ledger, retreatment ----

def lung_plan(lsf, territory="left lobe"):
    # K = 50, A = 1 GBq, lung 1 kg: lung dose = 50 * LSF exactly
    return plan_y90(Y90PlanInput(device="glass", model="mird", driver="activity",
                                 prescribed_value=1.0, perfused_volume_ml=500, lsf=lsf,
                                 territory=territory), Y90Constants.label_convention())


def ledger_with(lung_gy, when=date(2026, 1, 1)):
    e = LedgerEntry(treatment_date=when, plan_id="P1", territory="right lobe", device="glass",
                    activity_gbq=2.0, lung_dose_gy=lung_gy, perfused_dose_gy=120.0,
                    perfused_nontumoral_volume_ml=800)
    return TreatmentLedger(participant_id="001-0001").add(e)


def test_session_lung_doses_add():
    s = Y90Session(plans=(lung_plan(0.1), lung_plan(0.2, "right lobe")))
    assert s.lung_dose_gy == pytest.approx(15.0)


def test_cumulative_lung_boundary_strict_50():
    led = ledger_with(25.0)
    at = check_y90(lung_plan(0.5), TARE_UT7, ledger=led, treatment_date=date(2026, 3, 1))
    assert by_rule(at, "lung_dose_cumulative").value == 50.0
    assert by_rule(at, "lung_dose_cumulative").status == "fail"  # "< 50 Gy"
    assert by_rule(at, "retreatment_window").status == "fail"
    below = check_y90(lung_plan(0.4998), TARE_UT7, ledger=led, treatment_date=date(2026, 3, 1))
    assert by_rule(below, "lung_dose_cumulative").status == "pass"
    assert by_rule(below, "retreatment_window").status == "pass"


def test_session_lung_boundary_inclusive_30():
    res = check_y90(lung_plan(0.6), TARE_UT7)
    assert by_rule(res, "lung_dose_session").value == 30.0
    assert by_rule(res, "lung_dose_session").status == "pass"
    assert by_rule(check_y90(lung_plan(0.6001), TARE_UT7), "lung_dose_session").status == "fail"


def test_retreatment_window_boundary_days():
    led = ledger_with(5.0)
    on = check_y90(lung_plan(0.1), TARE_UT7, ledger=led, treatment_date=date(2026, 6, 30))
    assert by_rule(on, "retreatment_window").value == 180
    assert by_rule(on, "retreatment_window").status == "pass"
    late = check_y90(lung_plan(0.1), TARE_UT7, ledger=led, treatment_date=date(2026, 7, 1))
    assert by_rule(late, "retreatment_window").status == "warning"


def test_third_treatment_fails_and_dates_must_advance():
    led = ledger_with(5.0).add(LedgerEntry(
        treatment_date=date(2026, 2, 1), plan_id="P2", territory="left lobe", device="glass",
        activity_gbq=1.0, lung_dose_gy=3.0, perfused_dose_gy=100.0,
        perfused_nontumoral_volume_ml=300))
    assert led.cumulative_lung_dose_gy == 8.0
    res = check_y90(lung_plan(0.1), TARE_UT7, ledger=led, treatment_date=date(2026, 3, 1))
    assert by_rule(res, "number_of_treatments").status == "fail"
    with pytest.raises(InputError):
        check_y90(lung_plan(0.1), TARE_UT7, ledger=led, treatment_date=date(2026, 1, 15))
    with pytest.raises(InputError):
        led.add(LedgerEntry(treatment_date=date(2025, 1, 1), plan_id="P0", territory="x",
                            device="glass", activity_gbq=1, lung_dose_gy=1,
                            perfused_dose_gy=1, perfused_nontumoral_volume_ml=1))


def test_ledger_entry_from_delivered_plan():
    p = lung_plan(0.1)
    e = LedgerEntry.from_plan(p, date(2026, 1, 1), "P1", delivered_activity_gbq=0.9)
    assert e.delivered and e.lung_dose_gy == pytest.approx(50 * 0.9 * 0.1)
    led = TreatmentLedger(participant_id="x").add(e).add(
        LedgerEntry.from_plan(p, date(2026, 2, 1), "P2"))
    assert led.cumulative_perfused_dose_gy("left lobe") == pytest.approx(
        e.perfused_dose_gy + p.result.perfused_dose_gy)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.0, 0.95), st.floats(0.0, 60.0))
def test_checks_never_crash(lsf, previous):
    res = check_y90(lung_plan(lsf), TARE_UT7, ledger=ledger_with(previous),
                    treatment_date=date(2026, 2, 1))
    assert {r.status for r in res} <= {"pass", "fail", "warning", "not_evaluated"}
    cum = by_rule(res, "lung_dose_cumulative")
    assert (cum.status == "pass") == (previous + 50 * lsf < 50)


# ---- property: any input gives a plan with finite numbers or an InputError ----

_bad = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10**6),
                 st.none())


def _mostly(valid):
    """``valid`` nine times in ten, otherwise a bad value."""
    return st.tuples(st.integers(0, 9), valid, _bad).map(lambda t: t[2] if t[0] == 5 else t[1])


_num = _mostly(st.floats(1e-2, 2000.0))
_frac = _mostly(st.floats(0.0, 0.99))


_COMBOS = [("glass", "mird", "perfused_dose"), ("glass", "mird", "activity"),
           ("glass", "partition", "tumour_dose"), ("resin", "partition", "normal_liver_dose"),
           ("resin", "partition", "activity"), ("resin", "bsa", "bsa"),
           ("glass", "bsa", "bsa"), ("x", "mird", "activity"), ("glass", "mird", "tumour_dose")]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_COMBOS), _num, _mostly(st.floats(100, 3000)),
       _mostly(st.one_of(st.none(), st.floats(1, 90))), _num, _frac,
       _mostly(st.one_of(st.none(), st.floats(0.5, 3.0))))
def test_plan_any_input(combo, value, perfused, tumour, tnr, lsf, bsa):
    device, model, driver = combo
    try:
        tumours = () if tumour is None else (Tumour(volume_ml=tumour, tnr=tnr),)
        inp = Y90PlanInput(device=device, model=model, driver=driver, prescribed_value=value,
                           perfused_volume_ml=perfused, tumours=tumours, lsf=lsf, bsa_m2=bsa,
                           liver_volume_ml=2000.0, liver_tumour_volume_ml=100.0)
        p = plan_y90(inp)
    except InputError:
        return
    r = p.result
    for v in (r.activity_gbq, r.perfused_dose_gy, r.lung_dose_gy, *r.tumour_doses_gy):
        assert np.isfinite(v) and v >= 0
    assert p.is_reproducible()
    check_y90(p, TARE_UT7, nontumoral_liver_volume_ml=1e5)


def test_bsa_plan_dose_model_follows_tnr():
    base = {"device": "resin", "model": "bsa", "driver": "bsa", "perfused_volume_ml": 1500,
            "bsa_m2": 1.8097, "liver_volume_ml": 1500, "liver_tumour_volume_ml": 300,
            "lsf": 0.05}
    uniform = plan_y90(Y90PlanInput(**base, tumours=(Tumour(volume_ml=300),)))
    assert uniform.result.dose_model == "single_compartment"
    win = Y90Limits(tumour_dose_gy=Window(low=100, high=300))
    assert "single-compartment" in by_rule(check_y90(uniform, win), "tumour_dose_window").message
    part = plan_y90(Y90PlanInput(**base, tumours=(Tumour(volume_ml=300, tnr=3.0),)))
    assert part.result.dose_model == "partition"
    # Ex 4 activity 1.810 GBq; hand: D_T = 49.67 * 1.810 * 0.95 * 3 / (1.236 + 3 * 0.309)
    assert part.result.tumour_dose_gy == pytest.approx(
        49.67 * 1.8097 * 0.95 * 3 / (1.2 * 1.03 + 3 * 0.3 * 1.03))


def test_bsa_tumour_volumes_consistent():
    with pytest.raises(InputError) as e:
        Y90PlanInput(device="resin", model="bsa", driver="bsa", perfused_volume_ml=900,
                     bsa_m2=1.8, liver_volume_ml=1500, liver_tumour_volume_ml=100,
                     tumours=(Tumour(volume_ml=250),), lsf=0.05)
    assert e.value.field == "liver_tumour_volume_ml"


@pytest.mark.parametrize(("activity", "status"), [(7.0, "pass"), (21.0, "pass"),
                                                   (6.9998, "fail"), (21.0002, "fail")])
def test_tare_ut7_window_exact_limits(activity, status):
    # K = 50, density 1.0 g/mL, 1000 mL, LSF 0: dose = 50 x A exactly -> 350 and 1050 Gy
    consts = Y90Constants(dose_constant_gy_kg_per_gbq=50.0, liver_density_g_per_ml=1.0,
                          tumour_density_g_per_ml=1.0)
    p = plan_y90(Y90PlanInput(device="glass", model="mird", driver="activity",
                              prescribed_value=activity, perfused_volume_ml=1000, lsf=0.0),
                 consts)
    r = by_rule(check_y90(p, TARE_UT7), "tumour_dose_window")
    assert r.value == pytest.approx(50 * activity) and r.status == status


def test_rescue_lung_limit_inclusive_at_15_gy():
    # rescue: excluded when the lung dose EXCEEDS 15 Gy, so exactly 15 Gy passes
    lim = RESCUE.lung_dose_at_reference.max_lung_dose_gy
    assert lim.upper_ok(15.0) and not lim.upper_ok(np.nextafter(15.0, 16.0))
    assert lim.text(True) == "<= 15"


def test_model_validate_names_the_field_once() -> None:
    """Regression: model_validate wrapped the field's InputError in a second one
    ("allowed: got 1.5; allowed: ..."), which the capture layer showed to users."""
    from hccrt.dosimetry.plan import Y90PlanInput
    from hccrt.errors import InputError

    data = dict(device="glass", model="mird", driver="perfused_dose", prescribed_value=120,
                perfused_volume_ml=1000, lsf=1.5)
    with pytest.raises(InputError) as direct:
        Y90PlanInput(**data)
    with pytest.raises(InputError) as validated:
        Y90PlanInput.model_validate(data)
    assert str(validated.value) == str(direct.value)
    assert str(validated.value).count("allowed:") == 1
    assert validated.value.field == "lsf"
