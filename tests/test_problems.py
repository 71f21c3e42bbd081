"""daopt.problems: objective families with exact solutions."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from daopt.problems import DoubleWell, ObjectiveFamily, ShiftedQuadratic

FAMILIES = [ShiftedQuadratic(), ShiftedQuadratic(curvature=2.5), DoubleWell()]
finite = st.floats(-3.0, 3.0, allow_nan=False)


def pairs(n_max: int = 20):
    """Matching (y, x) arrays of one random length."""
    return st.integers(1, n_max).flatmap(
        lambda n: st.tuples(arrays(float, n, elements=finite), arrays(float, n, elements=finite))
    )


@pytest.mark.parametrize("problem", FAMILIES, ids=repr)
@given(yx=pairs())
def test_gap_is_never_negative(problem: ObjectiveFamily, yx) -> None:
    y, x = yx
    assert np.all(problem.gap(y, x) >= -1e-12)


@pytest.mark.parametrize("problem", FAMILIES, ids=repr)
@given(yx=pairs())
def test_gradient_matches_finite_differences(problem: ObjectiveFamily, yx) -> None:
    y, x = yx
    h = 1e-6
    numeric = (problem.f(y + h, x) - problem.f(y - h, x)) / (2 * h)
    assert np.allclose(problem.grad(y, x), numeric, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("problem", FAMILIES, ids=repr)
@given(x=arrays(float, st.integers(1, 20), elements=finite))
def test_minimisers_are_stationary_and_optimal(problem: ObjectiveFamily, x) -> None:
    solutions = problem.minimisers(x)
    assert solutions.shape[0] == x.shape[0]
    for column in solutions.T:
        assert np.allclose(problem.grad(column, x), 0.0, atol=1e-9)
        assert np.allclose(problem.f(column, x), problem.f_star(x))
    assert np.array_equal(problem.y_star(x), solutions[:, 0])


def test_double_well_has_two_solutions_and_a_bad_midpoint() -> None:
    x = np.array([-2.0, 0.0, 2.0])
    well = DoubleWell()
    assert np.allclose(well.minimisers(x), [[2, -2], [1, -1], [2, -2]])
    assert np.allclose(well.f(np.zeros(3), x), [4.0, 0.25, 4.0])


def test_quadratic_solution_is_the_centre() -> None:
    x = np.linspace(-1, 1, 5)
    assert np.allclose(ShiftedQuadratic().y_star(x), x / 2 + np.sin(2 * x))


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda p: p.f(np.zeros(3), np.zeros(2)), ValueError, "y must have length 2"),
        (lambda p: p.f(np.zeros((2, 2)), np.zeros(2)), ValueError, "shape (2, 2)"),
        (lambda p: p.grad("abc", np.zeros(2)), TypeError, "'abc'"),
        (lambda p: p.y_star(None), TypeError, "None"),
        (lambda p: p.gap(np.array([np.nan]), np.zeros(1)), ValueError, "finite"),
        (lambda p: p.minimisers([[1.0]]), ValueError, "1-D"),
    ],
)
@pytest.mark.parametrize("problem", FAMILIES, ids=repr)
def test_bad_input_is_rejected_clearly(problem, call, error, fragment) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        call(problem)


@pytest.mark.parametrize("curvature", [0, -1.0, float("inf")])
def test_curvature_must_be_positive(curvature: float) -> None:
    with pytest.raises(ValueError, match="curvature"):
        ShiftedQuadratic(curvature=curvature)


def test_curvature_must_be_a_number() -> None:
    with pytest.raises(TypeError, match="curvature"):
        ShiftedQuadratic(curvature="1")
