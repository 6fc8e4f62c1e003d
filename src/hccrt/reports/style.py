"""Publication style for report figures, and rendering a figure to PNG (HTML) or SVG (PDF).

Figures are drawn with matplotlib's object API on the non-interactive Agg canvas (no pyplot
state, so figures can be built in parallel threads of a web worker). One style for every
figure: sans-serif 8-9 pt, no top/right spines, light grid, a colour-blind-safe palette
(Okabe & Ito 2008) assigned to groups in a fixed order.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: Okabe-Ito colour-blind-safe palette (black last, used for "all").
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                            "#56B4E9", "#F0E442", "#000000")

RC: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.4,
    "svg.fonttype": "none",  # text stays text in the PDF (selectable, small)
    "savefig.dpi": 150,
    "figure.dpi": 100,
}

#: Width of a full-width figure on an A4 page with 2 cm margins, in inches.
FULL_WIDTH = 6.7


@contextmanager
def style() -> Iterator[None]:
    """The report style as a matplotlib rc context."""
    with rc_context(RC):
        yield


def new_figure(width: float = FULL_WIDTH, height: float = 3.6) -> Figure:
    """A figure in the report style, on its own Agg canvas (never registered with pyplot)."""
    with style():
        fig = Figure(figsize=(width, height), layout=None)
    FigureCanvasAgg(fig)
    return fig


def colours(groups: Sequence[object]) -> dict[object, str]:
    """Fixed colour per group, in the order given."""
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}


def to_png(fig: Figure, dpi: int = 150) -> bytes:
    """PNG bytes of a figure (for HTML)."""
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def to_svg(fig: Figure) -> bytes:
    """SVG bytes of a figure (vector, for the PDF)."""
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buf.getvalue()
