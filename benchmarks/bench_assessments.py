"""Benchmark the tumour assessment and central review pages (issue 10 items 6 and 9): server
time with 300 participants loaded, target under 150 ms for a typical page.

Setup (not timed): a fresh SQLite database (the embedded default) in a temporary folder, or
``--database-url``; the five protocols; 300 tare-ut7 participants (which names all four
criteria sets: RECIST 1.1, mRECIST, localized mRECIST, localized RECIST 1.1) at two sites,
created with the audited ``save()``; for 40 participants at site 01 an investigator baseline
and three follow-up reads under the four criteria sets (4 lesions each); for 30 participants
two central readers' baseline and two follow-up reads (RECIST 1.1), reader 2 disagreeing on
the last follow-up of 10 of them.

Timed: ``--requests`` requests per page through Django's test client (in process: routing,
middleware, view, core response engine, ORM, templates; no network) after two warm-ups;
median and 95th percentile, SQL queries, bytes. The live previews are the htmx POSTs made
while a user types.

    .venv/bin/python benchmarks/bench_assessments.py [--n 300] [--requests 20]

Writes benchmarks/results/assessments.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_MS = 150.0
BASE = dt.date(2026, 1, 20)
CRITERIA = ("RECIST 1.1", "MRECIST", "LOCALIZED MRECIST", "LOCALIZED RECIST 1.1")
LESIONS = (("T01", "TARGET"), ("T02", "TARGET"), ("NT01", "NON-TARGET"), ("NT02", "NON-TARGET"))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def store_read(p: Any, day: dt.date, timepoint: str, scale: float, criteria: tuple[str, ...],
               evaluator: str = "INVESTIGATOR", reader: Any = None,
               overall: str = "") -> Any:  # fmt: skip
    from hccrt.web.capture.models import Lesion, TumourAssessment

    first = None
    for crit in criteria:
        a = TumourAssessment(participant=p, assessment_date=day, timepoint=timepoint,
                             criteria=crit, modality="CT SCAN", evaluator=evaluator,
                             reader=reader, overall_response=overall)  # fmt: skip
        a.save()
        first = first or a
        for i, (lid, role) in enumerate(LESIONS):
            size = (50.0 - 10 * i) * scale if role == "TARGET" else None
            Lesion(participant=p, assessment=a, lesion_id=lid, role=role, location="LIVER",
                   couinaud_segment=i + 1, longest_diameter_mm=size, viable_diameter_mm=size,
                   state="" if role == "TARGET" else "PRESENT", in_field=True,
                   typical_hcc=True).save()
    return first


def seed(n: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from hccrt.web.audit.base import audit_context
    from hccrt.web.capture.models import Membership, Role
    from hccrt.web.core.models import Participant, Protocol, Site
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    User = get_user_model()
    sites = [Site.objects.create(code=c, name=f"Site {c}", country="KR") for c in ("01", "02")]
    users = {}
    for name, role, site in (("coordinator", Role.SITE_COORDINATOR, sites[0]),
                             ("reader1", Role.CENTRAL_READER, None),
                             ("reader2", Role.CENTRAL_READER, None),
                             ("admin", Role.ADMINISTRATOR, None)):  # fmt: skip
        users[name] = User.objects.create_user(name)
        Membership.objects.create(user=users[name], role=role, site=site)
    tare = Protocol.objects.get(code="tare-ut7", is_current=True)
    people = []
    with audit_context(users["admin"], "bench_assessments cohort"):
        for i in range(n):
            p = Participant(study_id=f"UT7-{i:04d}", site=sites[i % 2], protocol=tare, arm="tare",
                            status=Participant.Status.ENROLLED, sex="MF"[i % 2], age=50 + i % 30,
                            consent_date=dt.date(2026, 1, 5))
            p.save()
            people.append(p)
        site1 = [p for p in people if p.site_id == sites[0].pk]
        for p in site1[:40]:
            store_read(p, BASE, "baseline", 1.0, CRITERIA)
            for k, scale in enumerate((0.8, 0.7, 0.75)):
                store_read(p, BASE + dt.timedelta(days=90 * (k + 1)), "follow_up", scale,
                           CRITERIA, overall="SD")  # fmt: skip
        reads: dict[str, Any] = {}
        for j, p in enumerate(people[100:130]):
            for r in ("reader1", "reader2"):
                store_read(p, BASE, "baseline", 1.0, CRITERIA[:1], "INDEPENDENT ASSESSOR",
                           users[r])  # fmt: skip
                store_read(p, BASE + dt.timedelta(days=90), "follow_up", 0.8, CRITERIA[:1],
                           "INDEPENDENT ASSESSOR", users[r], overall="SD")  # fmt: skip
                disagree = r == "reader2" and j < 10
                reads[r] = store_read(p, BASE + dt.timedelta(days=180), "follow_up",
                                      0.6 if disagree else 0.8, CRITERIA[:1],
                                      "INDEPENDENT ASSESSOR", users[r],
                                      overall="PR" if disagree else "SD")  # fmt: skip
    return {"users": users, "investigated": site1[0], "reviewed": people[100],
            "read": reads["reader1"]}


def follow_up_post(scale: float) -> dict[str, str]:
    data = {"assessment_date": (BASE + dt.timedelta(days=400)).isoformat(),
            "timepoint": "follow_up", "modality": "CT SCAN", "rows": str(len(LESIONS)),
            "action": "preview"}  # fmt: skip
    for i, (lid, role) in enumerate(LESIONS):
        size = (50.0 - 10 * i) * scale if role == "TARGET" else ""
        data.update({f"lesion-{i}-lesion_id": lid, f"lesion-{i}-role": role,
                     f"lesion-{i}-carried": "1", f"lesion-{i}-location": "LIVER",
                     f"lesion-{i}-segment": str(i + 1),
                     f"lesion-{i}-longest_diameter_mm": str(size),
                     f"lesion-{i}-viable_diameter_mm": str(size),
                     f"lesion-{i}-state": "" if role == "TARGET" else "PRESENT",
                     f"lesion-{i}-in_field": "yes"})  # fmt: skip
    return data


def measure(ctx: dict[str, Any], requests: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from hccrt.web.capture.models import TumourAssessment

    def client(name: str) -> Client:
        c = Client()
        c.force_login(ctx["users"][name])
        return c

    coord, reader, admin = client("coordinator"), client("reader1"), client("admin")
    p, q = ctx["investigated"], ctx["reviewed"]
    edit = TumourAssessment.objects.filter(participant=p, timepoint="follow_up").latest("pk")
    preview = follow_up_post(0.65)
    criteria = {"criteria": ["recist11", "mrecist", "localized-mrecist", "localized-recist11"]}
    hx = {"HTTP_HX_REQUEST": "true"}
    cases = [
        ("follow-up form (baseline + 3 reads carried)", coord, "get",
         reverse("pages:assessment-new", args=[p.pk]), None),
        ("live response, 4 criteria sets (htmx POST)", coord, "post",
         reverse("pages:assessment-new", args=[p.pk]), {**preview, **criteria}),
        ("edit a stored follow-up read", coord, "get",
         reverse("pages:assessment-edit", args=[edit.pk]), None),
        ("central review inbox (90 reads assigned)", reader, "get",
         reverse("pages:review-inbox"), None),
        ("central read page", reader, "get", reverse("pages:review-read", args=[ctx["read"].pk]),
         None),
        ("administrator inbox (disputes over 180 reads)", admin, "get",
         reverse("pages:review-inbox"), None),
        ("adjudication page (2 readers side by side)", admin, "get",
         reverse("pages:adjudication", args=[q.pk]), None),
    ]  # fmt: skip
    rows = []
    for label, c, method, url, data in cases:
        def call(c: Client = c, method: str = method, url: str = url,
                 data: Any = data) -> Any:  # fmt: skip
            return c.post(url, data, **hx) if method == "post" else c.get(url)

        for _ in range(2):
            r = call()
            assert r.status_code == 200, (label, r.status_code, r.content[:500])
        times, cpu, queries, size = [], [], 0, 0
        for _ in range(requests):
            with CaptureQueriesContext(connection) as qctx:
                t0, c0 = time.perf_counter(), time.process_time()
                r = call()
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            queries, size = len(qctx.captured_queries), len(r.content)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        rows.append({"label": label, "median": statistics.median(times), "p95": p95,
                     "cpu": statistics.median(cpu), "queries": queries, "kb": size / 1024})
        print(f"{label:<48} median {rows[-1]['median']:7.1f} ms  p95 {p95:7.1f} ms  "
              f"CPU {rows[-1]['cpu']:7.1f} ms  "
              f"{queries:3d} queries", flush=True)
    return rows


def write(rows: list[dict[str, Any]], n: int, requests: int, seed_s: float,
          load: tuple[float, float]) -> Path:  # fmt: skip
    from django.db import connection

    import hccrt

    lines = [
        "# Tumour assessment and central review pages (issue 10 items 6 and 9): server time",
        "",
        f"- Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, hccrt {hccrt.__version__}, "
        f"Python {platform.python_version()}, {connection.vendor}, CPU {cpu_model()} "
        f"({os.cpu_count()} logical), load average {load[0]:.1f} before / {load[1]:.1f} after.",
        f"- Data: {n} tare-ut7 participants at two sites; 40 with an investigator baseline and "
        "three follow-up reads under the four criteria sets; 30 read by two central readers "
        "(baseline and two follow-ups), disagreeing on 10. Seeding (audited saves, not timed) "
        f"took {seed_s:.0f} s.",
        f"- {requests} requests per page after two warm-ups, Django test client in process "
        f"(no network). Target: under {TARGET_MS:.0f} ms for a typical page. CPU is the "
        "process CPU time of the request (the server's work: SQLite runs in process too), "
        "which does not grow with the machine's load as wall time does.",
        "- Command: `.venv/bin/python benchmarks/bench_assessments.py`",
        "",
        "| page | median ms | p95 ms | median CPU ms | SQL queries | KB | target: wall / CPU |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ok = ("met" if r["median"] < TARGET_MS else "NOT met") + " / " + (
            "met" if r["cpu"] < TARGET_MS else "NOT met")
        lines.append(f"| {r['label']} | {r['median']:.1f} | {r['p95']:.1f} | {r['cpu']:.1f} | "
                     f"{r['queries']} | "
                     f"{r['kb']:.0f} | {ok} |")
    out = HERE / "results" / "assessments.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--database-url", default=None)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="hccrt-bench-assessments-")
    if a.database_url:
        os.environ["HCCRT_DATABASE_URL"] = a.database_url
    else:
        os.environ.pop("HCCRT_DATABASE_URL", None)
        os.environ["HCCRT_DATA_DIR"] = tmp
    os.environ.setdefault("HCCRT_ALLOWED_HOSTS", "testserver,localhost")
    sys.path.insert(0, str(HERE.parent / "src"))
    from hccrt.cli.django_env import migrate

    migrate()
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    ctx = seed(a.n)
    seed_s = time.perf_counter() - t0
    rows = measure(ctx, a.requests)
    out = write(rows, a.n, a.requests, seed_s, (load0, os.getloadavg()[0]))
    print(out.read_text())
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
