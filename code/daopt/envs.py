"""Environments with a known model, for the planners of ``daopt.planning``.

- ``MDP`` and ``POMDP``: finite models as arrays, checked on construction.
- ``GridWorld``: a maze of free cells and walls, deterministic or slippery,
  that writes out its ``MDP``, or a ``POMDP`` in which the goal (among a few
  candidate cells) and the start (among a few start cells) are hidden and the
  agent observes either its cell or only the walls around it.
- ``PointMass``: a point mass in d dimensions pushed by a bounded force,
  stepped for a whole batch of states at once so that a planner can try many
  candidate action sequences in one call.

Shapes: transitions (S, A, S) with ``transitions[s, a, s2] = P(s2 | s, a)``;
rewards (S, A) or (S, A, S); observations (A, S, Z) with
``observations[a, s2, z] = P(z | s2, a)``; beliefs and the initial
distribution (S,).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from daopt.validation import (
    as_array,
    as_matrix,
    as_vector,
    discount_factor,
    generator,
    index_below,
    is_integer,
    positive_float,
    positive_int,
    probability,
)

__all__ = ["ACTIONS", "MDP", "POMDP", "GridWorld", "PointMass"]

#: Grid actions, in order: the (row, col) step of each.
ACTIONS = {"north": (-1, 0), "east": (0, 1), "south": (1, 0), "west": (0, -1)}
_STEPS = tuple(ACTIONS.values())
_OBSERVE = ("position", "walls")


def _stochastic(name: str, array: np.ndarray, axis: int) -> None:
    """Raise unless ``array`` holds probabilities summing to 1 along ``axis``."""
    if np.any(array < 0):
        raise ValueError(f"{name} must be non-negative probabilities")
    sums = array.sum(axis=axis)
    if not np.allclose(sums, 1.0, atol=1e-9):
        bad = np.unravel_index(int(np.argmax(np.abs(sums - 1.0))), sums.shape)
        raise ValueError(
            f"{name} must sum to 1 over axis {axis}; at index {tuple(int(i) for i in bad)} "
            f"it sums to {sums[bad]:.6g}"
        )


def check_model(transitions: Any, rewards: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a finite model: transitions (S, A, S) and rewards (S, A) or (S, A, S).

    Returns both as float arrays, rewards reduced to the expected reward (S, A).
    """
    p = as_array("transitions", transitions, ndim=3)
    n_states, n_actions, n_next = p.shape
    if n_states == 0 or n_actions == 0 or n_next != n_states:
        raise ValueError(f"transitions must have shape (S, A, S) with S, A >= 1, got {p.shape}")
    _stochastic("transitions", p, axis=2)
    r = as_array("rewards", rewards)
    if r.shape == (n_states, n_actions, n_states):
        r = np.einsum("sat,sat->sa", p, r)
    elif r.shape != (n_states, n_actions):
        raise ValueError(
            f"rewards must have shape (S, A) = {(n_states, n_actions)} or (S, A, S), got {r.shape}"
        )
    return p, r


def _frozen(array: np.ndarray) -> np.ndarray:
    """A read-only copy: a validated model cannot change behind its checks."""
    copy = np.array(array, dtype=float)
    copy.setflags(write=False)
    return copy


class _FiniteModel:
    """The sizes every finite model reads off its ``transitions`` (S, A, S)."""

    transitions: np.ndarray

    @property
    def n_states(self) -> int:
        return self.transitions.shape[0]

    @property
    def n_actions(self) -> int:
        return self.transitions.shape[1]


@dataclass(frozen=True)
class MDP(_FiniteModel):
    """A finite Markov decision process: ``transitions`` (S, A, S), expected
    ``rewards`` (S, A) (an (S, A, S) array is reduced on construction) and a
    ``discount`` in [0, 1)."""

    transitions: np.ndarray
    rewards: np.ndarray
    discount: float

    def __post_init__(self) -> None:
        p, r = check_model(self.transitions, self.rewards)
        object.__setattr__(self, "transitions", _frozen(p))
        object.__setattr__(self, "rewards", _frozen(r))
        object.__setattr__(self, "discount", discount_factor(self.discount))


@dataclass(frozen=True)
class POMDP(_FiniteModel):
    """A finite partially observable MDP.

    ``transitions`` (S, A, S), expected ``rewards`` (S, A), ``observations``
    (A, S, Z) with ``observations[a, s2, z]`` the probability of seeing ``z``
    on arriving in ``s2`` by action ``a``, ``initial`` (S,) the distribution of
    the first state, and ``discount`` in [0, 1).
    """

    transitions: np.ndarray
    rewards: np.ndarray
    observations: np.ndarray
    initial: np.ndarray
    discount: float

    def __post_init__(self) -> None:
        p, r = check_model(self.transitions, self.rewards)
        o = as_array("observations", self.observations, ndim=3)
        n_states, n_actions = r.shape
        if o.shape[:2] != (n_actions, n_states) or o.shape[2] == 0:
            raise ValueError(
                f"observations must have shape (A, S, Z) = ({n_actions}, {n_states}, Z), "
                f"got {o.shape}"
            )
        _stochastic("observations", o, axis=2)
        b0 = as_array("initial", self.initial, ndim=1)
        if b0.shape != (n_states,):
            raise ValueError(f"initial must have shape ({n_states},), got {b0.shape}")
        _stochastic("initial", b0, axis=0)
        for name, value in (("transitions", p), ("rewards", r), ("observations", o)):
            object.__setattr__(self, name, _frozen(value))
        object.__setattr__(self, "initial", _frozen(b0))
        object.__setattr__(self, "discount", discount_factor(self.discount))

    @property
    def n_observations(self) -> int:
        return self.observations.shape[2]

    def fully_observed(self) -> MDP:
        """The same problem with the state shown to the agent: its MDP."""
        return MDP(self.transitions, self.rewards, self.discount)

    def sample_step(
        self, state: int, action: int, rng: np.random.Generator
    ) -> tuple[int, float, int]:
        """One simulated step: (next state, expected reward of (state, action), observation)."""
        state = index_below("state", state, self.n_states)
        action = index_below("action", action, self.n_actions)
        generator("rng", rng)
        following = int(rng.choice(self.n_states, p=self.transitions[state, action]))
        seen = int(rng.choice(self.n_observations, p=self.observations[action, following]))
        return following, float(self.rewards[state, action]), seen


# --- grid worlds ------------------------------------------------------------------


class GridWorld:
    """A maze from a text layout: ``#`` walls, anything else a free cell.

    ``layout`` is a list of equal-length rows (or one string with newlines);
    cells outside the layout count as walls. Actions are north, east, south
    and west (0-3); a move into a wall leaves the agent where it is. With
    probability ``slip`` the agent slips to one of the two perpendicular
    directions instead (half each). States are the free cells, numbered row
    by row; ``cells[i]`` is the (row, col) of state ``i``.
    """

    def __init__(self, layout: str | Sequence[str], *, slip: float = 0.0) -> None:
        if isinstance(layout, str):
            rows = [line for line in layout.strip("\n").split("\n")]
        elif isinstance(layout, Sequence) and all(isinstance(r, str) for r in layout):
            rows = list(layout)
        else:
            raise TypeError(f"layout must be a string or a list of strings, got {layout!r}")
        if not rows or any(len(r) != len(rows[0]) for r in rows) or not rows[0]:
            raise ValueError(f"layout must be non-empty rows of equal length, got {rows!r}")
        self.layout = tuple(rows)
        self.slip = probability("slip", slip)
        self.cells = tuple(
            (r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch != "#"
        )
        if not self.cells:
            raise ValueError("layout has no free cell")
        self._index = {cell: i for i, cell in enumerate(self.cells)}
        n = len(self.cells)
        # moves[i, a]: where a successful move in direction a from cell i lands.
        self.moves = np.empty((n, 4), dtype=np.int64)
        for i, (r, c) in enumerate(self.cells):
            for a, (dr, dc) in enumerate(_STEPS):
                self.moves[i, a] = self._index.get((r + dr, c + dc), i)
        # walls[i]: 4 bits, bit a set when direction a is blocked.
        self.walls = np.array(
            [sum(1 << a for a in range(4) if self.moves[i, a] == i) for i in range(n)],
            dtype=np.int64,
        )

    def __repr__(self) -> str:
        return f"GridWorld({len(self.cells)} free cells, slip={self.slip})"

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    def index(self, cell: Any) -> int:
        """The state number of a free ``(row, col)`` cell."""
        if not isinstance(cell, tuple) or len(cell) != 2 or not all(is_integer(v) for v in cell):
            raise TypeError(f"cell must be a (row, col) pair of ints, got {cell!r}")
        if cell not in self._index:
            raise ValueError(f"cell {cell} is a wall or outside the layout")
        return self._index[cell]

    def _cells(self, name: str, cells: Any) -> list[int]:
        if isinstance(cells, tuple) and len(cells) == 2 and isinstance(cells[0], numbers.Integral):
            cells = [cells]
        if isinstance(cells, (str, bytes)) or not isinstance(cells, Sequence) or not cells:
            raise TypeError(f"{name} must be a non-empty list of (row, col) cells, got {cells!r}")
        out = [self.index(tuple(c) if isinstance(c, list) else c) for c in cells]
        if len(set(out)) != len(out):
            raise ValueError(f"{name} must not repeat a cell, got {cells!r}")
        return out

    def cell_transitions(self) -> np.ndarray:
        """P(next cell | cell, action), shape (n_cells, 4, n_cells), slips included."""
        n = self.n_cells
        p = np.zeros((n, 4, n))
        rows = np.arange(n)
        for a in range(4):
            p[rows, a, self.moves[:, a]] += 1.0 - self.slip
            for side in ((a + 1) % 4, (a + 3) % 4):
                p[rows, a, self.moves[:, side]] += self.slip / 2
        return p

    def mdp(self, goal: Any, *, discount: float = 0.95) -> MDP:
        """The MDP of reaching ``goal``: reward 1 on arriving, then nothing more.

        States are the cells plus one absorbing state (the last, ``n_cells``)
        entered on arrival, so the reward is collected once.
        """
        pomdp = self.pomdp(goals=[goal], starts=[goal], discount=discount)
        return pomdp.fully_observed()

    def pomdp(
        self,
        goals: Any,
        starts: Any,
        *,
        observe: str = "position",
        discount: float = 0.95,
    ) -> POMDP:
        """Find a hidden goal: one of ``goals`` (uniformly), from one of ``starts``.

        Hidden states are (cell, goal) pairs, state ``g * n_cells + i`` for cell
        ``i`` and goal ``g``, plus a last absorbing state reached with reward 1
        on arriving at the true goal. The agent observes its cell
        (``observe="position"``, Z = n_cells + 1) or only the 4 walls around it,
        as a number 0-15 (``observe="walls"``, Z = 17); the last observation
        says the goal was reached. With k goals and one start the hidden part
        is the goal alone; with several starts the agent must also find where
        it is.

        Args:
            goals: the candidate goal cells (row, col), equally likely.
            starts: the start cells, equally likely.
            observe: "position" or "walls".
            discount: in [0, 1).
        """
        goal_cells = self._cells("goals", goals)
        start_cells = self._cells("starts", starts)
        if observe not in _OBSERVE:
            raise ValueError(f"observe must be one of {_OBSERVE}, got {observe!r}")
        n, k = self.n_cells, len(goal_cells)
        done = n * k
        size = done + 1
        cell_p = self.cell_transitions()
        p = np.zeros((size, 4, size))
        r = np.zeros((size, 4))
        for g, goal in enumerate(goal_cells):
            block = slice(g * n, (g + 1) * n)
            p[block, :, block] = cell_p
            # Arriving at the goal moves to the absorbing state instead.
            arrive = cell_p[:, :, goal]
            p[block, :, g * n + goal] = 0.0
            p[block, :, done] = arrive
            r[block, :] = arrive
            # The goal cell itself is never occupied: it is left at once.
            p[g * n + goal] = 0.0
            p[g * n + goal, :, done] = 1.0
            r[g * n + goal] = 0.0
        p[done, :, done] = 1.0
        if observe == "position":
            n_obs = n + 1
            seen = np.concatenate([np.tile(np.arange(n), k), [n]])
        else:
            n_obs = 17
            seen = np.concatenate([np.tile(self.walls, k), [16]])
        o = np.zeros((4, size, n_obs))
        o[:, np.arange(size), seen] = 1.0
        b0 = np.zeros(size)
        for g in range(k):
            for s in start_cells:
                b0[g * n + s] += 1.0
        b0 /= b0.sum()
        return POMDP(p, r, o, b0, discount)


# --- continuous control -------------------------------------------------------------


class PointMass:
    """A unit point mass in ``dim`` dimensions, pushed towards a goal by a bounded force.

    State (2 dim,): position then velocity. Action (dim,): a force, clipped to
    [-max_force, max_force] in each coordinate. One step of length ``dt``
    (semi-implicit Euler): ``v' = v + dt * a``, ``x' = x + dt * v'``. Reward of
    taking action ``a`` in state ``(x, v)``: ``-(|x - goal|^2 + action_cost |a|^2)``.
    Every method takes a batch: states (n, 2 dim), actions (n, dim).
    """

    def __init__(
        self,
        dim: int,
        *,
        dt: float = 0.1,
        max_force: float = 1.0,
        action_cost: float = 0.01,
        goal: Any = None,
    ) -> None:
        self.dim = positive_int("dim", dim)
        self.dt = positive_float("dt", dt)
        self.max_force = positive_float("max_force", max_force)
        self.action_cost = positive_float("action_cost", action_cost, allow_zero=True)
        # A frozen copy: editing the caller's array later must not move a validated goal.
        if goal is None:
            self.goal = _frozen(np.zeros(self.dim))
        else:
            self.goal = _frozen(as_vector("goal", goal, length=self.dim))

    def __repr__(self) -> str:
        return f"PointMass(dim={self.dim}, dt={self.dt}, max_force={self.max_force})"

    @property
    def state_dim(self) -> int:
        return 2 * self.dim

    @property
    def action_low(self) -> np.ndarray:
        return np.full(self.dim, -self.max_force)

    @property
    def action_high(self) -> np.ndarray:
        return np.full(self.dim, self.max_force)

    def _batch(self, states: Any, actions: Any) -> tuple[np.ndarray, np.ndarray]:
        s = as_matrix("states", states, columns=self.state_dim)
        a = as_matrix("actions", actions, columns=self.dim)
        if s.shape[0] != a.shape[0]:
            raise ValueError(
                f"states and actions must have the same number of rows, got {s.shape[0]} "
                f"and {a.shape[0]}"
            )
        return s, a

    def step(self, states: Any, actions: Any) -> np.ndarray:
        """Next states (n, 2 dim) after ``actions`` (n, dim), clipped to the force bound."""
        s, a = self._batch(states, actions)
        return self._step(s, a)

    def _step(self, s: np.ndarray, a: np.ndarray) -> np.ndarray:
        a = np.clip(a, -self.max_force, self.max_force)
        velocity = s[:, self.dim :] + self.dt * a
        position = s[:, : self.dim] + self.dt * velocity
        return np.concatenate([position, velocity], axis=1)

    def reward(self, states: Any, actions: Any) -> np.ndarray:
        """Rewards (n,) of taking ``actions`` (n, dim) in ``states`` (n, 2 dim)."""
        s, a = self._batch(states, actions)
        return self._reward(s, a)

    def _reward(self, s: np.ndarray, a: np.ndarray) -> np.ndarray:
        a = np.clip(a, -self.max_force, self.max_force)
        distance = np.sum((s[:, : self.dim] - self.goal) ** 2, axis=1)
        return -(distance + self.action_cost * np.sum(a**2, axis=1))

    def initial_states(
        self, n: int, rng: np.random.Generator, *, spread: float = 1.0
    ) -> np.ndarray:
        """``n`` start states (n, 2 dim): positions uniform in goal +- spread, at rest."""
        n = positive_int("n", n)
        generator("rng", rng)
        spread = positive_float("spread", spread)
        position = self.goal + rng.uniform(-spread, spread, size=(n, self.dim))
        return np.concatenate([position, np.zeros((n, self.dim))], axis=1)

    def linear_model(self) -> tuple[np.ndarray, np.ndarray]:
        """(A (2 dim, 2 dim), B (2 dim, dim)) with ``step(s, a) = s A^T + a B^T`` inside
        the force bound: the model a linear-quadratic regulator needs."""
        d, dt = self.dim, self.dt
        eye = np.eye(d)
        a_matrix = np.block([[eye, dt * eye], [np.zeros((d, d)), eye]])
        b_matrix = np.vstack([dt * dt * eye, dt * eye])
        return a_matrix, b_matrix
