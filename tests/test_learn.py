"""daopt.features, daopt.cloning and daopt.td: board features, behaviour cloning, value
regression and TD self-play.

Labels come from a brute-force tic-tac-toe solver written here (minimax with a
memo over ``state.key()``), so these tests do not depend on ``daopt.search``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import cache

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from daopt import cloning, features
from daopt.cost import DecisionCost
from daopt.games import ConnectFour, GameState, TicTacToe
from daopt.nn import MLP
from daopt.td import NeuralTD, TabularTD, q_update

# --- a brute-force solver and the whole tic-tac-toe state space -----------------

_memo: dict[int, int] = {}


def solve(state: TicTacToe) -> int:
    """Game value for the player to move: +1 win, 0 draw, -1 loss."""
    if state.is_terminal():
        return -1 if state.winner is not None else 0
    key = state.key()
    if key not in _memo:
        _memo[key] = max(-solve(state.play(a)) for a in state.legal_actions())
    return _memo[key]


def optimal_moves(state: TicTacToe) -> list[int]:
    value = solve(state)
    return [a for a in state.legal_actions() if -solve(state.play(a)) == value]


@cache
def all_positions() -> tuple[TicTacToe, ...]:
    """Every reachable tic-tac-toe position with a move to make (4,520), in a fixed order."""
    seen, stack = set(), [TicTacToe()]
    while stack:
        state = stack.pop()
        if state not in seen:
            seen.add(state)
            if not state.is_terminal():
                stack.extend(state.play(a) for a in state.legal_actions())
    return tuple(sorted((s for s in seen if not s.is_terminal()), key=lambda s: s.cells()))


def test_the_solver_knows_tic_tac_toe() -> None:
    assert len(all_positions()) == 4520
    assert solve(TicTacToe()) == 0
    assert optimal_moves(TicTacToe.from_cells("XX.OO....")) == [2]


def random_agent(rng: np.random.Generator) -> Callable[[GameState], int]:
    return lambda state: int(rng.choice(state.legal_actions()))


def scores_against_random(agent, make_state, n_games: int, seed: int) -> np.ndarray:
    """+1/0/-1 per game for ``agent``, alternating who starts, against uniform random play."""
    opponent = random_agent(np.random.default_rng(seed))
    out = []
    for game in range(n_games):
        state, me = make_state(), game % 2
        while not state.is_terminal():
            state = state.play(agent(state) if state.to_play == me else opponent(state))
        out.append(0 if state.winner is None else 1 if state.winner == me else -1)
    return np.array(out)


def random_position(draw: Callable, make_state: Callable[[], GameState], max_moves: int):
    state = make_state()
    for _ in range(draw(st.integers(0, max_moves))):
        if state.is_terminal():
            break
        state = state.play(draw(st.sampled_from(state.legal_actions())))
    return state


# --- features --------------------------------------------------------------------


@st.composite
def ttt_positions(draw):
    return random_position(draw, TicTacToe, 9)


@st.composite
def c4_positions(draw):
    rows, cols = draw(st.sampled_from([(4, 4), (4, 5), (6, 7), (8, 8)]))
    return random_position(draw, lambda: ConnectFour(rows=rows, cols=cols), rows * cols)


def planes_of(features: np.ndarray) -> np.ndarray:
    return features.reshape(3, -1)


@given(state=ttt_positions())
@settings(max_examples=60, deadline=None)
def test_tic_tac_toe_features_are_the_board_from_the_movers_side(state: TicTacToe) -> None:
    x = features.encode(state)
    assert x.shape == (27,) == (features.feature_size(state),)
    planes = planes_of(x)
    assert np.all(planes.sum(axis=0) == 1)  # every cell in exactly one plane
    mover, other = "XO"[state.to_play], "XO"[1 - state.to_play]
    cells = np.array(list(state.cells()))
    assert np.array_equal(planes[0], cells == mover)
    assert np.array_equal(planes[1], cells == other)
    assert np.array_equal(planes[2], cells == ".")


@given(state=ttt_positions())
@settings(max_examples=60, deadline=None)
def test_swapping_colours_swaps_the_first_two_planes(state: TicTacToe) -> None:
    """With X to move, the position with X and O exchanged is also X to move: it looks
    the same to the mover except that own and opponent stones trade places."""
    assume(state.to_play == 0 and not state.is_terminal())
    swapped = TicTacToe.from_cells(state.cells().translate(str.maketrans("XO", "OX")))
    assert swapped.to_play == 0
    a, b = planes_of(features.encode(state)), planes_of(features.encode(swapped))
    assert np.array_equal(a[[1, 0, 2]], b)


def colour_swapped(state: ConnectFour) -> ConnectFour | None:
    """A Connect Four position with the colours of ``state`` exchanged, found by a short
    search over move orders (stones must drop bottom-up), or None if there is none."""
    grid = state.grid()[::-1]  # row 0 at the bottom
    want = [[{"X": "O", "O": "X", ".": "."}[c] for c in row] for row in grid]
    total = sum(c != "." for row in want for c in row)

    def extend(current: ConnectFour) -> ConnectFour | None:
        if current.moves_played == total:
            return current
        mark = "XO"[current.to_play]
        for col in current.legal_actions():
            row = next(r for r in range(state.rows) if current.grid()[::-1][r][col] == ".")
            if want[row][col] == mark:
                found = extend(current.play(col))
                if found is not None:
                    return found
        return None

    return extend(ConnectFour(rows=state.rows, cols=state.cols, k=state.k))


@given(state=c4_positions())
@settings(max_examples=60, deadline=None)
def test_connect_four_features_follow_the_bitboards_and_the_mover(state: ConnectFour) -> None:
    x = features.encode(state)
    cells = state.rows * state.cols
    assert x.shape == (3 * cells,) == (features.feature_size(state),)
    planes = planes_of(x)
    assert np.all(planes.sum(axis=0) == 1)
    grid = state.grid()[::-1]  # row 0 at the bottom, as the features are laid out
    flat = np.array([grid[r][c] for r in range(state.rows) for c in range(state.cols)])
    assert np.array_equal(planes[0], flat == "XO"[state.to_play])
    assert np.array_equal(planes[1], flat == "XO"[1 - state.to_play])
    # After a move the same stones are seen from the other side.
    if not state.is_terminal():
        child = state.play(state.legal_actions()[0])
        assert planes_of(features.encode(child))[1].sum() == planes[0].sum() + 1
        assert planes_of(features.encode(child))[0].sum() == planes[1].sum()


@st.composite
def short_c4_games(draw):
    """Connect Four positions after an even number (at most 10) of moves."""
    rows, cols = draw(st.sampled_from([(4, 4), (4, 5), (6, 7), (8, 8)]))
    state = ConnectFour(rows=rows, cols=cols)
    for _ in range(2 * draw(st.integers(0, 5))):
        if state.is_terminal():
            break
        state = state.play(draw(st.sampled_from(state.legal_actions())))
    return state


@given(state=short_c4_games())
@settings(max_examples=40, deadline=None)
def test_connect_four_colour_swap_swaps_the_first_two_planes(state: ConnectFour) -> None:
    assume(state.to_play == 0 and state.winner is None)
    swapped = colour_swapped(state)
    assume(swapped is not None)
    a, b = planes_of(features.encode(state)), planes_of(features.encode(swapped))
    assert np.array_equal(a[[1, 0, 2]], b)


def test_a_known_connect_four_encoding() -> None:
    state = ConnectFour.from_moves("112", rows=4, cols=5)  # X: a1, b1; O: a2. O to move.
    planes = features.encode(state).reshape(3, 4, 5)  # (plane, row from the bottom, column)
    assert list(zip(*planes[0].nonzero(), strict=True)) == [(1, 0)]  # O's stone at a2
    assert list(zip(*planes[1].nonzero(), strict=True)) == [(0, 0), (0, 1)]  # X at a1, b1
    assert planes[2].sum() == 20 - 3


def test_batches_and_legal_masks() -> None:
    states = [TicTacToe(), TicTacToe.from_cells("XO.......")]
    batch = features.encode_batch(states)
    assert batch.shape == (2, 27)
    assert np.array_equal(batch[1], features.encode(states[1]))
    masks = features.legal_mask_batch(states)
    assert masks.dtype == bool and masks.shape == (2, 9)
    assert masks[1].tolist() == [False, False] + [True] * 7
    full = ConnectFour.from_moves("1111", rows=4, cols=4)
    assert features.legal_mask(full).tolist() == [False, True, True, True]
    assert not features.legal_mask(TicTacToe.from_cells("XXXOO....")).any()
    # A board too large for 64-bit words takes the other path, with the same layout.
    big = ConnectFour.from_moves("1234", rows=9, cols=9)
    planes = features.encode(big).reshape(3, 9, 9)
    assert list(zip(*planes[0].nonzero(), strict=True)) == [(0, 0), (0, 2)]  # X, to move
    assert list(zip(*planes[1].nonzero(), strict=True)) == [(0, 1), (0, 3)]


# --- behaviour cloning -----------------------------------------------------------


def split_positions(n_train: int, seed: int) -> tuple[list, list]:
    order = np.random.default_rng(seed).permutation(len(all_positions()))
    positions = [all_positions()[i] for i in order]
    return positions[:n_train], positions[n_train:]


def test_behaviour_cloning_learns_the_solvers_moves() -> None:
    train_set, test_set = split_positions(1500, seed=0)
    train_labels = [optimal_moves(s) for s in train_set]
    test_labels = [optimal_moves(s) for s in test_set]
    # The bar to clear: the chance that a uniformly random legal move is optimal.
    chance = np.mean(
        [len(m) / len(s.legal_actions()) for s, m in zip(test_set, test_labels, strict=True)]
    )
    fit = cloning.fit_policy(
        train_set,
        train_labels,
        rng=np.random.default_rng(1),
        hidden=(64,),
        n_epochs=25,
        test_states=test_set,
        test_targets=test_labels,
    )
    assert len(fit.losses) == len(fit.train_accuracy) == len(fit.test_accuracy) == 25
    assert fit.train_accuracy[-1] >= 0.97, fit.train_accuracy
    assert fit.test_accuracy[-1] >= 0.85, fit.test_accuracy
    assert fit.test_accuracy[-1] > chance + 0.2
    assert fit.test_accuracy[0] < fit.test_accuracy[-1]
    assert fit.losses[-1] < fit.losses[0]
    assert fit.examples == 1500 and fit.examples_seen == 25 * 1500
    assert fit.network_passes == 3 * fit.examples_seen
    # The agent plays the moves the accuracy counts.
    agent = fit.agent
    agreement = np.mean([agent(s) in m for s, m in zip(test_set, test_labels, strict=True)])
    assert agreement == pytest.approx(fit.test_accuracy[-1])
    assert agreement == pytest.approx(cloning.policy_accuracy(fit.net, test_set, test_labels))
    assert agent.last_cost == DecisionCost(network_passes=1)
    probs = agent.probabilities(test_set[0])
    assert probs.sum() == pytest.approx(1.0)
    assert np.all(probs[~features.legal_mask(test_set[0])] == 0)


def test_policy_targets_accept_actions_sets_and_distributions() -> None:
    states = [TicTacToe(), TicTacToe.from_cells("XO.......")]
    one_hot = features.policy_targets(states, [4, 2])
    assert one_hot[0, 4] == 1 and one_hot[1, 2] == 1 and one_hot.sum() == 2
    uniform = features.policy_targets(states, [{0, 2, 6, 8}, [2, 4]])
    assert np.allclose(uniform[0, [0, 2, 6, 8]], 0.25) and np.allclose(uniform[1, [2, 4]], 0.5)
    given_probs = features.policy_targets(states, uniform)
    assert np.array_equal(given_probs, uniform)


@pytest.mark.parametrize("optimiser", ["adam", "sgd"])
def test_fitting_is_reproducible(optimiser: str) -> None:
    states = list(all_positions()[:200])
    labels = [optimal_moves(s) for s in states]
    values = [solve(s) for s in states]
    momentum = 0.5 if optimiser == "sgd" else 0.0
    kw = {"n_epochs": 3, "optimiser": optimiser, "learning_rate": 0.01, "momentum": momentum}
    runs = [cloning.fit_policy(states, labels, rng=np.random.default_rng(5), **kw) for _ in "ab"]
    assert runs[0].losses == runs[1].losses
    pairs = zip(runs[0].net.params, runs[1].net.params, strict=True)
    assert all(np.array_equal(p, q) for p, q in pairs)
    other = cloning.fit_policy(states, labels, rng=np.random.default_rng(6), **kw)
    assert other.losses != runs[0].losses
    v = [cloning.fit_value(states, values, rng=np.random.default_rng(5), **kw) for _ in "ab"]
    assert v[0].losses == v[1].losses


def test_momentum_with_adam_is_refused_not_ignored() -> None:
    states = list(all_positions()[:20])
    labels = [optimal_moves(s) for s in states]
    with pytest.raises(ValueError, match="momentum is an SGD setting"):
        cloning.fit_policy(states, labels, rng=np.random.default_rng(0), momentum=0.9)


def test_value_regression_learns_the_game_values() -> None:
    train_set, test_set = split_positions(3000, seed=1)
    fit = cloning.fit_value(
        train_set,
        [solve(s) for s in train_set],
        rng=np.random.default_rng(2),
        n_epochs=30,
        test_states=test_set,
        test_values=[solve(s) for s in test_set],
    )
    # Predicting the most common value everywhere is the bar to clear.
    counts = np.unique([solve(s) for s in test_set], return_counts=True)[1]
    assert fit.test_accuracy[-1] > counts.max() / len(test_set) + 0.1, fit.test_accuracy
    assert fit.train_accuracy[-1] >= 0.95 and fit.losses[-1] < 0.2 * fit.losses[0]
    assert fit.network_passes == 3 * 30 * 3000
    predictions = cloning.predict_values(fit.net, test_set[:5])
    assert predictions.shape == (5,) and np.all(np.abs(predictions) < 1)
    agent = fit.agent
    state = TicTacToe.from_cells("XX.OO....")
    assert agent(state) == 2  # the immediate win is scored exactly, without the network
    assert agent.last_cost == DecisionCost(network_passes=4)
    assert agent(TicTacToe.from_cells("XOXXOOOX.")) == 8
    assert agent.last_cost == DecisionCost()


# --- TD self-play ------------------------------------------------------------------


def test_tabular_td_learns_tic_tac_toe_from_self_play() -> None:
    # States where some legal move is a mistake: the only ones where play can be wrong.
    decisive = [s for s in all_positions() if len(optimal_moves(s)) < len(s.legal_actions())]

    def agreement(agent) -> float:
        return float(np.mean([agent(s) in optimal_moves(s) for s in decisive]))

    td = TabularTD(TicTacToe(), np.random.default_rng(0), epsilon=0.2)
    losses_before = np.mean(scores_against_random(td, TicTacToe, 200, seed=1) == -1)
    log = td.train(2000, evaluate=agreement, eval_every=1000)
    losses_after = np.mean(scores_against_random(td, TicTacToe, 200, seed=1) == -1)
    assert log.eval_games == [0, 1000, 2000]
    before, after = log.eval_scores[0], log.eval_scores[-1]
    assert after >= 0.95 and after > before + 0.2, log.eval_scores
    assert losses_after <= 0.02 < losses_before - 0.1, (losses_before, losses_after)
    # Bookkeeping: one update per move, symmetric states share an entry.
    assert log.games == td.games_played == 2000
    assert log.updates == log.moves == td.updates and 5 * 2000 <= log.moves <= 9 * 2000
    assert len(log.td_errors) == 2000 and np.mean(log.td_errors[-200:]) < log.td_errors[0]
    assert 0 < len(td.table) <= 765
    assert log.positions_evaluated == td.positions_evaluated
    assert td.value(TicTacToe()) == pytest.approx(0.0, abs=0.2)
    assert td.value(TicTacToe.from_cells("XXXOO....")) == -1.0
    td(TicTacToe())
    assert td.last_cost == DecisionCost(table_lookups=9)


def test_tabular_td_is_reproducible() -> None:
    def run(seed: int, backup: str = "greedy") -> tuple[dict, list[float]]:
        td = TabularTD(TicTacToe(), np.random.default_rng(seed), backup=backup)
        return td.table, td.train(100).td_errors

    assert run(3) == run(3)
    assert run(3) != run(4)
    assert run(3, "sample") != run(3)


def test_greedy_backup_learns_the_best_move_and_sample_backup_the_move_played() -> None:
    # X to move can win at once. Moving at random (epsilon = 1), the greedy backup still
    # learns the value of the best move (a win); the sample backup learns the value of
    # random play, which is far lower (O too can win at once).
    start = TicTacToe.from_cells("XX.OO....")
    values = {}
    for backup in ("greedy", "sample"):
        td = TabularTD(start, np.random.default_rng(0), epsilon=1.0, backup=backup)
        td.train(200)
        values[backup] = td.value(start)
    assert values["greedy"] == pytest.approx(1.0)
    assert values["sample"] < 0.5


def test_neural_td_learns_a_small_connect_four() -> None:
    def make() -> ConnectFour:
        return ConnectFour(rows=4, cols=4, k=3)

    td = NeuralTD(make(), np.random.default_rng(0), learning_rate=3e-3, epsilon=0.2)
    before = scores_against_random(td, make, 100, seed=1).mean()
    log = td.train(400)
    after = scores_against_random(td, make, 100, seed=1).mean()
    assert after > before + 0.2, (before, after)
    assert np.mean(log.td_errors[-50:]) < np.mean(log.td_errors[:50])
    assert log.games == 400 and log.updates == log.moves
    assert log.network_passes == log.positions_evaluated + 3 * log.updates == td.network_passes
    td(make())
    assert td.last_cost == DecisionCost(network_passes=4)
    assert -1 < td.value(make()) < 1


def test_neural_td_is_reproducible() -> None:
    def run(seed: int) -> list[float]:
        td = NeuralTD(ConnectFour(rows=4, cols=5), np.random.default_rng(seed))
        return td.train(20).td_errors

    assert run(2) == run(2) and run(2) != run(3)


def test_q_update() -> None:
    q = np.array([[0.0, 0.5], [1.0, -2.0]])
    q_update(q, 0, 1, 0.0, 1, [0, 1], False, 0.5)
    assert q[0, 1] == pytest.approx(0.5 + 0.5 * (1.0 - 0.5))
    q_update(q, 0, 0, 1.0, 1, [1], False, 1.0, discount=0.5, zero_sum=True)
    assert q[0, 0] == pytest.approx(1.0 + 0.5 * 2.0)  # opponent's best is -2: good for us
    q_update(q, 1, 1, -1.0, 0, [], True, 0.25)
    assert q[1, 1] == pytest.approx(-2.0 + 0.25 * (-1.0 + 2.0))


# --- bad input ---------------------------------------------------------------------

ttt = TicTacToe()
tiny_net = MLP([27, 9], np.random.default_rng(0))


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: features.encode("X.O"), TypeError, "state must be a daopt.games TicTacToe"),
        (lambda: features.encode_batch([]), ValueError, "states must hold at least one state"),
        (lambda: features.encode_batch(ttt), TypeError, "states must be a sequence of game states"),
        (
            lambda: features.encode_batch([ttt, ConnectFour()]),
            ValueError,
            "states must all be the same game and board size",
        ),
        (
            lambda: features.encode_batch([ConnectFour(rows=4, cols=4), ConnectFour()]),
            ValueError,
            "states[1] is ('ConnectFour', 6, 7, 4)",
        ),
        (lambda: features.legal_mask(None), TypeError, "state must be a daopt.games"),
        (lambda: features.policy_targets([ttt], [9]), ValueError, "holds illegal moves [9]"),
        (
            lambda: features.policy_targets([TicTacToe.from_cells("X........")], [0]),
            ValueError,
            "targets[0] = 0 holds illegal moves [0]",
        ),
        (lambda: features.policy_targets([ttt], [4, 5]), ValueError, "one entry per state (1)"),
        (
            lambda: features.policy_targets([ttt], [set()]),
            TypeError,
            "non-empty collection of ints",
        ),
        (
            lambda: features.policy_targets([ttt], [[1.5]]),
            TypeError,
            "non-empty collection of ints",
        ),
        (lambda: features.policy_targets([ttt], [True]), TypeError, "an action or a collection"),
        (lambda: features.policy_targets([ttt], 4), TypeError, "targets must be actions"),
        (
            lambda: features.policy_targets([ttt], np.ones((1, 9))),
            ValueError,
            "each row of target probabilities must sum to 1",
        ),
        (
            lambda: features.policy_targets([ttt], np.ones((2, 9)) / 9),
            ValueError,
            "target probabilities must have shape (1, 9)",
        ),
        (
            lambda: cloning.fit_policy([TicTacToe.from_cells("XXXOO....")], [0], rng=rng0()),
            ValueError,
            "states[0] is a finished game",
        ),
        (lambda: cloning.fit_policy([ttt], [4], rng=0), TypeError, "rng must be a numpy.random"),
        (
            lambda: cloning.fit_policy([ttt], [4], rng=rng0(), hidden=8),
            TypeError,
            "hidden must be a sequence of layer widths",
        ),
        (
            lambda: cloning.fit_policy([ttt], [4], rng=rng0(), optimiser="rmsprop"),
            ValueError,
            "optimiser must be 'adam' or 'sgd', got 'rmsprop'",
        ),
        (
            lambda: cloning.fit_policy([ttt], [4], rng=rng0(), test_states=[ttt]),
            ValueError,
            "give test_states and test_targets together",
        ),
        (
            lambda: cloning.fit_policy(
                [ttt], [4], rng=rng0(), test_states=[ConnectFour()], test_targets=[3]
            ),
            ValueError,
            "test_states must be the same game and board size as states",
        ),
        (
            lambda: cloning.fit_policy([ttt], [4], rng=rng0(), net=MLP([27, 1], rng0())),
            ValueError,
            "a policy needs a network from 27 features to 9 outputs, got sizes (27, 1)",
        ),
        (
            lambda: cloning.fit_value([ttt], [2.0], rng=rng0()),
            ValueError,
            "values must be finite and in [-1, 1]",
        ),
        (
            lambda: cloning.fit_value([ttt], [0.0, 1.0], rng=rng0()),
            ValueError,
            "values must have shape (1,), one per state, got (2,)",
        ),
        (lambda: cloning.fit_value([ttt], "0", rng=rng0()), TypeError, "values must be numbers"),
        (
            lambda: cloning.predict_values(tiny_net, [ttt]),
            ValueError,
            "a value function needs a network from 27 features to 1 outputs",
        ),
        (lambda: cloning.PolicyAgent("net"), TypeError, "net must be a daopt.nn.MLP"),
        (
            lambda: cloning.PolicyAgent(tiny_net)(ConnectFour()),
            ValueError,
            "this state needs a network from 126 features to 7 outputs",
        ),
        (
            lambda: cloning.PolicyAgent(tiny_net)(TicTacToe.from_cells("XXXOO....")),
            ValueError,
            "the game is over",
        ),
        (lambda: cloning.ValueAgent(3), TypeError, "net must be a daopt.nn.MLP"),
        (
            lambda: TabularTD(ttt, rng0(), epsilon=1.5),
            ValueError,
            "epsilon must be in [0, 1]",
        ),
        (
            lambda: TabularTD(ttt, rng0(), learning_rate=2.0),
            ValueError,
            "learning_rate must be in (0, 1]",
        ),
        (
            lambda: TabularTD(ttt, rng0(), backup="max"),
            ValueError,
            "backup must be 'greedy' or 'sample', got 'max'",
        ),
        (lambda: TabularTD(ttt, rng0(), initial_value=2), ValueError, "initial_value"),
        (
            lambda: TabularTD(TicTacToe.from_cells("XXXOO...."), rng0()),
            ValueError,
            "initial_state must be an unfinished game",
        ),
        (lambda: TabularTD(ttt, 7), TypeError, "rng must be a numpy.random.Generator"),
        (lambda: TabularTD(ttt, rng0()).train(0), ValueError, "n_games must be >= 1"),
        (
            lambda: TabularTD(ttt, rng0()).train(5, evaluate=len),
            ValueError,
            "give evaluate and eval_every together",
        ),
        (
            lambda: TabularTD(ttt, rng0())(ConnectFour()),
            ValueError,
            "this learner plays ('TicTacToe',), got ('ConnectFour', 6, 7, 4)",
        ),
        (
            lambda: NeuralTD(ConnectFour(rows=4, cols=4), rng0()).value(TicTacToe()),
            ValueError,
            "this learner plays ('ConnectFour', 4, 4, 4), got ('TicTacToe',)",
        ),
        (
            lambda: NeuralTD(ConnectFour(rows=4, cols=4), rng0(), net=tiny_net),
            ValueError,
            "a value function needs a network from 48 features to 1 outputs",
        ),
        (
            lambda: q_update(np.zeros((2, 2)), 2, 0, 0.0, 0, [0], False, 0.5),
            ValueError,
            "state must be in 0..1, got 2",
        ),
        (
            lambda: q_update(np.zeros((2, 2)), 0, 0, 0.0, 0, [], False, 0.5),
            ValueError,
            "legal_next must hold at least one action when done is False",
        ),
        (
            lambda: q_update(np.zeros(2), 0, 0, 0.0, 0, [0], False, 0.5),
            TypeError,
            "q must be a 2-D numpy array",
        ),
        (
            lambda: q_update(np.zeros((2, 2)), 0, 0.5, 0.0, 0, [0], False, 0.5),
            TypeError,
            "action must be an int, got 0.5",
        ),
    ],
)
def test_bad_input_is_rejected_clearly(call, error, fragment) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        call()


def rng0() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.mark.parametrize(
    ("change", "error", "fragment"),
    [
        ({"reward": "1"}, TypeError, "reward must be a number"),
        ({"reward": math.nan}, ValueError, "reward must be finite"),
        ({"action": -1}, ValueError, "action must be in 0..2"),
        ({"legal_next": [0, -1]}, ValueError, "legal_next[1] must be in 0..2"),
        ({"q": np.zeros((2, 3), dtype=int)}, TypeError, "float array"),
        ({"done": "no"}, TypeError, "done must be True or False"),
    ],
)
def test_q_update_refuses_silent_wrong_results(change, error, fragment) -> None:
    case = dict(
        q=np.zeros((2, 3)), state=0, action=1, reward=1.0, next_state=1, legal_next=[0, 2],
        done=False, learning_rate=0.5,
    )  # fmt: skip
    with pytest.raises(error, match=re.escape(fragment)):
        q_update(**{**case, **change})
