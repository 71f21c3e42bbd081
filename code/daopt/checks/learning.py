"""Checkers for the learning chapters: chapter 5's dense-layer backward pass and
chapter 6's tabular Q-learning update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks.runner import (
    TIME_LIMIT,
    Case,
    CheckResult,
    array_difference,
    judge_arrays,
    run_cases,
)
from daopt.td import q_update

__all__ = ["check_dense_backward", "check_q_update"]


def check_dense_backward(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(x, W, grad_out) -> (grad_x, grad_W, grad_b)``: the backward pass of
    one dense layer ``out = x @ W + b``.

    ``x`` is (n, i), ``W`` is (i, o), ``grad_out`` = dloss/dout is (n, o), passed in that
    order; the answer is dloss/dx (n, i), dloss/dW (i, o) and dloss/db (o,), where the loss
    sums over the batch.
    """
    rng = np.random.default_rng(5)
    shapes = [(1, 1, 1), (1, 3, 2), (4, 3, 2), (5, 1, 4), (16, 8, 5), (32, 27, 9)]
    cases = []
    for n, i, o in shapes:
        x, weights, grad_out = (
            rng.normal(size=(n, i)),
            rng.normal(size=(i, o)),
            rng.normal(size=(n, o)),
        )
        cases.append(
            Case(
                args=(x, weights, grad_out),
                label=f" (x {x.shape}, W {weights.shape})",
                expected=(grad_out @ weights.T, x.T @ grad_out, grad_out.sum(axis=0)),
            )
        )
    judge = judge_arrays(("grad_x", "grad_W", "grad_b"))
    return run_cases(
        "dense backward", candidate, cases, judge, time_limit=time_limit, strict=strict
    )


def _q_cases() -> list[dict[str, Any]]:
    rng = np.random.default_rng(11)
    cases = []
    for n_states, n_actions in [(1, 1), (4, 3), (6, 9)]:
        for done, zero_sum, discount in [
            (False, False, 1.0),
            (False, False, 0.9),
            (True, False, 0.9),
            (False, True, 1.0),
            (True, True, 1.0),
        ]:
            state, next_state = rng.integers(n_states, size=2)
            # A strict subset of legal moves when possible, so that the max must skip some.
            n_legal = max(1, n_actions - 2)
            legal = sorted(rng.choice(n_actions, size=n_legal, replace=False).tolist())
            cases.append(
                {
                    "q": rng.uniform(-1, 1, size=(n_states, n_actions)),
                    "state": int(state),
                    "action": int(rng.integers(n_actions)),
                    "reward": float(rng.choice([-1.0, 0.0, 1.0, 0.5])),
                    "next_state": int(next_state),
                    "legal_next": legal,
                    "done": done,
                    "learning_rate": float(rng.choice([0.1, 0.5, 1.0])),
                    "discount": discount,
                    "zero_sum": zero_sum,
                }
            )
    # The best move in q is illegal: the max must be over legal_next only.
    q = np.zeros((2, 3))
    q[1] = [5.0, -1.0, 0.25]
    cases.append(
        {
            "q": q,
            "state": 0,
            "action": 2,
            "reward": 0.0,
            "next_state": 1,
            "legal_next": [1, 2],
            "done": False,
            "learning_rate": 0.5,
            "discount": 1.0,
            "zero_sum": False,
        }
    )
    return cases


def check_q_update(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check one tabular Q-learning update, ``candidate(q, state, action, reward, next_state,
    legal_next, done, learning_rate, discount, zero_sum) -> q``.

    The arguments are passed by these names. ``q`` is a table (n_states, n_actions);
    return it after the update (in place or a copy). The target is ``reward`` if ``done``,
    otherwise ``reward + discount * best`` where best is the largest ``q[next_state, a]``
    over the actions ``a`` in ``legal_next``, negated when ``zero_sum`` (the opponent moves
    next and their gain is our loss). Then ``q[state, action]`` moves ``learning_rate`` of
    the way to the target.
    """
    cases = [
        Case(
            kwargs=case,
            label=(
                f" (q {case['q'].shape}, state={case['state']}, action={case['action']}, "
                f"reward={case['reward']}, next_state={case['next_state']}, "
                f"legal_next={case['legal_next']}, done={case['done']}, "
                f"learning_rate={case['learning_rate']}, discount={case['discount']}, "
                f"zero_sum={case['zero_sum']})"
            ),
            expected=q_update(**{**case, "q": case["q"].copy()}),
        )
        for case in _q_cases()
    ]

    def judge(got: Any, case: Case) -> str | None:
        failure = array_difference("the returned q", got, case.expected)
        return None if failure is None else f": {failure}"

    return run_cases(
        "Q-learning update",
        candidate,
        cases,
        judge,
        may_modify=("q",),  # the exercise allows updating q in place
        time_limit=time_limit,
        strict=strict,
    )
