"""Benchmark hccrt.dosimetry: a synthetic cohort of Y-90 plans, and voxel convolution.

1. Cohort: N partition-model plans (tumour-driven, rescue-style limits from the protocol
   file) planned and checked in one vectorised call (hccrt.dosimetry.cohort.plan_cohort),
   against the reference path: the per-plan API (plan_y90 + check_y90) run on a sample in the
   same process and extrapolated per plan. Both must agree on the sample before timing.
2. Voxel: VSV convolution of a 128^3 activity map with an 11^3 kernel by
   hccrt.dosimetry.voxel.vsv_dose_map_gy (scipy.signal.fftconvolve, float64 and float32)
   against scipy.ndimage.convolve (direct) on the same data; the results must agree.

    .venv/bin/python benchmarks/bench_dosimetry.py [N]      # default N = 100000

Writes benchmarks/results/dosimetry.md.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import scipy
from scipy import ndimage

from hccrt.dosimetry.checks import check_y90
from hccrt.dosimetry.cohort import plan_cohort
from hccrt.dosimetry.from_protocol import y90_limits
from hccrt.dosimetry.plan import Tumour, Y90PlanInput, plan_y90
from hccrt.dosimetry.voxel import vsv_dose_map_gy
from hccrt.protocols.loader import load_builtin

HERE = Path(__file__).resolve().parent


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def cohort(n: int) -> list[str]:
    rng = np.random.default_rng(20261122)
    vp = rng.uniform(600, 2000, n)
    vt = rng.uniform(20, 500, n)
    tnr = rng.uniform(1, 8, n)
    lsf = rng.uniform(0, 0.3, n)
    nt = vp - vt + rng.uniform(0, 1500, n)
    limits = y90_limits(load_builtin("rescue"))

    def vectorised():
        return plan_cohort("partition", 150.0, vp, lsf, tumour_volume_ml=vt, tnr=tnr,
                           limits=limits, nontumoral_liver_volume_ml=nt)

    df = vectorised()
    sample = 1000
    statuses = []

    def scalar():
        statuses.clear()
        for i in range(sample):
            p = plan_y90(Y90PlanInput(device="resin", model="partition", driver="tumour_dose",
                                      prescribed_value=150.0, perfused_volume_ml=vp[i],
                                      tumours=(Tumour(volume_ml=vt[i], tnr=tnr[i]),),
                                      lsf=lsf[i]))
            statuses.append({r.rule: r.status for r in check_y90(
                p, limits, nontumoral_liver_volume_ml=nt[i])})

    t_scalar = best_of(scalar, 1)
    for i, st in enumerate(statuses):
        for rule, status in st.items():
            assert df[rule][i] == status, (i, rule)
    t_vec = best_of(vectorised)
    per_plan = t_scalar / sample
    fails = int((df["lung_dose_at_reference_tumour_dose"] == "fail").sum())
    return [
        "## Cohort of Y-90 plans (partition model, rescue limits from the protocol file)",
        "",
        f"- plans: {n:,}; planned and checked (lung dose at 150 Gy tumour dose, untreated "
        f"non-tumoral liver) in one call: **{t_vec:.3f} s** (best of 3)",
        f"- reference: per-plan API (plan_y90 + check_y90), {sample:,} plans in "
        f"{t_scalar:.2f} s = {per_plan * 1e3:.2f} ms/plan, i.e. ~{per_plan * n:.0f} s for "
        f"{n:,} plans",
        f"- ratio (per-plan / vectorised): **{per_plan * n / t_vec:.0f}x**; statuses agree on "
        f"all {sample:,} sampled plans",
        f"- plans excluded by the lung-dose rule: {fails:,} of {n:,}",
        "",
    ]


def voxel() -> list[str]:
    rng = np.random.default_rng(1)
    act = rng.uniform(0, 1e-4, (128, 128, 128))
    ax = np.arange(11) - 5
    s = np.exp(-(ax[:, None, None] ** 2 + ax[None, :, None] ** 2 + ax[None, None, :] ** 2) / 2)
    s = s / s.sum()
    t64 = best_of(lambda: vsv_dose_map_gy(act, s))
    t32 = best_of(lambda: vsv_dose_map_gy(act, s, dtype=np.float32))
    cum = act * 1000 * 64.1 * 3600 / math.log(2)
    t0 = time.perf_counter()
    direct = ndimage.convolve(cum, s, mode="constant", cval=0.0) / 1000
    t_direct = time.perf_counter() - t0
    d = vsv_dose_map_gy(act, s)
    err = float(np.max(np.abs(d - direct)) / direct.max())
    return [
        "## Voxel S-value convolution, 128^3 map, 11^3 kernel",
        "",
        f"- vsv_dose_map_gy (scipy.signal.fftconvolve, linear): float64 **{t64:.2f} s**, "
        f"float32 **{t32:.2f} s** (best of 3)",
        f"- reference scipy.ndimage.convolve (direct): {t_direct:.2f} s; ratio "
        f"**{t_direct / t64:.1f}x** (float64); max difference {err:.1e} of the maximum",
        "",
    ]


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    head = [
        "# hccrt.dosimetry benchmarks",
        "",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {cpu_model()}, {os.cpu_count()} cores (shared with other work), "
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}",
        f"- load average at start (1/5/15 min): "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (other engineers' jobs share the CPUs)",
        "- command: `.venv/bin/python benchmarks/bench_dosimetry.py" + (
            f" {n}`" if n != 100_000 else "`"),
        "",
    ]
    lines = head + cohort(n) + voxel()
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "dosimetry.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
