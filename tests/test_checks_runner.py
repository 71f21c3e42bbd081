"""daopt.checks' one case runner, through every checker: a reader's function that never
returns, modifies its inputs, returns None or strings is reported, not waited on or
accepted; the verdict shows in a REPL and can raise in a script."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from daopt import checks
from daopt.expectimax import expectiminimax

# Each checker with the number of arguments its reader's function takes.
CHECKERS = [
    (checks.check_grid_search, 3),
    (checks.check_gradient_descent, 5),
    (checks.check_has_line, 4),
    (checks.check_minimax, 1),
    (checks.check_ucb, 4),
    (checks.check_dense_backward, 3),
    (checks.check_q_update, 10),
    (checks.check_break_even_decisions, 4),
    (checks.check_cheapest_plan, 5),
    (checks.check_cem_update, 3),
    (checks.check_expectimax, 1),
    (checks.check_author_posterior, 3),
    (checks.check_dirichlet_predictive, 3),
    (checks.check_performative_loss, 3),
    (checks.check_tactical_move, 1),
    (checks.check_gate_report, 2),
    (checks.check_reliability, 3),
    (checks.check_cheapest_budget, 2),
    (checks.check_pareto_front, 2),
]


def test_every_checker_is_listed_here() -> None:
    names = {name for name in checks.__all__ if name.startswith("check_")}
    assert names == {checker.__name__ for checker, _ in CHECKERS}
    assert len(names) == 19


def never_returns(*args, **kwargs):
    while True:
        time.sleep(0.001)


def never_returns_and_swallows_errors(*args, **kwargs):
    while True:
        try:
            time.sleep(0.001)
        except Exception:
            pass  # a reader's catch-all must not hide the time limit


@pytest.mark.parametrize(("checker", "n_args"), CHECKERS)
@pytest.mark.parametrize("candidate", [never_returns, never_returns_and_swallows_errors])
def test_a_function_that_never_returns_is_reported_with_its_case(
    checker, n_args, candidate
) -> None:
    start = time.perf_counter()
    result = checker(candidate, time_limit=0.05)
    assert time.perf_counter() - start < 5
    assert not result.passed
    assert "case 1 of" in result.message
    assert "did not return within 0.05 s" in result.message, result.message


# Exercises where None is a right answer for some cases ("no tactical move").
NONE_IS_AN_ANSWER = {checks.check_tactical_move}


@pytest.mark.parametrize(("checker", "n_args"), CHECKERS)
def test_returning_none_is_named(checker, n_args) -> None:
    result = checker(lambda *args, **kwargs: None)
    assert not result.passed
    if checker in NONE_IS_AN_ANSWER:
        assert "got None" in result.message, result.message
    else:
        assert "returned None: is a return statement missing?" in result.message, result.message


@pytest.mark.parametrize(
    ("checker", "candidate"),
    [
        (checks.check_grid_search, lambda f, x, grid: [str(v) for v in grid[: len(x)]]),
        (checks.check_gradient_descent, lambda grad, x, y0, step, n_steps: [str(v) for v in y0]),
        (checks.check_ucb, lambda t, n, p, c: "inf" if n == 0 else str(t / n)),
        (checks.check_break_even_decisions, lambda fa, pa, fb, pb: "12"),
        (checks.check_expectimax, lambda state: "0.5"),
    ],
)
def test_strings_are_not_numbers(checker, candidate) -> None:
    result = checker(candidate)
    assert not result.passed and "expected a" in result.message, result.message


def test_modifying_an_input_is_caught_unless_the_exercise_allows_it() -> None:
    def sorting_cem(samples, scores, n_elite):
        order = np.argsort(-scores, kind="stable")
        scores.sort()  # modifies the caller's array
        elite = samples[order[:n_elite]]
        return elite.mean(axis=0), elite.std(axis=0)

    result = checks.check_cem_update(sorting_cem)
    assert not result.passed and "modified its input argument 2 in place" in result.message

    def in_place_q(q, state, action, reward, next_state, legal_next, done, learning_rate,
                   discount, zero_sum):  # fmt: skip
        best = 0.0 if done else max(q[next_state, a] for a in legal_next)
        target = reward + (0.0 if done else discount * (-best if zero_sum else best))
        q[state, action] += learning_rate * (target - q[state, action])
        return q

    assert checks.check_q_update(in_place_q)  # the Q-learning exercise allows it


def test_strict_raises_in_a_script_and_passes_quietly() -> None:
    with pytest.raises(AssertionError, match="✗ UCB1 score"):
        checks.check_ucb(lambda t, n, p, c: 0.0, strict=True)
    assert checks.check_ucb(
        lambda t, n, p, c: math.inf if n == 0 else t / n + c * math.sqrt(math.log(p) / n),
        strict=True,
    )


@pytest.mark.parametrize("bad", [0, -1.0, math.inf, "1", True])
def test_a_bad_time_limit_is_refused(bad) -> None:
    with pytest.raises((TypeError, ValueError), match="time_limit"):
        checks.check_ucb(lambda t, n, p, c: 0.0, time_limit=bad)


# -- chapter 8's expectimax exercise ---------------------------------------------------------


def right_expectimax(state):
    if state.is_terminal():
        return state.returns()[state.to_play]
    return max(
        sum(p * -right_expectimax(s) for s, p in state.play(a).chance_outcomes())
        for a in state.legal_actions()
    )


def test_expectimax_checker_accepts_the_recursion_and_the_module() -> None:
    for candidate in (right_expectimax, lambda s: expectiminimax(s).value):
        result = checks.check_expectimax(candidate)
        assert result.passed, result.message
        assert result.message == "✓ expectimax: all 24 positions match the reference"


def test_expectimax_checker_explains_a_forgotten_sign() -> None:
    def no_negation(state):
        if state.is_terminal():
            return state.returns()[state.to_play]
        return max(
            sum(p * no_negation(s) for s, p in state.play(a).chance_outcomes())
            for a in state.legal_actions()
        )

    result = checks.check_expectimax(no_negation)
    assert not result.passed and result.message.startswith("✗ expectimax: case ")
    assert "slip" in result.message and "expected" in result.message

    def unweighted(state):
        if state.is_terminal():
            return state.returns()[state.to_play]
        return max(
            sum(-unweighted(s) for s, _ in state.play(a).chance_outcomes())
            for a in state.legal_actions()
        )

    result = checks.check_expectimax(unweighted)
    assert not result.passed and "expected" in result.message, result.message

    result = checks.check_expectimax(lambda state: 5)
    assert not result.passed and "a value lies in [-1, 1]" in result.message, result.message
