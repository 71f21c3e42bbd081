"""daopt.direct, daopt.amortised and daopt.cost: direct solvers, amortised training,
cost accounting."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from daopt import amortised, cost, direct
from daopt.problems import DoubleWell, ShiftedQuadratic

quadratic = ShiftedQuadratic()
well = DoubleWell()
contexts = arrays(float, st.integers(1, 30), elements=st.floats(-3, 3, allow_nan=False))


@given(x=contexts, k=st.integers(0, 50), step=st.floats(0.01, 1.5))
def test_gradient_descent_on_a_quadratic_matches_the_closed_form(x, k, step) -> None:
    y0 = np.zeros_like(x)
    result = direct.gradient_descent(quadratic, x, y0, step=step, n_steps=k)
    centre = quadratic.y_star(x)
    assert np.allclose(result.y, centre + (1 - step) ** k * (y0 - centre))
    assert result.evaluations == k


def test_gradient_descent_leaves_the_start_untouched() -> None:
    y0 = np.ones(4)
    direct.gradient_descent(quadratic, np.zeros(4), y0, step=0.1, n_steps=5)
    assert np.array_equal(y0, np.ones(4))


@given(x=contexts, g=st.integers(1, 40))
def test_grid_search_returns_the_best_grid_point(x, g) -> None:
    grid = np.linspace(-3, 3, g)
    result = direct.grid_search(well, x, grid)
    assert result.evaluations == g
    assert np.all(np.isin(result.y, grid))
    every = well.f(np.tile(grid, x.size), np.repeat(x, g)).reshape(x.size, g)
    assert np.allclose(well.f(result.y, x), every.min(axis=1))


def test_grid_search_breaks_ties_towards_the_earlier_point() -> None:
    assert direct.grid_search(well, np.zeros(1), np.array([-1.0, 1.0])).y[0] == -1.0


def test_steps_to_tolerance_is_the_fewest_steps() -> None:
    x = np.linspace(-2, 2, 50)
    y0 = np.zeros_like(x)
    k = direct.steps_to_tolerance(quadratic, x, y0, step=0.1, tolerance=1e-6)

    def worst(n: int) -> float:
        return quadratic.gap(
            direct.gradient_descent(quadratic, x, y0, step=0.1, n_steps=n).y, x
        ).max()

    assert worst(k) <= 1e-6 < worst(k - 1)
    with pytest.raises(ValueError, match="max_steps=3"):
        direct.steps_to_tolerance(quadratic, x, y0, step=0.1, tolerance=1e-6, max_steps=3)


def test_objective_training_reduces_the_objective_and_counts_its_work() -> None:
    x = np.random.default_rng(0).uniform(-2, 2, 500)
    model = amortised.AmortisedModel(np.random.default_rng(1), hidden=(16,))
    before = quadratic.f(model(x), x).mean()
    log = amortised.fit_objective(
        model,
        quadratic,
        x,
        steps=400,
        batch_size=32,
        learning_rate=1e-2,
        rng=np.random.default_rng(2),
    )
    assert quadratic.f(model(x), x).mean() < 0.1 * before
    assert log.losses.shape == (400,)
    assert log.oracle_calls == 400 * 32
    assert log.network_passes == 400 * 32 * (1 + cost.BACKWARD_PASSES)


def test_regression_training_fits_its_targets() -> None:
    x = np.random.default_rng(0).uniform(-2, 2, 500)
    model = amortised.AmortisedModel(np.random.default_rng(1), hidden=(16,))
    log = amortised.fit_regression(
        model,
        x,
        0.5 * x,
        steps=400,
        batch_size=32,
        learning_rate=1e-2,
        rng=np.random.default_rng(2),
        labelling_calls=123,
    )
    assert np.max(np.abs(model(x) - 0.5 * x)) < 0.1
    assert log.oracle_calls == 123


def test_training_is_reproducible_from_its_generators() -> None:
    x = np.random.default_rng(0).uniform(-2, 2, 100)
    predictions = []
    for _ in range(2):
        model = amortised.AmortisedModel(np.random.default_rng(1), hidden=(8,))
        amortised.fit_objective(
            model,
            well,
            x,
            steps=50,
            batch_size=16,
            learning_rate=1e-2,
            rng=np.random.default_rng(2),
        )
        predictions.append(model(x))
    assert np.array_equal(*predictions)


def test_regression_averages_two_solutions_but_the_objective_does_not() -> None:
    """The chapter's key failure, at a smaller size: labels split between the
    two wells teach regression their mean, the worst point."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, 1000)
    labels = well.minimisers(x)[np.arange(1000), rng.integers(0, 2, 1000)]
    settings = dict(steps=1500, batch_size=64, learning_rate=3e-3)
    by_regression = amortised.AmortisedModel(np.random.default_rng(1))
    amortised.fit_regression(by_regression, x, labels, rng=np.random.default_rng(2), **settings)
    by_objective = amortised.AmortisedModel(np.random.default_rng(1))
    amortised.fit_objective(by_objective, well, x, rng=np.random.default_rng(2), **settings)
    midpoint_gap = np.median(well.gap(np.zeros_like(x), x))
    assert np.median(well.gap(by_regression(x), x)) > 0.5 * midpoint_gap
    assert np.median(well.gap(by_objective(x), x)) < 0.01 * midpoint_gap


def test_semi_amortised_starts_at_the_model() -> None:
    model = amortised.AmortisedModel(np.random.default_rng(1), hidden=(4,))
    x = np.linspace(-1, 1, 7)
    assert np.allclose(
        amortised.semi_amortised(model, quadratic, x, step=0.1, n_steps=0).y, model(x)
    )


@given(
    fixed=st.floats(0, 1e6),
    direct=st.floats(0.5, 100),
    amortised=st.floats(0, 0.4),
)
def test_totals_are_equal_at_the_break_even_point(fixed, direct, amortised) -> None:
    pay_as_you_go = cost.CostProfile("direct", fixed=0.0, per_query=direct)
    pay_up_front = cost.CostProfile("amortised", fixed=fixed, per_query=amortised)
    n_star = cost.break_even(pay_as_you_go, pay_up_front)
    assert np.allclose(pay_as_you_go.total(n_star), pay_up_front.total(n_star))


def test_break_even_edge_cases() -> None:
    cheap = cost.CostProfile("cheap", fixed=0.0, per_query=1.0)
    costly = cost.CostProfile("costly", fixed=10.0, per_query=2.0)
    assert cost.break_even(cheap, costly) == math.inf
    assert cost.break_even(costly, cheap) == 0.0
    assert cost.break_even(cheap, cheap) == 0.0


def test_cost_profile_prices_training_and_queries() -> None:
    log = amortised.TrainingLog(losses=np.zeros(1), oracle_calls=10, network_passes=30)
    profile = cost.cost_profile(
        "m",
        training=log,
        query_oracle_calls=2,
        query_network_passes=1,
        oracle_call_cost=5.0,
        network_pass_cost=0.5,
    )
    assert profile.fixed == 10 * 5.0 + 30 * 0.5
    assert profile.per_query == 2 * 5.0 + 0.5
    assert np.allclose(profile.total(np.array([0, 2])), [65.0, 86.0])


@given(
    calls=st.floats(0, 1e4),
    passes=st.floats(0, 1e3),
    call_cost=st.floats(0, 100),
    pass_cost=st.floats(0, 100),
)
def test_cost_profile_takes_mean_counts_per_query(calls, passes, call_cost, pass_cost) -> None:
    """Per-query counts may be means over queries (floats), priced like whole counts."""
    profile = cost.cost_profile(
        "search",
        training=None,
        query_oracle_calls=calls,
        query_network_passes=passes,
        oracle_call_cost=call_cost,
        network_pass_cost=pass_cost,
    )
    assert profile.fixed == 0.0
    assert math.isclose(profile.per_query, calls * call_cost + passes * pass_cost)


@pytest.mark.parametrize(
    ("counts", "error", "fragment"),
    [
        ({"query_oracle_calls": -0.5}, ValueError, "query_oracle_calls must be finite and >= 0"),
        ({"query_network_passes": math.nan}, ValueError, "query_network_passes must be finite"),
        ({"query_oracle_calls": "12"}, TypeError, "query_oracle_calls must be a number, got '12'"),
        ({"query_network_passes": True}, TypeError, "query_network_passes must be a number"),
    ],
)
def test_cost_profile_rejects_bad_mean_counts(counts, error, fragment) -> None:
    arguments = {"training": None, "query_oracle_calls": 1, "query_network_passes": 0}
    with pytest.raises(error, match=re.escape(fragment)):
        cost.cost_profile("a", **{**arguments, **counts})


x4 = np.zeros(4)
model = amortised.AmortisedModel(np.random.default_rng(0), hidden=(2,))
fit = dict(steps=1, batch_size=1, learning_rate=1e-3, rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (
            lambda: direct.gradient_descent("quad", x4, x4, step=0.1, n_steps=1),
            TypeError,
            "problem must be a daopt.problems.ObjectiveFamily, got 'quad'",
        ),
        (
            lambda: direct.gradient_descent(quadratic, x4, np.zeros(3), step=0.1, n_steps=1),
            ValueError,
            "y0 must have length 4",
        ),
        (
            lambda: direct.gradient_descent(quadratic, x4, x4, step=-0.1, n_steps=1),
            ValueError,
            "step must be finite and > 0, got -0.1",
        ),
        (
            lambda: direct.gradient_descent(quadratic, x4, x4, step=0.1, n_steps=1.5),
            TypeError,
            "n_steps must be an integer, got 1.5",
        ),
        (
            lambda: direct.gradient_descent(quadratic, x4, x4, step=0.1, n_steps=-1),
            ValueError,
            "n_steps must be >= 0, got -1",
        ),
        (lambda: direct.grid_search(quadratic, x4, []), ValueError, "empty grid"),
        (lambda: direct.grid_search(quadratic, x4, [[0.0]]), ValueError, "grid must be 1-D"),
        (
            lambda: direct.steps_to_tolerance(quadratic, x4, x4, step=0.1, tolerance=0),
            ValueError,
            "tolerance must be finite and > 0",
        ),
        (
            lambda: amortised.fit_regression(model, x4, np.zeros(5), **fit),
            ValueError,
            "targets must have length 4",
        ),
        (
            lambda: amortised.fit_regression("net", x4, x4, **fit),
            TypeError,
            "model must be a daopt.amortised.AmortisedModel, got 'net'",
        ),
        (
            lambda: amortised.fit_objective(model, quadratic, x4, **{**fit, "rng": 0}),
            TypeError,
            "rng must be a numpy.random.Generator",
        ),
        (
            lambda: amortised.fit_objective(model, quadratic, x4, **{**fit, "batch_size": 0}),
            ValueError,
            "batch_size must be >= 1, got 0",
        ),
        (
            lambda: amortised.fit_objective(model, quadratic, x4, **{**fit, "learning_rate": 0}),
            ValueError,
            "learning_rate must be finite and > 0",
        ),
        (
            lambda: amortised.semi_amortised(None, quadratic, x4, step=0.1, n_steps=1),
            TypeError,
            "model must be",
        ),
        (lambda: model(np.zeros((2, 2))), ValueError, "x must be 1-D"),
        (
            lambda: cost.CostProfile("a", fixed=-1.0, per_query=1.0),
            ValueError,
            "fixed must be finite and >= 0, got -1.0",
        ),
        (
            lambda: cost.CostProfile("a", fixed=0.0, per_query=1.0).total(np.array([-1])),
            ValueError,
            "n_queries must be >= 0",
        ),
        (lambda: cost.break_even(1.0, 2.0), TypeError, "pay_as_you_go must be a CostProfile"),
        (
            lambda: cost.cost_profile(
                "a", training="log", query_oracle_calls=1, query_network_passes=0
            ),
            TypeError,
            "training must be a record with oracle_calls and network_passes",
        ),
        (
            lambda: cost.cost_profile(
                "a", training=None, query_oracle_calls=-2, query_network_passes=0
            ),
            ValueError,
            "query_oracle_calls must be finite and >= 0, got -2",
        ),
    ],
)
def test_bad_input_is_rejected_clearly(call, error, fragment) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        call()
