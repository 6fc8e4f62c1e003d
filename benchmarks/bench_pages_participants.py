"""Benchmark: server time of the participant list and timeline pages with 300 participants.

Run: ``.venv/bin/python benchmarks/bench_pages_participants.py [--participants 300]
[--repeats 30]``. Uses a throwaway SQLite file (``HCCRT_DATABASE_URL`` overrides it, e.g. a
PostgreSQL database that may be emptied). Writes ``benchmarks/results/pages-participants.md``.

Set-up (through the audited save path, as the pages write): the five built-in protocols,
two sites, ``--participants`` RESCUE participants at site A each with 3 visits (one done) and
2 labs, and one of them with a full record: 60 labs over 6 tests, 12 AEs, 12 visits, SBRT
course and fractions, systemic therapy lines. Measured in-process with Django's test client
(whole request: middleware, view, template), signed in as site A's coordinator: the list's
first page (50 of 300), a search, and the full timeline; median and 95th percentile over
``--repeats`` requests after one warm-up, and the number of SQL queries of each page.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 150.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp()) / "bench_pages.sqlite3"
    os.environ.setdefault("HCCRT_DATABASE_URL", f"sqlite:///{tmp}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hccrt.web.settings")
    sys.path.insert(0, str(ROOT / "src"))
    from hccrt.cli.django_env import migrate

    migrate()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    t0 = time.perf_counter()
    coordinator, detail_pk = build(args.participants)
    setup_s = time.perf_counter() - t0
    rows = measure(coordinator, detail_pk, args.repeats)
    write(rows, args.participants, args.repeats, setup_s)


def build(n: int) -> tuple[object, int]:
    from django.contrib.auth import get_user_model

    from hccrt.web.capture import models as m
    from hccrt.web.capture.models import Membership, Role
    from hccrt.web.core.models import Participant, Protocol, Site
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    protocol = Protocol.objects.get(code="rescue", is_current=True)
    site_a = Site.objects.create(code="a", name="Site A")
    Site.objects.create(code="b", name="Site B")
    system = get_user_model().objects.create_user("system")
    coordinator = get_user_model().objects.create_user("coord")
    Membership.objects.create(user=coordinator, role=Role.SITE_COORDINATOR, site=site_a)
    consent = date(2025, 1, 10)
    arm = protocol.document["arms"][0]["id"]
    first = None
    for i in range(n):
        p = Participant(study_id=f"RESCUE-A-{i:04d}", protocol=protocol, site=site_a, arm=arm,
                        consent_date=consent, status="enrolled", sex="M", age=60)
        p.save(user=system)
        first = first or p
        for k in range(3):
            day = consent + timedelta(days=30 * (k + 1))
            m.Visit(participant=p, visit_code="fu", name=f"Follow-up {k}", visitnum=k,
                    anchor="randomization", anchor_date=consent, planned_date=day,
                    window_start=day - timedelta(days=7), window_end=day + timedelta(days=7),
                    actual_date=day if k == 0 else None).save(user=system)
        for test, value, unit, uln in (("ALT", 55, "U/L", 40), ("BILI", 25, "umol/L", 21)):
            m.LabResult(participant=p, collection_date=consent + timedelta(days=30), test=test,
                        value=value, unit=unit, uln=uln).save(user=system)
    assert first is not None
    tests = (("ALT", "U/L", 40), ("AST", "U/L", 40), ("BILI", "umol/L", 21),
             ("ALB", "g/L", None), ("PLAT", "10^9/L", None), ("CREAT", "umol/L", 100))
    for k in range(10):
        day = consent + timedelta(days=14 * (k + 1))
        for test, unit, uln in tests:
            lln = 35 if test == "ALB" else 150 if test == "PLAT" else None
            m.LabResult(participant=first, collection_date=day, test=test,
                        value=30 + 7 * k, unit=unit, uln=uln, lln=lln).save(user=system)
        m.AdverseEvent(participant=first, term="Fatigue", grade=1 + k % 3,
                       start_date=day).save(user=system)
        m.Visit(participant=first, visit_code="extra", name=f"Extra {k}", visitnum=10 + k,
                anchor="randomization", anchor_date=consent, planned_date=day,
                window_start=day, window_end=day + timedelta(days=7)).save(user=system)
        m.SystemicTherapy(participant=first, line=k + 1, agent="sorafenib",
                          start_date=day).save(user=system)
    return coordinator, first.pk


def timed(client: object, url: str, repeats: int) -> tuple[list[float], list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return times, cpu, len(ctx.captured_queries)


def measure(coordinator: object, detail_pk: int, repeats: int) -> list[tuple[str, ...]]:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(coordinator)
    pages = (
        ("participant list, page 1 of 300", reverse("pages:participant-list") + "?protocol=rescue"),
        ("participant list, search", reverse("pages:participant-list") + "?q=A-012"),
        ("timeline, 60 labs / 12 AEs / 13 visits", reverse("pages:participant-detail",
                                                           args=[detail_pk])),
        ("new lab form", reverse("pages:form-new", args=[detail_pk, "labs"])),
    )  # fmt: skip
    rows = []
    for name, url in pages:
        times, cpu, queries = timed(client, url, repeats)
        med = statistics.median(times)
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        cpu_med = statistics.median(cpu)
        rows.append((name, f"{med:.1f}", f"{p95:.1f}", f"{cpu_med:.1f}", str(queries),
                     "yes" if med < TARGET_MS else "NO"))
        print(f"{name}: median {med:.1f} ms, p95 {p95:.1f} ms, CPU {cpu_med:.1f} ms, "
              f"{queries} queries")
    return rows


def write(rows: list[tuple[str, ...]], n: int, repeats: int, setup_s: float) -> None:
    from django.db import connection

    lines = [
        "# Pages: participant list and timeline",
        "",
        f"Server time in-process (Django test client, whole request), {n} participants, "
        f"{repeats} requests per page after a warm-up; database {connection.vendor}; "
        f"Python {platform.python_version()} on {platform.machine()}; set-up through the "
        f"audited save path took {setup_s:.0f} s; machine load average "
        f"{os.getloadavg()[0]:.1f} (shared with other work: wall-clock percentiles vary with "
        f"it, CPU time much less). Target: under {TARGET_MS:.0f} ms.",
        "",
        "| page | median wall (ms) | p95 wall (ms) | median CPU (ms) | SQL queries "
        "| median under target |",
        "|---|---:|---:|---:|---:|---|",
        *[f"| {' | '.join(r)} |" for r in rows],
        "",
        "Run: `.venv/bin/python benchmarks/bench_pages_participants.py`.",
        "",
    ]
    out = ROOT / "benchmarks" / "results" / "pages-participants.md"
    out.write_text("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
