"""Shared pieces of the records bridge: value conversions, the load and export contexts, and
the error wrapper that names domain and row."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError

from hccrt.errors import InputError
from hccrt.records import RecordSet
from hccrt.web.audit.bulk import audited_bulk_create
from hccrt.web.core.models import Participant, Protocol

_FAILED = re.compile(r"objects\[(\d+)\] of a bulk create")


class BridgeError(InputError):
    """A record row could not be loaded; names the domain and row too."""


def num_text(x: float | None) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return f"{x:.15g}"


def missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v == "" or v is pd.NA


def text(v: Any) -> str:
    """A record value as form text ('' when missing)."""
    return "" if missing(v) else str(v)


def or_none(v: str | None) -> str | None:
    """Form text as a record value (None when empty)."""
    return v or None


def to_date(v: Any, field: str) -> date | None:
    if missing(v):
        return None
    s = str(v)
    if len(s) < 10:
        raise InputError(field, v, "a complete date YYYY-MM-DD (the forms hold complete dates)")
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        raise InputError(field, v, "an ISO 8601 date YYYY-MM-DD") from None


def to_float(v: Any) -> float | None:
    return None if missing(v) else float(v)


def yn(flag: bool) -> str:
    return "Y" if flag else "N"


def iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def yes_no(v: Any, field: str) -> bool | None:
    """Y/N (or empty) as a boolean."""
    if missing(v):
        return None
    if v not in ("Y", "N"):
        raise InputError(field, v, "Y or N")
    return v == "Y"


@dataclass
class LoadContext:
    """What a domain loader needs: the protocol, the user, the participants loaded from DM,
    the visits loaded from SV, and the rows loaded per domain."""

    records: RecordSet
    protocol: Protocol
    user: Any
    people: dict[str, Participant] = field(default_factory=dict)
    visits: dict[tuple[str, float], Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def table(self, code: str) -> pd.DataFrame | None:
        return self.records.get(code, None)

    def rows(self, code: str) -> list[dict[str, Any]]:
        df = self.table(code)
        return [] if df is None else df.to_dict("records")

    def who(self, row: dict[str, Any]) -> Participant:
        p = self.people.get(row["USUBJID"])
        if p is None:
            raise InputError("USUBJID", row["USUBJID"], "a subject of DM")
        return p

    def visit(self, row: dict[str, Any], required: bool = True) -> Any:
        """The Visit of ``row``'s VISITNUM (loaded from SV), None when VISITNUM is empty."""
        num = row.get("VISITNUM")
        if missing(num):
            if required:
                raise InputError("VISITNUM", num, "a visit number of SV")
            return None
        v = self.visits.get((row["USUBJID"], float(num)))
        if v is None:
            raise InputError("VISITNUM", num, f"a visit of {row['USUBJID']} in SV")
        return v


@dataclass
class ExportContext:
    studyid: str
    participants: list[Participant]
    document: dict[str, Any]
    ids: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ids = {p.pk: p.study_id for p in self.participants}


class row_errors:
    """Re-raise a row's validation error as a BridgeError naming domain and row."""

    def __init__(self, domain: str, index: int) -> None:
        self.domain, self.index = domain, index

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc is None:
            return False
        where = f"{self.domain} row {self.index}"
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            field_name, errors = next(iter(exc.error_dict.items()))
            params = errors[0].params or {}
            raise BridgeError(f"{self.domain}.{field_name}", params.get("value"),
                              str(params.get("rule") or errors[0].message), where) from exc
        if isinstance(exc, InputError) and not isinstance(exc, BridgeError):
            raise BridgeError(f"{self.domain}.{exc.field}", exc.value, exc.allowed,
                              where) from exc
        if isinstance(exc, KeyError):
            raise BridgeError(f"{self.domain}.{exc.args[0]}", None, "a column of the domain",
                              where) from exc
        return False


def bulk_save(ctx: LoadContext, domain: str | list[str], items: list[tuple[int, Any]],
              ) -> None:  # fmt: skip
    """Create the forms of ``items`` ((row index, unsaved form), one model) through the
    audited bulk path (:func:`hccrt.web.audit.bulk.audited_bulk_create`: each form validated
    by its ``clean()``, one audit event each, edit checks); an invalid form raises the
    BridgeError of its record row and nothing is written. ``domain``: the domain of every
    item, or a list with the domain of each."""
    if not items:
        return
    try:
        audited_bulk_create([o for _, o in items], user=ctx.user)
    except (ValidationError, InputError) as exc:
        notes = " ".join(getattr(exc, "__notes__", []))
        match = _FAILED.search(notes)
        k = int(match.group(1)) if match else 0
        where = domain if isinstance(domain, str) else domain[k]
        with row_errors(where, items[k][0] if match else -1):
            raise
