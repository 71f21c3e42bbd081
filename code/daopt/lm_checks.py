"""Exercise checkers for chapter 10 (language models): run the reader's function and
the reference on the same seeded inputs and say exactly what differs.

Each checker returns a ``daopt.checks.CheckResult``: truthy when the reader's function
is right, with a message naming the first input on which it is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from daopt import lm
from daopt.checks import CheckResult
from daopt.performative import PerformativeWorld

__all__ = ["check_author_posterior", "check_dirichlet_predictive", "check_performative_loss"]


def _run_cases(
    exercise: str,
    candidate: Callable[..., Any],
    cases: list[tuple[dict[str, Any], np.ndarray, str]],
) -> CheckResult:
    """Call ``candidate(**inputs)`` for each (inputs, expected, description) and compare."""
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    for number, (inputs, expected, description) in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)} ({description})"
        copies = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}
        try:
            got = candidate(**copies)
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
        wrong = ~np.isclose(got_arr, expected, atol=1e-8, rtol=1e-6)
        if np.any(wrong):
            index = np.unravel_index(int(np.argmax(wrong)), expected.shape)
            return CheckResult(
                False,
                f"✗ {exercise}: {where}: {int(wrong.sum())} of {wrong.size} entries differ; "
                f"first at index {tuple(int(i) for i in index)}: expected "
                f"{expected[index]:.6g}, got {got_arr[index]:.6g}",
            )
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} cases match the reference")


def check_author_posterior(candidate: Callable[..., Any]) -> CheckResult:
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
        inputs = {"transitions": source.transitions, "weights": source.weights, "context": context}
        cases.append((inputs, source.posterior(context), f"k={k}, V={vocab}, T={length}"))
    return _run_cases("author posterior", candidate, cases)


def check_dirichlet_predictive(candidate: Callable[..., Any]) -> CheckResult:
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
        inputs = {"tokens": tokens, "vocab": vocab, "concentration": alpha}
        expected = lm.dirichlet_predictive(tokens, vocab, alpha)
        cases.append((inputs, expected, f"tokens {tokens.shape}, V={vocab}, alpha={alpha}"))
    return _run_cases("Dirichlet predictive", candidate, cases)


def check_performative_loss(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(base, feedback, p) -> float``: the expected cross-entropy
    -sum_x r_x log p_x of prediction ``p`` (V,) when the world answers
    r = softmax(log base + feedback * p)."""
    rng = np.random.default_rng(12)
    cases = []
    for vocab, feedback in [(2, 0.0), (2, 3.0), (3, 1.0), (8, 0.5), (8, 6.0)]:
        base = rng.dirichlet(np.ones(vocab))
        p = rng.dirichlet(np.ones(vocab))
        expected = np.asarray(PerformativeWorld(base, feedback).loss(p), dtype=float)
        inputs = {"base": base, "feedback": feedback, "p": p}
        cases.append((inputs, expected, f"V={vocab}, feedback={feedback}"))
    return _run_cases("performative loss", candidate, cases)
