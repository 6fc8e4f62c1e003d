"""Scoring of the EORTC QLQ-C30 (version 3.0) and its hepatocellular module QLQ-HCC18.

Sources
-------
- QLQ-C30 item-to-scale mapping, linear transformation and missing-item ("half") rule:
  Fayers PM, Aaronson NK, Bjordal K, Groenvold M, Curran D, Bottomley A, on behalf of the EORTC
  Quality of Life Group. *The EORTC QLQ-C30 Scoring Manual*, 3rd ed. Brussels: EORTC, 2001.
  The same mapping and rules are implemented in the R packages QoLR 1.0.3
  (``R/scoring.QLQC30.R``) and PROscorer (``R/qlq_c30.R``), which were used as a cross-check.
- Summary score: Giesinger JM, Kieffer JM, Fayers PM, et al. Replication and validation of
  higher order models demonstrated that a summary score for the EORTC QLQ-C30 is robust.
  *J Clin Epidemiol* 2016;69:79-88. The summary is the mean of 13 scale scores (PF2, RF2, EF, CF,
  SF and 100 minus each of FA, PA, NV, DY, SL, AP, CO, DI); QL2 and FI are excluded. Missing
  rule (variant chosen): the summary is computed only when all 13 component scale scores are
  available, each scored with the half rule. This is EORTC's published instruction for the
  summary score and PROscorer's ``C30SUMMARY`` behaviour (``okmiss = 0``).
- QLQ-HCC18: Blazeby JM et al., *Eur J Cancer* 2004;40:2439-44 (18 items: six multi-item scales
  and two single items) and Chie WC et al., *Hepatology* 2012;55:1122-9 (field validation).
  The item-to-scale mapping below (items numbered 31-48 when the module follows the C30) is the
  one implemented in QoLR 1.0.3 ``R/scoring.QLQHCC18.R``. The EORTC HCC18 scoring addendum is not
  publicly available and could not be checked; the mapping is therefore a documented assumption.
  All HCC18 scales are symptom scales (higher = more symptoms). QoLR scores body image as a
  *functional* scale; that is not followed here (every HCC18 item is worded as a problem, and
  index scores such as Li L et al., *BMC Cancer* 2017;17:8 average all HCC18 scales in the same
  direction).

Transformation (scoring manual)
-------------------------------
RS = mean of the answered items of a scale; range = item maximum minus minimum (3 for the 1-4
items, 6 for items 29-30).

- functional scales: S = (1 - (RS - 1) / range) x 100
- symptom scales / single items and global health status: S = ((RS - 1) / range) x 100

A scale is scored when at least half of its items are answered (so a single-item scale needs
its item). Otherwise its score is missing (``None`` per respondent, ``NaN`` in tables).

Item values are integers in the item's range (1-4; 1-7 for C30 items 29 and 30). Any other
value raises :class:`~hccrt.errors.InputError` naming the item; a missing answer is ``None`` or
``NaN``. The EORTC item wordings are copyrighted and are not reproduced in this module.

Output names: C30 scales use the scoring manual's v3.0 codes (``QL2``, ``PF2`` ...), the
summary is ``SUMSC``. HCC18 scale names are descriptive (``HCC_FATIGUE`` ...), not EORTC codes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Literal

import numpy as np
import pandas as pd

from hccrt.errors import InputError

__all__ = [
    "C30_SCALES",
    "C30_SUMMARY_COMPONENTS",
    "HCC18_SCALES",
    "ScaleDef",
    "qlq_c30_summary",
    "score_qlq_c30",
    "score_qlq_c30_table",
    "score_qlq_hcc18",
    "score_qlq_hcc18_table",
]

ScaleKind = Literal["functional", "symptom", "global"]


@dataclass(frozen=True)
class ScaleDef:
    """One scale: its code, label, kind, item numbers and item response range."""

    code: str
    label: str
    kind: ScaleKind
    items: tuple[int, ...]
    item_min: int = 1
    item_max: int = 4

    @property
    def item_range(self) -> int:
        return self.item_max - self.item_min


# Scoring manual, 3rd ed., table 1 (QLQ-C30 v3.0).
C30_SCALES: dict[str, ScaleDef] = {
    s.code: s
    for s in (
        ScaleDef("QL2", "Global health status / QoL", "global", (29, 30), 1, 7),
        ScaleDef("PF2", "Physical functioning", "functional", (1, 2, 3, 4, 5)),
        ScaleDef("RF2", "Role functioning", "functional", (6, 7)),
        ScaleDef("EF", "Emotional functioning", "functional", (21, 22, 23, 24)),
        ScaleDef("CF", "Cognitive functioning", "functional", (20, 25)),
        ScaleDef("SF", "Social functioning", "functional", (26, 27)),
        ScaleDef("FA", "Fatigue", "symptom", (10, 12, 18)),
        ScaleDef("NV", "Nausea and vomiting", "symptom", (14, 15)),
        ScaleDef("PA", "Pain", "symptom", (9, 19)),
        ScaleDef("DY", "Dyspnoea", "symptom", (8,)),
        ScaleDef("SL", "Insomnia", "symptom", (11,)),
        ScaleDef("AP", "Appetite loss", "symptom", (13,)),
        ScaleDef("CO", "Constipation", "symptom", (16,)),
        ScaleDef("DI", "Diarrhoea", "symptom", (17,)),
        ScaleDef("FI", "Financial difficulties", "symptom", (28,)),
    )
}

# Giesinger 2016: functional scales as scored, symptom scales reversed (100 - score).
C30_SUMMARY_COMPONENTS: tuple[tuple[str, bool], ...] = (
    ("PF2", False),
    ("RF2", False),
    ("SF", False),
    ("EF", False),
    ("CF", False),
    ("FA", True),
    ("PA", True),
    ("NV", True),
    ("DY", True),
    ("SL", True),
    ("AP", True),
    ("CO", True),
    ("DI", True),
)

# QoLR 1.0.3 R/scoring.QLQHCC18.R mapping (items 31-48); all symptom-type (see module docstring).
HCC18_SCALES: dict[str, ScaleDef] = {
    s.code: s
    for s in (
        ScaleDef("HCC_FATIGUE", "Fatigue", "symptom", (45, 46, 47)),
        ScaleDef("HCC_BODY_IMAGE", "Body image", "symptom", (33, 35)),
        ScaleDef("HCC_JAUNDICE", "Jaundice", "symptom", (36, 37)),
        ScaleDef("HCC_NUTRITION", "Nutrition", "symptom", (31, 32, 42, 43, 44)),
        ScaleDef("HCC_PAIN", "Pain", "symptom", (38, 39)),
        ScaleDef("HCC_FEVER", "Fever", "symptom", (40, 41)),
        ScaleDef("HCC_SEXUAL_INTEREST", "Sexual interest", "symptom", (48,)),
        ScaleDef("HCC_ABDOMINAL_SWELLING", "Abdominal swelling", "symptom", (34,)),
    )
}

_C30_ITEMS = tuple(range(1, 31))
_HCC18_ITEMS = tuple(range(31, 49))


def _item_bounds(scales: Mapping[str, ScaleDef]) -> dict[int, tuple[int, int]]:
    bounds: dict[int, tuple[int, int]] = {}
    for scale in scales.values():
        for item in scale.items:
            bounds[item] = (scale.item_min, scale.item_max)
    return bounds


_C30_BOUNDS = _item_bounds(C30_SCALES)
_HCC18_BOUNDS = _item_bounds(HCC18_SCALES)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, Real) and not isinstance(value, Integral):
        return math.isnan(float(value))
    return False


def _check_item(item: int, value: Any, bounds: tuple[int, int], field: str) -> float | None:
    """Return the item value as float, ``None`` when missing; raise InputError otherwise."""
    lo, hi = bounds
    allowed = f"an integer {lo}-{hi}, or None/NaN for a missing answer"
    if _is_missing(value):
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InputError(field, value, allowed, detail=f"item {item} must be a number")
    if isinstance(value, Integral):
        ivalue = int(value)
    else:
        fvalue = float(value)
        if not math.isfinite(fvalue) or fvalue != math.floor(fvalue):
            raise InputError(field, value, allowed, detail=f"item {item} is not a whole number")
        ivalue = int(fvalue)
    if not lo <= ivalue <= hi:
        raise InputError(field, value, allowed, detail=f"item {item} out of range")
    return float(ivalue)


def _normalise_items(
    items: Mapping[Any, Any] | Sequence[Any],
    numbers: tuple[int, ...],
    bounds: Mapping[int, tuple[int, int]],
    instrument: str,
) -> dict[int, float | None]:
    """Turn a sequence (in item order) or a mapping keyed by item number / ``"qN"`` into values."""
    first, last = numbers[0], numbers[-1]
    raw: dict[int, Any] = {}
    if isinstance(items, np.ndarray):
        items = items.tolist() if items.ndim == 1 else items
    if isinstance(items, Mapping):
        for key, value in items.items():
            number: int | None = None
            if isinstance(key, Integral) and not isinstance(key, bool):
                number = int(key)
            elif isinstance(key, str):
                text = key.strip().lower().removeprefix("q")
                if text.isascii() and text.isdigit():
                    number = int(text)
            if number is None or number not in bounds:
                raise InputError(
                    "items",
                    key,
                    f"{instrument} item numbers {first}-{last} (as int or 'qN')",
                )
            raw[number] = value
    elif isinstance(items, Sequence) and not isinstance(items, str | bytes):
        if len(items) != len(numbers):
            raise InputError(
                "items",
                f"{len(items)} values",
                f"exactly {len(numbers)} values for {instrument} items {first}-{last}, "
                "in item order (None for a missing answer)",
            )
        raw = dict(zip(numbers, items, strict=True))
    else:
        raise InputError(
            "items",
            type(items).__name__,
            f"a sequence of {len(numbers)} values or a mapping item number -> value",
        )
    return {n: _check_item(n, raw.get(n), bounds[n], f"q{n}") for n in numbers}


def _score_scale(scale: ScaleDef, values: Mapping[int, float | None]) -> float | None:
    answered = [values[i] for i in scale.items if values[i] is not None]
    if 2 * len(answered) < len(scale.items):
        return None
    raw = sum(answered) / len(answered)  # type: ignore[arg-type]
    fraction = (raw - scale.item_min) / scale.item_range
    if scale.kind == "functional":
        return (1.0 - fraction) * 100.0
    return fraction * 100.0


def qlq_c30_summary(scores: Mapping[str, float | None]) -> float | None:
    """Giesinger 2016 QLQ-C30 summary score from the 13 component scale scores.

    ``scores`` maps scale codes to 0-100 scores (``None``/NaN when missing). Returns ``None``
    unless all 13 components are present (EORTC/PROscorer rule, see module docstring).
    """
    parts: list[float] = []
    for code, reverse in C30_SUMMARY_COMPONENTS:
        value = scores.get(code)
        if _is_missing(value):
            return None
        if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value <= 100:
            raise InputError(code, value, "a scale score from 0 to 100, or None when missing")
        parts.append(100.0 - float(value) if reverse else float(value))
    return sum(parts) / len(parts)


def score_qlq_c30(
    items: Mapping[Any, Any] | Sequence[Any], *, summary: bool = True
) -> dict[str, float | None]:
    """Score one QLQ-C30 v3.0 questionnaire.

    ``items``: 30 answers in item order (``None`` for missing), or a mapping from item number
    (1-30, or ``"q1"``...) to answer; absent keys count as missing. Returns the 15 scale scores
    keyed by manual code (``QL2``, ``PF2``, ``RF2``, ``EF``, ``CF``, ``SF``, ``FA``, ``NV``,
    ``PA``, ``DY``, ``SL``, ``AP``, ``CO``, ``DI``, ``FI``) and, when ``summary`` is true,
    ``SUMSC`` (Giesinger 2016). Missing scores are ``None``.
    """
    values = _normalise_items(items, _C30_ITEMS, _C30_BOUNDS, "QLQ-C30")
    result: dict[str, float | None] = {
        code: _score_scale(scale, values) for code, scale in C30_SCALES.items()
    }
    if summary:
        result["SUMSC"] = qlq_c30_summary(result)
    return result


def score_qlq_hcc18(items: Mapping[Any, Any] | Sequence[Any]) -> dict[str, float | None]:
    """Score one QLQ-HCC18 module (items 31-48 when appended to the QLQ-C30).

    ``items``: 18 answers in item order 31..48, or a mapping from item number (31-48 or
    ``"q31"``...) to answer. Returns the eight scores keyed ``HCC_FATIGUE``,
    ``HCC_BODY_IMAGE``, ``HCC_JAUNDICE``, ``HCC_NUTRITION``, ``HCC_PAIN``, ``HCC_FEVER``,
    ``HCC_SEXUAL_INTEREST``, ``HCC_ABDOMINAL_SWELLING`` (``None`` when missing).
    """
    values = _normalise_items(items, _HCC18_ITEMS, _HCC18_BOUNDS, "QLQ-HCC18")
    return {code: _score_scale(scale, values) for code, scale in HCC18_SCALES.items()}


# --------------------------------------------------------------------------- tables


def _table_items(
    df: pd.DataFrame,
    numbers: tuple[int, ...],
    bounds: Mapping[int, tuple[int, int]],
    item_columns: Mapping[int, str] | None,
) -> dict[int, np.ndarray]:
    if not isinstance(df, pd.DataFrame):
        raise InputError("df", type(df).__name__, "a pandas DataFrame, one row per questionnaire")
    columns = {n: (item_columns or {}).get(n, f"q{n}") for n in numbers}
    missing = [c for c in columns.values() if c not in df.columns]
    if missing:
        raise InputError(
            "columns",
            missing,
            f"columns for items {numbers[0]}-{numbers[-1]} (default names q{numbers[0]}..."
            f"q{numbers[-1]}, or pass item_columns)",
        )
    out: dict[int, np.ndarray] = {}
    for n, col in columns.items():
        series = df[col]
        lo, hi = bounds[n]
        allowed = f"an integer {lo}-{hi}, or empty/NaN for a missing answer"
        if series.dtype == bool:
            raise InputError(col, "boolean column", allowed)
        numeric = pd.to_numeric(series, errors="coerce")
        arr = numeric.to_numpy(dtype=float, na_value=np.nan)
        bad_type = np.isnan(arr) & series.notna().to_numpy()
        if series.dtype == object:  # True/False are not answers (to_numeric would read 1/0)
            bad_type |= series.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(bool)
        finite = np.isfinite(arr)
        bad_value = (~np.isnan(arr)) & (
            ~finite | (arr != np.floor(np.where(finite, arr, 0))) | (arr < lo) | (arr > hi)
        )
        bad = bad_type | bad_value
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise InputError(
                col,
                series.iloc[pos],
                allowed,
                detail=f"item {n}, row {df.index[pos]!r}",
            )
        out[n] = arr
    return out


def _score_scale_array(scale: ScaleDef, arrays: Mapping[int, np.ndarray]) -> np.ndarray:
    stacked = np.column_stack([arrays[i] for i in scale.items])
    answered = ~np.isnan(stacked)
    count = answered.sum(axis=1)
    total = np.where(answered, stacked, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = total / count
    fraction = (raw - scale.item_min) / scale.item_range
    score = (1.0 - fraction) * 100.0 if scale.kind == "functional" else fraction * 100.0
    return np.where(2 * count >= len(scale.items), score, np.nan)


def score_qlq_c30_table(
    df: pd.DataFrame,
    *,
    item_columns: Mapping[int, str] | None = None,
    summary: bool = True,
) -> pd.DataFrame:
    """Score a table of QLQ-C30 questionnaires, one row per questionnaire (vectorized).

    Item columns are ``q1``..``q30`` unless ``item_columns`` maps item numbers to other names.
    Returns a new DataFrame with the same index and one float column per scale (and ``SUMSC``),
    NaN where a score is missing. The first invalid cell raises InputError naming its column,
    value and row.
    """
    arrays = _table_items(df, _C30_ITEMS, _C30_BOUNDS, item_columns)
    scores = {code: _score_scale_array(s, arrays) for code, s in C30_SCALES.items()}
    if summary:
        parts = [
            100.0 - scores[code] if reverse else scores[code]
            for code, reverse in C30_SUMMARY_COMPONENTS
        ]
        stacked = np.column_stack(parts)
        # the mean is NaN as soon as one component is NaN: the all-13 rule
        scores["SUMSC"] = stacked.sum(axis=1) / stacked.shape[1]
    return pd.DataFrame(scores, index=df.index)


def score_qlq_hcc18_table(
    df: pd.DataFrame, *, item_columns: Mapping[int, str] | None = None
) -> pd.DataFrame:
    """Score a table of QLQ-HCC18 modules (columns ``q31``..``q48`` by default), vectorized."""
    arrays = _table_items(df, _HCC18_ITEMS, _HCC18_BOUNDS, item_columns)
    return pd.DataFrame(
        {code: _score_scale_array(s, arrays) for code, s in HCC18_SCALES.items()},
        index=df.index,
    )
