"""``hccrt screen``: screen candidates against one protocol, or tell which protocols fit.

    hccrt screen --protocol rescue --input candidates.csv [--out results.csv] [--explain]
    hccrt screen --all-protocols --input candidates.json [--out fits.csv]

The input is a CSV (one row per candidate, the flat columns of
:mod:`hccrt.protocols.eligibility.candidate`) or JSON (one candidate object or a list, the
nested :class:`~hccrt.protocols.eligibility.candidate.ScreeningInput` shape). Each candidate
gets one result row: eligible, ineligible (with the failing criteria) or incomplete (with the
missing data and the attestations still needed). ``--explain`` adds every criterion's outcome
and, on the terminal, the values and thresholds behind it. ``--log`` writes the screening log
(counts by outcome and by failing criterion, the input of a CONSORT diagram; one per protocol
into a directory with ``--all-protocols``). Nothing is
computed here: the engine is :mod:`hccrt.protocols.eligibility`. Bad input exits with code 2
and a message naming the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hccrt.errors import HccrtError, InputError
from hccrt.protocols.eligibility.candidate import facts_frame, input_columns, read_candidates
from hccrt.protocols.eligibility.engine import BatchResult, screen_all, screen_frame
from hccrt.protocols.eligibility.log import ie_records, screening_log
from hccrt.protocols.loader import BUILTIN_CODES, load_builtin, load_builtins, load_protocol
from hccrt.protocols.schema import Protocol

__all__ = ["screen"]

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

_STYLE = {"eligible": "green", "ineligible": "red", "incomplete": "yellow", "met": "green",
          "not met": "red", "unknown": "yellow", "needs attestation": "cyan"}


def _protocol(code: str) -> Protocol:
    if code in BUILTIN_CODES:
        return load_builtin(code)
    path = Path(code)
    if path.suffix.lower() in (".yaml", ".yml"):
        return load_protocol(path)
    raise InputError("protocol", code, f"one of {', '.join(BUILTIN_CODES)} or a protocol "
                     "file (.yaml)")


def _write(frame: pd.DataFrame, out: Path) -> None:
    if out.suffix.lower() == ".json":
        frame.to_json(out, orient="records", indent=2)
    else:
        frame.to_csv(out, index=False)


def _details(status: str, failing: str, unknown: str, to_attest: str) -> str:
    if status == "ineligible":
        return "fails " + failing.replace(";", ", ")
    parts = []
    if unknown:
        parts.append("data missing for " + unknown.replace(";", ", "))
    if to_attest:
        parts.append("to attest " + to_attest.replace(";", ", "))
    return "; ".join(parts)


def _one_protocol(batch: BatchResult, explain: bool, out: Path | None,
                  log: Path | None, ie: Path | None = None) -> None:
    frame = batch.to_frame(explain=explain)
    if explain and out is not None:
        whys = [batch.result(i) for i in range(batch.facts.n)]
        for j, cid in enumerate(batch.criterion_ids):
            frame[f"{cid}:why"] = [" | ".join(r.criteria[j].explanation) for r in whys]
    if out is not None:
        _write(frame, out)
        _out.print(f"wrote {len(frame)} result(s) to {out}", markup=False)
    else:
        table = Table(title=f"Screening against {batch.protocol.code}")
        for col in ("candidate", "status", "details"):
            table.add_column(col)
        for row in frame.itertuples(index=False):
            table.add_row(escape(str(row.candidate_id)),
                          f"[{_STYLE[row.status]}]{row.status}[/]",
                          escape(_details(row.status, row.failing, row.unknown, row.to_attest)))
        _out.print(table)
        if explain:
            for i in range(batch.facts.n):
                result = batch.result(i)
                _out.print(f"\n[bold]{escape(result.candidate_id)}[/]: "
                           f"[{_STYLE[result.status]}]{escape(result.summary())}[/]")
                for c in result.criteria:
                    _out.print(f"  [{_STYLE[c.outcome]}]{c.outcome:>17}[/]  "
                               f"{escape(c.kind[:3])} {escape(c.id)}: "
                               f"{escape('; '.join(c.explanation))}")
    if log is not None:
        log.write_text(screening_log(batch).to_markdown(), encoding="utf-8")
        _out.print(f"wrote the screening log to {log}", markup=False)
    if ie is not None:
        records = ie_records(batch)
        _write(records, ie)
        _out.print(f"wrote {len(records)} IE record(s) to {ie}", markup=False)


def _fits(batches: dict[str, BatchResult]) -> pd.DataFrame:
    first = next(iter(batches.values()))
    frame = pd.DataFrame({"candidate_id": first.ids})
    could: list[list[str]] = [[] for _ in range(first.facts.n)]
    once: list[list[str]] = [[] for _ in range(first.facts.n)]
    for code, batch in batches.items():
        frame[code] = batch.status
        only_attest = (batch.status == "incomplete") & ~(batch.codes == -1).any(axis=1)
        for i in range(batch.facts.n):
            if batch.status[i] == "eligible":
                could[i].append(code)
            elif only_attest[i]:
                once[i].append(code)
    frame["eligible_for"] = [";".join(c) for c in could]
    frame["eligible_once_attested"] = [";".join(c) for c in once]
    return frame


def _columns() -> None:
    table = Table(title="Screening input columns (CSV); JSON uses the same names, labs nested")
    for col in ("column", "type", "meaning"):
        table.add_column(col)
    for name, kind, meaning in input_columns():
        table.add_row(escape(name), escape(kind), escape(meaning))
    _out.print(table)
    _out.print("Attestations: columns attest:<criterion id> or attest:<protocol>:<criterion id>"
               " (true/false). Dated events: 'none' = never happened; empty = unknown.",
               markup=False)


def screen(
    input: Annotated[Path | None, typer.Option(
        "--input", help="Candidates: CSV (flat columns) or JSON (one object or a list).")
    ] = None,
    protocol: Annotated[str | None, typer.Option(
        "--protocol", help=f"Protocol code ({', '.join(BUILTIN_CODES)}) or a .yaml file.")
    ] = None,
    all_protocols: Annotated[bool, typer.Option(
        "--all-protocols", help="Tell for each candidate which protocols they could enter.")
    ] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write one result row per candidate (CSV, or JSON by extension).")
    ] = None,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Every criterion's outcome, with values and thresholds.")] = False,
    log: Annotated[Path | None, typer.Option(
        "--log", help="Write the screening log (Markdown) of the protocol; with "
        "--all-protocols, a directory with one log per protocol.")] = None,
    ie: Annotated[Path | None, typer.Option(
        "--ie", help="Write the criteria not met as SDTM IE-shaped rows (CSV).")] = None,
    columns: Annotated[bool, typer.Option(
        "--columns", help="List the input columns a screening file may have, and exit.")
    ] = False,
) -> None:
    """Screen candidates: eligible, ineligible (failing criteria) or incomplete (what is
    missing), per protocol."""
    if columns:
        _columns()
        return
    try:
        if input is None:
            raise InputError("input", None, "a CSV or JSON file of candidates (--input FILE)")
        if all_protocols == (protocol is not None):
            raise InputError("protocol", protocol, "either --protocol CODE or --all-protocols")
        if not input.is_file():
            raise InputError("input", str(input), "an existing CSV or JSON file")
        facts = facts_frame(read_candidates(str(input)))
        if protocol is not None:
            _one_protocol(screen_frame(_protocol(protocol), facts), explain, out, log, ie)
            return
        batches = screen_all(load_builtins(), facts)
        frame = _fits(batches)
        if log is not None:
            log.mkdir(parents=True, exist_ok=True)
            for code, batch in batches.items():
                (log / f"{code}.md").write_text(screening_log(batch).to_markdown(),
                                                encoding="utf-8")
            _out.print(f"wrote {len(batches)} screening logs to {log}", markup=False)
    except HccrtError as exc:
        _err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    if out is not None:
        _write(frame, out)
        _out.print(f"wrote {len(frame)} row(s) to {out}", markup=False)
        return
    table = Table(title="Which protocols could each candidate enter")
    for col, style in (("candidate", ""), ("eligible", "green"), ("once attested", "cyan"),
                       ("data missing", "yellow"), ("ineligible", "red")):
        table.add_column(col, style=style)
    for _, row in frame.iterrows():
        once = set(filter(None, row["eligible_once_attested"].split(";")))
        missing = [c for c in BUILTIN_CODES if row[c] == "incomplete" and c not in once]
        failed = [c for c in BUILTIN_CODES if row[c] == "ineligible"]
        table.add_row(escape(str(row["candidate_id"])),
                      escape(row["eligible_for"].replace(";", ", ") or "-"),
                      escape(", ".join(sorted(once, key=BUILTIN_CODES.index)) or "-"),
                      escape(", ".join(missing) or "-"), escape(", ".join(failed) or "-"))
    _out.print(table)
