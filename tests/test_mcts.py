"""daopt.mcts: UCT/PUCT search is reproducible, counts what it does, finds and
blocks immediate wins, agrees with the exact solver given enough simulations,
honours its prior and evaluator hooks, and rejects bad input clearly."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt import mcts
from daopt.games import ConnectFour, TicTacToe, draw_outcome
from daopt.mcts import MCTS, MCTSResult, puct_score, ucb_score
from daopt.search import optimal_actions, solve


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def random_position(game, seed: int, max_moves: int):
    """A non-terminal decision position after up to ``max_moves`` random moves, chance
    outcomes drawn with their probabilities."""
    generator = rng(seed)
    state = game
    for _ in range(int(generator.integers(0, max_moves + 1))):
        legal = state.legal_actions()
        following = state.play(legal[int(generator.integers(len(legal)))])
        if following.is_chance():
            following = draw_outcome(following.chance_outcomes(), generator.random())
        if following.is_terminal():
            break
        state = following
    return state


# -- basic bookkeeping ----------------------------------------------------------------------


def test_same_seed_same_search_and_different_seed_differs() -> None:
    state = ConnectFour.from_moves("4453")
    first = MCTS(300, rng(1)).search(state)
    again = MCTS(300, rng(1)).search(state)
    other = MCTS(300, rng(2)).search(state)
    assert np.array_equal(first.visits, again.visits)
    assert np.array_equal(first.values, again.values, equal_nan=True)
    assert first.best_action == again.best_action
    assert first.rollout_steps == again.rollout_steps
    assert not np.array_equal(first.visits, other.visits)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    simulations=st.integers(1, 150),
    connect_four=st.booleans(),
)
def test_visits_sum_to_simulations(seed: int, simulations: int, connect_four: bool) -> None:
    game = ConnectFour(rows=4, cols=5) if connect_four else TicTacToe()
    state = random_position(game, seed, max_moves=6)
    result = MCTS(simulations, rng(seed)).search(state)
    assert isinstance(result, MCTSResult)
    assert result.visits.shape == result.values.shape == (state.num_actions,)
    assert int(result.visits.sum()) == result.simulations == simulations
    legal = state.legal_actions()
    illegal = [a for a in range(state.num_actions) if a not in legal]
    assert np.all(result.visits[illegal] == 0) and np.all(np.isnan(result.values[illegal]))
    visited = result.visits > 0
    assert np.all(np.abs(result.values[visited]) <= 1)
    assert np.isclose(result.policy.sum(), 1.0)
    assert result.best_action in legal
    # One node per simulation at most (terminal nodes are revisited, not re-added).
    assert 1 <= result.nodes <= simulations + 1
    assert result.rollouts <= simulations
    assert result.evaluator_calls == result.prior_calls == 0
    # The root value is the visit-weighted mean of the action values.
    weighted = np.nansum(result.values * result.visits) / simulations
    assert math.isclose(result.root_value, weighted, abs_tol=1e-12)


def test_the_agent_returns_the_best_action_and_reports_its_compute() -> None:
    state = TicTacToe.from_cells("X...O....")
    agent = MCTS(200, rng(3))
    assert agent.last_cost is None
    action = agent(state)
    assert action in state.legal_actions()
    cost = agent.last_cost
    assert cost.simulations == 200 and cost.tree_nodes >= 2 and cost.seconds > 0
    assert cost.rollout_moves >= 1 and cost.network_passes == 0
    assert cost.position_evaluations() == cost.simulations + cost.rollout_moves
    assert action == MCTS(200, rng(3)).search(state).best_action
    assert "simulations=200" in repr(agent)


def test_anytime_grows_one_tree_like_a_single_search() -> None:
    state = ConnectFour(rows=5, cols=6)
    steps = MCTS(1000, rng(4)).anytime(state, [10, 50, 200])
    assert [r.simulations for r in steps] == [10, 50, 200]
    for before, after in itertools.pairwise(steps):
        assert np.all(after.visits >= before.visits)
        assert after.nodes >= before.nodes
    once = MCTS(1000, rng(4)).search(state, simulations=200)
    assert np.array_equal(steps[-1].visits, once.visits)
    assert steps[-1].rollout_steps == once.rollout_steps


def test_reuse_tree_adds_simulations_and_a_time_budget_runs_at_least_one() -> None:
    state = TicTacToe()
    agent = MCTS(50, rng(5))
    agent.search(state)
    more = agent.search(state, simulations=30, reuse_tree=True)
    assert more.simulations == 80
    timed = agent.search(state, seconds=1e-9)  # a fresh tree: at least one simulation
    assert timed.simulations >= 1
    both = agent.search(state, simulations=5, seconds=60.0)
    assert both.simulations == 5


# -- rollouts -------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), board=st.sampled_from(["ttt", "c4", "c4-small", "c5"]))
def test_fast_rollouts_play_the_same_game_as_the_generic_one(seed: int, board: str) -> None:
    game = {
        "ttt": TicTacToe(),
        "c4": ConnectFour(),
        "c4-small": ConnectFour(rows=4, cols=5),
        "c5": ConnectFour(rows=6, cols=7, k=5),  # not k = 4: the generic line test
    }[board]
    state = random_position(game, seed, max_moves=10)
    fast = mcts._rollout_function(state)
    assert fast is not mcts._rollout_any
    assert fast(state, rng(seed)) == mcts._rollout_any(state, rng(seed))


def test_rollout_values_are_for_the_player_to_move() -> None:
    x_wins_next = TicTacToe.from_cells("XX.OO.XO.")  # X to move; 2 wins, 5 and 8 draw or lose
    values = [mcts._rollout_tic_tac_toe(x_wins_next, rng(s))[0] for s in range(200)]
    assert set(values) <= {-1.0, 0.0, 1.0} and 1.0 in values
    full_draw = TicTacToe.from_cells("XOXXOOOX.")  # X's last move draws
    assert mcts._rollout_tic_tac_toe(full_draw, rng(0)) == (0.0, 1)


# -- strength -------------------------------------------------------------------------------

TACTICS = [
    # (position, the moves that do not lose (or win at once), whether the solver
    # confirms them; early 7x6 positions are too slow for it in a unit test)
    (TicTacToe.from_cells("XX.OO...."), {2}, True),  # X wins at once
    (TicTacToe.from_cells("XX..O...."), {2}, True),  # O must block the top row
    (ConnectFour.from_moves("121212"), {0}, False),  # wins in column 1
    (ConnectFour.from_moves("12121"), {0}, False),  # must block column 1
    # X threatens an open three on the bottom row: O must take column 3 or 6.
    (ConnectFour.from_moves("445"), {2, 5}, False),
    (ConnectFour.from_moves("33", rows=4, cols=5), None, True),
]


@pytest.mark.parametrize(("state", "moves", "confirm"), TACTICS)
def test_finds_immediate_wins_and_blocks_immediate_losses(state, moves, confirm) -> None:
    if confirm:
        best = set(optimal_actions(state))
        assert moves is None or best == moves
        moves = best
    simulations = 300 if isinstance(state, TicTacToe) else 3000
    for seed in range(3):
        assert MCTS(simulations, rng(seed))(state) in moves


def test_with_many_simulations_it_agrees_with_the_solver_on_tic_tac_toe() -> None:
    positions = []
    for seed in range(200):
        state = random_position(TicTacToe(), seed, max_moves=5)
        if state.legal_actions() != optimal_actions(state) and state not in positions:
            positions.append(state)
    assert len(positions) >= 20
    agrees = [MCTS(3000, rng(7))(s) in optimal_actions(s) for s in positions[:20]]
    assert all(agrees), [s for s, ok in zip(positions, agrees, strict=False) if not ok]


# -- hooks ----------------------------------------------------------------------------------


def test_a_concentrated_prior_steers_the_visits() -> None:
    state = ConnectFour()
    favourite = 1  # not the best opening move (the centre is)

    def prior(s):
        p = np.full(s.num_actions, 0.01)
        p[favourite] = 1.0
        return p / p.sum()

    result = MCTS(100, rng(0), c_uct=3.0, prior=prior).search(state)
    assert result.visits.argmax() == favourite
    # 100 simulations from the empty board never end a game: every node is asked once.
    assert result.prior_calls == result.nodes
    assert np.isclose(result.priors.sum(), 1.0) and result.priors.argmax() == favourite
    uniform = MCTS(100, rng(0), c_uct=3.0).search(state)
    assert uniform.priors is None and uniform.visits[favourite] < result.visits[favourite]


def test_puct_with_a_uniform_prior_still_finds_the_win() -> None:
    state = ConnectFour.from_moves("121212")
    uniform = MCTS(500, rng(0), prior=lambda s: np.ones(s.num_actions))
    assert uniform(state) == 0


def test_prior_mass_on_illegal_actions_is_dropped() -> None:
    state = ConnectFour.from_moves("111111", rows=6, cols=7)  # column 1 is full

    def prior(s):
        p = np.zeros(s.num_actions)
        p[0] = 0.9  # illegal at the root
        p[1:] = 0.1 / 6
        return p

    result = MCTS(50, rng(0), prior=prior).search(state)
    assert result.priors[0] == 0 and np.isclose(result.priors.sum(), 1.0)


def test_an_exact_evaluator_makes_a_few_simulations_optimal() -> None:
    # One simulation per root action evaluates every child exactly once; the
    # best mean value is then the exact best, so the choice is optimal.
    def exact(s):
        return float(solve(s))

    checked = 0
    for seed in range(60):
        state = random_position(TicTacToe(), seed, max_moves=6)
        agent = MCTS(len(state.legal_actions()), rng(seed), evaluator=exact)
        assert agent(state) in optimal_actions(state), state
        assert agent.last_cost.rollout_moves == 0
        checked += 1
    assert checked == 60


def test_an_exact_evaluator_in_connect_four() -> None:
    state = ConnectFour.from_moves("4455", rows=4, cols=5)
    agent = MCTS(len(state.legal_actions()), rng(0), evaluator=lambda s: float(solve(s)))
    assert agent(state) in optimal_actions(state)
    assert agent.last_cost.network_passes > 0


# -- UCB1 -----------------------------------------------------------------------------------


def test_ucb_score_values() -> None:
    assert ucb_score(3.0, 0, 10, 1.0) == math.inf
    assert ucb_score(3.0, 4, 10, 0.0) == 0.75
    assert math.isclose(ucb_score(-2.0, 4, 16, 2.0), -0.5 + 2 * math.sqrt(math.log(16) / 4))
    assert ucb_score(1.0, 1, 1, 5.0) == 1.0  # ln 1 = 0: no bonus yet


@settings(max_examples=60, deadline=None)
@given(
    stats=st.lists(st.tuples(st.integers(1, 40), st.floats(-1, 1)), min_size=1, max_size=9),
    c=st.floats(0, 4),
)
def test_uct_selection_is_the_argmax_of_ucb_score(stats, c) -> None:
    node = mcts._Node(TicTacToe(), list(range(len(stats))), None)
    node.visits = [v for v, _ in stats]
    node.totals = [v * mean for v, mean in stats]
    node.n = sum(node.visits)
    node.expanded = len(stats)
    agent = MCTS(1, rng(0), c_uct=c)
    scores = [ucb_score(t, v, node.n, c) for t, v in zip(node.totals, node.visits, strict=True)]
    assert agent._choose_uct(node) == scores.index(max(scores))


@settings(max_examples=60, deadline=None)
@given(
    stats=st.lists(
        st.tuples(st.integers(0, 40), st.floats(-1, 1), st.floats(0.01, 1)), min_size=1, max_size=9
    ),
    c=st.floats(0, 4),
)
def test_puct_selection_is_the_argmax_of_puct_score(stats, c) -> None:
    mass = sum(p for _, _, p in stats)
    node = mcts._Node(TicTacToe(), list(range(len(stats))), [p / mass for _, _, p in stats])
    node.visits = [v for v, _, _ in stats]
    node.totals = [v * mean for v, mean, _ in stats]
    node.n = sum(node.visits)
    agent = MCTS(1, rng(0), c_uct=c, prior=lambda s: np.ones(9))
    scores = [
        puct_score(t, v, p, node.n, c)
        for t, v, p in zip(node.totals, node.visits, node.priors, strict=True)
    ]
    assert agent._choose_puct(node) == scores.index(max(scores))


def test_puct_score_values_and_bad_input() -> None:
    assert puct_score(0.0, 0, 0.5, 0, 2.0) == 2.0 * 0.5 * 1.0  # a fresh node: the prior decides
    assert math.isclose(puct_score(3.0, 3, 0.2, 8, 1.0), 1.0 + 0.2 * 3.0 / 4)
    for args, error in [
        ((0.0, 0, 1.5, 1, 1.0), ValueError),  # a prior above 1
        ((0.0, 2, 0.5, 1, 1.0), ValueError),  # more visits than the parent
        (("1", 1, 0.5, 1, 1.0), TypeError),
        ((0.0, 1, 0.5, 1, -1.0), ValueError),
    ]:
        with pytest.raises(error):
            puct_score(*args)


def test_the_rng_is_required_and_the_signature_says_so() -> None:
    """Issue: MCTS(10) raised TypeError although the signature said rng=None was fine."""
    import inspect

    parameter = inspect.signature(MCTS).parameters["rng"]
    assert parameter.default is inspect.Parameter.empty
    assert parameter.annotation in ("np.random.Generator", np.random.Generator)
    with pytest.raises(TypeError, match="rng"):
        MCTS(10)


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"simulations": 0, "rng": rng()}, ValueError, "simulations must be >= 1"),
        ({"simulations": -5, "rng": rng()}, ValueError, "simulations must be >= 1"),
        ({"simulations": 2.5, "rng": rng()}, TypeError, "simulations must be an integer"),
        ({"simulations": 10, "rng": 0}, TypeError, "numpy.random.Generator"),
        ({"simulations": 10}, TypeError, "missing 1 required positional argument: 'rng'"),
        ({"rng": rng()}, TypeError, "missing 1 required positional argument: 'simulations'"),
        ({"simulations": 10, "rng": np.random.RandomState(0)}, TypeError, "Generator"),
        (
            {"simulations": 10, "rng": rng(), "c_uct": -1.0},
            ValueError,
            "c_uct must be finite and >= 0",
        ),
        ({"simulations": 10, "rng": rng(), "c_uct": float("nan")}, ValueError, "c_uct"),
        (
            {"simulations": 10, "rng": rng(), "prior": "uniform"},
            TypeError,
            "prior must be a callable",
        ),
        (
            {"simulations": 10, "rng": rng(), "evaluator": 0.5},
            TypeError,
            "evaluator must be a callable",
        ),
    ],
)
def test_bad_construction_is_rejected(kwargs, error, fragment) -> None:
    with pytest.raises(error, match=fragment):
        MCTS(**kwargs)


def test_bad_search_input_is_rejected() -> None:
    agent = MCTS(10, rng())
    with pytest.raises(ValueError, match="terminal state"):
        agent.search(TicTacToe.from_cells("XXXOO...."))
    with pytest.raises(ValueError, match="terminal state"):
        agent(ConnectFour.from_moves("1212121"))
    with pytest.raises(TypeError, match="GameState"):
        agent.search("X........")
    with pytest.raises(ValueError, match="simulations must be >= 1"):
        agent.search(TicTacToe(), simulations=0)
    with pytest.raises(ValueError, match="seconds must be finite and > 0"):
        agent.search(TicTacToe(), seconds=-1.0)
    with pytest.raises(TypeError, match="reuse_tree must be True or False"):
        agent.search(TicTacToe(), reuse_tree=1)
    with pytest.raises(ValueError, match="reuse_tree=True continues the previous search"):
        MCTS(10, rng()).search(TicTacToe(), reuse_tree=True)
    agent.search(TicTacToe())
    with pytest.raises(ValueError, match="its root is not this state"):
        agent.search(TicTacToe().play(4), reuse_tree=True)
    with pytest.raises(ValueError, match="strictly increasing"):
        agent.anytime(TicTacToe(), [10, 10])
    with pytest.raises(ValueError, match="strictly increasing"):
        agent.anytime(TicTacToe(), [])
    with pytest.raises(TypeError, match="checkpoints must be a sequence"):
        agent.anytime(TicTacToe(), 10)
    with pytest.raises(ValueError, match="checkpoint must be >= 1"):
        agent.anytime(TicTacToe(), [0, 5])


@pytest.mark.parametrize(
    ("prior", "error", "fragment"),
    [
        (
            lambda s: np.ones(3) / 3,
            ValueError,
            r"shape \(num_actions,\) = \(9,\), got shape \(3,\)",
        ),
        (lambda s: np.ones((9, 1)), ValueError, r"got shape \(9, 1\)"),
        (lambda s: -np.ones(9), ValueError, "probabilities >= 0"),
        (lambda s: np.full(9, np.nan), ValueError, "probabilities >= 0"),
        (lambda s: "uniform", TypeError, "array of numbers"),
        (lambda s: np.eye(9)[0], ValueError, "probability 0 to every legal action"),
    ],
)
def test_a_bad_prior_is_reported(prior, error, fragment) -> None:
    state = TicTacToe().play(0)  # cell 0 is taken, so np.eye(9)[0] has no legal mass
    with pytest.raises(error, match=fragment):
        MCTS(10, rng(), prior=prior).search(state)


@pytest.mark.parametrize(
    ("evaluator", "error", "fragment"),
    [
        (lambda s: 2.0, ValueError, r"in \[-1, 1\], got 2.0"),
        (lambda s: float("nan"), ValueError, r"in \[-1, 1\]"),
        (lambda s: "good", TypeError, "must return a number"),
        (lambda s: True, TypeError, "must return a number"),
    ],
)
def test_a_bad_evaluator_is_reported(evaluator, error, fragment) -> None:
    with pytest.raises(error, match=fragment):
        MCTS(10, rng(), evaluator=evaluator).search(TicTacToe())


@pytest.mark.parametrize(
    ("args", "error", "fragment"),
    [
        ((1.0, -1, 5, 1.0), ValueError, "visits must be >= 0"),
        ((1.0, 3, 2, 1.0), ValueError, "parent_visits must be >= 3"),
        ((1.0, 0, 0, 1.0), ValueError, "parent_visits must be >= 1"),
        ((1.0, 2, 5, -0.1), ValueError, "c must be finite and >= 0"),
        (("1", 2, 5, 1.0), TypeError, "total_value must be a number"),
        ((math.inf, 2, 5, 1.0), ValueError, "total_value must be finite"),
        ((1.0, 2.0, 5, 1.0), TypeError, "visits must be an integer"),
    ],
)
def test_bad_ucb_input_is_rejected(args, error, fragment) -> None:
    with pytest.raises(error, match=fragment):
        ucb_score(*args)


def test_a_search_that_fails_half_way_cannot_be_continued() -> None:
    calls = []

    def flaky(state):
        calls.append(state)
        if len(calls) > 5:
            raise RuntimeError("evaluator crashed")
        return 0.0

    agent = MCTS(20, rng(), evaluator=flaky)
    with pytest.raises(RuntimeError, match="crashed"):
        agent.search(TicTacToe())
    with pytest.raises(ValueError, match="reuse_tree=True continues the previous search"):
        agent.search(TicTacToe(), reuse_tree=True)


# -- many searches in step ----------------------------------------------------------------------


def _hashed_prior(state) -> np.ndarray:
    """A prior that is a pure function of the state, so it cannot depend on batching."""
    weights = np.random.default_rng(hash(state) % 2**32).random(state.num_actions) + 0.1
    return weights / weights.sum()


def _hashed_value(state) -> float:
    return float(np.random.default_rng(hash(state) % 2**31).uniform(-1, 1))


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_searches=st.integers(1, 5),
    simulations=st.integers(1, 60),
    game=st.sampled_from(["connect_four", "tic_tac_toe", "noisy", "rollouts"]),
)
def test_searches_in_step_match_searches_alone(
    seed: int, n_searches: int, simulations: int, game: str
) -> None:
    from daopt.noisy_tictactoe import NoisyTicTacToe

    start = {
        "connect_four": ConnectFour(rows=4, cols=5),
        "tic_tac_toe": TicTacToe(),
        "noisy": NoisyTicTacToe(slip=0.3),
        "rollouts": ConnectFour(rows=4, cols=5),
    }[game]
    hooks = {} if game == "rollouts" else {"prior": _hashed_prior, "evaluator": _hashed_value}
    states = [random_position(start, seed + i, 6) for i in range(n_searches)]
    alone = [
        MCTS(simulations, rng(seed + i), c_uct=1.5, **hooks).search(state)
        for i, state in enumerate(states)
    ]
    fetched: list[list] = []
    searches = [MCTS(simulations, rng(seed + i), c_uct=1.5, **hooks) for i in range(n_searches)]
    together = mcts.search_together(searches, states, fetched.append)
    assert len(together) == n_searches and fetched and all(fetched)
    for a, b in zip(alone, together, strict=True):
        assert np.array_equal(a.visits, b.visits)
        assert np.array_equal(a.values, b.values, equal_nan=True)
        assert (a.best_action, a.nodes, a.prior_calls, a.evaluator_calls, a.rollouts) == (
            b.best_action,
            b.nodes,
            b.prior_calls,
            b.evaluator_calls,
            b.rollouts,
        )
        assert b.simulations == simulations
    # The first prefetch holds the roots, then at most one state per search each round.
    assert fetched[0] == states and all(len(batch) <= n_searches for batch in fetched)
    assert len(fetched) <= simulations + 1


def test_a_new_tree_grown_by_reuse_is_a_fresh_search() -> None:
    state = ConnectFour.from_moves("4453")
    fresh = MCTS(50, rng(3)).search(state)
    agent = MCTS(50, rng(3))
    agent.new_tree(state)
    grown = agent.search(state, reuse_tree=True)
    assert np.array_equal(fresh.visits, grown.visits) and fresh.nodes == grown.nodes
    with pytest.raises(ValueError, match="terminal state"):
        agent.new_tree(ConnectFour.from_moves("1212121"))


def test_the_hooks_are_asked_only_about_prefetched_states_in_connect_four() -> None:
    batches: list[list] = []
    asked: list[tuple[int, object]] = []

    def prior(state):
        asked.append((len(batches), state))
        return _hashed_prior(state)

    states = [random_position(ConnectFour(rows=4, cols=5), seed, 5) for seed in range(4)]
    searches = [MCTS(30, rng(i), prior=prior, evaluator=_hashed_value) for i in range(4)]
    mcts.search_together(searches, states, batches.append)
    assert len(asked) > len(states) and len(batches) > 1
    assert all(state in batches[when - 1] for when, state in asked)
    # Each batch after the roots holds only states that the prior was then asked about.
    assert sum(len(batch) for batch in batches) == len(asked)


def test_search_together_rejects_bad_input_and_a_half_way_failure() -> None:
    state = TicTacToe()
    ok = [MCTS(5, rng(0)), MCTS(5, rng(1))]
    with pytest.raises(TypeError, match="non-empty list of MCTS agents"):
        mcts.search_together([], [], list)
    with pytest.raises(TypeError, match="non-empty list of MCTS agents"):
        mcts.search_together(ok[0], [state], list)
    with pytest.raises(TypeError, match=r"searches\[1\] must be an MCTS agent"):
        mcts.search_together([ok[0], "mcts"], [state, state], list)
    with pytest.raises(ValueError, match="distinct"):
        mcts.search_together([ok[0], ok[0]], [state, state], list)
    with pytest.raises(ValueError, match="2 searches, 1 states"):
        mcts.search_together(ok, [state], list)
    with pytest.raises(ValueError, match="terminal state"):
        mcts.search_together(ok, [state, TicTacToe.from_cells("XXXOO....")], list)
    with pytest.raises(TypeError, match="prefetch must be a callable"):
        mcts.search_together(ok, [state, state], None)
    with pytest.raises(ValueError, match=r"different budgets \[5, 7\]"):
        mcts.search_together([ok[0], MCTS(7, rng(2))], [state, state], list)
    with pytest.raises(ValueError, match="simulations must be >= 1"):
        mcts.search_together(ok, [state, state], list, simulations=0)
    assert [r.simulations for r in mcts.search_together(ok, [state, state], list, 3)] == [3, 3]

    batches: list[list] = []

    def flaky(states):
        batches.append(states)
        if len(batches) == 3:
            raise RuntimeError("batch evaluator crashed")

    deep = [MCTS(40, rng(0)), MCTS(40, rng(1))]
    with pytest.raises(RuntimeError, match="crashed"):
        mcts.search_together(deep, [state, state], flaky)
    for search in deep:
        with pytest.raises(ValueError, match="reuse_tree=True continues the previous search"):
            search.search(state, reuse_tree=True)
