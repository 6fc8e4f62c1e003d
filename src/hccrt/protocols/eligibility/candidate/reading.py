"""Reading candidates from a CSV (flat columns) or JSON (nested) file."""

from __future__ import annotations

import pandas as pd

from hccrt.errors import InputError
from hccrt.protocols.eligibility.candidate.json_input import ScreeningInput


def read_candidates(path: str, fmt: str | None = None) -> pd.DataFrame:
    """Read candidates from a CSV (flat columns) or JSON (one object or a list) file."""
    fmt = fmt or ("json" if str(path).lower().endswith(".json") else "csv")
    if fmt == "json":
        import json

        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise InputError("input", str(path), "a readable JSON file", str(exc)) from None
        items = data if isinstance(data, list) else [data]
        rows = [ScreeningInput.parse(item).to_row() for item in items]
        return pd.DataFrame(rows)
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError("input", str(path), "a readable CSV file", str(exc)) from None
