"""Chapter 1 (two ways to optimise): its key results, read from the values it
glued into its prose."""

from __future__ import annotations

import math

import pytest
from conftest import ExecutedChapter


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


@pytest.mark.parametrize("chapter", ["01_two_ways"], indirect=True)
def test_break_even_two_prices(chapter: ExecutedChapter) -> None:
    """C3 priced in counts and in seconds; the match quantile moves N* as stated."""
    g = chapter.glued()
    # A stricter target (a lower quantile of the model's gap) needs more direct
    # steps, so amortising pays sooner; across the quantiles N* moves < 2-fold.
    assert g["steps_median"] >= g["steps_matched"] >= g["steps_worst"]
    assert g["break_even_median"] <= g["break_even"] <= g["break_even_worst"]
    assert g["break_even_worst"] < 2 * g["break_even_median"]
    # The clock: both per-query times measured, direct dearer than the model.
    assert g["direct_us"] > g["model_us"] > 0
    expected = g["train_seconds"] / ((g["direct_us"] - g["model_us"]) / 1e6)
    assert g["break_even_seconds"] == pytest.approx(math.ceil(expected), rel=1e-6)
    assert g["clock_over_count"] == pytest.approx(
        expected / (g["training_cost"] / (g["steps_matched"] - 1)), rel=1e-6
    )
    # One oracle call is cheaper than one forward pass (the reason the prices differ).
    assert g["oracle_call_us"] == pytest.approx(g["direct_us"] / g["steps_matched"])
    assert g["oracle_call_us"] < g["model_us"]
