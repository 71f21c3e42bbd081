"""Checkers for chapter 1's exercises: grid search and gradient descent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks.runner import TIME_LIMIT, Case, CheckResult, array_difference, run_cases, short
from daopt.direct import gradient_descent, grid_search
from daopt.problems import DoubleWell, ShiftedQuadratic

__all__ = ["check_gradient_descent", "check_grid_search"]


def _judge_vector(got: Any, case: Case) -> str | None:
    """Compare an answer of shape (n,) with the expected one, entry by entry."""
    failure = array_difference("the answer", got, case.expected)
    return None if failure is None else f": {failure}"


def check_grid_search(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(f, x, grid) -> y`` (n,): per context, the grid point with the lowest f.

    ``f(y, x)`` takes and returns arrays of shape (m,); ties go to the earlier grid point.
    """
    rng = np.random.default_rng(2024)
    problems = [ShiftedQuadratic(), DoubleWell(), ShiftedQuadratic(curvature=3.0)]
    inputs = []
    for problem in problems:
        for n, g in [(1, 5), (7, 41), (30, 200)]:
            inputs.append((problem, rng.uniform(-2, 2, n), np.linspace(-3, 3, g)))
    # Ties: on a grid symmetric about 0 the double well has two best points.
    inputs.append((DoubleWell(), np.zeros(3), np.array([-1.0, 0.0, 1.0])))
    cases = [
        Case(
            kwargs={"f": problem.f, "x": x, "grid": grid},
            label=f" (f={problem!r}, x={short(x)}, grid of {grid.size} points)",
            expected=grid_search(problem, x, grid).y,
        )
        for problem, x, grid in inputs
    ]
    return run_cases(
        "grid search", candidate, cases, _judge_vector, time_limit=time_limit, strict=strict
    )


def check_gradient_descent(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(grad, x, y0, step, n_steps) -> y`` (n,): plain gradient descent on y.

    ``grad(y, x)`` returns df/dy with the shape of ``y``; ``y0`` must not be modified.
    """
    rng = np.random.default_rng(7)
    cases = []
    for problem in (ShiftedQuadratic(), DoubleWell(), ShiftedQuadratic(curvature=0.5)):
        for n, n_steps, step in [(1, 0, 0.1), (5, 1, 0.1), (20, 30, 0.05), (50, 200, 0.02)]:
            x, y0 = rng.uniform(-2, 2, n), rng.normal(0, 1, n)
            cases.append(
                Case(
                    kwargs={
                        "grad": problem.grad,
                        "x": x,
                        "y0": y0,
                        "step": step,
                        "n_steps": n_steps,
                    },
                    label=f" ({problem!r}, n={n}, step={step}, n_steps={n_steps})",
                    expected=gradient_descent(problem, x, y0, step=step, n_steps=n_steps).y,
                )
            )
    return run_cases(
        "gradient descent", candidate, cases, _judge_vector, time_limit=time_limit, strict=strict
    )
