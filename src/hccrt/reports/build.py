"""Assemble the analysis report and the safety report of a protocol and write HTML / PDF.

:func:`build_report` is the one entry point the CLI and the web app call (the web runs it in a
background worker and passes ``progress_callback`` for its progress bar). Everything shown is
computed by the core (derivations in :mod:`hccrt.endpoints`, statistics in :mod:`hccrt.stats`,
criteria thresholds in :mod:`hccrt.response`); this module chooses, orders and lays out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import hccrt
from hccrt.errors import InputError
from hccrt.protocols import Protocol
from hccrt.reports.document import Report, Section, TextBlock
from hccrt.reports.dosimetry_section import dosimetry_section
from hccrt.reports.endpoint_sections import MIN_N_SHOWN, endpoint_sections
from hccrt.reports.inputs import ReportInputs, gather
from hccrt.reports.populations import group_column
from hccrt.reports.response_section import response_section
from hccrt.reports.safety_sections import (
    deaths_section,
    deviations_section,
    exposure_section,
    safety_sections,
)
from hccrt.reports.trial_sections import (
    baseline_section,
    consort_counts,
    enrolment_section,
    flow_section,
    overview_section,
)

__all__ = ["FORMATS", "MIN_N_SHOWN", "analysis_report", "build_report", "consort_counts",
           "safety_report"]

FORMATS = ("html", "pdf")


def analysis_report(inp: ReportInputs) -> Report:
    """The analysis report of a protocol (see issue 11)."""
    p = inp.protocol
    r = Report("Analysis report", p.code, p.identity.title, inp.data_cutoff,
               hccrt.__version__, inp.checksum)
    r.sections.append(overview_section(inp, "analysis"))
    r.sections.append(flow_section(inp))
    r.sections.append(baseline_section(inp))
    r.sections.append(Section("Outcome measures", "outcome-measures",
                              [TextBlock("Every outcome measure of the protocol's catalogue, in "
                                         "its order, with its estimate, CI and method.")]))
    r.sections.extend(endpoint_sections(inp))
    resp = response_section(inp)
    if resp is not None:
        r.sections.append(resp)
    r.sections.extend(safety_sections(inp))
    dos = dosimetry_section(inp)
    if dos is not None:
        r.sections.append(dos)
    return r


def safety_report(inp: ReportInputs, *, closed: bool = True) -> Report:
    """DSMB safety report: closed (by arm, unblinded) or open (pooled, blinded)."""
    p = inp.protocol
    aud = ("Closed report, by arm: DSMB members only" if closed
           else "Open report, arms pooled: for blinded audiences")
    r = Report("Safety report", p.code, p.identity.title, inp.data_cutoff,
               hccrt.__version__, inp.checksum, kind="safety", audience=aud)
    r.sections.append(overview_section(inp, "safety"))
    if closed:
        r.sections.append(flow_section(inp))
    else:
        r.sections.append(enrolment_section(inp))
    group = group_column(p) if closed else None
    r.sections.append(exposure_section(inp, group))
    r.sections.extend(safety_sections(inp, pooled=not closed))
    r.sections.append(deaths_section(inp, group))
    r.sections.append(deviations_section(inp, group))
    return r


def build_report(
    protocol_code: str | Protocol,
    data: Any,
    out_dir: str | Path,
    formats: Sequence[str] = FORMATS,
    progress_callback: Callable[[str, float], None] | None = None,
    *,
    kind: str = "analysis",
) -> dict[str, Path]:
    """Build a report and write it to ``out_dir``; returns {format: path}.

    Args:
        protocol_code: built-in protocol code or a loaded protocol.
        data: a folder of SDTM-shaped CSV/XPT files, a RecordSet, a simulated trial, or
            :class:`ReportInputs` already gathered (to build several reports from one run).
        out_dir: output folder (created).
        formats: any of ``"html"``, ``"pdf"``.
        progress_callback: called as ``(stage, fraction_done)`` (0-1), for progress bars.
        kind: ``"analysis"``, ``"safety-closed"`` or ``"safety-open"``.
    """
    fmts = [f.strip().lower() for f in formats]
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise InputError("formats", list(formats), "html and/or pdf")
    if kind not in ("analysis", "safety-closed", "safety-open"):
        raise InputError("kind", kind, "analysis | safety-closed | safety-open")
    t0 = time.perf_counter()

    def say(stage: str, frac: float) -> None:
        if progress_callback is not None:
            progress_callback(stage, frac)

    inp = (data if isinstance(data, ReportInputs)
           else gather(protocol_code, data, progress=lambda st: say(st, 0.1)))
    say("assembling", 0.4)
    report = (analysis_report(inp) if kind == "analysis"
              else safety_report(inp, closed=kind == "safety-closed"))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{inp.protocol.code}-{kind}-report"
    paths: dict[str, Path] = {}
    from hccrt.reports.document import render_html, write_pdf

    n = max(len(report.figures), 1)
    done = [0]

    def fig_progress(stage: str) -> None:
        if stage == "layout":
            say("laying out PDF", 0.85)
            return
        done[0] += 1
        say("rendering figures", 0.4 + 0.4 * min(done[0] / (n * len(fmts)), 1.0))

    if "html" in fmts:
        p = out / f"{stem}.html"
        p.write_text(render_html(report, "html", fig_progress), encoding="utf-8")
        paths["html"] = p
    if "pdf" in fmts:
        paths["pdf"] = write_pdf(report, out / f"{stem}.pdf", fig_progress)
    say(f"done in {time.perf_counter() - t0:.1f} s", 1.0)
    return paths
