"""``hccrt plan`` commands: JSON records carry the worked-example values and protocol checks.

Reference numbers: shared/reference/dosimetry.md section 1.9 Ex 2/3/8 and sections 3.1, 4.2
(computed by the note's author from the published formulas); protocol limits from
shared/protocols.md.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hccrt.cli.main import app
from hccrt.dosimetry.plan import Y90Plan

runner = CliRunner()


def run_json(*args: str) -> dict:
    res = runner.invoke(app, ["plan", *args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


def test_y90_rescue_partition_json():
    rec = run_json("y90", "--device", "resin", "--model", "partition", "--perfused-ml", "1500",
                   "--tumour-ml", "200", "--tnr", "3", "--lsf", "0.10", "--dose-gy", "150",
                   "--protocol", "rescue", "--nontumoral-liver-ml", "2166.67")
    assert rec["plan"]["result"]["activity_gbq"] == pytest.approx(2.189, abs=5e-4)
    checks = {c["rule"]: c for c in rec["checks"]}
    assert checks["lung_dose_at_reference_tumour_dose"]["value"] == pytest.approx(10.87, abs=5e-3)
    assert checks["lung_dose_at_reference_tumour_dose"]["status"] == "pass"
    # the JSON record recomputes exactly
    plan = Y90Plan.model_validate(rec["plan"])
    assert plan.is_reproducible()


def test_y90_planar_counts_and_label_constant():
    rec = run_json("y90", "--device", "glass", "--model", "mird", "--perfused-ml", "1000",
                   "--planar", "12000,10000,150000,130000", "--dose-gy", "120", "--k", "50")
    assert rec["plan"]["inputs"]["lsf"] == pytest.approx(0.0727, abs=5e-5)
    assert rec["plan"]["constants"]["dose_constant_gy_kg_per_gbq"] == 50
    assert rec["plan"]["result"]["activity_gbq"] == pytest.approx(
        120 * 1.03 / (50 * (1 - rec["plan"]["inputs"]["lsf"])))


def test_y90_readable_summary_has_sections():
    res = runner.invoke(app, ["plan", "y90", "--device", "glass", "--model", "mird",
                              "--perfused-ml", "150", "--lsf", "0.03", "--dose-gy", "700",
                              "--protocol", "tare-ut7"])
    assert res.exit_code == 0
    for text in ("Inputs", "Constants", "Results", "Protocol checks", "PASS", "2.245",
                 "Prepared by"):
        assert text in res.output


def test_bad_input_exit_2():
    res = runner.invoke(app, ["plan", "y90", "--device", "glass", "--model", "mird",
                              "--perfused-ml", "150", "--lsf", "1.2", "--dose-gy", "700"])
    assert res.exit_code == 2 and "lsf" in res.output
    res = runner.invoke(app, ["plan", "y90", "--device", "glass", "--model", "partition",
                              "--perfused-ml", "150", "--tumour-ml", "200", "--tnr", "3",
                              "--lsf", "0.1", "--dose-gy", "700"])
    assert res.exit_code == 2 and "perfused" in res.output


def test_sbrt_json():
    rec = run_json("sbrt", "--dose-gy", "40", "--fractions", "5", "--protocol", "sbrt-bclcc",
                   "--previous", "25/5")
    assert rec["bed_gy"] == pytest.approx(72.0)
    assert rec["eqd2_gy"] == pytest.approx(60.0)
    assert rec["cumulative_eqd2_gy"] == pytest.approx(31.25 + 60.0)
    assert all(c["status"] == "pass" for c in rec["checks"])


def test_sbrt_dvh_file(tmp_path):
    f = tmp_path / "dvh.json"
    f.write_text(json.dumps({"duodenum": {"D5cc": 19.0}}))
    rec = run_json("sbrt", "--dose-gy", "35", "--fractions", "5", "--dvh", str(f))
    duo = next(c for c in rec["checks"] if c["rule"] == "oar:duodenum:D5cc")
    assert duo["status"] == "fail" and "TG-101" in duo["source"]


def test_haic_json():
    rec = run_json("haic", "--height-cm", "170", "--weight-kg", "70", "--protocol", "sirt-haic")
    mg = [o["calculated_mg"] for o in rec["doses"]["orders"]]
    assert mg == pytest.approx([245.4, 727.2, 727.2, 4363.5], abs=0.05)


def test_vial_times_ex5():
    # Ex 5 (reference note 1.9): 2.629 GBq reached by a 7 GBq vial at +90.6 h, 5 GBq at +59.4 h
    rec = run_json("vial", "--required-gbq", "2.629", "--calibration",
                   "2026-03-01T12:00-05:00", "--shelf-life-h", "288")
    hours = {c["vial_gbq"]: c["hours_after_calibration"] for c in rec["choices"]}
    assert hours[7.0] == pytest.approx(90.6, abs=0.05)
    assert hours[5.0] == pytest.approx(59.4, abs=0.05)


def test_vial_unreachable_says_what_would_work():
    res = runner.invoke(app, ["plan", "vial", "--required-gbq", "3.5", "--calibration",
                              "2026-03-01T12:00-05:00", "--shelf-life-h", "288",
                              "--administration", "2026-03-04T09:00+09:00"])
    assert res.exit_code == 2 and "what would work" in res.output


def test_session_with_ledger(tmp_path):
    # two territories at K = 50: lung doses 50 * A * LSF with A from the MIRD / partition
    # formulas (hand-checked below); ledger holds 12 Gy from the first session
    doc = {
        "territories": [
            {"device": "glass", "model": "mird", "driver": "perfused_dose",
             "prescribed_value": 700, "perfused_volume_ml": 150, "lsf": 0.03,
             "territory": "S7"},
            {"device": "glass", "model": "mird", "driver": "activity", "prescribed_value": 2.0,
             "perfused_volume_ml": 400, "lsf": 0.03, "territory": "S8"},
        ],
        "constants": {"dose_constant_gy_kg_per_gbq": 50},
        "treatment_date": "2026-04-01",
        "ledger": {"participant_id": "001", "entries": [
            {"treatment_date": "2026-01-15", "plan_id": "P1", "territory": "S6",
             "device": "glass", "activity_gbq": 3.0, "lung_dose_gy": 12.0,
             "perfused_dose_gy": 600, "perfused_nontumoral_volume_ml": 100}]},
    }
    f = tmp_path / "session.json"
    f.write_text(json.dumps(doc))
    rec = run_json("session", str(f), "--protocol", "tare-ut7")
    a1 = 700 * 0.1545 / (50 * 0.97)
    expected_lung = 50 * a1 * 0.03 + 50 * 2.0 * 0.03
    assert rec["session_lung_dose_gy"] == pytest.approx(expected_lung)
    assert rec["cumulative_lung_dose_gy"] == pytest.approx(12.0 + expected_lung)
    checks = {c["rule"]: c for c in rec["checks"] if c["rule"] != "tumour_dose_window"}
    assert checks["retreatment_window"]["value"] == 76  # 15 Jan -> 1 Apr 2026
    assert checks["retreatment_window"]["status"] == "pass"


def test_y90_with_glass_vial_choice():
    # Ex 1 (K = 49.67): 2.619 GBq, vial need with 1 % residual 2.646 GBq; noon New York
    # (UTC-5) to 09:00 Seoul (UTC+9) three days later = 55 h of decay
    rec = run_json("y90", "--device", "glass", "--model", "mird", "--perfused-ml", "1000",
                   "--lsf", "0.05", "--dose-gy", "120", "--residual", "0.01",
                   "--administration", "2026-03-04T09:00+09:00",
                   "--calibration", "2026-03-01T12:00-05:00", "--shelf-life-h", "288")
    v = rec["vial"]
    assert rec["plan"]["result"]["vial_activity_at_administration_gbq"] == pytest.approx(
        2.646, abs=5e-4)
    assert v["hours_after_calibration"] == pytest.approx(55.0)
    assert v["vial_gbq"] == 5.0
    assert v["activity_at_administration_gbq"] == pytest.approx(5 * 2 ** (-55 / 64.1))


def test_y90_resin_dispensing_ex4():
    # Ex 4: 1.448 GBq (LSF 12 %); vial 3 GBq calibrated 18:00, dispensed 08:00, given 10:00
    rec = run_json("y90", "--device", "resin", "--model", "bsa", "--perfused-ml", "1500",
                   "--bsa-m2", "1.8097", "--liver-ml", "1500", "--liver-tumour-ml", "300",
                   "--lsf", "0.12", "--administration", "2026-03-02T10:00-05:00",
                   "--dispense", "2026-03-02T08:00-05:00",
                   "--calibration", "2026-03-02T18:00-05:00", "--shelf-life-h", "24",
                   "--before-calibration-h", "24")
    v = rec["vial"]
    assert v["activity_at_administration_gbq"] == pytest.approx(1.448, abs=5e-4)
    draw = v["activity_at_administration_gbq"] * 2 ** (2 / 64.1)
    assert v["activity_to_draw_gbq"] == pytest.approx(draw)
    assert v["volume_to_draw_ml"] == pytest.approx(5 * draw / (3 * 2 ** (10 / 64.1)))


def test_delivered_from_assays(tmp_path):
    rec = run_json("y90", "--device", "resin", "--model", "partition", "--perfused-ml", "1500",
                   "--tumour-ml", "200", "--tnr", "3", "--lsf", "0.10", "--dose-gy", "150")
    f = tmp_path / "plan.json"
    f.write_text(json.dumps(rec))
    out = run_json("delivered", str(f), "--pre-gbq", "2.3", "--pre-time",
                   "2026-03-02T08:00-05:00", "--residual-gbq", "0.07", "--residual-time",
                   "2026-03-02T11:00-05:00", "--administration", "2026-03-02T10:00-05:00")
    # hand: 2.3 decayed 2 h minus 0.07 corrected back 1 h (T1/2 64.1 h)
    delivered = 2.3 * 2 ** (-2 / 64.1) - 0.07 * 2 ** (1 / 64.1)
    rep = out["report"]
    assert rep["delivered_activity_gbq"] == pytest.approx(delivered)
    assert rep["delivered"]["tumour_dose_gy"] == pytest.approx(150 * delivered / 2.18889,
                                                               rel=1e-5)
    assert not rep["medical_event"]
    # a tampered record (result no longer recomputes) is refused
    rec["plan"]["result"]["activity_gbq"] = 9.9
    f.write_text(json.dumps(rec))
    bad = runner.invoke(app, ["plan", "delivered", str(f), "--pre-gbq", "2.3", "--pre-time",
                              "2026-03-02T08:00-05:00", "--residual-gbq", "0.07",
                              "--residual-time", "2026-03-02T11:00-05:00",
                              "--administration", "2026-03-02T10:00-05:00"])
    assert bad.exit_code == 2 and "recompute" in bad.output


def test_haic_rounding_options():
    # 135 x 1.818 = 245.43 mg -> 245 mg at 5 mg steps; 2400 x 1.818 = 4363.2 -> 4350 mg
    rec = run_json("haic", "--bsa-m2", "1.818", "--round-mg", "oxaliplatin=5",
                   "--round-mg", "5-FU infusion=50")
    orders = {o["label"]: o for o in rec["doses"]["orders"]}
    assert orders["oxaliplatin"]["rounded_mg"] == 245.0
    assert orders["5-FU infusion"]["rounded_mg"] == 4350.0
    assert orders["leucovorin"]["rounded_mg"] == pytest.approx(727.2)
    bad = runner.invoke(app, ["plan", "haic", "--bsa-m2", "1.818", "--round-mg", "cisplatin=5"])
    assert bad.exit_code == 2
