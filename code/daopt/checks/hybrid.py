"""Checkers for chapter 9's exercises (the hybrid agent): the tactical check, the
gate's report, the reliability table and the cheapest budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks.runner import (
    TIME_LIMIT,
    Case,
    CheckResult,
    array_difference,
    as_numbers,
    run_cases,
)
from daopt.games import ConnectFour
from daopt.hybrid import gate_report, reliability, tactical_move
from daopt.validation import is_integer

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


def _judge_nan_aware(got: Any, case: Case) -> str | None:
    """Arrays compared entry by entry, NaN matching NaN (an empty bin, nothing planned)."""
    want = np.asarray(case.expected, dtype=float)
    numbers = as_numbers(got)
    if numbers is not None and numbers.shape == want.shape:
        same_nan = np.isnan(numbers) == np.isnan(want)
        if not same_nan.all():
            index = tuple(int(i) for i in np.argwhere(~same_nan)[0])
            return (
                f": the answer differs at entry {index}: "
                f"expected {want[index]:.6g}, got {numbers[index]:.6g}"
            )
        numbers, want = np.nan_to_num(numbers), np.nan_to_num(want)
    failure = array_difference("the answer", got if numbers is None else numbers, want)
    return None if failure is None else f": {failure}"


def check_tactical_move(
    candidate: Callable[[ConnectFour], Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(state) -> column or None``: a winning move if the player to
    move has one (the lowest such column), else the only column that blocks the
    opponent's immediate win, else None (no threat, or two that no move stops)."""
    # None is a right answer here ("no tactical move"): answers travel wrapped in a
    # 1-tuple, so that the runner's "returned None" message is kept for real omissions.
    cases = [
        Case(args=(state,), label=f", the position\n{state}\n", expected=(tactical_move(state)[0],))
        for state in tactic_cases()
    ]

    def judge(got: Any, case: Case) -> str | None:
        (answer,), (want,) = got, case.expected
        if answer == want and (answer is None or is_integer(answer)):
            return None
        return f"expected {want!r} (0-based column or None), got {answer!r}"

    return run_cases(
        "tactical check",
        lambda state: (candidate(state),),
        cases,
        judge,
        noun="positions",
        time_limit=time_limit,
        strict=strict,
    )


def check_gate_report(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(planned, wrong) -> (planned share, precision, recall)`` with
    ``planned`` and ``wrong`` (n,) bool arrays; precision is NaN if nothing was planned."""
    rng = np.random.default_rng(12)
    cases = []
    for n in (1, 5, 40, 300):
        for rate in (0.0, 0.1, 0.5):
            planned = rng.random(n) < rate
            wrong = rng.random(n) < 0.2
            if not wrong.any():
                wrong[0] = True
            report = gate_report(planned, wrong)
            cases.append(
                Case(
                    args=(planned, wrong),
                    label=f" (n={n}, {int(planned.sum())} planned)",
                    expected=np.array([report.planned_share, report.precision, report.recall]),
                )
            )
    return run_cases(
        "gate report", candidate, cases, _judge_nan_aware, time_limit=time_limit, strict=strict
    )


def check_reliability(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(confidence, correct, n_bins) -> accuracy`` (n_bins,): the share
    of correct moves in each of ``n_bins`` equal bins of confidence on [0, 1] (the last
    bin closed at 1), NaN for an empty bin."""
    rng = np.random.default_rng(13)
    cases = []
    for n, bins in ((10, 2), (200, 5), (1000, 10), (50, 20)):
        confidence = rng.random(n)
        confidence[0] = 1.0  # the closed end of the last bin
        correct = rng.random(n) < confidence
        cases.append(
            Case(
                args=(confidence, correct, bins),
                label=f" (n={n}, n_bins={bins})",
                expected=reliability(confidence, correct, bins)[1],
            )
        )
    return run_cases(
        "reliability table",
        candidate,
        cases,
        _judge_nan_aware,
        time_limit=time_limit,
        strict=strict,
    )


def check_cheapest_budget(
    candidate: Callable[..., Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(rates, evaluations) -> index``: for agents with optimal-move
    rates ``rates`` (k,) in percent (all > 0) and mean position evaluations per move
    ``evaluations`` (k,), the index of the one that is cheapest per optimal move
    (lowest ``evaluations / (rates / 100)``; ties to the lowest index)."""
    rng = np.random.default_rng(14)
    inputs = []
    for k in (1, 3, 8, 20):
        inputs.append((rng.uniform(40, 100, k), np.exp(rng.uniform(0, 8, k))))
        inputs.append((rng.uniform(40, 100, k), rng.uniform(10, 12, k)))  # the rate decides
    inputs.append((np.array([40.0, 100.0]), np.array([10.0, 15.0])))
    inputs.append((np.array([50.0, 100.0]), np.array([10.0, 20.0])))  # a tie
    cases = [
        Case(
            args=(rates, evaluations),
            label=f" ({rates.size} agents)",
            expected=int(np.argmin(evaluations / (rates / 100))),
        )
        for rates, evaluations in inputs
    ]

    def judge(got: Any, case: Case) -> str | None:
        if np.ndim(got) == 1 and np.size(got) == 1:
            got = np.asarray(got).item()
        if not is_integer(got):
            return f" returned {got!r}, expected an index (an int)"
        if int(got) != case.expected:
            return f": expected index {case.expected}, got {int(got)}"
        return None

    return run_cases(
        "cheapest budget", candidate, cases, judge, time_limit=time_limit, strict=strict
    )
