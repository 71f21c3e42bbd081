"""daopt.arena: games and matches are played by the rules and tallied right,
compute is accounted per decision, and the optimal-move rate is judged by the
exact solver on reproducible test positions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt.arena import (
    GameRecord,
    MatchResult,
    RandomAgent,
    optimal_move_rate,
    play_game,
    play_match,
    sample_positions,
)
from daopt.cost import DecisionCost
from daopt.games import ConnectFour, TicTacToe
from daopt.mcts import MCTS
from daopt.search import optimal_actions


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def solver_agent(state):
    """Plays the first optimal move: never loses."""
    return optimal_actions(state)[0]


def first_legal(state):
    return state.legal_actions()[0]


class Counting:
    """An agent that reports made-up compute, to test the accounting."""

    def __init__(self, nodes: int) -> None:
        self.nodes = nodes
        self.last_cost: DecisionCost | None = None

    def __call__(self, state):
        self.last_cost = DecisionCost(search_nodes=self.nodes)
        return state.legal_actions()[-1]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), connect_four=st.booleans())
def test_random_games_follow_the_rules(seed: int, connect_four: bool) -> None:
    start = ConnectFour(rows=4, cols=5) if connect_four else TicTacToe()
    record = play_game((RandomAgent(rng(seed)), RandomAgent(rng(seed + 1))), start)
    assert isinstance(record, GameRecord)
    assert record.initial == start and record.final.is_terminal()
    replay = start
    for number, decision in enumerate(record.decisions):
        assert decision.player == number % 2 == replay.to_play
        replay = replay.play(decision.action)
    assert replay == record.final and record.actions == [d.action for d in record.decisions]
    assert record.returns == record.final.returns()
    assert record.winner == record.final.winner


def test_random_agent_is_reproducible_and_uniform() -> None:
    state = TicTacToe().play(4)
    a, b = RandomAgent(rng(3)), RandomAgent(rng(3))
    moves = [a(state) for _ in range(800)]
    assert moves == [b(state) for _ in range(800)]
    counts = np.bincount(moves, minlength=9)
    assert counts[4] == 0 and counts[[0, 1, 2, 3, 5, 6, 7, 8]].min() > 60
    assert repr(a) == "RandomAgent()"


def test_the_solver_never_loses_and_draws_itself() -> None:
    result = play_match(solver_agent, RandomAgent(rng(1)), TicTacToe(), 20)
    assert result.losses == 0 and result.wins > 10
    self_play = play_match(solver_agent, solver_agent, TicTacToe(), 2)
    assert self_play.draws == 2 and self_play.score == 0.5


def test_colours_alternate_and_results_are_tallied_from_a_side() -> None:
    # first_legal against itself: the game is the same each time, so who moves
    # first decides it; the tally must follow the colours.
    record = play_game((first_legal, first_legal), TicTacToe())
    assert record.winner == 0  # X takes cells 0, 2, 4, 6: the diagonal 2-4-6
    result = play_match(first_legal, first_legal, TicTacToe(), 5)
    assert (result.wins, result.draws, result.losses) == (3, 0, 2)
    assert result.games == 5 and result.score == 0.6
    assert "3 wins, 0 draws, 2 losses in 5 games" in str(result)


def test_compute_is_averaged_per_decision_for_each_side() -> None:
    result = play_match(Counting(10), Counting(3), ConnectFour(rows=4, cols=5), 4)
    assert isinstance(result, MatchResult)
    moves_a = sum(
        1
        for game, record in enumerate(result.records)
        for d in record.decisions
        if d.player == game % 2
    )
    assert moves_a > 0 and result.decisions_a == moves_a
    assert result.cost_a.search_nodes == 10 and result.cost_b.search_nodes == 3
    assert result.wall_seconds_a >= 0
    assert all(d.cost.search_nodes in (3, 10) for r in result.records for d in r.decisions)


def test_mcts_stats_reach_the_match_accounting() -> None:
    result = play_match(MCTS(30, rng(0)), RandomAgent(rng(1)), TicTacToe(), 2)
    assert result.cost_a.simulations == 30
    assert result.cost_a.tree_nodes > 1
    assert result.cost_b == DecisionCost()  # a random move examines nothing
    assert result.decisions_b > 0


def test_random_openings_are_shared_by_each_pair_of_games() -> None:
    result = play_match(
        first_legal, solver_agent, ConnectFour(rows=4, cols=5), 6, opening_moves=3, rng=rng(2)
    )
    starts = [r.initial for r in result.records]
    assert starts[0] == starts[1] and starts[2] == starts[3] and starts[4] == starts[5]
    assert all(s.moves_played == 3 for s in starts)
    assert len(set(starts)) > 1
    again = play_match(
        first_legal, solver_agent, ConnectFour(rows=4, cols=5), 6, opening_moves=3, rng=rng(2)
    )
    assert [r.actions for r in again.records] == [r.actions for r in result.records]


# -- optimal-move rate --------------------------------------------------------------------------


def test_optimal_move_rate_of_perfect_and_poor_agents() -> None:
    positions = sample_positions(TicTacToe(), 40, rng(0))
    assert optimal_move_rate(solver_agent, positions) == 1.0
    poor = optimal_move_rate(first_legal, positions)
    assert 0.0 <= poor < 1.0
    # Judged by the exact score, fewer moves are optimal: a rate can only fall.
    assert optimal_move_rate(first_legal, positions, exact=True) <= poor


def test_rate_counts_hits() -> None:
    positions = [TicTacToe.from_cells("XX..O...."), TicTacToe.from_cells("XX.OO....")]
    # Both positions have a single optimal move, cell 2.
    assert optimal_move_rate(lambda s: 2, positions) == 1.0
    assert optimal_move_rate(lambda s: 3 if s.to_play == 1 else 2, positions) == 0.5
    assert optimal_move_rate(lambda s: np.int64(2), positions) == 1.0


def test_sampled_positions_are_reproducible_and_as_asked() -> None:
    positions = sample_positions(ConnectFour(rows=4, cols=5), 15, rng(4), min_moves=6, max_moves=10)
    assert positions == sample_positions(
        ConnectFour(rows=4, cols=5), 15, rng(4), min_moves=6, max_moves=10
    )
    assert len({p.key() for p in positions}) == 15
    for position in positions:
        assert not position.is_terminal() and 6 <= position.moves_played <= 10
        assert set(optimal_actions(position)) != set(position.legal_actions())


def test_without_filters_positions_may_repeat_and_test_nothing() -> None:
    # Every first move of tic-tac-toe draws: the empty board is uninformative.
    kept = sample_positions(TicTacToe(), 30, rng(5), max_moves=0, informative=False, distinct=False)
    assert all(p == TicTacToe() for p in kept)
    with pytest.raises(ValueError, match="asked for 1 positions but only 0 qualify"):
        sample_positions(TicTacToe(), 1, rng(5), max_moves=0)


# -- bad input --------------------------------------------------------------------------------


def test_bad_games_are_rejected() -> None:
    agent = RandomAgent(rng())
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        RandomAgent(7)
    with pytest.raises(ValueError, match="already over"):
        agent(TicTacToe.from_cells("XXXOO...."))
    with pytest.raises(TypeError, match="agents must be a pair"):
        play_game(agent, TicTacToe())
    with pytest.raises(TypeError, match="agents must be a pair"):
        play_game((agent,), TicTacToe())
    with pytest.raises(TypeError, match="must be a callable"):
        play_game((agent, "minimax"), TicTacToe())
    with pytest.raises(TypeError, match="GameState"):
        play_game((agent, agent), "XXX......")
    with pytest.raises(ValueError, match="already over"):
        play_game((agent, agent), TicTacToe.from_cells("XXXOO...."))
    with pytest.raises(ValueError, match=r"chose the illegal move 4; legal moves are \[0, 1"):
        play_game((lambda s: 4, agent), TicTacToe())
    with pytest.raises(TypeError, match="returned 'centre'"):
        play_game((lambda s: "centre", agent), TicTacToe())


def test_bad_matches_are_rejected() -> None:
    agent = RandomAgent(rng())
    with pytest.raises(ValueError, match="n_games must be >= 1"):
        play_match(agent, agent, TicTacToe(), 0)
    with pytest.raises(TypeError, match="n_games must be an integer"):
        play_match(agent, agent, TicTacToe(), 2.0)
    with pytest.raises(ValueError, match="opening_moves must be >= 0"):
        play_match(agent, agent, TicTacToe(), 2, opening_moves=-1, rng=rng())
    with pytest.raises(TypeError, match="opening_moves > 0 needs rng"):
        play_match(agent, agent, TicTacToe(), 2, opening_moves=2)
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        play_match(agent, agent, TicTacToe(), 2, opening_moves=2, rng=3)
    with pytest.raises(TypeError, match="must be a callable"):
        play_match(agent, None, TicTacToe(), 2)


def test_bad_rate_and_sampling_input_is_rejected() -> None:
    positions = [TicTacToe.from_cells("XX..O....")]
    with pytest.raises(TypeError, match="agent must be a callable"):
        optimal_move_rate("solver", positions)
    with pytest.raises(ValueError, match="must not be empty"):
        optimal_move_rate(first_legal, [])
    with pytest.raises(TypeError, match="sequence of game states"):
        optimal_move_rate(first_legal, TicTacToe())
    with pytest.raises(ValueError, match="already over"):
        optimal_move_rate(first_legal, [TicTacToe.from_cells("XXXOO....")])
    with pytest.raises(TypeError, match="exact must be True or False"):
        optimal_move_rate(first_legal, positions, exact="yes")
    with pytest.raises(TypeError, match="expected an int"):
        optimal_move_rate(lambda s: None, positions)
    with pytest.raises(ValueError, match="n must be >= 1"):
        sample_positions(TicTacToe(), 0, rng())
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        sample_positions(TicTacToe(), 3, 42)
    with pytest.raises(ValueError, match="max_moves must be >= 4"):
        sample_positions(TicTacToe(), 3, rng(), min_moves=4, max_moves=2)
    with pytest.raises(ValueError, match="min_moves must be >= 0"):
        sample_positions(TicTacToe(), 3, rng(), min_moves=-1)
    with pytest.raises(TypeError, match="informative must be True or False"):
        sample_positions(TicTacToe(), 3, rng(), informative=None)
    with pytest.raises(ValueError, match="already over"):
        sample_positions(TicTacToe.from_cells("XXXOO...."), 3, rng())
