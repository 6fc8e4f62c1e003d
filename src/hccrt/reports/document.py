"""A report as data (sections of numbered figures, tables and text) and its rendering to
standalone HTML (Jinja2, PNG figures inline) and PDF (WeasyPrint, SVG figures: vector).

Every figure and table gets a number in reading order, its title, and a footer line naming
its population, the data cut-off date, the hccrt version and the input checksum, so a page
torn out of the report can still be traced to its data.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib.figure import Figure

from hccrt.reports.style import to_png, to_svg
from hccrt.reports.tables import Table

__all__ = ["FigureBlock", "Report", "Section", "TableBlock", "TextBlock", "render_html",
           "write_pdf"]


@dataclass
class FigureBlock:
    """A figure with its title and population. Rendered once per format, then dropped."""

    title: str
    figure: Figure
    population: str = ""
    caption: str = ""
    key: str = ""
    number: int = 0
    png: str = ""  # base64
    svg: str = ""  # base64
    kind: str = "figure"


@dataclass
class TableBlock:
    """A numbered table (see :class:`hccrt.reports.tables.Table`)."""

    table: Table
    number: int = 0
    kind: str = "table"


@dataclass
class TextBlock:
    """A paragraph (plain text, escaped) or a definition list of (term, text) pairs."""

    text: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)
    note: bool = False
    kind: str = "text"


Block = FigureBlock | TableBlock | TextBlock


@dataclass
class Section:
    """A titled section; ``anchor`` is its HTML id (endpoint sections use the endpoint id)."""

    title: str
    anchor: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    subtitle: str = ""
    endpoint_id: str = ""


@dataclass
class Report:
    """A whole report: title page facts, sections, and the traceability footer."""

    title: str
    protocol_code: str
    protocol_title: str
    data_cutoff: str
    version: str
    checksum: str
    kind: str = "analysis"
    audience: str = ""
    sections: list[Section] = field(default_factory=list)
    generated: str = field(default_factory=lambda: dt.datetime.now(dt.UTC)
                           .strftime("%Y-%m-%d %H:%M UTC"))
    facts: list[tuple[str, str]] = field(default_factory=list)

    def number(self) -> None:
        """Number figures and tables in reading order (separately), from 1."""
        nf = nt = 0
        for s in self.sections:
            for b in s.blocks:
                if isinstance(b, FigureBlock):
                    nf += 1
                    b.number = nf
                elif isinstance(b, TableBlock):
                    nt += 1
                    b.number = nt

    @property
    def figures(self) -> list[FigureBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, FigureBlock)]

    @property
    def tables(self) -> list[TableBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, TableBlock)]

    def footer(self) -> str:
        return (f"Data cut-off {self.data_cutoff} · hccrt {self.version} · "
                f"input SHA-256 {self.checksum[:16]}")


_env = Environment(loader=PackageLoader("hccrt.reports", "templates"),
                   autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                   lstrip_blocks=True)


def _table_html(t: Table) -> str:
    """The table body as HTML (escaped); indentation in row labels kept as padding."""
    f = t.frame
    # fixed table layout (fast in WeasyPrint): column widths from the longest header word and
    # cell text (~1.45 mm a character at 7.5 pt, + padding); only wide columns give way
    chars = [max([min(len(w), 9) for w in str(c).split()] + [len(str(v)) for v in f[c].head(300)],
                 default=3) for c in f.columns]
    mm = np.array([min(n, 44) * 1.45 + 3.2 for n in chars])
    over = mm.sum() - 172.0
    if over > 0:
        give = np.clip(mm - 28.0, 0, None)
        if give.sum() > 0:
            mm -= give * min(1.0, over / give.sum())
    cols = "".join(f"<col style='width:{100 * w / mm.sum():.1f}%'>" for w in mm)
    out = [f"<table class='data'><colgroup>{cols}</colgroup><thead><tr>"]
    out += [f"<th>{html.escape(str(c))}</th>" for c in f.columns]
    out.append("</tr></thead><tbody>")
    for row in f.itertuples(index=False):
        cells = []
        for j, v in enumerate(row):
            text = "" if v is None else str(v)
            if j == 0:
                indent = len(text) - len(text.lstrip(" "))
                cls = f" class='l{min(indent // 2, 3)}'" if indent else " class='h'"
                cells.append(f"<td{cls}>{html.escape(text.strip())}</td>")
            else:
                cells.append(f"<td>{html.escape(text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _render_figures(report: Report, fmt: Literal["html", "pdf"],
                    progress: Callable[[str], None] | None = None) -> None:
    for b in report.figures:
        if fmt == "html" and not b.png:
            b.png = base64.b64encode(to_png(b.figure)).decode()
        if fmt == "pdf" and not b.svg:
            b.svg = base64.b64encode(to_svg(b.figure)).decode()
        if progress:
            progress(f"figure {b.number}")


def render_html(report: Report, fmt: Literal["html", "pdf"] = "html",
                progress: Callable[[str], None] | None = None) -> str:
    """The report as one standalone HTML document (images inline as data URIs).

    ``fmt="pdf"`` gives the print variant WeasyPrint lays out (SVG figures, paged CSS)."""
    report.number()
    _render_figures(report, fmt, progress)
    css = (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    tpl = _env.get_template("report.html.j2")
    return tpl.render(r=report, fmt=fmt, css=css, table_html=_table_html,
                      FigureBlock=FigureBlock, TableBlock=TableBlock, TextBlock=TextBlock)


def write_pdf(report: Report, path: str | Path,
              progress: Callable[[str], None] | None = None) -> Path:
    """Lay the report out with WeasyPrint (figures as SVG: vector in the PDF) into ``path``."""
    from weasyprint import HTML  # imported here: WeasyPrint needs Pango at import time

    doc = render_html(report, "pdf", progress)
    if progress:
        progress("layout")
    out = Path(path)
    HTML(string=doc, base_url=str(out.parent)).write_pdf(out)
    return out
