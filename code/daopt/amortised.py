"""Amortised optimisation of an objective family f(y, x): train a model y_hat(x)
once, then only evaluate it.

``fit_regression`` fits solver labels (regression-based loss); ``fit_objective``
fits f itself (objective-based loss, no labels); ``semi_amortised`` starts
gradient descent at y_hat(x). Both fits run ``daopt.nn.train`` in sampling
mode (a fresh mini-batch of contexts every step), the book's one training
loop. What training cost is a ``TrainingLog``, priced by
``daopt.cost.cost_profile``.

| function | in | out |
|---|---|---|
| ``AmortisedModel(x)`` | x (n,) | y_hat (n,) |
| ``fit_regression`` | x_train (n,), targets (n,) | ``TrainingLog``: losses (steps,) |
| ``fit_objective`` | x_train (n,) | ``TrainingLog``: losses (steps,) |
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from daopt.cost import training_passes
from daopt.direct import DirectResult, check_problem, gradient_descent
from daopt.nn import MLP, Adam, train
from daopt.problems import ObjectiveFamily
from daopt.validation import as_vector, positive_int

__all__ = ["AmortisedModel", "TrainingLog", "fit_objective", "fit_regression", "semi_amortised"]


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
    loss_and_grad: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]],
    steps: int,
    batch_size: int,
    learning_rate: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, int]:
    """``daopt.nn.train`` in sampling mode on the contexts: ``loss_and_grad(y_hat (b,),
    rows (b,)) -> (loss, dloss/dy_hat (b,))``; returns the step losses and the passes."""
    if not isinstance(model, AmortisedModel):
        raise TypeError(f"model must be a daopt.amortised.AmortisedModel, got {model!r}")

    def loss_fn(outputs: np.ndarray, rows: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad_y = loss_and_grad(outputs[:, 0], rows)
        return loss, grad_y[:, None]

    log = train(
        model.net,
        x_train[:, None],
        loss_fn,
        optimiser=Adam(model.net.params, learning_rate=learning_rate),
        steps=steps,
        batch_size=batch_size,
        rng=rng,
    )
    return np.array(log.step_losses), training_passes(log.examples)


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

    Args:
        model: the ``AmortisedModel`` trained in place.
        x_train: contexts, shape (n,).
        targets: the solver's answers y_star(x), shape (n,).
        steps: optimiser steps (each draws a fresh batch of contexts).
        batch_size: contexts per step.
        learning_rate: Adam's step size.
        rng: draws the batches.
        labelling_calls: what producing ``targets`` cost, in oracle calls.
    """
    x_arr = as_vector("x_train", x_train)
    t_arr = as_vector("targets", targets, length=x_arr.shape[0])
    labelling_calls = positive_int("labelling_calls", labelling_calls, minimum=0)

    def loss_and_grad(y_hat: np.ndarray, idx: np.ndarray) -> tuple[float, np.ndarray]:
        residual = y_hat - t_arr[idx]
        return 0.5 * float(np.mean(residual**2)), residual / idx.shape[0]

    losses, passes = _train(model, x_arr, loss_and_grad, steps, batch_size, learning_rate, rng)
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

    Args:
        model: the ``AmortisedModel`` trained in place.
        problem: the objective family f(y, x) whose gradient trains the model.
        x_train: contexts, shape (n,).
        steps: optimiser steps (each draws a fresh batch of contexts).
        batch_size: contexts per step.
        learning_rate: Adam's step size.
        rng: draws the batches.
    """
    problem = check_problem(problem)
    x_arr = as_vector("x_train", x_train)

    def loss_and_grad(y_hat: np.ndarray, idx: np.ndarray) -> tuple[float, np.ndarray]:
        x_batch = x_arr[idx]
        loss = float(np.mean(problem.f(y_hat, x_batch)))
        return loss, problem.grad(y_hat, x_batch) / idx.shape[0]

    losses, passes = _train(model, x_arr, loss_and_grad, steps, batch_size, learning_rate, rng)
    return TrainingLog(
        losses=losses, oracle_calls=int(steps) * int(batch_size), network_passes=passes
    )


def semi_amortised(
    model: AmortisedModel, problem: ObjectiveFamily, x: np.ndarray, *, step: float, n_steps: int
) -> DirectResult:
    """Gradient descent from the model's guess y_hat(x): one network pass, then ``n_steps``.

    Args:
        model: the trained ``AmortisedModel`` that gives the start.
        problem: the objective family f(y, x).
        x: contexts, shape (n,).
        step: the gradient step size.
        n_steps: gradient steps after the model's guess.
    """
    if not isinstance(model, AmortisedModel):
        raise TypeError(f"model must be a daopt.amortised.AmortisedModel, got {model!r}")
    return gradient_descent(problem, x, model(x), step=step, n_steps=n_steps)
