"""The built-in protocol files map onto the dosimetry limits with the registered numbers.

Reference numbers: shared/protocols.md (tare-ut7: 700 Gy accepted 350-1050 Gy, second
treatment within 180 days only if cumulative lung dose < 50 Gy; rescue: lung > 15 Gy at 150 Gy
tumour dose by the partition model excludes, untreated non-tumorous liver >= 30 %;
sbrt-bclcc: 25-40 Gy in 5 fractions of 5-8 Gy; sirt-haic: FOLFOX 135/400/400/2400 mg/m2 over
3/1.5/2/46 h every 3-4 weeks, 2 or 4 cycles). Ex 3 values: shared/reference/dosimetry.md 1.9.
"""

from __future__ import annotations

from datetime import date

import pytest

from hccrt.dosimetry import from_protocol
from hccrt.dosimetry.checks import check_y90
from hccrt.dosimetry.haic import haic_doses
from hccrt.dosimetry.ledger import LedgerEntry, TreatmentLedger
from hccrt.dosimetry.plan import Tumour, Y90PlanInput, plan_y90
from hccrt.dosimetry.sbrt import check_sbrt_prescription
from hccrt.errors import ProtocolError
from hccrt.protocols.loader import load_builtin


def test_tare_ut7():
    lim = from_protocol.y90_limits(load_builtin("tare-ut7"))
    assert (lim.tumour_dose_gy.low, lim.tumour_dose_gy.high) == (350, 1050)
    assert lim.tumour_dose_gy.prescribed == 700
    assert lim.lung_dose_cumulative_gy.value == 50 and not lim.lung_dose_cumulative_gy.inclusive
    assert lim.retreatment_window_days == 180
    led = TreatmentLedger(participant_id="p").add(LedgerEntry(
        treatment_date=date(2026, 1, 1), plan_id="a", territory="S8", device="glass",
        activity_gbq=2, lung_dose_gy=40, perfused_dose_gy=700,
        perfused_nontumoral_volume_ml=0))
    p = plan_y90(Y90PlanInput(device="glass", model="mird", driver="perfused_dose",
                              prescribed_value=700, perfused_volume_ml=150, lsf=0.03))
    res = {r.rule: r for r in check_y90(p, lim, ledger=led, treatment_date=date(2026, 5, 1))}
    assert res["tumour_dose_window"].status == "pass"
    assert res["lung_dose_cumulative"].status == "pass"  # 40 + 1.9 Gy (Ex 2) < 50
    assert res["lung_dose_cumulative"].value == pytest.approx(40 + 1.91 * 700 / 400, abs=0.01)
    assert "tare-ut7" in res["retreatment_window"].source


def test_rescue():
    lim = from_protocol.y90_limits(load_builtin("rescue"))
    assert lim.lung_dose_at_reference.reference_tumour_dose_gy == 150
    assert lim.lung_dose_at_reference.max_lung_dose_gy.value == 15
    assert lim.untreated_nontumoral_liver_fraction.value == 0.30
    p = plan_y90(Y90PlanInput(device="resin", model="partition", driver="tumour_dose",
                              prescribed_value=150, perfused_volume_ml=1500, lsf=0.15,
                              tumours=(Tumour(volume_ml=200, tnr=3),)))
    res = {r.rule: r for r in check_y90(p, lim)}
    assert res["lung_dose_at_reference_tumour_dose"].status == "fail"  # 17.27 Gy (Ex 3)


def test_sbrt_bclcc():
    lim = from_protocol.sbrt_limits(load_builtin("sbrt-bclcc"))
    assert all(r.status == "pass" for r in check_sbrt_prescription(40, 5, lim))
    assert any(r.status == "fail" for r in check_sbrt_prescription(45, 5, lim))
    with pytest.raises(ProtocolError):
        from_protocol.sbrt_limits(load_builtin("rescue"))


def test_sirt_haic():
    reg = from_protocol.haic_regimen(load_builtin("sirt-haic"))
    assert [(d.dose_mg_per_m2, d.infusion_h) for d in reg.drugs] == [
        (135, 3), (400, 1.5), (400, 2), (2400, 46)]
    assert (reg.cycle_interval_days_min, reg.cycle_interval_days_max) == (21, 28)
    assert reg.cycles_allowed == (2, 4)
    doses = haic_doses(reg, bsa_m2=1.818)
    assert doses.orders[0].calculated_mg == pytest.approx(245.43)
