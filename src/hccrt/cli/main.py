"""Root of the ``hccrt`` command: the command groups, each loaded only when it is used.

Each group lives in a module of its own under :mod:`hccrt.cli`; the modules import heavy
libraries (SciPy, pandas, Django) that a command such as ``hccrt protocols list`` does not
need, so the root imports a module only when its command runs (or when help lists them all).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

import hccrt

# name -> (module, attribute): a typer.Typer (a command group) or a function (one command).
# The order is the order of `hccrt --help`: the path of a trial, then the tools.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("hccrt.cli.serve", "demo"),
    "protocols": ("hccrt.cli.protocols", "protocols_app"),
    "screen": ("hccrt.cli.screen", "screen"),
    "calc": ("hccrt.cli.calc", "calc_app"),
    "plan": ("hccrt.cli.plan", "plan_app"),
    "design": ("hccrt.cli.design", "design_app"),
    "simulate": ("hccrt.cli.simulate", "simulate_command"),
    "response": ("hccrt.cli.response", "response_app"),
    "analyze": ("hccrt.cli.analyze", "analyze_command"),
    "stats": ("hccrt.cli.stats", "stats_app"),
    "report": ("hccrt.cli.report", "report_app"),
    "serve": ("hccrt.cli.serve", "serve"),
    "db": ("hccrt.cli.serve", "db_app"),
    "audit": ("hccrt.cli.audit", "audit_app"),
}


def load_command(name: str) -> Any:
    """The click command behind ``hccrt NAME``, importing its module now."""
    module, attribute = COMMANDS[name]
    target = getattr(import_module(module), attribute)
    if isinstance(target, typer.Typer):
        # A group stays a group even with one subcommand (`hccrt response derive`).
        command = typer.main.get_group(target)
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in COMMANDS:
            return load_command(cmd_name)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    name="hccrt",
    cls=LazyGroup,
    help="hccrt: run clinical trials of liver-directed radiation therapy in HCC, "
    "from screening to the final analysis. `hccrt demo` shows every command at work.",
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
