"""daopt.checks, Part III: the dense-backward and Q-update checkers accept right answers
and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from daopt import checks
from daopt.nn import MLP


def right_dense_backward(x, w, grad_out):
    return grad_out @ w.T, x.T @ grad_out, grad_out.sum(axis=0)


def dense_backward_via_mlp(x, w, grad_out):
    """The same answer from daopt.nn: a one-layer MLP whose weights are w."""
    net = MLP([w.shape[0], w.shape[1]], np.random.default_rng(0))
    net.params[0][...] = w
    _, cache = net.forward_cached(x)
    grad_w, grad_b = net.backward(cache, grad_out)
    return grad_out @ w.T, grad_w, grad_b


def right_q_update(
    q, state, action, reward, next_state, legal_next, done, learning_rate, discount, zero_sum
):
    if done:
        target = reward
    else:
        best = max(q[next_state, a] for a in legal_next)
        target = reward + discount * (-best if zero_sum else best)
    q = q.copy()
    q[state, action] += learning_rate * (target - q[state, action])
    return q


def ignores_legality(
    q, state, action, reward, next_state, legal_next, done, learning_rate, discount, zero_sum
):
    return right_q_update(
        q, state, action, reward, next_state, range(q.shape[1]), done, learning_rate,
        discount, zero_sum,
    )  # fmt: skip


def never_negates(
    q, state, action, reward, next_state, legal_next, done, learning_rate, discount, zero_sum
):
    return right_q_update(
        q, state, action, reward, next_state, legal_next, done, learning_rate, discount, False
    )


def bootstraps_after_the_end(
    q, state, action, reward, next_state, legal_next, done, learning_rate, discount, zero_sum
):
    return right_q_update(
        q, state, action, reward, next_state, legal_next, False, learning_rate, discount,
        zero_sum,
    )  # fmt: skip


def reads_after_writing(
    q, state, action, reward, next_state, legal_next, done, learning_rate, discount, zero_sum
):
    """Updates a copy of the row, then overwrites the whole table with it: a shape bug."""
    new = right_q_update(
        q, state, action, reward, next_state, legal_next, done, learning_rate, discount, zero_sum
    )
    return new[state]


def test_right_answers_pass() -> None:
    for result in (
        checks.check_dense_backward(right_dense_backward),
        checks.check_dense_backward(dense_backward_via_mlp),
        checks.check_q_update(right_q_update),
    ):
        assert result.passed and bool(result)
        assert result.message.startswith("✓")


def in_place_q_update(
    q, state, action, reward, next_state, legal_next, done, learning_rate, discount, zero_sum
):
    q[...] = right_q_update(
        q, state, action, reward, next_state, legal_next, done, learning_rate, discount, zero_sum
    )
    return q


def test_in_place_updates_pass_too() -> None:
    assert checks.check_q_update(in_place_q_update).passed


@pytest.mark.parametrize(
    ("checker", "candidate", "fragment"),
    [
        (
            checks.check_dense_backward,
            lambda x, w, g: (g @ w.T, x.T @ g, g.mean(axis=0)),
            "grad_b differs in",
        ),
        (
            checks.check_dense_backward,
            lambda x, w, g: (g @ w.T, g.T @ x, g.sum(axis=0)),
            "grad_W has shape (2, 3), expected shape (3, 2)",
        ),
        (
            checks.check_dense_backward,
            lambda x, w, g: (g @ w, x.T @ g, g.sum(axis=0)),
            "raised ValueError",
        ),
        (checks.check_dense_backward, lambda x, w, g: g, "expected a tuple (grad_x, grad_W"),
        (
            checks.check_dense_backward,
            lambda x, w, g: (None, x.T @ g, g.sum(axis=0)),
            "grad_x is None, expected an array of numbers",
        ),
        (checks.check_q_update, ignores_legality, "the returned q differs in 1 of"),
        (checks.check_q_update, never_negates, "zero_sum=True"),
        (checks.check_q_update, bootstraps_after_the_end, "done=True"),
        (checks.check_q_update, reads_after_writing, "has shape (1,), expected shape (1, 1)"),
        (checks.check_q_update, lambda **case: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_wrong_answers_fail_and_say_why(checker, candidate, fragment) -> None:
    result = checker(candidate)
    assert not result.passed and not bool(result)
    assert result.message.startswith("✗")
    assert fragment in result.message, result.message
    assert str(result) == result.message and repr(result).startswith("CheckResult(FAILED)")


@pytest.mark.parametrize("checker", [checks.check_dense_backward, checks.check_q_update])
def test_a_non_function_is_a_type_error(checker) -> None:
    with pytest.raises(TypeError, match="expected your function"):
        checker(3)
