"""daopt.plots: the book's figure style."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest

from daopt import plots


def test_figure_returns_a_list_of_axes_on_white() -> None:
    for n in (1, 3):
        fig, axes = plots.figure(n)
        assert len(axes) == n
        assert matplotlib.colors.to_hex(fig.get_facecolor()) == "#ffffff"
        plt.close(fig)


def test_palette_colours_are_distinct() -> None:
    assert len(set(plots.PALETTE.values())) == len(plots.PALETTE)


@pytest.mark.parametrize(("ncols", "error"), [(0, ValueError), (1.5, TypeError)])
def test_bad_column_count(ncols, error) -> None:
    with pytest.raises(error, match="ncols"):
        plots.figure(ncols)
