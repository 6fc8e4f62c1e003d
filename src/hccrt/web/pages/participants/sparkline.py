"""A small trend chart per lab test: inline SVG drawn on the server, readable without colour.

Values of one test are put on one unit (the canonical unit of :mod:`hccrt.units` for the
analytes the core converts; otherwise the unit most values were entered in) by the core's
``convert``; a value that cannot be converted is left out and counted. The upper limit of
normal (ULN, of the latest value that has one) is a dashed line; each point with a CTCAE grade
of 1 or more carries its grade as text ("G2"), and the chart has a ``<title>`` and an
``aria-label`` that say the same as the picture.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from hccrt.errors import HccrtError
from hccrt.records import schema as rs
from hccrt.units import CANONICAL_UNIT, convert

WIDTH, HEIGHT, PAD_X, PAD_TOP, PAD_BOTTOM = 220.0, 64.0, 6.0, 14.0, 6.0


@dataclass(frozen=True)
class LabPoint:
    day: date
    value: float
    unit: str
    uln: float | None
    grade: int | None


@dataclass(frozen=True)
class Trend:
    test: str
    unit: str
    points: tuple[tuple[date, float, int | None], ...]
    uln: float | None
    left_out: int
    svg: str
    summary: str


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def plot_unit(test: str, points: Sequence[LabPoint]) -> str:
    analyte = rs.LB_ANALYTE.get(test)
    if analyte is not None:
        return CANONICAL_UNIT[analyte]
    counts = Counter(p.unit for p in points)
    return counts.most_common(1)[0][0] if counts else ""


def to_unit(test: str, value: float, unit: str, target: str) -> float | None:
    """``value`` in ``target`` by the core's conversion, or None when it cannot be converted."""
    if unit == target:
        return value
    analyte = rs.LB_ANALYTE.get(test)
    if analyte is None or not unit:
        return None
    try:
        return float(convert(value, unit, target, analyte=analyte))
    except HccrtError:
        return None


def trend(test: str, label: str, points: Sequence[LabPoint]) -> Trend:
    """The trend of one test (points in date order)."""
    unit = plot_unit(test, points)
    kept: list[tuple[date, float, int | None]] = []
    uln: float | None = None
    for p in sorted(points, key=lambda q: q.day):
        v = to_unit(test, p.value, p.unit, unit)
        if v is None:
            continue
        kept.append((p.day, v, p.grade))
        if p.uln is not None:
            u = to_unit(test, p.uln, p.unit, unit)
            uln = u if u is not None else uln
    left_out = len(points) - len(kept)
    summary = _summary(label, unit, kept, uln, left_out)
    return Trend(test, unit, tuple(kept), uln, left_out, render_svg(kept, uln, summary), summary)


def _summary(label: str, unit: str, kept: Sequence[tuple[date, float, int | None]],
             uln: float | None, left_out: int) -> str:  # fmt: skip
    if not kept:
        return f"{label}: no value in a convertible unit"
    parts = [f"{d.isoformat()} {_fmt(v)}" + (f" (grade {g})" if g else "") for d, v, g in kept]
    text = f"{label} in {unit or 'no unit'}: " + "; ".join(parts)
    if uln is not None:
        text += f". Upper limit of normal {_fmt(uln)}"
    if left_out:
        text += f". {left_out} value(s) in a unit that cannot be converted are not drawn"
    return text + "."


def render_svg(kept: Sequence[tuple[date, float, int | None]], uln: float | None,
               summary: str) -> str:  # fmt: skip
    """The SVG of the points (date -> x, value -> y), the ULN line and grade labels."""
    title = escape(summary)
    head = (f'<svg class="spark" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}" width="{WIDTH:.0f}" '
            f'height="{HEIGHT:.0f}" role="img" aria-label="{title}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>')  # fmt: skip
    if not kept:
        return head + "</svg>"
    values = [v for _, v, _ in kept] + ([uln] if uln is not None else [])
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - 1 if lo else -1.0, hi + 1
    days = [d.toordinal() for d, _, _ in kept]
    d0, d1 = min(days), max(days)
    span = (d1 - d0) or 1

    def x(day: int) -> float:
        if d1 == d0:
            return WIDTH / 2
        return PAD_X + (day - d0) / span * (WIDTH - 2 * PAD_X)

    def y(v: float) -> float:
        return PAD_TOP + (hi - v) / (hi - lo) * (HEIGHT - PAD_TOP - PAD_BOTTOM)

    body = []
    if uln is not None:
        yu = y(uln)
        body.append(f'<line class="uln" x1="0" x2="{WIDTH:.0f}" y1="{yu:.1f}" y2="{yu:.1f}" '
                    'stroke="#8a5a00" stroke-dasharray="4 3" stroke-width="1"/>'
                    f'<text x="{WIDTH - 2:.0f}" y="{yu - 2:.1f}" text-anchor="end" '
                    'font-size="8" fill="#8a5a00">ULN</text>')  # fmt: skip
    coords = [(x(d.toordinal()), y(v)) for d, v, _ in kept]
    if len(coords) > 1:
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        body.append(f'<polyline points="{path}" fill="none" stroke="#2a5d8a" stroke-width="1.5"/>')
    for (cx, cy), (_, _, g) in zip(coords, kept, strict=True):
        if g:
            body.append(f'<rect class="graded" x="{cx - 3:.1f}" y="{cy - 3:.1f}" width="6" '
                        f'height="6" fill="#a12622"/><text x="{cx:.1f}" y="{max(cy - 5, 8):.1f}" '
                        f'text-anchor="middle" font-size="8" fill="#a12622">G{g}</text>')
        else:
            body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="#2a5d8a"/>')
    return head + "".join(body) + "</svg>"
