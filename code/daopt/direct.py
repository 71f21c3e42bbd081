"""Direct optimisation of an objective family f(y, x): solve every query x anew.

``gradient_descent`` and ``grid_search`` answer queries; ``steps_to_tolerance``
says how many steps a query needs. Costs are counted, not timed: oracle calls
(evaluations of f or its gradient) per query.

| function | in | out |
|---|---|---|
| ``gradient_descent`` | x (n,), y0 (n,) | ``DirectResult``: y (n,), evaluations per query |
| ``grid_search`` | x (n,), grid (g,) | ``DirectResult``: y (n,), g evaluations per query |
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from daopt.problems import ObjectiveFamily
from daopt.validation import as_vector, positive_float, positive_int

__all__ = ["DirectResult", "check_problem", "gradient_descent", "grid_search", "steps_to_tolerance"]


def check_problem(value: object) -> ObjectiveFamily:
    """``value`` if it is an ``ObjectiveFamily``, else a TypeError naming it."""
    if not isinstance(value, ObjectiveFamily):
        raise TypeError(f"problem must be a daopt.problems.ObjectiveFamily, got {value!r}")
    return value


@dataclass(frozen=True)
class DirectResult:
    """Solutions ``y`` (n,) and the oracle calls spent on each query."""

    y: np.ndarray
    evaluations: int


def gradient_descent(
    problem: ObjectiveFamily, x: np.ndarray, y0: np.ndarray, *, step: float, n_steps: int
) -> DirectResult:
    """``n_steps`` of y <- y - step * df/dy from ``y0`` (n,), for every context in ``x`` (n,).

    Costs one gradient evaluation per step per query. ``y0`` is not modified.

    Args:
        problem: the objective family f(y, x).
        x: contexts, shape (n,).
        y0: starting solutions, shape (n,).
        step: the step size (> 0).
        n_steps: the number of steps (>= 0).
    """
    problem = check_problem(problem)
    x_arr = as_vector("x", x)
    y = as_vector("y0", y0, length=x_arr.shape[0]).copy()
    step = positive_float("step", step)
    n_steps = positive_int("n_steps", n_steps, minimum=0)
    for k in range(n_steps):
        y = _descend(problem, y, x_arr, step, k)
    return DirectResult(y=y, evaluations=n_steps)


def _descend(
    problem: ObjectiveFamily, y: np.ndarray, x: np.ndarray, step: float, k: int
) -> np.ndarray:
    """One gradient step, refusing a non-finite result: the iteration diverged."""
    with np.errstate(over="ignore", invalid="ignore"):
        new = y - step * problem.grad(y, x)
    if not np.all(np.isfinite(new)):
        raise ValueError(
            f"gradient descent diverged at step {k + 1} (y is no longer finite) with "
            f"step={step}: try a smaller step"
        )
    return new


def grid_search(problem: ObjectiveFamily, x: np.ndarray, grid: np.ndarray) -> DirectResult:
    """The grid point (from ``grid``, shape (g,)) with the lowest f for each context.

    Ties go to the earlier grid point. Costs g evaluations of f per query.
    """
    problem = check_problem(problem)
    x_arr = as_vector("x", x)
    grid_arr = as_vector("grid", grid)
    if grid_arr.size == 0:
        raise ValueError("grid must hold at least one candidate solution, got an empty grid")
    n, g = x_arr.shape[0], grid_arr.shape[0]
    values = problem.f(np.tile(grid_arr, n), np.repeat(x_arr, g)).reshape(n, g)
    return DirectResult(y=grid_arr[np.argmin(values, axis=1)], evaluations=g)


def steps_to_tolerance(
    problem: ObjectiveFamily,
    x: np.ndarray,
    y0: np.ndarray,
    *,
    step: float,
    tolerance: float,
    max_steps: int = 10_000,
) -> int:
    """Fewest gradient steps from ``y0`` after which every query's gap is <= ``tolerance``.

    Args:
        problem: the objective family f(y, x).
        x: contexts, shape (n,).
        y0: starting solutions, shape (n,).
        step: the gradient step size.
        tolerance: the largest gap allowed, f(y, x) - f(y_star(x), x).
        max_steps: give up (ValueError) after this many steps.
    """
    problem = check_problem(problem)
    x_arr = as_vector("x", x)
    y = as_vector("y0", y0, length=x_arr.shape[0]).copy()
    step = positive_float("step", step)
    tolerance = positive_float("tolerance", tolerance)
    max_steps = positive_int("max_steps", max_steps)
    for k in range(max_steps + 1):
        with np.errstate(over="ignore"):  # a diverging iterate is reported by _descend
            gap = problem.gap(y, x_arr)
        if np.max(gap) <= tolerance:
            return k
        y = _descend(problem, y, x_arr, step, k)
    raise ValueError(
        f"gradient descent did not reach tolerance {tolerance} in max_steps={max_steps}"
    )
