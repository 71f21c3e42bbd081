"""daopt.checks: the exercise checkers accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from daopt import checks


def right_grid_search(f, x, grid):
    n, g = len(x), len(grid)
    return grid[np.argmin(f(np.tile(grid, n), np.repeat(x, g)).reshape(n, g), axis=1)]


def last_tie_grid_search(f, x, grid):
    n, g = len(x), len(grid)
    values = f(np.tile(grid, n), np.repeat(x, g)).reshape(n, g)
    return grid[g - 1 - np.argmin(values[:, ::-1], axis=1)]


def right_descent(grad, x, y0, step, n_steps):
    y = np.array(y0, dtype=float)
    for _ in range(n_steps):
        y = y - step * grad(y, x)
    return y


def in_place_descent(grad, x, y0, step, n_steps):
    for _ in range(n_steps):
        y0 -= step * grad(y0, x)
    return y0


def test_right_answers_pass() -> None:
    for result in (
        checks.check_grid_search(right_grid_search),
        checks.check_gradient_descent(right_descent),
    ):
        assert result.passed and bool(result)
        assert result.message.startswith("✓")
        assert repr(result).startswith("CheckResult(PASSED) ✓")


def test_modifying_y0_in_place_is_caught() -> None:
    """Chapter 1's exercise says not to modify y0: the checker now checks it."""
    result = checks.check_gradient_descent(in_place_descent)
    assert not result.passed
    assert "modified its input 'y0' in place" in result.message, result.message


@pytest.mark.parametrize(
    ("checker", "candidate", "fragment"),
    [
        (checks.check_grid_search, last_tie_grid_search, "expected -1.5, got 1.5"),
        (
            checks.check_grid_search,
            lambda f, x, grid: grid,
            "the answer has shape (5,), expected shape (1,)",
        ),
        (checks.check_grid_search, lambda f, x, grid: "best", "expected an array of numbers"),
        (
            checks.check_gradient_descent,
            lambda grad, x, y0, step, n_steps: right_descent(grad, x, y0, step, n_steps + 1),
            "n_steps=0",
        ),
        (
            checks.check_gradient_descent,
            lambda grad, x, y0, step, n_steps: right_descent(grad, x, y0, -step, n_steps),
            "entries; first at index (0,)",
        ),
        (
            checks.check_gradient_descent,
            lambda grad, x, y0, step, n_steps: 1 / 0,
            "raised ZeroDivisionError",
        ),
    ],
)
def test_wrong_answers_fail_and_say_why(checker, candidate, fragment) -> None:
    result = checker(candidate)
    assert not result.passed and not bool(result)
    assert result.message.startswith("✗")
    assert fragment in result.message, result.message
    assert str(result) == result.message
    assert repr(result) == f"CheckResult(FAILED) {result.message}"
    with pytest.raises(AssertionError, match="✗"):
        result.raise_if_failed()


@pytest.mark.parametrize("checker", [checks.check_grid_search, checks.check_gradient_descent])
def test_a_non_function_is_a_type_error(checker) -> None:
    with pytest.raises(TypeError, match="expected your function"):
        checker(3)
