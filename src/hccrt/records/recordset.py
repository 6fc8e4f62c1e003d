"""The :class:`RecordSet`: one trial's record tables (domain -> DataFrame) and their validation.

A RecordSet is plain data: a mapping of domain code to a :class:`pandas.DataFrame` whose columns
are the domain's SDTM variables (:mod:`hccrt.records.schema`). Char variables are held as text
(object dtype, missing = None), Num variables as float64. :meth:`RecordSet.issues` lists every
problem found;
:meth:`RecordSet.validate` raises :class:`RecordError` (an :class:`~hccrt.errors.InputError`)
naming the table, column, row, value and what is allowed.

Checks: known domain; DOMAIN/RDOMAIN value; no unknown variables; Req variables present (an absent
Exp variable is a warning, as in SDTM conformance checkers);
Req variables non-null; Num variables numeric; controlled terminology; ISO 8601 ``--DTC`` text
and real calendar dates; key uniqueness (USUBJID + --SEQ; DM one row per subject; SV one row per
subject and visit; SUPP-- one value per qualifier); one STUDYID; every USUBJID present in DM;
SUPP-- rows pointing at an existing parent record; lab, vital-sign and plan units allowed for
their test; --SEQ positive integers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from hccrt.errors import InputError
from hccrt.records.schema import (
    CP_ASCITES,
    CP_ENCEPHALOPATHY,
    DOMAINS,
    DS_DISPOSITION,
    DS_MILESTONE,
    LB_ANALYTE,
    LB_OTHER,
    RS_RESPONSES,
    SUPP_QUALIFIERS,
    TUMSTATE,
    VS_UNITS,
    XA_TESTS,
    XP_TESTS,
    Domain,
    lb_units,
)
from hccrt.units import normalize_unit

ISO8601 = re.compile(
    r"^(?P<y>\d{4})(-(?P<m>\d{2})(-(?P<d>\d{2})"
    r"(T(?P<H>\d{2}):(?P<M>\d{2})(:(?P<S>\d{2})(\.\d+)?)?)?)?)?$"
)


@dataclass(frozen=True)
class Issue:
    """One validation problem. ``row`` is the 0-based row position, or None for the table."""

    domain: str
    variable: str | None
    row: int | None
    value: Any
    allowed: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.domain + (f".{self.variable}" if self.variable else "")
        if self.row is not None:
            where += f" row {self.row}"
        return f"{where}: got {self.value!r}; allowed: {self.allowed}"


class RecordError(InputError):
    """A RecordSet failed validation; ``issues`` lists every problem (the message the first)."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        first = issues[0]
        where = first.domain + (f".{first.variable}" if first.variable else "")
        if first.row is not None:
            where += f" row {first.row}"
        more = f"{len(issues) - 1} more issue(s)" if len(issues) > 1 else None
        super().__init__(where, first.value, first.allowed, more)


def is_iso8601(text: str) -> bool:
    """True when ``text`` is an ISO 8601 date/date-time SDTM accepts (complete or partial)."""
    m = ISO8601.match(text)
    if not m:
        return False
    y, mo, d = m.group("y"), m.group("m"), m.group("d")
    try:
        if d is not None:
            date(int(y), int(mo), int(d))
        elif mo is not None and not 1 <= int(mo) <= 12:
            return False
        if m.group("H") is not None:
            datetime(int(y), int(mo), int(d), int(m.group("H")), int(m.group("M")),
                     int(m.group("S") or 0))
    except ValueError:
        return False
    return True


def _text_value(v: Any) -> Any:
    if v is None or v is pd.NA or (isinstance(v, float | np.floating) and np.isnan(v)):
        return None
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    s = str(v)
    return s if s != "" else None


def _text_array(values: Any) -> np.ndarray:
    """Values as text (object array, None for missing); integral numbers without '.0'."""
    if not isinstance(values, pd.Series):
        arr = np.asarray(values)
    elif values.dtype == object or values.dtype.kind in "fiub":
        arr = values.to_numpy()
    else:  # pandas string (or other extension) dtype
        arr = values.to_numpy(dtype=object, na_value=None)
    if arr.dtype.kind in "fiu":
        f = arr.astype(float)
        fin = np.isfinite(f)
        txt = f.astype(str).astype(object)
        integral = fin & (f == np.round(f))
        txt[integral] = f[integral].astype(np.int64).astype(str)
        txt[~fin] = None
        return txt
    if arr.dtype.kind == "b":
        return arr.astype(str).astype(object)
    out = arr.astype(object, copy=True)
    kind = pd.api.types.infer_dtype(out, skipna=True)
    if kind not in ("string", "empty"):
        return np.array([_text_value(v) for v in out], dtype=object)
    na = pd.isna(out)
    out[na] = None
    if "" in set(pd.unique(out[~na])):
        out[out == ""] = None
    return out


def frame(columns: dict[str, np.ndarray], char: set[str] | None = None) -> pd.DataFrame:
    """A DataFrame from column arrays, keeping text columns as object dtype (None missing).

    Columns named in ``char`` (default: every non-numeric array) become one object block,
    the others one float64 block; column order is that of ``columns``.
    """
    names = list(columns)
    if char is None:
        char = {c for c, a in columns.items() if np.asarray(a).dtype.kind not in "fiub"}
    n = len(next(iter(columns.values()))) if columns else 0
    cc = [c for c in names if c in char]
    nc = [c for c in names if c not in char]
    obj = np.empty((n, len(cc)), dtype=object)
    for j, c in enumerate(cc):
        obj[:, j] = columns[c]
    num = np.empty((n, len(nc)), dtype=float)
    for j, c in enumerate(nc):
        num[:, j] = columns[c]
    parts = [pd.DataFrame(obj, columns=cc, dtype=object), pd.DataFrame(num, columns=nc)]
    return pd.concat(parts, axis=1)[names]


def coerce_table(code: str, df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` in the canonical in-memory form of domain ``code``.

    Columns in SDTMIG order (unknown columns kept at the end, so validation can report them);
    Char as text (object dtype) with None for missing, Num as float64. A Num value that is not a
    number raises :class:`RecordError` naming the row.
    """
    dom = DOMAINS.get(code)
    names = [str(c).upper() for c in df.columns]
    if len(set(names)) != len(names):
        raise RecordError([Issue(code, None, None, names, "unique column names")])
    cols: dict[str, np.ndarray] = {}
    char: set[str] = set()
    issues: list[Issue] = []
    for name, (_, raw) in zip(names, df.items(), strict=True):
        var = dom.variable(name) if dom else None
        if var is None or var.type == "Char":
            cols[name] = _text_array(raw)
            char.add(name)
            continue
        if raw.dtype.kind in "fiub":
            cols[name] = raw.to_numpy(dtype=float, na_value=np.nan)
            continue
        num = pd.to_numeric(raw, errors="coerce")
        suspect = np.flatnonzero((num.isna() & raw.notna()).to_numpy())
        bad = [int(i) for i in suspect if str(raw.iloc[i]).strip() != ""]
        for i in bad[:20]:
            issues.append(Issue(code, name, i, raw.iloc[i], "a number"))
        cols[name] = num.to_numpy(dtype=float, na_value=np.nan)
    if issues:
        raise RecordError(issues)
    order = [n for n in dom.names if n in cols] if dom else []
    order += [c for c in names if c not in order]
    return frame({c: cols[c] for c in order}, char)


class RecordSet(Mapping[str, pd.DataFrame]):
    """One trial's SDTM-shaped record tables, keyed by domain code (``"DM"``, ``"SUPPTU"``...).

    Build with a mapping of domain -> DataFrame; tables are put in canonical form
    (:func:`coerce_table`). The RecordSet does not copy-on-read: treat tables as read-only.
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame] | None = None) -> None:
        self._tables: dict[str, pd.DataFrame] = {}
        for code, df in (tables or {}).items():
            self._tables[code.upper()] = coerce_table(code.upper(), df)

    def __getitem__(self, code: str) -> pd.DataFrame:
        return self._tables[code.upper()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}: {len(v)}" for k, v in self._tables.items())
        return f"RecordSet({inner})"

    def get_table(self, code: str) -> pd.DataFrame:
        """The table of ``code``, or an empty table with the domain's Req/Exp columns."""
        code = code.upper()
        if code in self._tables:
            return self._tables[code]
        dom = DOMAINS[code]
        cols = [v.name for v in dom.variables if v.core != "Perm"]
        return coerce_table(code, pd.DataFrame({c: pd.Series([], dtype=object) for c in cols}))

    def with_table(self, code: str, df: pd.DataFrame) -> RecordSet:
        """A new RecordSet with ``code`` replaced by ``df``."""
        tables = dict(self._tables)
        tables[code.upper()] = df
        return RecordSet(tables)

    @property
    def studyid(self) -> str | None:
        """The study identifier (from DM), or None when DM is absent or empty."""
        dm = self._tables.get("DM")
        if dm is None or dm.empty:
            return None
        return str(dm["STUDYID"].iloc[0])

    # ------------------------------------------------------------------ validation

    def issues(self, limit_per_check: int = 20) -> list[Issue]:
        """Every validation problem, at most ``limit_per_check`` rows per check and column."""
        out: list[Issue] = []
        if "DM" not in self._tables:
            out.append(Issue("DM", None, None, None, "a DM table (every subject is in DM)"))
        subjects = set(self._tables["DM"]["USUBJID"].dropna()) if "DM" in self._tables \
            and "USUBJID" in self._tables["DM"].columns else set()
        studyids: set[str] = set()
        for code, df in self._tables.items():
            dom = DOMAINS.get(code)
            if dom is None:
                out.append(Issue(code, None, None, code, f"a known domain: {sorted(DOMAINS)}"))
                continue
            out.extend(_check_table(dom, df, subjects, limit_per_check))
            if "STUDYID" in df.columns:
                studyids.update(df["STUDYID"].dropna().unique())
            if code.startswith("SUPP"):
                out.extend(_check_supp(dom, df, self._tables.get(code[4:]), limit_per_check))
        if len(studyids) > 1:
            out.append(Issue("*", "STUDYID", None, sorted(studyids), "one study per RecordSet"))
        return out

    def warnings(self) -> list[Issue]:
        """Issues that do not make the set invalid (an Exp column absent, as SDTM allows with
        a warning in conformance checkers)."""
        return [i for i in self.issues() if i.severity == "warning"]

    def validate(self) -> RecordSet:
        """Raise :class:`RecordError` when any table has an error; return self otherwise.

        Warnings (:meth:`warnings`) do not fail validation.
        """
        found = [i for i in self.issues() if i.severity == "error"]
        if found:
            raise RecordError(found)
        return self


def _rows(mask: np.ndarray | pd.Series, limit: int) -> list[int]:
    return [int(i) for i in np.flatnonzero(np.asarray(mask, dtype=bool))[:limit]]


def _check_table(dom: Domain, df: pd.DataFrame, subjects: set[str], limit: int) -> list[Issue]:
    code = dom.code
    out: list[Issue] = []
    for col in df.columns:
        if dom.variable(col) is None:
            out.append(Issue(code, col, None, col,
                             f"a {code} variable: {', '.join(dom.names)}"))
    for var in dom.variables:
        if var.core in ("Req", "Exp") and var.name not in df.columns:
            out.append(Issue(code, var.name, None, None,
                             f"column {var.name} ({var.core}) present in {code}",
                             "error" if var.core == "Req" else "warning"))
    for var in dom.variables:
        if var.name not in df.columns:
            continue
        col = df[var.name]
        if var.core == "Req":
            for i in _rows(col.isna(), limit):
                out.append(Issue(code, var.name, i, None, "a value (required variable)"))
        if var.codelist is not None:
            bad = col.notna() & ~col.isin(var.codelist)
            for i in _rows(bad, limit):
                out.append(Issue(code, var.name, i, col.iloc[i],
                                 "one of " + ", ".join(var.codelist)))
        if var.name.endswith("DTC"):
            txt = col.dropna()
            verdict = {u: is_iso8601(u) for u in pd.unique(txt)}
            ok = txt.map(verdict)
            bad_idx = txt.index[~ok.astype(bool)]
            for i in bad_idx[:limit]:
                out.append(Issue(code, var.name, int(i), col.loc[i],
                                 "an ISO 8601 date or date-time (YYYY[-MM[-DD[Thh:mm[:ss]]]])"))
    seq = dom.seq
    if seq and seq in df.columns:
        s = df[seq]
        bad = s.notna() & ((s < 1) | (s != np.floor(s)))
        for i in _rows(bad, limit):
            out.append(Issue(code, seq, i, s.iloc[i], "a positive integer"))
    keys = [k for k in dom.keys if k in df.columns]
    if len(keys) == len(dom.keys) and not code.startswith("SUPP"):
        dup = df.duplicated(keys, keep="first")
        for i in _rows(dup, limit):
            out.append(Issue(code, "+".join(keys), i,
                             tuple(df.loc[df.index[i], keys]), "unique key values"))
    if code != "DM" and "USUBJID" in df.columns:
        orphan = df["USUBJID"].notna() & ~df["USUBJID"].isin(subjects)
        for i in _rows(orphan, limit):
            out.append(Issue(code, "USUBJID", i, df["USUBJID"].iloc[i], "a subject in DM"))
    if "DOMAIN" in df.columns:
        for i in _rows(df["DOMAIN"].notna() & (df["DOMAIN"] != code), limit):
            out.append(Issue(code, "DOMAIN", i, df["DOMAIN"].iloc[i], code))
    out.extend(_check_units(dom, df, limit))
    out.extend(_check_results(dom, df, limit))
    return out


def _unit_ok(unit: Any, allowed: tuple[str, ...]) -> bool:
    if not isinstance(unit, str):
        # no unit: allowed for text results and for unitless ratios (INR, "1")
        return "" in allowed or "1" in allowed or not allowed
    if unit in allowed:
        return True
    try:
        return normalize_unit(unit) in allowed
    except InputError:
        return False


def _check_units(dom: Domain, df: pd.DataFrame, limit: int) -> list[Issue]:
    code = dom.code
    tables: dict[str, dict[str, tuple[str, ...]]] = {
        "LB": {t: lb_units(t) for t in (*LB_ANALYTE, *LB_OTHER)},
        "VS": VS_UNITS,
        "XP": {t: (u,) for t, (_, u) in XP_TESTS.items()},
        "XA": {t: (u,) for t, (_, u) in XA_TESTS.items()},
    }
    if code not in tables or f"{code}TESTCD" not in df.columns:
        return []
    allowed_by_test = tables[code]
    out: list[Issue] = []
    for ucol, rcol in ((f"{code}ORRESU", f"{code}ORRES"), (f"{code}STRESU", f"{code}STRESC")):
        if ucol not in df.columns:
            continue
        has_result = df[rcol].notna() if rcol in df.columns else pd.Series(True, index=df.index)
        pairs = pd.DataFrame({"t": df[f"{code}TESTCD"], "u": df[ucol]})[has_result.to_numpy()]
        bad_pairs = {(t, u) for t, u in pairs.drop_duplicates().itertuples(index=False)
                     if t in allowed_by_test and not _unit_ok(u, allowed_by_test[t])}
        if not bad_pairs:
            continue
        hit = [i for i, (t, u) in zip(pairs.index, pairs.itertuples(index=False), strict=True)
               if (t, u) in bad_pairs][:limit]
        for i in hit:
            pos = int(df.index.get_loc(i))
            t, u = df[f"{code}TESTCD"].iloc[pos], df[ucol].iloc[pos]
            allowed = allowed_by_test[t]
            out.append(Issue(code, ucol, pos, u, f"a unit of {t}: " +
                             (", ".join(repr(a) for a in allowed) or "none")))
    return out


def _check_results(dom: Domain, df: pd.DataFrame, limit: int) -> list[Issue]:
    """Result vocabularies that depend on the test code (RS responses, TR tumour state)."""
    out: list[Issue] = []
    if dom.code == "RS" and {"RSTESTCD", "RSSTRESC"} <= set(df.columns):
        resp = df["RSTESTCD"].isin(["OVRLRESP", "TRGRESP", "NTRGRESP"])
        bad = resp & df["RSSTRESC"].notna() & ~df["RSSTRESC"].isin(RS_RESPONSES)
        for i in _rows(bad, limit):
            out.append(Issue("RS", "RSSTRESC", i, df["RSSTRESC"].iloc[i],
                             "one of " + ", ".join(RS_RESPONSES)))
        bad = (df["RSTESTCD"] == "NEWLPROG") & df["RSSTRESC"].notna() & \
            ~df["RSSTRESC"].isin(["Y", "N"])
        for i in _rows(bad, limit):
            out.append(Issue("RS", "RSSTRESC", i, df["RSSTRESC"].iloc[i], "Y or N (NEWLPROG)"))
        for testcd, terms in (("CPASCIT", CP_ASCITES), ("CPENCEPH", CP_ENCEPHALOPATHY)):
            bad = (df["RSTESTCD"] == testcd) & df["RSSTRESC"].notna() & \
                ~df["RSSTRESC"].isin(terms)
            for i in _rows(bad, limit):
                out.append(Issue("RS", "RSSTRESC", i, df["RSSTRESC"].iloc[i],
                                 f"for {testcd}: one of " + ", ".join(terms)))
    if dom.code == "TR" and {"TRTESTCD", "TRSTRESC"} <= set(df.columns):
        bad = (df["TRTESTCD"] == "TUMSTATE") & df["TRSTRESC"].notna() & \
            ~df["TRSTRESC"].isin(TUMSTATE)
        for i in _rows(bad, limit):
            out.append(Issue("TR", "TRSTRESC", i, df["TRSTRESC"].iloc[i],
                             "one of " + ", ".join(TUMSTATE)))
    if dom.code == "DS" and {"DSCAT", "DSDECOD"} <= set(df.columns):
        for cat, terms in (("DISPOSITION EVENT", DS_DISPOSITION),
                           ("PROTOCOL MILESTONE", DS_MILESTONE)):
            bad = (df["DSCAT"] == cat) & ~df["DSDECOD"].isin(terms)
            for i in _rows(bad, limit):
                out.append(Issue("DS", "DSDECOD", i, df["DSDECOD"].iloc[i],
                                 f"for DSCAT {cat}: one of " + ", ".join(terms)))
    return out


def _check_supp(dom: Domain, df: pd.DataFrame, parent: pd.DataFrame | None,
                limit: int) -> list[Issue]:
    code, pcode = dom.code, dom.code[4:]
    out: list[Issue] = []
    need = {"USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"}
    if not need <= set(df.columns):
        return out
    dup = df.duplicated(["USUBJID", "IDVAR", "IDVARVAL", "QNAM"], keep="first")
    for i in _rows(dup, limit):
        out.append(Issue(code, "USUBJID+IDVAR+IDVARVAL+QNAM", i, df["QNAM"].iloc[i],
                         "one value per qualifier and parent record"))
    quals = SUPP_QUALIFIERS.get(pcode, {})
    for i in _rows(~df["QNAM"].isin(list(quals)), limit):
        out.append(Issue(code, "QNAM", i, df["QNAM"].iloc[i],
                         "a documented qualifier: " + ", ".join(quals)))
    for qnam, (_, values) in quals.items():
        if values is None:
            continue
        bad = (df["QNAM"] == qnam) & ~df["QVAL"].isin(values)
        for i in _rows(bad, limit):
            out.append(Issue(code, "QVAL", i, df["QVAL"].iloc[i],
                             f"for {qnam}: one of " + ", ".join(values)))
    if parent is None:
        if len(df):
            out.append(Issue(code, None, None, pcode, f"a {pcode} table for the qualifiers"))
        return out
    for idvar in df["IDVAR"].dropna().unique():
        rows = df["IDVAR"] == idvar
        if idvar not in parent.columns:
            out.append(Issue(code, "IDVAR", _rows(rows, 1)[0], idvar,
                             f"a variable of {pcode}"))
            continue
        pv = parent[idvar].map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer()
                               else str(v))
        keys = set(zip(parent["USUBJID"], pv, strict=True))
        miss = rows & ~pd.Series([(u, v) in keys for u, v in zip(
            df["USUBJID"], df["IDVARVAL"].astype("str"), strict=True)], index=df.index)
        for i in _rows(miss, limit):
            out.append(Issue(code, "IDVARVAL", i, df["IDVARVAL"].iloc[i],
                             f"the {idvar} of an existing {pcode} record of the subject"))
    return out
