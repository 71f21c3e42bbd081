"""Checker for chapter 11's exercise: the frontier of strength against compute."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks.runner import TIME_LIMIT, Case, CheckResult, as_numbers, run_cases, short

__all__ = ["check_pareto_front"]


def _pareto_front(cost: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the points no other point dominates: none is at most
    as dear and at least as strong, and strictly better in one of the two."""
    keep = []
    for i in range(cost.size):
        no_dearer = cost <= cost[i]
        no_weaker = strength >= strength[i]
        better = (cost < cost[i]) | (strength > strength[i])
        if not np.any(no_dearer & no_weaker & better):
            keep.append(i)
    return np.array(keep, dtype=int)


def _judge(got: Any, case: Case) -> str | None:
    want = case.expected
    numbers = as_numbers(got)
    if numbers is None or numbers.ndim != 1:
        return f": returned {got!r}, expected a 1-d array of indices"
    if not np.all(numbers == np.round(numbers)):
        return f": returned {short(numbers)}, expected whole-number indices"
    if numbers.shape != want.shape or not np.array_equal(numbers.astype(int), want):
        missing = sorted(set(want.tolist()) - set(numbers.astype(int).tolist()))
        extra = sorted(set(numbers.astype(int).tolist()) - set(want.tolist()))
        return (
            f": expected indices {short(want)}, got {short(numbers)}"
            f" (missing {missing}, not on the frontier {extra}; indices ascending)"
        )
    return None


def check_pareto_front(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(cost, strength) -> indices``: the frontier of a chart.

    ``cost`` (n,) is each agent's compute per decision (lower is better),
    ``strength`` (n,) its strength (higher is better). The answer is the 1-d
    array of indices, in ascending order, of the agents that no other agent
    dominates (at most as dear and at least as strong, strictly better in one).
    Exact ties are all kept: neither of two identical points dominates the other.
    """
    rng = np.random.default_rng(11)
    inputs: list[tuple[np.ndarray, np.ndarray, str]] = [
        (np.array([1.0]), np.array([0.5]), "one agent"),
        (np.array([1.0, 10.0]), np.array([0.5, 0.9]), "a trade-off"),
        (np.array([1.0, 10.0]), np.array([0.9, 0.5]), "one dominates"),
        (np.array([5.0, 5.0, 2.0]), np.array([0.7, 0.7, 0.1]), "exact ties"),
        (np.array([3.0, 3.0, 1.0]), np.array([0.2, 0.8, 0.8]), "equal cost, equal strength"),
    ]
    for n in (6, 20, 60):
        cost = 10 ** rng.uniform(0, 4, size=n)
        inputs.append((cost, rng.uniform(0.3, 1.0, size=n), f"{n} random agents"))
    grid = np.repeat(np.array([1.0, 2.0, 4.0]), 3)
    inputs.append((grid, np.tile(np.array([0.5, 0.6, 0.6]), 3), "a grid with repeats"))
    cases = [
        Case(args=(cost, strength), label=f" ({what})", expected=_pareto_front(cost, strength))
        for cost, strength, what in inputs
    ]
    return run_cases(
        "Pareto frontier", candidate, cases, _judge, time_limit=time_limit, strict=strict
    )
