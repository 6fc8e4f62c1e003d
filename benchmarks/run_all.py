"""Run every benchmark (benchmarks/bench_*.py) and assemble benchmarks/RESULTS.md.

Each benchmark writes its own section to benchmarks/results/<area>.md; this script runs them
one after another (never in parallel, so they do not disturb each other's timings) and joins
the sections under a header naming the machine and the date.

    python benchmarks/run_all.py            # all benchmarks
    python benchmarks/run_all.py ctcae      # only bench_ctcae.py (other sections are kept)
    python benchmarks/run_all.py --assemble # only rebuild RESULTS.md from the sections
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(selected: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if "--assemble" in selected:
        scripts = []
    elif selected:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in selected]
    failed = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0:
            failed.append(script.name)
    sections = sorted(RESULTS.glob("*.md"))
    header = [
        "# Benchmark results",
        "",
        "Produced by `make bench` (benchmarks/run_all.py); each section below is written by its",
        "benchmarks/bench_<area>.py and states its own machine, date and reference tool.",
        f"Last assembled {dt.date.today().isoformat()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}.",
        "",
    ]
    body = [s.read_text().rstrip() + "\n" for s in sections]
    (HERE / "RESULTS.md").write_text("\n".join(header) + "\n" + "\n".join(body))
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
