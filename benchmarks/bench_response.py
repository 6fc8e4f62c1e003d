"""Benchmark: 1,000,000 lesion-assessment rows (20,000 subjects x 10 visits x 5 lesions)
through timepoint response and best response for each of the four criteria sets.

Run: ``.venv/bin/python benchmarks/bench_response.py [n_subjects]``; writes
``benchmarks/results/response.md``. No reference tool runs in this process (admiralonco is R
and not installed), so no ratio is given. Peak memory is the process's maximum RSS.
"""

from __future__ import annotations

import datetime as dt
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from hccrt.response.best import derive_best_response
from hccrt.response.criteria import CRITERIA_NAMES
from hccrt.response.timepoint import derive_timepoint_response, prepare_lesions

N_VISITS = 10
N_LESIONS = 5


def synthetic(n_subjects: int, seed: int = 20240101) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lesion table: 4 targets + 1 non-target per subject, random shrinkage/growth."""
    rng = np.random.default_rng(seed)
    n = n_subjects * N_VISITS * N_LESIONS
    subj = np.repeat(np.arange(n_subjects), N_VISITS * N_LESIONS)
    visit = np.tile(np.repeat(np.arange(N_VISITS), N_LESIONS), n_subjects)
    lesion = np.tile(np.arange(N_LESIONS), n_subjects * N_VISITS)
    base = rng.uniform(12, 60, size=(n_subjects, N_LESIONS))
    trend = rng.normal(-0.05, 0.08, size=n_subjects)
    factor = np.clip(1 + trend[subj] * visit + rng.normal(0, 0.05, n), 0, None)
    ld = np.round(base[subj, lesion] * factor, 1)
    ld[rng.random(n) < 0.01] = np.nan  # ~1 % missing measurements -> NE
    viable = np.round(ld * rng.uniform(0.3, 1.0, n), 1)
    role = np.where(lesion == N_LESIONS - 1, "NON-TARGET", "TARGET")
    status = np.where(role == "NON-TARGET",
                      rng.choice(["PRESENT", "ABSENT", "UNEQUIVOCAL"], n, p=[.8, .15, .05]),
                      None)
    ref = np.datetime64("2024-01-01")
    date = ref + (visit * 42).astype("timedelta64[D]")
    ids = np.char.add("S", np.arange(n_subjects).astype(str))
    lesions = pd.DataFrame({
        "subject": ids[subj], "evaluator": "INVESTIGATOR",
        "visit": np.char.add("V", visit.astype(str)), "visitnum": visit.astype(float),
        "date": date, "lesion_id": np.char.add("L", lesion.astype(str)), "role": role,
        "site": "LIVER", "longest_diameter": np.where(role == "TARGET", ld, np.nan),
        "viable_diameter": np.where(role == "TARGET", viable, np.nan),
        "typical_hcc": True, "in_treated_area": lesion != 0, "status": status,
    })
    subjects = pd.DataFrame({"subject": ids, "randomization_date": ref})
    return lesions, subjects


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return f"{platform.machine()}, {nproc} cores, {cpu}"


def main(n_subjects: int = 20_000) -> str:
    t0 = time.perf_counter()
    lesions, subjects = synthetic(n_subjects)
    t_gen = time.perf_counter() - t0
    w0, c0 = time.perf_counter(), time.process_time()
    prepared = prepare_lesions(lesions)
    w_prep, c_prep = time.perf_counter() - w0, time.process_time() - c0
    rows = []
    wall_total, cpu_total = w_prep, c_prep
    for crit in CRITERIA_NAMES:
        w1, c1 = time.perf_counter(), time.process_time()
        tp = derive_timepoint_response(prepared, crit)
        w2, c2 = time.perf_counter(), time.process_time()
        best = derive_best_response(tp, subjects)
        w3, c3 = time.perf_counter(), time.process_time()
        wall_total += w3 - w1
        cpu_total += c3 - c1
        rows.append((crit, len(tp), w2 - w1, c2 - c1, w3 - w2, c3 - c2,
                     (best["BOR"].isin(["CR", "PR"])).mean() * 100))
    w4, c4 = time.perf_counter(), time.process_time()
    derive_best_response(derive_timepoint_response(lesions, "recist11"), subjects)
    w_one, c_one = time.perf_counter() - w4, time.process_time() - c4
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    lines = [
        "## Tumour response engine (`hccrt.response`)",
        "",
        f"- machine: {machine()}; load average during the run: {' '.join(load)} "
        "(the 2 cores are shared with other work, so wall time exceeds CPU time)",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}; Python "
        f"{sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}",
        f"- input: {len(lesions):,} lesion-assessment rows ({n_subjects:,} subjects x "
        f"{N_VISITS} visits x {N_LESIONS} lesions: 4 targets + 1 non-target), generated in "
        f"{t_gen:.1f} s",
        f"- validation of the table, once for all criteria (`prepare_lesions`): "
        f"{w_prep:.2f} s wall, {c_prep:.2f} s CPU",
        "",
        "| criteria | timepoints | timepoint response wall / CPU (s) "
        "| best response wall / CPU (s) | ORR % |",
        "|---|---:|---:|---:|---:|",
    ]
    for crit, n_tp, wa, ca, wb, cb, orr in rows:
        lines.append(f"| {crit} | {n_tp:,} | {wa:.2f} / {ca:.2f} | {wb:.2f} / {cb:.2f} "
                     f"| {orr:.1f} |")
    lines += [
        "",
        f"- all four criteria, validation + timepoint + best response: **{wall_total:.1f} s "
        f"wall, {cpu_total:.1f} s CPU** (target < 10 s); peak RSS **{peak_mb:,.0f} MB** "
        "(target < 2 GB).",
        f"- one criteria set from the raw table (validation included): {w_one:.1f} s wall, "
        f"{c_one:.1f} s CPU.",
        "- reference tool: none in this process (admiralonco is R and not installed here), so "
        "no ratio.",
        "",
    ]
    text = "\n".join(lines)
    out = Path(__file__).parent / "results" / "response.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return text


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
