"""A tiny multilayer perceptron in numpy: dense layers, tanh or ReLU, manual
backpropagation and the Adam optimiser.

Shapes: inputs (n, sizes[0]) -> outputs (n, sizes[-1]). Parameters are a flat
list [W0, b0, W1, b1, ...] with W_i of shape (sizes[i], sizes[i+1]) and b_i of
shape (sizes[i+1],); gradients come back in the same order and shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from daopt.validation import as_matrix, generator, positive_float, positive_int

ACTIVATIONS = ("tanh", "relu")


@dataclass
class ForwardCache:
    """What the backward pass needs: each layer's input and pre-activation."""

    layer_inputs: list[np.ndarray]
    pre_activations: list[np.ndarray]


class MLP:
    """Fully connected network; hidden layers use ``activation``, the output is linear."""

    def __init__(
        self, sizes: Sequence[int], rng: np.random.Generator, activation: str = "tanh"
    ) -> None:
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
            raise TypeError(f"sizes must be a sequence of layer widths, got {sizes!r}")
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output width, got {sizes!r}")
        self.sizes = tuple(positive_int(f"sizes[{i}]", s) for i, s in enumerate(sizes))
        generator("rng", rng)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        self.activation = activation
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            # Glorot scaling keeps tanh units out of saturation at the start;
            # He scaling does the same job for ReLU.
            scale = np.sqrt((2.0 if activation == "relu" else 1.0) / fan_in)
            self.params.append(rng.normal(0.0, scale, size=(fan_in, fan_out)))
            self.params.append(np.zeros(fan_out))

    @property
    def n_params(self) -> int:
        """Number of scalar parameters."""
        return sum(p.size for p in self.params)

    def _act(self, z: np.ndarray) -> np.ndarray:
        return np.tanh(z) if self.activation == "tanh" else np.maximum(z, 0.0)

    def _act_grad(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        return 1.0 - a**2 if self.activation == "tanh" else (z > 0).astype(float)

    def forward_cached(self, inputs: np.ndarray) -> tuple[np.ndarray, ForwardCache]:
        """Outputs (n, sizes[-1]) and the cache that ``backward`` needs."""
        a = as_matrix("inputs", inputs, columns=self.sizes[0])
        cache = ForwardCache([], [])
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            weights, bias = self.params[2 * i], self.params[2 * i + 1]
            cache.layer_inputs.append(a)
            z = a @ weights + bias
            cache.pre_activations.append(z)
            a = z if i == n_layers - 1 else self._act(z)
        return a, cache

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """Outputs, shape (n, sizes[-1])."""
        return self.forward_cached(inputs)[0]

    def backward(self, cache: ForwardCache, grad_outputs: np.ndarray) -> list[np.ndarray]:
        """Gradients of a loss with respect to ``params``, given dloss/doutputs (n, sizes[-1])."""
        n = cache.layer_inputs[0].shape[0]
        delta = as_matrix("grad_outputs", grad_outputs, columns=self.sizes[-1])
        if delta.shape[0] != n:
            raise ValueError(f"grad_outputs must have {n} rows, got shape {delta.shape}")
        grads: list[np.ndarray] = [np.empty(0)] * len(self.params)
        for i in reversed(range(len(self.params) // 2)):
            grads[2 * i] = cache.layer_inputs[i].T @ delta
            grads[2 * i + 1] = delta.sum(axis=0)
            if i > 0:
                upstream = delta @ self.params[2 * i].T
                # layer_inputs[i] is the activation of layer i-1's pre-activation
                delta = upstream * self._act_grad(
                    cache.pre_activations[i - 1], cache.layer_inputs[i]
                )
        return grads


class Adam:
    """Adam (Kingma and Ba, 2015) updating a list of arrays in place."""

    def __init__(
        self,
        params: list[np.ndarray],
        learning_rate: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        self.params = params
        self.learning_rate = positive_float("learning_rate", learning_rate)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= positive_float(name, beta, allow_zero=True) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = positive_float("eps", eps)
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        """Apply one update; ``grads`` matches ``params`` in order and shapes."""
        if len(grads) != len(self.params):
            raise ValueError(f"expected {len(self.params)} gradients, got {len(grads)}")
        for p, g in zip(self.params, grads, strict=True):
            if np.shape(g) != p.shape:
                raise ValueError(
                    f"gradient shape {np.shape(g)} does not match parameter shape {p.shape}"
                )
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g**2
            m_hat = m / (1 - self.beta1**self.t)
            v_hat = v / (1 - self.beta2**self.t)
            p -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
