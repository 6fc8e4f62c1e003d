"""Benchmark the planning pages (issue 10 items 7-8): server time with 300 participants loaded,
target under 150 ms for a typical page.

Setup (not timed): a fresh SQLite database (the embedded default) in a temporary folder, or
``--database-url``; the five protocols; 300 tare-ut7 participants (arm tare) at two sites,
created with the audited ``save()``; a saved and signed Y-90 plan with one administration for
every third participant (so the planning home aggregates 100 plans and the participant's
ledger holds an earlier treatment); one physicist, one investigator and one coordinator at
site 01 (150 participants) and an administrator for all sites.

Timed: ``--requests`` requests per page through Django's test client (in process: routing,
middleware, view, core computation, ORM, templates; no network) after two warm-ups; median
and 95th percentile, SQL queries, bytes. The Y-90 live preview is a POST of a full partition
plan (the htmx request made on every change).

    .venv/bin/python benchmarks/bench_planning.py [--n 300] [--requests 20]

Writes benchmarks/results/planning.md.
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


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


PLAN = {"plan_date": "2026-02-01", "territory": "right lobe", "device": "glass",
        "model": "partition", "driver": "tumour_dose", "prescribed_value": "700",
        "perfused_volume_ml": "900", "tumour_1_volume_ml": "150", "tumour_1_tnr": "4",
        "target_tumour": "0", "lsf": "0.06", "vial_gbq": "5",
        "calibration_time": "2026-02-01T12:00", "administration_time": "2026-02-03T10:00"}


def seed(n: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from hccrt.web.audit.base import audit_context
    from hccrt.web.capture.models import Membership, Role, Y90Plan
    from hccrt.web.core.models import Participant, Protocol, Site
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    User = get_user_model()
    sites = [Site.objects.create(code=c, name=f"Site {c}", country="KR") for c in ("01", "02")]
    users = {}
    for name, role, site in (("physicist", Role.MEDICAL_PHYSICIST, sites[0]),
                             ("investigator", Role.SITE_INVESTIGATOR, sites[0]),
                             ("coordinator", Role.SITE_COORDINATOR, sites[0]),
                             ("admin", Role.ADMINISTRATOR, None)):  # fmt: skip
        users[name] = User.objects.create_user(name)
        Membership.objects.create(user=users[name], role=role, site=site)
    tare = Protocol.objects.get(code="tare-ut7", is_current=True)
    people = []
    with audit_context(users["admin"], "bench_planning cohort"):
        for i in range(n):
            p = Participant(study_id=f"UT7-{i:04d}", site=sites[i % 2], protocol=tare, arm="tare",
                            status=Participant.Status.ENROLLED, sex="MF"[i % 2], age=50 + i % 30,
                            consent_date=dt.date(2026, 1, 5))
            p.save()
            people.append(p)
    c = Client()
    c.force_login(users["physicist"])
    site1 = [p for p in people if p.site_id == sites[0].pk]
    for p in site1[::3]:
        r = c.post(reverse("pages:y90-plan", args=[p.pk]), {**PLAN, "action": "save"})
        assert r.status_code == 302, r.content[:2000]
        plan = Y90Plan.objects.filter(participant=p).latest("pk")
        c.post(reverse("pages:y90-sign", args=[plan.pk]), {"version": plan.version})
        c.post(reverse("pages:y90-administer", args=[plan.pk]),
               {"administration_date": "2026-02-03", "delivered_activity_gbq": "3.0"})
    treated = site1[0]
    plan = Y90Plan.objects.filter(participant=treated).latest("pk")
    return {"users": users, "treated": treated, "plan": plan, "untreated": site1[1]}


def measure(ctx: dict[str, Any], requests: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    def client(name: str) -> Client:
        c = Client()
        c.force_login(ctx["users"][name])
        return c

    phys, inv, coord = client("physicist"), client("investigator"), client("coordinator")
    admin = client("admin")
    t, plan = ctx["treated"], ctx["plan"]
    cases = [
        ("planning home (150 participants, 50 plans; page 1 of 3)", phys, "get",
         reverse("pages:planning-home") + "?protocol=tare-ut7", None),
        ("planning home, administrator (300 participants; page 1 of 6)", admin, "get",
         reverse("pages:planning-home") + "?protocol=tare-ut7", None),
        ("Y-90 plan page (ledger of 1 treatment)", phys, "get",
         reverse("pages:y90-plan", args=[t.pk]), None),
        ("Y-90 live preview (htmx POST)", phys, "post",
         reverse("pages:y90-preview", args=[t.pk]), PLAN),
        ("Y-90 printable summary", phys, "get", reverse("pages:y90-summary", args=[plan.pk]),
         None),
        ("SBRT plan page", phys, "get", reverse("pages:sbrt-plan", args=[t.pk]), None),
        ("HAIC plan page", inv, "get", reverse("pages:haic-plan", args=[t.pk]), None),
        ("QoL screen 3", coord, "get", reverse("pages:qol-fill", args=[t.pk]) + "?screen=3",
         None),
    ]  # fmt: skip
    rows = []
    for label, c, method, url, data in cases:
        def call(c: Any = c, method: str = method, url: str = url, data: Any = data) -> Any:
            return c.post(url, data) if method == "post" else c.get(url)

        for _ in range(2):
            r = call()
            assert r.status_code == 200, (label, r.status_code)
        times, queries, size = [], 0, 0
        for _ in range(requests):
            with CaptureQueriesContext(connection) as qctx:
                t0 = time.perf_counter()
                r = call()
                times.append((time.perf_counter() - t0) * 1000)
            queries, size = len(qctx.captured_queries), len(r.content)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        rows.append({"label": label, "median": statistics.median(times), "p95": p95,
                     "queries": queries, "kb": size / 1024})
        print(f"{label:<45} median {rows[-1]['median']:7.1f} ms  p95 {p95:7.1f} ms  "
              f"{queries:3d} queries", flush=True)
    return rows


def write(rows: list[dict[str, Any]], n: int, requests: int, seed_s: float,
          load: tuple[float, float]) -> Path:  # fmt: skip
    from django.db import connection

    import hccrt

    lines = [
        "# Planning pages (issue 10 items 7-8): server time",
        "",
        f"- Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, hccrt {hccrt.__version__}, "
        f"Python {platform.python_version()}, {connection.vendor}, CPU {cpu_model()} "
        f"({os.cpu_count()} logical), load average {load[0]:.1f} before / {load[1]:.1f} after.",
        f"- Data: {n} tare-ut7 participants at two sites; every third participant at site 01 "
        "has a saved, signed Y-90 plan with an administration. Seeding (audited saves and the "
        f"pages' own POSTs, not timed below) took {seed_s:.0f} s.",
        f"- {requests} requests per page after two warm-ups, Django test client in process "
        f"(no network). Target: under {TARGET_MS:.0f} ms for a typical page.",
        "- Command: `.venv/bin/python benchmarks/bench_planning.py`",
        "",
        "| page | median ms | p95 ms | SQL queries | KB | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ok = "met" if r["median"] < TARGET_MS else "NOT met"
        lines.append(f"| {r['label']} | {r['median']:.1f} | {r['p95']:.1f} | {r['queries']} | "
                     f"{r['kb']:.0f} | {ok} |")
    out = HERE / "results" / "planning.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--database-url", default=None)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="hccrt-bench-planning-")
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
