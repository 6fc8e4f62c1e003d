"""``hccrt report``: the analysis report (and ``hccrt report safety``: the DSMB safety report)
of a protocol, as HTML and/or PDF, from a folder of record files or the web app's database.

Everything is built by :func:`hccrt.reports.build_report`, the same function the web app runs
in the background.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from hccrt.errors import HccrtError

console = Console(stderr=True)

report_app = typer.Typer(
    help="Analysis and safety reports (HTML, PDF) of a protocol: every outcome measure of its "
    "catalogue with figures and tables, traced to the data by cut-off date and checksum. "
    "'hccrt report --protocol CODE --data DIR' builds the analysis report; "
    "'hccrt report safety ...' the safety report for a DSMB.",
    invoke_without_command=True,
)

_PROTOCOL = typer.Option(None, "--protocol", "-p", help="Protocol code, e.g. sbrt-bclcc.")
_DATA = typer.Option(None, "--data", help="Folder of SDTM-shaped CSV or XPT record files.")
_DB = typer.Option(False, "--db", help="Read the records from the web app's database.")
_OUT = typer.Option(Path("reports"), "--out", help="Output folder (created if needed).")
_FORMAT = typer.Option("html,pdf", "--format", help="html, pdf or html,pdf.")


def _data(protocol: str, data: Path | None, db: bool) -> Any:
    if (data is None) == (not db):
        console.print("[red]give exactly one of --data DIR or --db[/red]")
        raise typer.Exit(2)
    if db:
        from hccrt.cli.django_env import setup_django

        setup_django()
        from hccrt.web.capture.bridge import export_records

        return export_records(protocol)
    return data


def _run(protocol: str | None, data: Path | None, db: bool, out: Path, fmt: str,
         kind: str) -> None:
    from hccrt.reports import build_report

    if not protocol:
        console.print("[red]--protocol is required[/red]")
        raise typer.Exit(2)
    formats = [f.strip() for f in fmt.split(",") if f.strip()]
    try:
        source = _data(protocol, data, db)
        with Progress(TextColumn("{task.description:<28}"), BarColumn(), TimeElapsedColumn(),
                      console=console) as bar:
            task = bar.add_task("starting", total=1.0)
            paths = build_report(protocol, source, out, formats,
                                 lambda stage, frac: bar.update(task, completed=frac,
                                                                description=stage),
                                 kind=kind)
    except HccrtError as exc:
        console.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    for f, p in paths.items():
        typer.echo(f"{f}: {p}")


@report_app.callback()
def report(
    ctx: typer.Context,
    protocol: str | None = _PROTOCOL,
    data: Path | None = _DATA,
    db: bool = _DB,
    out: Path = _OUT,
    fmt: str = _FORMAT,
) -> None:
    """Build the analysis report of a protocol."""
    if ctx.invoked_subcommand is not None:
        return
    _run(protocol, data, db, out, fmt, "analysis")


@report_app.command("safety")
def safety(
    protocol: str | None = _PROTOCOL,
    data: Path | None = _DATA,
    db: bool = _DB,
    out: Path = _OUT,
    fmt: str = _FORMAT,
    open_version: bool = typer.Option(
        False, "--open", help="Open version: arms pooled, for blinded audiences "
        "(default: closed version by arm, for the DSMB)."),
) -> None:
    """Build the safety report (DSMB): enrolment, exposure, AEs/SAEs, deaths, labs, deviations."""
    _run(protocol, data, db, out, fmt, "safety-open" if open_version else "safety-closed")
