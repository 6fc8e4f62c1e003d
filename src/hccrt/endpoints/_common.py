"""Small helpers shared by the derivations: dates from ISO text, per-subject extremes.

Dates are pandas ``datetime64[ns]`` (day precision). A partial ``--DTC`` (``YYYY-MM``) is
imputed to the first day of the month (admiral ``derive_vars_dt(highest_imputation = "D",
date_imputation = "first")``, the ADSL/ADTTE convention); ADRS dates come from the response
engine, which imputes the last day as admiralonco does.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from hccrt.errors import InputError
from hccrt.protocols.schema import Duration, DurationUnit
from hccrt.records import RecordSet
from hccrt.response.sdtm import impute_dtc

#: Days per month used for AVAL in months (ADaM convention 365.25 / 12 = 30.4375).
DAYS_PER_MONTH = 365.25 / 12

NAT = pd.NaT


def to_date(dtc: pd.Series) -> pd.Series:
    """Dates from ISO 8601 text (``YYYY-MM`` imputed to the first of the month)."""
    if len(dtc) == 0:
        return pd.Series(pd.NaT, index=dtc.index, dtype="datetime64[ns]")
    # dates repeat (visits): convert each distinct text once
    codes, uniques = pd.factorize(dtc, use_na_sentinel=True)
    conv = impute_dtc(pd.Series(np.asarray(uniques, dtype=object)), "first")[0].to_numpy()
    out = np.full(len(dtc), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = codes >= 0
    out[ok] = conv[codes[ok]]
    return pd.Series(out, index=dtc.index)


def table(records: RecordSet, code: str) -> pd.DataFrame | None:
    """Domain ``code`` of ``records`` or None when absent or empty."""
    if code not in records:
        return None
    df = records[code]
    return df if len(df) else None


def first_per_subject(df: pd.DataFrame, date: pd.Series, how: str = "min") -> pd.Series:
    """Earliest (``min``) or latest (``max``) non-missing date per USUBJID."""
    s = pd.Series(date.to_numpy(), index=df["USUBJID"].astype(str).to_numpy())
    s = s.dropna()
    if s.empty:
        return pd.Series(dtype="datetime64[ns]")
    g = s.groupby(level=0)
    return g.min() if how == "min" else g.max()


def duration_days(d: Duration) -> float:
    """Length of a protocol duration in days (months 30.4375 days, as ADaM AVAL in months)."""
    if d.unit is DurationUnit.MONTHS:
        return d.value * DAYS_PER_MONTH
    return d.approx_days()


def add_duration(dates: pd.Series, d: Duration) -> pd.Series:
    """Calendar arithmetic: ``dates + d`` (months and years as calendar months)."""
    if d.unit in (DurationUnit.MONTHS, DurationUnit.YEARS):
        months = d.value * (12 if d.unit is DurationUnit.YEARS else 1)
        if float(months).is_integer():
            return dates + pd.DateOffset(months=int(months))
    return dates + pd.to_timedelta(round(d.approx_days()), unit="D")


_END_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(day|week|month|year)s?\s+after\s+the\s+last", re.I)


def study_end_offset(text: str) -> Duration | None:
    """The offset in ``end_of_study`` text such as "24 months after the last patient is
    enrolled" (None when the text states no such offset)."""
    m = _END_RE.search(text or "")
    if not m:
        return None
    return Duration(value=float(m.group(1)), unit=DurationUnit(m.group(2).lower() + "s"))


def check_choice(field: str, value: object, allowed: tuple[str, ...] | list[str]) -> None:
    """InputError unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise InputError(field, value, "one of " + ", ".join(map(str, allowed)))


def check_records(records: object) -> RecordSet:
    """``records`` must be a :class:`RecordSet` with a DM domain."""
    if not isinstance(records, RecordSet):
        raise InputError("records", type(records).__name__, "a hccrt.records.RecordSet")
    if "DM" not in records:
        raise InputError("records", sorted(records), "a record set with a DM domain")
    return records


def days_between(end: pd.Series, start: pd.Series) -> np.ndarray:
    """``end - start`` in days as float (NaN where either is missing)."""
    return ((end - start) / pd.Timedelta(days=1)).to_numpy(dtype=float)
