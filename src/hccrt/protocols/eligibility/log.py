"""The screening log of one protocol: counts by outcome and by criterion (CONSORT input).

A CONSORT flow diagram's first box needs how many were assessed for eligibility, how many
were excluded and why. :func:`screening_log` gives, from a :class:`BatchResult`:

* ``outcomes``: candidates per overall status (eligible / ineligible / incomplete);
* ``criteria``: per criterion, how many candidates fail it (an inclusion not met or an
  exclusion met), how many fail it *only* (the criterion alone excludes them), how many lack
  data for it and how many await an attestation. A candidate failing several criteria counts
  once under each of them, so the ``failing`` column does not add up to the ineligible total;
  ``only`` does not either (candidates failing two or more are in neither) and is the number
  to quote when a diagram lists single reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hccrt.protocols.eligibility.engine import (
    ATTEST,
    STATUS_NAMES,
    UNKNOWN,
    BatchResult,
    _iso,
)

__all__ = ["ScreeningLog", "ie_records", "screening_log"]


@dataclass(frozen=True)
class ScreeningLog:
    protocol: str
    screened: int
    outcomes: dict[str, int]
    criteria: pd.DataFrame  # criterion, kind, failing, only, unknown, to_attest
    several_reasons: int  # ineligible candidates failing two or more criteria

    def to_markdown(self) -> str:
        lines = [f"Screening log: {self.protocol} ({self.screened} screened)", ""]
        lines += [f"- {k}: {v}" for k, v in self.outcomes.items()]
        lines.append(f"- ineligible for two or more reasons: {self.several_reasons}")
        lines += ["", "| criterion | kind | failing | only reason | unknown | to attest |",
                  "|---|---|---:|---:|---:|---:|"]
        for row in self.criteria.itertuples(index=False):
            lines.append(f"| {row.criterion} | {row.kind} | {row.failing} | {row.only} | "
                         f"{row.unknown} | {row.to_attest} |")
        return "\n".join(lines) + "\n"


def screening_log(batch: BatchResult) -> ScreeningLog:
    """Counts by outcome and by criterion for one protocol's screening batch."""
    fail = batch.failing_mask()
    n_fail = fail.sum(axis=1)
    only = fail & (n_fail == 1)[:, None]
    kinds = np.where(batch.kinds, "inclusion", "exclusion")
    criteria = pd.DataFrame({
        "criterion": batch.criterion_ids,
        "kind": kinds,
        "failing": fail.sum(axis=0).astype(int),
        "only": only.sum(axis=0).astype(int),
        "unknown": (batch.codes == UNKNOWN).sum(axis=0).astype(int),
        "to_attest": (batch.codes == ATTEST).sum(axis=0).astype(int),
    })
    outcomes = {s: int((batch.status == s).sum()) for s in STATUS_NAMES}
    return ScreeningLog(batch.protocol.code, int(batch.facts.n), outcomes, criteria,
                        int((n_fail >= 2).sum()))


def ie_records(batch: BatchResult, studyid: str | None = None) -> pd.DataFrame:
    """The criteria not met, shaped as SDTM IE rows (one per candidate and failing criterion).

    As the records schema describes IE: ``IETESTCD`` numbers the protocol's criteria in order
    (``IN01``.., ``EX01``..), ``IESPID`` holds the criterion id, ``IEORRES``/``IESTRESC`` are
    ``N`` for an inclusion not met and ``Y`` for an exclusion met, ``IEDTC`` is the screening
    date; ``USUBJID`` is the candidate id (map it to the subject id when records are written).
    Only decided failures are listed: unknown and unattested criteria are not results.
    """
    inc_no = exc_no = 0
    codes = []
    for is_inclusion in batch.kinds:
        if is_inclusion:
            inc_no += 1
            codes.append(f"IN{inc_no:02d}")
        else:
            exc_no += 1
            codes.append(f"EX{exc_no:02d}")
    texts = {c.id: c.text for c in batch.protocol.eligibility}
    rows, cols = np.nonzero(batch.failing_mask())
    frame = pd.DataFrame({
        "STUDYID": studyid or batch.protocol.code,
        "DOMAIN": "IE",
        "USUBJID": batch.ids[rows],
        "IESPID": np.array(batch.criterion_ids, dtype=object)[cols],
        "IETESTCD": np.array(codes, dtype=object)[cols],
        "IETEST": [texts[batch.criterion_ids[j]][:200] for j in cols],
        "IECAT": np.where(batch.kinds[cols], "INCLUSION", "EXCLUSION"),
        "IEORRES": np.where(batch.kinds[cols], "N", "Y"),
        "IEDTC": [_iso(d) for d in batch.facts.reference["screening"][rows]],
    })
    frame["IESTRESC"] = frame["IEORRES"]
    frame["IESEQ"] = frame.groupby("USUBJID", sort=False).cumcount() + 1
    order = ["STUDYID", "DOMAIN", "USUBJID", "IESEQ", "IESPID", "IETESTCD", "IETEST", "IECAT",
             "IEORRES", "IESTRESC", "IEDTC"]
    return frame[order]
