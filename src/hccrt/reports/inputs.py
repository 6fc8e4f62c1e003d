"""What a report reads: the records, their checksum and cut-off, and the derived datasets and
per-endpoint results from :mod:`hccrt.endpoints` (and :mod:`hccrt.response` for ADTR).

This module only gathers; it derives nothing. Where the endpoints module does not (yet)
provide a dataset or a result, the field stays ``None`` and the report says so in the
section concerned, rather than computing a substitute.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hccrt.errors import InputError
from hccrt.protocols import Protocol, load_builtin
from hccrt.records import RecordSet, read_csv_dir, read_xpt_dir

__all__ = ["ReportInputs", "checksum", "data_cutoff", "gather", "load_records"]


@dataclass
class ReportInputs:
    """Everything a report is built from."""

    protocol: Protocol
    records: RecordSet
    checksum: str
    data_cutoff: str
    adsl: pd.DataFrame | None = None
    adrs: pd.DataFrame | None = None
    adtr: pd.DataFrame | None = None  # PARCAT3 = criteria label
    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)  # ADTTE, ADAE, ADLB, ADQS
    results: dict[str, Any] = field(default_factory=dict)  # endpoint id -> result (tidy frame)
    analysis: Any = None  # the endpoints module's own analysis object, when it exists
    notes: list[str] = field(default_factory=list)


def load_records(data: str | Path | RecordSet | Any) -> RecordSet:
    """A RecordSet from a folder of CSV or XPT domain files, a RecordSet, or a simulated
    trial (anything with a ``records`` RecordSet)."""
    if isinstance(data, RecordSet):
        return data
    if hasattr(data, "records") and isinstance(data.records, RecordSet):
        return data.records
    path = Path(data)
    if not path.is_dir():
        raise InputError("data", str(data), "a folder of SDTM-shaped CSV or XPT files")
    if any(p.suffix.lower() == ".xpt" for p in path.iterdir()):
        return read_xpt_dir(path)
    return read_csv_dir(path)


def checksum(records: RecordSet) -> str:
    """SHA-256 over the records' content: per domain (in name order) its name, column names
    and pandas' per-row content hash, so the same data give the same checksum whatever folder
    or database they were read from (and it is fast: no text serialisation)."""
    h = hashlib.sha256()
    for code in sorted(records):
        df = records[code]
        h.update(code.encode())
        h.update("\x1f".join(map(str, df.columns)).encode())
        h.update(pd.util.hash_pandas_object(df.astype(object), index=False).to_numpy().tobytes())
    return h.hexdigest()


def data_cutoff(records: RecordSet) -> str:
    """The latest date in the records (the effective data cut-off), ISO 8601."""
    latest = ""
    for df in records.values():
        for c in df.columns:
            if c.endswith("DTC"):
                s = df[c].dropna().astype(str)
                if len(s):
                    latest = max(latest, s.max()[:10])
    return latest or "unknown"


def _call(module: str, name: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    return getattr(mod, name, None)


def gather(protocol: str | Protocol, data: Any,
           progress: Callable[[str], None] | None = None) -> ReportInputs:
    """Read the records and run the derivations and analyses the report shows."""
    say = progress or (lambda _s: None)
    proto = load_builtin(protocol) if isinstance(protocol, str) else protocol
    say("reading records")
    records = load_records(data)
    inp = ReportInputs(proto, records, checksum(records), data_cutoff(records))
    analyze = _call("hccrt.endpoints", "analyze")
    if analyze is not None:  # the endpoints module's analysis run (issue 8), as `hccrt analyze`
        say("deriving and analysing endpoints")
        run = analyze(records, proto, progress=lambda st: say(f"analysing {st}"))
        inp.analysis = run
        inp.datasets = {str(k).upper(): v for k, v in run.datasets.items()}
        inp.adsl = inp.datasets.get("ADSL")
        inp.adrs = inp.datasets.get("ADRS")
        inp.results = dict(run.endpoints)
        inp.notes += list(run.notes)
    else:
        inp.notes.append("hccrt.endpoints has no analysis run yet (issue 8): endpoint "
                         "estimates are not shown; datasets available are used.")
        derive_adsl = _call("hccrt.endpoints.adsl", "derive_adsl")
        if derive_adsl is not None:
            say("deriving ADSL")
            inp.adsl = derive_adsl(records, proto)
        derive_adrs = _call("hccrt.endpoints.adrs", "derive_adrs_protocol")
        if derive_adrs is not None and inp.adsl is not None and "TR" in records:
            say("deriving ADRS")
            inp.adrs = derive_adrs(records, proto, inp.adsl).adrs
    if "ADTR" in inp.datasets:
        inp.adtr = inp.datasets["ADTR"]
    elif "TR" in records:
        say("deriving ADTR")
        inp.adtr = _adtr(records, proto)
    return inp


def _adtr(records: RecordSet, proto: Protocol) -> pd.DataFrame | None:
    """ADTR from the response engine for every criteria set the catalogue names."""
    from hccrt.response import derive_adtr
    from hccrt.response.sdtm import lesions_from_sdtm

    crits: list[str] = []
    for e in proto.endpoints:
        crits += [c.value for c in e.criteria if c.value not in crits]
    if not crits:
        return None
    lesions = lesions_from_sdtm(records["TR"], records.get("TU"), records.get("SUPPTU"))
    inv = lesions["evaluator"].astype("string").str.upper()
    if (inv == "INVESTIGATOR").any():
        lesions = lesions.loc[inv == "INVESTIGATOR"]
    parts = [derive_adtr(lesions, c, errors="flag") for c in crits]
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else None
