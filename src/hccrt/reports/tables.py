"""Report tables: tabulations of ADaM-shaped frames into display frames.

Every function counts, summarises or lays out what the derivations and the statistics core
produced; none decides what an event, a grade or a population is. Cells are display text;
the first column holds the row labels. Percentages use the column's population as the
denominator, which is printed in the column header (``N = ...``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hccrt.errors import InputError

__all__ = [
    "Table",
    "Variable",
    "ae_by_term_table",
    "ae_overview_table",
    "baseline_table",
    "estimates_table",
    "fmt_ci",
    "fmt_num",
    "shift_table",
    "summary_table",
]


@dataclass
class Table:
    """A titled display table. ``frame`` holds display text; its first column labels rows."""

    title: str
    frame: pd.DataFrame
    population: str = ""
    footnote: str = ""
    key: str = ""
    meta: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Variable:
    """A column of a subject-level frame to summarise: continuous or categorical."""

    column: str
    label: str
    kind: str = "categorical"  # or "continuous"
    order: tuple[object, ...] | None = None


def fmt_num(value: object, digits: int = 1) -> str:
    """A number for display with ``digits`` decimals; ``NE`` when missing or not finite."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "NE" if value is None else str(value)
    return f"{v:.{digits}f}" if np.isfinite(v) else "NE"


def fmt_ci(est: object, lower: object, upper: object, digits: int = 1, scale: float = 1.0) -> str:
    """``est (lower-upper)`` with NE for missing parts."""
    def s(v: object) -> str:
        if v is None or pd.isna(v):  # type: ignore[arg-type]
            return "NE"
        return f"{float(v) * scale:.{digits}f}"  # type: ignore[arg-type]
    return f"{s(est)} ({s(lower)}-{s(upper)})"


def _groups(df: pd.DataFrame, group: str | None) -> list[tuple[str, pd.DataFrame]]:
    out: list[tuple[str, pd.DataFrame]] = []
    if group is not None:
        if group not in df.columns:
            raise InputError("group", group, f"a column of {sorted(df.columns)}")
        vals = df[group]
        levels = (list(vals.cat.categories) if isinstance(vals.dtype, pd.CategoricalDtype)
                  else list(dict.fromkeys(vals.dropna().tolist())))
        out = [(str(g), df.loc[vals == g]) for g in levels]
    if group is None or len(out) != 1:
        out.append(("Total", df))
    return out


def _as_text(values: pd.Series) -> pd.Series:
    """Category labels as text (whole floats such as ECOG 1.0 shown as 1), missing kept."""
    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)
    return values.astype(object).map(one)


def _pct(n: int, d: int) -> str:
    return f"{n} ({100.0 * n / d:.1f}%)" if d else f"{n}"


def baseline_table(
    subjects: pd.DataFrame,
    variables: Sequence[Variable],
    *,
    group: str | None = None,
    title: str = "Baseline characteristics",
    population: str = "",
) -> Table:
    """Baseline characteristics by group and in total: continuous as median (IQR) with n
    and min-max, categorical as n (%) of the column's N (missing counted as its own row).
    Variables whose column is absent are left out (and named in the footnote)."""
    cols = _groups(subjects, group)
    header = [f"{g} (N = {len(d)})" for g, d in cols]
    rows: list[list[str]] = []
    absent = [v.label for v in variables if v.column not in subjects.columns]
    for v in variables:
        if v.column not in subjects.columns:
            continue
        if v.kind == "continuous":
            rows.append([v.label, *[""] * len(cols)])
            stats = []
            for _, d in cols:
                x = pd.to_numeric(d[v.column], errors="coerce").dropna()
                stats.append(x)
            rows.append(["  n", *[str(len(x)) for x in stats]])
            rows.append(["  Median (IQR)", *[
                f"{x.median():.1f} ({x.quantile(0.25):.1f}-{x.quantile(0.75):.1f})" if len(x)
                else "-" for x in stats]])
            rows.append(["  Min-max", *[f"{x.min():.1f}-{x.max():.1f}" if len(x) else "-"
                                         for x in stats]])
        else:
            rows.append([v.label, *[""] * len(cols)])
            allv = _as_text(subjects[v.column])
            levels = [str(x) for x in v.order] if v.order else sorted(allv.dropna().unique())
            for lev in levels:
                rows.append([f"  {lev}", *[_pct(int((_as_text(d[v.column]) == lev).sum()),
                                                len(d)) for _, d in cols]])
            miss = [int(d[v.column].isna().sum()) for _, d in cols]
            if any(miss):
                rows.append(["  Missing", *[_pct(m, len(d)) for m, (_, d) in
                                            zip(miss, cols, strict=True)]])
    frame = pd.DataFrame(rows, columns=["Characteristic", *header])
    foot = ("Not captured in this trial: " + ", ".join(absent) + ".") if absent else ""
    return Table(title, frame, population, foot, key="baseline")


def summary_table(
    values: pd.DataFrame,
    columns: Sequence[tuple[str, str]],
    *,
    group: str | None = None,
    title: str,
    population: str = "",
    digits: int = 1,
) -> Table:
    """Continuous summaries (n, mean (SD), median (IQR), min-max) of several columns by group.

    ``columns``: (column, label) pairs; absent columns are skipped."""
    cols = _groups(values, group)
    rows: list[list[str]] = []
    for c, label in columns:
        if c not in values.columns:
            continue
        xs = [pd.to_numeric(d[c], errors="coerce").dropna() for _, d in cols]
        rows.append([label, *[""] * len(cols)])
        rows.append(["  n", *[str(len(x)) for x in xs]])
        rows.append(["  Mean (SD)", *[f"{x.mean():.{digits}f} ({x.std(ddof=1):.{digits}f})"
                                       if len(x) > 1 else "-" for x in xs]])
        rows.append(["  Median (IQR)", *[
            f"{x.median():.{digits}f} ({x.quantile(.25):.{digits}f}-{x.quantile(.75):.{digits}f})"
            if len(x) else "-" for x in xs]])
        rows.append(["  Min-max", *[f"{x.min():.{digits}f}-{x.max():.{digits}f}" if len(x)
                                     else "-" for x in xs]])
    header = [f"{g} (N = {len(d)})" for g, d in cols]
    return Table(title, pd.DataFrame(rows, columns=["Measure", *header]), population)


def estimates_table(
    results: pd.DataFrame,
    *,
    title: str,
    population: str = "",
    footnote: str = "",
    key: str = "",
    by_group: bool = False,
) -> Table:
    """Estimates with CI and the method named, one row per result row, in the given order.

    ``by_group=True`` lays the groups side by side: one row per parameter, an estimate and an
    n column per group, the methods (and notes) in the footnote.

    ``results``: parameter (what is estimated), optionally group, estimate, lower, upper,
    method, optionally n, events, p_value, unit (``"%"``: proportions shown as percentages)
    and digits.
    """
    need = ["parameter", "estimate", "lower", "upper", "method"]
    missing = [c for c in need if c not in results.columns]
    if missing:
        raise InputError("results", sorted(results.columns), f"the columns {need}")
    rows = []
    for r in results.to_dict("records"):
        unit = r.get("unit") or ""
        scale = 100.0 if unit == "%" else 1.0
        digits = int(r.get("digits", 1) or 1)
        rows.append({
            "Parameter": r["parameter"],
            "Group": "" if pd.isna(r.get("group")) else str(r.get("group", "")),
            "n": "" if pd.isna(r.get("n", np.nan)) else fmt_num(r.get("n"), 0),
            "Events": "" if pd.isna(r.get("events", np.nan)) else fmt_num(r.get("events"), 0),
            "Estimate (95% CI)": fmt_ci(r["estimate"], r["lower"], r["upper"], digits, scale)
            + (f" {unit}" if unit and unit != "%" else ("%" if unit == "%" else "")),
            "p": "" if pd.isna(r.get("p_value", np.nan)) else f"{float(r['p_value']):.3g}",
            "Method": r["method"],
        })
    frame = pd.DataFrame(rows, columns=["Parameter", "Group", "n", "Events",
                                        "Estimate (95% CI)", "p", "Method"])
    groups = list(dict.fromkeys(frame["Group"]))
    if by_group and len(groups) > 1:
        # one row per parameter, the groups side by side (e.g. QoL changes by visit)
        wide = frame[["Parameter"]].drop_duplicates().reset_index(drop=True)
        for g in groups:
            sub = frame.loc[frame["Group"] == g].drop_duplicates("Parameter")
            sub = sub.set_index("Parameter")
            wide[f"{g}: estimate (95% CI)"] = wide["Parameter"].map(
                sub["Estimate (95% CI)"]).fillna("-")
            wide[f"{g}: n"] = wide["Parameter"].map(sub["n"]).fillna("-")
        method = "Method: " + " | ".join(dict.fromkeys(frame["Method"])) + "."
        return Table(title, wide, population, " ".join(x for x in (method, footnote) if x),
                     key=key)
    for c in ("Group", "Events", "p", "n"):
        if (frame[c] == "").all():
            frame = frame.drop(columns=c)
    return Table(title, frame, population, footnote, key=key)


# ----------------------------------------------------------------------------- adverse events


def _subjects_with(ae: pd.DataFrame, mask: pd.Series) -> set[str]:
    return set(ae.loc[mask.fillna(False).astype(bool), "USUBJID"].astype(str))


def ae_overview_table(
    adae: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    group: str | None,
    title: str = "Overview of adverse events",
    population: str = "Safety population",
) -> Table:
    """Participants with any AE, grade >= 3, grade 5, serious, treatment-related and
    treatment-related grade >= 3 AEs, n (%) of the column's N.

    ``adae``: USUBJID, grade (numeric CTCAE grade), serious (bool), related (bool).
    ``subjects``: USUBJID and the ``group`` column (the denominators)."""
    for c in ("USUBJID", "grade", "serious", "related"):
        if c not in adae.columns:
            raise InputError("adae", sorted(adae.columns), f"a column {c!r}")
    g = pd.to_numeric(adae["grade"], errors="coerce")
    cats = [
        ("Any adverse event", pd.Series(True, index=adae.index)),
        ("Grade >= 3", g >= 3),
        ("Grade 5 (fatal)", g == 5),
        ("Serious", adae["serious"].astype(bool)),
        ("Treatment-related", adae["related"].astype(bool)),
        ("Treatment-related grade >= 3", adae["related"].astype(bool) & (g >= 3)),
        ("Treatment-related serious", adae["related"].astype(bool) & adae["serious"].astype(bool)),
    ]
    cols = _groups(subjects, group)
    rows = []
    for label, m in cats:
        have = _subjects_with(adae, m)
        rows.append([label, *[_pct(int(d["USUBJID"].astype(str).isin(have).sum()), len(d))
                              for _, d in cols]])
    header = [f"{gname} (N = {len(d)})" for gname, d in cols]
    return Table(title, pd.DataFrame(rows, columns=["Participants with", *header]), population,
                 "A participant is counted once per row, at the worst grade.", key="ae-overview")


def ae_by_term_table(
    adae: pd.DataFrame,
    subjects: pd.DataFrame,
    *,
    group: str | None,
    title: str,
    population: str = "Safety population",
    term: str = "term",
    min_grade: int | None = None,
    serious: bool = False,
    related: bool = False,
    grade_columns: bool = True,
    limit: int | None = None,
) -> Table:
    """Participants with each AE term (n (%)), any grade and grade >= 3 per group, sorted by
    the total count (then alphabetically). Filters: ``min_grade``, ``serious``, ``related``."""
    g = pd.to_numeric(adae["grade"], errors="coerce")
    m = pd.Series(True, index=adae.index)
    if min_grade is not None:
        m &= g >= min_grade
    if serious:
        m &= adae["serious"].astype(bool)
    if related:
        m &= adae["related"].astype(bool)
    ae = adae.loc[m].assign(_g=g[m])
    cols = _groups(subjects, group)
    members = [set(d["USUBJID"].astype(str)) for _, d in cols]
    terms = ae.groupby(term)["USUBJID"].nunique().sort_values(ascending=False, kind="stable")
    terms = terms.reset_index().sort_values(["USUBJID", term], ascending=[False, True])[term]
    if limit is not None:
        terms = terms.head(limit)
    rows = []
    for t in terms:
        sub = ae.loc[ae[term] == t]
        anyg = set(sub["USUBJID"].astype(str))
        g3 = set(sub.loc[sub["_g"] >= 3, "USUBJID"].astype(str))
        row = [str(t)]
        for mem in members:
            row.append(_pct(len(anyg & mem), len(mem)))
            if grade_columns and min_grade is None:
                row.append(_pct(len(g3 & mem), len(mem)))
        rows.append(row)
    header = []
    for gname, d in cols:
        if grade_columns and min_grade is None:
            header += [f"{gname} (N = {len(d)}) any grade", f"{gname} grade >= 3"]
        else:
            header.append(f"{gname} (N = {len(d)})")
    frame = pd.DataFrame(rows, columns=["Adverse event", *header])
    foot = "Participants counted once per term. Sorted by total frequency."
    if not rows:
        foot = "No such adverse events were recorded."
    return Table(title, frame, population, foot)


def shift_table(
    labs: pd.DataFrame,
    *,
    parameter: str,
    baseline: str = "BTOXGR",
    worst: str = "WORSTGR",
    group: str | None = None,
    title: str | None = None,
    population: str = "Safety population",
    grades: Sequence[object] = (0, 1, 2, 3, 4),
) -> Table:
    """Shift from the baseline grade (rows) to the worst post-baseline grade (columns), per
    group, one row per subject in ``labs`` (already one row per subject and parameter)."""
    cols = _groups(labs, group)
    rows = []
    for gname, d in cols:
        b = pd.to_numeric(d[baseline], errors="coerce")
        w = pd.to_numeric(d[worst], errors="coerce")
        for bg in [*grades, "Missing"]:
            sel = b.isna() if bg == "Missing" else (b == bg)
            if bg == "Missing" and not sel.any():
                continue
            counts = [int((sel & (w == wg)).sum()) for wg in grades]
            counts.append(int((sel & w.isna()).sum()))
            rows.append([gname, f"Grade {bg}" if bg != "Missing" else "Missing",
                         *[str(c) for c in counts], str(int(sel.sum()))])
    frame = pd.DataFrame(rows, columns=["Group", "Baseline", *[f"Worst {g}" for g in grades],
                                        "Worst missing", "Total"])
    return Table(title or f"Shift table: {parameter}", frame, population,
                 "CTCAE v5.0 grade at baseline vs worst grade after baseline.")
