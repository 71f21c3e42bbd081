"""daopt.planning: value iteration, shooting and CEM planners, LQR, belief planning."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt.envs import POMDP, GridWorld, PointMass
from daopt.planning import (
    BeliefPlan,
    belief_update,
    belief_value_iteration,
    cem,
    cem_update,
    lqr_gain,
    model_predictive_control,
    policy_evaluation,
    random_shooting,
    rollout_returns,
    run_episode,
    value_iteration,
)

ROOM = ["#####", "#...#", "#.#.#", "#...#", "#####"]


def random_mdp(rng: np.random.Generator, n_states: int, n_actions: int):
    p = rng.random((n_states, n_actions, n_states)) + 0.01
    p /= p.sum(axis=2, keepdims=True)
    r = rng.normal(size=(n_states, n_actions))
    return p, r


# --- value iteration ------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 100_000),
    n_states=st.integers(1, 4),
    n_actions=st.integers(1, 3),
    discount=st.floats(0.0, 0.95),
)
def test_value_iteration_matches_brute_force_over_all_policies(
    seed: int, n_states: int, n_actions: int, discount: float
) -> None:
    p, r = random_mdp(np.random.default_rng(seed), n_states, n_actions)
    result = value_iteration(p, r, discount)
    every = np.array(
        [
            policy_evaluation(p, r, discount, np.array(pi))
            for pi in itertools.product(range(n_actions), repeat=n_states)
        ]
    )
    # The optimum is the best policy in every state at once.
    assert np.allclose(result.values, every.max(axis=0), atol=1e-7)
    assert np.allclose(policy_evaluation(p, r, discount, result.policy), result.values, atol=1e-7)
    assert result.converged
    assert result.backups == result.iterations * n_states * n_actions


def test_value_iteration_accepts_next_state_rewards() -> None:
    p, r = random_mdp(np.random.default_rng(3), 3, 2)
    r3 = np.repeat(r[:, :, None], 3, axis=2)
    assert np.allclose(value_iteration(p, r3, 0.9).values, value_iteration(p, r, 0.9).values)


def test_value_iteration_on_a_corridor_discounts_by_distance() -> None:
    world = GridWorld(["#######", "#.....#", "#######"])
    mdp = world.mdp((1, 5), discount=0.9)
    result = value_iteration(mdp.transitions, mdp.rewards, mdp.discount)
    # From (1, c) the goal is 5 - c moves east; the reward arrives with the last move.
    for c in range(1, 5):
        assert result.values[world.index((1, c))] == pytest.approx(0.9 ** (5 - c - 1))
        assert result.policy[world.index((1, c))] == 1  # east


def test_slip_lowers_values() -> None:
    values = []
    for slip in (0.0, 0.2, 0.5):
        mdp = GridWorld(ROOM, slip=slip).mdp((3, 3), discount=0.9)
        values.append(value_iteration(mdp.transitions, mdp.rewards, mdp.discount).values[0])
    assert values[0] > values[1] > values[2]


def test_value_iteration_stops_at_max_iterations() -> None:
    p, r = random_mdp(np.random.default_rng(0), 3, 2)
    result = value_iteration(p, r, 0.99, max_iterations=3)
    assert result.iterations == 3 and not result.converged


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"discount": 1.0}, ValueError, "discount"),
        ({"tol": 0.0}, ValueError, "tol"),
        ({"max_iterations": 0}, ValueError, "max_iterations"),
        ({"transitions": np.ones((2, 2))}, ValueError, "transitions"),
    ],
)
def test_value_iteration_rejects_bad_input(kwargs, error, fragment) -> None:
    p, r = random_mdp(np.random.default_rng(0), 2, 2)
    args = {"transitions": p, "rewards": r, "discount": 0.9, **kwargs}
    with pytest.raises(error) as info:
        value_iteration(args.pop("transitions"), args.pop("rewards"), args.pop("discount"), **args)
    assert fragment in str(info.value)


def test_policy_evaluation_rejects_bad_policies() -> None:
    p, r = random_mdp(np.random.default_rng(0), 3, 2)
    with pytest.raises(ValueError, match="shape"):
        policy_evaluation(p, r, 0.9, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"0\.\.1"):
        policy_evaluation(p, r, 0.9, np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="ints"):
        policy_evaluation(p, r, 0.9, np.array([0.0, 1.0, 0.0]))
    with pytest.raises(TypeError, match="policy"):
        policy_evaluation(p, r, 0.9, None)


# --- continuous planners ----------------------------------------------------------------------


def identity(states, actions):
    return states


def near_target(target):
    def reward(states, actions):
        return -np.sum((actions - target) ** 2, axis=1)

    return reward


def test_cem_finds_the_optimum_of_a_known_quadratic() -> None:
    target = np.array([0.3, -0.7, 0.5])
    result = cem(
        identity,
        near_target(target),
        np.zeros(1),
        horizon=1,
        samples=200,
        elites=20,
        iterations=15,
        rng=np.random.default_rng(0),
        action_low=-np.ones(3),
        action_high=np.ones(3),
    )
    assert np.allclose(result.action, target, atol=1e-2)
    assert result.evaluations == 15 * 200
    assert result.plan.shape == (1, 3)


def test_cem_beats_random_shooting_on_the_same_budget() -> None:
    target = np.linspace(-0.8, 0.8, 8)
    common = dict(
        horizon=1, rng=np.random.default_rng(1), action_low=-np.ones(8), action_high=np.ones(8)
    )
    shot = random_shooting(identity, near_target(target), np.zeros(1), samples=400, **common)
    crossed = cem(
        identity, near_target(target), np.zeros(1), samples=100, elites=10, iterations=4, **common
    )
    assert shot.evaluations == crossed.evaluations == 400
    assert np.sum((crossed.action - target) ** 2) < np.sum((shot.action - target) ** 2)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), samples=st.integers(1, 50), horizon=st.integers(1, 5))
def test_random_shooting_returns_the_best_sampled_sequence(
    seed: int, samples: int, horizon: int
) -> None:
    env = PointMass(2)
    start = np.array([0.5, -0.5, 0.0, 0.1])
    result = random_shooting(
        env.step,
        env.reward,
        start,
        horizon=horizon,
        samples=samples,
        rng=np.random.default_rng(seed),
        action_low=env.action_low,
        action_high=env.action_high,
    )
    # The same draws, scored independently.
    seqs = np.random.default_rng(seed).uniform(-1, 1, size=(samples, horizon, 2))
    returns = rollout_returns(env.step, env.reward, start, seqs)
    assert result.value == pytest.approx(returns.max())
    assert np.allclose(result.plan, seqs[np.argmax(returns)])
    assert result.evaluations == samples * horizon


def test_rollout_returns_adds_rewards_along_the_trajectory() -> None:
    def step(states, actions):
        return states + actions

    def reward(states, actions):
        return states[:, 0]

    seqs = np.array([[[1.0], [2.0], [3.0]], [[0.0], [0.0], [0.0]]])
    # States visited: 0, 1, 3 (rewarded before each step) for the first sequence.
    assert np.allclose(rollout_returns(step, reward, np.zeros(1), seqs), [4.0, 0.0])
    with pytest.raises(ValueError, match=r"\(n, H, d\)"):
        rollout_returns(step, reward, np.zeros(1), np.zeros((2, 3)))
    with pytest.raises(TypeError, match="dynamics"):
        rollout_returns(None, reward, np.zeros(1), seqs)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 30), d=st.integers(1, 5), data=st.data())
def test_cem_update_fits_the_elites(seed: int, n: int, d: int, data) -> None:
    n_elite = data.draw(st.integers(1, n))
    rng = np.random.default_rng(seed)
    samples, scores = rng.normal(size=(n, d)), rng.normal(size=n)
    mean, std = cem_update(samples, scores, n_elite)
    elite = samples[scores >= np.sort(scores)[-n_elite]]
    assert np.allclose(mean, elite.mean(axis=0)) and np.allclose(std, elite.std(axis=0))
    assert np.all(mean >= samples.min(axis=0) - 1e-12)
    assert np.all(mean <= samples.max(axis=0) + 1e-12)


def test_cem_update_breaks_ties_towards_earlier_rows() -> None:
    samples = np.array([[0.0], [1.0], [2.0], [3.0]])
    mean, std = cem_update(samples, np.array([5.0, 9.0, 9.0, 9.0]), 2)
    assert mean[0] == pytest.approx(1.5) and std[0] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("args", "error", "fragment"),
    [
        ((np.zeros((3, 2)), np.zeros(2), 1), ValueError, "length 3"),
        ((np.zeros((3, 2)), np.zeros(3), 4), ValueError, "at most"),
        ((np.zeros((3, 2)), np.zeros(3), 0), ValueError, "n_elite"),
        ((np.zeros(3), np.zeros(3), 1), ValueError, "2-D"),
        ((np.zeros((3, 2)), "scores", 1), TypeError, "scores"),
    ],
)
def test_cem_update_rejects_bad_input(args, error, fragment) -> None:
    with pytest.raises(error) as info:
        cem_update(*args)
    assert fragment in str(info.value)


PLANNER_BAD = [
    ({"horizon": 0}, ValueError, "horizon"),
    ({"samples": 0}, ValueError, "samples"),
    ({"rng": 0}, TypeError, "Generator"),
    ({"action_low": np.ones(2), "action_high": np.zeros(2)}, ValueError, "action_low"),
    ({"action_high": np.ones(3)}, ValueError, "length"),
    ({"state": "start"}, TypeError, "state"),
    ({"dynamics": 3}, TypeError, "dynamics"),
    ({"reward": None}, TypeError, "reward"),
]


@pytest.mark.parametrize(("kwargs", "error", "fragment"), PLANNER_BAD)
def test_random_shooting_rejects_bad_input(kwargs, error, fragment) -> None:
    env = PointMass(2)
    args = dict(
        dynamics=env.step,
        reward=env.reward,
        state=np.zeros(4),
        horizon=3,
        samples=5,
        rng=np.random.default_rng(0),
        action_low=env.action_low,
        action_high=env.action_high,
    )
    args.update(kwargs)
    with pytest.raises(error) as info:
        random_shooting(args.pop("dynamics"), args.pop("reward"), args.pop("state"), **args)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        *PLANNER_BAD,
        ({"elites": 6}, ValueError, "elites"),
        ({"iterations": 0}, ValueError, "iterations"),
        ({"init_mean": np.zeros((2, 2))}, ValueError, "init_mean"),
        ({"init_std": -np.ones((3, 2))}, ValueError, "init_std"),
        ({"min_std": -1.0}, ValueError, "min_std"),
    ],
)
def test_cem_rejects_bad_input(kwargs, error, fragment) -> None:
    env = PointMass(2)
    args = dict(
        dynamics=env.step,
        reward=env.reward,
        state=np.zeros(4),
        horizon=3,
        samples=5,
        elites=2,
        iterations=2,
        rng=np.random.default_rng(0),
        action_low=env.action_low,
        action_high=env.action_high,
    )
    args.update(kwargs)
    with pytest.raises(error) as info:
        cem(args.pop("dynamics"), args.pop("reward"), args.pop("state"), **args)
    assert fragment in str(info.value)


def test_cem_warm_start_is_used() -> None:
    target = np.array([0.9])
    result = cem(
        identity,
        near_target(target),
        np.zeros(1),
        horizon=1,
        samples=10,
        elites=2,
        iterations=1,
        rng=np.random.default_rng(0),
        action_low=-np.ones(1),
        action_high=np.ones(1),
        init_mean=np.array([[0.9]]),
        init_std=np.array([[1e-6]]),
    )
    assert result.action[0] == pytest.approx(0.9, abs=1e-4)


# --- LQR and episodes --------------------------------------------------------------------------


def test_lqr_gain_matches_the_scalar_riccati_solution() -> None:
    a, b, q, r = 1.0, 1.0, 1.0, 1.0
    # p = q + a^2 p - (a b p)^2 / (r + b^2 p) gives p^2 - p - 1 = 0.
    p = (1 + np.sqrt(5)) / 2
    gain = lqr_gain([[a]], [[b]], [[q]], [[r]])
    assert gain[0, 0] == pytest.approx(a * b * p / (r + b * b * p))


def test_lqr_stabilises_the_point_mass_and_beats_doing_nothing() -> None:
    env = PointMass(3, action_cost=0.1, max_force=100.0)
    a_matrix, b_matrix = env.linear_model()
    q = np.zeros((6, 6))
    q[:3, :3] = np.eye(3)
    gain = lqr_gain(a_matrix, b_matrix, q, 0.1 * np.eye(3))
    assert gain.shape == (3, 6)
    assert np.max(np.abs(np.linalg.eigvals(a_matrix - b_matrix @ gain))) < 1.0
    start = np.array([1.0, -1.0, 0.5, 0.0, 0.0, 0.0])
    controlled = run_episode(env.step, env.reward, lambda s: -gain @ s, start, 60)
    idle = run_episode(env.step, env.reward, lambda s: np.zeros(3), start, 60)
    assert controlled.total > idle.total
    assert np.linalg.norm(controlled.states[-1, :3]) < 0.05


def test_lqr_gain_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError, match="square"):
        lqr_gain(np.ones((2, 3)), np.ones((2, 1)), np.eye(2), np.eye(1))
    with pytest.raises(ValueError, match="rows"):
        lqr_gain(np.eye(2), np.ones((3, 1)), np.eye(2), np.eye(1))
    with pytest.raises(ValueError, match="action_cost"):
        lqr_gain(np.eye(2), np.ones((2, 1)), np.eye(2), np.ones((3, 1)))
    with pytest.raises(TypeError, match="a_matrix"):
        lqr_gain("A", np.ones((2, 1)), np.eye(2), np.eye(1))


def test_run_episode_records_and_sums() -> None:
    env = PointMass(1, dt=1.0, action_cost=0.0)
    episode = run_episode(env.step, env.reward, lambda s: np.array([1.0]), np.zeros(2), 3)
    # Positions 0, 1, 3 before each step: rewards 0, -1, -9.
    assert episode.total == pytest.approx(-10.0)
    assert episode.states.shape == (4, 2) and episode.actions.shape == (3, 1)
    with pytest.raises(TypeError, match="policy"):
        run_episode(env.step, env.reward, None, np.zeros(2), 3)
    with pytest.raises(ValueError, match="steps"):
        run_episode(env.step, env.reward, lambda s: np.zeros(1), np.zeros(2), 0)


# --- beliefs --------------------------------------------------------------------------------------


def tiger(discount: float = 0.9) -> POMDP:
    """The tiger problem (Kaelbling, Littman and Cassandra 1998), with a 0.85 accurate ear."""
    listen, left, right = 0, 1, 2
    p = np.zeros((2, 3, 2))
    p[:, listen] = np.eye(2)
    p[:, left] = p[:, right] = 0.5  # opening a door resets the problem
    r = np.array([[-1.0, -100.0, 10.0], [-1.0, 10.0, -100.0]])  # tiger behind left / right
    o = np.full((3, 2, 2), 0.5)
    o[listen] = [[0.85, 0.15], [0.15, 0.85]]
    return POMDP(p, r, o, np.array([0.5, 0.5]), discount)


def test_belief_update_is_bayes_rule() -> None:
    pomdp = tiger()
    posterior, prob = belief_update(pomdp, np.array([0.5, 0.5]), 0, 0)
    assert prob == pytest.approx(0.5)
    assert np.allclose(posterior, [0.85, 0.15])
    posterior, prob = belief_update(pomdp, np.array([0.85, 0.15]), 0, 0)
    expected = 0.85 * 0.85 / (0.85 * 0.85 + 0.15 * 0.15)
    assert posterior[0] == pytest.approx(expected)
    assert prob == pytest.approx(0.85 * 0.85 + 0.15 * 0.15)


def test_belief_update_rejects_bad_input() -> None:
    pomdp = GridWorld(ROOM).pomdp([(1, 1)], [(3, 3)])
    b0 = pomdp.initial
    with pytest.raises(ValueError, match="impossible"):
        belief_update(pomdp, b0, 0, 0)  # north from (3, 3) cannot show cell 0
    with pytest.raises(ValueError, match="probability vector"):
        belief_update(pomdp, 2 * b0, 0, 0)
    with pytest.raises(ValueError, match="length"):
        belief_update(pomdp, b0[:-1], 0, 0)
    with pytest.raises(ValueError, match="action"):
        belief_update(pomdp, b0, 4, 0)
    with pytest.raises(TypeError, match="POMDP"):
        belief_update("pomdp", b0, 0, 0)


def test_one_goal_belief_planning_equals_the_mdp() -> None:
    world = GridWorld(ROOM, slip=0.1)
    pomdp = world.pomdp([(1, 3)], [(3, 1)], discount=0.9)
    plan = belief_value_iteration(pomdp)
    mdp = pomdp.fully_observed()
    vi = value_iteration(mdp.transitions, mdp.rewards, mdp.discount)
    assert plan.values[0] == pytest.approx(float(pomdp.initial @ vi.values), abs=1e-8)
    # A known position in each cell but the goal (left at once), and done.
    assert plan.n_beliefs == world.n_cells


def test_hidden_goals_cost_value_and_many_more_beliefs() -> None:
    world = GridWorld(ROOM)
    goals = [(1, 1), (1, 3), (3, 3)]
    counts, values = [], []
    for k in (1, 2, 3):
        pomdp = world.pomdp(goals[:k], [(3, 1)], discount=0.9)
        plan = belief_value_iteration(pomdp)
        mdp = pomdp.fully_observed()
        informed = float(pomdp.initial @ value_iteration(mdp.transitions, mdp.rewards, 0.9).values)
        assert plan.values[0] <= informed + 1e-9  # knowing the goal never hurts
        counts.append(plan.n_beliefs)
        values.append(plan.values[0])
        assert plan.backups == plan.iterations * plan.n_beliefs * 4
    assert counts[0] < counts[1] < counts[2]
    assert values[0] > values[1] > values[2]


def test_belief_value_iteration_matches_finite_horizon_recursion_on_tiger() -> None:
    """An independent finite-horizon recursion over actions and observations from the
    initial belief converges to the value of the enumerated belief MDP."""
    pomdp = tiger(discount=0.5)
    memo: dict[tuple[tuple[float, ...], int], float] = {}

    def best(belief: np.ndarray, horizon: int) -> float:
        key = (tuple(np.round(belief, 12)), horizon)
        if horizon == 0:
            return 0.0
        if key not in memo:
            values = []
            for a in range(3):
                total = float(belief @ pomdp.rewards[:, a])
                for z in range(2):
                    joint = (belief @ pomdp.transitions[:, a, :]) * pomdp.observations[a, :, z]
                    if joint.sum() > 0:
                        total += (
                            pomdp.discount * joint.sum() * best(joint / joint.sum(), horizon - 1)
                        )
                values.append(total)
            memo[key] = max(values)
        return memo[key]

    plan = belief_value_iteration(pomdp)
    # Rewards are at most 100 and the discount is 0.5: 40 steps leave < 1e-9 unplanned.
    assert plan.values[0] == pytest.approx(best(pomdp.initial, 40), abs=1e-6)
    assert plan.values[0] > -1 / (1 - 0.5)  # better than listening forever
    with pytest.raises(ValueError, match="max_beliefs"):
        belief_value_iteration(pomdp, max_beliefs=5)


def test_belief_plan_lookups() -> None:
    pomdp = GridWorld(ROOM).pomdp([(1, 1), (1, 3)], [(3, 1)], discount=0.9)
    plan = belief_value_iteration(pomdp)
    assert isinstance(plan, BeliefPlan)
    assert plan.find(pomdp.initial) == 0
    a = int(plan.policy[0])
    z = plan.successors[0][a][0][0]
    j = plan.next_index(0, a, z)
    assert np.allclose(plan.beliefs[j], belief_update(pomdp, pomdp.initial, a, z)[0])
    with pytest.raises(ValueError, match="reachable"):
        plan.find(np.full(pomdp.n_states, 1.0 / pomdp.n_states))
    with pytest.raises(ValueError, match="cannot follow"):
        plan.next_index(0, a, pomdp.n_observations - 1)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"tol": 0.0}, ValueError, "tol"),
        ({"max_beliefs": 0}, ValueError, "max_beliefs"),
        ({"decimals": 0}, ValueError, "decimals"),
        ({"max_iterations": 1.5}, TypeError, "max_iterations"),
    ],
)
def test_belief_value_iteration_rejects_bad_input(kwargs, error, fragment) -> None:
    pomdp = GridWorld(ROOM).pomdp([(1, 1)], [(3, 3)])
    with pytest.raises(error) as info:
        belief_value_iteration(pomdp, **kwargs)
    assert fragment in str(info.value)
    with pytest.raises(TypeError, match="POMDP"):
        belief_value_iteration(pomdp.fully_observed())


# --- model-predictive control ----------------------------------------------------------------


@pytest.mark.parametrize("planner", ["shooting", "cem"])
def test_model_predictive_control_replans_every_step(planner: str) -> None:
    env = PointMass(2)
    start = np.array([1.0, -1.0, 0.0, 0.0])
    kwargs = dict(
        planner=planner,
        horizon=5,
        samples=50,
        action_low=env.action_low,
        action_high=env.action_high,
    )
    result = model_predictive_control(
        env.step, env.reward, start, 20, rng=np.random.default_rng(0), **kwargs
    )
    again = model_predictive_control(
        env.step, env.reward, start, 20, rng=np.random.default_rng(0), **kwargs
    )
    idle = run_episode(env.step, env.reward, lambda s: np.zeros(2), start, 20)
    assert result.total == again.total  # seeded: the same episode
    assert result.total > idle.total
    assert result.states.shape == (21, 4) and result.actions.shape == (20, 2)
    per_step = 5 * 50 * (3 if planner == "cem" else 1)
    assert np.all(result.evaluations == per_step)


def test_model_predictive_control_rejects_bad_input() -> None:
    env = PointMass(1)
    kwargs = dict(
        horizon=3,
        samples=10,
        rng=np.random.default_rng(0),
        action_low=env.action_low,
        action_high=env.action_high,
    )
    with pytest.raises(ValueError, match="planner"):
        model_predictive_control(env.step, env.reward, np.zeros(2), 5, planner="grid", **kwargs)
    with pytest.raises(ValueError, match="samples"):
        model_predictive_control(
            env.step, env.reward, np.zeros(2), 5, planner="cem", **{**kwargs, "samples": 0}
        )
    with pytest.raises(ValueError, match="elites"):
        model_predictive_control(
            env.step, env.reward, np.zeros(2), 5, planner="cem", elites=20, **kwargs
        )
    with pytest.raises(ValueError, match="steps"):
        model_predictive_control(env.step, env.reward, np.zeros(2), 0, planner="cem", **kwargs)
