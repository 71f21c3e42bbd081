"""daopt.checks, chapter 7: the break-even and cheapest-plan checkers accept right answers
and explain wrong ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt import checks
from daopt.cost import CostProfile, break_even


def right_break_even(fixed_a, per_a, fixed_b, per_b):
    saving = per_a - per_b
    if saving > 0:
        return max(0, math.ceil((fixed_b - fixed_a) / saving))
    return 0 if saving == 0 and fixed_b <= fixed_a else math.inf


def break_even_by_counting(fixed_a, per_a, fixed_b, per_b):
    """Walks the decisions one by one (slow but obviously right), as a reader might."""
    if per_b > per_a or (per_b == per_a and fixed_b > fixed_a):
        return math.inf
    n = 0
    while fixed_b + per_b * n > fixed_a + per_a * n:
        n += 1
    return n


def right_cheapest(train_cost, decision_cost, rate, target, n_decisions):
    total = train_cost + n_decisions * decision_cost
    strong = np.flatnonzero(rate >= target)
    if strong.size == 0:
        return -1
    return int(strong[np.argmin(total[strong])])


def cheapest_by_loop(train_cost, decision_cost, rate, target, n_decisions):
    best, best_total = -1, math.inf
    for i in range(len(rate)):
        total = train_cost[i] + n_decisions * decision_cost[i]
        if rate[i] >= target and total < best_total:
            best, best_total = i, total
    return best


def test_right_break_even_answers_pass() -> None:
    for candidate in (right_break_even, break_even_by_counting):
        result = checks.check_break_even_decisions(candidate)
        assert result.passed and bool(result), result.message
        assert result.message.startswith("✓ break-even in decisions: all")


@settings(deadline=None)  # counting decisions one by one is slow on a busy machine
@given(
    fixed_a=st.integers(0, 10_000),
    fixed_b=st.integers(0, 10**6),
    per_a=st.integers(0, 400),
    per_b=st.integers(0, 400),
)
def test_the_reference_is_the_counted_answer(fixed_a, fixed_b, per_a, per_b) -> None:
    """The checker's reference (ceil of cost.break_even) agrees with counting, on
    quarter-unit costs like the checker's cases."""
    args = (float(fixed_a), per_a / 4, float(fixed_b), per_b / 4)
    n_star = break_even(CostProfile("A", args[0], args[1]), CostProfile("B", args[2], args[3]))
    expected = n_star if math.isinf(n_star) else math.ceil(n_star)
    assert expected == break_even_by_counting(*args) == right_break_even(*args)


@pytest.mark.parametrize(
    ("candidate", "fragment"),
    [
        # Rounded down instead of up.
        (
            lambda fa, pa, fb, pb: (
                math.floor(n)
                if math.isfinite(
                    n := break_even(CostProfile("a", fa, pa), CostProfile("b", fb, pb))
                )
                else n
            ),
            "one too few: round up",
        ),
        # The real-valued crossing, not a whole number of decisions.
        (
            lambda fa, pa, fb, pb: break_even(CostProfile("a", fa, pa), CostProfile("b", fb, pb)),
            "whole number",
        ),
        # No clamp at zero when B is cheaper from the start.
        (
            lambda fa, pa, fb, pb: math.ceil((fb - fa) / (pa - pb)) if pa > pb else math.inf,
            "the answer is 0",
        ),
        # B dearer per decision: the crossing where A catches up is not a break-even.
        (
            lambda fa, pa, fb, pb: (
                max(0, math.ceil((fb - fa) / (pa - pb)))
                if pa != pb
                else right_break_even(fa, pa, fb, pb)
            ),
            "A catches up",
        ),
        # Division by a zero saving.
        (
            lambda fa, pa, fb, pb: max(0, math.ceil((fb - fa) / (pa - pb))),
            "raised ZeroDivisionError",
        ),
        (lambda fa, pa, fb, pb: None, "returned None"),
        (lambda fa, pa, fb, pb: True, "expected a number"),
    ],
)
def test_wrong_break_even_answers_fail_and_say_why(candidate, fragment) -> None:
    result = checks.check_break_even_decisions(candidate)
    assert not result.passed and not bool(result)
    assert result.message.startswith("✗ break-even in decisions")
    assert fragment in result.message, result.message


def test_right_cheapest_plans_pass() -> None:
    for candidate in (right_cheapest, cheapest_by_loop):
        result = checks.check_cheapest_plan(candidate)
        assert result.passed, result.message
        assert result.message.startswith("✓ cheapest plan: all")


@pytest.mark.parametrize(
    ("candidate", "fragment"),
    [
        # The strength requirement forgotten.
        (
            lambda t, d, r, target, n: int(np.argmin(t + n * d)),
            "below the target",
        ),
        # Strictly stronger than the target only.
        (
            lambda t, d, r, target, n: right_cheapest(t, d, r, np.nextafter(target, 2), n),
            "rate >= target counts",
        ),
        # The last of equal totals instead of the first.
        (
            lambda t, d, r, target, n: (
                len(r) - 1 - right_cheapest(t[::-1], d[::-1], r[::-1], target, n)
                if right_cheapest(t, d, r, target, n) >= 0
                else -1
            ),
            "lowest index wins the tie",
        ),
        # Training cost forgotten.
        (
            lambda t, d, r, target, n: right_cheapest(0 * t, d, r, target, n),
            "against",
        ),
        # None instead of -1 when nothing reaches the target.
        (
            lambda t, d, r, target, n: (
                None
                if right_cheapest(t, d, r, target, n) < 0
                else right_cheapest(t, d, r, target, n)
            ),
            "returned None",
        ),
        # An index into the strong options, not into all of them.
        (
            lambda t, d, r, target, n: (
                int(np.argmin((t + n * d)[r >= target])) if (r >= target).any() else -1
            ),
            "expected",
        ),
        (lambda t, d, r, target, n: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_wrong_cheapest_plans_fail_and_say_why(candidate, fragment) -> None:
    result = checks.check_cheapest_plan(candidate)
    assert not result.passed
    assert result.message.startswith("✗ cheapest plan")
    assert fragment in result.message, result.message


@pytest.mark.parametrize("checker", [checks.check_break_even_decisions, checks.check_cheapest_plan])
def test_a_checker_needs_a_function(checker) -> None:
    with pytest.raises(TypeError, match="expected your function"):
        checker("not a function")
