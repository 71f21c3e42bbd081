"""daopt.checks.check_ucb accepts right UCB1 scores and explains wrong ones."""

from __future__ import annotations

import math

import numpy as np
import pytest

from daopt import checks


def right_ucb(total_value, visits, parent_visits, c):
    if visits == 0:
        return math.inf
    return total_value / visits + c * math.sqrt(math.log(parent_visits) / visits)


def numpy_ucb(total_value, visits, parent_visits, c):
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.float64(total_value) / visits + c * np.sqrt(np.log(parent_visits) / visits)
    return np.float64(np.inf) if visits == 0 else score


def test_right_answers_pass() -> None:
    for candidate in (right_ucb, numpy_ucb):
        result = checks.check_ucb(candidate)
        assert result.passed and bool(result), result.message
        assert result.message.startswith("✓ UCB1 score: all")


@pytest.mark.parametrize(
    ("candidate", "fragment"),
    [
        # No special case for an edge never tried: division by zero.
        (
            lambda t, n, p, c: t / n + c * math.sqrt(math.log(p) / n),
            "raised ZeroDivisionError",
        ),
        # Unvisited edges scored 0 instead of +inf.
        (
            lambda t, n, p, c: 0.0 if n == 0 else right_ucb(t, n, p, c),
            "must score +inf",
        ),
        # The bonus without the logarithm.
        (
            lambda t, n, p, c: math.inf if n == 0 else t / n + c * math.sqrt(p / n),
            "case 3 of",
        ),
        # The square root forgotten.
        (
            lambda t, n, p, c: math.inf if n == 0 else t / n + c * math.log(p) / n,
            "expected",
        ),
        # The total instead of the mean.
        (
            lambda t, n, p, c: math.inf if n == 0 else t + c * math.sqrt(math.log(p) / n),
            "case 4 of",
        ),
        (lambda t, n, p, c: "high", "expected a float"),
        (lambda t, n, p, c: [1.0, 2.0], "expected a float"),
        (lambda t, n, p, c: math.nan, "got nan"),
    ],
)
def test_wrong_answers_fail_and_say_why(candidate, fragment) -> None:
    result = checks.check_ucb(candidate)
    assert not result.passed and not bool(result)
    assert result.message.startswith("✗ UCB1 score")
    assert fragment in result.message, result.message
    assert str(result) == result.message and repr(result).startswith("CheckResult(FAILED)")


def test_not_a_function_is_rejected() -> None:
    with pytest.raises(TypeError, match="expected your function for 'UCB1 score'"):
        checks.check_ucb(1.4)
