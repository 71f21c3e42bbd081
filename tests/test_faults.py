"""Faults that used to give a silent wrong result, a hang or an error from deep inside
numpy: each now fails at once with a ValueError or TypeError that names the cause."""

from __future__ import annotations

import re

import numpy as np
import pytest

from daopt import arena
from daopt.games import TicTacToe
from daopt.nn import MLP


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# --- 1. sample_positions: impossible requests fail fast ----------------------------------


def test_sample_positions_refuses_more_positions_than_exist() -> None:
    # Tic-tac-toe has 765 positions up to symmetry; the informative non-terminal ones
    # are fewer. Without the count this played 10**7 games before refusing.
    with pytest.raises(ValueError, match=r"asked for 100000 positions but only (\d+) qualify"):
        arena.sample_positions(TicTacToe(), 10**5, rng())
    with pytest.raises(ValueError) as info:
        arena.sample_positions(TicTacToe(), 10**5, rng(), informative=False)
    available = int(re.search(r"only (\d+) qualify", str(info.value)).group(1))
    # 765 symmetry classes, minus the 138 finished games' classes... every class here is
    # a non-terminal one, so the count must be below 765 and above the informative count.
    assert 0 < available < 765


def test_sample_positions_count_is_exact() -> None:
    with pytest.raises(ValueError) as info:
        arena.sample_positions(TicTacToe(), 10**5, rng(), informative=False, max_moves=1)
    # The empty board, and X in a corner, an edge or the centre.
    assert "only 4 qualify" in str(info.value)
    # Exactly as many as exist can be drawn (and one more cannot).
    assert len(arena.sample_positions(TicTacToe(), 4, rng(), informative=False, max_moves=1)) == 4
    with pytest.raises(ValueError, match="only 4 qualify"):
        arena.sample_positions(TicTacToe(), 5, rng(), informative=False, max_moves=1)


# --- 2. MLP.load: one ValueError naming the file -------------------------------------------


def saved(tmp_path) -> tuple[MLP, bytes]:
    net = MLP([3, 4, 2], rng())
    path = tmp_path / "net.npz"
    net.save(path)
    return net, path.read_bytes()


def corruptions(tmp_path) -> dict[str, bytes]:
    _, good = saved(tmp_path)
    flipped = bytearray(good)
    middle = len(flipped) // 2
    flipped[middle : middle + 16] = bytes(b ^ 0xFF for b in flipped[middle : middle + 16])
    npy = tmp_path / "one.npy"
    np.save(npy, np.ones(3))
    return {
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "truncated tail": good[:-10],
        "flipped bytes": bytes(flipped),
        "junk": b"this is not a network\n" * 20,
        "npy renamed": npy.read_bytes(),
    }


@pytest.mark.parametrize(
    "kind", ["empty", "truncated", "truncated tail", "flipped bytes", "junk", "npy renamed"]
)
def test_load_corrupted_file_names_the_file(tmp_path, kind: str) -> None:
    path = tmp_path / f"{kind.replace(' ', '_')}.npz"
    path.write_bytes(corruptions(tmp_path)[kind])
    with pytest.raises(ValueError, match=re.escape(str(path))):
        MLP.load(path)


def write_npz(path, **arrays) -> None:
    np.savez(path, **arrays)


def test_load_wrong_contents_names_the_file_and_the_fault(tmp_path) -> None:
    net, _ = saved(tmp_path)
    good = {
        "format": np.array("daopt.nn.MLP/1"),
        "sizes": np.array(net.sizes),
        "activation": np.array("tanh"),
        **{f"param_{i}": p for i, p in enumerate(net.params)},
    }
    cases = {
        "no format": ({k: v for k, v in good.items() if k != "format"}, "is not an MLP"),
        "format array": ({**good, "format": np.array(["a", "b"])}, "is not an MLP"),
        "missing param": (
            {k: v for k, v in good.items() if k != "param_3"},
            "need 4 parameter arrays, found 3",
        ),
        "wrong shape": ({**good, "param_0": np.ones((4, 3))}, "param_0 must be float64 with shape"),
        "activation array": ({**good, "activation": np.array(["tanh", "relu"])}, "activation"),
        "nan": ({**good, "param_1": np.full(4, np.nan)}, "non-finite"),
    }
    for name, (arrays, message) in cases.items():
        path = tmp_path / f"{name.replace(' ', '_')}.npz"
        write_npz(path, **arrays)
        with pytest.raises(ValueError, match=re.escape(str(path))) as info:
            MLP.load(path)
        assert message in str(info.value), (name, info.value)
    write_npz(tmp_path / "ok.npz", **good)
    assert MLP.load(tmp_path / "ok.npz").sizes == net.sizes


# --- 3. planners: a model's output is checked; LQR's assumptions hold ------------------------


def point_mass_model():
    from daopt.envs import PointMass

    env = PointMass(1)
    return env, dict(action_low=env.action_low, action_high=env.action_high)


def planners(dynamics, reward, state):
    """Each planner, called on (dynamics, reward) from ``state``."""
    from daopt import planning

    box = dict(action_low=[-1.0], action_high=[1.0])
    return {
        "random_shooting": lambda: planning.random_shooting(
            dynamics, reward, state, horizon=3, samples=8, rng=rng(), **box
        ),
        "cem": lambda: planning.cem(
            dynamics, reward, state, horizon=3, samples=8, elites=2, iterations=2, rng=rng(),
            **box,
        ),
        "mpc": lambda: planning.model_predictive_control(
            dynamics, reward, state, 2, planner="shooting", horizon=3, samples=8, rng=rng(),
            **box,
        ),
        "rollout_returns": lambda: planning.rollout_returns(
            dynamics, reward, state, np.zeros((4, 3, 1))
        ),
        "run_episode": lambda: planning.run_episode(
            dynamics, reward, lambda s: np.zeros(1), state, 3
        ),
    }  # fmt: skip


def test_planners_refuse_a_model_output_of_the_wrong_shape() -> None:
    env, _ = point_mass_model()
    state = np.array([1.0, 0.0])
    bad_models = {
        "reward (n, 1)": (env.step, lambda s, a: env.reward(s, a)[:, None]),
        "reward scalar": (env.step, lambda s, a: 0.0),
        "dynamics drops a row": (lambda s, a: env.step(s, a)[:1], env.reward),
        "dynamics flat": (lambda s, a: env.step(s, a).ravel(), env.reward),
        "dynamics strings": (lambda s, a: "next", env.reward),
    }
    tried = 0
    for label, (dynamics, reward) in bad_models.items():
        for name, call in planners(dynamics, reward, state).items():
            if name == "run_episode" and label == "dynamics drops a row":
                continue  # one row in, one row out: this model is right for a batch of one
            with pytest.raises((ValueError, TypeError), match=r"(dynamics|reward)") as info:
                call()
            assert "must return" in str(info.value), (label, name, info.value)
            tried += 1
    assert tried == 24


def test_a_nan_reward_never_wins_the_best_plan() -> None:
    env, _ = point_mass_model()

    def reward(states, actions):
        # NaN wherever the action pushes right: argmax used to pick such a plan.
        r = env.reward(states, actions)
        return np.where(actions[:, 0] > 0, np.nan, r)

    for name, call in planners(env.step, reward, np.array([1.0, 0.0])).items():
        if name in ("rollout_returns", "run_episode"):
            continue  # they never push right
        with pytest.raises(ValueError, match="non-finite"):
            call()
    with pytest.raises(ValueError, match=r"dynamics.*non-finite"):
        planners(lambda s, a: np.full_like(s, np.inf), env.reward, np.array([1.0, 0.0]))["cem"]()


def test_lqr_gain_refuses_an_action_cost_that_is_not_positive_definite() -> None:
    from daopt.planning import lqr_gain

    a, b, q = np.eye(2), np.eye(2), np.eye(2)
    for r, why in (
        (np.zeros((2, 2)), "positive definite"),
        (-np.eye(2), "positive definite"),
        (np.diag([1.0, -0.5]), "positive definite"),
        (np.array([[1.0, 2.0], [0.0, 1.0]]), "symmetric"),
    ):
        with pytest.raises(ValueError, match=f"action_cost must be {why}"):
            lqr_gain(a, b, q, r)
    with pytest.raises(ValueError, match="state_cost must be positive semi-definite"):
        lqr_gain(a, b, -np.eye(2), np.eye(2))


def test_lqr_gain_says_when_the_iteration_does_not_converge() -> None:
    from daopt.planning import lqr_gain

    # An unstable mode (2) the action cannot reach (B's second row is 0): no stabilising gain.
    a = np.diag([0.5, 2.0])
    b = np.array([[1.0], [0.0]])
    with pytest.raises(ValueError, match="did not converge"):
        lqr_gain(a, b, np.eye(2), np.eye(1))
    # A stable system converges, but not within 2 iterations.
    with pytest.raises(ValueError, match="did not converge in 2 iterations"):
        lqr_gain([[0.9]], [[1.0]], [[1.0]], [[1.0]], max_iterations=2)
    assert lqr_gain([[0.9]], [[1.0]], [[1.0]], [[1.0]]).shape == (1, 1)


# --- 4. full-tree searches on boards they cannot finish say so -----------------------------


def test_minimax_refuses_connect_four_up_front_with_the_estimate() -> None:
    import time

    from daopt import search
    from daopt.games import ConnectFour

    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"minimax would visit about (\S+) states") as info:
        search.minimax(ConnectFour())
    # Refused before searching: not a single 10**7-node budget was spent (a generous bound).
    assert time.perf_counter() - start < 20
    estimate = float(re.search(r"about (\S+) states", str(info.value)).group(1))
    assert estimate > 1e15
    assert "search.solve" in str(info.value)


def test_searches_stop_at_their_node_budget() -> None:
    from daopt import search
    from daopt.games import ConnectFour

    with pytest.raises(ValueError, match=r"minimax visited max_nodes=100,000 states"):
        search.minimax(TicTacToe(), max_nodes=100_000)
    with pytest.raises(ValueError, match=r"alphabeta visited max_nodes=5,000 states"):
        search.alphabeta(ConnectFour(), table=True, ordering=True, max_nodes=5_000)
    # Within the budget nothing changes: the whole tic-tac-toe tree is 549,946 states.
    assert search.minimax(TicTacToe(), max_nodes=549_946).nodes == 549_946
    with pytest.raises(ValueError, match="max_nodes=549,945"):
        search.minimax(TicTacToe(), max_nodes=549_945)
    for bad in (0, -1, 1.5, True, "9"):
        with pytest.raises((TypeError, ValueError), match="max_nodes"):
            search.alphabeta(TicTacToe(), max_nodes=bad)


def test_tree_size_estimate_is_close_for_tic_tac_toe() -> None:
    from daopt import search

    # Knuth's estimator is unbiased; 64 paths land within a factor of 2 here.
    estimate = search.tree_size_estimate(TicTacToe())
    assert 549_946 / 2 < estimate < 549_946 * 2
    assert search.tree_size_estimate(TicTacToe.from_cells("XXXOO....")) == 1.0


# --- 5. policy targets and masked argmax are unambiguous -------------------------------------


def test_policy_targets_refuse_a_one_hot_row_given_as_a_list() -> None:
    from daopt import features

    board = TicTacToe.from_cells("XO.......")
    one_hot = [0, 0, 0, 0, 1, 0, 0, 0, 0]  # "move 4", but as a list it read as moves {0, 1}
    with pytest.raises(ValueError, match=r"repeats an action.*numpy array"):
        features.policy_targets([board], [one_hot])
    with pytest.raises(TypeError, match="numpy array"):
        features.policy_targets([board], [[0.0, 0.0, 0.5, 0.5, 0, 0, 0, 0, 0]])
    # The same row as a 2-D numpy array is read as probabilities.
    probs = features.policy_targets([board], np.array([one_hot]))
    assert probs[0, 4] == 1.0 and probs.sum() == 1.0
    assert np.array_equal(features.policy_targets([board], [[4]]), probs)


def test_masked_argmax_refuses_a_row_with_no_legal_action() -> None:
    from daopt import features

    scores = np.array([[0.1, 0.9, 0.5], [0.3, 0.2, 0.1]])
    masks = np.array([[True, False, True], [False, False, False]])
    with pytest.raises(ValueError, match="masks row 1 has no legal action"):
        features.masked_argmax(scores, masks)
    with pytest.raises(ValueError, match="shape"):
        features.masked_argmax(scores, masks[:, :2])
    with pytest.raises(TypeError, match="boolean"):
        features.masked_argmax(scores, masks.astype(int))
    assert features.masked_argmax(scores[:1], masks[:1]).tolist() == [2]


# --- 6. PointMass keeps what it validated ----------------------------------------------------


def test_point_mass_goal_is_a_frozen_copy() -> None:
    from daopt.envs import PointMass

    goal = np.array([1.0, -1.0])
    env = PointMass(2, goal=goal)
    before = env.reward(np.zeros((1, 4)), np.zeros((1, 2)))
    goal[:] = np.nan  # the caller edits its own array afterwards
    assert np.array_equal(env.goal, [1.0, -1.0])
    assert np.array_equal(env.reward(np.zeros((1, 4)), np.zeros((1, 2))), before)
    with pytest.raises(ValueError, match="read-only"):
        env.goal[0] = 5.0


# --- 7. clear errors where numpy or Python used to speak ------------------------------------


def test_can_play_refuses_non_integers() -> None:
    from daopt.games import ConnectFour

    for bad in ("a", 1.5, True, None):
        with pytest.raises(TypeError, match="col must be an int"):
            ConnectFour().can_play(bad)


def test_optimisers_refuse_bad_parameter_lists() -> None:
    from daopt.nn import SGD, Adam

    for optimiser in (Adam, SGD):
        with pytest.raises(TypeError, match="params must be a list"):
            optimiser(None)
        with pytest.raises(TypeError, match="params must be a list"):
            optimiser("ab")
        with pytest.raises(TypeError, match=r"params\[0\] must be a float numpy array"):
            optimiser([np.zeros(3, dtype=int)])
        with pytest.raises(ValueError, match="at least one array"):
            optimiser([])
        frozen = np.zeros(3)
        frozen.setflags(write=False)
        with pytest.raises(ValueError, match="read-only"):
            optimiser([frozen])


def test_backward_refuses_another_networks_cache() -> None:
    from daopt.nn import MLP

    net, other = MLP([2, 3, 1], rng(0)), MLP([2, 3, 1], rng(1))
    _, cache = other.forward_cached(np.ones((4, 2)))
    with pytest.raises(ValueError, match="another network"):
        net.backward(cache, np.ones((4, 1)))
    _, wide = MLP([2, 5, 1], rng(2)).forward_cached(np.ones((4, 2)))
    wide.owner = None  # as if made by hand: the shapes still betray it
    with pytest.raises(ValueError, match="do not fit"):
        net.backward(wide, np.ones((4, 1)))
    with pytest.raises(TypeError, match="ForwardCache"):
        net.backward({"layer_inputs": []}, np.ones((4, 1)))
    _, own = net.forward_cached(np.ones((4, 2)))
    assert [g.shape for g in net.backward(own, np.ones((4, 1)))] == [(2, 3), (3,), (3, 1), (1,)]


def test_training_callbacks_must_return_numbers() -> None:
    from daopt.nn import MLP, Adam, mse, train

    net = MLP([2, 1], rng())
    x, y = np.ones((4, 2)), np.zeros((4, 1))

    def loss(outputs, rows):
        return mse(outputs, y[rows])

    common = dict(optimiser=Adam(net.params), batch_size=2, rng=rng())
    for bad in ("0.5", None, [0.5], np.ones(2), True):
        with pytest.raises(TypeError, match=r"evaluate\(net\) must be a number"):
            train(net, x, loss, n_epochs=1, evaluate=lambda _, v=bad: v, **common)
    with pytest.raises(ValueError, match=r"evaluate\(net\) must be finite"):
        train(net, x, loss, n_epochs=1, evaluate=lambda _: float("nan"), **common)
    with pytest.raises(TypeError, match="loss_fn's loss must be a number"):
        train(net, x, lambda o, r: ("1.0", loss(o, r)[1]), steps=1, **common)
    with pytest.raises(TypeError, match=r"loss_fn must return \(loss, grad\)"):
        train(net, x, lambda o, r: 1.0, steps=1, **common)
    log = train(net, x, loss, n_epochs=1, evaluate=lambda _: np.float64(0.25), **common)
    assert log.evaluations == [0.25]


def test_other_callbacks_must_return_numbers() -> None:
    from daopt import expectimax
    from daopt.noisy_tictactoe import NoisyTicTacToe

    state = NoisyTicTacToe(0.2)
    for bad in ("0.5", None, True):
        with pytest.raises(TypeError, match=r"evaluate\(state\) must be a number"):
            expectimax.expectiminimax(state, depth=1, evaluate=lambda s, v=bad: v)


def test_gradient_descent_says_it_diverged() -> None:
    from daopt import direct
    from daopt.problems import ShiftedQuadratic

    problem = ShiftedQuadratic()
    x = np.linspace(-1, 1, 5)
    for call in (
        lambda: direct.gradient_descent(problem, x, np.zeros(5), step=1e3, n_steps=500),
        lambda: direct.steps_to_tolerance(problem, x, np.zeros(5), step=1e3, tolerance=1e-6),
    ):
        with pytest.raises(ValueError, match=r"diverged at step \d+.*try a smaller step"):
            call()
    assert direct.gradient_descent(problem, x, np.zeros(5), step=0.1, n_steps=50).y.shape == (5,)
