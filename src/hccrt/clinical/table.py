"""Every computable clinical score added to each row of a participant table.

The engine behind ``hccrt calc table`` (and any caller with a DataFrame): column names are
case-insensitive, lab values carry their unit (in the cell or in ``<column>_unit``), and each
score is computed by the pure core functions of :mod:`hccrt.clinical` and
:mod:`hccrt.units`; a row whose inputs are absent gets an empty score, and a row whose inputs
are invalid gets the reason in ``calc_errors`` instead of a crash. :data:`TABLE_COLUMNS_DOC`
lists the input and output columns.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from hccrt.clinical import body, liver, staging
from hccrt.errors import HccrtError, InputError
from hccrt.units import ANALYTES, CANONICAL_UNIT, as_value, convert

__all__ = ["TABLE_COLUMNS_DOC", "parse_number_list", "score_table"]


def parse_number_list(text: str | None, field: str) -> list[float] | None:
    """Numbers separated by commas or semicolons (e.g. nodule sizes "3.0;2.5"); None stays None."""
    if text is None:
        return None
    try:
        values = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise InputError(field, text, "comma-separated numbers, e.g. '3.0,2.5,1.0'") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise InputError(field, text, "comma-separated finite numbers, e.g. '3.0,2.5,1.0'")
    return values


TABLE_COLUMNS_DOC = """Add every computable score to each row of a CSV table.

Input columns (any subset; names are case-insensitive). Lab columns hold either a value with
its unit ("1.2 mg/dL") or a number with the unit in a column named <column>_unit
(bilirubin_unit, ...): bilirubin, albumin, inr, creatinine, sodium; clinical: ascites
(none/slight/moderate-severe), encephalopathy (none/grade 1-2/grade 3-4), dialysis (true/false),
sex (female/male), age (years), weight_kg, height_cm, ecog (0-4), child_pugh_class (A/B/C,
used for staging when it cannot be computed), liver_function (preserved/end-stage),
nodules ("3.0;2.5" cm) or n_nodules with largest_cm, macrovascular_invasion,
extrahepatic_spread (true/false), segments ("5;6;7").

Output columns added: child_pugh_points, child_pugh_class, albi_score, albi_grade,
malbi_grade, meld, meld_na, meld3, crcl_cockcroft_gault, bsa_mosteller, bsa_dubois, bclc,
cnlc, milan, up_to_seven_total, up_to_seven, couinaud_contiguous, and calc_errors (why a
score could not be computed for that row). A score whose inputs are absent is left empty.

CTCAE v5.0: for each analyte column present (bilirubin, albumin, creatinine, hemoglobin,
platelets, neutrophils, wbc, lymphocytes, ast, alt, alp, ggt, inr, sodium, potassium), with
optional <analyte>_uln, <analyte>_lln and <analyte>_baseline columns (with unit, or in
<analyte>_unit) and optional anticoagulated / symptomatic columns (true/false), the columns
ctcae_<analyte>_grade and ctcae_<analyte>_reason (why not gradable) are added.

EORTC: with all of q1..q30, the QLQ-C30 scores qlq_c30_QL2 ... qlq_c30_FI and qlq_c30_SUMSC;
with all of q31..q48, the QLQ-HCC18 scores qlq_hcc18_HCC_FATIGUE ... (empty answer = missing).
"""


_LIVER_LABS = ("bilirubin", "albumin", "inr", "creatinine", "sodium")
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


class _Table:
    """Column access and per-row error collection for ``calc table``."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df
        self.n = len(df)
        self.cols = {c.strip().lower(): c for c in df.columns}
        self.errors: list[list[str]] = [[] for _ in range(self.n)]
        self._raw: dict[str, pd.Series] = {}

    def raw(self, name: str) -> pd.Series | None:
        """Column as stripped strings, <NA> where empty; None when the table has no such column."""
        if name in self._raw:
            return self._raw[name]
        col = self.cols.get(name)
        if col is None:
            return None
        s = self.df[col].astype("string").str.strip()
        self._raw[name] = s.mask(s == "")
        return self._raw[name]

    def _map_unique(self, name: str, series: pd.Series, parse: Callable[[str], Any]) -> pd.Series:
        """Parse each distinct cell once with the core's scalar validator; errors per row.

        Returns an object Series of parsed values, None where the cell is empty or invalid.
        """
        ok: dict[str, Any] = {}
        bad: dict[str, str] = {}
        for cell in series.dropna().unique():
            try:
                ok[cell] = parse(cell)
            except HccrtError as exc:
                bad[cell] = str(exc)
        if bad:
            cells = series.to_numpy(dtype=object)
            for idx in np.flatnonzero(series.isin(list(bad)).to_numpy(dtype=bool)):
                self.errors[idx].append(bad[cells[idx]])
        mapped = series.astype(object).map(ok)
        return mapped.astype(object).where(mapped.notna(), None)

    def lab(
        self, name: str, unit: str, *, analyte: str | None = None, unit_from: str | None = None
    ) -> np.ndarray:
        """Lab column as floats in ``unit`` (NaN when absent or invalid).

        The unit of a bare number comes from the column ``<unit_from or name>_unit``. The five
        liver-score analytes are validated by :func:`hccrt.clinical.liver.lab_value`
        (plausibility bounds); other analytes must be >= 0.
        """
        s = self.raw(name)
        if s is None:
            return np.full(self.n, np.nan)
        unit_col = self.raw(f"{unit_from or name}_unit")
        if unit_col is not None:
            s = (s + " " + unit_col.fillna("")).str.strip().mask(s.isna())
        analyte = analyte or name
        if analyte in _LIVER_LABS:
            parse = lambda cell: liver.lab_value(cell, analyte, unit, field=name)  # noqa: E731
        else:

            def parse(cell: str) -> float:
                x = as_value(cell, unit, analyte=analyte, field=name)
                if x < 0:
                    raise InputError(name, cell, f">= 0 {unit}")
                return x

        return self._map_unique(name, s, parse).astype(float).to_numpy()

    def number(self, name: str, check: Callable[[float], float]) -> np.ndarray:
        s = self.raw(name)
        if s is None:
            return np.full(self.n, np.nan)

        def parse(cell: str) -> float:
            try:
                value = float(cell)
            except ValueError:
                raise InputError(name, cell, "a number") from None
            return check(value)

        return self._map_unique(name, s, parse).astype(float).to_numpy()

    def choice(self, name: str, parse: Callable[[str], Any]) -> pd.Series:
        s = self.raw(name)
        if s is None:
            return pd.Series([None] * self.n, dtype=object)
        return self._map_unique(name, s, parse).astype(object).reset_index(drop=True)

    def flag(self, name: str) -> pd.Series:
        def parse(cell: str) -> bool:
            key = cell.lower()
            if key in _TRUE:
                return True
            if key in _FALSE:
                return False
            raise InputError(name, cell, "true or false")

        return self.choice(name, parse)


def _is_nan(value: Any) -> bool:
    return value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _check_range(field: str, lo: float, hi: float, unit: str) -> Callable[[float], float]:
    def check(value: float) -> float:
        if not (math.isfinite(value) and lo <= value <= hi):
            raise InputError(field, value, f"{lo:g} to {hi:g} {unit}")
        return value

    return check


def _ints(values: np.ndarray) -> pd.Series:
    """Whole-number scores as a nullable integer column (empty where NaN)."""
    return pd.Series(np.asarray(values, dtype=float)).astype("Int64")


def _decimals(values: np.ndarray, decimals: int) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float), decimals)


def score_table(df: pd.DataFrame, *, progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Return ``df`` with every computable score added (see ``hccrt calc table --help``)."""
    t = _Table(df.reset_index(drop=True))
    out = t.df.copy()
    n = t.n

    bili_mg = t.lab("bilirubin", "mg/dL")
    alb_gdl = t.lab("albumin", "g/dL")
    inr = t.lab("inr", "1")
    cr_mg = t.lab("creatinine", "mg/dL")
    na = t.lab("sodium", "mmol/L")
    asc = t.choice("ascites", liver.ascites_points)
    enc = t.choice("encephalopathy", liver.encephalopathy_points)
    dialysis = t.flag("dialysis").fillna(False).astype(bool).to_numpy()
    female = t.choice("sex", liver.sex_is_female)
    age = t.number("age", _check_range("age", 0, 120, "years"))
    weight = t.number("weight_kg", _check_range("weight_kg", *body.WEIGHT_RANGE_KG, "kg"))
    height = t.number("height_cm", _check_range("height_cm", *body.HEIGHT_RANGE_CM, "cm"))
    if progress:
        progress(0)

    # Child-Pugh
    asc_p = asc.astype(float).to_numpy()
    enc_p = enc.astype(float).to_numpy()
    cp_points = liver.child_pugh_points_array(bili_mg, alb_gdl, inr, asc_p, enc_p)
    cp_points = np.where(np.isnan(asc_p) | np.isnan(enc_p), np.nan, cp_points)
    cp_class = liver.child_pugh_class_array(cp_points)
    given_class = t.choice("child_pugh_class", staging.parse_child_pugh_class)
    out["child_pugh_points"] = _ints(cp_points)
    staging_class = pd.Series(cp_class).where(pd.Series(cp_class).notna(), given_class)
    out["child_pugh_class"] = staging_class.to_numpy()

    # ALBI (SI units: 17.1 umol/L per mg/dL, 10 g/L per g/dL, as hccrt.units)
    bili_si = convert(bili_mg, "mg/dL", "umol/L", analyte="bilirubin")
    alb_si = convert(alb_gdl, "g/dL", "g/L", analyte="albumin")
    albi_score = liver.albi_array(bili_si, alb_si)
    out["albi_score"] = _decimals(albi_score, 4)
    out["albi_grade"] = _ints(liver.albi_grade_array(albi_score))
    out["malbi_grade"] = liver.malbi_grade_array(albi_score)

    # MELD family
    out["meld"] = _ints(liver.meld_array(bili_mg, inr, cr_mg, dialysis))
    out["meld_na"] = _ints(liver.meld_na_array(bili_mg, inr, cr_mg, na, dialysis))
    fem = female.to_numpy()
    fem_known = np.array([v is not None for v in fem])
    fem_f = np.array([bool(v) if v is not None else False for v in fem])
    teen = (age >= 12) & (age < 18)
    too_young = age < 12
    for idx in np.flatnonzero(too_young):
        t.errors[idx].append(
            str(InputError("age", age[idx], "12 to 120 years", "MELD applies from age 12"))
        )
    m3 = liver.meld3_array(bili_mg, inr, cr_mg, na, alb_gdl, fem_f | teen, dialysis)
    m3 = np.where(fem_known & ~too_young, m3, np.nan)
    out["meld3"] = _ints(m3)

    # renal / body size (Cockcroft-Gault needs an adult)
    adult = (age >= body.ADULT_AGE_RANGE[0]) & (age <= body.ADULT_AGE_RANGE[1])
    crcl = body.cockcroft_gault_array(age, weight, cr_mg, fem_f)
    out["crcl_cockcroft_gault"] = _decimals(np.where(adult & fem_known, crcl, np.nan), 2)
    out["bsa_mosteller"] = _decimals(body.bsa_array(height, weight, "mosteller"), 4)
    out["bsa_dubois"] = _decimals(body.bsa_array(height, weight, "dubois"), 4)

    # staging: row by row with the core functions (cheap, and one definition)
    nod = _as_list(t.raw("nodules"), n)
    n_nod = _as_list(t.raw("n_nodules"), n)
    largest = _as_list(t.raw("largest_cm"), n)
    ecog = _as_list(t.raw("ecog"), n)
    mvi = t.flag("macrovascular_invasion").fillna(False).astype(bool).tolist()
    ehs = t.flag("extrahepatic_spread").fillna(False).astype(bool).tolist()
    lf = _as_list(t.raw("liver_function"), n)
    segs = _as_list(t.raw("segments"), n)
    cp_list = [None if _is_nan(c) else c for c in staging_class.tolist()]
    cols: dict[str, list[Any]] = {
        k: [None] * n
        for k in (
            "bclc",
            "cnlc",
            "milan",
            "up_to_seven_total",
            "up_to_seven",
            "couinaud_contiguous",
        )
    }
    # each distinct input is evaluated once: tumour burden per distinct nodule text, stages per
    # distinct (burden, ECOG, class, liver function, flags); the rules use only count + largest
    burden_cache: dict[tuple[Any, ...], tuple[tuple[int, float] | None, str | None]] = {}
    stage_cache: dict[tuple[Any, ...], tuple[dict[str, Any], tuple[str, ...]]] = {}
    segment_cache: dict[str, tuple[bool | None, tuple[str, ...]]] = {}
    step = max(1, n // 100)
    for i in range(n):
        if progress and i % step == 0:
            progress(i)
        errs = t.errors[i]
        if segs[i] is not None:
            if segs[i] not in segment_cache:
                segment_errors: list[str] = []
                segment_cache[segs[i]] = (
                    _attempt(segment_errors, staging.couinaud_contiguous, segs[i]),
                    tuple(segment_errors),
                )
            cols["couinaud_contiguous"][i], segment_error = segment_cache[segs[i]]
            errs.extend(segment_error)
        raw_key = (nod[i], None, None) if nod[i] is not None else (None, n_nod[i], largest[i])
        if raw_key == (None, None, None):
            continue
        if raw_key not in burden_cache:
            burden_cache[raw_key] = _burden_of(*raw_key)
        burden, error = burden_cache[raw_key]
        if burden is None:
            errs.append(str(error))
            continue
        key = (burden, ecog[i], cp_list[i], lf[i], mvi[i], ehs[i])
        if key not in stage_cache:
            stage_cache[key] = _stage(*key)
        values, stage_errors = stage_cache[key]
        for column, value in values.items():
            cols[column][i] = value
        errs.extend(stage_errors)
    for key, values in cols.items():
        out[key] = values
    _ctcae_columns(t, out)
    _qlq_columns(t, out)
    out["calc_errors"] = ["; ".join(dict.fromkeys(e)) if e else None for e in t.errors]
    if progress:
        progress(n)
    return out


def _ctcae_columns(t: _Table, out: pd.DataFrame) -> None:
    """CTCAE v5.0 grade of each analyte column present (hccrt.clinical.ctcae, vectorized)."""
    from hccrt.clinical import ctcae

    anticoagulated = t.flag("anticoagulated").fillna(False).astype(bool).to_numpy()
    symptomatic = t.flag("symptomatic").fillna(False).astype(bool).to_numpy()
    for analyte in ANALYTES:
        if analyte not in t.cols:
            continue
        unit = CANONICAL_UNIT[analyte]
        value = t.lab(analyte, unit)
        limits = {
            role: t.lab(f"{analyte}_{role}", unit, analyte=analyte, unit_from=analyte)
            for role in ("uln", "lln", "baseline")
        }
        long = pd.DataFrame(
            {
                "test": analyte,
                "value": value,
                "unit": unit,
                **limits,
                "anticoagulated": anticoagulated,
                "symptomatic": symptomatic,
            }
        )
        try:
            graded = ctcae.grade_lab_table(long)
        except HccrtError as exc:  # e.g. LLN above ULN in some row: grade row by row
            graded = _ctcae_rows(t, long, str(exc))
        grade = graded["ctcae_grade"].astype("Int64").reset_index(drop=True)
        reason = graded["ctcae_reason"].astype(object).reset_index(drop=True)
        out[f"ctcae_{analyte}_grade"] = grade.to_numpy()
        out[f"ctcae_{analyte}_reason"] = reason.where(grade.isna(), None).to_numpy()


def _qlq_columns(t: _Table, out: pd.DataFrame) -> None:
    """QLQ-C30 (q1..q30) and QLQ-HCC18 (q31..q48) scores when all their item columns exist."""
    from hccrt.clinical import qol

    for prefix, numbers, table_fn, row_fn in (
        ("qlq_c30_", range(1, 31), qol.score_qlq_c30_table, qol.score_qlq_c30),
        ("qlq_hcc18_", range(31, 49), qol.score_qlq_hcc18_table, qol.score_qlq_hcc18),
    ):
        names = [f"q{n}" for n in numbers]
        if not all(name in t.cols for name in names):
            continue
        items = pd.DataFrame({name: t.raw(name) for name in names})
        try:
            scores = table_fn(items).reset_index(drop=True)
        except HccrtError:  # an invalid answer somewhere: score row by row, errors per row
            rows = []
            numeric = items.apply(pd.to_numeric, errors="coerce")
            for i in range(t.n):
                answers = [
                    None if pd.isna(raw) else (raw if pd.isna(num) else _plain_number(num))
                    for raw, num in zip(items.iloc[i], numeric.iloc[i], strict=True)
                ]
                rows.append(_attempt(t.errors[i], row_fn, answers) or {})
            scores = pd.DataFrame(rows, index=range(t.n), dtype=float)
        for code in scores.columns:
            out[f"{prefix}{code}"] = np.round(scores[code].to_numpy(dtype=float), 2)


def _plain_number(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _ctcae_rows(t: _Table, long: pd.DataFrame, first_error: str) -> pd.DataFrame:
    from hccrt.clinical import ctcae

    grades: list[Any] = []
    reasons: list[Any] = []
    for i, row in enumerate(long.itertuples(index=False)):

        def nan_none(x: float) -> float | None:
            return None if math.isnan(x) else x

        result = _attempt(
            t.errors[i],
            ctcae.grade_lab,
            row.test,
            nan_none(row.value),
            row.unit,
            uln=nan_none(row.uln),
            lln=nan_none(row.lln),
            baseline=nan_none(row.baseline),
            anticoagulated=bool(row.anticoagulated),
            symptomatic=bool(row.symptomatic),
        )
        grades.append(None if result is None else result.grade)
        reasons.append("invalid input (see calc_errors)" if result is None else result.reason)
    return pd.DataFrame({"ctcae_grade": pd.array(grades, dtype="Int64"), "ctcae_reason": reasons})


def _burden_of(
    nodules: str | None, n_nodules: str | None, largest_cm: str | None
) -> tuple[tuple[int, float] | None, str | None]:
    """(count, largest) from the nodule text or count/largest cells, or (None, error)."""
    try:
        if nodules is not None:
            return staging.tumour_burden(parse_number_list(nodules, "nodules")), None
        return staging.tumour_burden(
            n_nodules=_int(n_nodules, "n_nodules"), largest_cm=_float(largest_cm, "largest_cm")
        ), None
    except HccrtError as exc:
        return None, str(exc)


def _stage(
    burden: tuple[int, float],
    ecog: str | None,
    cls: str | None,
    liver_function: str | None,
    mvi: bool,
    ehs: bool,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Milan, up-to-seven, BCLC and CNLC for one distinct set of staging inputs."""
    errors: list[str] = []
    tumour = {"n_nodules": burden[0], "largest_cm": burden[1]}
    flags = {"macrovascular_invasion": mvi, "extrahepatic_spread": ehs}
    values: dict[str, Any] = {"milan": _attempt(errors, staging.milan, **tumour, **flags)}
    u7 = _attempt(errors, staging.up_to_seven, **tumour, **flags)
    if u7 is not None:
        values["up_to_seven_total"] = u7.total
        values["up_to_seven"] = u7.within
    ps = None if ecog is None else _attempt(errors, _int, ecog, "ecog")
    if ps is not None and (cls is not None or liver_function is not None):
        result = _attempt(
            errors,
            staging.bclc,
            **tumour,
            ecog=ps,
            child_pugh_class=cls,
            liver_function=liver_function,
            **flags,
        )
        values["bclc"] = None if result is None else result.stage
    if ps is not None and cls is not None:
        result = _attempt(errors, staging.cnlc, **tumour, ecog=ps, child_pugh_class=cls, **flags)
        values["cnlc"] = None if result is None else result.stage
    return values, tuple(errors)


def _attempt(errors: list[str], compute: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``compute``; on bad input record the message for the row and return None."""
    try:
        return compute(*args, **kwargs)
    except HccrtError as exc:
        message = str(exc)
        if message not in errors:
            errors.append(message)
        return None


def _as_list(series: pd.Series | None, n: int) -> list[Any]:
    """Column as a plain list of str or None (fast row access); all None when absent."""
    if series is None:
        return [None] * n
    return [None if _is_nan(v) else str(v) for v in series.tolist()]


def _int(value: Any, field: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(field, value, "an integer") from None
    if not number.is_integer():
        raise InputError(field, value, "an integer")
    return int(number)


def _float(value: Any, field: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(field, value, "a number") from None
