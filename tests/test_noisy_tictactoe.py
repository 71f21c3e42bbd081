"""daopt.noisy_tictactoe (noisy tic-tac-toe, chance nodes), daopt.expectimax
(expectiminimax, Star1 pruning, tree sizes), and the chance nodes of daopt.mcts,
daopt.search and daopt.arena."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt import arena, search
from daopt.arena import play_game
from daopt.expectimax import (
    action_values,
    expectiminimax,
    optimal_actions,
    tree_levels,
    tree_size,
)
from daopt.games import CHANCE, ConnectFour, TicTacToe
from daopt.mcts import MCTS
from daopt.noisy_tictactoe import NEIGHBOURHOODS, NoisyMove, NoisyTicTacToe


def random_board(rng: np.random.Generator, stones: int) -> TicTacToe:
    """A non-terminal tic-tac-toe position with about ``stones`` stones (fewer if play ends)."""
    while True:
        board = TicTacToe()
        for _ in range(stones):
            if board.is_terminal():
                break
            board = board.play(int(rng.choice(board.legal_actions())))
        if not board.is_terminal():
            return board


def brute_force(state) -> float:
    """Player 0's expected payoff with best play, by plain recursion (no pruning, no
    table): max for player 0, min for player 1, the mean at chance nodes."""
    if state.is_terminal():
        return state.returns()[0]
    if state.to_play == CHANCE:
        return sum(p * brute_force(s) for s, p in state.chance_outcomes())
    children = [brute_force(state.play(a)) for a in state.legal_actions()]
    return max(children) if state.to_play == 0 else min(children)


def for_player_to_move(state, value_for_player_0: float) -> float:
    return value_for_player_0 if state.to_play == 0 else -value_for_player_0


# --- noisy tic-tac-toe ---------------------------------------------------------------------


def test_play_returns_a_chance_node_whose_outcomes_are_distributions() -> None:
    state = NoisyTicTacToe(slip=0.3, neighbourhood="adjacent")
    move = state.play(4)  # the centre: all 8 neighbours are empty
    assert isinstance(move, NoisyMove) and move.is_chance()
    assert move.to_play == CHANCE and move.mover == 0 and move.cell == 4
    outcomes = move.chance_outcomes()
    assert len(outcomes) == 9
    assert sum(p for _, p in outcomes) == pytest.approx(1.0)
    probs = dict(move.landing())
    assert probs[4] == pytest.approx(0.7) and probs[0] == pytest.approx(0.3 / 8)
    assert move.legal_actions() == list(range(9))
    landed = move.play(0)
    assert isinstance(landed, NoisyTicTacToe) and landed.board.cells()[0] == "X"
    assert landed.to_play == 1 and not state.is_chance()


@pytest.mark.parametrize(
    ("neighbourhood", "corner", "edge", "centre"),
    [("orthogonal", 2, 3, 4), ("adjacent", 3, 5, 8), ("anywhere", 8, 8, 8)],
)
def test_neighbourhood_sizes_on_the_empty_board(neighbourhood, corner, edge, centre) -> None:
    state = NoisyTicTacToe(slip=0.5, neighbourhood=neighbourhood)
    for cell, expected in ((0, corner), (1, edge), (4, centre)):
        assert len(state.play(cell).chance_outcomes()) == expected + 1


def test_a_stone_cannot_slip_onto_a_taken_cell() -> None:
    board = TicTacToe.from_cells("XO.XO....")  # X to move
    move = NoisyTicTacToe.from_board(board, 0.4, "orthogonal").play(2)
    # Cell 2's orthogonal neighbours are 1 (taken) and 5 (empty).
    assert [c for c, _ in move.landing()] == [2, 5]
    full = NoisyTicTacToe.from_board(TicTacToe.from_cells("XOXXOO.X."), 0.9, "orthogonal")
    # Cell 6's neighbours 3 and 7 are both taken: the stone lands where aimed.
    assert full.play(6).landing() == [(6, 1.0)]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    slip=st.floats(0.0, 1.0),
    neighbourhood=st.sampled_from(NEIGHBOURHOODS),
)
def test_every_chance_node_is_a_distribution_over_legal_landings(
    seed: int, slip: float, neighbourhood: str
) -> None:
    rng = np.random.default_rng(seed)
    board = random_board(rng, int(rng.integers(0, 7)))
    state = NoisyTicTacToe.from_board(board, slip, neighbourhood)
    for a in state.legal_actions():
        landing = state.play(a).landing()
        assert sum(p for _, p in landing) == pytest.approx(1.0)
        assert all(p > 0 for _, p in landing)
        assert all(c in board.legal_actions() for c, _ in landing)
        assert [c for c, _ in landing] == sorted({c for c, _ in landing})


def test_certain_slip_never_lands_on_the_aimed_cell() -> None:
    move = NoisyTicTacToe(slip=1.0, neighbourhood="orthogonal").play(0)
    assert move.landing() == [(1, 0.5), (3, 0.5)]


def test_zero_slip_is_ordinary_tic_tac_toe() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        board = random_board(rng, int(rng.integers(0, 6)))
        state = NoisyTicTacToe.from_board(board, 0.0, "anywhere")
        for a in state.legal_actions():
            [(landed, p)] = state.play(a).chance_outcomes()
            assert p == 1.0 and landed.board == board.play(a)


def test_sampling_follows_the_probabilities() -> None:
    move = NoisyTicTacToe(slip=0.5, neighbourhood="orthogonal").play(0)
    rng = np.random.default_rng(123)
    draws = [move.sample(rng).board.cells().index("X") for _ in range(4000)]
    counts = {c: draws.count(c) / len(draws) for c in set(draws)}
    assert set(counts) == {0, 1, 3}
    assert counts[0] == pytest.approx(0.5, abs=0.03)
    assert counts[1] == pytest.approx(0.25, abs=0.03)


def test_keys_identify_symmetric_states_and_nodes() -> None:
    a = NoisyTicTacToe.from_board(TicTacToe.from_cells("X........"), 0.2)
    b = NoisyTicTacToe.from_board(TicTacToe.from_cells("..X......"), 0.2)
    assert a.key() == b.key() and a != b
    assert a.play(4).key() == b.play(4).key()
    assert a.play(1).key() != a.play(4).key()
    assert a.key() != NoisyTicTacToe.from_board(a.board, 0.3).key()
    assert a == NoisyTicTacToe.from_board(TicTacToe.from_cells("X........"), 0.2)
    assert hash(a.play(4)) == hash(NoisyTicTacToe.from_board(a.board, 0.2).play(4))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="slip"):
        NoisyTicTacToe(slip=1.5)
    with pytest.raises(TypeError, match="slip"):
        NoisyTicTacToe(slip="0.1")
    with pytest.raises(ValueError, match="neighbourhood"):
        NoisyTicTacToe(neighbourhood="diagonal")
    with pytest.raises(TypeError, match="TicTacToe"):
        NoisyTicTacToe.from_board(ConnectFour())
    state = NoisyTicTacToe(0.2).play(0).play(0)
    with pytest.raises(ValueError, match="taken"):
        state.play(0)
    with pytest.raises(ValueError, match="outcome indices"):
        NoisyTicTacToe(0.2).play(0).play(7)
    with pytest.raises(TypeError, match="Generator"):
        NoisyTicTacToe(0.2).play(0).sample(7)


def test_play_game_draws_chance_and_asks_the_agents() -> None:
    rng = np.random.default_rng(5)

    def first_legal(state):
        return state.legal_actions()[0]

    for slip in (0.0, 0.5):
        record = play_game([first_legal, first_legal], NoisyTicTacToe(slip), rng=rng)
        assert record.returns in {(1.0, -1.0), (-1.0, 1.0), (0.0, 0.0)}
        assert record.decisions and all(d.player in (0, 1) for d in record.decisions)
    # Without noise, "first legal cell" for both: X takes 0, 2, 4, 6 and wins on the diagonal.
    record = play_game([first_legal, first_legal], NoisyTicTacToe(0.0), rng=rng)
    assert record.returns == (1.0, -1.0) and record.actions == [0, 1, 2, 3, 4, 5, 6]
    with pytest.raises(TypeError, match="rng"):
        play_game([first_legal, first_legal], NoisyTicTacToe())
    with pytest.raises(TypeError, match="pair"):
        play_game([first_legal], NoisyTicTacToe(), rng=rng)
    with pytest.raises(TypeError, match="callable"):
        play_game([first_legal, 3], NoisyTicTacToe(), rng=rng)
    with pytest.raises(TypeError, match="GameState"):
        play_game([first_legal, first_legal], "board", rng=rng)
    with pytest.raises(TypeError, match="expected an int"):
        play_game([lambda s: "a", first_legal], NoisyTicTacToe(), rng=rng)


def test_two_player_code_refuses_chance_instead_of_reading_a_third_player() -> None:
    """search and arena treat to_play == -1 as a player no more: they refuse chance."""
    state = NoisyTicTacToe.from_board(TicTacToe.from_cells("XX.OO...."), 0.0)
    refused = 0
    for call in (
        lambda: search.solve(state),
        lambda: search.minimax(state),
        lambda: search.alphabeta(state),
        lambda: search.optimal_actions(state),
        lambda: search.solve(state.play(2)),
        lambda: arena.optimal_move_rate(lambda s: 2, [state]),
        lambda: arena.sample_positions(NoisyTicTacToe(0.2), 3, np.random.default_rng(0)),
    ):
        with pytest.raises(ValueError, match=r"chance nodes.*daopt\.expectimax"):
            call()
        refused += 1
    assert refused == 7
    # The exact answer the refused code got wrong: X wins at once.
    assert expectiminimax(state).value == 1.0


# --- expectiminimax -------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    slip=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    neighbourhood=st.sampled_from(NEIGHBOURHOODS),
    prune=st.booleans(),
)
def test_expectiminimax_matches_brute_force_expectation(
    seed: int, slip: float, neighbourhood: str, prune: bool
) -> None:
    rng = np.random.default_rng(seed)
    board = random_board(rng, int(rng.integers(5, 8)))  # 2-4 empty cells: a small tree
    state = NoisyTicTacToe.from_board(board, slip, neighbourhood)
    expected = for_player_to_move(state, brute_force(state))
    assert expectiminimax(state, prune=prune).value == pytest.approx(expected, abs=1e-12)
    assert expectiminimax(state, table=True).value == pytest.approx(expected, abs=1e-12)
    # From a chance node, the value is the mover's.
    move = state.play(state.legal_actions()[0])
    mover_value = brute_force(move) if move.mover == 0 else -brute_force(move)
    assert expectiminimax(move, prune=prune).value == pytest.approx(mover_value, abs=1e-12)


def test_zero_slip_search_counts_equal_daopt_search() -> None:
    """With no noise, decision nodes are exactly minimax's and alpha-beta's."""
    rng = np.random.default_rng(1)
    for _ in range(8):
        board = random_board(rng, int(rng.integers(2, 6)))
        state = NoisyTicTacToe.from_board(board, 0.0)
        plain = expectiminimax(state)
        pruned = expectiminimax(state, prune=True)
        assert plain.value == search.minimax(board).value == search.solve(board)
        assert plain.nodes == search.minimax(board).nodes
        assert pruned.value == plain.value
        assert pruned.nodes == search.alphabeta(board).nodes
        # On the game itself, with no chance nodes at all:
        assert expectiminimax(board, prune=True).nodes == search.alphabeta(board).nodes
        assert expectiminimax(board).chance_nodes == 0


def test_tree_size_counts_the_unpruned_search() -> None:
    assert tree_size(TicTacToe()) == search.minimax(TicTacToe()).nodes == 549_946
    rng = np.random.default_rng(2)
    for neighbourhood in NEIGHBOURHOODS:
        state = NoisyTicTacToe.from_board(random_board(rng, 4), 0.2, neighbourhood)
        full = expectiminimax(state)
        assert tree_size(state) == full.total_nodes
        limited = expectiminimax(state, depth=2)
        assert tree_size(state, 2) == limited.total_nodes
    # Noise of any size > 0 gives the same tree.
    assert tree_size(NoisyTicTacToe(0.1), 2) == tree_size(NoisyTicTacToe(0.9), 2)


def test_tree_levels_count_each_ply() -> None:
    levels = tree_levels(TicTacToe(), 9)
    assert levels[:4] == [1, 9, 72, 504]
    assert sum(levels) == tree_size(TicTacToe()) == 549_946
    c4 = ConnectFour(rows=4, cols=5)
    assert [sum(tree_levels(c4, 6)[: d + 1]) for d in range(7)] == [
        tree_size(c4, d) for d in range(7)
    ]
    # With chance, decision nodes per ply: each of the 9 aims has its outcomes.
    noisy = tree_levels(NoisyTicTacToe(0.2, "orthogonal"), 1)
    assert noisy == [
        1,
        sum(len(NoisyTicTacToe(0.2, "orthogonal").play(a).landing()) for a in range(9)),
    ]
    with pytest.raises(ValueError, match="decision state"):
        tree_levels(NoisyTicTacToe(0.2).play(0), 2)
    with pytest.raises(ValueError, match="depth"):
        tree_levels(TicTacToe(), -1)
    with pytest.raises(TypeError, match="GameState"):
        tree_levels("board", 2)


def test_depth_limit_scores_the_horizon_with_evaluate() -> None:
    state = NoisyTicTacToe(0.2)
    assert expectiminimax(state, depth=0, evaluate=lambda s: 0.25).value == 0.25
    assert expectiminimax(state, depth=0).nodes == 1
    # One ply: each action's value is the mean of the evaluation, from the mover's side.
    one = expectiminimax(state, depth=1, evaluate=lambda s: -0.5)
    assert one.value == pytest.approx(0.5)
    with pytest.raises(ValueError, match="evaluate"):
        expectiminimax(state, depth=1, evaluate=lambda s: 2.0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), depth=st.integers(1, 3))
def test_pruning_keeps_depth_limited_values(seed: int, depth: int) -> None:
    rng = np.random.default_rng(seed)
    state = NoisyTicTacToe.from_board(random_board(rng, 3), 0.3, "orthogonal")

    def evaluate(s) -> float:  # a fixed pseudo-random score per position
        return (hash(s.board.cells()) % 1000) / 1000 - 0.5

    plain = expectiminimax(state, depth=depth, evaluate=evaluate)
    pruned = expectiminimax(state, depth=depth, evaluate=evaluate, prune=True)
    assert pruned.value == pytest.approx(plain.value, abs=1e-9)
    assert pruned.total_nodes <= plain.total_nodes


def test_ordering_and_a_shared_table() -> None:
    board = ConnectFour.from_moves("4455", rows=4, cols=5)
    by_order = expectiminimax(board, prune=True, order=lambda s: search.order_actions(s, "centre"))
    assert by_order.value == search.solve(board)
    memo: dict = {}
    first = expectiminimax(TicTacToe(), table=True, memo=memo)
    again = expectiminimax(TicTacToe(), table=True, memo=memo)
    assert first.value == again.value and again.nodes == 1 and len(memo) > 0


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"depth": -1}, ValueError, "depth"),
        ({"depth": 1.5}, TypeError, "depth"),
        ({"prune": 1}, TypeError, "prune"),
        ({"prune": True, "table": True}, ValueError, "prune=False"),
        ({"evaluate": 3}, TypeError, "evaluate"),
        ({"order": "centre"}, TypeError, "order"),
        ({"bound": 0.0}, ValueError, "bound"),
        ({"memo": {}}, ValueError, "table=True"),
        ({"memo": [], "table": True}, TypeError, "memo"),
    ],
)
def test_expectiminimax_rejects_bad_input(kwargs, error, fragment) -> None:
    with pytest.raises(error) as info:
        expectiminimax(NoisyTicTacToe(), **kwargs)
    assert fragment in str(info.value)
    with pytest.raises(TypeError, match="GameState"):
        expectiminimax("board")


def test_tree_size_rejects_bad_input() -> None:
    with pytest.raises(TypeError, match="GameState"):
        tree_size(None)
    with pytest.raises(ValueError, match="depth"):
        tree_size(TicTacToe(), -2)


def test_action_values_match_daopt_search_without_noise() -> None:
    rng = np.random.default_rng(4)
    for _ in range(10):
        board = random_board(rng, int(rng.integers(0, 6)))
        values = action_values(NoisyTicTacToe.from_board(board, 0.0))
        assert values == {a: float(v) for a, v in search.action_values(board).items()}
        assert optimal_actions(NoisyTicTacToe.from_board(board)) == search.optimal_actions(board)
    with pytest.raises(ValueError, match="chance node"):
        action_values(NoisyTicTacToe(0.1).play(0))
    with pytest.raises(ValueError, match="tol"):
        optimal_actions(NoisyTicTacToe(), tol=-1.0)


def test_noise_helps_the_first_player() -> None:
    # A measured fact of this game, found by the exact search.
    values = [expectiminimax(NoisyTicTacToe(p), table=True).value for p in (0.0, 0.2)]
    assert values[0] == 0.0 and values[1] > 0.0


# --- MCTS with chance nodes ----------------------------------------------------------------


def test_chance_mcts_takes_a_win_and_blocks_a_loss() -> None:
    win = NoisyTicTacToe.from_board(TicTacToe.from_cells("XX.OO...."), 0.0)
    agent = MCTS(300, np.random.default_rng(0))
    assert agent(win) == 2
    block = NoisyTicTacToe.from_board(TicTacToe.from_cells("XX.O....."), 0.0)
    assert MCTS(500, np.random.default_rng(1))(block) == 2
    cost = agent.last_cost
    assert cost.simulations == 300 and cost.tree_nodes >= 2 and cost.rollout_moves >= 1
    result = agent.search(win)
    assert result.chance_nodes >= 1 and result.rollouts >= 1
    assert result.cost.tree_nodes == result.nodes + result.chance_nodes


def test_mcts_estimates_a_noisy_value_near_the_exact_one() -> None:
    """The fault this fixes: treating the chance node as a player, MCTS estimated
    -0.52 where the exact value is +0.36."""
    state = NoisyTicTacToe.from_board(TicTacToe.from_cells("X...O...."), 0.3)
    exact = expectiminimax(state, table=True).value
    result = MCTS(4000, np.random.default_rng(3)).search(state)
    best = result.values[result.best_action]
    assert abs(best - exact) < 0.15, (best, exact)


def test_chance_mcts_is_reproducible_and_visits_sum_to_simulations() -> None:
    state = NoisyTicTacToe(0.3)
    one = MCTS(200, np.random.default_rng(7)).search(state)
    two = MCTS(200, np.random.default_rng(7)).search(state)
    assert np.array_equal(one.visits, two.visits) and one.values.tolist() == two.values.tolist()
    assert one.visits.sum() == 200 and one.visits.shape == (9,)


def test_chance_mcts_also_plays_deterministic_games() -> None:
    board = ConnectFour.from_moves("445", rows=4, cols=5)
    result = MCTS(200, np.random.default_rng(0)).search(board)
    assert result.best_action in board.legal_actions()
    assert result.chance_nodes == 0 and result.nodes > 1


def test_chance_mcts_rejects_bad_input() -> None:
    agent = MCTS(10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="decision state"):
        agent(NoisyTicTacToe(0.1).play(0))
    with pytest.raises(ValueError, match="terminal state"):
        agent(NoisyTicTacToe.from_board(TicTacToe.from_cells("XXXOO....")))
    with pytest.raises(TypeError, match="GameState"):
        agent("board")


def test_chance_mcts_is_close_to_optimal_with_enough_simulations() -> None:
    """On positions where the best move is worth clearly more than the rest, a
    large search finds it."""
    rng = np.random.default_rng(9)
    found = 0
    tried = 0
    while tried < 6:
        state = NoisyTicTacToe.from_board(random_board(rng, 3), 0.2)
        values = action_values(state)
        ranked = sorted(values.values(), reverse=True)
        if len(ranked) < 2 or ranked[0] - ranked[1] < 0.2:
            continue
        tried += 1
        found += MCTS(2000, np.random.default_rng(tried))(state) in optimal_actions(state)
    assert found >= 5, found
    assert math.isfinite(ranked[0])


def test_expectiminimax_refuses_a_bound_below_the_payoffs_and_an_order_that_drops_moves() -> None:
    state = NoisyTicTacToe.from_board(TicTacToe.from_cells("XX.OO...."), 0.2)
    with pytest.raises(ValueError, match=r"bound=0\.5 is below a payoff"):
        expectiminimax(state, prune=True, bound=0.5)
    with pytest.raises(ValueError, match="order\\(state\\) must return the legal actions"):
        expectiminimax(state, order=lambda s: [])
    with pytest.raises(ValueError, match="order\\(state\\) must return the legal actions"):
        expectiminimax(state, order=lambda s: s.legal_actions()[:1])
    reversed_value = expectiminimax(state, order=lambda s: s.legal_actions()[::-1]).value
    assert reversed_value == expectiminimax(state).value


def test_a_match_with_chance_draws_outcomes_and_counts_the_search() -> None:
    rng = np.random.default_rng(3)
    result = arena.play_match(
        MCTS(50, np.random.default_rng(1)),
        arena.RandomAgent(np.random.default_rng(2)),
        NoisyTicTacToe(0.2),
        4,
        rng=rng,
    )
    assert result.games == 4 and result.decisions_a > 0
    assert result.cost_a.simulations == 50 and result.cost_a.tree_nodes > 1
    assert all(d.player in (0, 1) for r in result.records for d in r.decisions)
    with pytest.raises(TypeError, match="rng"):
        arena.play_match(first_legal_agent, first_legal_agent, NoisyTicTacToe(0.2), 2)
    with pytest.raises(ValueError, match="random openings"):
        arena.play_match(first_legal_agent, first_legal_agent, NoisyTicTacToe(0.2), 2,
                         opening_moves=2, rng=rng)  # fmt: skip


def first_legal_agent(state):
    return state.legal_actions()[0]
