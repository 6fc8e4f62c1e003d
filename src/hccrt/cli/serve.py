"""``hccrt serve``, ``hccrt db`` and ``hccrt demo``: run the web app and set up its database."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import hccrt
from hccrt.cli.django_env import collect_static, migrate, setup_django

if TYPE_CHECKING:
    from hccrt.web.capture.demo_seed import DemoUser

console = Console()
db_app = typer.Typer(help="Database: migrations and Django management commands.")


@db_app.command("migrate")
def db_migrate(verbose: bool = typer.Option(False, "--verbose", "-v")) -> None:
    """Create or update the database tables (SQLite by default, or HCCRT_DATABASE_URL)."""
    migrate(verbosity=1 if verbose else 0)
    from django.db import connection

    console.print(f"database up to date ({connection.vendor}: {connection.settings_dict['NAME']})")


@db_app.command(
    "manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def db_manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `hccrt db manage createsuperuser`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hccrt db manage", *ctx.args])


def default_workers() -> int:
    """Two gunicorn worker processes per core: a worker holding the GIL in Python while
    another waits on the database keeps the cores busy."""
    import os

    return 2 * (os.cpu_count() or 1)


def gunicorn_args(host: str, port: int, workers: int, threads: int = 2,
                  max_clients: int | None = None) -> list[str]:  # fmt: skip
    """The gunicorn command line hccrt serves with (``hccrt serve`` and the capture
    benchmark): gthread workers, ``threads`` each, and at most ``max_clients`` keep-alive
    connections in all, spread evenly (each worker accepts ``ceil(max_clients / workers)``).

    Without that cap a worker accepts every connection it wins, so keep-alive clients pile
    up on some workers: in the capture benchmark 16 of 20 clients sat on two of four workers
    and waited 80-87 ms per save while a client alone on a worker waited 18 ms (p95 of all
    saves 122-144 ms instead of 86-96 ms; benchmarks/RESULTS.md)."""
    per_worker = 1000 if max_clients is None else max(1, -(-max_clients // workers))
    return ["hccrt.web.wsgi:application", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--worker-connections", str(per_worker)]  # fmt: skip


def run_server(host: str, port: int, workers: int, threads: int = 2,
               max_clients: int | None = None) -> None:  # fmt: skip
    """Serve the web app with gunicorn (a production WSGI server), in the foreground."""
    collect_static()
    from gunicorn.app.wsgiapp import WSGIApplication

    console.print(f"serving hccrt on http://{host}:{port}  (Ctrl-C to stop; {workers} workers "
                  f"x {threads} threads)")  # fmt: skip
    sys.argv = ["gunicorn", *gunicorn_args(host, port, workers, threads, max_clients),
                "--access-logfile", "-"]  # fmt: skip
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()


def serve(
    host: str = typer.Option("127.0.0.1", help="address to bind"),
    port: int = typer.Option(8000, help="TCP port"),
    workers: int = typer.Option(0, help="gunicorn worker processes (0: two per core)"),
    threads: int = typer.Option(2, help="threads per worker"),
    max_clients: int = typer.Option(
        0, "--max-clients", help="keep-alive connections served at once, spread evenly over "
        "the workers (0: no cap). Set it to the number of concurrent API clients, or to the "
        "upstream keep-alive pool of a reverse proxy in front: workers holding more "
        "connections than others answer their clients more slowly."),
) -> None:
    """Serve the web app with gunicorn (migrations are applied first).

    gthread workers; behind a reverse proxy (TLS, static files) in production, with
    HCCRT_HTTPS=1 and HCCRT_SECRET_KEY set.
    """
    migrate()
    run_server(host, port, workers or default_workers(), threads, max_clients or None)


def demo(
    no_serve: bool = typer.Option(
        False, "--no-serve", help="do everything but serving (for CI and scripts)"
    ),
    quick: bool = typer.Option(
        False, "--quick", help="only set up the database and load the protocols"
    ),
    host: str = typer.Option("127.0.0.1", help="address to bind"),
    port: int = typer.Option(8000, help="TCP port"),
    cohort_size: int = typer.Option(
        40, "--cohort-size", help="participants per trial loaded into the web app (1-500)"),
) -> None:
    """The guided tour: every capability of hccrt, shown as the command that runs it.

    Sets up the database (the SQLite file under ./hccrt-data/ unless HCCRT_DATABASE_URL is
    set), loads the five reference trials, then screens candidates, computes scores, plans
    treatments, designs the trials, simulates their cohorts, derives responses and endpoints,
    writes reports and loads the cohorts into the web app, which it finally serves.
    """
    from hccrt.protocols import describe, load_builtins
    from hccrt.web.settings import data_dir

    console.rule(f"hccrt {hccrt.__version__} demo")
    migrate()
    from django.db import connection

    console.print(f"database ready: {connection.vendor} ({connection.settings_dict['NAME']})")
    from hccrt.web.core.services import load_builtin_protocols

    results = {r.code: r for r in load_builtin_protocols()}
    table = Table(title="The five reference trials (protocol files validated and loaded)")
    for header in ("code", "trial", "design", "arms", "visits", "criteria", "outcome measures"):
        table.add_column(header, overflow="fold")
    for p in load_builtins():
        counts = ", ".join(f"{n} {role}" for role, n in describe.endpoint_counts(p).items())
        state = "new" if results[p.code].created else "unchanged"
        table.add_row(
            f"{p.code}\n[dim]{state}[/dim]",
            escape(p.identity.short_title),
            escape(describe.design_text(p)),
            str(len(p.arms)),
            str(len(p.schedule.visits)),
            str(len(p.eligibility)),
            counts,
        )
    console.print(table)
    if not quick:
        from hccrt.demo.tour import run_tour

        run_tour(console, data_dir(), cohort_size=cohort_size)
    console.rule("done")
    console.print(
        f"Files are under {data_dir()}. The web app shows the same trials at "
        f"http://{host}:{port}/ : sign in with a demo user above (e.g. coordinator, "
        "physicist, reader, statistician; password hccrt-demo), or open "
        f"http://{host}:{port}/trial-finder/ without signing in."
    )
    if no_serve:
        return
    run_server(host, port, workers=2)  # the demo: small, on a laptop


@db_app.command("load-records")
def db_load_records(
    folder: Path = typer.Argument(..., help="folder of SDTM-shaped CSV record tables"),
    protocol: str = typer.Option(..., "--protocol", "-p", help="protocol code, e.g. rescue"),
    reason: str = typer.Option("loaded from record tables", help="reason kept in the audit trail"),
) -> None:
    """Load record tables (e.g. a synthetic cohort) into the database.

    Rows go through the same validation, CTCAE grading, edit checks and audit trail as the
    API, in one transaction: a bad row loads nothing and is named (domain, row, field, value).
    """
    migrate()
    from hccrt.errors import InputError
    from hccrt.records import read_csv_dir
    from hccrt.web.capture.bridge import import_records
    from hccrt.web.core.models import Participant

    if Participant.objects.filter(protocol__code=protocol).exists():
        console.print(f"{protocol}: participants already in the database; nothing loaded")
        return
    try:
        counts = import_records(read_csv_dir(folder), protocol, reason=reason)
    except InputError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"{protocol}: loaded " + ", ".join(f"{n} {d}" for d, n in counts.items()))


@db_app.command("seed-demo")
def db_seed_demo(
    size: int = typer.Option(40, "--size", help="participants enrolled per protocol (1-500)"),
    seed: int = typer.Option(2026, help="random seed of the synthetic cohorts"),
    force: bool = typer.Option(
        False, "--force", help="seed a database that is not the embedded SQLite file even "
        "with HCCRT_DEBUG off (a throw-away database only: every demo user shares one password)"),
) -> None:
    """Load the five trials with synthetic cohorts and one demo user per role.

    Each cohort goes through the audited records bridge (core validation, CTCAE grades, edit
    checks, audit trail). Idempotent: protocols already holding participants are skipped and
    the demo users' password is reset. Prints who can sign in, with which role.
    """
    migrate()
    from hccrt.errors import HccrtError
    from hccrt.web.capture.demo_seed import seed_demo

    try:
        users = seed_demo(size, seed, force=force,
                          progress=lambda line: console.print(escape(line)))  # fmt: skip
    except HccrtError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    print_demo_users(users)


def print_demo_users(users: Sequence[DemoUser]) -> None:
    """The demo users as a table: user name, password, role, site."""
    table = Table(title="Demo users (synthetic data only; every user has the same password)")
    for header in ("user name", "password", "role", "site"):
        table.add_column(header)
    for u in users:
        table.add_row(u.username, u.password, u.role_label,
                      f"site {u.site}" if u.site else "all sites")
    console.print(table)
