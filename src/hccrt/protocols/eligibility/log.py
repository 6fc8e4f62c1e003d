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
)

__all__ = ["ScreeningLog", "screening_log"]


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
