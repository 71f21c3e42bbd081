"""daopt.envs: finite models, grid worlds and the point mass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt.envs import MDP, POMDP, GridWorld, PointMass, check_model

CORRIDOR = ["#####", "#...#", "#####"]
ROOM = """
#####
#...#
#.#.#
#...#
#####
"""


def test_check_model_reduces_three_index_rewards() -> None:
    p = np.array([[[0.5, 0.5]], [[0.0, 1.0]]])  # (2, 1, 2)
    r3 = np.array([[[2.0, 4.0]], [[0.0, 1.0]]])
    _, r = check_model(p, r3)
    assert r.shape == (2, 1)
    assert r[0, 0] == pytest.approx(3.0) and r[1, 0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("transitions", "rewards", "error", "fragment"),
    [
        ("P", np.zeros((1, 1)), TypeError, "transitions"),
        (np.ones((1, 1)), np.zeros((1, 1)), ValueError, "3 dimensions"),
        (np.ones((2, 1, 3)) / 3, np.zeros((2, 1)), ValueError, "(S, A, S)"),
        (np.array([[[0.5, 0.4]], [[1.0, 0.0]]]), np.zeros((2, 1)), ValueError, "sum to 1"),
        (np.array([[[1.5, -0.5]], [[1.0, 0.0]]]), np.zeros((2, 1)), ValueError, "non-negative"),
        (np.ones((1, 1, 1)), np.zeros((2, 2)), ValueError, "rewards must have shape"),
        (np.ones((1, 1, 1)), None, TypeError, "rewards"),
        (np.ones((1, 1, 1)), [[np.nan]], ValueError, "finite"),
    ],
)
def test_check_model_rejects_bad_models(transitions, rewards, error, fragment) -> None:
    with pytest.raises(error) as info:
        check_model(transitions, rewards)
    assert fragment in str(info.value)


def test_mdp_validates_discount_and_exposes_sizes() -> None:
    mdp = MDP(np.ones((3, 2, 3)) / 3, np.zeros((3, 2)), 0.9)
    assert (mdp.n_states, mdp.n_actions) == (3, 2)
    for bad in (1.0, -0.1, 2):
        with pytest.raises(ValueError, match="discount"):
            MDP(np.ones((1, 1, 1)), np.zeros((1, 1)), bad)
    with pytest.raises(TypeError, match="discount"):
        MDP(np.ones((1, 1, 1)), np.zeros((1, 1)), "0.9")


def test_pomdp_validates_observations_and_initial() -> None:
    p, r = np.ones((2, 1, 2)) / 2, np.zeros((2, 1))
    o = np.ones((1, 2, 3)) / 3
    pomdp = POMDP(p, r, o, np.array([0.25, 0.75]), 0.5)
    assert pomdp.n_observations == 3
    with pytest.raises(ValueError, match="observations must have shape"):
        POMDP(p, r, np.ones((2, 2, 3)) / 3, np.array([0.5, 0.5]), 0.5)
    with pytest.raises(ValueError, match="sum to 1"):
        POMDP(p, r, np.ones((1, 2, 3)), np.array([0.5, 0.5]), 0.5)
    with pytest.raises(ValueError, match="initial must have shape"):
        POMDP(p, r, o, np.array([1.0]), 0.5)
    with pytest.raises(ValueError, match="sum to 1"):
        POMDP(p, r, o, np.array([0.5, 0.6]), 0.5)
    with pytest.raises(TypeError, match="initial"):
        POMDP(p, r, o, "b0", 0.5)


def test_sample_step_follows_the_model_and_checks_its_arguments() -> None:
    world = GridWorld(CORRIDOR)
    pomdp = world.pomdp(goals=[(1, 3)], starts=[(1, 1)])
    rng = np.random.default_rng(0)
    following, reward, seen = pomdp.sample_step(0, 1, rng)  # east from (1, 1)
    assert following == 1 and reward == 0.0 and seen == 1
    following, reward, seen = pomdp.sample_step(1, 1, rng)  # east onto the goal
    assert following == pomdp.n_states - 1 and reward == 1.0 and seen == world.n_cells
    with pytest.raises(ValueError, match="state must be in"):
        pomdp.sample_step(99, 0, rng)
    with pytest.raises(TypeError, match="action must be an int"):
        pomdp.sample_step(0, 1.0, rng)
    with pytest.raises(TypeError, match="Generator"):
        pomdp.sample_step(0, 0, 42)


def test_grid_layout_cells_moves_and_walls() -> None:
    world = GridWorld(ROOM)
    assert world.n_cells == 8
    assert world.cells[0] == (1, 1) and world.index((3, 3)) == 7
    east = world.moves[world.index((1, 1)), 1]
    assert world.cells[east] == (1, 2)
    # (1, 1) has walls to the north and west: bits 0 and 3.
    assert world.walls[world.index((1, 1))] == 0b1001
    # (1, 2) sits above the central wall: north and south blocked.
    assert world.walls[world.index((1, 2))] == 0b0101


@pytest.mark.parametrize(
    ("layout", "error", "fragment"),
    [
        (42, TypeError, "layout"),
        ([], ValueError, "non-empty"),
        (["##", "#"], ValueError, "equal length"),
        (["###"], ValueError, "no free cell"),
        ([1, 2], TypeError, "layout"),
    ],
)
def test_grid_rejects_bad_layouts(layout, error, fragment) -> None:
    with pytest.raises(error) as info:
        GridWorld(layout)
    assert fragment in str(info.value)


@pytest.mark.parametrize("slip", [-0.1, 1.5])
def test_grid_rejects_bad_slip(slip) -> None:
    with pytest.raises(ValueError, match="slip"):
        GridWorld(CORRIDOR, slip=slip)


def test_grid_index_rejects_walls_and_non_cells() -> None:
    world = GridWorld(CORRIDOR)
    with pytest.raises(ValueError, match="wall"):
        world.index((0, 0))
    with pytest.raises(TypeError, match="cell"):
        world.index([1, 1])
    with pytest.raises(TypeError, match="cell"):
        world.index((1.0, 1))


@settings(max_examples=30, deadline=None)
@given(slip=st.floats(0.0, 1.0))
def test_slippery_transitions_are_distributions(slip: float) -> None:
    world = GridWorld(ROOM, slip=slip)
    p = world.cell_transitions()
    assert np.allclose(p.sum(axis=2), 1.0)
    # The intended move gets at least 1 - slip of the mass.
    rows = np.arange(world.n_cells)
    for a in range(4):
        assert np.all(p[rows, a, world.moves[:, a]] >= 1 - slip - 1e-12)


def test_mdp_of_a_corridor_is_absorbing_at_the_goal() -> None:
    mdp = GridWorld(CORRIDOR).mdp((1, 3), discount=0.9)
    assert mdp.n_states == 4  # three cells and the absorbing state
    assert mdp.rewards[1, 1] == 1.0  # east from the middle arrives
    assert mdp.rewards[0, 1] == 0.0
    assert np.all(mdp.transitions[3, :, 3] == 1.0)
    with pytest.raises(ValueError, match="wall"):
        GridWorld(CORRIDOR).mdp((0, 0))


def test_hidden_goal_pomdp_shapes_and_observations() -> None:
    world = GridWorld(ROOM, slip=0.2)
    goals, starts = [(1, 1), (3, 3), (1, 3)], [(3, 1)]
    for observe, n_obs in (("position", world.n_cells + 1), ("walls", 17)):
        pomdp = world.pomdp(goals, starts, observe=observe, discount=0.9)
        n = world.n_cells * len(goals) + 1
        assert pomdp.transitions.shape == (n, 4, n)
        assert pomdp.observations.shape == (4, n, n_obs)
        assert pomdp.initial.sum() == pytest.approx(1.0)
        # One start, three goals: the initial belief is uniform over three states.
        assert np.count_nonzero(pomdp.initial) == 3
        # Everyone observes the same thing in the same cell, whatever the goal.
        cell = world.index((3, 1))
        seen = [np.argmax(pomdp.observations[0, g * world.n_cells + cell]) for g in range(3)]
        assert len(set(seen)) == 1
        assert np.argmax(pomdp.observations[0, n - 1]) == n_obs - 1


def test_pomdp_rejects_bad_goals_starts_and_observe() -> None:
    world = GridWorld(ROOM)
    with pytest.raises(ValueError, match="observe"):
        world.pomdp([(1, 1)], [(3, 3)], observe="smell")
    with pytest.raises(TypeError, match="goals"):
        world.pomdp([], [(3, 3)])
    with pytest.raises(ValueError, match="repeat"):
        world.pomdp([(1, 1), (1, 1)], [(3, 3)])
    with pytest.raises(ValueError, match="wall"):
        world.pomdp([(1, 1)], [(2, 2)])
    with pytest.raises(TypeError, match="starts"):
        world.pomdp([(1, 1)], "start")


def test_a_single_cell_start_or_goal_can_be_given_bare() -> None:
    world = GridWorld(ROOM)
    assert world.pomdp((1, 1), (3, 3)).n_states == world.n_cells + 1


# --- the point mass ------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(dim=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_point_mass_step_is_its_linear_model_inside_the_bound(dim: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    env = PointMass(dim, dt=0.2, max_force=2.0)
    states = rng.normal(size=(5, 2 * dim))
    actions = rng.uniform(-2.0, 2.0, size=(5, dim))
    a_matrix, b_matrix = env.linear_model()
    assert np.allclose(env.step(states, actions), states @ a_matrix.T + actions @ b_matrix.T)


def test_point_mass_clips_forces_and_scores_distance_and_effort() -> None:
    env = PointMass(2, dt=1.0, max_force=1.0, action_cost=0.5, goal=[1.0, 0.0])
    state = np.array([[0.0, 0.0, 0.0, 0.0]])
    big = np.array([[5.0, -5.0]])
    assert np.allclose(env.step(state, big), [[1.0, -1.0, 1.0, -1.0]])
    # Distance 1 to the goal, clipped force of squared norm 2, costing 0.5 each.
    assert env.reward(state, big)[0] == pytest.approx(-(1.0 + 0.5 * 2.0))
    assert env.state_dim == 4
    assert np.all(env.action_low == -1.0) and np.all(env.action_high == 1.0)


def test_point_mass_initial_states_are_at_rest_near_the_goal() -> None:
    env = PointMass(3, goal=[5.0, 5.0, 5.0])
    states = env.initial_states(50, np.random.default_rng(1), spread=0.5)
    assert states.shape == (50, 6)
    assert np.all(np.abs(states[:, :3] - 5.0) <= 0.5)
    assert np.all(states[:, 3:] == 0.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"dim": 0}, ValueError, "dim"),
        ({"dim": 2.5}, TypeError, "dim"),
        ({"dim": 1, "dt": 0.0}, ValueError, "dt"),
        ({"dim": 1, "max_force": -1.0}, ValueError, "max_force"),
        ({"dim": 1, "action_cost": -1.0}, ValueError, "action_cost"),
        ({"dim": 2, "goal": [1.0]}, ValueError, "goal"),
    ],
)
def test_point_mass_rejects_bad_settings(kwargs, error, fragment) -> None:
    with pytest.raises(error) as info:
        PointMass(**kwargs)
    assert fragment in str(info.value)


def test_point_mass_rejects_bad_batches() -> None:
    env = PointMass(2)
    with pytest.raises(ValueError, match="columns"):
        env.step(np.zeros((3, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="same number of rows"):
        env.reward(np.zeros((3, 4)), np.zeros((2, 2)))
    with pytest.raises(TypeError, match="actions"):
        env.step(np.zeros((1, 4)), "push")
    with pytest.raises(TypeError, match="Generator"):
        env.initial_states(3, 0)
    with pytest.raises(ValueError, match="n must be"):
        env.initial_states(0, np.random.default_rng(0))


def test_a_validated_model_keeps_its_own_frozen_arrays() -> None:
    """Issue: MDP kept the caller's arrays, so a later edit changed a validated model."""
    transitions = np.full((2, 1, 2), 0.5)
    rewards = np.zeros((2, 1))
    mdp = MDP(transitions, rewards, 0.9)
    transitions[0, 0] = [2.0, -1.0]  # no longer a distribution
    assert np.allclose(mdp.transitions[0, 0], 0.5)
    with pytest.raises(ValueError, match="read-only"):
        mdp.rewards[0, 0] = 1.0
