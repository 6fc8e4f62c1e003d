"""Structural facts of the report figures (what is drawn equals what was given)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccrt.reports import figures as F
from hccrt.reports.style import to_png, to_svg
from hccrt.stats import kaplan_meier


@pytest.fixture(scope="module")
def surv() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 120
    t = np.round(rng.exponential(14, n), 1)
    c = np.round(rng.uniform(3, 40, n), 1)
    return pd.DataFrame({"time": np.minimum(t, c), "event": (t <= c).astype(int),
                         "arm": rng.choice(["A", "B"], n)})


def _texts(ax, gid: str | None = None) -> list:
    return [t for t in ax.texts if gid is None or t.get_gid() == gid]


def test_km_numbers_at_risk_equal_hand_count_and_align_with_ticks(surv: pd.DataFrame) -> None:
    km = kaplan_meier("time", "event", group="arm", data=surv)
    ticks = F.km_ticks(float(surv["time"].max()))
    fig = F.km_plot(km.table, km.at(ticks, extend=True), xlabel="Months",
                    ylabel="Overall survival")
    main, risk = fig.axes
    assert main.get_xlabel() == "Months" and main.get_ylabel() == "Overall survival"
    assert risk.get_gid() == "at-risk"
    np.testing.assert_allclose(main.get_xticks(), ticks)
    # the at-risk row of each group: counted by hand as the number with time >= tick
    labels = [t for t in risk.texts if t.get_gid() != "n-risk" and t.get_text() in ("A", "B")]
    row_of = {t.get_text(): t.get_position()[1] for t in labels}
    for g in ("A", "B"):
        cells = [t for t in _texts(risk, "n-risk") if t.get_position()[1] == row_of[g]]
        xs = [t.get_position()[0] for t in cells]
        np.testing.assert_allclose(xs, ticks)  # aligned under the ticks (shared x)
        times = surv.loc[surv["arm"] == g, "time"].to_numpy()
        expected = [int((times >= tk).sum()) for tk in ticks]
        assert [int(t.get_text()) for t in cells] == expected


def test_km_at_risk_agrees_with_lifelines(surv: pd.DataFrame) -> None:
    lifelines = pytest.importorskip("lifelines")
    km = kaplan_meier("time", "event", data=surv)
    ticks = F.km_ticks(float(surv["time"].max()))
    fig = F.km_plot(km.table, km.at(ticks, extend=True))
    shown = [int(t.get_text()) for t in _texts(fig.axes[1], "n-risk")]
    kmf = lifelines.KaplanMeierFitter().fit(surv["time"], surv["event"])
    et = kmf.event_table
    expected = [int(et.loc[et.index >= tk, "removed"].sum()) for tk in ticks]
    assert shown == expected


def test_km_censor_marks_drawn_at_censored_times(surv: pd.DataFrame) -> None:
    km = kaplan_meier("time", "event", data=surv)
    tab = km.table
    fig = F.km_plot(tab, km.at([0, 10, 20], extend=True))
    marks = [ln for ln in fig.axes[0].lines if ln.get_marker() == "|"]
    assert len(marks) == 1
    np.testing.assert_allclose(marks[0].get_xdata(), tab.loc[tab["n_censor"] > 0, "time"])
    assert to_svg(fig).startswith(b"<?xml")


def test_waterfall_bars_sorted_descending_per_criteria() -> None:
    rng = np.random.default_rng(1)
    best = pd.DataFrame({"criteria": ["mRECIST"] * 25 + ["RECIST 1.1"] * 20,
                         "subject": [f"S{i}" for i in range(25)] + [f"S{i}" for i in range(20)],
                         "pchg": rng.uniform(-100, 50, 45),
                         "response": rng.choice(["CR", "PR", "SD", "PD"], 45)})
    fig = F.waterfall_plot(best, reference_lines={"mRECIST": (20, 30)})
    assert len(fig.axes) == 2
    for ax, crit in zip(fig.axes, ["mRECIST", "RECIST 1.1"], strict=True):
        bars = next(c for c in ax.containers if c.get_label() != "" or True)
        heights = [p.get_height() for p in bars.patches]
        assert heights == sorted(heights, reverse=True)
        assert sorted(heights) == sorted(best.loc[best["criteria"] == crit, "pchg"])
        assert ax.get_ylabel()
    ref = sorted(ln.get_ydata()[0] for ln in fig.axes[0].lines if ln.get_linestyle() == "--")
    assert ref == [-30, 20]


def test_consort_boxes_show_input_counts() -> None:
    c = F.ConsortCounts(250, {"ECOG > 1": 30, "Child-Pugh B": 25},
                        [F.ArmFlow("SBRT", 130, 126, {"Withdrew": 4}, {"Lost": 3}, 127, 130),
                         F.ArmFlow("Systemic", 65, 65, {}, {"Withdrew consent": 2}, 63, 64,
                                   {"No baseline scan": 1})],
                        allocation_label="Randomized", not_eligible=55)
    fig = F.consort_diagram(c)
    txt = {t.get_gid(): t.get_text() for t in fig.axes[0].texts if t.get_gid()}
    assert "(n = 250)" in txt["consort-screened"]
    assert "Excluded (n = 55)" in txt["consort-excluded"]
    assert "ECOG > 1 (n = 30)" in txt["consort-excluded"]
    assert "Randomized to SBRT (n = 130)" in txt["consort-alloc-SBRT"]
    assert "Received allocated intervention (n = 126)" in txt["consort-alloc-SBRT"]
    assert "Followed (n = 63)" in txt["consort-follow-Systemic"]
    assert "Analysed (n = 64)" in txt["consort-analysed-Systemic"]
    assert "No baseline scan (n = 1)" in txt["consort-analysed-Systemic"]


def test_forest_rows_and_not_estimable() -> None:
    est = pd.DataFrame({"label": ["All", "Sex", "Sex"], "level": ["", "Male", "Female"],
                        "n": [100, 60, 40], "hr": [0.7, 0.6, np.nan],
                        "lower": [0.5, 0.4, np.nan], "upper": [0.9, 0.95, np.nan]})
    fig = F.forest_plot(est, favours=("A", "B"))
    ax = fig.axes[0]
    cells = [t.get_text() for t in ax.texts if t.get_gid() == "forest-text"]
    assert cells == ["0.70 (0.50-0.90)", "0.60 (0.40-0.95)", "not estimable"]
    assert ax.get_xscale() == "log" and "Hazard ratio" in ax.get_xlabel()


def test_roc_marks_chosen_threshold() -> None:
    curve = pd.DataFrame({"threshold": [np.inf, 300, 200, -np.inf],
                          "sensitivity": [0, 0.6, 0.9, 1], "specificity": [1, 0.9, 0.5, 0]})
    fig = F.roc_plot(curve, {"threshold": 300, "sensitivity": 0.6, "specificity": 0.9},
                     auc=(0.8, 0.7, 0.9))
    ax = fig.axes[0]
    pt = next(ln for ln in ax.lines if ln.get_gid() == "roc-threshold")
    assert pt.get_xdata()[0] == pytest.approx(0.1) and pt.get_ydata()[0] == 0.6
    assert ax.get_xlabel() == "1 - specificity" and ax.get_ylabel() == "Sensitivity"


def test_qol_spider_swimmer_draw() -> None:
    q = pd.DataFrame({"scale": ["QL2"] * 4 + ["FA"] * 4, "group": ["A", "B"] * 4,
                      "time": [0, 0, 3, 3] * 2, "mean": [60, 62, 65, 58, 30, 31, 25, 35.0]})
    q["lower"], q["upper"] = q["mean"] - 5, q["mean"] + 5
    fig = F.qol_plot(q)
    assert [a.get_title(loc="left") for a in fig.axes if a.get_visible()] == ["QL2", "FA"]
    ch = pd.DataFrame({"subject": [1, 1, 2], "time": [2, 4, 2], "pchg": [-10, -40, 25]})
    assert len(F.spider_plot(ch, reference_lines=(20, 30)).axes[0].lines) >= 2
    lanes = pd.DataFrame({"subject": ["a", "b"], "end": [5.0, 9.0], "ongoing": [True, False]})
    ev = pd.DataFrame({"subject": ["a", "b"], "time": [1.0, 3.0], "event": ["PR", "Death"]})
    fig = F.swimmer_plot(lanes, ev)
    bars = fig.axes[0].containers[0]
    assert [p.get_width() for p in bars.patches] == [5.0, 9.0]  # sorted by time on study
    assert to_png(fig)[:4] == b"\x89PNG"


def test_distribution_counts_and_limits() -> None:
    vals = pd.DataFrame({"value": [1.0, 2.0, 2.5, 9.0, 30.0]})
    fig = F.distribution_plot(vals, xlabel="Lung absorbed dose (Gy)", limits=[30.0], bins=5)
    ax = fig.axes[0]
    assert sum(p.get_height() for p in ax.patches) == 5
    assert [ln.get_xdata()[0] for ln in ax.lines] == [30.0]
    assert ax.get_xlabel() == "Lung absorbed dose (Gy)"
