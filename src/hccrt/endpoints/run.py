"""One call from records to every endpoint's derived dataset and result table (pure; no I/O).

:func:`analyze` derives ADSL, ADRS, ADTTE, ADAE, ADLB, ADSC, ADQS and ADLF for a protocol, then
analyses each endpoint of the catalogue by its kind (:mod:`hccrt.endpoints.analysis`). The CLI
(``hccrt analyze``) writes exactly the objects returned here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from hccrt.endpoints.adae import derive_adae
from hccrt.endpoints.adlb import derive_adlb, derive_adsc
from hccrt.endpoints.adlf import derive_adlf
from hccrt.endpoints.adqs import derive_adqs
from hccrt.endpoints.adrs import derive_adrs_protocol
from hccrt.endpoints.adsl import derive_adsl
from hccrt.endpoints.adtte import derive_adtte
from hccrt.endpoints.analysis import AnalysisContext, analyze_endpoint
from hccrt.errors import InputError
from hccrt.protocols import Protocol, load_builtin
from hccrt.protocols.schema import Endpoint
from hccrt.records import RecordSet


@dataclass
class EndpointResult:
    """One endpoint: its catalogue entry, the rows of the analysis dataset it used, results."""

    endpoint: Endpoint
    dataset: pd.DataFrame
    results: pd.DataFrame


@dataclass
class AnalysisRun:
    """Everything :func:`analyze` derived: ADaM-shaped datasets and per-endpoint results."""

    protocol: Protocol
    datasets: dict[str, pd.DataFrame]
    endpoints: dict[str, EndpointResult]
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def results(self) -> pd.DataFrame:
        """All endpoints' result tables stacked (one tidy table)."""
        return pd.concat([r.results for r in self.endpoints.values()], ignore_index=True)


STEPS = ("ADSL", "ADRS", "ADTTE", "ADAE", "ADLB", "ADSC", "ADQS", "ADLF")


def analyze(records: RecordSet, protocol: str | Protocol, *,
            data_cutoff: str | None = None, missed_assessments: int | None = 2,
            progress: Callable[[str], None] | None = None) -> AnalysisRun:
    """Derive and analyse every endpoint of ``protocol`` from ``records``.

    Args:
        records: the trial's SDTM-shaped record set.
        protocol: a built-in protocol code or a loaded :class:`Protocol`.
        data_cutoff: optional ISO date beyond which follow-up is not used.
        missed_assessments: the missed-assessment censoring rule (see
            :mod:`hccrt.endpoints.tte`); None switches it off.
        progress: called with the name of each step as it starts (for progress bars); the
            steps are :data:`STEPS` then each endpoint id.
    """
    proto = load_builtin(protocol) if isinstance(protocol, str) else protocol
    if not isinstance(proto, Protocol):
        raise InputError("protocol", type(protocol).__name__, "a protocol code or Protocol")
    say = progress or (lambda _s: None)
    timings: dict[str, float] = {}

    def step(name: str, fn: Callable[[], object]) -> object:
        say(name)
        t0 = time.perf_counter()
        out = fn()
        timings[name] = time.perf_counter() - t0
        return out

    adsl = step("ADSL", lambda: derive_adsl(records, proto, data_cutoff))
    adrs = step("ADRS", lambda: derive_adrs_protocol(records, proto, adsl))
    adtte = step("ADTTE", lambda: derive_adtte(adsl, adrs, proto,  # type: ignore[arg-type]
                                               missed_assessments=missed_assessments))
    adae = step("ADAE", lambda: derive_adae(records, proto, adsl))  # type: ignore[arg-type]
    adlb = step("ADLB", lambda: derive_adlb(records, adsl))  # type: ignore[arg-type]
    adsc = step("ADSC", lambda: derive_adsc(records, adsl))  # type: ignore[arg-type]
    adqs = step("ADQS", lambda: derive_adqs(records, adsl))  # type: ignore[arg-type]
    adlf = step("ADLF", lambda: derive_adlf(records, adsl))  # type: ignore[arg-type]
    ctx = AnalysisContext(proto, adsl, adrs, adtte, adae, adlb, adsc, adqs,  # type: ignore[arg-type]
                          lesions_new=adrs.new_lesions,  # type: ignore[attr-defined]
                          adlf=adlf)  # type: ignore[arg-type]
    results: dict[str, EndpointResult] = {}
    for ep in proto.endpoints:
        dataset, table = step(ep.id, lambda ep=ep: analyze_endpoint(ep, ctx))  # type: ignore[misc]
        results[ep.id] = EndpointResult(ep, dataset, table)
    datasets = {"ADSL": adsl, "ADRS": adrs.adrs, "ADTTE": adtte,  # type: ignore[attr-defined]
                "ADAE": adae, "ADLB": adlb, "ADSC": adsc, "ADQS": adqs, "ADLF": adlf}
    return AnalysisRun(proto, datasets, results,  # type: ignore[arg-type]
                       notes=list(adrs.notes), timings=timings)  # type: ignore[attr-defined]
