"""Checkers for chapter 7's exercises: the break-even in whole decisions and the
cheapest plan that reaches a target strength."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks.runner import TIME_LIMIT, Case, CheckResult, as_number, run_cases
from daopt.cost import CostProfile, break_even
from daopt.validation import is_integer

__all__ = ["check_break_even_decisions", "check_cheapest_plan"]


def _break_even_cases() -> list[tuple[float, float, float, float]]:
    """Seeded (fixed_a, per_query_a, fixed_b, per_query_b) for ``check_break_even_decisions``.

    Per-query costs are multiples of 1/4, so every quotient is exact in floating point
    and rounding up cannot be fooled by a last-bit error.
    """
    rng = np.random.default_rng(77)
    cases = [
        (0.0, 30.0, 1000.0, 1.0),  # the usual case: a fractional crossing, rounded up
        (0.0, 5.0, 100.0, 1.0),  # an exact crossing: equal totals count as paid off
        (0.0, 16.5, 50_000.0, 1.0),
        (50.0, 2.0, 10.0, 1.0),  # B is cheaper from the first decision
        (0.0, 3.0, 10.0, 3.0),  # same per-decision cost, B dearer: never
        (7.0, 3.0, 7.0, 3.0),  # identical strategies: from 0 on
        (100.0, 1.0, 0.0, 2.0),  # B cheaper at first, dearer for good later: never
        (0.0, 0.0, 5.0, 0.0),  # both free per decision, B paid up front: never
    ]
    for _ in range(24):
        per_a, per_b = (float(k) / 4 for k in rng.integers(0, 400, size=2))
        fixed_a = float(rng.choice([0, int(rng.integers(0, 10_000))]))
        fixed_b = float(rng.integers(0, 1_000_000))
        cases.append((fixed_a, per_a, fixed_b, per_b))
    return cases


def _judge_break_even(got: Any, case: Case) -> str | None:
    _, per_a, _, per_b = case.args
    expected = case.expected
    value = as_number(got)
    if value is None:
        return f" returned {got!r}, expected a number"
    if value == expected:
        return None
    if math.isinf(expected):
        why = (
            "B costs more per decision, so A catches up and stays cheaper"
            if per_b > per_a
            else "B never saves anything per decision to pay back its fixed cost"
        )
        return f": expected inf ({why}), got {got!r}"
    hint = ""
    if math.isfinite(value) and value != round(value):
        hint = " (a number of decisions is a whole number: round up)"
    elif value == expected - 1:
        hint = " (one too few: round up, B must have caught up at N)"
    elif value < 0:
        hint = " (if B is cheaper from the start, the answer is 0)"
    return f": expected {expected}, got {got!r}{hint}"


def check_break_even_decisions(
    candidate: Callable[[float, float, float, float], Any],
    *,
    time_limit: float = TIME_LIMIT,
    strict: bool = False,
) -> CheckResult:
    """Check ``candidate(fixed_a, per_query_a, fixed_b, per_query_b)``: the fewest whole
    decisions N >= 0 from which strategy B (pay up front) costs no more than strategy A
    (pay as you go) for every larger number of decisions too, or ``math.inf`` if B never
    becomes cheaper for good. A strategy that makes n decisions costs ``fixed + per_query * n``.

    The reference is ``math.ceil`` of ``daopt.cost.break_even``.
    """
    cases = []
    for fixed_a, per_a, fixed_b, per_b in _break_even_cases():
        n_star = break_even(CostProfile("A", fixed_a, per_a), CostProfile("B", fixed_b, per_b))
        cases.append(
            Case(
                args=(fixed_a, per_a, fixed_b, per_b),
                label=f" (A: {fixed_a:g} + {per_a:g} n, B: {fixed_b:g} + {per_b:g} n)",
                expected=n_star if math.isinf(n_star) else math.ceil(n_star),
            )
        )
    return run_cases(
        "break-even in decisions",
        candidate,
        cases,
        _judge_break_even,
        time_limit=time_limit,
        strict=strict,
    )


def _cheapest_plan_cases() -> list[dict[str, Any]]:
    """Seeded options for ``check_cheapest_plan``: rates on a grid of 1/200 (so that a rate
    can equal the target exactly), costs in multiples of 1/4, and the edge cases."""
    rng = np.random.default_rng(78)
    cases = []
    for k in (1, 3, 8, 30):
        for n_decisions in (0, 1, 100, 1_000_000):
            rate = rng.integers(100, 201, size=k) / 200
            cases.append(
                {
                    "train_cost": rng.integers(0, 100_000, size=k).astype(float),
                    "decision_cost": rng.integers(0, 800, size=k) / 4,
                    "rate": rate,
                    "target": float(rng.choice(rate)),
                    "n_decisions": n_decisions,
                }
            )
    ones = np.ones(3)
    cases += [
        # Equal totals (200 each): the earliest option wins the tie.
        dict(train_cost=np.array([100.0, 0.0, 50.0]), decision_cost=np.array([1.0, 2.0, 1.5]),
             rate=ones, target=1.0, n_decisions=100),
        # No option is strong enough.
        dict(train_cost=np.zeros(3), decision_cost=ones, rate=np.array([0.5, 0.6, 0.7]),
             target=0.9, n_decisions=10),
        # The cheapest option is too weak; the strong one costs more.
        dict(train_cost=np.array([0.0, 10.0]), decision_cost=np.array([0.0, 5.0]),
             rate=np.array([0.89, 0.9]), target=0.9, n_decisions=3),
    ]  # fmt: skip
    return cases


def _judge_plan(got: Any, case: Case) -> str | None:
    train_cost, decision_cost, rate, target, n_decisions = case.args
    expected = case.expected
    if not is_integer(got):
        return f" returned {got!r}, expected an int index"
    got = int(got)
    if got == expected:
        return None
    total = train_cost + n_decisions * decision_cost
    k = rate.size
    if expected == -1:
        hint = " (no option reaches the target: return -1)"
    elif got == -1:
        hint = f" (option {expected} reaches the target: rate >= target counts)"
    elif not 0 <= got < k:
        hint = f" (an index must be in 0..{k - 1})"
    elif rate[got] < target:
        hint = f" (option {got} has rate {rate[got]:g}, below the target)"
    elif total[got] == total[expected]:
        hint = " (equal totals: the lowest index wins the tie)"
    else:
        hint = f" (total {total[got]:,.2f} against {total[expected]:,.2f})"
    return f": expected {expected}, got {got}{hint}"


def check_cheapest_plan(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(train_cost, decision_cost, rate, target, n_decisions) -> int``: the
    index of the cheapest option whose ``rate`` is at least ``target``, where option i
    costs ``train_cost[i] + n_decisions * decision_cost[i]`` in all; ties go to the lowest
    index, and the answer is -1 if no option reaches the target.

    ``train_cost``, ``decision_cost`` and ``rate`` are arrays of shape (k,), passed in
    that order, then ``target`` (a float) and ``n_decisions`` (an int).
    """
    cases = []
    for c in _cheapest_plan_cases():
        total = c["train_cost"] + c["n_decisions"] * c["decision_cost"]
        strong = c["rate"] >= c["target"]
        cases.append(
            Case(
                args=(
                    c["train_cost"],
                    c["decision_cost"],
                    c["rate"],
                    c["target"],
                    c["n_decisions"],
                ),
                label=(
                    f" ({c['rate'].size} options, target {c['target']:g}, "
                    f"n_decisions={c['n_decisions']:,})"
                ),
                expected=int(np.argmin(np.where(strong, total, np.inf))) if strong.any() else -1,
            )
        )
    return run_cases(
        "cheapest plan", candidate, cases, _judge_plan, time_limit=time_limit, strict=strict
    )
