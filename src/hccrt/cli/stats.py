"""``hccrt stats``: ad hoc survival and response statistics on a CSV file.

Every command reads the CSV, hands the named columns to the pure core (:mod:`hccrt.stats`)
and prints its tidy result as a table, or as JSON with ``--json``. Nothing is computed here.
Bad input (a missing file or column, a negative time, an event code other than 0/1) is
refused with a one-line message naming the field, the value and what is allowed, and exit
code 2.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from hccrt import stats
from hccrt.errors import HccrtError, InputError

stats_app = typer.Typer(
    help="Survival and response statistics on a CSV file, validated against R: Kaplan-Meier "
    "(median/quartiles with Brookmeyer-Crowley CIs, landmark rates), log-rank (stratified), "
    "Cox PH, RMST, cumulative incidence, rates with exact CIs, ROC. Add --json for "
    "machine-readable output.",
    no_args_is_help=True,
)

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

Input = Annotated[Path, typer.Option("--input", help="CSV file, one row per participant.")]
TimeCol = Annotated[str, typer.Option("--time", help="Column with the follow-up time.")]
EventCol = Annotated[
    str, typer.Option("--event", help="Column with the event indicator (1 event, 0 censored).")
]
GroupCol = Annotated[str | None, typer.Option("--group", help="Column with the arm / group.")]
StrataCol = Annotated[str | None, typer.Option("--strata", help="Column with the strata.")]
WeightsCol = Annotated[str | None, typer.Option("--weights", help="Column with case weights.")]
ConfType = Annotated[
    str, typer.Option("--conf-type", help="KM CI transform: log-log (default), log or plain.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _read(path: Path, columns: list[str | None]) -> pd.DataFrame:
    if not path.is_file():
        raise InputError("input", str(path), "an existing CSV file")
    try:
        df = pd.read_csv(path)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError("input", str(path), "a readable CSV file", str(exc)) from None
    for c in columns:
        if c is not None and c not in df.columns:
            raise InputError(c, "(missing column)", f"a column of {path.name}: {list(df.columns)}")
    return df


def _clean(value: Any) -> Any:
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def _show(title: str, df: pd.DataFrame) -> None:
    table = Table(title=title, title_justify="left")
    for col in df.columns:
        table.add_column(str(col))
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            v = _clean(v)
            cells.append("NE" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v)))
        table.add_row(*cells)
    _out.print(table)


def _run(compute: Callable[[], dict[str, Any]], as_json: bool) -> None:
    """Run ``compute`` (returns {title: DataFrame or scalar}) and print it, or exit 2."""
    try:
        result = compute()
    except HccrtError as exc:
        _err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    if as_json:
        out = {
            k: _records(v) if isinstance(v, pd.DataFrame) else _clean(v) for k, v in result.items()
        }
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    for key, value in result.items():
        if isinstance(value, pd.DataFrame):
            _show(key, value)
        else:
            _out.print(f"{key}: {_clean(value)}")


def _floats(text: str | None, field: str) -> list[float]:
    if not text:
        return []
    try:
        values = [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise InputError(field, text, "comma-separated numbers, e.g. '6,12,24'") from None
    return values


def _names(text: str | None, field: str) -> list[str]:
    names = [p.strip() for p in (text or "").split(",") if p.strip()]
    if not names:
        raise InputError(field, text, "comma-separated column names, e.g. 'age,ecog'")
    return names


@stats_app.command("km")
def km_cmd(
    input: Input,
    time: TimeCol,
    event: EventCol,
    group: GroupCol = None,
    weights: WeightsCol = None,
    conf_type: ConfType = "log-log",
    times: Annotated[
        str | None, typer.Option("--times", help="Landmark times, e.g. '6,12,24'.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Kaplan-Meier: median and quartiles with Brookmeyer-Crowley CIs, landmark rates."""

    def compute() -> dict[str, Any]:
        df = _read(input, [time, event, group, weights])
        fit = stats.kaplan_meier(
            time, event, group=group, weights=weights, data=df, conf_type=conf_type
        )
        out: dict[str, Any] = {
            "quantiles": fit.quantiles(),
            "conf_type": conf_type,
            "variance": fit.variance,
        }
        lm = _floats(times, "times")
        if lm:
            out["landmarks"] = fit.at(lm)
        return out

    _run(compute, as_json)


@stats_app.command("logrank")
def logrank_cmd(
    input: Input,
    time: TimeCol,
    event: EventCol,
    group: Annotated[str, typer.Option("--group", help="Column with the arm / group.")],
    strata: StrataCol = None,
    rho: Annotated[float, typer.Option(help="G-rho weight (0 = log-rank).")] = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Log-rank test (stratified with --strata), as R survdiff."""

    def compute() -> dict[str, Any]:
        df = _read(input, [time, event, group, strata])
        res = stats.logrank(time, event, group=group, strata=strata, rho=rho, data=df)
        return {"groups": res.table, "chisq": res.chisq, "df": res.df, "p_value": res.p_value}

    _run(compute, as_json)


@stats_app.command("cox")
def cox_cmd(
    input: Input,
    time: TimeCol,
    event: EventCol,
    covariates: Annotated[str, typer.Option("--covariates", help="Numeric columns: 'A,B'.")],
    strata: StrataCol = None,
    weights: WeightsCol = None,
    ties: Annotated[str, typer.Option(help="efron (default) or breslow.")] = "efron",
    as_json: JsonOpt = False,
) -> None:
    """Cox proportional hazards: HRs with Wald CIs; LR, Wald and score tests."""

    def compute() -> dict[str, Any]:
        names = _names(covariates, "covariates")
        df = _read(input, [time, event, strata, weights, *names])
        fit = stats.cox_ph(time, event, names, data=df, strata=strata, weights=weights, ties=ties)
        return {
            "coefficients": fit.table,
            "tests": fit.tests,
            "ties": fit.ties,
            "robust": fit.robust,
            "n": fit.n,
            "events": fit.n_events,
        }

    _run(compute, as_json)


@stats_app.command("rmst")
def rmst_cmd(
    input: Input,
    time: TimeCol,
    event: EventCol,
    tau: Annotated[float, typer.Option("--tau", help="Restriction time (same unit as --time).")],
    group: GroupCol = None,
    weights: WeightsCol = None,
    as_json: JsonOpt = False,
) -> None:
    """Restricted mean survival time to tau, with difference and ratios between groups."""

    def compute() -> dict[str, Any]:
        df = _read(input, [time, event, group, weights])
        res = stats.rmst(time, event, tau=tau, group=group, weights=weights, data=df)
        out: dict[str, Any] = {"rmst": res.table}
        if res.contrasts is not None:
            out["contrasts"] = res.contrasts
        return out

    _run(compute, as_json)


@stats_app.command("cif")
def cif_cmd(
    input: Input,
    time: TimeCol,
    event: Annotated[
        str, typer.Option("--event", help="Column with the cause (0 censored, 1, 2, ...).")
    ],
    group: GroupCol = None,
    strata: StrataCol = None,
    times: Annotated[
        str | None, typer.Option("--times", help="Times to report, e.g. '6,12,24'.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Cumulative incidence (Aalen-Johansen, exact ties) per cause, with Gray's test."""

    def compute() -> dict[str, Any]:
        df = _read(input, [time, event, group, strata])
        res = stats.cumulative_incidence(time, event, group=group, strata=strata, data=df)
        at = _floats(times, "times")
        out: dict[str, Any] = {"incidence": res.at(at) if at else res.table}
        if res.tests is not None:
            out["gray_test"] = res.tests
        return out

    _run(compute, as_json)


@stats_app.command("rate")
def rate_cmd(
    input: Input,
    event: Annotated[str, typer.Option("--event", help="Column with the 0/1 response.")],
    group: GroupCol = None,
    method: Annotated[
        str, typer.Option(help="clopper-pearson (default) or wilson.")
    ] = "clopper-pearson",
    p0: Annotated[float | None, typer.Option("--p0", help="Null rate for a p-value.")] = None,
    time: Annotated[str | None, typer.Option("--time", help="Not used by rates.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Response rate with its exact (Clopper-Pearson) or Wilson CI, by group."""

    def compute() -> dict[str, Any]:
        df = _read(input, [event, group])
        return {"rates": stats.rate(event, group=group, data=df, method=method, p0=p0)}

    _run(compute, as_json)


@stats_app.command("roc")
def roc_cmd(
    input: Input,
    event: Annotated[str, typer.Option("--event", help="Column with the 0/1 outcome.")],
    marker: Annotated[
        str, typer.Option("--marker", help="Column with the predictor, e.g. tumour dose.")
    ],
    n_boot: Annotated[
        int, typer.Option("--n-boot", help="Bootstrap resamples for the Youden CI.")
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed of the bootstrap.")] = 20261122,
    time: Annotated[str | None, typer.Option("--time", help="Not used by ROC.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """ROC: AUC with DeLong CI; Youden-optimal threshold with a bootstrap CI (as pROC)."""

    def compute() -> dict[str, Any]:
        df = _read(input, [event, marker])
        res = stats.roc(event, marker, data=df, n_boot=n_boot, seed=seed)
        auc = pd.DataFrame(
            [
                {
                    "auc": res.auc,
                    "se": res.auc_se,
                    "lower": res.auc_lower,
                    "upper": res.auc_upper,
                    "direction": res.direction,
                    "cases": res.n_cases,
                    "controls": res.n_controls,
                }
            ]
        )
        return {"auc": auc, "youden": pd.DataFrame([res.youden])}

    _run(compute, as_json)
