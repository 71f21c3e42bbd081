"""daopt.features, the positions learners train and are tested on: the positions of
random games (``random_play_positions``) and every reachable position
(``all_positions``)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt import features
from daopt.games import ConnectFour, TicTacToe


def every_state(start: TicTacToe) -> set[TicTacToe]:
    """All states reachable from ``start``, terminal ones included (no symmetry merging)."""
    seen, stack = set(), [start]
    while stack:
        state = stack.pop()
        if state not in seen:
            seen.add(state)
            if not state.is_terminal():
                stack.extend(state.play(a) for a in state.legal_actions())
    return seen


def test_tic_tac_toe_has_627_positions_with_a_move_up_to_symmetry() -> None:
    positions = features.all_positions(TicTacToe())
    states = every_state(TicTacToe())
    assert len(states) == 5478
    decision_keys = {s.key() for s in states if not s.is_terminal()}
    assert len(positions) == len(decision_keys) == 627
    assert [p.key() for p in positions] == sorted(decision_keys)
    assert not any(p.is_terminal() for p in positions)


def test_all_positions_from_a_later_start_and_with_a_limit() -> None:
    start = TicTacToe.from_cells("XO.X.O...")
    below = {s.key() for s in every_state(start) if not s.is_terminal()}
    assert {p.key() for p in features.all_positions(start)} == below
    assert len(features.all_positions(ConnectFour(rows=2, cols=2, k=2))) > 0
    with pytest.raises(ValueError, match="more than limit=100 positions"):
        features.all_positions(TicTacToe(), limit=100)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_games=st.integers(1, 6), cut=st.integers(1, 6))
def test_random_play_positions_are_nested_game_by_game(seed: int, n_games: int, cut: int) -> None:
    positions = features.random_play_positions(TicTacToe(), n_games, np.random.default_rng(seed))
    # Each game starts from the empty board and adds one stone per move.
    starts = [i for i, p in enumerate(positions) if p == TicTacToe()]
    assert len(starts) == n_games and starts[0] == 0
    assert all(not p.is_terminal() for p in positions)
    for i in range(1, len(positions)):
        if i not in starts:
            before, after = positions[i - 1].cells(), positions[i].cells()
            assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
            assert before.count(".") == after.count(".") + 1
    # The first m games are the games of a run asked for m.
    m = min(cut, n_games)
    fewer = features.random_play_positions(TicTacToe(), m, np.random.default_rng(seed))
    end = starts[m] if m < n_games else len(positions)
    assert positions[:end] == fewer


def test_random_play_positions_leave_out_excluded_keys() -> None:
    full = features.random_play_positions(TicTacToe(), 50, np.random.default_rng(3))
    held_out = {p.key() for p in full[::7]}
    kept = features.random_play_positions(
        TicTacToe(), 50, np.random.default_rng(3), exclude=held_out
    )
    assert kept == [p for p in full if p.key() not in held_out]
    assert len(kept) < len(full)
    board = ConnectFour(rows=4, cols=5)
    c4 = features.random_play_positions(board, 3, np.random.default_rng(0))
    assert c4[0] == board and all(isinstance(p, ConnectFour) for p in c4)


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (
            lambda: features.random_play_positions("X", 1, np.random.default_rng(0)),
            TypeError,
            "initial_state must be a daopt.games TicTacToe or ConnectFour",
        ),
        (
            lambda: features.random_play_positions(
                TicTacToe.from_cells("XXXOO...."), 1, np.random.default_rng(0)
            ),
            ValueError,
            "initial_state must be an unfinished game",
        ),
        (
            lambda: features.random_play_positions(TicTacToe(), 0, np.random.default_rng(0)),
            ValueError,
            "n_games must be >= 1, got 0",
        ),
        (
            lambda: features.random_play_positions(TicTacToe(), 2.0, np.random.default_rng(0)),
            TypeError,
            "n_games must be an integer",
        ),
        (
            lambda: features.random_play_positions(TicTacToe(), 1, 0),
            TypeError,
            "rng must be a numpy.random.Generator",
        ),
        (
            lambda: features.random_play_positions(
                TicTacToe(), 1, np.random.default_rng(0), exclude=5
            ),
            TypeError,
            "exclude must be a collection of state keys, got 5",
        ),
        (
            lambda: features.all_positions(None),
            TypeError,
            "initial_state must be a daopt.games TicTacToe or ConnectFour",
        ),
        (
            lambda: features.all_positions(TicTacToe.from_cells("XXXOO....")),
            ValueError,
            "initial_state must be an unfinished game",
        ),
        (lambda: features.all_positions(TicTacToe(), limit=0), ValueError, "limit must be >= 1"),
    ],
)
def test_bad_input_is_rejected_clearly(call, error, fragment) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        call()
