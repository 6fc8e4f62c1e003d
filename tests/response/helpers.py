"""Builders of small lesion tables for scenario tests."""

from __future__ import annotations

from typing import Any

import pandas as pd

VISIT_DATES = ["2024-01-01", "2024-02-12", "2024-03-25", "2024-05-06", "2024-06-17",
               "2024-07-29"]


def visits(*per_visit: list[dict[str, Any]], subject: str = "S1",
           evaluator: str = "INVESTIGATOR") -> pd.DataFrame:
    """Lesion table from lists of lesion dicts, one list per visit (visit 0 = baseline).

    Each dict needs ``lesion_id`` and ``role``; every other column is optional.
    """
    rows = []
    for i, lesions in enumerate(per_visit):
        for les in lesions:
            rows.append({"subject": subject, "evaluator": evaluator, "visit": f"V{i}",
                         "visitnum": float(i), "date": VISIT_DATES[i], **les})
    return pd.DataFrame(rows)


def T(lid: str, ld: float | None = None, **kw: Any) -> dict[str, Any]:
    """A target lesion row."""
    return {"lesion_id": lid, "role": "TARGET", "longest_diameter": ld, **kw}


def NT(lid: str, status: str = "PRESENT", **kw: Any) -> dict[str, Any]:
    """A non-target lesion row."""
    return {"lesion_id": lid, "role": "NON-TARGET", "status": status, **kw}


def NEW(lid: str, status: str = "UNEQUIVOCAL", **kw: Any) -> dict[str, Any]:
    """A new lesion row."""
    return {"lesion_id": lid, "role": "NEW", "status": status, **kw}
