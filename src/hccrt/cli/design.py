"""``hccrt design``: sample size, power and randomization lists from the command line.

Every command calls the pure core (:mod:`hccrt.stats.design`, :mod:`hccrt.stats.power_simulation`,
:mod:`hccrt.stats.randomization`); nothing is computed here. Bad input gets a one-line message
naming the field, the value and what is allowed, and exit code 2. ``--json`` prints the full
result as JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from hccrt.errors import HccrtError, InputError
from hccrt.stats import design as core
from hccrt.stats import power_simulation as ps
from hccrt.stats import randomization as rz

design_app = typer.Typer(
    help="Trial design: exact single-arm binomial and Simon two-stage designs, events and "
    "patients for a log-rank comparison with k:1 allocation (Schoenfeld, Freedman), power by "
    "simulation for sbrt-bclcc and sirt-haic, and concealed stratified randomization lists. "
    "Add --json for machine-readable output.",
    no_args_is_help=True,
)

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
AlphaOpt = Annotated[float, typer.Option(help="Type I error (one-sided for single-arm designs).")]
BetaOpt = Annotated[float, typer.Option(help="Type II error (power = 1 - beta).")]
RatioOpt = Annotated[
    str, typer.Option("--ratio", help="Allocation experimental:control, e.g. 2:1 or 2.")
]


def _emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, default=str))
        return
    for key, value in result.items():
        if isinstance(value, dict):
            _out.print(f"{key}:")
            for k, v in value.items():
                _out.print(f"  {k}: {_fmt(v)}")
        else:
            _out.print(f"{key}: {_fmt(value)}")


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _run(compute: Callable[[], dict[str, Any]], as_json: bool) -> None:
    """Run ``compute``; print its result, or a one-line error and exit 2 on bad input."""
    try:
        result = compute()
    except HccrtError as exc:
        _err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    _emit(result, as_json)


def parse_ratio(text: str, field: str = "ratio") -> tuple[float, ...]:
    """'2:1' -> (2.0, 1.0); '2' -> (2.0, 1.0)."""
    parts = text.split(":") if ":" in text else [text, "1"]
    try:
        vals = tuple(float(p) for p in parts)
    except ValueError:
        raise InputError(field, text, "numbers separated by ':', e.g. 2:1") from None
    if len(vals) != 2 or not all(math.isfinite(v) and v > 0 for v in vals):
        raise InputError(field, text, "two positive numbers, e.g. 2:1 (experimental:control)")
    return vals


@design_app.command("simon")
def simon(
    p0: Annotated[float, typer.Argument(help="Response rate not worth pursuing (H0).")],
    p1: Annotated[float, typer.Argument(help="Response rate worth detecting (H1), > p0.")],
    alpha: AlphaOpt = 0.05,
    beta: BetaOpt = 0.2,
    nmax: Annotated[int, typer.Option(help="Largest total sample size searched.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Simon (1989) optimal and minimax two-stage designs by exact enumeration.

    Stop after stage 1 if responses <= r1 of n1; the treatment is promising if responses > r
    of n. Example: hccrt design simon 0.2 0.4 (optimal 3/13, 12/43).
    """

    def compute() -> dict[str, Any]:
        res = core.simon_two_stage(p0, p1, alpha, beta, nmax)
        if as_json:
            return res.as_dict()
        out = {}
        for d in (res.optimal, res.minimax):
            out[d.kind] = {
                "stage 1: stop if responses <=": f"{d.r1}/{d.n1}",
                "final: promising if responses >": f"{d.r}/{d.n}",
                "EN(p0)": d.en_p0,
                "PET(p0)": d.pet_p0,
                "actual alpha": d.actual_alpha,
                "actual power": d.actual_power,
            }
        out["method"] = res.optimal.method
        return out

    _run(compute, as_json)


@design_app.command("binomial")
def binomial(
    p0: Annotated[float, typer.Argument(help="Response rate not worth pursuing (H0).")],
    p1: Annotated[float, typer.Argument(help="Response rate worth detecting (H1), > p0.")],
    alpha: AlphaOpt = 0.05,
    beta: BetaOpt = 0.2,
    nmax: Annotated[int, typer.Option(help="Largest sample size searched.")] = 500,
    as_json: JsonOpt = False,
) -> None:
    """Exact single-stage binomial design: promising if responses > r of n."""
    _run(lambda: core.binomial_design(p0, p1, alpha, beta, nmax).as_dict(), as_json)


@design_app.command("events")
def events(
    hr: Annotated[float, typer.Option("--hr", help="Hazard ratio experimental/control.")],
    alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
    power: Annotated[float, typer.Option(help="Power.")] = 0.8,
    ratio: RatioOpt = "1:1",
    sides: Annotated[int, typer.Option(help="1 or 2-sided test.")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """Events for a log-rank comparison by Schoenfeld (1983) and Freedman (1982).

    Example: hccrt design events --hr 0.67 --ratio 2:1 (221 and 198 events).
    """

    def compute() -> dict[str, Any]:
        e, c = parse_ratio(ratio)
        k = e / c
        return {
            m: core.logrank_events(hr, alpha, power, k, m, sides).as_dict()
            for m in ("schoenfeld", "freedman")
        }

    _run(compute, as_json)


@design_app.command("sample-size")
def sample_size(
    hr: Annotated[float, typer.Option("--hr", help="Hazard ratio experimental/control.")],
    median_control: Annotated[
        float, typer.Option(help="Median survival in the control arm (months).")
    ],
    accrual: Annotated[float, typer.Option(help="Uniform accrual period (months).")],
    follow_up: Annotated[float, typer.Option(help="Follow-up after the last entry (months).")],
    alpha: Annotated[float, typer.Option(help="Significance level.")] = 0.05,
    power: Annotated[float, typer.Option(help="Power.")] = 0.8,
    ratio: RatioOpt = "1:1",
    method: Annotated[str, typer.Option(help="schoenfeld or freedman.")] = "schoenfeld",
    dropout_hazard: Annotated[float, typer.Option(help="Drop-out hazard per month.")] = 0.0,
    variant: Annotated[str, typer.Option(help="exact or simpson event probability.")] = "exact",
    sides: Annotated[int, typer.Option(help="1 or 2-sided test.")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """Patients needed: events / P(event) under exponential survival and uniform accrual."""

    def compute() -> dict[str, Any]:
        e, c = parse_ratio(ratio)
        return core.sample_size(
            hr, median_control, accrual, follow_up, alpha, power, e / c, method,  # type: ignore[arg-type]
            sides, dropout_hazard, variant,  # type: ignore[arg-type]
        ).as_dict()  # fmt: skip

    _run(compute, as_json)


@design_app.command("power-sim")
def power_sim(
    trial: Annotated[str, typer.Option(help="sbrt-bclcc or sirt-haic.")] = "sbrt-bclcc",
    n_sims: Annotated[int, typer.Option(help="Number of simulated trials.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed (reproducible).")] = 20260101,
    hr: Annotated[float | None, typer.Option("--hr", help="Override the hazard ratio.")] = None,
    median_control: Annotated[
        float | None, typer.Option(help="Override the control median (months).")
    ] = None,
    events: Annotated[
        int | None, typer.Option(help="Event-driven analysis at this many events.")
    ] = None,
    n_experimental: Annotated[int | None, typer.Option(help="Override the arm size.")] = None,
    n_control: Annotated[int | None, typer.Option(help="Override the arm size.")] = None,
    alpha: Annotated[float, typer.Option(help="Two-sided significance level.")] = 0.05,
    as_json: JsonOpt = False,
) -> None:
    """Power of the log-rank test by simulation, next to Schoenfeld and Freedman.

    The scenario's assumptions (and their sources) are printed with the result.
    """

    def compute() -> dict[str, Any]:
        changes = {
            k: v
            for k, v in {
                "hazard_ratio": hr,
                "median_control": median_control,
                "events": events,
                "n_experimental": n_experimental,
                "n_control": n_control,
            }.items()
            if v is not None
        }
        sc = ps.scenario(trial, **changes)
        res = ps.power_by_simulation(sc, n_sims, seed, alpha)
        out = res.as_dict()
        if not as_json:
            out["scenario"] = {
                k: v for k, v in out["scenario"].items() if k not in ("source", "name")
            }
            out["assumptions"] = sc.source
        return out

    _run(compute, as_json)


@design_app.command("randomization-list")
def randomization_list(
    out: Annotated[
        Path, typer.Option("--out", help="File for the sealed list (JSON, includes the seed).")
    ],
    size: Annotated[int, typer.Option(help="Slots per stratum (whole blocks, at least this).")],
    arms: Annotated[
        str, typer.Option(help="Arm names, comma-separated, experimental first.")
    ] = "experimental,control",
    ratio: Annotated[str, typer.Option(help="Integer ratio, e.g. 2:1.")] = "1:1",
    stratum: Annotated[
        list[str] | None,
        typer.Option(help="A stratification factor and its levels, e.g. site=A,B,C (repeat)."),
    ] = None,
    blocks: Annotated[
        str, typer.Option(help="Block sizes as multiples of the ratio sum, e.g. 2,3.")
    ] = "2,3",
    seed: Annotated[
        int | None, typer.Option(help="Stored seed, to reproduce a list (default: fresh).")
    ] = None,
    report: Annotated[bool, typer.Option(help="Also simulate balance and predictability.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Generate a concealed stratified permuted-block list and write it to --out.

    Only the design, slots and fingerprint are printed; the assignments and seed stay in the
    file for data capture and the unblinded statistician.
    """

    def compute() -> dict[str, Any]:
        arm_names = [a.strip() for a in arms.split(",")]
        try:
            weights = tuple(int(x) for x in ratio.split(":"))
        except ValueError:
            raise InputError("ratio", ratio, "integers separated by ':', e.g. 2:1") from None
        try:
            mult = tuple(int(x) for x in blocks.split(","))
        except ValueError:
            raise InputError("blocks", blocks, "integers separated by ',', e.g. 2,3") from None
        factors: dict[str, list[str]] = {}
        for item in stratum or []:
            name, sep, levels = item.partition("=")
            if not sep or not name.strip() or not levels.strip():
                raise InputError("stratum", item, "name=level1,level2,...")
            factors[name.strip()] = [x.strip() for x in levels.split(",")]
        rl = rz.permuted_block_list(arm_names, weights, size, factors or None, mult, seed)
        if out.exists():
            raise InputError("out", str(out), "a file that does not exist yet (never overwritten)")
        out.write_text(rl.model_dump_json(indent=1))
        result: dict[str, Any] = {"written": str(out), **rl.concealed()}
        if report:
            result["balance"] = rz.balance_report(
                rl.arms, rl.ratio, size, block_multipliers=mult, n_sims=2000
            ).as_dict()
        return result

    _run(compute, as_json)
