"""Benchmark: a full ``hccrt analyze`` (every dataset and every catalogue endpoint) of a
300-participant synthetic trial, for each of the five protocols. Target: under 10 s each.

Run: ``.venv/bin/python benchmarks/bench_endpoints.py [n] [repeats]``; writes
``benchmarks/results/endpoints.md``. Timed: :func:`hccrt.endpoints.analyze` on the record set
in memory (median of ``repeats`` runs, wall and process CPU time, since the machine is
shared), and the same plus reading the CSV folder and writing every table as CSV and Parquet
(what the CLI does), once. The simulation itself is not timed. Per-step timings come from the
run's own ``timings``. No reference tool runs in this process (admiral is R), so no ratio.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from hccrt.cli.analyze import write_run
from hccrt.endpoints import analyze
from hccrt.records import read_csv_dir, write_csv_dir
from hccrt.simulate import simulate

CODES = ["tare-ut7", "rescue", "sirt-haic", "io-rt-mvi", "sbrt-bclcc"]
TARGET_S = 10.0


def bench(code: str, n: int, repeats: int) -> dict:
    trial = simulate(code, n=n, seed=20261122)
    walls, cpus, run = [], [], None
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        run = analyze(trial.records, code)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    with tempfile.TemporaryDirectory() as tmp:
        write_csv_dir(trial.records, Path(tmp) / "data")
        w0, c0 = time.perf_counter(), time.process_time()
        recs = read_csv_dir(Path(tmp) / "data")
        read_wall, read_cpu = time.perf_counter() - w0, time.process_time() - c0
        full = analyze(recs, code)
        files = write_run(full, Path(tmp) / "out")
        cli_wall, cli_cpu = time.perf_counter() - w0, time.process_time() - c0
    assert run is not None
    steps = sorted(run.timings.items(), key=lambda kv: -kv[1])[:4]
    return {
        "code": code, "screened": len(trial.records["DM"]), "enrolled": len(trial.truth),
        "endpoints": len(run.endpoints), "params": run.datasets["ADTTE"]["PARAMCD"].nunique(),
        "wall": statistics.median(walls), "cpu": statistics.median(cpus),
        "cli_wall": cli_wall, "cli_cpu": cli_cpu, "files": len(files),
        "read_wall": read_wall, "read_cpu": read_cpu,
        "steps": ", ".join(f"{k} {v:.2f}" for k, v in steps),
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rows = []
    for code in CODES:
        r = bench(code, n, repeats)
        rows.append(r)
        print(f"{code}: analyze {r['wall']:.2f} s wall / {r['cpu']:.2f} s CPU; with CSV read and "
              f"CSV+Parquet write {r['cli_wall']:.2f} s wall", flush=True)
    load = os.getloadavg()
    lines = [
        "# Endpoints benchmark: full `hccrt analyze` of a synthetic trial",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(the machine is shared: CPU time is the steadier figure).",
        "",
        f"n = {n} enrolled participants per protocol (screen failures on top), seed 20261122. "
        f"`analyze` = every ADaM dataset and every catalogue endpoint's analysis on the record "
        f"set in memory, median of {repeats} runs. `+ I/O` = reading the CSV folder, "
        "analysing, and writing every dataset and result table as CSV and Parquet (the CLI's "
        f"work), one run. Target: under {TARGET_S:.0f} s.",
        "",
        "| protocol | screened | endpoints | ADTTE params | analyze wall s | analyze CPU s | "
        "+ I/O wall s | + I/O CPU s | of which CSV read (validated) CPU s | files | "
        "slowest steps (s) | CPU with I/O < 10 s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ok = "yes" if r["cli_cpu"] < TARGET_S else "no"
        lines.append(f"| {r['code']} | {r['screened']} | {r['endpoints']} | {r['params']} | "
                     f"{r['wall']:.2f} | {r['cpu']:.2f} | {r['cli_wall']:.2f} | "
                     f"{r['cli_cpu']:.2f} | {r['read_cpu']:.2f} | {r['files']} | {r['steps']} | "
                     f"{ok} |")
    lines += ["", "The CSV read (hccrt.records.read_csv_dir with validation) is not endpoint code; "
              "`analyze` alone is the derivation and analysis cost.", ""]
    out = Path(__file__).parent / "results" / "endpoints.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
