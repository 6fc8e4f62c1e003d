"""``hccrt serve``, ``hccrt db`` and ``hccrt demo``: run the web app and set up its database."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import hccrt
from hccrt.cli.django_env import collect_static, migrate, setup_django

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


def run_server(host: str, port: int, workers: int) -> None:
    """Serve the web app with gunicorn (a production WSGI server), in the foreground."""
    collect_static()
    from gunicorn.app.wsgiapp import WSGIApplication

    console.print(f"serving hccrt on http://{host}:{port}  (Ctrl-C to stop)")
    sys.argv = [
        "gunicorn",
        "hccrt.web.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
    ]
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()


def serve(
    host: str = typer.Option("127.0.0.1", help="address to bind"),
    port: int = typer.Option(8000, help="TCP port"),
    workers: int = typer.Option(2, help="gunicorn worker processes"),
) -> None:
    """Serve the web app with gunicorn (migrations are applied first)."""
    migrate()
    run_server(host, port, workers)


def demo(
    no_serve: bool = typer.Option(
        False, "--no-serve", help="do everything but serving (for CI and scripts)"
    ),
    host: str = typer.Option("127.0.0.1", help="address to bind"),
    port: int = typer.Option(8000, help="TCP port"),
) -> None:
    """The walking tour: set up the database, load the five trials, show them, serve the app.

    Uses the embedded SQLite file under ./hccrt-data/ unless HCCRT_DATABASE_URL is set.
    """
    from hccrt.protocols import describe, load_builtins

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
    console.print(
        "Next: `hccrt protocols show rescue` for one trial in full; "
        f"the web pages show the same at http://{host}:{port}/"
    )
    if no_serve:
        return
    os.environ.setdefault("HCCRT_DEMO", "1")
    run_server(host, port, workers=2)
