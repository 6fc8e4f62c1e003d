"""Benchmark the web pages (issue 10): server time of every page with 300 participants loaded,
target under 150 ms for a typical page.

Five suites, each on its own freshly seeded database (seeding is timed apart, not part of the
page figures), each in its own process so one suite's data never changes another's figures:

- ``overview``: every page URL name of issue 10 that exists (resolved with ``reverse``; pages
  not defined yet are listed as skipped), on a 300-participant two-arm synthetic cohort of
  sbrt-bclcc (seed 11) loaded through the audited records bridge, one user per role (site
  roles at site 01), reads assigned to the central reader, a few manual queries; each page as
  the first role that gets HTTP 200 among data manager (all participants), administrator,
  site investigator, medical physicist, central reader;
- ``participants``, ``screening``, ``planning``, ``assessments``: the pages of one area with
  the data that makes them work hard, including the interactive requests a GET-only pass does
  not make (htmx live evaluations and previews, saving a screening, CSV download); their data
  and requests are in ``benchmarks/page_suites.py``.

Every request is timed the same way: ``--requests`` requests through Django's test client (in
process: routing, middleware, view, ORM, core computation, templates; no network) after two
warm-ups; median and 95th percentile of wall time, median CPU time of the process (SQLite
runs in process, so it includes the database's work and grows far less than wall time with
the load of a shared machine), SQL queries and size of the last response. The target is
judged on the wall-time median.

    .venv/bin/python benchmarks/bench_pages.py [--suite NAME ...] [--n 300] [--requests 20]
        [--keep DIR] [--database-url URL]

A fresh SQLite database (the embedded default) in a temporary folder per suite; ``--keep DIR``
keeps each suite's database in DIR/<suite> and reuses it on the next run (no reseeding);
``--database-url`` runs one suite (``--suite``) on an empty database of that URL. Writes
benchmarks/results/pages.md, one section per suite; a run of some suites keeps the other
suites' sections from the previous run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "pages.md"
TARGET_MS = 150.0
WARM_UPS = 2
PROTOCOL = "sbrt-bclcc"
SEED = 11
ROLE_ORDER = ("datamanager", "admin", "investigator", "physicist", "reader")


@dataclass
class Case:
    """One timed request."""

    label: str
    url: str | None  # None: the page is not defined (yet): listed as skipped
    who: tuple[str | None, ...]  # users to try in turn (None: anonymous); the first to get
    # an expected status is timed
    data: dict[str, Any] | Callable[[], dict[str, Any]] | None = None  # POST body; None: GET
    htmx: bool = False
    ok: tuple[int, ...] = (200,)
    name: str = ""  # URL name, shown next to the label


@dataclass
class Suite:
    name: str
    title: str
    seed: Callable[[int], Any]  # writes the data; nothing when participants exist already
    context: Callable[[int], dict[str, Any]]  # looks up what the requests are made on
    cases: Callable[[dict[str, Any]], list[Case]]
    describe: Callable[[dict[str, Any], int], list[str]]  # the data paragraph


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# --------------------------------------------------------------------------- timing


def time_case(case: Case, clients: dict[str | None, Any], requests: int) -> dict[str, Any]:
    """Warm up, then time ``requests`` requests of ``case``; a row of the results table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    row: dict[str, Any] = {"label": case.label, "name": case.name}
    if case.url is None:
        return {**row, "skipped": "not defined"}
    headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}

    def call(client: Any) -> Any:
        if case.data is None:
            return client.get(case.url, **headers)
        body = case.data() if callable(case.data) else case.data
        return client.post(case.url, body, **headers)

    found, chosen, r = False, None, None
    for who in case.who:  # the first request of the chosen user is its first warm-up
        r = call(clients[who])
        if r.status_code in case.ok:
            found, chosen = True, who
            break
    if not found:
        if len(case.who) > 1:
            return {**row, "skipped": "no role got HTTP 200"}
        raise AssertionError((case.label, r and r.status_code, r and r.content[:800]))
    client = clients[chosen]
    for _ in range(WARM_UPS - 1):
        call(client)
    times, cpu = [], []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            t0, c0 = time.perf_counter(), time.process_time()
            r = call(client)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        assert r.status_code in case.ok, (case.label, r.status_code)
    times.sort()
    row.update({"user": chosen or "anonymous", "median": statistics.median(times),
                "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
                "cpu": statistics.median(cpu), "queries": len(ctx.captured_queries),
                "kb": len(r.content) / 1024})  # fmt: skip
    print(f"  {case.label[:52]:<52} {row['user']:<12} median {row['median']:7.1f} ms  "
          f"cpu {row['cpu']:6.1f} ms  p95 {row['p95']:7.1f} ms  {row['queries']:3d} queries",
          flush=True)  # fmt: skip
    return row


def measure(cases: list[Case], requests: int) -> list[dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    clients: dict[str | None, Any] = {None: Client()}
    for who in {w for c in cases for w in c.who if w is not None}:
        clients[who] = Client()
        clients[who].force_login(get_user_model().objects.get(username=who))
    return [time_case(c, clients, requests) for c in cases]


# --------------------------------------------------------------------------- overview suite


def overview_seed(n: int) -> None:
    """Load the cohort through the records bridge, the users and the reads."""
    from django.contrib.auth import get_user_model

    from hccrt.simulate import simulate
    from hccrt.web.capture import demo_seed, query_flow
    from hccrt.web.capture.bridge import import_records
    from hccrt.web.capture.models import DataQuery, Membership
    from hccrt.web.core.models import Participant, Site
    from hccrt.web.core.services import load_builtin_protocols

    load_builtin_protocols()
    User = get_user_model()
    system, _ = User.objects.get_or_create(username="bench-seed")
    if not Participant.objects.filter(protocol__code=PROTOCOL).exists():
        trial = simulate(PROTOCOL, n=n, seed=SEED)
        import_records(trial.records, PROTOCOL, user=system, reason="bench_pages cohort")
    for code in ("01", "02"):
        Site.objects.get_or_create(code=code, defaults={"name": f"Site {code}"})
    for username, role, site in demo_seed.USERS:
        u, _ = User.objects.get_or_create(username=username)
        Membership.objects.get_or_create(user=u, role=role,
                                         site=Site.objects.get(code=site) if site else None)
    demo_seed._assign_reads(PROTOCOL, User.objects.get(username="reader"), system, 5)
    if not DataQuery.objects.filter(edit_check="").exists():
        monitor = User.objects.get(username="monitor")
        for p in Participant.objects.filter(site__code="01").exclude(arm="")[:10]:
            query_flow.raise_query(monitor, p, text="bench: please confirm the source")


def overview_context(n: int) -> dict[str, Any]:
    """Objects the detail pages are opened on (at site 01, so site roles reach them)."""
    from hccrt.web.capture import models as m
    from hccrt.web.core.models import Participant

    at_01 = Participant.objects.filter(protocol__code=PROTOCOL, site__code="01")
    p = at_01.exclude(arm="").order_by("study_id").first()
    screening_p = at_01.filter(arm="").order_by("study_id").first()
    return {
        "p": p, "screening_p": screening_p or p,
        "lab": m.LabResult.objects.filter(participant=p).order_by("pk").first(),
        "scr": m.Screening.objects.filter(participant__site__code="01").order_by("pk").first(),
        "q": m.DataQuery.objects.filter(participant__site__code="01").order_by("pk").first(),
        "read": m.TumourAssessment.objects.filter(reader__username="reader").order_by("pk")
        .first(),
        "site_read": m.TumourAssessment.objects.filter(evaluator="INVESTIGATOR",
                                                       participant__site__code="01")
        .order_by("pk").first(),
        "participants": Participant.objects.filter(protocol__code=PROTOCOL).count(),
    }  # fmt: skip


def overview_cases(t: dict[str, Any]) -> list[Case]:
    from django.urls import NoReverseMatch, reverse

    def obj(key: str) -> int:
        return t[key].pk if t[key] is not None else 0

    pk = obj("p")
    pages = [
        ("home", "pages:home", ()),
        ("participant list", "pages:participant-list", ()),
        ("participant timeline", "pages:participant-detail", (pk,)),
        ("new lab form", "pages:form-new", (pk, "labs")),
        ("edit lab form", "pages:form-edit", ("labs", obj("lab"))),
        ("lab form history", "pages:form-history", ("labs", obj("lab"))),
        ("screening list", "pages:screening-list", ()),
        ("new screening", "pages:screening-new", ()),
        ("screening detail", "pages:screening-detail", (obj("scr"),)),
        ("edit screening", "pages:screening-edit", (obj("scr"),)),
        ("enrol", "pages:enrol", (obj("screening_p"),)),
        ("trial finder", "pages:finder", ()),
        ("new tumour assessment", "pages:assessment-new", (pk,)),
        ("edit tumour assessment", "pages:assessment-edit", (obj("site_read"),)),
        ("review inbox", "pages:review-inbox", ()),
        ("assign reads", "pages:review-assign", ()),
        ("review read", "pages:review-read", (obj("read"),)),
        ("adjudication", "pages:adjudication", (pk,)),
        ("planning home", "pages:planning-home", ()),
        ("Y-90 plan", "pages:y90-plan", (pk,)),
        ("SBRT plan", "pages:sbrt-plan", (pk,)),
        ("HAIC plan", "pages:haic-plan", (pk,)),
        ("QoL questionnaire", "pages:qol-fill", (pk,)),
        ("queries inbox", "pages:queries", ()),
        ("query detail", "pages:query-detail", (obj("q"),)),
        ("audit history", "pages:audit", ()),
        ("exports", "pages:exports", ()),
    ]  # fmt: skip
    cases = []
    for label, url_name, args in pages:
        try:
            url: str | None = reverse(url_name, args=args)
        except NoReverseMatch:
            url = None
        if url is not None and "protocol=" not in url:
            url += ("&" if "?" in url else "?") + f"protocol={PROTOCOL}"
        cases.append(Case(label, url, ROLE_ORDER, name=url_name))
    return cases


def overview_describe(ctx: dict[str, Any], n: int) -> list[str]:
    return [f"Data: {ctx['participants']} participants of {PROTOCOL} (a two-arm synthetic "
            f"cohort, n = {n} enrolled plus screen failures, seed {SEED}) loaded through the "
            "audited records bridge; one user per role; reads assigned to the central reader. "
            "Each page as the first role that gets HTTP 200 (the data manager sees all "
            "participants)."]  # fmt: skip


OVERVIEW = Suite("overview", "Every page (issue 10): server time with 300 participants",
                 overview_seed, overview_context, overview_cases, overview_describe)


def suites() -> dict[str, Suite]:
    sys.path.insert(0, str(HERE))
    from page_suites import AREA_SUITES

    return {s.name: s for s in (OVERVIEW, *AREA_SUITES)}


# --------------------------------------------------------------------------- one suite


def run_suite(suite: Suite, n: int, requests: int) -> dict[str, Any]:
    """In this process (its database set up by the caller): seed, look up, time."""
    from django.db import connection

    import hccrt
    from hccrt.cli.django_env import migrate

    migrate()
    from hccrt.web.core.models import Participant

    load0 = os.getloadavg()[0]
    reused = Participant.objects.exists()  # a kept database: seed() adds nothing
    t0 = time.perf_counter()
    suite.seed(n)
    seed_s = time.perf_counter() - t0
    ctx = suite.context(n)
    print(f"== {suite.name}: " + ("database reused" if reused else f"seeded in {seed_s:.0f} s"),
          flush=True)  # fmt: skip
    rows = measure(suite.cases(ctx), requests)
    return {"suite": suite.name, "rows": rows, "describe": suite.describe(ctx, n),
            "seed_s": None if reused else seed_s, "load": [load0, os.getloadavg()[0]],
            "vendor": connection.vendor, "n": n, "requests": requests,
            "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
            "hccrt": hccrt.__version__}  # fmt: skip


def child(a: argparse.Namespace) -> int:
    if a.database_url:
        os.environ["HCCRT_DATABASE_URL"] = a.database_url
    else:
        os.environ.pop("HCCRT_DATABASE_URL", None)
        os.environ["HCCRT_DATA_DIR"] = a.data_dir
    os.environ.setdefault("HCCRT_ALLOWED_HOSTS", "testserver,localhost")
    sys.path.insert(0, str(HERE.parent / "src"))
    result = run_suite(suites()[a.child], a.n, a.requests)
    Path(a.json).write_text(json.dumps(result), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------- the results


def section(r: dict[str, Any], title: str) -> str:
    lines = [
        f"<!-- suite:{r['suite']} -->", f"### {title}", "",
        f"Suite `{r['suite']}`, measured {r['when']} UTC on {r['vendor']} (hccrt {r['hccrt']}; "
        f"load average {r['load'][0]:.1f} before, {r['load'][1]:.1f} after); "
        + ("a kept database reused" if r["seed_s"] is None else
           f"seeded in {r['seed_s']:.0f} s (not part of the figures)")
        + f". {r['requests']} requests per page after {WARM_UPS} warm-ups.", "",
        *r["describe"], "",
        "| page | user | median ms | p95 ms | CPU ms | SQL queries | KiB | target: wall / CPU |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]  # fmt: skip
    measured = 0
    for row in r["rows"]:
        label = row["label"] + (f" (`{row['name']}`)" if row["name"] else "")
        if "skipped" in row:
            lines.append(f"| {label} | — | — | — | — | — | — | skipped: {row['skipped']} |")
            continue
        measured += 1
        ok = " / ".join("met" if v <= TARGET_MS else "**over**"
                        for v in (row["median"], row["cpu"]))  # fmt: skip
        lines.append(f"| {label} | {row['user']} | {row['median']:.1f} | {row['p95']:.1f} | "
                     f"{row['cpu']:.1f} | {row['queries']} | {row['kb']:.0f} | {ok} |")
    over = [row["label"] for row in r["rows"] if row.get("median", 0) > TARGET_MS]
    lines += ["", f"{measured} requests measured, {len(r['rows']) - measured} skipped; "
              f"{measured - len(over)} within the target on wall time"
              + (f"; over: {', '.join(over)}." if over else "."), ""]  # fmt: skip
    return "\n".join(lines)


def write(results: dict[str, dict[str, Any]], all_suites: dict[str, Suite]) -> Path:
    sections: dict[str, str] = {}
    if OUT.exists():  # keep the sections of suites not run this time
        parts = re.split(r"^(?=<!-- suite:)", OUT.read_text(encoding="utf-8"), flags=re.M)
        for part in parts:
            m = re.match(r"<!-- suite:([a-z]+) -->", part)
            if m and m.group(1) in all_suites:
                sections[m.group(1)] = part.rstrip() + "\n"
    for name, r in results.items():
        sections[name] = section(r, all_suites[name].title)
    head = [
        "## Web pages (issue 10): server time",
        "",
        f"`benchmarks/bench_pages.py` on {platform.machine()}, {os.cpu_count()} cores, "
        f"{cpu_model()}, Python {platform.python_version()}. Each suite seeds its own fresh "
        "database and runs in its own process; every request is timed through Django's test "
        "client in process (routing, middleware, view, ORM, core computation, templates; no "
        "network). Target: median under "
        f"{TARGET_MS:.0f} ms for a typical page, judged on wall time.",
        "",
        "Wall time depends on the load of the shared machine (other jobs ran beside this one: "
        "see each suite's load average); the CPU time of the process (median; SQLite runs in "
        "process, so it includes the database's work) is the steadier figure.",
        "",
        "",
    ]
    body = [sections[name] for name in all_suites if name in sections]
    OUT.write_text("\n".join(head) + "\n".join(body), encoding="utf-8")
    return OUT


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suite", action="append", default=[],
                    help="run only this suite (repeatable); default: all")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--requests", type=int, default=20)
    ap.add_argument("--keep", type=Path, default=None,
                    help="folder to keep (and reuse) each suite's seeded SQLite database in")
    ap.add_argument("--database-url", default=None,
                    help="an empty database for the one suite given with --suite")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", help=argparse.SUPPRESS)
    ap.add_argument("--json", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return child(a)
    all_suites = suites()
    chosen = a.suite or list(all_suites)
    unknown = [s for s in chosen if s not in all_suites]
    if unknown:
        ap.error(f"unknown suite {unknown}; the suites are {', '.join(all_suites)}")
    if a.database_url and len(chosen) != 1:
        ap.error("--database-url takes one --suite (each suite needs an empty database)")
    results = {}
    with tempfile.TemporaryDirectory(prefix="hccrt-bench-pages-") as tmp:
        for name in chosen:
            data_dir = (a.keep or Path(tmp)) / name
            out = Path(tmp) / f"{name}.json"
            cmd = [sys.executable, __file__, "--child", name, "--n", str(a.n), "--requests",
                   str(a.requests), "--json", str(out), "--data-dir", str(data_dir)]
            if a.database_url:
                cmd += ["--database-url", a.database_url]
            if subprocess.run(cmd, cwd=HERE.parent).returncode != 0:
                print(f"suite {name} failed", file=sys.stderr)
                return 1
            results[name] = json.loads(out.read_text(encoding="utf-8"))
    print(write(results, all_suites).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
