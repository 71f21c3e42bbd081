"""Checkers for chapter 9's exercises (the hybrid agent), in the conventions of
``daopt.checks``: run the reader's function and the reference on the same seeded
inputs and say what differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks import CheckResult, _compare
from daopt.games import ConnectFour
from daopt.hybrid import gate_report, reliability, tactical_move

__all__ = [
    "check_cheapest_budget",
    "check_gate_report",
    "check_reliability",
    "check_tactical_move",
    "tactic_cases",
]


def tactic_cases(n: int = 60, seed: int = 9) -> list[ConnectFour]:
    """Seeded 5x5 positions: random play, plus hand-picked wins, blocks and double threats."""
    rng = np.random.default_rng(seed)
    cases = [
        ConnectFour(5, 5),
        ConnectFour.from_moves("11223", 5, 5),  # X wins in column 4
        ConnectFour.from_moves("1122355", 5, 5),  # O must block column 4
        ConnectFour.from_moves("2233", 5, 5),  # X to move: 1 and 4 both win later, not now
        ConnectFour.from_moves("223344", 5, 5),  # X wins at 1 or 5
    ]
    while len(cases) < n:
        state = ConnectFour(5, 5)
        for _ in range(int(rng.integers(4, 20))):
            legal = state.legal_actions()
            child = state.play(legal[int(rng.integers(len(legal)))])
            if child.is_terminal():
                break
            state = child
        cases.append(state)
    return cases


def check_tactical_move(candidate: Callable[[ConnectFour], Any]) -> CheckResult:
    """Check ``candidate(state) -> column or None``: a winning move if the player to
    move has one (the lowest such column), else the only column that blocks the
    opponent's immediate win, else None (no threat, or two that no move stops)."""
    exercise = "tactical check"
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    cases = tactic_cases()
    for number, state in enumerate(cases, start=1):
        want = tactical_move(state)[0]
        try:
            got = candidate(state)
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False,
                f"✗ {exercise}: case {number} of {len(cases)} raised "
                f"{type(error).__name__}: {error}",
            )
        if got != want:
            return CheckResult(
                False,
                f"✗ {exercise}: case {number} of {len(cases)}, the position\n{state}\n"
                f"expected {want!r} (0-based column or None), got {got!r}",
            )
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} positions match the reference")


def _gate_cases() -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(12)
    cases = []
    for n in (1, 5, 40, 300):
        for rate in (0.0, 0.1, 0.5):
            planned = rng.random(n) < rate
            wrong = rng.random(n) < 0.2
            if not wrong.any():
                wrong[0] = True
            cases.append({"planned": planned, "wrong": wrong})
    return cases


def check_gate_report(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(planned, wrong) -> (planned share, precision, recall)`` with
    ``planned`` and ``wrong`` (n,) bool arrays; precision is NaN if nothing was planned."""

    def reference(planned: np.ndarray, wrong: np.ndarray) -> np.ndarray:
        r = gate_report(planned, wrong)
        return np.array([r.planned_share, r.precision, r.recall])

    def wrapped(planned: np.ndarray, wrong: np.ndarray) -> np.ndarray:
        got = np.asarray(candidate(planned, wrong), dtype=float)
        want = reference(planned, wrong)
        # NaN in the same place counts as a match; _compare sees equal zeros there.
        if got.shape == want.shape and np.array_equal(np.isnan(got), np.isnan(want)):
            return np.nan_to_num(got)
        return got

    return _compare(
        "gate report",
        wrapped,
        lambda planned, wrong: np.nan_to_num(reference(planned, wrong)),
        _gate_cases(),
        describe=lambda c: f"n={c['planned'].size}, {int(c['planned'].sum())} planned",
    )


def check_reliability(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(confidence, correct, n_bins) -> accuracy`` (n_bins,): the share
    of correct moves in each of ``n_bins`` equal bins of confidence on [0, 1] (the last
    bin closed at 1), NaN for an empty bin."""
    rng = np.random.default_rng(13)
    cases = []
    for n, bins in ((10, 2), (200, 5), (1000, 10), (50, 20)):
        confidence = rng.random(n)
        confidence[0] = 1.0  # the closed end of the last bin
        cases.append(
            {"confidence": confidence, "correct": rng.random(n) < confidence, "n_bins": bins}
        )

    def reference(confidence: np.ndarray, correct: np.ndarray, n_bins: int) -> np.ndarray:
        return np.nan_to_num(reliability(confidence, correct, n_bins)[1], nan=-1.0)

    def wrapped(confidence: np.ndarray, correct: np.ndarray, n_bins: int) -> np.ndarray:
        return np.nan_to_num(np.asarray(candidate(confidence, correct, n_bins), float), nan=-1.0)

    return _compare(
        "reliability table",
        wrapped,
        reference,
        cases,
        describe=lambda c: f"n={c['confidence'].size}, n_bins={c['n_bins']}",
    )


def check_cheapest_budget(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(rates, evaluations) -> index``: for agents with optimal-move
    rates ``rates`` (k,) in percent (all > 0) and mean position evaluations per move
    ``evaluations`` (k,), the index of the one that is cheapest per optimal move
    (lowest ``evaluations / (rates / 100)``; ties to the lowest index)."""
    rng = np.random.default_rng(14)
    cases = []
    for k in (1, 3, 8, 20):
        cases.append(
            {"rates": rng.uniform(40, 100, k), "evaluations": np.exp(rng.uniform(0, 8, k))}
        )
        # Similar costs: here the rate decides.
        cases.append({"rates": rng.uniform(40, 100, k), "evaluations": rng.uniform(10, 12, k)})
    cases.append({"rates": np.array([40.0, 100.0]), "evaluations": np.array([10.0, 15.0])})
    cases.append({"rates": np.array([50.0, 100.0]), "evaluations": np.array([10.0, 20.0])})

    def reference(rates: np.ndarray, evaluations: np.ndarray) -> np.ndarray:
        return np.array([int(np.argmin(evaluations / (rates / 100)))])

    def wrapped(rates: np.ndarray, evaluations: np.ndarray) -> Any:
        got = candidate(rates, evaluations)
        return [got] if np.ndim(got) == 0 else got

    if not callable(candidate):
        raise TypeError(f"expected your function for 'cheapest budget', got {candidate!r}")
    return _compare(
        "cheapest budget",
        wrapped,
        reference,
        cases,
        describe=lambda c: f"{c['rates'].size} agents",
    )
