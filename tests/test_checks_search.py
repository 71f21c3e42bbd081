"""daopt.checks.check_minimax accepts a right minimax and explains wrong ones."""

from __future__ import annotations

import pytest

from daopt import checks
from daopt.games import GameState


def outcome(state: GameState) -> int:
    """Value of a finished game for the player to move."""
    if state.winner is None:
        return 0
    return 1 if state.winner == state.to_play else -1


def right_minimax(state: GameState) -> int:
    if state.is_terminal():
        return outcome(state)
    return max(-right_minimax(state.play(a)) for a in state.legal_actions())


def two_player_minimax(state: GameState) -> int:
    """The min/max formulation, from player 0's side, converted at the root."""

    def value(s: GameState) -> int:  # player 0's payoff
        if s.is_terminal():
            return int(s.returns()[0])
        children = [value(s.play(a)) for a in s.legal_actions()]
        return max(children) if s.to_play == 0 else min(children)

    return value(state) if state.to_play == 0 else -value(state)


def forgets_to_negate(state: GameState) -> int:
    if state.is_terminal():
        return outcome(state)
    return max(forgets_to_negate(state.play(a)) for a in state.legal_actions())


def winner_view(state: GameState) -> int:
    """Scores finished games for the player who just moved: right sign, wrong side."""
    if state.is_terminal():
        return -outcome(state)
    return max(-winner_view(state.play(a)) for a in state.legal_actions())


def test_right_answers_pass() -> None:
    for candidate in (right_minimax, two_player_minimax):
        result = checks.check_minimax(candidate)
        assert result.passed and bool(result), result.message
        assert result.message.startswith("✓ minimax: all")


@pytest.mark.parametrize(
    ("candidate", "fragments"),
    [
        (forgets_to_negate, ["expected 1 (a win for the player to move), got -1", "X to move"]),
        (winner_view, ["the game is over", "expected -1 (a loss"]),
        (lambda state: 1, ["got 1 (a win)"]),
        (lambda state: "draw", ["returned 'draw', expected -1, 0 or 1"]),
        (lambda state: True, ["returned True"]),
        (lambda state: state.nope, ["raised AttributeError"]),
    ],
)
def test_wrong_answers_fail_and_say_where(candidate, fragments) -> None:
    result = checks.check_minimax(candidate)
    assert not result.passed and not bool(result)
    assert result.message.startswith("✗ minimax: case ")
    for fragment in fragments:
        assert fragment in result.message, result.message
    # The board is printed: three rows of three cells (or Connect Four's rows).
    assert "\n" in result.message


def test_the_cases_include_connect_four_and_finished_games() -> None:
    cases = checks.search._minimax_cases()
    names = {type(state).__name__ for state in cases}
    assert names == {"TicTacToe", "ConnectFour"}
    assert any(state.is_terminal() for state in cases)
    assert any(not state.is_terminal() for state in cases)
    assert checks.search._minimax_cases() == cases  # seeded: the same every time


def test_non_callables_are_refused() -> None:
    with pytest.raises(TypeError, match="expected your function for 'minimax'"):
        checks.check_minimax("minimax")
