"""One figure style for the whole book: white background (readable in light
and dark themes), the Okabe-Ito colour-blind-safe palette, labelled axes."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from daopt.validation import positive_int

__all__ = ["PALETTE", "STYLE", "figure", "use_book_style"]

# Okabe and Ito (2008), "Color Universal Design": distinguishable under the
# common forms of colour blindness.
PALETTE = {
    "direct": "#0072B2",  # blue
    "amortised": "#D55E00",  # vermillion
    "semi": "#009E73",  # bluish green
    "regression": "#E69F00",  # orange
    "objective": "#CC79A7",  # reddish purple
    "truth": "#000000",
    "grey": "#999999",
    "sky": "#56B4E9",
}

STYLE = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE.values())),
}


def use_book_style() -> None:
    """Apply the book's matplotlib style to every later figure."""
    mpl.rcParams.update(STYLE)


def figure(ncols: int = 1, *, width: float = 6.4, height: float = 3.6) -> tuple[Figure, list[Axes]]:
    """A styled figure with ``ncols`` side-by-side axes (always returned as a list)."""
    ncols = positive_int("ncols", ncols)
    use_book_style()
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), layout="constrained")
    return fig, list(axes) if ncols > 1 else [axes]
