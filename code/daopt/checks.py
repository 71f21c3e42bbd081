"""Exercise checkers: run the reader's function and the reference on the same
seeded inputs and say exactly what differs.

Each checker returns a ``CheckResult``; it is truthy when the reader's
function is right, and its message names the first input on which it is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from daopt.optimise import gradient_descent, grid_search
from daopt.problems import DoubleWell, ShiftedQuadratic


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker: ``passed`` and a message saying why."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message


def _short(value: Any) -> str:
    return np.array2string(np.asarray(value), precision=4, threshold=8, max_line_width=200)


def _compare(
    exercise: str,
    candidate: Callable[..., Any],
    reference: Callable[..., np.ndarray],
    cases: Iterable[dict[str, Any]],
    *,
    describe: Callable[[dict[str, Any]], str],
    atol: float = 1e-8,
) -> CheckResult:
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    cases = list(cases)
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)} ({describe(case)})"
        expected = reference(**case)
        try:
            got = candidate(
                **{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.items()}
            )
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where} raised {type(error).__name__}: {error}"
            )
        try:
            got_arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return CheckResult(
                False, f"✗ {exercise}: {where} returned {got!r}, expected an array of numbers"
            )
        if got_arr.shape != expected.shape:
            return CheckResult(
                False,
                f"✗ {exercise}: {where} returned shape {got_arr.shape}, "
                f"expected shape {expected.shape}",
            )
        wrong = ~np.isclose(got_arr, expected, atol=atol, rtol=1e-6)
        if np.any(wrong):
            i = int(np.argmax(wrong))
            return CheckResult(
                False,
                f"✗ {exercise}: {where}: {int(wrong.sum())} of {wrong.size} entries differ; "
                f"first at index {i}: expected {expected[i]:.6g}, got {got_arr[i]:.6g}",
            )
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} cases match the reference")


def check_grid_search(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(f, x, grid) -> y`` (n,): per context, the grid point with the lowest f.

    ``f(y, x)`` takes and returns arrays of shape (m,); ties go to the earlier grid point.
    """
    rng = np.random.default_rng(2024)
    problems = [ShiftedQuadratic(), DoubleWell(), ShiftedQuadratic(curvature=3.0)]
    cases = []
    for problem in problems:
        for n, g in [(1, 5), (7, 41), (30, 200)]:
            cases.append(
                {"f": problem.f, "x": rng.uniform(-2, 2, n), "grid": np.linspace(-3, 3, g)}
            )
    # Ties: on a grid symmetric about 0 the double well has two best points.
    cases.append({"f": DoubleWell().f, "x": np.zeros(3), "grid": np.array([-1.0, 0.0, 1.0])})

    def reference(f: Callable[..., np.ndarray], x: np.ndarray, grid: np.ndarray) -> np.ndarray:
        # Each f is a bound method of a daopt problem, which the reference solves.
        return grid_search(f.__self__, x, grid).y

    return _compare(
        "grid search",
        candidate,
        reference,
        cases,
        describe=lambda c: (
            f"f={c['f'].__self__!r}, x={_short(c['x'])}, grid of {c['grid'].size} points"
        ),
    )


def check_gradient_descent(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(grad, x, y0, step, n_steps) -> y`` (n,): plain gradient descent on y.

    ``grad(y, x)`` returns df/dy with the shape of ``y``.
    """
    rng = np.random.default_rng(7)
    cases = []
    for problem in (ShiftedQuadratic(), DoubleWell(), ShiftedQuadratic(curvature=0.5)):
        for n, n_steps, step in [(1, 0, 0.1), (5, 1, 0.1), (20, 30, 0.05), (50, 200, 0.02)]:
            cases.append(
                {
                    "grad": problem.grad,
                    "x": rng.uniform(-2, 2, n),
                    "y0": rng.normal(0, 1, n),
                    "step": step,
                    "n_steps": n_steps,
                }
            )

    def reference(
        grad: Callable[..., np.ndarray], x: np.ndarray, y0: np.ndarray, step: float, n_steps: int
    ) -> np.ndarray:
        return gradient_descent(grad.__self__, x, y0, step=step, n_steps=n_steps).y

    return _compare(
        "gradient descent",
        candidate,
        reference,
        cases,
        describe=lambda c: (
            f"{c['grad'].__self__!r}, n={c['x'].size}, step={c['step']}, n_steps={c['n_steps']}"
        ),
    )
