"""Root of the ``hccrt`` command: registers the command groups."""

from __future__ import annotations

import typer

import hccrt
from hccrt.cli.analyze import analyze_command
from hccrt.cli.audit import audit_app
from hccrt.cli.calc import calc_app
from hccrt.cli.design import design_app
from hccrt.cli.plan import plan_app
from hccrt.cli.protocols import protocols_app
from hccrt.cli.report import report_app
from hccrt.cli.response import response_app
from hccrt.cli.screen import screen
from hccrt.cli.serve import db_app, demo, serve
from hccrt.cli.simulate import simulate_command
from hccrt.cli.stats import stats_app

app = typer.Typer(
    name="hccrt",
    help="hccrt: run clinical trials of liver-directed radiation therapy in HCC, "
    "from screening to the final analysis.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hccrt {hccrt.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """hccrt command line."""


app.command("demo")(demo)
app.command("serve")(serve)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(protocols_app, name="protocols")
app.command("simulate")(simulate_command)
app.add_typer(calc_app, name="calc")
app.add_typer(plan_app, name="plan")
app.add_typer(response_app, name="response")
app.add_typer(stats_app, name="stats")
app.command("screen")(screen)
app.add_typer(design_app, name="design")
app.add_typer(report_app, name="report")
app.command("analyze")(analyze_command)
