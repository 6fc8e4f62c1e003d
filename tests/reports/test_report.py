"""Acceptance: a report per protocol from its synthetic cohort, every catalogue endpoint a
section, rendered to HTML (and PDF for one protocol), with numbered, traceable items."""

from __future__ import annotations

import re
import shutil
import subprocess

import pandas as pd
import pytest

from hccrt.protocols import BUILTIN_CODES, load_builtin
from hccrt.reports import analysis_report, build_report, gather, safety_report
from hccrt.reports.document import render_html
from hccrt.simulate import simulate


@pytest.fixture(scope="module")
def two_arm():
    """A small two-arm randomized trial, gathered once for several tests."""
    sim = simulate("sbrt-bclcc", n=16, seed=4)
    return sim, gather("sbrt-bclcc", sim)


@pytest.fixture(scope="module", params=BUILTIN_CODES)
def inputs(request: pytest.FixtureRequest):
    return gather(request.param, simulate(request.param, n=12, seed=5))


def test_every_catalogue_endpoint_is_a_section_in_order(inputs) -> None:
    rep = analysis_report(inputs)
    ids = [s.endpoint_id for s in rep.sections if s.endpoint_id]
    assert ids == [e.id for e in load_builtin(inputs.protocol.code).endpoints]
    kinds = {s.anchor for s in rep.sections}
    assert {"flow", "baseline", "adverse-events"} <= kinds


def test_html_report_renders_with_numbered_traceable_items(two_arm, tmp_path) -> None:
    _, inp = two_arm
    paths = build_report("sbrt-bclcc", inp, tmp_path, ["html"])
    html = paths["html"].read_text()
    for e in inp.protocol.endpoints:
        assert f'data-endpoint="{e.id}"' in html
    nums = [int(n) for n in re.findall(r'<figure id="figure-(\d+)"', html)]
    assert nums and nums == sorted(set(nums)) and nums[0] == 1
    assert "Table 1. Baseline characteristics" in html
    assert html.count(f"input SHA-256 {inp.checksum[:16]}") >= len(nums)
    assert f"Data cut-off {inp.data_cutoff}" in html
    assert "data:image/png;base64," in html


def test_safety_reports_closed_by_arm_open_pooled(two_arm) -> None:
    _, inp = two_arm
    closed = render_html(safety_report(inp, closed=True))
    opened = render_html(safety_report(inp, closed=False))
    arm_names = [a.name for a in inp.protocol.arms]
    assert all(n in closed for n in arm_names)
    assert not any(n + " (N = " in opened for n in arm_names)
    assert "Total (N = " in opened and "Protocol deviations" in opened


def test_pdf_is_vector_and_pages_render(two_arm, tmp_path) -> None:
    pytest.importorskip("weasyprint")
    _, inp = two_arm
    seen: list[float] = []
    paths = build_report("sbrt-bclcc", inp, tmp_path, ["pdf"], kind="safety-closed",
                         progress_callback=lambda _s, f: seen.append(f))
    pdf = paths["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF") and seen[-1] == 1.0 and seen == sorted(seen)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "20", "-png", "-f", "1", "-l", "2", str(paths["pdf"]),
                        str(tmp_path / "pg")], check=True)
        assert len(list(tmp_path.glob("pg*.png"))) == 2
    if shutil.which("pdfimages"):  # figures are SVG drawn as vector paths: no raster image
        listing = subprocess.run(["pdfimages", "-list", str(paths["pdf"])], check=True,
                                 capture_output=True, text=True).stdout.splitlines()
        assert len(listing) == 2, listing  # the two header lines only


def test_bad_format_is_refused(tmp_path) -> None:
    from hccrt.errors import InputError

    with pytest.raises(InputError, match="formats"):
        build_report("rescue", tmp_path, tmp_path, ["docx"])


def test_report_numbers_equal_hccrt_analyze(two_arm) -> None:
    """Every estimate of the report is the analysis run's number, formatted (analysis run
    independently here, as ``hccrt analyze`` does)."""
    from hccrt.endpoints import analyze
    from hccrt.reports.build import MIN_N_SHOWN

    sim, inp = two_arm
    rep = analysis_report(inp)
    run = analyze(sim.records, "sbrt-bclcc")
    shown = {}
    for s in rep.sections:
        for b in s.blocks:
            if getattr(b, "kind", "") == "table" and b.table.key.startswith("estimates-"):
                shown[b.table.key[len("estimates-"):]] = b.table.frame
    assert set(shown) == set(run.endpoints)
    for ep_id, er in run.endpoints.items():
        rows = er.results
        if er.endpoint.kind.value == "change_from_baseline":  # small visits are left out
            rows = rows.loc[pd.to_numeric(rows["N"], errors="coerce").fillna(0) >= MIN_N_SHOWN]
            wide = shown[ep_id].set_index("Parameter")  # groups side by side
            cells = [wide.loc[r["STATISTIC"], f"{r['GROUP']}: estimate (95% CI)"]
                     for r in rows.to_dict("records")]
        else:
            cells = list(shown[ep_id]["Estimate (95% CI)"])
        assert len(cells) == len(rows)
        for cell, r in zip(cells, rows.to_dict("records"), strict=True):
            if r["ESTIMATE"] is None or pd.isna(r["ESTIMATE"]):
                assert cell.startswith("NE")
                continue
            scale = 100.0 if str(r["UNIT"]).startswith("proportion") else 1.0
            unit = "proportion" if str(r["UNIT"]).startswith("proportion") else str(r["UNIT"])
            digits = {"proportion": 1, "months": 1, "change": 1, "ratio": 2, "chi-square": 2,
                      "AUC": 3, "Gy": 0}.get(unit, 2)
            assert cell.startswith(f"{r['ESTIMATE'] * scale:.{digits}f} ("), (ep_id, cell, r)
            if not pd.isna(r["LOWER"]):
                assert f"({r['LOWER'] * scale:.{digits}f}-" in cell
