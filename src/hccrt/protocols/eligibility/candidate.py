"""Screening input: what a site captures about a candidate, and the facts derived from it.

Two ways in, one table out:

* :class:`ScreeningInput` (pydantic) is one candidate as nested JSON: demographics, labs with
  units, dates and site ULNs, imaging findings, prior treatments and medications with dates,
  99mTc-MAA results, attestations. :meth:`ScreeningInput.to_row` flattens it, deriving the
  treatment-history facts (last locoregional therapy, prior systemic lines, ...) from the
  dated lists.
* A flat table (CSV, one row per candidate, one column per input; see :data:`INPUT_COLUMNS`)
  is read as is.

:func:`facts_frame` validates the flat table column by column (vectorised; a bad cell raises
:class:`~hccrt.errors.InputError` naming the column, the value and what is allowed) and adds
the derived facts from the clinical core and the planning module: age in completed years,
Child-Pugh points and class, Cockcroft-Gault clearance, BCLC and CNLC stage, up-to-seven,
Couinaud contiguity, partition-model lung dose at a reference tumour dose and the untreated
non-tumorous liver fraction. Missing values stay missing (NaN/None): the engine reports them
by name; nothing is guessed.

Conventions
-----------
- Labs: ``<analyte>`` (a number, or a string such as ``"1.2 mg/dL"``), ``<analyte>_unit``,
  ``<analyte>_date`` and ``<analyte>_uln`` (site upper limit of normal, in the same unit).
  A number without a unit is refused: units are explicit.
- Dates: ISO ``YYYY-MM-DD``. For a dated event (``last_locoregional_date`` ...) the word
  ``none`` means the event never happened; an empty cell means unknown.
- Booleans: true/false, yes/no, y/n, 1/0.
- Attestations: columns ``attest:<criterion id>`` (any protocol) or
  ``attest:<protocol code>:<criterion id>``; true/false answer the rule's ``attest`` statement.
- Age: ``birth_date`` (preferred) or ``age`` in completed years at screening. Without a birth
  date, age at consent is taken to be the age at screening.
- Reference dates: lab windows and "within N before screening" count back from
  ``screening_date`` (rescue's "within one month of study enrollment" included: enrolment is
  not known at screening). Windows "prior to initiation of study treatment" count back from
  ``treatment_start_date`` when given, otherwise from the screening date, which can only
  exclude a candidate too early, never admit one wrongly (an event within N days of
  screening is within N days of any later start).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from hccrt.clinical.body import cockcroft_gault_array
from hccrt.clinical.liver import (
    ASCITES,
    ENCEPHALOPATHY,
    ascites_points,
    child_pugh_class_array,
    child_pugh_points_array,
    encephalopathy_points,
)
from hccrt.clinical.staging import bclc, cnlc, couinaud_contiguous, parse_segments, up_to_seven
from hccrt.dosimetry.constants import Y90Constants
from hccrt.dosimetry.plan import untreated_nontumoral_fraction
from hccrt.dosimetry.y90 import lung_dose_gy, mass_kg, partition_activity_for_tumour_dose_gbq
from hccrt.errors import HccrtError, InputError
from hccrt.protocols.eligibility.facts import FACTS, LAB_ANALYTES
from hccrt.units import CANONICAL_UNIT, convert, normalize_unit, parse_quantity

__all__ = [
    "INPUT_COLUMNS",
    "Lab",
    "Medication",
    "PriorTreatment",
    "ScreeningInput",
    "facts_frame",
    "input_columns",
    "lung_dose_at_reference",
    "read_candidates",
]

NEVER = -math.inf  # a dated event that never happened: infinitely long ago

#: Plain facts read straight from a column of the same name (everything not derived, not lab).
PLAIN_FACTS: tuple[str, ...] = tuple(
    n for n, s in FACTS.items() if s.kind != "lab" and not s.is_derived
)
_EXTRA_INPUTS: dict[str, str] = {
    "candidate_id": "text",
    "screening_date": "date",
    "treatment_start_date": "date",
    "birth_date": "date",
    "age": "number",
    "consent_date": "date",
    "segments": "segments",
    "maa_lsf": "number",
    "maa_tnr": "number",
    "tumour_volume_ml": "number",
    "treated_nontumoral_volume_ml": "number",
    "nontumoral_liver_volume_ml": "number",
    "lung_mass_kg": "number",
}
_BOUNDS: dict[str, tuple[float, float, str]] = {
    "age": (0, 120, "years"),
    "maa_lsf": (0, 0.999, "(a fraction)"),
    "maa_tnr": (0.01, 1000, ""),
    "tumour_volume_ml": (0.01, 20000, "mL"),
    "treated_nontumoral_volume_ml": (0, 20000, "mL"),
    "nontumoral_liver_volume_ml": (0.01, 20000, "mL"),
    "lung_mass_kg": (0.1, 5, "kg"),
}
_LAB_SUFFIXES = ("", "_unit", "_date", "_uln")

#: Every column a flat screening table may have (attestation columns come in addition).
INPUT_COLUMNS: tuple[str, ...] = (
    *_EXTRA_INPUTS,
    *(f"{a}{s}" for a in LAB_ANALYTES for s in _LAB_SUFFIXES),
    *(n for n in PLAIN_FACTS if n not in _EXTRA_INPUTS),
)



def input_columns() -> list[tuple[str, str, str]]:
    """(column, type, meaning) of every flat input column, for users preparing a file."""
    extra = {
        "candidate_id": ("text", "identifier, one row per candidate"),
        "screening_date": ("date", "date of the screening assessment (reference of windows)"),
        "treatment_start_date": ("date", "planned start of study treatment (optional)"),
        "birth_date": ("date", "date of birth (age in completed years is derived)"),
        "age": ("number", "age in completed years at screening, if no birth date"),
        "consent_date": ("date", "date written consent was signed"),
        "segments": ("text", "Couinaud segments involved, e.g. 5,6,7"),
        "maa_lsf": ("number", "lung shunt fraction on 99mTc-MAA (0-1)"),
        "maa_tnr": ("number", "tumour-to-normal liver uptake ratio on 99mTc-MAA"),
        "tumour_volume_ml": ("number", "tumour volume, mL"),
        "treated_nontumoral_volume_ml": ("number", "non-tumorous liver in the treated "
                                         "(perfused) volume, mL"),
        "nontumoral_liver_volume_ml": ("number", "total non-tumorous liver volume, mL"),
        "lung_mass_kg": ("number", "lung mass, kg (default 1 kg, label convention)"),
    }
    rows: list[tuple[str, str, str]] = [(k, *v) for k, v in extra.items()]
    for a in LAB_ANALYTES:
        label = FACTS[a].label
        unit = "no unit" if CANONICAL_UNIT[a] == "1" else f"e.g. {CANONICAL_UNIT[a]}"
        rows += [(a, "number", f"{label} (or '1.2 mg/dL' with its unit)"),
                 (f"{a}_unit", "unit", f"unit of {label} ({unit})"),
                 (f"{a}_date", "date", f"date of the {label} result"),
                 (f"{a}_uln", "number", f"site upper limit of normal of {label}, same unit")]
    lab_columns = {f"{a}{suffix}" for a in LAB_ANALYTES for suffix in _LAB_SUFFIXES}
    for name in INPUT_COLUMNS:
        if name in extra or name in lab_columns:
            continue
        spec = FACTS[name]
        kind = spec.kind + (f" ({' / '.join(spec.choices)})" if spec.choices else "")
        kind += f", {spec.unit}" if spec.unit else ""
        rows.append((name, "yes/no" if spec.kind == "bool" else kind, spec.label))
    return rows


_TRUE = {"true", "yes", "y", "1", "t", "1.0"}
_FALSE = {"false", "no", "n", "0", "f", "0.0"}
_EPOCH = np.datetime64("1970-01-01", "D")


# --------------------------------------------------------------------------- JSON schema


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lab(_Model):
    """One laboratory result: value and unit (or ``value`` as ``"1.2 mg/dL"``), date, site ULN."""

    value: float | str
    unit: str | None = None
    date: dt.date | None = None
    uln: float | None = Field(default=None, description="site upper limit of normal, same unit")


class PriorTreatment(_Model):
    """A prior treatment with its date (the last day of it, for a course)."""

    kind: Literal[
        "resection", "transplant", "ablation", "tace", "tae", "tare", "liver_rt",
        "bone_rt_palliative", "other_rt", "systemic", "interferon", "biliary_procedure",
    ]
    date: dt.date | None = None
    setting: Literal["advanced", "adjuvant", "local"] | None = Field(
        default=None, description="systemic therapy: for advanced HCC, adjuvant or local")
    line: int | None = Field(default=None, ge=1, le=20)
    ici_based: bool | None = None
    ongoing: bool = False


class Medication(_Model):
    """A concomitant or recent medication of a screening-relevant class."""

    kind: Literal["corticosteroid", "immunosuppressant", "anticoagulant", "other"]
    name: str | None = None
    systemic: bool = True
    prednisone_equivalent_mg_per_day: float | None = Field(default=None, ge=0, le=2000)
    start: dt.date | None = None
    end: dt.date | None = Field(default=None, description="None: ongoing at screening")


_LOCOREGIONAL = {"ablation", "tace", "tae", "tare", "liver_rt", "other_rt"}
_HCC_TREATMENT = {*_LOCOREGIONAL, "resection", "transplant", "bone_rt_palliative", "systemic"}


def _plain_type(kind: str) -> Any:
    return {
        "bool": bool | None,
        "count": int | None,
        "number": float | None,
        "category": str | None,
        "date": dt.date | Literal["none"] | None,
    }[kind]


_FactFields = create_model(  # type: ignore[call-overload]
    "_FactFields",
    __base__=_Model,
    **{n: (_plain_type(FACTS[n].kind), None) for n in PLAIN_FACTS},
)


class ScreeningInput(_FactFields):  # type: ignore[misc, valid-type]
    """One candidate as captured at screening (every fact of :mod:`.facts` may be given).

    Only ``candidate_id`` and ``screening_date`` are required; anything else missing makes
    the criteria that need it *unknown*, never met.
    """

    candidate_id: str = Field(min_length=1)
    screening_date: dt.date
    treatment_start_date: dt.date | None = None
    birth_date: dt.date | None = None
    age: float | None = Field(default=None, description="completed years at screening")
    consent_date: dt.date | None = None
    segments: list[int | str] | str | None = None
    labs: dict[str, Lab] = Field(default_factory=dict)
    maa_lsf: float | None = None
    maa_tnr: float | None = None
    tumour_volume_ml: float | None = None
    treated_nontumoral_volume_ml: float | None = None
    nontumoral_liver_volume_ml: float | None = None
    lung_mass_kg: float | None = None
    prior_treatments: list[PriorTreatment] | None = Field(
        default=None, description="None: history not captured; []: no prior treatment")
    medications: list[Medication] | None = None
    attestations: dict[str, bool] = Field(default_factory=dict)

    @classmethod
    def parse(cls, data: Any) -> ScreeningInput:
        """Validate ``data``; errors are :class:`InputError` naming the field path."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "candidate"
            raise InputError(where, first.get("input"), first["msg"]) from None

    def to_row(self) -> dict[str, Any]:
        """The flat row :func:`facts_frame` reads (history lists summarised into facts)."""
        row: dict[str, Any] = {}
        for name in (*PLAIN_FACTS, *_EXTRA_INPUTS):
            value = getattr(self, name, None)
            if value is not None:
                row[name] = value.isoformat() if isinstance(value, dt.date) else value
        if isinstance(self.segments, list):
            row["segments"] = ",".join(str(s) for s in self.segments)
        for analyte, lab in self.labs.items():
            if analyte not in LAB_ANALYTES:
                raise InputError(f"labs.{analyte}", analyte, f"one of {', '.join(LAB_ANALYTES)}")
            row[analyte] = lab.value
            row[f"{analyte}_unit"] = lab.unit
            row[f"{analyte}_date"] = lab.date.isoformat() if lab.date else None
            row[f"{analyte}_uln"] = lab.uln
        if self.prior_treatments is not None:
            for key, value in _history(self.prior_treatments).items():
                row.setdefault(key, value)
        if self.medications is not None:
            for key, value in _medications(self.medications, self.screening_date).items():
                row.setdefault(key, value)
        for key, value in self.attestations.items():
            row[f"attest:{key}"] = value
        return row


def _last(dates: Iterable[dt.date | None]) -> str | None:
    ds = list(dates)
    if not ds:
        return "none"
    if any(d is None for d in ds):
        return None  # an undated event: when it was is unknown
    return max(d for d in ds if d is not None).isoformat()


def _history(items: list[PriorTreatment]) -> dict[str, Any]:
    systemic = sorted(
        (t for t in items if t.kind == "systemic" and t.setting in (None, "advanced")),
        key=lambda t: (t.line or 99, t.date or dt.date.max),
    )
    advanced = [t for t in systemic if t.setting == "advanced"]
    out: dict[str, Any] = {
        "prior_hcc_treatment": any(t.kind in _HCC_TREATMENT for t in items),
        "prior_interferon": any(t.kind == "interferon" for t in items),
        "prior_liver_rt": any(t.kind == "liver_rt" for t in items),
        "biliary_procedure": any(t.kind == "biliary_procedure" for t in items),
        "transplant": any(t.kind == "transplant" for t in items),
        "last_locoregional_date": _last(t.date for t in items if t.kind in _LOCOREGIONAL),
        "last_bone_rt_date": _last(t.date for t in items if t.kind == "bone_rt_palliative"),
    }
    if all(t.setting is not None for t in systemic):
        out["prior_systemic_lines_advanced"] = len(advanced)
    if advanced and advanced[0].ici_based is not None:
        out["first_line_ici_based"] = advanced[0].ici_based
    ongoing = [t for t in items if t.kind == "systemic" and t.ongoing]
    out["systemic_therapy_ongoing"] = bool(ongoing)
    if ongoing and all(t.date for t in ongoing):
        out["systemic_therapy_start_date"] = min(t.date for t in ongoing if t.date).isoformat()
    return {k: v for k, v in out.items() if v is not None}


def _medications(items: list[Medication], screening: dt.date) -> dict[str, Any]:
    def active_on(m: Medication) -> bool:
        return m.end is None or m.end >= screening

    suppressive = [
        m for m in items
        if m.systemic and (
            m.kind == "immunosuppressant"
            or (m.kind == "corticosteroid" and (m.prednisone_equivalent_mg_per_day or 0) > 10)
        )
    ]
    undosed = [m for m in items if m.kind == "corticosteroid" and m.systemic
               and m.prednisone_equivalent_mg_per_day is None]
    out: dict[str, Any] = {
        "on_anticoagulant": any(m.kind == "anticoagulant" and active_on(m) for m in items),
    }
    if not undosed:
        out["last_immunosuppression_date"] = _last(
            screening if m.end is None else m.end for m in suppressive)
    return out


# --------------------------------------------------------------------------- reading


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


# --------------------------------------------------------------------------- column parsers


def _is_missing(values: np.ndarray) -> np.ndarray:
    return pd.isna(pd.Series(values, dtype=object)).to_numpy()


def _objects(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df.columns:
        return np.full(len(df), None, dtype=object)
    return df[col].to_numpy(dtype=object, na_value=None)


def _series(df: pd.DataFrame, col: str) -> pd.Series | None:
    return df[col] if col in df.columns else None


def _first(series: pd.Series, mask: np.ndarray) -> Any:
    return series.to_numpy(dtype=object)[np.flatnonzero(mask)[0]]


def _factorized(s: pd.Series, parse: Any, col: str, many: Any = None) -> np.ndarray:
    """``parse`` of every present cell of ``s`` (object array, None where missing).

    Each distinct value is parsed once (``many`` parses the array of distinct values at once
    when given); columns of a plain dtype skip the object conversion.
    """
    out = np.full(len(s), None, dtype=object)
    if len(s) <= 64 or s.dtype == object:
        missing = s.isna().to_numpy()
        out[~missing] = _apply_unique(s.to_numpy(dtype=object)[~missing], parse, col)
        return out
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    parsed = np.empty(len(uniq), dtype=object)  # 1-d even when parse returns tuples
    for k, value in enumerate(many(uniq) if many is not None else (parse(u) for u in uniq)):
        parsed[k] = value
    present = codes >= 0
    out[present] = parsed[codes[present]]
    return out


def _apply_unique(values: np.ndarray, parse: Any, col: str) -> np.ndarray:
    """``parse`` of each element of an object array, computed once per distinct value."""
    if values.size == 0:
        return np.empty(0, dtype=object)
    if values.size <= 64:  # small batches: a dict beats pandas' hashing set-up
        cache: dict[Any, Any] = {}
        out = np.empty(values.size, dtype=object)
        for i, v in enumerate(values):
            key = (type(v), v)
            try:
                if key not in cache:
                    cache[key] = parse(v)
            except TypeError:
                raise InputError(col, v, "a single value per cell") from None
            out[i] = cache[key]
        return out
    try:
        uniques = pd.unique(values)
        codes = pd.Index(uniques, dtype=object).get_indexer(values)
    except TypeError:
        bad = next((v for v in values if not isinstance(v, str | int | float | dt.date)), None)
        raise InputError(col, bad, "a single value per cell") from None
    parsed = np.empty(len(uniques), dtype=object)
    for k, u in enumerate(uniques):
        try:
            parsed[k] = parse(u)
        except TypeError:
            raise InputError(col, u, "a single value per cell") from None
    return parsed[codes]


def _has_odd_objects(s: pd.Series) -> bool:
    """True when an object column holds booleans or containers where numbers belong."""
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind in ("floating", "integer", "mixed-integer-float", "string", "empty", "decimal"):
        return False
    return bool(s.map(lambda v: isinstance(v, bool | np.bool_ | list | dict | tuple | set)
                      ).any())


def _parse_bool(v: Any, col: str) -> float:
    if isinstance(v, bool | np.bool_):
        return float(v)
    if isinstance(v, int | float | np.integer | np.floating) and v in (0, 1):
        return float(v)
    key = str(v).strip().lower()
    if key in _TRUE:
        return 1.0
    if key in _FALSE:
        return 0.0
    raise InputError(col, v, "true or false (yes/no, 1/0)")


def _numbers(s: pd.Series, col: str, lo: float, hi: float, unit: str, whole: bool) -> np.ndarray:
    what = "a whole number" if whole else "a number"
    allowed = f"{what} from {lo:g} to {hi:g} {unit}".strip()
    missing = s.isna().to_numpy()
    if s.dtype == bool or (s.dtype == object and _has_odd_objects(s)):
        raise InputError(col, _first(s, ~missing), allowed)
    try:
        x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise InputError(col, _first(s, ~missing), allowed) from None
    bad = ~missing & ~np.isfinite(x)
    with np.errstate(invalid="ignore"):
        bad |= ~missing & ((x < lo) | (x > hi))
        if whole:
            bad |= ~missing & np.isfinite(x) & (x != np.round(x))
    if bad.any():
        raise InputError(col, _first(s, bad), allowed)
    return np.where(missing, np.nan, x)


def _date_one(v: Any, col: str, allowed: str, allow_never: bool) -> float:
    if isinstance(v, str):
        text = v.strip()
        if text.lower() == "none":
            if not allow_never:
                raise InputError(col, v, allowed)
            return NEVER
        if len(text) != 10:
            raise InputError(col, v, allowed)
        try:
            d = dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(col, v, allowed) from None
    elif isinstance(v, dt.datetime | pd.Timestamp):
        d = v.date()
    elif isinstance(v, dt.date):
        d = v
    elif isinstance(v, np.datetime64) and not np.isnat(v):
        d = v.astype("datetime64[D]").astype(dt.date)
    else:
        raise InputError(col, v, allowed)
    if not 1900 <= d.year <= 2200:
        raise InputError(col, v, "a date between 1900 and 2200")
    return float((np.datetime64(d, "D") - _EPOCH).astype(np.int64))


def _dates(s: pd.Series, col: str, allow_never: bool) -> np.ndarray:
    allowed = "a date YYYY-MM-DD" + (" or 'none' (never happened)" if allow_never else "")

    def one(v: Any) -> float:
        return _date_one(v, col, allowed, allow_never)

    def many(uniq: np.ndarray) -> np.ndarray:
        # ISO strings in one vectorised call; anything else (or a failure) one by one
        text = np.array([u if isinstance(u, str) and len(u) == 10 else "" for u in uniq],
                        dtype=object)
        parsed = pd.to_datetime(pd.Series(text, dtype=object), format="%Y-%m-%d",
                                errors="coerce").to_numpy(dtype="datetime64[D]")
        days = (parsed - _EPOCH).astype(np.int64).astype(float)
        years = parsed.astype("datetime64[Y]").astype(np.int64) + 1970
        good = ~np.isnat(parsed) & (years >= 1900) & (years <= 2200)
        return np.array([days[k] if good[k] else one(u) for k, u in enumerate(uniq)],
                        dtype=object)

    out = np.full(len(s), np.nan)
    values = _factorized(s, one, col, many)
    present = np.array([v is not None for v in values], dtype=bool) if len(s) <= 64 else \
        s.notna().to_numpy()
    out[present] = values[present].astype(float)
    return out


def _column(df: pd.DataFrame, col: str, kind: str, **kw: Any) -> np.ndarray:
    """Parse one column into a float array (NaN missing): numbers, 1.0/0.0, days."""
    s = _series(df, col)
    if s is None:
        return np.full(len(df), np.nan)
    if kind == "bool":
        if s.dtype == bool:
            return s.to_numpy(dtype=float)
        out = np.full(len(df), np.nan)
        values = _factorized(s, lambda v: _parse_bool(v, col), col)
        present = s.notna().to_numpy()
        out[present] = values[present].astype(float)
        return out
    if kind in ("number", "count"):
        return _numbers(s, col, kw.get("lo", -math.inf), kw.get("hi", math.inf),
                        kw.get("unit", ""), kind == "count")
    if kind == "date":
        return _dates(s, col, kw.get("never", True))
    raise AssertionError(kind)


def _category(df: pd.DataFrame, name: str) -> np.ndarray:
    spec = FACTS[name]
    s = _series(df, name)
    if s is None:
        return np.full(len(df), None, dtype=object)

    def parse(v: Any) -> str:
        if not isinstance(v, str):
            raise InputError(name, v, " / ".join(spec.choices))
        if name == "ascites":
            return ASCITES[ascites_points(v) - 1]
        if name == "encephalopathy":
            return ENCEPHALOPATHY[encephalopathy_points(v) - 1]
        key = v.strip()
        for choice in spec.choices:
            if key.lower() == choice.lower():
                return choice
        raise InputError(name, v, " / ".join(spec.choices))

    return _factorized(s, parse, name)


def _lab(df: pd.DataFrame, analyte: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, ULN) in the canonical unit and the result date (days), NaN where missing."""
    n = len(df)
    canonical = CANONICAL_UNIT[analyte]
    value = np.full(n, np.nan)
    uln = np.full(n, np.nan)
    date = _column(df, f"{analyte}_date", "date", never=False)
    s = _series(df, analyte)
    uln_s = _series(df, f"{analyte}_uln")
    if s is None:
        return value, uln, date
    missing = s.isna().to_numpy()
    unit_s = _series(df, f"{analyte}_unit")
    units = (np.full(n, None, dtype=object) if unit_s is None
             else unit_s.to_numpy(dtype=object, na_value=None))
    if s.dtype == bool or (s.dtype == object and _has_odd_objects(s)):
        raise InputError(analyte, _first(s, ~missing), "a lab value, e.g. 1.2 with its unit")
    x = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    written = ~missing & np.isnan(x)  # strings such as "1.2 mg/dL"
    unit_of = units.copy()
    raw = s.to_numpy(dtype=object)
    for i in np.flatnonzero(written):
        q = parse_quantity(raw[i] if isinstance(raw[i], str) else str(raw[i]), analyte)
        if q.unit == "1" and canonical != "1":
            if units[i] is None:
                raise InputError(f"{analyte}_unit", None, "the unit of the value, e.g. mg/dL")
        elif units[i] is not None and normalize_unit(str(units[i]), f"{analyte}_unit") != q.unit:
            raise InputError(f"{analyte}_unit", units[i], f"the unit written in the value "
                             f"({raw[i]})")
        else:
            unit_of[i] = q.unit
        x[i] = q.value
    present = ~missing
    if (~np.isfinite(x[present])).any() or (x[present] < 0).any():
        bad = present & (~np.isfinite(x) | (x < 0))
        raise InputError(analyte, _first(s, bad), "a finite value of at least 0")
    no_unit = present & pd.isna(unit_of)
    if no_unit.any():
        if canonical != "1":
            raise InputError(f"{analyte}_unit", None,
                             f"the unit of every {analyte} value, e.g. "
                             f"{'mg/dL' if analyte in ('bilirubin', 'creatinine') else canonical}")
        unit_of[no_unit] = "1"
    uln_raw = (np.full(n, np.nan) if uln_s is None else
               _numbers(uln_s, f"{analyte}_uln", 0, math.inf, "", False))
    if (uln_raw == 0).any():
        raise InputError(f"{analyte}_uln", 0, "a positive number")
    idx_present = np.flatnonzero(present)
    unit_codes, unit_uniques = pd.factorize(pd.Series(unit_of[present], dtype=object))
    for k, u in enumerate(unit_uniques):
        rows_idx = idx_present[unit_codes == k]
        unit = normalize_unit(str(u), f"{analyte}_unit")
        value[rows_idx] = convert(x[rows_idx], unit, canonical, analyte=analyte, field=analyte)
        uln[rows_idx] = convert(uln_raw[rows_idx], unit, canonical, analyte=analyte,
                                field=f"{analyte}_uln")
    if analyte == "inr" and ((value[present] <= 0) | (value[present] > 20)).any():
        bad = present & ((value <= 0) | (value > 20))
        raise InputError(analyte, _first(s, bad), "an INR greater than 0 and at most 20")
    return value, uln, date


# --------------------------------------------------------------------------- the frame


class Facts:
    """Validated facts of a batch of candidates, column by column (numpy arrays).

    Numeric, count, yes/no (1.0/0.0) and date (days since 1970-01-01; -inf = never) facts are
    float arrays with NaN for missing; categorical facts are object arrays with None.
    ``lab[a]`` holds (value in the canonical unit, site ULN, result date) per analyte.
    ``missing_why[fact]`` names the inputs a derived fact lacked, per row (object array).
    """

    def __init__(self, n: int, ids: np.ndarray, frame: pd.DataFrame) -> None:
        self.n = n
        self.ids = ids
        self.frame = frame
        self.values: dict[str, np.ndarray] = {}
        self.lab: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.inputs: dict[str, np.ndarray] = {}
        self.reference: dict[str, np.ndarray] = {}
        self.attestations: dict[str, np.ndarray] = {}
        self._lung_cache: dict[float, np.ndarray] = {}

    def codes(self, name: str) -> np.ndarray:
        """A categorical fact as int8 indices into its choices (-1 missing), cached."""
        key = f"__codes__{name}"
        if key not in self.inputs:
            self.inputs[key] = category_codes(self.values[name], FACTS[name].choices)
        return self.inputs[key]

    def take(self, rows: np.ndarray) -> Facts:
        """The facts of a subset of rows (used to explain one candidate)."""
        sub = Facts(len(rows), self.ids[rows], self.frame.iloc[rows])
        sub.values = {k: v[rows] for k, v in self.values.items()}
        sub.lab = {k: (a[rows], b[rows], c[rows]) for k, (a, b, c) in self.lab.items()}
        sub.inputs = {k: v[rows] for k, v in self.inputs.items()}
        sub.reference = {k: v[rows] for k, v in self.reference.items()}
        sub.attestations = {k: v[rows] for k, v in self.attestations.items()}
        return sub

    def lung_dose_at(self, tumour_dose_gy: float) -> np.ndarray:
        if tumour_dose_gy not in self._lung_cache:
            self._lung_cache[tumour_dose_gy] = lung_dose_at_reference(self, tumour_dose_gy)
        return self._lung_cache[tumour_dose_gy]


def _completed_years(birth: np.ndarray, on: np.ndarray) -> np.ndarray:
    ok = np.isfinite(birth) & np.isfinite(on)
    out = np.full(len(birth), np.nan)
    if ok.any():
        b = (birth[ok].astype(np.int64) + _EPOCH).astype("datetime64[D]")
        d = (on[ok].astype(np.int64) + _EPOCH).astype("datetime64[D]")
        by, dy = b.astype("datetime64[Y]"), d.astype("datetime64[Y]")
        years = (dy - by).astype(np.int64)
        b_doy = (b - by).astype(np.int64)
        d_doy = (d - dy).astype(np.int64)
        # compare (month, day) rather than day of year, so leap years do not shift birthdays
        bm = (b.astype("datetime64[M]") - by).astype(np.int64)
        dm = (d.astype("datetime64[M]") - dy).astype(np.int64)
        bday = (b - b.astype("datetime64[M]")).astype(np.int64)
        dday = (d - d.astype("datetime64[M]")).astype(np.int64)
        before = (dm < bm) | ((dm == bm) & (dday < bday))
        del b_doy, d_doy
        out[ok] = years - before
    return out


def facts_frame(df: pd.DataFrame) -> Facts:
    """Validate a flat screening table and derive the facts the rules read."""
    if not isinstance(df, pd.DataFrame):
        raise InputError("candidates", type(df).__name__, "a table (pandas DataFrame)")
    df = df.reset_index(drop=True)
    known = set(INPUT_COLUMNS)
    for col in df.columns:
        if not isinstance(col, str) or (col not in known and not col.startswith("attest:")):
            raise InputError(str(col), "(column)", "a screening input column (see "
                             "hccrt.protocols.eligibility.candidate.INPUT_COLUMNS) or attest:...")
    n = len(df)
    if "candidate_id" not in df.columns or _is_missing(_objects(df, "candidate_id")).any():
        raise InputError("candidate_id", None, "an identifier on every row")
    ids = np.array([str(x) for x in _objects(df, "candidate_id")], dtype=object)
    dup = pd.Series(ids).duplicated().to_numpy()
    if dup.any():
        raise InputError("candidate_id", ids[dup][0], "one row per candidate (a duplicate "
                         "would be counted twice in the screening log)")
    f = Facts(n, ids, df)
    screening = _column(df, "screening_date", "date", never=False)
    if np.isnan(screening).any():
        raise InputError("screening_date", None, "a date YYYY-MM-DD on every row")
    start = _column(df, "treatment_start_date", "date", never=False)
    bad = np.isfinite(start) & (start < screening)
    if bad.any():
        raise InputError("treatment_start_date", _iso(start[bad][0]),
                         "a date on or after screening_date")
    f.reference = {"screening": screening, "treatment_start": np.where(np.isnan(start),
                                                                       screening, start)}
    v = f.values
    for name in PLAIN_FACTS:
        spec = FACTS[name]
        if spec.kind == "category":
            v[name] = _category(df, name)
        elif spec.kind == "date":
            v[name] = _column(df, name, "date")
            late = np.isfinite(v[name]) & (v[name] > screening)
            if late.any():
                raise InputError(name, _iso(v[name][late][0]), "a date on or before "
                                 "screening_date")
        else:
            v[name] = _column(df, name, spec.kind, lo=spec.lo if spec.lo is not None else
                              -math.inf, hi=spec.hi if spec.hi is not None else math.inf,
                              unit=spec.unit or "")
    for name, kind in _EXTRA_INPUTS.items():
        if kind == "number":
            lo, hi, unit = _BOUNDS[name]
            f.inputs[name] = _column(df, name, "number", lo=lo, hi=hi, unit=unit)
        elif kind == "date" and name not in ("screening_date", "treatment_start_date"):
            f.inputs[name] = _column(df, name, "date", never=False)
            late = np.isfinite(f.inputs[name]) & (f.inputs[name] > screening)
            if late.any():
                raise InputError(name, _iso(f.inputs[name][late][0]),
                                 "a date on or before screening_date")
    for analyte in LAB_ANALYTES:
        value, uln, date = _lab(df, analyte)
        late = np.isfinite(date) & (date > screening)
        if late.any():
            raise InputError(f"{analyte}_date", _iso(date[late][0]),
                             "a date on or before screening_date")
        f.lab[analyte] = (value, uln, date)
    for col in df.columns:
        if col.startswith("attest:"):
            f.attestations[col.removeprefix("attest:")] = _column(df, col, "bool")
    _derive(f)
    return f


def _iso(days: float) -> str:
    return str((np.int64(days) + _EPOCH).astype("datetime64[D]"))


def _mg_dl(analyte: str, x: np.ndarray) -> np.ndarray:
    return convert(x, CANONICAL_UNIT[analyte], "mg/dL", analyte=analyte)


def category_codes(values: np.ndarray, choices: tuple[str, ...]) -> np.ndarray:
    """Index of each value in ``choices`` (int8), -1 where missing (or not a choice)."""
    codes = np.full(len(values), -1, dtype=np.int8)
    for k, choice in enumerate(choices):
        codes[values == choice] = k
    return codes


def _derive(f: Facts) -> None:
    v, inp = f.values, f.inputs
    screening = f.reference["screening"]
    birth = inp["birth_date"]
    age_given = inp["age"]
    v["age"] = np.where(np.isfinite(birth), _completed_years(birth, screening), age_given)
    at_consent = _completed_years(birth, inp["consent_date"])
    v["age_at_consent"] = np.where(np.isfinite(birth), at_consent, age_given)
    consent = inp["consent_date"]
    v["consent_signed"] = np.where(np.isfinite(consent), 1.0, v["consent_signed"])
    # Cockcroft-Gault (clinical core), defined for adults with plausible inputs
    cr = f.lab["creatinine"][0]
    scr = _mg_dl("creatinine", cr)
    sex = v["sex"]
    sex_code = category_codes(sex, FACTS["sex"].choices)
    female = sex_code == FACTS["sex"].choices.index("female")
    has_sex = sex_code >= 0
    age = v["age"]
    ok = (has_sex & np.isfinite(age) & (age >= 18) & np.isfinite(v["weight_kg"])
          & np.isfinite(scr) & (scr > 0) & (scr <= 30))
    crcl = np.full(f.n, np.nan)
    if ok.any():
        crcl[ok] = cockcroft_gault_array(age[ok], v["weight_kg"][ok], scr[ok], female[ok])
    v["creatinine_clearance"] = crcl
    # Child-Pugh (clinical core)
    asc = category_codes(v["ascites"], ASCITES).astype(float) + 1  # points 1-3
    enc = category_codes(v["encephalopathy"], ENCEPHALOPATHY).astype(float) + 1
    asc[asc == 0] = np.nan
    enc[enc == 0] = np.nan
    bili = _mg_dl("bilirubin", f.lab["bilirubin"][0])
    alb = convert(f.lab["albumin"][0], CANONICAL_UNIT["albumin"], "g/dL", analyte="albumin")
    pts = child_pugh_points_array(bili, alb, f.lab["inr"][0], asc, enc)
    pts = np.where(np.isnan(asc) | np.isnan(enc) | (bili <= 0) | (alb <= 0), np.nan, pts)
    v["child_pugh_points"] = pts
    v["child_pugh_class"] = child_pugh_class_array(pts)
    # Couinaud segments (clinical core)
    def seg_facts(s: Any) -> tuple[float, float]:
        segs = parse_segments(str(s) if not isinstance(s, list) else s)
        return float(len(segs)), float(couinaud_contiguous(segs))

    v["n_segments"] = np.full(f.n, np.nan)
    v["segments_contiguous"] = np.full(f.n, np.nan)
    seg_s = _series(f.frame, "segments")
    if seg_s is not None and seg_s.notna().any():
        if seg_s.dtype == object:
            seg_s = seg_s.map(lambda x: ",".join(map(str, x)) if isinstance(x, list | tuple)
                              else x)
        present = seg_s.notna().to_numpy()
        pairs = _factorized(seg_s, seg_facts, "segments")[present]
        v["n_segments"][present] = [p[0] for p in pairs]
        v["segments_contiguous"][present] = [p[1] for p in pairs]
    _staging(f)


def _staging(f: Facts) -> None:
    """Up-to-seven, BCLC and CNLC through the clinical core, memoised.

    The core functions are scalar. Calling them once per candidate would dominate a large
    batch, so they are called once per distinct tumour (number, largest diameter, vascular
    invasion, extrahepatic spread), and the stages are then computed once per distinct
    (tumour class, ECOG, Child-Pugh class, liver-function call), where the tumour class is
    the pair of stages the core gives that tumour at ECOG 0 and Child-Pugh A, represented
    by its first tumour. Both staging systems decide on performance status and liver
    function independently of the tumour (Reig 2022; CNLC 2022), so every tumour of a class
    gets the stage of its representative; the tests compare this with direct calls.
    """
    v = f.values
    n_les, largest = v["n_lesions"], v["largest_cm"]
    mvi, ehs = v["macrovascular_invasion"], v["extrahepatic_spread"]
    ecog, cp, lf = v["ecog"], v["child_pugh_class"], v["liver_function"]
    ut7 = np.full(f.n, np.nan)
    bclc_st = np.full(f.n, None, dtype=object)
    cnlc_st = np.full(f.n, None, dtype=object)
    why_bclc = np.full(f.n, None, dtype=object)
    rows = np.flatnonzero(np.isfinite(n_les) & np.isfinite(largest) & (largest > 0)
                          & np.isfinite(mvi) & np.isfinite(ehs))
    if rows.size:
        t_codes, t_uniques = _factorize_rows([n_les[rows], largest[rows], mvi[rows],
                                              ehs[rows]])
        classes: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        t_ut7 = np.empty(len(t_uniques))
        t_class = np.empty(len(t_uniques), dtype=object)
        for k, (n, d, m, e) in enumerate(t_uniques):
            kw = {"n_nodules": int(n), "largest_cm": float(d),
                  "macrovascular_invasion": bool(m), "extrahepatic_spread": bool(e)}
            t_ut7[k] = float(up_to_seven(**kw).within)
            key = (cnlc(**kw, ecog=0, child_pugh_class="A").stage,
                   bclc(**kw, ecog=0, child_pugh_class="A").stage, bool(m), bool(e))
            classes.setdefault(key, (int(n), float(d), bool(m), bool(e)))
            t_class[k] = key
        ut7[rows] = t_ut7[t_codes]
        class_id = {key: i for i, key in enumerate(classes)}
        t_class_id = np.array([class_id[c] for c in t_class], dtype=np.int64)
        c_codes, c_uniques = _factorize_rows([
            t_class_id[t_codes], np.nan_to_num(ecog[rows], nan=-1),
            pd.Series(cp[rows], dtype=object).fillna("").to_numpy(dtype=object),
            pd.Series(lf[rows], dtype=object).fillna("").to_numpy(dtype=object)])
        reps = list(classes.values())
        out = [_stage_one(reps[t], e, c or None, l_ or None) for t, e, c, l_ in c_uniques]
        staged = np.array(out, dtype=object).reshape(len(out), 3)[c_codes]
        cnlc_st[rows], bclc_st[rows], why_bclc[rows] = staged[:, 0], staged[:, 1], staged[:, 2]
    v["within_up_to_seven"] = ut7
    v["bclc_stage"] = bclc_st
    v["cnlc_stage"] = cnlc_st
    f.inputs["bclc_missing"] = why_bclc


def _factorize_rows(columns: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """Codes of the distinct rows of several columns, and those rows (in order of codes)."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    parts = []
    for col in columns:
        codes, uniques = pd.factorize(pd.Series(col, dtype=object if col.dtype == object
                                                else col.dtype))
        parts.append(np.asarray(uniques, dtype=object))
        combined = combined * (len(uniques) + 1) + (codes + 1)
    row_codes, _ = pd.factorize(combined)
    where = pd.Series(np.arange(len(combined))).groupby(row_codes).first().to_numpy()
    rows = [tuple(col[i] for col in columns) for i in where]
    return row_codes, rows


def _stage_one(tumour: tuple[int, float, bool, bool], ecog: float, cp: Any,
               lf: Any) -> tuple[str | None, str | None, str | None]:
    """(CNLC stage, BCLC stage, the input BCLC lacked) for one tumour and context."""
    if ecog < 0 or cp is None:
        return None, None, None
    n, d, m, e = tumour
    kw = {"n_nodules": n, "largest_cm": d, "macrovascular_invasion": m,
          "extrahepatic_spread": e, "ecog": int(ecog), "child_pugh_class": cp}
    cn = cnlc(**kw).stage
    try:
        return cn, bclc(**kw, liver_function=lf).stage, None
    except HccrtError:
        return cn, None, "liver_function"


def lung_dose_at_reference(f: Facts, tumour_dose_gy: float) -> np.ndarray:
    """Partition-model lung dose (Gy) when ``tumour_dose_gy`` is given to the tumour.

    From the 99mTc-MAA work-up (LSF, TNR), the tumour and perfused non-tumorous liver volumes
    and the lung mass (default: the label convention of 1 kg), with the planning module's
    constants (:class:`~hccrt.dosimetry.constants.Y90Constants`). NaN where an input is
    missing.
    """
    c = Y90Constants()
    inp = f.inputs
    lung = np.where(np.isnan(inp["lung_mass_kg"]), c.lung_mass_kg, inp["lung_mass_kg"])
    cols = [inp["maa_lsf"], inp["maa_tnr"], inp["tumour_volume_ml"],
            inp["treated_nontumoral_volume_ml"]]
    ok = np.logical_and.reduce([np.isfinite(x) for x in cols]) & (cols[3] > 0)
    out = np.full(f.n, np.nan)
    if ok.any():
        mt = mass_kg(cols[2][ok], c.tumour_density_g_per_ml)
        mn = mass_kg(cols[3][ok], c.liver_density_g_per_ml)
        a = partition_activity_for_tumour_dose_gbq(
            np.full(int(ok.sum()), float(tumour_dose_gy)), mt, mn, cols[1][ok], cols[0][ok],
            c.dose_constant_gy_kg_per_gbq)
        out[ok] = lung_dose_gy(a, cols[0][ok], lung[ok], c.dose_constant_gy_kg_per_gbq)
    return out


def untreated_fraction(f: Facts) -> np.ndarray:
    """Untreated non-tumorous liver fraction, NaN where inputs are missing.

    The planning module's definition (:func:`hccrt.dosimetry.plan.untreated_nontumoral_fraction`,
    EANM 2022: (V_NT,total - V_NT,treated) / V_NT,total), evaluated on whole columns as
    :func:`hccrt.dosimetry.cohort.plan_cohort` does (the tests compare it with the scalar
    function); a treated volume above the total is refused by the scalar function's check.
    """
    total = f.inputs["nontumoral_liver_volume_ml"]
    treated = f.inputs["treated_nontumoral_volume_ml"]
    ok = np.isfinite(total) & np.isfinite(treated)
    out = np.full(f.n, np.nan)
    if ok.any():
        over = ok & (treated > total)
        if over.any():
            i = int(np.flatnonzero(over)[0])
            untreated_nontumoral_fraction(total[i], treated[i])  # raises InputError
        out[ok] = (total[ok] - treated[ok]) / total[ok]
    return out
