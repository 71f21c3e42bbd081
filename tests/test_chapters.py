"""Every chapter executes top to bottom (jupytext + nbclient), and each
chapter's key results, read from the values it glued into its prose, hold."""

from __future__ import annotations

import math

import pytest
from conftest import ExecutedChapter, chapter_notebooks

NOTEBOOKS = [path.stem for path in chapter_notebooks()]


def test_there_are_chapters() -> None:
    assert "01_two_ways" in NOTEBOOKS, NOTEBOOKS


@pytest.mark.parametrize("chapter", NOTEBOOKS, indirect=True)
def test_chapter_executes(chapter: ExecutedChapter) -> None:
    errors = [
        output
        for cell in chapter.notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
    assert chapter.glued(), f"{chapter.name} glues no number into its prose"


@pytest.mark.parametrize("chapter", ["01_two_ways"], indirect=True)
def test_two_ways_key_results(chapter: ExecutedChapter) -> None:
    """Chapter 1: regression averages two solutions into a bad one; the gap grows
    outside the training range; amortising pays after a finite break-even N;
    a learned start saves direct steps."""
    g = chapter.glued()
    # Direct search: gradient descent needs far fewer oracle calls than a grid.
    assert g["steps_direct"] < g["grid_needed"] / 100
    # Regression lands near the bad midpoint y = 0, objective-based does not.
    assert g["well_median_regression"] > 0.5 * g["well_median_at_zero"]
    assert g["well_median_regression"] > 100 * g["well_median_objective"]
    # The amortisation gap grows outside the training distribution.
    assert g["gap_outside"] > 100 * g["gap_inside"]
    # A finite break-even point, consistent with the glued costs: direct pays
    # steps_matched per query, the model one pass per query after training.
    assert 1 <= g["break_even"] < math.inf
    assert g["break_even"] == math.ceil(g["training_cost"] / (g["steps_matched"] - 1))
    assert 1 <= g["break_even_regression"] < math.inf
    # Semi-amortised: the learned start needs fewer direct steps in range.
    assert g["steps_semi"] < g["steps_direct"]
