"""Checkers for exhaustive search: chapter 3's minimax and chapter 8's expectimax."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks.runner import TIME_LIMIT, Case, CheckResult, as_number, run_cases
from daopt.expectimax import expectiminimax
from daopt.games import PLAYER_MARKS, ConnectFour, GameState, TicTacToe
from daopt.noisy_tictactoe import NoisyTicTacToe
from daopt.search import solve

__all__ = ["check_expectimax", "check_minimax"]

_MEANING = {1: "a win", 0: "a draw", -1: "a loss"}


def _random_positions(
    rng: np.random.Generator, start: GameState, n_cases: int, fewest: int, most: int
) -> list[GameState]:
    """``n_cases`` distinct positions after ``fewest``-``most`` random moves from ``start``
    (fewer if the game ends first)."""
    found: list[GameState] = []
    while len(found) < n_cases:
        state = start
        for _ in range(int(rng.integers(fewest, most + 1))):
            if state.is_terminal():
                break
            state = state.play(int(rng.choice(state.legal_actions())))
        if state not in found:
            found.append(state)
    return found


def _minimax_cases() -> list[GameState]:
    """Seeded positions for ``check_minimax``: tic-tac-toe after 3-9 random moves
    (finished games included) and 4x4 Connect Four after 4-8 random moves."""
    rng = np.random.default_rng(33)
    return _random_positions(rng, TicTacToe(), 30, 3, 9) + _random_positions(
        rng, ConnectFour(rows=4, cols=4), 6, 4, 8
    )


def _position_label(state: GameState) -> str:
    over = " (the game is over)" if state.is_terminal() else ""
    return f", {type(state).__name__} with {PLAYER_MARKS[state.to_play]} to move{over}:\n{state}\n"


def _judge_minimax(got: Any, case: Case) -> str | None:
    if isinstance(got, bool) or got not in (-1, 0, 1):
        return f"returned {got!r}, expected -1, 0 or 1"
    if got != case.expected:
        return (
            f"expected {case.expected} ({_MEANING[case.expected]} for the player to move), "
            f"got {int(got)} ({_MEANING[int(got)]})"
        )
    return None


def check_minimax(
    candidate: Callable[[Any], Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(state) -> int``: the game-theoretic value for the player to move
    (+1 win, 0 draw, -1 loss, with best play by both), finished games included."""
    cases = [
        Case(args=(state,), label=_position_label(state), expected=solve(state))
        for state in _minimax_cases()
    ]
    return run_cases(
        "minimax",
        candidate,
        cases,
        _judge_minimax,
        noun="positions",
        time_limit=time_limit,
        strict=strict,
    )


def _expectimax_cases() -> list[NoisyTicTacToe]:
    """Seeded noisy tic-tac-toe positions for ``check_expectimax``: one to four empty
    cells, no noise and slips of 0.1 to 1 in each neighbourhood, finished games too."""
    rng = np.random.default_rng(88)
    boards = _random_positions(rng, TicTacToe(), 24, 5, 9)
    kinds = ("orthogonal", "adjacent", "anywhere")
    slips = (0.0, 0.1, 0.3, 1.0)
    return [
        NoisyTicTacToe.from_board(board, slips[i % 4], kinds[i % 3])
        for i, board in enumerate(boards)
    ]


def _judge_expectimax(got: Any, case: Case) -> str | None:
    value = as_number(got)
    if value is None:
        return f"returned {got!r}, expected a number in [-1, 1]"
    if math.isclose(value, case.expected, abs_tol=1e-9):
        return None
    hint = ""
    if math.isclose(value, -case.expected, abs_tol=1e-9):
        hint = " (the sign is flipped: an outcome's value is for the player who moves next)"
    elif not -1 <= value <= 1:
        hint = " (a value lies in [-1, 1]: the probabilities must weight the outcomes)"
    return f"expected {case.expected:.6g}, got {value:.6g}{hint}"


def check_expectimax(
    candidate: Callable[[Any], Any], *, time_limit: float = TIME_LIMIT, strict: bool = False
) -> CheckResult:
    """Check ``candidate(state) -> float``: the expectiminimax value of a noisy tic-tac-toe
    decision state for its player to move (+1 win, -1 loss, expectations between): the
    best action's value, each action worth the probability-weighted mean of its chance
    outcomes (``state.play(a).chance_outcomes()``). The reference is
    ``daopt.expectimax.expectiminimax``."""
    cases = [
        Case(
            args=(state,),
            label=(
                f", slip {state.slip:g} ({state.neighbourhood}), "
                f"{PLAYER_MARKS[state.to_play]} to move:\n{state}\n"
            ),
            expected=expectiminimax(state).value,
        )
        for state in _expectimax_cases()
    ]
    return run_cases(
        "expectimax",
        candidate,
        cases,
        _judge_expectimax,
        noun="positions",
        time_limit=time_limit,
        strict=strict,
    )
