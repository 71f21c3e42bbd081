"""Checkers for chapter 10's exercises (language models): the author posterior,
the ideal in-context learner, and the loss of a performative prediction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from daopt import lm
from daopt.checks.runner import TIME_LIMIT, Case, CheckResult, array_difference, run_cases
from daopt.performative import PerformativeWorld

__all__ = ["check_author_posterior", "check_dirichlet_predictive", "check_performative_loss"]


def _judge_array(got: Any, case: Case) -> str | None:
    failure = array_difference("the answer", got, np.asarray(case.expected, dtype=float))
    return None if failure is None else f": {failure}"


def check_author_posterior(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(transitions, weights, context) -> (k,)``: P(author | context).

    ``transitions`` (k, V, V) are the authors' chains, ``weights`` (k,) the prior,
    ``context`` (T,) int tokens (T may be 0); every author shares the first token's
    distribution, so it carries no information about the author.
    """
    rng = np.random.default_rng(10)
    cases = []
    for k, vocab, length in [(1, 2, 3), (2, 3, 0), (2, 3, 1), (3, 4, 2), (4, 8, 64), (4, 8, 1500)]:
        source = lm.MarkovMixture(
            rng.dirichlet(np.full(vocab, 0.5), size=(k, vocab)) + 1e-9,
            weights=rng.dirichlet(np.ones(k)),
        )
        context = source.sample(1, rng, length)[0] if length else np.zeros(0, dtype=np.int64)
        cases.append(
            Case(
                kwargs={
                    "transitions": source.transitions,
                    "weights": source.weights,
                    "context": context,
                },
                label=f" (k={k}, V={vocab}, T={length})",
                expected=source.posterior(context),
            )
        )
    return run_cases(
        "author posterior", candidate, cases, _judge_array, time_limit=time_limit, strict=strict
    )


def check_dirichlet_predictive(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(tokens, vocab, concentration) -> (n, T, V)``: the ideal in-context
    learner for an unknown chain, (count of i -> j so far + alpha) / (count of i + V alpha)
    with i the previous token; the first token is uniform."""
    rng = np.random.default_rng(11)
    cases = []
    for n, length, vocab, alpha in [
        (1, 1, 2, 1.0),
        (1, 5, 3, 0.3),
        (3, 20, 4, 0.5),
        (5, 64, 8, 0.3),
    ]:
        tokens = rng.integers(0, vocab, size=(n, length))
        cases.append(
            Case(
                kwargs={"tokens": tokens, "vocab": vocab, "concentration": alpha},
                label=f" (tokens {tokens.shape}, V={vocab}, alpha={alpha})",
                expected=lm.dirichlet_predictive(tokens, vocab, alpha),
            )
        )
    return run_cases(
        "Dirichlet predictive", candidate, cases, _judge_array, time_limit=time_limit, strict=strict
    )


def check_performative_loss(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(base, feedback, p) -> float``: the expected cross-entropy
    -sum_x r_x log p_x of prediction ``p`` (V,) when the world answers
    r = softmax(log base + feedback * p)."""
    rng = np.random.default_rng(12)
    cases = []
    for vocab, feedback in [(2, 0.0), (2, 3.0), (3, 1.0), (8, 0.5), (8, 6.0)]:
        base = rng.dirichlet(np.ones(vocab))
        p = rng.dirichlet(np.ones(vocab))
        cases.append(
            Case(
                kwargs={"base": base, "feedback": feedback, "p": p},
                label=f" (V={vocab}, feedback={feedback})",
                expected=np.asarray(PerformativeWorld(base, feedback).loss(p), dtype=float),
            )
        )
    return run_cases(
        "performative loss", candidate, cases, _judge_array, time_limit=time_limit, strict=strict
    )
