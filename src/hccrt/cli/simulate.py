"""``hccrt simulate``: write a synthetic trial (SDTM-shaped record tables) for a protocol."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from hccrt.errors import HccrtError
from hccrt.records import write_csv_dir, write_xpt_dir

console = Console(stderr=True)

_STAGES = 14  # stages reported by hccrt.simulate.simulate, plus validation and writing


def simulate_command(
    protocol: str = typer.Option(..., "--protocol", "-p", help="Protocol code, e.g. tare-ut7."),
    n: int | None = typer.Option(None, "--n", min=1, max=100_000,
                                 help="Participants enrolled (default: the parameter file's)."),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed (same seed, same cohort)."),
    out: Path = typer.Option(..., "--out", help="Output folder (created if needed)."),
    fmt: str = typer.Option("csv", "--format", help="csv or xpt (SAS transport v5)."),
    parameters: Path | None = typer.Option(None, "--parameters",
                                           help="A parameter YAML file instead of the built-in."),
) -> None:
    """Simulate a complete trial for a protocol and write its record tables."""
    from hccrt.simulate import load_parameters, simulate

    if fmt not in ("csv", "xpt"):
        console.print(f"[red]--format: got {fmt!r}; allowed: csv, xpt[/red]")
        raise typer.Exit(2)
    try:
        params = load_parameters(path=parameters) if parameters else None
        with Progress(TextColumn("{task.description:<32}"), BarColumn(), TimeElapsedColumn(),
                      console=console, transient=False) as bar:
            task = bar.add_task("simulating", total=_STAGES)

            def step(name: str) -> None:
                bar.update(task, advance=1, description=name)

            trial = simulate(protocol, n=n, seed=seed, parameters=params, progress=step)
            bar.update(task, description="validating")
            trial.records.validate()
            bar.update(task, advance=1, description="writing")
            writer = write_csv_dir if fmt == "csv" else write_xpt_dir
            paths = writer(trial.records, out, validate=False)
            bar.update(task, completed=_STAGES, description="done")
    except HccrtError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    enrolled = len(trial.truth)
    screened = len(trial.records["DM"])
    console.print(f"{trial.protocol.code}: {screened} screened, {enrolled} enrolled, "
                  f"{len(paths)} tables written to {out}")
