"""Performative prediction: a world in which the next token depends on the prediction.

A predictor announces a distribution ``p`` over V tokens; the world then draws
the token from

    r(p) = softmax(log base + feedback * p),

the base distribution tilted towards what was predicted (``feedback`` = 0: the
prediction has no effect). The predictor's expected loss is the cross-entropy
of the world's response against its own prediction,

    L(p) = -sum_x r(p)_x log p_x.

Three predictors (Perdomo et al. 2020 name the last two):

- **teacher-forced**: fitted to data the world produced without feedback, it
  predicts ``base``;
- **repeated retraining**: refit to the data its own last prediction caused,
  ``p <- r(p)``; where it stops is a *fixed point*, ``p = r(p)``, a
  self-fulfilling prediction (performatively stable);
- **direct minimiser**: searches for the ``p`` with the least ``L(p)``,
  knowing how the world responds (performatively optimal).

Shapes: ``base`` (V,) or a batch (m, V); predictions have the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from daopt.validation import as_array, generator, positive_float, positive_int

__all__ = ["PerformativeWorld"]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class PerformativeWorld:
    """The world ``r(p) = softmax(log base + feedback * p)``; see the module docstring."""

    base: np.ndarray
    feedback: float

    def __post_init__(self) -> None:
        base = as_array("base", self.base)
        if base.ndim not in (1, 2) or base.shape[-1] < 2:
            raise ValueError(f"base must have shape (V,) or (m, V) with V >= 2, got {base.shape}")
        if np.any(base <= 0) or not np.allclose(base.sum(axis=-1), 1.0, atol=1e-9):
            raise ValueError("base rows must be strictly positive distributions summing to 1")
        object.__setattr__(self, "base", base / base.sum(axis=-1, keepdims=True))
        object.__setattr__(
            self, "feedback", positive_float("feedback", self.feedback, allow_zero=True)
        )

    @property
    def vocab(self) -> int:
        return self.base.shape[-1]

    def _prediction(self, p: Any) -> np.ndarray:
        p = as_array("p", p)
        try:
            np.broadcast_shapes(p.shape, self.base.shape)
        except ValueError:
            p = None
        if p is None or p.shape[-1] != self.vocab:
            raise ValueError(
                f"p must be distributions (..., {self.vocab}) matching base {self.base.shape}"
            ) from None
        if np.any(p < 0) or not np.allclose(p.sum(axis=-1), 1.0, atol=1e-6):
            raise ValueError("p must be a distribution over the last axis")
        return p

    def response(self, p: Any) -> np.ndarray:
        """The world's distribution of the next token when ``p`` is predicted."""
        p = self._prediction(p)
        return _softmax(np.log(self.base) + self.feedback * p)

    def loss(self, p: Any) -> np.ndarray:
        """Expected cross-entropy L(p) in nats, one per distribution in ``p`` (..., V)."""
        p = self._prediction(p)
        r = _softmax(np.log(self.base) + self.feedback * p)
        return -np.sum(r * np.log(np.maximum(p, 1e-300)), axis=-1)

    def teacher_forced(self) -> np.ndarray:
        """What a predictor fitted to feedback-free data predicts: ``base``."""
        return self.base.copy()

    def repeated_retraining(self, start: Any | None = None, n_rounds: int = 500) -> np.ndarray:
        """``p <- r(p)`` for ``n_rounds`` rounds from ``start`` (default: the teacher-forced
        prediction): each round refits to the data the last prediction caused."""
        p = self.teacher_forced() if start is None else self._prediction(start)
        for _ in range(positive_int("n_rounds", n_rounds)):
            p = _softmax(np.log(self.base) + self.feedback * p)
        return p

    def _loss_and_grad(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """L and dL/dz for predictions p = softmax(z), z of shape (..., V)."""
        p = _softmax(z)
        log_p = np.log(np.maximum(p, 1e-300))
        base = self.base.reshape(self.base.shape[:-1] + (1,) * (z.ndim - self.base.ndim) + (-1,))
        r = _softmax(np.log(base) + self.feedback * p)
        loss = -np.sum(r * log_p, axis=-1)
        # dr_x/dp_y = feedback r_x (delta_xy - r_y), so
        # dL/dp_y = -feedback r_y (log p_y + L) - r_y / p_y.
        grad_p = -self.feedback * r * (log_p + loss[..., None]) - r / np.maximum(p, 1e-300)
        grad_z = p * (grad_p - np.sum(p * grad_p, axis=-1, keepdims=True))
        return loss, grad_z

    def direct_minimiser(
        self, rng: np.random.Generator, *, n_starts: int = 16, n_steps: int = 400
    ) -> tuple[np.ndarray, int]:
        """The prediction with the least loss found by gradient descent on the logits from
        ``n_starts`` starts (the base, one leaning towards each token, the rest random),
        and the number of loss-and-gradient evaluations spent per row."""
        generator("rng", rng)
        n_starts = positive_int("n_starts", n_starts)
        n_steps = positive_int("n_steps", n_steps)
        v = self.vocab
        lead = self.base.shape[:-1]
        starts = rng.normal(0.0, 1.0, size=(*lead, n_starts, v))
        starts[..., 0, :] = np.log(self.base)
        for j in range(min(v, n_starts - 1)):
            starts[..., j + 1, :] = np.log(self.base) + 3.0 * np.eye(v)[j]
        z = starts
        # Adam on the logits: the loss is smooth but badly scaled near the vertices.
        m, s = np.zeros_like(z), np.zeros_like(z)
        for t in range(1, n_steps + 1):
            _, g = self._loss_and_grad(z)
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * g**2
            z = z - 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
        loss, _ = self._loss_and_grad(z)
        best = np.argmin(loss, axis=-1)
        p = _softmax(np.take_along_axis(z, best[..., None, None], axis=-2)[..., 0, :])
        return p, n_starts * (n_steps + 1)

    def stable_fixed_points(
        self, rng: np.random.Generator, *, n_starts: int = 64, n_rounds: int = 2000
    ) -> np.ndarray:
        """The distinct stable fixed points p = r(p) that repeated retraining reaches from
        ``n_starts`` starts (each vertex and random points): (count, V). Needs base (V,)."""
        if self.base.ndim != 1:
            raise ValueError("stable_fixed_points needs a single base distribution (V,)")
        generator("rng", rng)
        n_starts = positive_int("n_starts", n_starts, minimum=self.vocab)
        starts = rng.dirichlet(np.ones(self.vocab), size=n_starts)
        starts[: self.vocab] = 0.98 * np.eye(self.vocab) + 0.02 / self.vocab
        log_base = np.log(self.base)
        p = starts
        for _ in range(positive_int("n_rounds", n_rounds)):
            p = _softmax(log_base + self.feedback * p)
        converged = np.max(np.abs(_softmax(log_base + self.feedback * p) - p), axis=1) < 1e-9
        found: list[np.ndarray] = []
        for q in p[converged]:
            if all(np.max(np.abs(q - f)) > 1e-6 for f in found):
                found.append(q)
        order = np.argsort([-f.max() for f in found])
        return np.array([found[i] for i in order]).reshape(-1, self.vocab)
