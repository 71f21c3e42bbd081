"""Checker for chapter 4's exercise: the UCB1 score of one edge."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks.runner import TIME_LIMIT, Case, CheckResult, as_number, run_cases
from daopt.mcts import ucb_score

__all__ = ["check_ucb"]


def _ucb_cases() -> list[tuple[float, int, int, float]]:
    """Seeded (total_value, visits, parent_visits, c) for ``check_ucb``: edges never
    tried, a first visit (ln 1 = 0), c = 0, negative totals, and random statistics."""
    rng = np.random.default_rng(55)
    cases = [
        (0.0, 0, 1, 1.4),  # never tried: +inf
        (0.0, 0, 57, 2.0),
        (1.0, 1, 1, 1.0),  # the parent's first visit: no exploration bonus yet
        (3.0, 4, 10, 0.0),  # c = 0: the mean alone
        (-2.0, 4, 16, 2.0),  # negative totals
        (-5.0, 5, 5, 0.5),
    ]
    for _ in range(24):
        visits = int(rng.integers(1, 60))
        parent_visits = visits + int(rng.integers(0, 300))
        total_value = float(np.round(visits * rng.uniform(-1, 1), 1))
        c = float(rng.choice([0.5, 1.0, np.sqrt(2.0), 2.0, 3.0]))
        cases.append((total_value, visits, parent_visits, c))
    return cases


def _judge(got: Any, case: Case) -> str | None:
    value = as_number(got)
    if value is None:
        return f" returned {got!r}, expected a float"
    expected = case.expected
    if value == expected or math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12):
        return None
    return f": expected {expected:.6g}, got {value:.6g}"


def _hint(case: Case) -> str:
    if case.args[1] == 0:
        return " (an edge never tried must score +inf, so it is tried first)"
    return ""


def check_ucb(
    candidate: Callable[[float, int, int, float], Any],
    *,
    time_limit: float = TIME_LIMIT,
    strict: bool = False,
) -> CheckResult:
    """Check ``candidate(total_value, visits, parent_visits, c) -> float``: the UCB1
    score of one edge, ``total_value / visits + c * sqrt(ln(parent_visits) / visits)``,
    and ``inf`` for an edge never tried (``visits == 0``).

    The arguments are passed in that order, one edge at a time (scalars, not
    arrays). The reference is ``daopt.mcts.ucb_score``, the rule the search uses.
    """
    cases = [
        Case(
            args=(total_value, visits, parent_visits, c),
            label=(
                f" (total_value={total_value}, visits={visits}, "
                f"parent_visits={parent_visits}, c={c:.4g})"
            ),
            expected=ucb_score(total_value, visits, parent_visits, c),
        )
        for total_value, visits, parent_visits, c in _ucb_cases()
    ]
    return run_cases(
        "UCB1 score", candidate, cases, _judge, hint=_hint, time_limit=time_limit, strict=strict
    )
