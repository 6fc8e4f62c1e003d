"""Benchmark ``hccrt calc table`` (``hccrt.clinical.table.score_table``) on a synthetic table.

Measures wall time and peak memory of scoring N rows (Child-Pugh, ALBI/mALBI, MELD, MELD-Na,
MELD 3.0, Cockcroft-Gault, BSA, BCLC, CNLC, Milan, up-to-seven, Couinaud), and compares with
the reference: the scalar core functions called row by row in the same process (the path a
naive loop would take). The two must agree on every score compared before a timing is written.

    .venv/bin/python benchmarks/bench_calc.py [N]      # default N = 100000

Writes benchmarks/results/calc.md.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from hccrt.clinical import body, liver, staging
from hccrt.clinical.table import score_table
from hccrt.errors import InputError

HERE = Path(__file__).resolve().parent


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def synthetic(n: int, seed: int = 20261122) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    bili = np.round(rng.lognormal(0.2, 0.6, n), 1).clip(0.2, 30)
    si = rng.random(n) < 0.5
    bili_txt = np.where(si, [f"{b * 17.1:.1f} umol/L" for b in bili], [f"{b} mg/dL" for b in bili])
    alb = np.round(rng.normal(3.6, 0.5, n), 1).clip(1.5, 5.5)
    nodules = [
        ";".join(f"{d:.1f}" for d in rng.uniform(0.8, 9.0, k)) for k in rng.integers(1, 6, n)
    ]
    return pd.DataFrame(
        {
            "id": np.arange(n).astype(str),
            "bilirubin": bili_txt,
            "albumin": [f"{a} g/dL" for a in alb],
            "inr": np.round(rng.normal(1.15, 0.2, n), 2).clip(0.8, 4).astype(str),
            "creatinine": np.round(rng.lognormal(0.0, 0.35, n), 2).clip(0.3, 8).astype(str),
            "creatinine_unit": "mg/dL",
            "sodium": [f"{v} mmol/L" for v in rng.integers(122, 145, n)],
            "ascites": rng.choice(["none", "slight", "moderate-severe"], n, p=[0.8, 0.15, 0.05]),
            "encephalopathy": rng.choice(["none", "grade 1-2"], n, p=[0.95, 0.05]),
            "sex": rng.choice(["male", "female"], n, p=[0.8, 0.2]),
            "age": rng.integers(30, 85, n).astype(str),
            "weight_kg": np.round(rng.normal(72, 12, n), 1).clip(40, 150).astype(str),
            "height_cm": np.round(rng.normal(168, 9, n)).clip(140, 200).astype(str),
            "ecog": rng.choice(["0", "1", "2"], n, p=[0.6, 0.35, 0.05]),
            "nodules": nodules,
            "macrovascular_invasion": rng.choice(["false", "true"], n, p=[0.8, 0.2]),
            "segments": rng.choice(["5;6", "2;3", "5;7", "4;5;8", "6;7"], n),
        }
    )


def _bclc_or_none(sizes: list[float], ecog: int, cls: str, mvi: bool) -> str | None:
    """BCLC, or None for Child-Pugh B (the core refuses to stage it without a clinician)."""
    try:
        return staging.bclc(
            sizes, ecog=ecog, child_pugh_class=cls, macrovascular_invasion=mvi
        ).stage
    except InputError:
        return None


def scalar_reference(df: pd.DataFrame) -> pd.DataFrame:
    """Row-by-row calls of the core scalar functions (the reference path)."""
    rows = []
    for r in df.itertuples(index=False):
        cr = f"{r.creatinine} {r.creatinine_unit}"
        cp = liver.child_pugh(r.bilirubin, r.albumin, r.inr, r.ascites, r.encephalopathy)
        sizes = [float(x) for x in r.nodules.split(";")]
        mvi = r.macrovascular_invasion == "true"
        rows.append(
            {
                "child_pugh_points": cp.points,
                "albi_score": round(liver.albi(r.bilirubin, r.albumin).score, 4),
                "meld": liver.meld(r.bilirubin, r.inr, cr),
                "meld_na": liver.meld_na(r.bilirubin, r.inr, cr, r.sodium),
                "meld3": liver.meld3(r.bilirubin, r.inr, cr, r.sodium, r.albumin, sex=r.sex),
                "crcl_cockcroft_gault": round(
                    body.cockcroft_gault(
                        age=float(r.age), weight_kg=float(r.weight_kg), creatinine=cr, sex=r.sex
                    ),
                    2,
                ),
                "bsa_mosteller": round(
                    body.bsa(height_cm=float(r.height_cm), weight_kg=float(r.weight_kg)), 4
                ),
                "bclc": _bclc_or_none(sizes, int(r.ecog), cp.child_pugh_class, mvi),
                "cnlc": staging.cnlc(
                    sizes,
                    ecog=int(r.ecog),
                    child_pugh_class=cp.child_pugh_class,
                    macrovascular_invasion=mvi,
                ).stage,
                "milan": staging.milan(sizes, macrovascular_invasion=mvi),
                "couinaud_contiguous": staging.couinaud_contiguous(r.segments),
            }
        )
    return pd.DataFrame(rows)


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_ref = min(n, 10_000)
    df = synthetic(n)

    t0 = time.perf_counter()
    out = score_table(df)
    t_table = time.perf_counter() - t0
    # memory in a separate run: tracemalloc slows Python code several-fold
    tracemalloc.start()
    score_table(df)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    sub = df.iloc[:n_ref]
    t0 = time.perf_counter()
    ref = scalar_reference(sub)
    t_ref = time.perf_counter() - t0
    t_ref_per_row = t_ref / n_ref

    got = out.iloc[:n_ref].reset_index(drop=True)
    mismatches = {}
    for col in ref.columns:
        a = got[col]
        b = ref[col]
        tolerance = {"albi_score": 1e-4, "crcl_cockcroft_gault": 0.011, "bsa_mosteller": 1e-4}
        if col in tolerance:
            diff = np.abs(a.astype(float) - b.astype(float))
            bad = int((diff > tolerance[col]).sum())  # both rounded: half-even vs half-up
        else:
            norm_a = [None if pd.isna(v) else str(v) for v in a]
            norm_b = [None if pd.isna(v) else str(v) for v in b]
            bad = sum(x != y for x, y in zip(norm_a, norm_b, strict=True))
        if bad:
            mismatches[col] = bad
    errors = out["calc_errors"].dropna()
    n_err = int((~errors.str.startswith("liver_function:")).sum())  # only Child-Pugh B expected
    if mismatches or n_err:
        print(f"disagreement with the scalar reference: {mismatches}; row errors: {n_err}")
        return 1

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    machine = subprocess.run(["uname", "-m"], capture_output=True, text=True).stdout.strip()
    per_row_table = t_table / n
    lines = [
        "## Clinical scores table (`hccrt calc table`)",
        "",
        f"Machine: {machine}, {nproc or os.cpu_count()} cores, {cpu_model()}; "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}; "
        f"{dt.date.today().isoformat()}; load average at the end "
        f"{os.getloadavg()[0]:.1f} (the machine is shared: timings are upper bounds).",
        "",
        "Synthetic table (fixed seed; half of bilirubins in umol/L), 13 scores per row: Child-Pugh,"
        " ALBI/mALBI, MELD, MELD-Na, MELD 3.0, Cockcroft-Gault, BSA (2), BCLC, CNLC, Milan,"
        " up-to-seven, Couinaud contiguity; the table also adds CTCAE v5.0 grades for its five lab"
        " columns (not in the reference, so the speed-up is understated)."
        " Reference: the same core scalar functions called row"
        f" by row in the same process, on the first {n_ref:,} rows; every compared score"
        " agreed (0 mismatches). Child-Pugh B rows get no BCLC stage by design (the core asks for"
        f" a clinician's liver-function call): {len(errors):,} of {n:,} rows.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| rows scored by `score_table` | {n:,} |",
        f"| wall time, `score_table` | {t_table:.2f} s ({per_row_table * 1e6:.1f} us/row) |",
        f"| peak traced Python memory, `score_table` | {peak / 2**20:.0f} MiB |",
        f"| process max RSS | {rss_mb:.0f} MiB |",
        f"| reference: scalar functions row by row | {t_ref_per_row * 1e6:.1f} us/row "
        f"({t_ref:.2f} s for {n_ref:,} rows) |",
        f"| speed-up of `score_table` over the reference | {t_ref_per_row / per_row_table:.1f}x |",
        "",
    ]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "calc.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
