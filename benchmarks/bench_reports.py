"""Benchmark hccrt.reports: the full analysis report (HTML + PDF) of a 300-participant two-arm
synthetic trial, target under 60 s (issue 11).

The cohort is simulated first (not timed); the timed run is exactly what ``hccrt report`` does:
derivation and analysis of every endpoint (hccrt.endpoints.analyze), figures, tables, HTML
(PNG figures) and PDF (WeasyPrint, SVG figures). Stage times come from the progress callback.
Wall and CPU time are both recorded, since the 2-core machine is shared.

    .venv/bin/python benchmarks/bench_reports.py [PROTOCOL] [N]   # default sbrt-bclcc 300

Writes benchmarks/results/reports.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import hccrt
from hccrt.reports import build_report
from hccrt.simulate import simulate

HERE = Path(__file__).resolve().parent


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _pages(pdf: Path) -> str:
    """Page count by poppler's pdfinfo when installed (WeasyPrint compresses the page tree)."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        m = re.search(r"^Pages:\s+(\d+)", out, re.M)
        if m:
            return m.group(1)
    return "?"


def main() -> None:
    code = sys.argv[1] if len(sys.argv) > 1 else "sbrt-bclcc"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    load0 = os.getloadavg()
    trial = simulate(code, n=n, seed=11)
    stages: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        last = [t0, "start"]

        def progress(stage: str, _frac: float) -> None:
            now = time.perf_counter()
            kind = stage.split(" ")[0] if stage.startswith("analysing") else stage
            if kind != last[1]:
                stages.append((str(last[1]), now - float(last[0])))
                last[0], last[1] = now, kind

        paths = build_report(code, trial, tmp, ["html", "pdf"], progress)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        pdf_kb = paths["pdf"].stat().st_size / 1024
        html_kb = paths["html"].stat().st_size / 1024
        pages = _pages(paths["pdf"])
    merged: dict[str, float] = {}
    for name, sec in stages:
        merged[name] = merged.get(name, 0.0) + sec
    load1 = os.getloadavg()
    lines = [
        "# hccrt.reports benchmark",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores (shared with other work), "
        f"Python {platform.python_version()}, hccrt {hccrt.__version__}",
        f"- load average at start / end (1/5/15 min): {', '.join(f'{x:.1f}' for x in load0)}"
        f" / {', '.join(f'{x:.1f}' for x in load1)}",
        f"- command: `.venv/bin/python benchmarks/bench_reports.py {code} {n}`",
        "",
        f"## Full analysis report, {code}, {n} participants enrolled (two arms)",
        "",
        f"- records: {sum(len(v) for v in trial.records.values()):,} rows in "
        f"{len(trial.records)} domains",
        f"- HTML + PDF built in **{wall:.1f} s wall**, {cpu:.1f} s CPU (target: under 60 s)",
        f"- PDF: {pages} pages, {pdf_kb:,.0f} kB (figures as SVG, vector); "
        f"HTML: {html_kb:,.0f} kB (figures as PNG)",
        "",
        "| stage | wall s |",
        "|---|---:|",
        *[f"| {k} | {v:.1f} |" for k, v in merged.items() if k != "start" or v > 0.05],
        "",
        "Stages are timed between progress-callback calls: 'deriving and analysing endpoints' "
        "and 'analysing ...' are hccrt.endpoints.analyze (the same run as `hccrt analyze`); "
        "'assembling' builds the figures and tables; 'rendering figures' saves PNG and SVG; "
        "'laying out PDF' is WeasyPrint.",
    ]
    out = HERE / "results" / "reports.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
