"""Direct and amortised optimisation of an objective family f(y, x).

Direct: solve every query x anew (``gradient_descent``, ``grid_search``).
Amortised: train a model y_hat(x) once (``fit_regression`` on solver labels,
or ``fit_objective`` on f itself), then only evaluate it. Semi-amortised:
start gradient descent at y_hat(x) (``semi_amortised``). Costs are counted,
not timed: oracle calls (evaluations of f or its gradient) and network passes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from daopt.nn import MLP, Adam
from daopt.problems import ObjectiveFamily
from daopt.validation import as_vector, generator, positive_float, positive_int

# A backward pass costs about two forward passes (two matrix products per
# layer instead of one), the usual rule of thumb.
BACKWARD_PASSES = 2


def _problem(value: object) -> ObjectiveFamily:
    if not isinstance(value, ObjectiveFamily):
        raise TypeError(f"problem must be a daopt.problems.ObjectiveFamily, got {value!r}")
    return value


@dataclass(frozen=True)
class DirectResult:
    """Solutions ``y`` (n,) and the oracle calls spent on each query."""

    y: np.ndarray
    evaluations: int


def gradient_descent(
    problem: ObjectiveFamily, x: np.ndarray, y0: np.ndarray, *, step: float, n_steps: int
) -> DirectResult:
    """``n_steps`` of y <- y - step * df/dy from ``y0`` (n,), for every context in ``x`` (n,).

    Costs one gradient evaluation per step per query.
    """
    problem = _problem(problem)
    x_arr = as_vector("x", x)
    y = as_vector("y0", y0, length=x_arr.shape[0]).copy()
    step = positive_float("step", step)
    n_steps = positive_int("n_steps", n_steps, minimum=0)
    for _ in range(n_steps):
        y -= step * problem.grad(y, x_arr)
    return DirectResult(y=y, evaluations=n_steps)


def grid_search(problem: ObjectiveFamily, x: np.ndarray, grid: np.ndarray) -> DirectResult:
    """The grid point (from ``grid``, shape (g,)) with the lowest f for each context.

    Ties go to the earlier grid point. Costs g evaluations of f per query.
    """
    problem = _problem(problem)
    x_arr = as_vector("x", x)
    grid_arr = as_vector("grid", grid)
    if grid_arr.size == 0:
        raise ValueError("grid must hold at least one candidate solution, got an empty grid")
    n, g = x_arr.shape[0], grid_arr.shape[0]
    values = problem.f(np.tile(grid_arr, n), np.repeat(x_arr, g)).reshape(n, g)
    return DirectResult(y=grid_arr[np.argmin(values, axis=1)], evaluations=g)


def steps_to_tolerance(
    problem: ObjectiveFamily,
    x: np.ndarray,
    y0: np.ndarray,
    *,
    step: float,
    tolerance: float,
    max_steps: int = 10_000,
) -> int:
    """Fewest gradient steps from ``y0`` after which every query's gap is <= ``tolerance``.

    Raises ValueError if ``max_steps`` is not enough.
    """
    problem = _problem(problem)
    x_arr = as_vector("x", x)
    y = as_vector("y0", y0, length=x_arr.shape[0]).copy()
    step = positive_float("step", step)
    tolerance = positive_float("tolerance", tolerance)
    max_steps = positive_int("max_steps", max_steps)
    for k in range(max_steps + 1):
        if np.max(problem.gap(y, x_arr)) <= tolerance:
            return k
        y -= step * problem.grad(y, x_arr)
    raise ValueError(
        f"gradient descent did not reach tolerance {tolerance} in max_steps={max_steps}"
    )


class AmortisedModel:
    """y_hat(x): an MLP from a context x (n,) to a solution (n,)."""

    def __init__(
        self,
        rng: np.random.Generator,
        hidden: Sequence[int] = (32, 32),
        activation: str = "tanh",
    ) -> None:
        self.net = MLP([1, *hidden, 1], rng, activation=activation)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Predicted solutions y_hat(x), shape (n,)."""
        return self.net.forward(as_vector("x", x)[:, None])[:, 0]

    def __repr__(self) -> str:
        return f"AmortisedModel(sizes={self.net.sizes}, activation={self.net.activation!r})"


@dataclass(frozen=True)
class TrainingLog:
    """What training cost: the loss per step, shape (steps,), and the work done."""

    losses: np.ndarray
    oracle_calls: int
    network_passes: int


def _train(
    model: AmortisedModel,
    x_train: np.ndarray,
    loss_and_grad,  # (y_hat (b,), batch indices (b,)) -> (loss, dloss/dy_hat (b,))
    *,
    steps: int,
    batch_size: int,
    learning_rate: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, int]:
    if not isinstance(model, AmortisedModel):
        raise TypeError(f"model must be a daopt.optimise.AmortisedModel, got {model!r}")
    steps = positive_int("steps", steps)
    batch_size = positive_int("batch_size", batch_size)
    generator("rng", rng)
    optimiser = Adam(model.net.params, learning_rate=learning_rate)
    losses = np.empty(steps)
    for t in range(steps):
        idx = rng.integers(0, x_train.shape[0], size=batch_size)
        y_hat, cache = model.net.forward_cached(x_train[idx, None])
        losses[t], grad_y = loss_and_grad(y_hat[:, 0], idx)
        optimiser.step(model.net.backward(cache, grad_y[:, None]))
    return losses, steps * batch_size * (1 + BACKWARD_PASSES)


def fit_regression(
    model: AmortisedModel,
    x_train: np.ndarray,
    targets: np.ndarray,
    *,
    steps: int,
    batch_size: int,
    learning_rate: float,
    rng: np.random.Generator,
    labelling_calls: int = 0,
) -> TrainingLog:
    """Regression-based amortisation: minimise mean (y_hat(x) - target)**2 / 2.

    ``targets`` (n,) come from a direct solver; ``labelling_calls`` is what
    producing them cost in oracle calls, and is added to the log.
    """
    x_arr = as_vector("x_train", x_train)
    t_arr = as_vector("targets", targets, length=x_arr.shape[0])
    labelling_calls = positive_int("labelling_calls", labelling_calls, minimum=0)

    def loss_and_grad(y_hat: np.ndarray, idx: np.ndarray) -> tuple[float, np.ndarray]:
        residual = y_hat - t_arr[idx]
        return 0.5 * float(np.mean(residual**2)), residual / idx.shape[0]

    losses, passes = _train(
        model,
        x_arr,
        loss_and_grad,
        steps=steps,
        batch_size=batch_size,
        learning_rate=learning_rate,
        rng=rng,
    )
    return TrainingLog(losses=losses, oracle_calls=labelling_calls, network_passes=passes)


def fit_objective(
    model: AmortisedModel,
    problem: ObjectiveFamily,
    x_train: np.ndarray,
    *,
    steps: int,
    batch_size: int,
    learning_rate: float,
    rng: np.random.Generator,
) -> TrainingLog:
    """Objective-based amortisation: minimise mean f(y_hat(x), x); no labels needed.

    Each example costs one gradient evaluation df/dy, chained into the network.
    """
    problem = _problem(problem)
    x_arr = as_vector("x_train", x_train)

    def loss_and_grad(y_hat: np.ndarray, idx: np.ndarray) -> tuple[float, np.ndarray]:
        x_batch = x_arr[idx]
        loss = float(np.mean(problem.f(y_hat, x_batch)))
        return loss, problem.grad(y_hat, x_batch) / idx.shape[0]

    losses, passes = _train(
        model,
        x_arr,
        loss_and_grad,
        steps=steps,
        batch_size=batch_size,
        learning_rate=learning_rate,
        rng=rng,
    )
    return TrainingLog(
        losses=losses, oracle_calls=int(steps) * int(batch_size), network_passes=passes
    )


def semi_amortised(
    model: AmortisedModel, problem: ObjectiveFamily, x: np.ndarray, *, step: float, n_steps: int
) -> DirectResult:
    """Gradient descent from the model's guess y_hat(x): one network pass, then ``n_steps``."""
    if not isinstance(model, AmortisedModel):
        raise TypeError(f"model must be a daopt.optimise.AmortisedModel, got {model!r}")
    return gradient_descent(problem, x, model(x), step=step, n_steps=n_steps)


@dataclass(frozen=True)
class CostProfile:
    """Cost of answering queries: ``fixed`` paid once (training), ``per_query`` at each query."""

    name: str
    fixed: float
    per_query: float

    def __post_init__(self) -> None:
        positive_float("fixed", self.fixed, allow_zero=True)
        positive_float("per_query", self.per_query, allow_zero=True)

    def total(self, n_queries: np.ndarray) -> np.ndarray:
        """Total cost after each number of queries in ``n_queries`` (shape (k,))."""
        n = as_vector("n_queries", np.atleast_1d(n_queries))
        if np.any(n < 0):
            raise ValueError(f"n_queries must be >= 0, got {n_queries!r}")
        return self.fixed + self.per_query * n


def _count(name: str, value: object) -> float:
    """A count >= 0: an int, or a float for a mean over queries (e.g. nodes per decision)."""
    if isinstance(value, numbers.Integral):
        return positive_int(name, value, minimum=0)
    return positive_float(name, value, allow_zero=True)


def cost_profile(
    name: str,
    *,
    training: TrainingLog | None,
    query_oracle_calls: float,
    query_network_passes: float,
    oracle_call_cost: float = 1.0,
    network_pass_cost: float = 1.0,
) -> CostProfile:
    """Price a strategy: oracle calls and network passes, in training and per query.

    The per-query counts may be means (floats), for strategies whose work varies
    from query to query, such as a search's nodes per decision.
    """
    oracle_call_cost = positive_float("oracle_call_cost", oracle_call_cost, allow_zero=True)
    network_pass_cost = positive_float("network_pass_cost", network_pass_cost, allow_zero=True)
    query_oracle_calls = _count("query_oracle_calls", query_oracle_calls)
    query_network_passes = _count("query_network_passes", query_network_passes)
    if training is not None and not isinstance(training, TrainingLog):
        raise TypeError(f"training must be a TrainingLog or None, got {training!r}")
    fixed = 0.0
    if training is not None:
        fixed = (
            training.oracle_calls * oracle_call_cost + training.network_passes * network_pass_cost
        )
    per_query = query_oracle_calls * oracle_call_cost + query_network_passes * network_pass_cost
    return CostProfile(name=name, fixed=fixed, per_query=per_query)


def break_even(pay_as_you_go: CostProfile, pay_up_front: CostProfile) -> float:
    """The number of queries N beyond which ``pay_up_front`` is the cheaper strategy for good.

    Solves fixed_a + a * N = fixed_b + b * N for N >= 0. Returns ``math.inf``
    if the up-front strategy's per-query cost is not lower (so for many queries
    it never wins), and 0.0 if it is never more expensive.
    """
    for name, profile in (("pay_as_you_go", pay_as_you_go), ("pay_up_front", pay_up_front)):
        if not isinstance(profile, CostProfile):
            raise TypeError(f"{name} must be a CostProfile, got {profile!r}")
    extra_fixed = pay_up_front.fixed - pay_as_you_go.fixed
    saving_per_query = pay_as_you_go.per_query - pay_up_front.per_query
    if saving_per_query > 0:
        return max(0.0, extra_fixed / saving_per_query)
    if saving_per_query == 0 and extra_fixed <= 0:
        return 0.0
    return math.inf
