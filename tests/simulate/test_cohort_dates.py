"""Dates of the synthetic cohorts respect the order a real trial imposes."""

from __future__ import annotations

import pandas as pd
import pytest

from hccrt.protocols import BUILTIN_CODES
from hccrt.simulate import simulate


@pytest.mark.parametrize("code", BUILTIN_CODES)
def test_no_visit_or_finding_precedes_consent(code: str) -> None:
    """Regression: a planning visit scheduled days before a treatment given soon after consent
    fell before consent (sirt-haic seed 2026, sbrt-bclcc seed 11), which the capture layer
    rightly refuses. Seed 11 with 300 participants reproduced it for sbrt-bclcc."""
    records = simulate(code, n=300, seed=11).records
    consent = pd.to_datetime(records["DM"].set_index("USUBJID")["RFICDTC"])
    for domain in ("SV", "LB", "VS", "QS", "TU", "TR", "RS", "EX", "AE", "XP", "XA"):
        table = records.get(domain)
        if table is None or table.empty:
            continue
        for col in (c for c in table.columns if c.endswith("DTC")):
            when = pd.to_datetime(table[col].astype("string").str[:10], errors="coerce")
            early = when < table["USUBJID"].map(consent)
            assert not early.any(), (domain, col, table.loc[early, "USUBJID"].tolist()[:3])
