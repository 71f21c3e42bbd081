"""Checker for chapter 8's planning exercise: one cross-entropy method update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks.runner import TIME_LIMIT, Case, CheckResult, judge_arrays, run_cases
from daopt.planning import cem_update

__all__ = ["check_cem_update"]


def check_cem_update(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check one cross-entropy update, ``candidate(samples, scores, n_elite) -> (mean, std)``.

    ``samples`` (n, d) are candidate solutions, ``scores`` (n,) how good each is
    (higher is better); the answer is the mean (d,) and the standard deviation
    (d,) of the ``n_elite`` best rows (population std, dividing by ``n_elite``).
    Ties in the scores go to the earlier row.
    """
    rng = np.random.default_rng(8)
    inputs = []
    for n, d, n_elite in [(1, 1, 1), (5, 1, 2), (10, 3, 3), (50, 4, 5), (64, 15, 8), (200, 32, 20)]:
        inputs.append((rng.normal(size=(n, d)), rng.normal(size=n), n_elite))
    # Every row elite; a single elite (std 0); and ties that the earlier row must win.
    inputs.append((rng.normal(size=(6, 2)), rng.normal(size=6), 6))
    inputs.append((rng.normal(size=(7, 3)), rng.normal(size=7), 1))
    inputs.append((np.arange(12.0).reshape(6, 2), np.array([1.0, 3.0, 3.0, 0.0, 3.0, 2.0]), 2))
    cases = [
        Case(
            args=(samples, scores, n_elite),
            label=f" (samples {samples.shape[0]}x{samples.shape[1]}, n_elite={n_elite})",
            expected=cem_update(samples, scores, n_elite),
        )
        for samples, scores, n_elite in inputs
    ]
    return run_cases(
        "CEM update",
        candidate,
        cases,
        judge_arrays(("mean", "std")),
        time_limit=time_limit,
        strict=strict,
    )
