"""Benchmark: data capture on PostgreSQL -- concurrent API saves with the audit trail on, and
``hccrt audit verify`` over 1,000,000 audit events.

Run: ``.venv/bin/python benchmarks/bench_capture.py [--participants 10000] [--clients 20]
[--seconds 30] [--audit-rows 1000000]``. Needs a PostgreSQL server
(``HCCRT_BENCH_DATABASE_URL``, default ``postgresql://postgres@127.0.0.1:5432/hccrt_bench``;
the database is dropped and re-created). Writes ``benchmarks/results/capture.md``.

1. Migrate, load the five protocols, create 10 sites, one coordinator per client (token
   auth, membership at one site) and ``--participants`` participants, each through the
   audited save path.
2. Serve the app with gunicorn (gthread workers) and run ``--clients`` client threads for
   ``--seconds``: each POSTs, in turn, a lab (ALT with ULN; CTCAE grade computed by the core)
   and an adverse event for a random participant of its site. Reported: saves/s (HTTP 201),
   latency percentiles, errors.
3. Append synthetic hash-chained events until the audit table holds ``--audit-rows`` rows
   (COPY; each row's hash computed with :func:`hccrt.web.audit.chain.digest`), then time
   :func:`hccrt.web.audit.chain.verify` over the whole table (what ``hccrt audit verify``
   runs).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/hccrt_bench"


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup(participants: int, clients: int) -> tuple[list[str], dict[str, list[int]], float]:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from hccrt.cli.django_env import migrate
    from hccrt.web.audit.bulk import audited_bulk_create
    from hccrt.web.capture.models import Membership
    from hccrt.web.core.models import Participant, Protocol, Site
    from hccrt.web.core.services import load_builtin_protocols

    migrate()
    load_builtin_protocols()
    protocol = Protocol.objects.get(code="rescue", is_current=True)
    sites = [Site.objects.create(code=f"s{i:02d}", name=f"Site {i}", country="KR")
             for i in range(10)]  # fmt: skip
    User = get_user_model()
    tokens = []
    for i in range(clients):
        u = User.objects.create_user(f"coord{i}")
        Membership.objects.create(user=u, role="site_coordinator", site=sites[i % len(sites)])
        tokens.append(Token.objects.create(user=u).key)
    system = User.objects.create_user("loader")
    by_site: dict[str, list[int]] = {s.code: [] for s in sites}
    people = []
    for j in range(participants):
        site = sites[j % len(sites)]
        people.append(Participant(
            study_id=f"RESCUE-{site.code}-{j:05d}", protocol=protocol, site=site,
            consent_date=dt.date(2025, 1, 1), consent_version="1", sex="M", age=60,
            arm="rescue", status="enrolled"))  # fmt: skip
    t0 = time.perf_counter()
    audited_bulk_create(people, user=system, reason="benchmark cohort")  # validated, audited
    load_seconds = time.perf_counter() - t0
    for p in people:
        by_site[p.site.code].append(p.pk)
    return tokens, {s.code: by_site[s.code] for s in sites}, load_seconds


def serve(url: str, port: int, workers: int, threads: int, max_clients: int | None
          ) -> subprocess.Popen:  # fmt: skip
    """gunicorn as ``hccrt serve`` runs it (:func:`hccrt.cli.serve.gunicorn_args`)."""
    from hccrt.cli.serve import gunicorn_args

    env = {**os.environ, "HCCRT_DATABASE_URL": url, "HCCRT_ALLOWED_HOSTS": "127.0.0.1"}
    proc = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"),
         *gunicorn_args("127.0.0.1", port, workers, threads, max_clients),
         "--log-level", "warning", "--preload"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def load_test(port: int, tokens: list[str], by_site: dict[str, list[int]], seconds: float
              ) -> tuple[list[float], int, int]:  # fmt: skip
    codes = list(by_site)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(i: int) -> None:
        rng = random.Random(i)
        pids = by_site[codes[i % len(codes)]]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Token {tokens[i]}", "Content-Type": "application/json"}
        n = 0
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < stop:
            pid = rng.choice(pids)
            if n % 2 == 0:
                path, body = "/api/v1/labs/", {
                    "participant": pid, "collection_date": "2025-03-01", "test": "ALT",
                    "value": round(rng.uniform(10, 400), 1), "unit": "U/L", "uln": 40}
            else:
                path, body = "/api/v1/adverse-events/", {
                    "participant": pid, "term": "Fatigue", "grade": rng.randint(1, 3),
                    "start_date": "2025-03-02"}
            n += 1
            t = time.perf_counter()
            try:
                conn.request("POST", path, json.dumps(body), headers)
                r = conn.getresponse()
                r.read()
                ok = r.status == 201
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            dt_ = time.perf_counter() - t
            if ok:
                mine.append(dt_)
            else:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(tokens))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return latencies, errors[0], elapsed


def _proc_cpu(pids: list[int]) -> float:
    """User + system CPU seconds of processes (from /proc; processes gone count 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _pids(match: str) -> list[int]:
    """Processes whose command line contains ``match`` (read from /proc, nothing signalled)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError):
                if match in (d / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                    out.append(int(d.name))
    return out


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (/proc/stat)."""
    tick = os.sysconf("SC_CLK_TCK")
    v = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = v[3] + v[4]
    return (sum(v) - idle) / tick, sum(v) / tick


def _group(pids: list[int], pgid: int) -> list[int]:
    out = []
    for pid in pids:
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == pgid:
                out.append(pid)
    return out


def cpu_snapshot(server_pid: int, database: str) -> dict[str, float]:
    """CPU seconds so far of the server, of the PostgreSQL backends of the benchmark database
    (and the WAL writer), of this process (the load client), and of the whole machine."""
    server = _group(_pids("hccrt.web.wsgi"), server_pid)
    db = _pids(f"postgres {database} ") + _pids(": walwriter")
    busy, total = _machine_busy()
    return {"server": _proc_cpu(server), "db": _proc_cpu(db),
            "client": sum(os.times()[:2]), "busy": busy, "total": total}  # fmt: skip


def fill_audit(target_rows: int, sites: int = 10) -> tuple[int, float]:
    """Append synthetic chained events (COPY) until the audit table has ``target_rows``,
    round-robin over the sites' chains, then move each chain head to its last event."""
    from django.db import connection
    from django.utils import timezone

    from hccrt.web.audit.chain import GENESIS, canonical_json, digest
    from hccrt.web.audit.models import AuditChain, AuditEvent
    from hccrt.web.core.models import Site

    have = AuditEvent.objects.count()
    need = max(0, target_rows - have)
    site_ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))[:sites]
    heads = {k: [seq, head] for k, seq, head in
             AuditChain.objects.filter(key__in=site_ids).values_list("key", "seq", "head")}
    for k in site_ids:
        heads.setdefault(k, [0, GENESIS])
    t0 = time.perf_counter()
    at0 = timezone.now()
    cols = ("at", "user_id", "username", "action", "model", "object_pk", "site_id",
            "participant_id", "version", "changes", "reason", "chain", "seq", "prev_hash",
            "hash")  # fmt: skip
    with connection.cursor() as cursor:
        raw = cursor.cursor
        copy_sql = f"COPY audit_auditevent ({', '.join(cols)}) FROM STDIN"
        with raw.copy(copy_sql) as copy:
            for k in range(need):
                site = site_ids[k % len(site_ids)]
                seq, prev = heads[site]
                at = at0 + dt.timedelta(microseconds=k)
                changes = canonical_json({"value": [None, float(k % 500)], "test": [None, "ALT"]})
                h = digest(prev, at, None, "bench", "create", "capture.labresult", str(k),
                           site, 1, 1, changes, "")
                copy.write_row((at, None, "bench", "create", "capture.labresult", str(k), site,
                                1, 1, changes, "", site, seq + 1, prev, h))  # fmt: skip
                heads[site] = [seq + 1, h]
        for site, (seq, head) in heads.items():
            AuditChain.objects.update_or_create(key=site, defaults={"seq": seq, "head": head})
    return need, time.perf_counter() - t0


def bulk_labs(n: int) -> float:
    """Seconds to load ``n`` lab results through :func:`audited_bulk_create` (validation and
    CTCAE grading by the core, one audit event each, edit checks), spread over participants."""
    from django.contrib.auth import get_user_model

    from hccrt.web.audit.bulk import audited_bulk_create
    from hccrt.web.capture.models import LabResult
    from hccrt.web.core.models import Participant

    rng = random.Random(7)
    pids = list(Participant.objects.values_list("pk", flat=True)[:300])
    labs = [LabResult(participant_id=rng.choice(pids), collection_date=dt.date(2025, 3, 1),
                      test="ALT", value=round(rng.uniform(10, 400), 1), unit="U/L", uln=40)
            for _ in range(n)]  # fmt: skip
    user = get_user_model().objects.get(username="loader")
    t0 = time.perf_counter()
    audited_bulk_create(labs, user=user, reason="bulk benchmark")
    return time.perf_counter() - t0


def _per_save(before: dict[str, float], after: dict[str, float], saves: int) -> dict[str, float]:
    d = {k: after[k] - before[k] for k in before}
    ms = {k: 1000 * d[k] / max(saves, 1) for k in ("server", "db", "client")}
    ms["machine_busy_pct"] = 100 * d["busy"] / d["total"] if d["total"] else 0.0
    ms["others_cpu_s"] = d["busy"] - d["server"] - d["db"] - d["client"]
    ms["wall_cpu_s"] = d["total"]
    return ms


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--participants", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--audit-rows", type=int, default=1_000_000, help="0: skip the verify part")
    ap.add_argument("--bulk-labs", type=int, default=36_473,
                    help="lab rows loaded through the audited bulk path (0: skip)")
    ap.add_argument("--warmup", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=0, help="0: two per core (hccrt serve's)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-clients", type=int, default=None,
                    help="hccrt serve --max-clients (default: --clients; 0: no cap)")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--out", default=str(ROOT / "benchmarks/results/capture.md"))
    args = ap.parse_args()
    url = os.environ.get("HCCRT_BENCH_DATABASE_URL", DEFAULT_URL)
    recreate_database(url)
    os.environ["HCCRT_DATABASE_URL"] = url
    from hccrt.cli.django_env import setup_django

    setup_django()
    tokens, by_site, load_s = setup(args.participants, args.clients)
    print(f"loaded {args.participants} participants in {load_s:.1f} s", flush=True)
    from django.db import connections

    connections.close_all()  # the server must not share this process's connection
    from hccrt.cli.serve import default_workers

    args.workers = args.workers or default_workers()
    max_clients = args.clients if args.max_clients is None else (args.max_clients or None)
    proc = serve(url, args.port, args.workers, args.threads, max_clients)
    load_before = os.getloadavg()
    try:
        load_test(args.port, tokens, by_site, args.warmup)  # imports, connections: not timed
        before = cpu_snapshot(proc.pid, url.rsplit("/", 1)[1])
        lat, errors, elapsed = load_test(args.port, tokens, by_site, args.seconds)
        after = cpu_snapshot(proc.pid, url.rsplit("/", 1)[1])
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    load_after = os.getloadavg()
    cpu = _per_save(before, after, len(lat))
    lat_ms = np.array(lat) * 1000
    rate = len(lat) / elapsed
    p50, p95, p99 = (float(np.percentile(lat_ms, q)) for q in (50, 95, 99))
    print(f"{len(lat)} saves in {elapsed:.1f} s = {rate:.0f}/s; p50 {p50:.0f} ms, "
          f"p95 {p95:.0f} ms, p99 {p99:.0f} ms; errors {errors}; cpu/save {cpu}", flush=True)
    from hccrt.web.audit.chain import verify
    from hccrt.web.audit.models import AuditEvent

    verify_small = verify()
    assert verify_small.ok, verify_small.broken[:3]
    bulk_s = bulk_labs(args.bulk_labs) if args.bulk_labs else None
    if bulk_s is not None:
        print(f"bulk: {args.bulk_labs} labs in {bulk_s:.1f} s", flush=True)
    best = None
    added = fill_s = 0.0
    total = AuditEvent.objects.count()
    if args.audit_rows:
        added, fill_s = fill_audit(args.audit_rows)
        total = AuditEvent.objects.count()
        for _ in range(2):
            report = verify()
            assert report.ok, report.broken[:3]
            best = report.seconds if best is None else min(best, report.seconds)
        print(f"verify: {total} events in {best:.1f} s ({report.chains} chains)", flush=True)
    cpu_name = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, StopIteration):
        cpu_name = next(line.split(":", 1)[1].strip() for line in
                        Path("/proc/cpuinfo").read_text().splitlines()
                        if line.startswith("model name"))  # fmt: skip
    ok_rate, ok_p95 = rate >= 200, p95 < 100
    verify_text = "not run" if best is None else (
        f"{total:,} events in {report.chains} chains ({added:,} synthetic chained events "
        f"appended by COPY in {fill_s:.0f} s) verified in **{best:.1f} s** (best of 2), intact; "
        f"target < 60 s: **{'met' if best < 60 else 'NOT met'}**")
    bulk_text = "not run" if bulk_s is None else (
        f"{args.bulk_labs:,} lab results through `audited_bulk_create` in **{bulk_s:.1f} s** "
        f"({args.bulk_labs / bulk_s:.0f}/s; core validation and CTCAE grade, one audit event "
        "each, edit checks)")
    text = f"""### Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC (`bench_capture.py`)

- Machine: {platform.machine()}, {os.cpu_count()} cores, {cpu_name}; Python
  {platform.python_version()}; PostgreSQL on the same machine; load average before
  {load_before[0]:.1f} / after {load_after[0]:.1f} (1 min); machine busy during the timed
  run {cpu["machine_busy_pct"]:.0f} %, of which other users' processes
  {cpu["others_cpu_s"]:.0f} CPU-s of {cpu["wall_cpu_s"]:.0f} available.
- Data: {args.participants:,} participants (RESCUE, 10 sites) created with
  `audited_bulk_create` in {load_s:.1f} s.
- Load: {args.clients} client threads (token auth, one site coordinator each) for
  {args.seconds:.0f} s after {args.warmup:.0f} s warm-up, gunicorn {args.workers} gthread
  workers x {args.threads} threads, {"no connection cap" if max_clients is None else
  f"at most {max_clients} client connections in all"} (`hccrt serve
  --max-clients`), alternating POST /api/v1/labs/ and
  /api/v1/adverse-events/, audit trail on (per-site hash chains, DB guard triggers, edit checks).
- Result: **{rate:.0f} saves/s** ({len(lat):,} saves in {elapsed:.1f} s, {errors} errors);
  latency p50 {p50:.0f} ms, **p95 {p95:.0f} ms**, p99 {p99:.0f} ms. Target >= 200/s:
  **{"met" if ok_rate else "NOT met"}**; p95 < 100 ms: **{"met" if ok_p95 else "NOT met"}**.
- CPU per save: server (gunicorn) {cpu["server"]:.1f} ms, PostgreSQL {cpu["db"]:.1f} ms,
  load client {cpu["client"]:.1f} ms.
- Audited bulk path: {bulk_text}.
- Audit verify: {verify_text}.
"""
    with open(args.out, "a") as fh:
        fh.write("\n" + text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
