"""``hccrt analyze``: derive and analyse every endpoint of a protocol from a folder of records.

Writes, under ``--out``: ``datasets/ADSL.csv`` ... (the ADaM-shaped datasets), and per
endpoint ``endpoints/<id>/dataset.*`` (the rows it used) and ``endpoints/<id>/results.*``
(its tidy result table), each as CSV and Parquet, plus ``results.csv``/``results.parquet``
(all endpoints stacked). The objects written are those :func:`hccrt.endpoints.analyze`
returns.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hccrt.errors import HccrtError, InputError

console = Console(stderr=True)
FORMATS = ("csv", "parquet", "xpt")


def _parquet_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns mixing types (numbers and text) become text, so Arrow can type them."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            kinds = {type(v) for v in out[c].dropna().head(10_000)}
            if len(kinds) > 1:
                out[c] = out[c].map(lambda v: None if v is None or v != v else str(v))
    return out


def write_table(df: pd.DataFrame, stem: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """``df`` as ``stem.csv`` and/or ``stem.parquet``."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    if "csv" in formats:
        df.to_csv(stem.with_suffix(".csv"), index=False, date_format="%Y-%m-%d")
        paths.append(stem.with_suffix(".csv"))
    if "parquet" in formats:
        _parquet_ready(df).to_parquet(stem.with_suffix(".parquet"), index=False)
        paths.append(stem.with_suffix(".parquet"))
    return paths


def write_run(run: object, out: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write an :class:`hccrt.endpoints.AnalysisRun` under ``out``."""
    from hccrt.endpoints import AnalysisRun

    if not isinstance(run, AnalysisRun):
        raise InputError("run", type(run).__name__, "an hccrt.endpoints.AnalysisRun")
    paths: list[Path] = []
    tabular = tuple(f for f in formats if f != "xpt")
    if "xpt" in formats:  # SAS transport v5 of the ADaM datasets (refused, not truncated)
        from hccrt.endpoints.xpt import write_adam_xpt

        paths += write_adam_xpt(run.datasets, out / "xpt")
    if not tabular:
        return paths
    formats = tabular
    for name, df in run.datasets.items():
        paths += write_table(df, out / "datasets" / name, formats)
    for ep_id, res in run.endpoints.items():
        paths += write_table(res.dataset, out / "endpoints" / ep_id / "dataset", formats)
        paths += write_table(res.results, out / "endpoints" / ep_id / "results", formats)
    paths += write_table(run.results(), out / "results", formats)
    return paths


def analyze_command(
    protocol: str = typer.Option(..., "--protocol", "-p", help="Protocol code, e.g. tare-ut7."),
    data: Path = typer.Option(..., "--data", help="Folder of SDTM-shaped CSV record tables."),
    out: Path = typer.Option(..., "--out", help="Output folder (created if needed)."),
    cutoff: str | None = typer.Option(None, "--cutoff", help="Data cut-off date (ISO 8601)."),
    fmt: str = typer.Option("csv,parquet", "--format",
                            help="Comma-separated: csv, parquet, xpt (the ADaM datasets as SAS "
                            "transport v5 files, for submission)."),
) -> None:
    """Derive every endpoint's dataset and analyse it; write CSV and Parquet tables (and the
    ADaM datasets as SAS transport files with ``--format xpt``)."""
    from hccrt.endpoints import STEPS, analyze
    from hccrt.protocols import load_builtin
    from hccrt.records import read_csv_dir

    formats = tuple(f.strip() for f in fmt.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        console.print(f"[red]--format: got {fmt!r}; allowed: a comma-separated subset of "
                      f"{', '.join(FORMATS)}[/red]")
        raise typer.Exit(2)
    if not data.is_dir():
        console.print(f"[red]--data: got {str(data)!r}; allowed: a folder of CSV tables[/red]")
        raise typer.Exit(2)
    try:
        proto = load_builtin(protocol)
        total = 2 + len(STEPS) + len(proto.endpoints)
        with Progress(TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as bar:
            task = bar.add_task("reading records", total=total)
            records = read_csv_dir(data)
            bar.update(task, advance=1)

            def step(name: str) -> None:
                bar.update(task, advance=1, description=name)

            run = analyze(records, proto, data_cutoff=cutoff, progress=step)
            bar.update(task, description="writing")
            paths = write_run(run, out, formats)
            bar.update(task, completed=total, description="done")
    except HccrtError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    for note in run.notes:
        console.print(f"note: {note}")
    console.print(f"{proto.code}: {len(run.endpoints)} endpoints, {len(paths)} files "
                  f"written to {out}")
