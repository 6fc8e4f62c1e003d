"""The validated facts of a batch (:class:`Facts`) and :func:`facts_frame`, which builds them.

Inputs are parsed column by column (:mod:`.parsers`), then the derived facts are added:
age in completed years, Cockcroft-Gault clearance, Child-Pugh points and class, Couinaud
segments, and staging (:mod:`.staging`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from hccrt.clinical.body import cockcroft_gault_array
from hccrt.clinical.liver import (
    ASCITES,
    ENCEPHALOPATHY,
    child_pugh_class_array,
    child_pugh_points_array,
)
from hccrt.clinical.staging import couinaud_contiguous, parse_segments
from hccrt.errors import InputError
from hccrt.protocols.eligibility.candidate.columns import (
    _BOUNDS,
    _EXTRA_INPUTS,
    INPUT_COLUMNS,
    PLAIN_FACTS,
)
from hccrt.protocols.eligibility.candidate.parsers import (
    _EPOCH,
    _category,
    _column,
    _factorized,
    _is_missing,
    _lab,
    _objects,
    _series,
)
from hccrt.protocols.eligibility.candidate.planning import lung_dose_at_reference
from hccrt.protocols.eligibility.candidate.staging import _staging
from hccrt.protocols.eligibility.facts import FACTS, LAB_ANALYTES
from hccrt.units import CANONICAL_UNIT, convert


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
