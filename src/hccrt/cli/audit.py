"""``hccrt audit verify``: recompute the audit trail's hash chain and report broken links."""

from __future__ import annotations

import typer
from rich.console import Console

from hccrt.cli.django_env import setup_django

console = Console()
audit_app = typer.Typer(help="Audit trail: verify the tamper-evident hash chain.")


@audit_app.callback()
def audit() -> None:
    """Audit trail commands."""


@audit_app.command("verify")
def verify(
    limit: int = typer.Option(100, help="report at most this many problems"),
) -> None:
    """Check every audit event's hash and its link to the previous one; exit 1 if broken."""
    setup_django()
    from hccrt.web.audit.chain import verify as run

    report = run(limit=limit)
    if report.ok:
        console.print(f"audit trail intact: {report.events} events verified in "
                      f"{report.seconds:.1f} s")  # fmt: skip
        return
    console.print(f"[red]audit trail BROKEN[/red]: {len(report.broken)} problem(s) in "
                  f"{report.events} events")  # fmt: skip
    for event_id, problem in report.broken:
        console.print(f"  event {event_id}: {problem}", markup=False)
    raise typer.Exit(1)
