"""Benchmark: the records bridge on a 300-participant synthetic cohort (issue 9 acceptance:
"loading a 300-participant synthetic cohort through the records bridge and exporting it back
gives identical record tables").

Run: ``.venv/bin/python benchmarks/bench_bridge.py [--protocol P] [--n 300] [--seed 3]
[--database-url URL]``; without --protocol, all five protocols on SQLite and rescue on
PostgreSQL (each in its own process). Default database: a fresh SQLite file in a temporary directory
(``--database-url postgresql://...`` uses that PostgreSQL database, dropped and re-created).
Writes ``benchmarks/results/bridge.md``.

1. ``simulate(protocol, n, seed)`` (the generator is not timed).
2. Migrate, store the protocol, then ``import_records`` (timed): every row a model ``save()``
   through the audited path (core validation, audit event, edit checks), one transaction.
3. ``export_records`` (timed), then the comparison of ``tests/web/test_bridge_domains.py`` per
   domain: every column the cohort writes, except the documented
   :data:`hccrt.web.capture.bridge.NOT_ROUND_TRIPPED`, after the canonical sort.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


PROTOCOLS = ("rescue", "tare-ut7", "sirt-haic", "io-rt-mvi", "sbrt-bclcc")


def run_all(args: argparse.Namespace) -> None:
    """Every protocol's section, one process each (Django's database is set per process),
    written to --out in turn; then rescue on PostgreSQL when the benchmark database answers."""
    import subprocess
    import sys

    runs = [["--protocol", code] for code in PROTOCOLS]
    url = os.environ.get("HCCRT_BENCH_DATABASE_URL",
                         "postgresql://postgres@127.0.0.1:5432/hccrt_bridge")  # fmt: skip
    try:
        import psycopg

        psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
        runs.append(["--protocol", "rescue", "--database-url", url])
    except Exception as exc:  # no PostgreSQL here: SQLite sections only
        print(f"PostgreSQL section skipped ({type(exc).__name__})")
    for i, run in enumerate(runs):
        extra = ["--append"] if i or args.append else []
        subprocess.run([sys.executable, __file__, *run, "--n", str(args.n), "--seed",
                        str(args.seed), "--out", args.out, *extra], check=True)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--protocol", default=None,
                    help="one protocol (default: all five on SQLite, then rescue on "
                    "PostgreSQL where one answers, each in its own process)")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--database-url", default="")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "bridge.md"))
    ap.add_argument("--append", action="store_true", help="add a section to --out")
    args = ap.parse_args()
    if args.protocol is None:
        return run_all(args)

    tmp = tempfile.mkdtemp(prefix="hccrt-bench-bridge-")
    if args.database_url:
        os.environ["HCCRT_DATABASE_URL"] = args.database_url
        if args.database_url.startswith("postgres"):
            from benchmarks.bench_capture import recreate_database

            recreate_database(args.database_url)
    else:
        os.environ["HCCRT_DATA_DIR"] = tmp
        os.environ.pop("HCCRT_DATABASE_URL", None)
    backend = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite file"

    from hccrt.cli.django_env import migrate

    migrate()
    from hccrt.protocols import load_builtin
    from hccrt.simulate import simulate
    from hccrt.web.capture.bridge import (
        BRIDGED,
        NOT_ROUND_TRIPPED,
        export_records,
        import_records,
    )
    from hccrt.web.core.services import store_protocol
    from tests.web.test_bridge_domains import NOT_BRIDGED, check_domain

    cohort = simulate(args.protocol, n=args.n, seed=args.seed).records
    sizes = {code: len(df) for code, df in cohort.items()}
    store_protocol(load_builtin(args.protocol), source=f"{args.protocol}.yaml")
    t0, c0 = time.perf_counter(), time.process_time()
    counts = import_records(cohort, args.protocol)
    load_wall, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    out = export_records(args.protocol)
    export_wall = time.perf_counter() - t0

    results: list[tuple[str, int, int, str]] = []
    for code, src in cohort.items():
        if code not in BRIDGED:
            assert code in NOT_BRIDGED, code
            results.append((code, len(src), 0, "not bridged"))
            continue
        try:
            ncols = check_domain(code, src, dict(out.items()).get(code))
            verdict = "identical"
        except AssertionError as exc:
            ncols, verdict = 0, "DIFFERENT: " + str(exc).splitlines()[0][:120]
        results.append((code, len(src), ncols, verdict))

    load = os.getloadavg()
    lines = [
        f"## Records bridge, {args.protocol}, {args.n}-participant synthetic cohort, {backend} "
        "(`bench_bridge.py`)",
        "",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {_cpu()}; Python "
        f"{platform.python_version()}; {backend}; load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} (shared machine).",
        f"- Data: `simulate(\"{args.protocol}\", n={args.n}, seed={args.seed})`: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(sizes.items())) + " rows.",
        f"- `import_records` through the audited save path (core validation, audit event per "
        f"form, edit checks, one transaction): **{load_wall:.0f} s wall** ({load_cpu:.0f} s "
        f"CPU); forms or rows loaded: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ".",
        f"- `export_records`: **{export_wall:.1f} s**.",
        "- Round trip per domain (columns compared = every column the cohort writes minus the "
        "documented `NOT_ROUND_TRIPPED`; canonical sort on all compared columns):",
        "",
        "| domain | rows in cohort | columns compared | result |",
        "|---|---:|---:|---|",
        *[f"| {c} | {n:,} | {k} | {v} |" for c, n, k, v in results],
        "",
        "Columns the cohort writes that are not compared (reasons in "
        "`hccrt.web.capture.bridge.NOT_ROUND_TRIPPED`): "
        + "; ".join(f"{d} {', '.join(cols)}" for d, cols in NOT_ROUND_TRIPPED.items() if cols)
        + ". XP/XA values recomputed by the core are checked within tolerance by "
        "`tests/web/test_bridge_domains.py` (0.01 %; 0.0002 GBq / 0.01 point).",
        "",
    ]
    text = "\n".join(lines)
    if args.append and Path(args.out).exists():
        text = Path(args.out).read_text().rstrip() + "\n\n" + text
    Path(args.out).write_text(text)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
