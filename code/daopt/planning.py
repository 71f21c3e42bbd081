"""Planning with a known model: direct optimisation of a sequence of decisions.

- ``value_iteration`` and ``policy_evaluation`` for finite MDPs, counting
  Bellman backups (the compute).
- ``random_shooting`` and ``cem`` (the cross-entropy method): planners for
  continuous control that score candidate action sequences on the model and
  return the first action, counting model evaluations; ``cem_update`` is one
  step of the cross-entropy method on its own.
- ``lqr_gain``: the optimal linear feedback of a linear model with quadratic
  cost (a reference controller).
- ``run_episode``: run any policy on a model; ``model_predictive_control``:
  replan with a planner at every step.
- ``belief_update`` and ``belief_value_iteration``: exact planning in a POMDP
  over the beliefs reachable from its initial distribution.

Shapes: transitions (S, A, S), rewards (S, A) or (S, A, S); continuous states
(n, s) and actions (n, d) in batches, action sequences (n, H, d).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from daopt.envs import POMDP, check_model
from daopt.validation import (
    as_matrix,
    as_vector,
    discount_factor,
    generator,
    index_below,
    positive_float,
    positive_int,
)

__all__ = [
    "BeliefPlan",
    "EpisodeResult",
    "MPCResult",
    "PlanResult",
    "ValueIterationResult",
    "belief_update",
    "belief_value_iteration",
    "cem",
    "cem_update",
    "lqr_gain",
    "model_predictive_control",
    "policy_evaluation",
    "random_shooting",
    "rollout_returns",
    "run_episode",
    "value_iteration",
]

#: ``dynamics(states (n, s), actions (n, d)) -> next states (n, s)``
Dynamics = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: ``reward(states (n, s), actions (n, d)) -> rewards (n,)``
Reward = Callable[[np.ndarray, np.ndarray], np.ndarray]


# --- finite MDPs ----------------------------------------------------------------------


@dataclass(frozen=True)
class ValueIterationResult:
    """Optimal ``values`` (S,), a greedy ``policy`` (S,) and action values ``q`` (S, A);
    ``iterations`` sweeps, ``backups`` = iterations x S x A state-action backups."""

    values: np.ndarray
    policy: np.ndarray
    q: np.ndarray
    iterations: int
    backups: int
    converged: bool


def value_iteration(
    transitions: Any,
    rewards: Any,
    discount: float,
    *,
    tol: float = 1e-10,
    max_iterations: int = 100_000,
) -> ValueIterationResult:
    """Repeat ``V <- max_a [R(s, a) + discount * sum_s2 P(s2 | s, a) V(s2)]`` from V = 0
    until no value moves by more than ``tol`` (or ``max_iterations`` sweeps).

    ``transitions`` (S, A, S), ``rewards`` (S, A) or (S, A, S). Ties in the greedy
    policy go to the lowest action.

    Args:
        transitions: P(s2 | s, a), shape (S, A, S).
        rewards: R(s, a), shape (S, A), or R(s, a, s2), shape (S, A, S).
        discount: in [0, 1).
        tol: stop once no value moves by more than this.
        max_iterations: stop after this many sweeps.
    """
    p, r = check_model(transitions, rewards)
    discount = discount_factor(discount)
    tol = positive_float("tol", tol)
    max_iterations = positive_int("max_iterations", max_iterations)
    n_states, n_actions = r.shape
    values = np.zeros(n_states)
    q = r.copy()
    converged = False
    iterations = 0
    while iterations < max_iterations:
        q = r + discount * p @ values
        new = q.max(axis=1)
        iterations += 1
        change = float(np.max(np.abs(new - values)))
        values = new
        if change <= tol:
            converged = True
            break
    q = r + discount * p @ values
    return ValueIterationResult(
        values=values,
        policy=np.argmax(q, axis=1),
        q=q,
        iterations=iterations,
        backups=iterations * n_states * n_actions,
        converged=converged,
    )


def policy_evaluation(transitions: Any, rewards: Any, discount: float, policy: Any) -> np.ndarray:
    """The exact values (S,) of a deterministic ``policy`` (S,) of action ints, by solving
    ``V = R_pi + discount * P_pi V``.

    Args:
        transitions: P(s2 | s, a), shape (S, A, S).
        rewards: R(s, a), shape (S, A), or (S, A, S).
        discount: in [0, 1).
        policy: the action of each state, shape (S,) ints.
    """
    p, r = check_model(transitions, rewards)
    discount = discount_factor(discount)
    n_states, n_actions = r.shape
    if isinstance(policy, (str, bytes)) or policy is None:
        raise TypeError(f"policy must be an array of action ints, got {policy!r}")
    pi = np.asarray(policy)
    if pi.shape != (n_states,):
        raise ValueError(f"policy must have shape ({n_states},), got {pi.shape}")
    if pi.dtype == np.bool_ or not np.issubdtype(pi.dtype, np.integer):
        raise TypeError(f"policy must hold action ints, got dtype {pi.dtype}")
    if np.any((pi < 0) | (pi >= n_actions)):
        raise ValueError(f"policy actions must be in 0..{n_actions - 1}, got {pi}")
    rows = np.arange(n_states)
    return np.linalg.solve(np.eye(n_states) - discount * p[rows, pi], r[rows, pi])


# --- continuous control with a known model -----------------------------------------------


@dataclass(frozen=True)
class PlanResult:
    """A planner's answer: the ``action`` (d,) to take now, the whole ``plan`` (H, d), the
    ``value`` it expects (predicted return) and the model ``evaluations`` it spent (one
    per state-action pair stepped through the model)."""

    action: np.ndarray
    plan: np.ndarray
    value: float
    evaluations: int


def _check_callable(name: str, value: Any) -> None:
    if not callable(value):
        raise TypeError(f"{name} must be a function of (states, actions), got {value!r}")


def _bounds(action_low: Any, action_high: Any) -> tuple[np.ndarray, np.ndarray]:
    low = as_vector("action_low", action_low)
    high = as_vector("action_high", action_high, length=low.shape[0])
    if low.shape[0] == 0:
        raise ValueError("action_low must have at least one entry")
    if np.any(low > high):
        raise ValueError(f"action_low must be <= action_high, got {low} and {high}")
    return low, high


def rollout_returns(dynamics: Dynamics, reward: Reward, state: Any, sequences: Any) -> np.ndarray:
    """Return (n,) of each action sequence in ``sequences`` (n, H, d) from ``state`` (s,):
    the sum of rewards along the model's trajectory. Costs n x H model evaluations.

    Args:
        dynamics: the model, ``dynamics(states (n, s), actions (n, d)) -> (n, s)``.
        reward: ``reward(states (n, s), actions (n, d)) -> (n,)``.
        state: the start, shape (s,).
        sequences: the action sequences, shape (n, H, d).
    """
    _check_callable("dynamics", dynamics)
    _check_callable("reward", reward)
    start = as_vector("state", state)
    seqs = np.asarray(sequences, dtype=float)
    if seqs.ndim != 3 or 0 in seqs.shape:
        raise ValueError(f"sequences must have shape (n, H, d), got {seqs.shape}")
    return _returns(dynamics, reward, start, seqs)


def _returns(dynamics: Dynamics, reward: Reward, start: np.ndarray, seqs: np.ndarray) -> np.ndarray:
    n, horizon, _ = seqs.shape
    states = np.repeat(start[None, :], n, axis=0)
    total = np.zeros(n)
    for t in range(horizon):
        total += _model_output("reward", reward(states, seqs[:, t]), (n,), t)
        states = _model_output("dynamics", dynamics(states, seqs[:, t]), states.shape, t)
    return total


def _model_output(name: str, value: Any, shape: tuple[int, ...], t: int) -> np.ndarray:
    """A model's output checked for its shape and finiteness: a NaN return would win
    (or lose) every comparison, so it must never reach ``argmax`` as a "best plan"."""
    what = "rewards (n,)" if name == "reward" else "next states (n, s)"
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must return {what} as numbers, got {value!r} at step {t}")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must return {what} as numbers, got {value!r}") from error
    if array.shape != shape:
        raise ValueError(
            f"{name}(states, actions) must return {what} of shape {shape} for {shape[0]} "
            f"rows, got shape {array.shape} at step {t}"
        )
    if not np.all(np.isfinite(array)):
        rows = np.flatnonzero(~np.isfinite(array.reshape(shape[0], -1)).all(axis=1))
        raise ValueError(
            f"{name}(states, actions) returned non-finite values (NaN or inf) at step {t}, "
            f"rows {rows[:5].tolist()}: a plan cannot be scored by them"
        )
    return array


def random_shooting(
    dynamics: Dynamics,
    reward: Reward,
    state: Any,
    *,
    horizon: int,
    samples: int,
    rng: np.random.Generator,
    action_low: Any,
    action_high: Any,
) -> PlanResult:
    """Draw ``samples`` action sequences of length ``horizon`` uniformly in the action
    box, score each on the model, and return the best one's first action.

    Spends samples x horizon model evaluations.

    Args:
        dynamics: the model, ``dynamics(states (n, s), actions (n, d)) -> (n, s)``.
        reward: ``reward(states (n, s), actions (n, d)) -> (n,)``.
        state: where to plan from, shape (s,).
        horizon: H, the plan's length in steps.
        samples: action sequences drawn per round.
        rng: draws the sequences.
        action_low, action_high: the action box, shape (d,) (or scalars).
    """
    _check_callable("dynamics", dynamics)
    _check_callable("reward", reward)
    start = as_vector("state", state)
    horizon = positive_int("horizon", horizon)
    samples = positive_int("samples", samples)
    generator("rng", rng)
    low, high = _bounds(action_low, action_high)
    seqs = rng.uniform(low, high, size=(samples, horizon, low.shape[0]))
    returns = _returns(dynamics, reward, start, seqs)
    best = int(np.argmax(returns))
    return PlanResult(
        seqs[best, 0].copy(), seqs[best].copy(), float(returns[best]), samples * horizon
    )


def cem_update(samples: Any, scores: Any, n_elite: int) -> tuple[np.ndarray, np.ndarray]:
    """One cross-entropy step: the mean and standard deviation (each (k,)) of the
    ``n_elite`` highest-scoring rows of ``samples`` (n, k), ``scores`` (n,).

    Ties in the scores go to the earlier row; the standard deviation is the
    population one (divide by ``n_elite``).
    """
    x = as_matrix("samples", samples)
    s = as_vector("scores", scores, length=x.shape[0])
    n_elite = positive_int("n_elite", n_elite)
    if n_elite > x.shape[0]:
        raise ValueError(
            f"n_elite must be at most the number of samples {x.shape[0]}, got {n_elite}"
        )
    # A stable sort of -scores keeps the earlier of equal scores first.
    elite = x[np.argsort(-s, kind="stable")[:n_elite]]
    return elite.mean(axis=0), elite.std(axis=0)


def cem(
    dynamics: Dynamics,
    reward: Reward,
    state: Any,
    *,
    horizon: int,
    samples: int,
    elites: int,
    iterations: int,
    rng: np.random.Generator,
    action_low: Any,
    action_high: Any,
    init_mean: Any = None,
    init_std: Any = None,
    min_std: float = 1e-3,
) -> PlanResult:
    """The cross-entropy method (Rubinstein 1999) over action sequences.

    Each of ``iterations`` rounds draws ``samples`` sequences from a Gaussian
    (clipped to the action box), scores them on the model and refits the
    Gaussian's mean and standard deviation to the ``elites`` best
    (``cem_update``). Starts from ``init_mean`` (H, d) (default: the middle of
    the box, or pass the previous plan shifted by one step) and ``init_std``
    (H, d) (default: half the box's width); the standard deviation never falls
    below ``min_std``. Returns the final mean's first action; ``value`` is the
    mean return of the last elites. Spends iterations x samples x horizon model
    evaluations.

    Args:
        dynamics, reward, state, horizon, samples, rng, action_low, action_high: as
            for ``random_shooting`` (``samples`` per round).
        elites: the best sequences the Gaussian is refitted to (< samples).
        iterations: rounds of draw-score-refit.
        init_mean: the first Gaussian's mean, shape (H, d) (default: the box's middle).
        init_std: its standard deviation, shape (H, d) (default: half the box's width).
        min_std: the floor of the standard deviation.
    """
    _check_callable("dynamics", dynamics)
    _check_callable("reward", reward)
    start = as_vector("state", state)
    horizon = positive_int("horizon", horizon)
    samples = positive_int("samples", samples)
    elites = positive_int("elites", elites)
    if elites > samples:
        raise ValueError(f"elites must be at most samples={samples}, got {elites}")
    iterations = positive_int("iterations", iterations)
    generator("rng", rng)
    low, high = _bounds(action_low, action_high)
    min_std = positive_float("min_std", min_std, allow_zero=True)
    d = low.shape[0]
    mean = _plan_array("init_mean", init_mean, (horizon, d), (low + high) / 2)
    std = _plan_array("init_std", init_std, (horizon, d), (high - low) / 2)
    if np.any(std < 0):
        raise ValueError("init_std must be >= 0")
    value = -np.inf
    for _ in range(iterations):
        noise = rng.standard_normal((samples, horizon, d))
        seqs = np.clip(mean + std * noise, low, high)
        returns = _returns(dynamics, reward, start, seqs)
        mean_flat, std_flat = cem_update(seqs.reshape(samples, -1), returns, elites)
        mean = mean_flat.reshape(horizon, d)
        std = np.maximum(std_flat.reshape(horizon, d), min_std)
        value = float(np.sort(returns)[-elites:].mean())
    mean = np.clip(mean, low, high)
    return PlanResult(mean[0].copy(), mean, value, iterations * samples * horizon)


def _plan_array(name: str, value: Any, shape: tuple[int, int], default: np.ndarray) -> np.ndarray:
    if value is None:
        return np.broadcast_to(default, shape).astype(float)
    array = as_matrix(name, value)
    if array.shape != shape:
        raise ValueError(f"{name} must have shape (horizon, d) = {shape}, got {array.shape}")
    return array


def lqr_gain(
    a_matrix: Any,
    b_matrix: Any,
    state_cost: Any,
    action_cost: Any,
    *,
    tol: float = 1e-12,
    max_iterations: int = 100_000,
) -> np.ndarray:
    """The infinite-horizon discrete LQR gain K (d, s): ``action = -K @ state`` minimises
    the sum of ``x^T Q x + u^T R u`` for ``x' = A x + B u``.

    ``a_matrix`` A (s, s), ``b_matrix`` B (s, d), ``state_cost`` Q (s, s),
    ``action_cost`` R (d, d), found by iterating the Riccati equation to a fixed point.

    Args:
        a_matrix: A, shape (s, s).
        b_matrix: B, shape (s, d).
        state_cost: Q, shape (s, s), symmetric positive semi-definite.
        action_cost: R, shape (d, d), symmetric positive definite.
        tol: stop once the Riccati iterate moves by less than this.
        max_iterations: give up (ValueError) after this many iterations.
    """
    a = as_matrix("a_matrix", a_matrix)
    s = a.shape[0]
    if a.shape != (s, s):
        raise ValueError(f"a_matrix must be square, got shape {a.shape}")
    b = as_matrix("b_matrix", b_matrix)
    if b.shape[0] != s:
        raise ValueError(f"b_matrix must have {s} rows, got shape {b.shape}")
    q = as_matrix("state_cost", state_cost, columns=s)
    r = as_matrix("action_cost", action_cost, columns=b.shape[1])
    if q.shape != (s, s) or r.shape != (b.shape[1], b.shape[1]):
        raise ValueError(
            f"state_cost must be ({s}, {s}) and action_cost ({b.shape[1]}, {b.shape[1]}), "
            f"got {q.shape} and {r.shape}"
        )
    tol = positive_float("tol", tol)
    max_iterations = positive_int("max_iterations", max_iterations)
    for name, m in (("state_cost", q), ("action_cost", r)):
        if not np.allclose(m, m.T, rtol=1e-10, atol=1e-12):
            raise ValueError(f"{name} must be symmetric, got {m.tolist()}")
    smallest_q = float(np.linalg.eigvalsh(q).min())
    if smallest_q < -1e-10 * max(1.0, float(np.abs(q).max())):
        raise ValueError(
            f"state_cost must be positive semi-definite, its smallest eigenvalue is "
            f"{smallest_q:.3g}"
        )
    smallest_r = float(np.linalg.eigvalsh(r).min())
    if smallest_r <= 0:
        # With R not positive definite a free action costs nothing (or pays): no finite gain.
        raise ValueError(
            f"action_cost must be positive definite, its smallest eigenvalue is {smallest_r:.3g}"
        )
    p = q.copy()
    converged = False
    for _ in range(max_iterations):
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            gain = np.linalg.solve(r + b.T @ p @ b, b.T @ p @ a)
            new = q + a.T @ p @ (a - b @ gain)
        if not np.all(np.isfinite(new)):
            break
        if np.max(np.abs(new - p)) <= tol * max(1.0, float(np.max(np.abs(new)))):
            p, converged = new, True
            break
        p = new
    if not converged:
        raise ValueError(
            f"the Riccati iteration did not converge in {max_iterations} iterations: (A, B) "
            "may not be stabilisable (an unstable mode the action cannot reach), or raise "
            "max_iterations / loosen tol"
        )
    return np.linalg.solve(r + b.T @ p @ b, b.T @ p @ a)


@dataclass(frozen=True)
class EpisodeResult:
    """One episode: its ``total`` reward, ``states`` (T + 1, s) and ``actions`` (T, d)."""

    total: float
    states: np.ndarray
    actions: np.ndarray


def run_episode(
    dynamics: Dynamics,
    reward: Reward,
    policy: Callable[[np.ndarray], Any],
    state: Any,
    steps: int,
) -> EpisodeResult:
    """Run ``policy(state (s,)) -> action (d,)`` for ``steps`` steps from ``state`` on the
    model (batch functions called with one row) and sum the rewards.

    Args:
        dynamics: the model, ``dynamics(states (n, s), actions (n, d)) -> (n, s)``.
        reward: ``reward(states (n, s), actions (n, d)) -> (n,)``.
        policy: ``policy(state (s,)) -> action (d,)``.
        state: the start, shape (s,).
        steps: how many steps to run.
    """
    _check_callable("dynamics", dynamics)
    _check_callable("reward", reward)
    if not callable(policy):
        raise TypeError(f"policy must be a function state -> action, got {policy!r}")
    current = as_vector("state", state)
    steps = positive_int("steps", steps)
    states, actions, total = [current], [], 0.0
    for t in range(steps):
        action = as_vector("policy(state)", policy(current.copy()))
        total += float(
            _model_output("reward", reward(current[None, :], action[None, :]), (1,), t)[0]
        )
        current = _model_output(
            "dynamics", dynamics(current[None, :], action[None, :]), (1, current.shape[0]), t
        )[0]
        states.append(current)
        actions.append(action)
    return EpisodeResult(total, np.array(states), np.array(actions))


@dataclass(frozen=True)
class MPCResult:
    """An episode of model-predictive control: its ``total`` reward, ``states`` (T + 1, s),
    ``actions`` (T, d) and the model ``evaluations`` the planner spent, per step (T,)."""

    total: float
    states: np.ndarray
    actions: np.ndarray
    evaluations: np.ndarray


PLANNERS = ("shooting", "cem")


def model_predictive_control(
    dynamics: Dynamics,
    reward: Reward,
    state: Any,
    steps: int,
    *,
    planner: str,
    horizon: int,
    samples: int,
    rng: np.random.Generator,
    action_low: Any,
    action_high: Any,
    elites: int | None = None,
    iterations: int = 3,
) -> MPCResult:
    """Plan, take the plan's first action, repeat: ``steps`` steps from ``state``.

    ``planner`` is "shooting" (``random_shooting``) or "cem" (``cem`` with ``elites``,
    default a tenth of the samples but at least 2, and ``iterations``; each plan
    starts from the previous one shifted by a step).

    Args:
        dynamics, reward, horizon, samples, rng, action_low, action_high: as for
            ``random_shooting`` (``samples`` per plan, per round for CEM).
        state: the start, shape (s,).
        steps: how many steps to act (one plan each).
        planner: "shooting" or "cem".
        elites: CEM's elites (default: a tenth of the samples, at least 2).
        iterations: CEM's rounds per plan.
    """
    if planner not in PLANNERS:
        raise ValueError(f"planner must be one of {PLANNERS}, got {planner!r}")
    samples = positive_int("samples", samples)
    if elites is None:
        elites = min(samples, max(2, samples // 10))
    common = dict(
        horizon=horizon, samples=samples, rng=rng, action_low=action_low, action_high=action_high
    )
    spent: list[int] = []
    previous: list[np.ndarray] = []

    def policy(x: np.ndarray) -> np.ndarray:
        if planner == "shooting":
            result = random_shooting(dynamics, reward, x, **common)
        else:
            warm = None
            if previous:
                warm = np.vstack([previous[-1][1:], previous[-1][-1:]])
            result = cem(
                dynamics, reward, x, elites=elites, iterations=iterations, init_mean=warm, **common
            )
            previous.append(result.plan)
        spent.append(result.evaluations)
        return result.action

    episode = run_episode(dynamics, reward, policy, state, steps)
    return MPCResult(episode.total, episode.states, episode.actions, np.array(spent))


# --- POMDPs: planning over beliefs ------------------------------------------------------


def _check_pomdp(pomdp: Any) -> POMDP:
    if not isinstance(pomdp, POMDP):
        raise TypeError(f"pomdp must be a daopt.envs.POMDP, got {pomdp!r}")
    return pomdp


def belief_update(
    pomdp: POMDP, belief: Any, action: int, observation: int
) -> tuple[np.ndarray, float]:
    """Bayes' rule: the belief (S,) after taking ``action`` in ``belief`` (S,) and seeing
    ``observation``, and the probability of that observation. Raises ValueError if the
    observation is impossible.

    Args:
        pomdp: the model.
        belief: the distribution over hidden states before, shape (S,).
        action: the action taken.
        observation: what was seen after it.
    """
    _check_pomdp(pomdp)
    b = as_vector("belief", belief, length=pomdp.n_states)
    if np.any(b < 0) or not np.isclose(b.sum(), 1.0, atol=1e-9):
        raise ValueError("belief must be a probability vector (non-negative, summing to 1)")
    action = index_below("action", action, pomdp.n_actions)
    observation = index_below("observation", observation, pomdp.n_observations)
    joint = (b @ pomdp.transitions[:, action, :]) * pomdp.observations[action, :, observation]
    probability = float(joint.sum())
    if probability <= 0:
        raise ValueError(
            f"observation {observation} is impossible after action {action} from this belief"
        )
    return joint / probability, probability


@dataclass(frozen=True)
class BeliefPlan:
    """Exact value iteration over the reachable beliefs of a POMDP.

    ``beliefs`` (B, S) with the initial belief first; ``values`` (B,) and a greedy
    ``policy`` (B,); ``successors[b][a]`` lists (observation, probability, next belief
    index). ``backups`` = iterations x B x A belief-action backups; ``expansions`` =
    B x A Bayes updates spent enumerating the beliefs.
    """

    beliefs: np.ndarray
    values: np.ndarray
    policy: np.ndarray
    successors: list[list[list[tuple[int, float, int]]]]
    iterations: int
    backups: int
    expansions: int
    decimals: int

    @property
    def n_beliefs(self) -> int:
        return self.beliefs.shape[0]

    def find(self, belief: Any) -> int:
        """The index of ``belief`` (S,) among the enumerated beliefs (ValueError if absent)."""
        b = as_vector("belief", belief, length=self.beliefs.shape[1])
        distance = np.abs(self.beliefs - b).max(axis=1)
        index = int(np.argmin(distance))
        if distance[index] > 10.0 ** (-self.decimals + 3):
            raise ValueError("belief is not one of the reachable beliefs of this plan")
        return index

    def next_index(self, index: int, action: int, observation: int) -> int:
        """The belief reached from belief ``index`` by ``action`` and ``observation``."""
        for z, _, j in self.successors[index][action]:
            if z == observation:
                return j
        raise ValueError(f"observation {observation} cannot follow action {action} there")


def belief_value_iteration(
    pomdp: POMDP,
    *,
    tol: float = 1e-10,
    max_iterations: int = 100_000,
    max_beliefs: int = 200_000,
    decimals: int = 10,
) -> BeliefPlan:
    """Plan exactly on the belief MDP of ``pomdp``: enumerate every belief reachable from
    ``pomdp.initial`` (breadth first, beliefs equal to ``decimals`` places merged), then
    run value iteration over them.

    Raises ValueError if more than ``max_beliefs`` beliefs are reachable (with noisy
    observations or dynamics the reachable set can be infinite).

    Args:
        pomdp: the model, with its initial belief ``pomdp.initial`` (S,).
        tol: value iteration stops once no value moves by more than this.
        max_iterations: value iteration's sweeps at most.
        max_beliefs: give up (ValueError) beyond this many reachable beliefs.
        decimals: beliefs equal to this many decimal places are merged.
    """
    _check_pomdp(pomdp)
    tol = positive_float("tol", tol)
    max_iterations = positive_int("max_iterations", max_iterations)
    max_beliefs = positive_int("max_beliefs", max_beliefs)
    decimals = positive_int("decimals", decimals)
    p, o, r = pomdp.transitions, pomdp.observations, pomdp.rewards
    n_actions = pomdp.n_actions
    beliefs = [pomdp.initial]
    index = {(np.round(pomdp.initial, decimals) + 0.0).tobytes(): 0}
    successors: list[list[list[tuple[int, float, int]]]] = []
    expected = []
    head = 0
    while head < len(beliefs):
        b = beliefs[head]
        head += 1
        expected.append(b @ r)
        per_action = []
        for a in range(n_actions):
            joint = (b @ p[:, a, :])[:, None] * o[a]  # (S, Z)
            probs = joint.sum(axis=0)
            outs = []
            for z in np.flatnonzero(probs > 1e-15):
                nxt = joint[:, z] / probs[z]
                key = (np.round(nxt, decimals) + 0.0).tobytes()  # + 0.0 turns -0.0 into 0.0
                j = index.get(key)
                if j is None:
                    if len(beliefs) >= max_beliefs:
                        raise ValueError(
                            f"more than max_beliefs={max_beliefs} beliefs are reachable; "
                            "the exact belief MDP is too large (or infinite)"
                        )
                    j = index[key] = len(beliefs)
                    beliefs.append(nxt)
                outs.append((int(z), float(probs[z]), j))
            per_action.append(outs)
        successors.append(per_action)
    n_beliefs = len(beliefs)
    rows, cols, weights = [], [], []
    for i, per_action in enumerate(successors):
        for a, outs in enumerate(per_action):
            for _, prob, j in outs:
                rows.append(i * n_actions + a)
                cols.append(j)
                weights.append(prob)
    rows_arr, cols_arr, w_arr = np.array(rows), np.array(cols), np.array(weights)
    reward = np.array(expected)  # (B, A)
    values = np.zeros(n_beliefs)
    iterations = 0
    while iterations < max_iterations:
        future = np.bincount(rows_arr, w_arr * values[cols_arr], minlength=n_beliefs * n_actions)
        q = reward + pomdp.discount * future.reshape(n_beliefs, n_actions)
        new = q.max(axis=1)
        iterations += 1
        change = float(np.max(np.abs(new - values)))
        values = new
        if change <= tol:
            break
    future = np.bincount(rows_arr, w_arr * values[cols_arr], minlength=n_beliefs * n_actions)
    q = reward + pomdp.discount * future.reshape(n_beliefs, n_actions)
    return BeliefPlan(
        beliefs=np.array(beliefs),
        values=values,
        policy=np.argmax(q, axis=1),
        successors=successors,
        iterations=iterations,
        backups=iterations * n_beliefs * n_actions,
        expansions=n_beliefs * n_actions,
        decimals=decimals,
    )
