"""Y-90 prescribed vs delivered pairing, checked on hand-made records and on a cohort."""

from __future__ import annotations

import pandas as pd
import pytest

from hccrt.reports import analysis_report, gather
from hccrt.reports.dosimetry import as_planned_count, paired_sessions
from hccrt.simulate import simulate


def _xp(subject: str, grp: str, activity: float, tumour: float, lung: float) -> list[dict]:
    return [{"USUBJID": subject, "XPGRPID": grp, "XPTESTCD": code, "XPSTRESN": value}
            for code, value in (("ACTIVITY", activity), ("TUMDOSE", tumour),
                                ("LUNGDOSE", lung))]  # fmt: skip


def test_pairing_by_session_and_dose_scaling_worked_by_hand() -> None:
    xp = pd.DataFrame(_xp("P1", "PLAN1", 4.0, 200.0, 10.0) + _xp("P1", "PLAN2", 2.0, 150.0, 4.0)
                      + _xp("P2", "PLAN1", 5.0, 300.0, 20.0))
    xa = pd.DataFrame([
        {"USUBJID": "P1", "XAGRPID": "PLAN1", "XATESTCD": "DELACT", "XASTRESN": 3.6},
        {"USUBJID": "P2", "XAGRPID": "PLAN1", "XATESTCD": "DELACT", "XASTRESN": 5.0},
    ])
    out = paired_sessions(xp, xa).set_index(["USUBJID", "GRPID"])
    assert list(out.index) == [("P1", "PLAN1"), ("P2", "PLAN1")]  # PLAN2 never administered
    # 3.6 of 4.0 GBq = 90 %: tumour 200 Gy -> 180 Gy, lung 10 Gy -> 9 Gy (doses scale with A)
    p1 = out.loc[("P1", "PLAN1")]
    assert p1["delivered_percent"] == pytest.approx(90.0)
    assert p1["delivered_tumour_dose_gy"] == pytest.approx(180.0)
    assert p1["delivered_lung_dose_gy"] == pytest.approx(9.0)
    assert out.loc[("P2", "PLAN1"), "delivered_tumour_dose_gy"] == pytest.approx(300.0)
    assert as_planned_count(out) == (2, 2)  # 90 % is inside the 90-110 % band


def test_report_has_the_paired_table_matching_the_records() -> None:
    sim = simulate("tare-ut7", n=10, seed=2)
    inp = gather("tare-ut7", sim)
    rep = analysis_report(inp)
    tables = [b.table for s in rep.sections for b in s.blocks
              if getattr(b, "kind", "") == "table" and b.table.key == "y90-prescribed-vs-delivered"]
    assert len(tables) == 1
    paired = paired_sessions(inp.records["XP"], inp.records["XA"])
    within, total = as_planned_count(paired)
    assert f"{within} of {total} sessions" in tables[0].footnote
    # the delivered-activity median in the table equals the records' median
    frame = tables[0].frame
    row = frame.index[frame.iloc[:, 0] == "Delivered activity (GBq)"][0]
    median_cell = frame.iloc[row + 3, 1]  # label, n, mean (SD), median (IQR)
    assert median_cell.startswith(f"{paired['delivered_activity_gbq'].median():.1f} (")


def test_forest_overall_row_equals_the_result_tables_hazard_ratio() -> None:
    """The forest plot's overall HR is the analysis run's HR for the same endpoint (the
    analysis run computed independently, as ``hccrt analyze`` does)."""
    from hccrt.endpoints import analyze
    from hccrt.reports.forest import forest_rows

    sim = simulate("sbrt-bclcc", n=40, seed=11)
    inp = gather("sbrt-bclcc", sim)
    run = analyze(sim.records, "sbrt-bclcc")
    checked = 0
    for ep_id, er in run.endpoints.items():
        rows = forest_rows(inp, ep_id)
        res = er.results
        if rows is None or res is None or "STATISTIC" not in res.columns:
            continue
        hr = res.loc[res["STATISTIC"] == "hazard ratio"]
        if hr.empty or pd.isna(rows.iloc[0]["hr"]):
            continue
        adtte = inp.datasets["ADTTE"]
        first = adtte.loc[adtte["ENDPOINT"] == ep_id, "PARAMCD"].iloc[0]
        if "PARAMCD" in hr.columns:
            hr = hr.loc[hr["PARAMCD"] == first]
        assert rows.iloc[0]["hr"] == pytest.approx(float(hr["ESTIMATE"].iloc[0]), rel=1e-9)
        assert rows.iloc[0]["lower"] == pytest.approx(float(hr["LOWER"].iloc[0]), rel=1e-9)
        checked += 1
    assert checked >= 2, checked  # OS and PFS at least
