"""daopt.hybrid and daopt.selfplay: features, targets, the network's heads, the
agents' choices and costs, the shipped agents, and clear errors for bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt import features, hybrid, search, selfplay
from daopt.cost import DecisionCost
from daopt.games import ConnectFour

RNG = np.random.default_rng


def random_state(seed: int, moves: int) -> ConnectFour:
    rng = RNG(seed)
    for _ in range(1000):
        state = ConnectFour(5, 5)
        for _ in range(moves):
            legal = state.legal_actions()
            state = state.play(legal[int(rng.integers(len(legal)))])
            if state.is_terminal():
                break
        if not state.is_terminal():
            return state
    raise AssertionError("no state found")


@pytest.fixture(scope="module")
def net() -> hybrid.PolicyValueNet:
    return hybrid.PolicyValueNet(hybrid.new_network(RNG(0), (16,)))


def random_moves(seed: int, moves: int) -> str:
    """A move string of up to ``moves`` random moves that leaves the game running."""
    rng, state, out = RNG(seed), ConnectFour(5, 5), ""
    for _ in range(moves):
        legal = state.legal_actions()
        action = legal[int(rng.integers(len(legal)))]
        if state.play(action).is_terminal():
            break
        state, out = state.play(action), out + str(action + 1)
    return out


@given(st.integers(0, 10_000), st.integers(0, 20))
@settings(max_examples=30, deadline=None)
def test_features_match_learn_encode_and_mirror(seed: int, moves: int) -> None:
    text = random_moves(seed, moves)
    state = ConnectFour.from_moves(text, 5, 5)
    x = hybrid.features([state])
    assert x.shape == (1, hybrid.n_features()) == (1, 9 * 25 + 6 * 28)
    assert np.array_equal(x[:, :75], features.encode_batch([state]))
    assert x[:, :75].sum() == 25  # each cell is in exactly one of the first three planes
    g = state.geometry
    mover, opponent = state.current, state.current ^ state.mask
    heights = [sum(bool(state.mask >> (c * g.height + r) & 1) for r in range(5)) for c in range(5)]

    def wins_at(stones: int, row: int, col: int) -> bool:
        bit = 1 << (col * g.height + row)
        return not state.mask & bit and g.has_line(stones | bit)

    for cell in range(25):
        row, col = divmod(cell, 5)
        playable = heights[col] == row
        expected = [
            wins_at(mover, row, col),  # a winning cell: an empty cell completing four
            wins_at(opponent, row, col),
            playable,  # the lowest empty cell of its column
            playable and wins_at(mover, row, col),
            playable and wins_at(opponent, row, col),
            playable and row + 1 < 5 and wins_at(opponent, row + 1, col),
        ]
        assert x[0, [p * 25 + cell for p in range(3, 9)]].tolist() == expected
    # Line flags: a line holding j of one side's stones and none of the other's.
    board = [
        1 if mover >> (c * g.height + r) & 1 else -1 if opponent >> (c * g.height + r) & 1 else 0
        for r in range(5)
        for c in range(5)
    ]
    flags = x[0, 225:].reshape(6, 28)
    for j, line in enumerate(hybrid.lines()):
        own = sum(board[i] == 1 for i in line)
        other = sum(board[i] == -1 for i in line)
        for count in (1, 2, 3):
            assert flags[count - 1, j] == (own == count and other == 0)
            assert flags[count + 2, j] == (other == count and own == 0)
    mirrored = ConnectFour.from_moves("".join(str(6 - int(c)) for c in text), 5, 5)
    assert np.array_equal(hybrid.mirror_features(x), hybrid.features([mirrored]))


def test_bc_targets_spread_over_optimal_moves() -> None:
    values = np.array([[0, 1, 1, -1, -2], [-1, -1, -1, -1, -1]])
    policy, value, optimal, legal = hybrid.bc_targets(values)
    assert np.allclose(policy[0], [0, 0.5, 0.5, 0, 0])
    assert np.allclose(policy[1], 0.2)
    assert value.tolist() == [1.0, -1.0]
    assert optimal[0].tolist() == [0, 1, 1, 0, 0] and legal[0].tolist() == [1, 1, 1, 1, 0]
    with pytest.raises(ValueError, match="values"):
        hybrid.bc_targets(np.array([[3, 0, 0, 0, 0]]))
    with pytest.raises(ValueError, match="legal column"):
        hybrid.bc_targets(np.full((1, 5), -2))


def test_heads_are_distributions_over_legal_moves(net: hybrid.PolicyValueNet) -> None:
    states = [random_state(s, 12) for s in range(20)]
    out = net.evaluate(states)
    assert net.passes == 20
    assert np.allclose(out.policy.sum(axis=1), 1)
    for state, row in zip(states, out.policy, strict=True):
        full = [a for a in range(5) if a not in state.legal_actions()]
        assert np.all(row[full] == 0)
    assert np.all(np.abs(out.value) <= 1) and np.all((out.confidence > 0) & (out.confidence < 1))


def test_prior_and_value_share_one_pass(net: hybrid.PolicyValueNet) -> None:
    state = random_state(1, 6)
    before = net.passes
    net.prior(state)
    net.value(state)
    assert net.passes == before + 1


def test_fit_learns_the_targets() -> None:
    states = [random_state(s, 8) for s in range(40)]
    values = np.array([[search.action_values(s).get(a, -2) for a in range(5)] for s in states])
    policy, value, optimal, legal = hybrid.bc_targets(values)
    x = hybrid.features(states)
    network = hybrid.new_network(RNG(0), (64,))
    log = hybrid.fit(
        network, x, policy, value, legal, optimal=optimal, rng=RNG(1), n_epochs=150, batch_size=40
    )
    assert log.steps == 150 and log.epoch_losses[-1] < 0.5 * log.epoch_losses[0]
    with pytest.raises(ValueError, match="shape"):
        hybrid.fit(network, x, policy[:-1], value, legal, rng=RNG(1), n_epochs=1)


def test_tactical_move_wins_then_blocks() -> None:
    # X to move with three in a row on the bottom: the win is column 4 (0-based 3).
    win = ConnectFour.from_moves("11223", 5, 5)
    assert hybrid.tactical_move(win)[0] == 3
    # O to move must block X's bottom-row threat at column 4.
    block = ConnectFour.from_moves("1122355", 5, 5)  # X holds 1-3 of the bottom row
    move, nodes = hybrid.tactical_move(block)
    assert move == 3 and move in search.optimal_actions(block)
    assert nodes >= 1
    quiet = ConnectFour(5, 5)
    assert hybrid.tactical_move(quiet) == (None, 10)


def test_agents_report_their_cost(net: hybrid.PolicyValueNet) -> None:
    state = random_state(3, 6)
    policy = hybrid.PolicyAgent(net)
    assert policy(state) in state.legal_actions()
    assert isinstance(policy.last_cost, DecisionCost) and policy.last_cost.network_passes == 1
    puct = hybrid.PUCTAgent(net, 16, RNG(0))
    assert puct(state) in state.legal_actions()
    assert puct.last_cost.simulations == 16
    assert 1 <= puct.last_cost.network_passes <= 17 and puct.last_planned
    # Threshold 0: never plans; threshold 1: always plans (no tactic on the empty board).
    empty = ConnectFour(5, 5)
    calm = hybrid.GatedAgent(net, 0.0, 8, RNG(0))
    calm(empty)
    assert calm.last_mode == "policy" and not calm.last_planned
    assert calm.last_cost.simulations == 0 and calm.last_cost.search_nodes == 10
    careful = hybrid.GatedAgent(net, 1.0, 8, RNG(0))
    careful(empty)
    assert careful.last_mode == "search" and careful.last_planned
    assert careful.last_cost.simulations == 8
    # The gate's pass is the search's root pass: 1 + at most one per simulation.
    assert careful.last_cost.network_passes <= 9
    win = ConnectFour.from_moves("11223", 5, 5)
    assert careful(win) == 3 and careful.last_mode == "tactic"
    assert careful.last_cost.network_passes == 0 and careful.last_cost.search_nodes >= 1


@pytest.mark.parametrize("kind", hybrid.KINDS)
def test_pretrained_agents_play_legal_moves(kind: str) -> None:
    agent = hybrid.pretrained(kind)
    state = ConnectFour.from_moves("3322", 5, 5)
    assert agent(state) in state.legal_actions()
    assert isinstance(agent.last_cost, DecisionCost)
    assert agent.last_cost.network_passes >= 1 or agent.last_cost.search_nodes >= 1
    assert isinstance(agent.last_planned, bool)
    with pytest.raises(ValueError, match="rows=5, cols=5"):
        agent(ConnectFour())
    with pytest.raises(ValueError, match="game is over"):
        agent(ConnectFour.from_moves("1212121", 5, 5))
    with pytest.raises(TypeError, match="ConnectFour"):
        agent("3322")


def test_pretrained_gate_follows_the_shipped_settings() -> None:
    """The gated agent runs the tactical check exactly when the settings say so: a
    position with a win in one is played by the check, or by the network, not both."""
    shipped = json.loads((hybrid.WEIGHTS / "hybrid.json").read_text())
    agent = hybrid.pretrained("gated")
    assert agent.tactics is shipped["tactics"]
    assert agent.threshold == shipped["threshold"]
    assert agent.planner.simulations == shipped["gate_simulations"]
    win = ConnectFour.from_moves("11223", 5, 5)
    agent(win)
    assert (agent.last_mode == "tactic") is shipped["tactics"]
    # The same settings without the check, through the function pretrained uses.
    other = hybrid.gated_from_settings(agent.net, {**shipped, "tactics": False}, RNG(0))
    other(win)
    assert other.last_mode != "tactic"
    with pytest.raises(ValueError, match="tactics"):
        hybrid.gated_from_settings(agent.net, {"threshold": 0.5}, RNG(0))
    with pytest.raises(TypeError, match="settings"):
        hybrid.gated_from_settings(agent.net, "hybrid.json", RNG(0))


def test_pretrained_rejects_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="kind must be one of"):
        hybrid.pretrained("alphazero")
    with pytest.raises(TypeError, match="kind must be one of"):
        hybrid.pretrained(3)


def test_bad_arguments_are_named(net: hybrid.PolicyValueNet) -> None:
    with pytest.raises(ValueError, match="threshold"):
        hybrid.GatedAgent(net, 1.5, 8, RNG(0))
    with pytest.raises(TypeError, match="simulations"):
        hybrid.PUCTAgent(net, 2.5, RNG(0))
    with pytest.raises(TypeError, match="PolicyValueNet"):
        hybrid.PolicyAgent("net")
    with pytest.raises(ValueError, match="features"):
        hybrid.PolicyValueNet(hybrid.new_network(RNG(0), (4,), rows=4, cols=4))
    with pytest.raises(TypeError, match="states"):
        hybrid.features(ConnectFour(5, 5))


def test_self_play_game_records_visits_and_outcomes() -> None:
    network = hybrid.new_network(RNG(0), (16,))
    game = selfplay.self_play_game(network, 4, RNG(1))
    n = game.x.shape[0]
    assert n >= 7 and game.policy.shape == (n, 5) and game.outcome.shape == (n,)
    assert np.allclose(game.policy.sum(axis=1), 1) and not np.any(game.policy[~game.legal])
    # Outcomes alternate in sign with the mover (or are all 0 for a draw).
    assert np.all(game.outcome[::2] == game.outcome[0]) and np.all(
        game.outcome[1::2] == -game.outcome[0]
    )
    assert game.simulations == 4 * n and game.passes >= n
    log = selfplay.expert_iteration(network, rounds=2, games_per_round=2, simulations=4, seed=0)
    assert log.games == [2, 2] and all(p > 0 for p in log.positions)
    with pytest.raises(TypeError, match="rounds"):
        selfplay.expert_iteration(network, rounds=1.5, games_per_round=2, simulations=4, seed=0)
    with pytest.raises(ValueError, match="random_moves"):
        selfplay.expert_iteration(
            network, rounds=1, games_per_round=1, simulations=4, seed=0, random_moves=1.5
        )


def test_self_play_random_moves_and_search_values() -> None:
    network = hybrid.new_network(RNG(0), (16,))
    # Every move at random: the moves differ from the searched game's, the records
    # are still one per position.
    searched = selfplay.self_play_game(network, 4, RNG(1), sample_moves=0)
    random_ = selfplay.self_play_game(network, 4, RNG(1), sample_moves=0, random_moves=1.0)
    assert random_.x.shape[0] == random_.policy.shape[0] == random_.outcome.shape[0]
    assert searched.x.shape != random_.x.shape or not np.array_equal(searched.x, random_.x)
    # The value target is the outcome at weight 0 and the root value at weight 1.
    outcome = selfplay.self_play_game(network, 8, RNG(2))
    root = selfplay.self_play_game(network, 8, RNG(2), search_value=1.0)
    half = selfplay.self_play_game(network, 8, RNG(2), search_value=0.5)
    assert np.array_equal(outcome.x, root.x) and np.all(np.abs(root.outcome) <= 1)
    assert not np.array_equal(root.outcome, outcome.outcome)
    assert np.allclose(half.outcome, (outcome.outcome + root.outcome) / 2)
    with pytest.raises(ValueError, match="search_value"):
        selfplay.self_play_game(network, 4, RNG(1), search_value=-0.1)


def test_games_played_side_by_side_are_the_games_played_alone() -> None:
    network = hybrid.new_network(RNG(0), (32,))
    options = {"random_moves": 0.25, "search_value": 0.5}
    alone = [selfplay.self_play_game(network, 6, RNG(seed), **options) for seed in range(4)]
    together = selfplay.self_play_games(network, 6, [RNG(seed) for seed in range(4)], **options)
    assert len(together) == 4 and len({a.x.shape[0] for a in alone}) > 1  # lengths differ
    for a, b in zip(alone, together, strict=True):
        assert np.array_equal(a.x, b.x) and np.array_equal(a.legal, b.legal)  # same moves
        assert np.allclose(a.policy, b.policy) and np.allclose(a.outcome, b.outcome)
        assert (a.passes, a.simulations) == (b.passes, b.simulations)
        assert a.simulations == 6 * a.x.shape[0] and a.passes > a.x.shape[0]
    with pytest.raises(TypeError, match=r"non-empty list of np\.random\.Generator"):
        selfplay.self_play_games(network, 6, RNG(0))
    with pytest.raises(TypeError, match=r"rngs\[1\]"):
        selfplay.self_play_games(network, 6, [RNG(0), 0])
    shared = RNG(0)
    with pytest.raises(ValueError, match="distinct generators"):
        selfplay.self_play_games(network, 6, [shared, shared])
    with pytest.raises(ValueError, match="sample_moves must be >= 0"):
        selfplay.self_play_game(network, 6, RNG(0), sample_moves=-1)
    with pytest.raises(ValueError, match="c_puct"):
        selfplay.self_play_game(network, 6, RNG(0), c_puct=0.0)
    with pytest.raises(TypeError, match="rng"):
        selfplay.self_play_game(network, 6, 0)


def test_prefetched_states_cost_no_further_pass() -> None:
    net = hybrid.PolicyValueNet(hybrid.new_network(RNG(0), (16,)))
    states = [ConnectFour.from_moves(moves, 5, 5) for moves in ("", "3", "33", "31")]
    net.prefetch(states)
    assert net.passes == 4
    batch = net.evaluate(states)
    for i, state in enumerate(states):
        assert np.allclose(net.prior(state), batch.policy[i])
        assert np.isclose(net.value(state), batch.value[i])
    assert net.passes == 8  # the four of evaluate; the hooks' answers were kept
    net.prior(ConnectFour.from_moves("2", 5, 5))
    assert net.passes == 9  # a state not prefetched is evaluated


def test_exercise_checkers_accept_the_reference_and_name_a_wrong_answer() -> None:
    from daopt.checks import hybrid as hc

    assert hc.check_tactical_move(lambda s: hybrid.tactical_move(s)[0])
    wins_only = hc.check_tactical_move(
        lambda s: next((a for a in s.legal_actions() if s.play(a).winner is not None), None)
    )
    assert not wins_only and "expected" in repr(wins_only)

    def report(planned: np.ndarray, wrong: np.ndarray) -> tuple[float, float, float]:
        r = hybrid.gate_report(planned, wrong)
        return r.planned_share, r.precision, r.recall

    assert hc.check_gate_report(report)
    swapped = hc.check_gate_report(lambda planned, wrong: report(wrong, planned))
    assert not swapped and "differ" in repr(swapped)
    assert hc.check_reliability(
        lambda confidence, correct, n_bins: hybrid.reliability(confidence, correct, n_bins)[1]
    )
    assert not hc.check_reliability(lambda confidence, correct, n_bins: np.zeros(n_bins))
    assert hc.check_cheapest_budget(
        lambda rates, evaluations: int(np.argmin(evaluations / (rates / 100)))
    )
    assert not hc.check_cheapest_budget(lambda rates, evaluations: int(np.argmin(evaluations)))
    assert len(hc.tactic_cases()) == 60
    assert sum(hybrid.tactical_move(s)[0] is not None for s in hc.tactic_cases()) >= 5


def test_gate_report_and_reliability() -> None:
    planned = np.array([True, True, False, False])
    wrong = np.array([True, False, True, False])
    assert hybrid.gate_report(planned, wrong) == hybrid.GateReport(0.5, 0.5, 0.5)
    assert np.isnan(hybrid.gate_report(~planned & False, wrong).precision)
    mean, accuracy, counts = hybrid.reliability(
        np.array([0.05, 0.15, 0.95, 1.0]), np.array([False, True, True, True]), 10
    )
    assert counts.tolist() == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert mean[0] == pytest.approx(0.05) and mean[9] == pytest.approx(0.975)
    assert accuracy[0] == 0 and accuracy[9] == 1 and np.isnan(accuracy[5])
    with pytest.raises(TypeError, match="bool"):
        hybrid.gate_report(np.array([1, 0]), wrong[:2])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        hybrid.reliability(np.array([1.5]), np.array([True]))


def test_gate_features_read_the_heads() -> None:
    # Two positions, five columns; the second has only columns 0 and 3 legal.
    raw = np.array(
        [
            [2.0, 1.0, 0.0, 0.0, -1.0, 0.3, 0.5, -2.0, 1.0, 0.0, 0.0],
            [0.0, 5.0, 0.0, 1.0, 5.0, -0.8, 0.0, 0.0, 0.0, 3.0, 0.0],
        ]
    )
    legal = np.array([[True] * 5, [True, False, False, True, False]])
    out = hybrid.heads(raw, legal)
    f = hybrid.gate_features(out)
    assert f.shape == (2, len(hybrid.GATE_FEATURES))
    p = out.policy
    assert f[0, 0] == 0.5 and f[1, 0] == 3.0  # the chosen move's confidence logit
    assert f[0, 1] == pytest.approx(np.log(p[0].max()))
    assert f[1, 2] == pytest.approx(p[1, 3] - p[1, 0])
    assert f[0, 3] == pytest.approx(-np.sum(p[0] * np.log(p[0])))
    assert f[1, 4] == pytest.approx(np.tanh(0.8))
    assert list(f[:, 5]) == [5.0, 2.0]
    with pytest.raises(ValueError, match="raw"):
        hybrid.gate_features(hybrid.NetOutput(out.policy, out.value, out.confidence))
    with pytest.raises(TypeError, match="NetOutput"):
        hybrid.gate_features(raw)


def test_auc_counts_pairs_and_ties() -> None:
    positive = np.array([True, False, True, False])
    assert hybrid.auc(np.array([4.0, 1.0, 3.0, 2.0]), positive) == 1.0
    assert hybrid.auc(np.array([1.0, 4.0, 2.0, 3.0]), positive) == 0.0
    assert hybrid.auc(np.ones(4), positive) == 0.5
    # By pairs: 3 of the 4 (positive, negative) pairs are ordered right.
    assert hybrid.auc(np.array([4.0, 3.5, 3.0, 1.0]), positive) == 0.75
    with pytest.raises(ValueError, match="both"):
        hybrid.auc(np.ones(3), np.ones(3, dtype=bool))


@given(st.integers(0, 10_000))
@settings(max_examples=20, deadline=None)
def test_auc_matches_counting_pairs(seed: int) -> None:
    rng = RNG(seed)
    score = rng.integers(0, 4, 30).astype(float)
    positive = rng.random(30) < 0.5
    positive[:2] = (True, False)
    pairs = [
        1.0 if a > b else 0.5 if a == b else 0.0 for a in score[positive] for b in score[~positive]
    ]
    assert pairs and hybrid.auc(score, positive) == pytest.approx(np.mean(pairs))


def test_gate_signal_fit_recovers_a_logistic_model() -> None:
    rng = RNG(4)
    x = rng.normal(size=(4000, len(hybrid.GATE_FEATURES)))
    true = np.array([1.5, -1.0, 0.5, 0.0, 0.0, 2.0])
    correct = rng.random(4000) < 1 / (1 + np.exp(-(x @ true + 0.5)))
    signal = hybrid.fit_gate_signal(x, correct, l2=0.0)
    assert np.allclose(signal.weights, true, atol=0.15) and abs(signal.bias - 0.5) < 0.15
    # The maximum-likelihood fit is calibrated in the large: mean prediction = rate.
    p = 1 / (1 + np.exp(-signal.logit(x)))
    assert p.mean() == pytest.approx(correct.mean(), abs=1e-6)
    # A penalty shrinks the weights.
    shrunk = hybrid.fit_gate_signal(x, correct, l2=1e4)
    assert np.abs(shrunk.weights).sum() < np.abs(signal.weights).sum()
    assert hybrid.GateSignal.from_dict(signal.as_dict()) == signal
    with pytest.raises(ValueError, match="both"):
        hybrid.fit_gate_signal(x, np.ones(4000, dtype=bool))
    with pytest.raises(ValueError, match="shape"):
        hybrid.fit_gate_signal(x[:, :3], correct)
    with pytest.raises(ValueError, match="weights"):
        hybrid.GateSignal((1.0, 2.0), 0.0)
    with pytest.raises(ValueError, match="features"):
        hybrid.GateSignal.from_dict({**signal.as_dict(), "features": ["peak"] * 6})


def test_fit_logistic_is_platt_scaling_on_one_feature() -> None:
    """One feature without penalty: Platt scaling. Large raw logits (a sharp head)
    need the line search; the fit still finds the generating slope and offset."""
    rng = RNG(5)
    z = 8.0 * rng.normal(size=3000)
    y = rng.random(3000) < 1 / (1 + np.exp(-(0.3 * z - 0.4)))
    weights, bias = hybrid.fit_logistic(z[:, None], y, l2=0.0)
    assert weights.shape == (1,) and abs(weights[0] - 0.3) < 0.05 and abs(bias + 0.4) < 0.15
    with pytest.raises(ValueError, match="finite"):
        hybrid.fit_logistic(np.array([[np.nan], [1.0]]), np.array([True, False]))
    with pytest.raises(TypeError, match="bool"):
        hybrid.fit_logistic(z[:, None], y.astype(float))
    with pytest.raises(ValueError, match="shape"):
        hybrid.fit_logistic(z, y)


def test_cost_at_rate_interpolates_log_cost() -> None:
    rates, costs = np.array([50.0, 70.0, 90.0]), np.array([1.0, 10.0, 100.0])
    assert hybrid.cost_at_rate(rates, costs, 40.0) == 1.0  # the first budget already reaches it
    assert hybrid.cost_at_rate(rates, costs, 70.0) == pytest.approx(10.0)
    assert hybrid.cost_at_rate(rates, costs, 80.0) == pytest.approx(np.sqrt(10 * 100))
    assert hybrid.cost_at_rate(rates, costs, 95.0) is None
    # A dip in the curve: the first budget to reach the rate counts.
    assert hybrid.cost_at_rate(np.array([60.0, 80.0, 75.0]), costs, 78.0) == pytest.approx(
        10 ** (18 / 20)
    )
    with pytest.raises(ValueError, match="positive"):
        hybrid.cost_at_rate(rates, np.array([1.0, 0.0, 2.0]), 60.0)
    with pytest.raises(ValueError, match="one length"):
        hybrid.cost_at_rate(rates, costs[:2], 60.0)
    with pytest.raises(ValueError, match="rate"):
        hybrid.cost_at_rate(rates, costs, float("nan"))
    with pytest.raises(TypeError, match="number"):
        hybrid.cost_at_rate(rates, costs, "70")


def test_rate_difference_is_measured_only_beyond_twice_its_standard_error() -> None:
    difference, se, measured = hybrid.rate_difference(0.9, 0.8, 200)
    assert difference == pytest.approx(0.1) and se == pytest.approx(np.sqrt(0.25 / 200))
    assert measured  # 0.1 against 2 * 0.035
    assert not hybrid.rate_difference(0.9, 0.8, 50)[2]  # se 0.071: beyond once, within twice
    assert hybrid.rate_difference(0.5, 0.5, 10) == (0.0, pytest.approx(np.sqrt(0.05)), False)
    with pytest.raises(ValueError, match="rate_a"):
        hybrid.rate_difference(90.0, 0.8, 100)  # a percentage, not a rate
    with pytest.raises(TypeError, match="n"):
        hybrid.rate_difference(0.9, 0.8, 1.5)


def test_cost_ratio_at_rate_is_a_lower_bound_when_never_reached() -> None:
    rates, costs = np.array([50.0, 70.0, 90.0]), np.array([1.0, 10.0, 100.0])
    assert hybrid.cost_ratio_at_rate(rates, costs, 70.0, 2.0) == (pytest.approx(5.0), True)
    # Never reached: the largest budget's cost over the reference, flagged as a bound.
    assert hybrid.cost_ratio_at_rate(rates, costs, 95.0, 2.0) == (pytest.approx(50.0), False)
    with pytest.raises(ValueError, match="reference_cost must be finite and positive"):
        hybrid.cost_ratio_at_rate(rates, costs, 70.0, 0.0)
    with pytest.raises(TypeError, match="reference_cost must be a number"):
        hybrid.cost_ratio_at_rate(rates, costs, 70.0, "2")


def test_lines_of_the_board() -> None:
    board_lines = hybrid.lines()
    # 5x5, four in a row: 2 per row, 2 per column, 4 per diagonal direction.
    assert board_lines.shape == (28, 4) and len({tuple(sorted(line)) for line in board_lines}) == 28
    assert hybrid.lines(6, 7).shape == (69, 4)  # the standard board's 69 lines


def test_gated_agent_reads_its_signal(net: hybrid.PolicyValueNet) -> None:
    empty = ConnectFour(5, 5)
    sure = hybrid.GateSignal((0.0,) * 6, 20.0)  # always about 1
    unsure = hybrid.GateSignal((0.0,) * 6, -20.0)  # always about 0
    a = hybrid.GatedAgent(net, 0.5, 4, RNG(0), signal=sure)
    a(empty)
    assert a.last_mode == "policy" and a.last_confidence > 0.99
    b = hybrid.GatedAgent(net, 0.5, 4, RNG(0), signal=unsure)
    b(empty)
    assert b.last_mode == "search" and b.last_confidence < 0.01
    out = net.one(empty)
    assert b.last_confidence == pytest.approx(float(unsure(out)[0]))
    with pytest.raises(TypeError, match="GateSignal"):
        hybrid.GatedAgent(net, 0.5, 4, RNG(0), signal=0.5)


def test_shipped_gate_reads_the_shipped_signal() -> None:
    agent = hybrid.pretrained("gated")
    shipped = json.loads((hybrid.WEIGHTS / "hybrid.json").read_text())
    assert (agent.signal is None) == ("gate_signal" not in shipped)
    if agent.signal is not None:
        assert agent.signal.as_dict() == shipped["gate_signal"]
        state = ConnectFour.from_moves("3322", 5, 5)
        agent(state)
        out = agent.net.one(state)
        assert agent.last_confidence == pytest.approx(float(agent.signal(out)[0]))
