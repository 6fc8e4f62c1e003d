"""``hccrt protocols``: list, show, validate and load trial protocol files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hccrt.protocols import BUILTIN_CODES, ProtocolFileError, describe, load_builtin, load_protocol
from hccrt.protocols.schema import Protocol

protocols_app = typer.Typer(
    help="The trial protocols: the five reference trials ship with hccrt; any file can be "
    "validated against the schema.",
    no_args_is_help=True,
)
console = Console()
error_console = Console(stderr=True)


def _load(code_or_file: str) -> Protocol:
    path = Path(code_or_file)
    if code_or_file not in BUILTIN_CODES and (path.suffix in {".yaml", ".yml"} or path.exists()):
        return load_protocol(path)
    return load_builtin(code_or_file)


def _table(title: str, headers: list[str], rows: list[tuple[str, ...]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=True)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    return table


@protocols_app.command("list")
def list_protocols() -> None:
    """List the built-in protocols with their design and number of outcome measures."""
    table = Table(title="hccrt reference trials", title_justify="left")
    for header in ("code", "trial", "phase", "design", "target n", "outcome measures"):
        table.add_column(header, overflow="fold")
    for code in BUILTIN_CODES:
        p = load_builtin(code)
        counts = ", ".join(f"{n} {role}" for role, n in describe.endpoint_counts(p).items())
        table.add_row(
            p.code,
            p.identity.short_title,
            p.identity.phase,
            escape(describe.design_text(p)),
            str(p.identity.target_enrolment or "—"),
            counts,
        )
    console.print(table)


@protocols_app.command("show")
def show(
    code: str = typer.Argument(..., help=f"a built-in code ({', '.join(BUILTIN_CODES)}) or a file"),
    section: list[str] = typer.Option(
        None,
        "--section",
        "-s",
        help="only these sections: arms, schedule, planning, endpoints, eligibility",
    ),
) -> None:
    """Show a protocol's arms, schedule, planning limits, outcome measures and eligibility."""
    try:
        p = _load(code)
    except ProtocolFileError as exc:
        error_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    wanted = set(section or ["arms", "schedule", "planning", "endpoints", "eligibility"])
    ident = p.identity
    console.print(f"[bold]{ident.short_title}[/bold] ({p.code}, version {p.version})")
    console.print(escape(ident.title))
    console.print(
        f"Registry: {', '.join(ident.registry_ids) or '—'} · Sponsor: {ident.sponsor or '—'} · "
        f"Phase {ident.phase} · Target n: {ident.target_enrolment or '—'}"
    )
    console.print(f"Design: {escape(describe.design_text(p))}")
    console.print(f"End of study: {p.end_of_study}\n")
    if "arms" in wanted:
        console.print(
            _table("Arms", ["id", "arm", "role", "interventions"], describe.arm_rows(p))
        )
    if "schedule" in wanted:
        console.print(
            _table(
                "Schedule of assessments",
                ["id", "visit", "timing", "window", "assessments", "arms"],
                describe.schedule_rows(p),
            )
        )
    if "planning" in wanted:
        console.print(
            _table(
                "Treatment-planning limits",
                ["id", "quantity", "limit", "applies at", "arms"],
                describe.planning_rows(p),
            )
        )
    if "endpoints" in wanted:
        counts = ", ".join(f"{n} {role}" for role, n in describe.endpoint_counts(p).items())
        console.print(
            _table(
                f"Outcome measures ({counts})",
                ["id", "role", "measure", "kind", "criteria", "population"],
                describe.endpoint_rows(p),
            )
        )
    if "eligibility" in wanted:
        console.print(
            _table(
                f"Eligibility ({len(p.eligibility)} criteria)",
                ["id", "kind", "criterion"],
                [(c.id, c.kind, c.text) for c in p.eligibility],
            )
        )


@protocols_app.command("validate")
def validate(files: list[Path] = typer.Argument(..., help="protocol YAML file(s)")) -> None:
    """Validate protocol files against the schema.

    Exit code 0 when every file is valid, 2 when any is not; each problem names the file,
    the field path (e.g. endpoints[3]{orr}.origin.source) and what is wrong.
    """
    failed = False
    for path in files:
        try:
            p = load_protocol(path)
        except ProtocolFileError as exc:
            failed = True
            error_console.print(f"[red]{exc}[/red]")
            continue
        console.print(
            f"[green]valid[/green] {path}: {p.code} v{p.version}, {len(p.arms)} arm(s), "
            f"{len(p.schedule.visits)} visit(s), {len(p.eligibility)} criteria, "
            f"{len(p.endpoints)} outcome measures"
        )
    if failed:
        raise typer.Exit(2)


@protocols_app.command("load")
def load(
    files: list[Path] = typer.Argument(
        None, help="protocol files to load; none loads the five built-in trials"
    ),
) -> None:
    """Load protocols into the database (a new version only when the content changed)."""
    from hccrt.cli.django_env import migrate

    migrate()
    from hccrt.web.core.services import load_builtin_protocols, store_protocol

    try:
        if files:
            results = [store_protocol(load_protocol(f), source=str(f)) for f in files]
        else:
            results = load_builtin_protocols()
    except ProtocolFileError as exc:
        error_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    for r in results:
        state = "new version" if r.created else "unchanged"
        console.print(f"{r.code}: {state} ({r.content_hash[:12]})")
