"""A tiny multilayer perceptron in numpy: dense layers, tanh or ReLU, manual
backpropagation, the Adam and SGD optimisers, the losses the book trains with
(softmax cross-entropy over legal moves, mean squared error), a mini-batch
training loop, and saving to ``.npz``.

Shapes: inputs (n, sizes[0]) -> outputs (n, sizes[-1]). Parameters are a flat
list [W0, b0, W1, b1, ...] with W_i of shape (sizes[i], sizes[i+1]) and b_i of
shape (sizes[i+1],); gradients come back in the same order and shapes.
"""

from __future__ import annotations

import itertools
import os
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from daopt.validation import (
    as_array,
    as_matrix,
    generator,
    positive_float,
    positive_int,
    returned_number,
)

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "SGD",
    "Adam",
    "ForwardCache",
    "LossFn",
    "Optimiser",
    "TrainLog",
    "layer_widths",
    "make_optimiser",
    "masked_softmax",
    "mse",
    "softmax_cross_entropy",
    "tanh_mse",
    "train",
]

ACTIVATIONS = ("tanh", "relu")
_FILE_FORMAT = "daopt.nn.MLP/1"


@dataclass
class ForwardCache:
    """What the backward pass needs: each layer's input and pre-activation."""

    layer_inputs: list[np.ndarray]
    pre_activations: list[np.ndarray]
    #: the network whose ``forward_cached`` made it (None: made by hand)
    owner: Any = field(default=None, repr=False, compare=False)


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
        cache = ForwardCache([], [], owner=self)
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
        _check_cache(self, cache)
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

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the sizes, activation and parameters to ``path`` (a ``.npz`` file)."""
        path = _npz_path(path)
        arrays = {f"param_{i}": p for i, p in enumerate(self.params)}
        np.savez(
            path,
            format=np.array(_FILE_FORMAT),
            sizes=np.array(self.sizes, dtype=np.int64),
            activation=np.array(self.activation),
            **arrays,
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MLP:
        """The network saved at ``path`` by ``save``, checked for consistent shapes."""
        path = _npz_path(path)
        contents = _read_npz(path)
        file_format = contents.get("format")
        if file_format is None or file_format.shape != () or file_format.item() != _FILE_FORMAT:
            raise ValueError(f"{path} is not an MLP saved by daopt.nn (no format {_FILE_FORMAT!r})")
        sizes_arr = contents.get("sizes")
        if sizes_arr is None or sizes_arr.ndim != 1 or sizes_arr.size < 2:
            raise ValueError(f"{path}: 'sizes' must list at least two layer widths")
        if not np.issubdtype(sizes_arr.dtype, np.integer) or np.any(sizes_arr < 1):
            raise ValueError(f"{path}: 'sizes' must be positive integers, got {sizes_arr}")
        activation_arr = contents.get("activation", np.array(""))
        if activation_arr.shape != ():
            raise ValueError(
                f"{path}: 'activation' must be one name, got shape {activation_arr.shape}"
            )
        activation = str(activation_arr.item())
        if activation not in ACTIVATIONS:
            raise ValueError(f"{path}: activation must be one of {ACTIVATIONS}, got {activation!r}")
        sizes = tuple(int(w) for w in sizes_arr)
        expected = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            expected += [(fan_in, fan_out), (fan_out,)]
        names = [f"param_{i}" for i in range(len(expected))]
        found = {k for k in contents if k.startswith("param_")}
        if found != set(names):
            raise ValueError(
                f"{path}: sizes {sizes} need {len(expected)} parameter arrays, found {len(found)}"
            )
        params = []
        for name, shape in zip(names, expected, strict=True):
            array = contents[name]
            if array.shape != shape or array.dtype != np.float64:
                raise ValueError(
                    f"{path}: {name} must be float64 with shape {shape} for sizes {sizes}, "
                    f"got {array.dtype} with shape {array.shape}"
                )
            if not np.all(np.isfinite(array)):
                raise ValueError(f"{path}: {name} has non-finite entries")
            params.append(array.copy())
        net = cls.__new__(cls)
        net.sizes, net.activation, net.params = sizes, activation, params
        return net

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, activation={self.activation!r})"


def _check_cache(net: MLP, cache: Any) -> None:
    """A cache made by ``net.forward_cached`` (or by hand with ``net``'s layer widths)."""
    if not isinstance(cache, ForwardCache):
        raise TypeError(f"cache must be the ForwardCache of net.forward_cached, got {cache!r}")
    if cache.owner is not None and cache.owner is not net:
        raise ValueError(
            f"cache was made by another network's forward_cached ({cache.owner!r}), not this "
            f"one's ({net!r}): its gradients would be wrong"
        )
    layers = len(net.params) // 2
    if len(cache.layer_inputs) != layers or len(cache.pre_activations) != layers:
        raise ValueError(f"cache must hold {layers} layers for {net!r}")
    for i in range(layers):
        inputs, pre = np.shape(cache.layer_inputs[i]), np.shape(cache.pre_activations[i])
        if len(inputs) != 2 or inputs[1] != net.sizes[i] or pre != (inputs[0], net.sizes[i + 1]):
            raise ValueError(
                f"cache layer {i} has shapes {inputs} and {pre}, which do not fit {net!r}"
            )


def _check_params(params: Any) -> list[np.ndarray]:
    """The list of float arrays an optimiser updates in place."""
    if not isinstance(params, list):
        raise TypeError(f"params must be a list of float arrays (e.g. net.params), got {params!r}")
    if not params:
        raise ValueError("params must hold at least one array")
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise TypeError(
                f"params[{i}] must be a float numpy array (updated in place; an integer array "
                f"would truncate every step), got {p!r}"
            )
        if not p.flags.writeable:
            raise ValueError(f"params[{i}] is read-only, so it cannot be updated in place")
    return params


class Adam:
    """Adam (Kingma and Ba, 2015) updating a list of arrays in place.

    ``weight_decay`` > 0 makes it AdamW (Loshchilov and Hutter, 2019): after each
    step every matrix (2-D parameter, not a bias) shrinks by
    ``learning_rate * weight_decay`` of itself, apart from the gradient's scaling."""

    def __init__(
        self,
        params: list[np.ndarray],
        learning_rate: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        self.params = _check_params(params)
        self.learning_rate = positive_float("learning_rate", learning_rate)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0.0 <= positive_float(name, beta, allow_zero=True) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = positive_float("eps", eps)
        self.weight_decay = positive_float("weight_decay", weight_decay, allow_zero=True)
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0
        # Two scratch arrays per parameter: the update then allocates nothing, which
        # halves its time for a network of a few hundred thousand weights.
        self._scratch = [(np.empty_like(p), np.empty_like(p)) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        """Apply one update; ``grads`` matches ``params`` in order and shapes.

        m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2;
        p -= learning_rate m_hat / (sqrt(v_hat) + eps), with the bias-corrected
        m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t)."""
        _check_grads(self.params, grads)
        self.t += 1
        m_scale, v_scale = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        for p, g, m, v, (step, denominator) in zip(
            self.params, grads, self.m, self.v, self._scratch, strict=True
        ):
            m *= self.beta1
            m += np.multiply(g, 1 - self.beta1, out=step)
            v *= self.beta2
            v += np.multiply(np.square(g, out=step), 1 - self.beta2, out=step)
            np.divide(v, v_scale, out=denominator)
            np.sqrt(denominator, out=denominator)
            denominator += self.eps
            np.divide(m, m_scale, out=step)
            step *= self.learning_rate
            step /= denominator
            p -= step
            if self.weight_decay > 0 and p.ndim == 2:
                p -= np.multiply(p, self.learning_rate * self.weight_decay, out=step)


class SGD:
    """Stochastic gradient descent, with optional (heavy-ball) momentum, in place.

    ``velocity = momentum * velocity + grad``; ``param -= learning_rate * velocity``.
    """

    def __init__(
        self, params: list[np.ndarray], learning_rate: float = 1e-2, momentum: float = 0.0
    ) -> None:
        self.params = _check_params(params)
        self.learning_rate = positive_float("learning_rate", learning_rate)
        if not 0.0 <= positive_float("momentum", momentum, allow_zero=True) < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        """Apply one update; ``grads`` matches ``params`` in order and shapes."""
        _check_grads(self.params, grads)
        for p, g, v in zip(self.params, grads, self.velocity, strict=True):
            v *= self.momentum
            v += g
            p -= self.learning_rate * v


class Optimiser(Protocol):
    """What ``train`` needs of an optimiser: its parameters and ``step(grads)``."""

    params: list[np.ndarray]

    def step(self, grads: list[np.ndarray]) -> None: ...


def _check_grads(params: list[np.ndarray], grads: list[np.ndarray]) -> None:
    if len(grads) != len(params):
        raise ValueError(f"expected {len(params)} gradients, got {len(grads)}")
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        if np.shape(g) != p.shape:
            raise ValueError(
                f"gradient shape {np.shape(g)} does not match parameter shape {p.shape}"
            )
        if not np.all(np.isfinite(g)):
            # A step on NaN or inf would poison every parameter for good.
            raise ValueError(
                f"gradient {i} is not finite: training diverged; try a smaller learning rate"
            )


def make_optimiser(
    name: str, params: list[np.ndarray], learning_rate: float, momentum: float = 0.0
) -> Optimiser:
    """``Adam`` ("adam") or ``SGD`` ("sgd", with ``momentum``) on ``params``.

    Args:
        name: "adam" or "sgd".
        params: the arrays to update in place (``net.params``).
        learning_rate: the step size.
        momentum: SGD's momentum; must be 0 with Adam.
    """
    if name == "adam":
        if momentum:
            raise ValueError(f"momentum is an SGD setting; Adam does not use it, got {momentum!r}")
        return Adam(params, learning_rate=learning_rate)
    if name == "sgd":
        return SGD(params, learning_rate=learning_rate, momentum=momentum)
    raise ValueError(f"optimiser must be 'adam' or 'sgd', got {name!r}")


def layer_widths(hidden: Any) -> tuple[int, ...]:
    """``hidden`` as a tuple of positive layer widths."""
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden must be a sequence of layer widths, got {hidden!r}")
    return tuple(positive_int(f"hidden[{i}]", h) for i, h in enumerate(hidden))


def _read_npz(path: str) -> dict[str, np.ndarray]:
    """Every array in the ``.npz`` file at ``path``; one ValueError naming the file for
    anything that is not a readable ``.npz`` archive (empty, truncated, corrupted,
    a ``.npy`` renamed, a pickle); FileNotFoundError if there is no file."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    if os.path.getsize(path) == 0:
        raise ValueError(f"{path} is empty, not an .npz archive saved by MLP.save")
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{path} is not a readable .npz archive saved by MLP.save: {error}"
        ) from error
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} holds a single array (a .npy file renamed?), not an .npz archive")
    try:
        with data:
            return {name: data[name] for name in data.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as error:
        # A damaged member: a truncated archive or flipped bytes fail its CRC or its header.
        raise ValueError(
            f"{path} is a corrupted .npz archive (truncated or damaged?): "
            f"{type(error).__name__}: {error}"
        ) from error


def _npz_path(path: Any) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike ending in '.npz', got {path!r}")
    path = os.fspath(path)
    if not str(path).endswith(".npz"):
        # np.savez would silently append the suffix, and load would then miss the file.
        raise ValueError(f"path must end in '.npz', got {path!r}")
    return str(path)


# --- losses --------------------------------------------------------------------


def _legal_mask(legal_mask: Any, shape: tuple[int, int]) -> np.ndarray:
    """``legal_mask`` as a bool array of ``shape`` with a legal action in every row."""
    if legal_mask is None:
        return np.ones(shape, dtype=bool)
    mask = np.asarray(legal_mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"legal_mask must be a boolean array, got dtype {mask.dtype}")
    if mask.shape != shape:
        raise ValueError(f"legal_mask must have the shape of logits {shape}, got {mask.shape}")
    empty = ~mask.any(axis=1)
    if np.any(empty):
        raise ValueError(f"legal_mask row {int(np.argmax(empty))} has no legal action")
    return mask


def _masked_log_softmax(logits: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """log p (n, a), -inf where illegal; shifting by the largest legal logit avoids overflow."""
    z = np.where(mask, logits, -np.inf)
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def masked_softmax(logits: np.ndarray, legal_mask: np.ndarray | None = None) -> np.ndarray:
    """Probabilities (n, a) from logits (n, a); illegal actions get exactly 0.

    ``legal_mask`` (n, a) bool, every row with at least one True; None means all legal.
    """
    logits = as_matrix("logits", logits)
    mask = _legal_mask(legal_mask, logits.shape)
    return np.exp(_masked_log_softmax(logits, mask))


def _target_distribution(targets: Any, mask: np.ndarray) -> np.ndarray:
    """Targets as probabilities (n, a): one-hot from actions (n,) or given rows (n, a)."""
    n, a = mask.shape
    if isinstance(targets, (str, bytes)) or targets is None:
        raise TypeError(f"targets must be actions (n,) or probabilities (n, a), got {targets!r}")
    array = np.asarray(targets)
    if array.ndim == 1:
        if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"target actions (n,) must be integers, got dtype {array.dtype}")
        if array.shape[0] != n:
            raise ValueError(f"targets must have {n} entries (one per row), got {array.shape[0]}")
        if np.any((array < 0) | (array >= a)):
            bad = int(np.argmax((array < 0) | (array >= a)))
            raise ValueError(f"target action {int(array[bad])} in row {bad} is not in 0..{a - 1}")
        illegal = ~mask[np.arange(n), array]
        if np.any(illegal):
            bad = int(np.argmax(illegal))
            raise ValueError(f"target action {int(array[bad])} in row {bad} is illegal")
        probs = np.zeros((n, a))
        probs[np.arange(n), array] = 1.0
        return probs
    if array.ndim != 2:
        raise ValueError(f"targets must be actions (n,) or probabilities (n, a), got {array.shape}")
    probs = as_matrix("targets", array, columns=a)
    if probs.shape[0] != n:
        raise ValueError(f"targets must have {n} rows, got shape {probs.shape}")
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("target rows must be probabilities: non-negative, each summing to 1")
    if np.any(probs[~mask] > 0):
        row = int(np.argmax(np.any((probs > 0) & ~mask, axis=1)))
        raise ValueError(f"targets put probability on an illegal action in row {row}")
    return probs


def softmax_cross_entropy(
    logits: np.ndarray, targets: np.ndarray, legal_mask: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Mean over rows of -sum_a target_a log p_a, with p the softmax over legal actions.

    ``logits`` (n, a); ``targets`` either actions (n,) ints or probabilities (n, a) that
    put no mass on illegal actions; ``legal_mask`` (n, a) bool (None: all legal).
    Returns the loss and its gradient with respect to the logits, (n, a), which is
    (p - target) / n and exactly 0 at illegal actions.
    """
    logits = as_matrix("logits", logits)
    mask = _legal_mask(legal_mask, logits.shape)
    probs_target = _target_distribution(targets, mask)
    log_p = _masked_log_softmax(logits, mask)
    n = logits.shape[0]
    # 0 * log 0 counts as 0: only actions with target mass enter the sum.
    loss = -float(np.sum(probs_target * np.where(probs_target > 0, log_p, 0.0))) / n
    return loss, (np.exp(log_p) - probs_target) / n


def mse(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean over all entries of (pred - target)**2, and its gradient 2 (pred - target) / size.

    ``pred`` and ``target`` share one shape, (n,) or (n, d).
    """
    arrays = []
    for name, value in (("pred", pred), ("target", target)):
        array = as_array(name, value)
        if array.ndim not in (1, 2) or array.size == 0:
            raise ValueError(f"{name} must be a non-empty (n,) or (n, d) array, got {array.shape}")
        arrays.append(array)
    pred_arr, target_arr = arrays
    if pred_arr.shape != target_arr.shape:
        raise ValueError(
            f"pred and target must have the same shape, got {pred_arr.shape} and {target_arr.shape}"
        )
    residual = pred_arr - target_arr
    return float(np.mean(residual**2)), 2.0 * residual / residual.size


def tanh_mse(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """MSE of tanh(outputs (b, 1)) against targets (b,), and its gradient for the outputs (b, 1)."""
    pred = np.tanh(outputs[:, 0])
    loss, grad = mse(pred, targets)
    return loss, (grad * (1.0 - pred**2))[:, None]


# --- mini-batch training -------------------------------------------------------

#: ``loss_fn(outputs (b, out), rows (b,)) -> (loss, dloss/doutputs (b, out))``; ``rows``
#: are the batch's row indices into the training inputs, to look up targets and masks.
LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


@dataclass
class TrainLog:
    """One call of ``train``: the curves and the work done.

    | field | shape | meaning |
    |---|---|---|
    | ``step_losses`` | (steps,) | each mini-batch's loss |
    | ``epoch_losses`` | (epochs,) | the mean mini-batch loss of each epoch (epoch mode) |
    | ``evaluations`` | (epochs,) | ``evaluate(net)`` after each epoch (empty without it) |

    ``examples`` counts examples passed forward and backward; ``steps`` optimiser steps.
    """

    epoch_losses: list[float] = field(default_factory=list)
    evaluations: list[float] = field(default_factory=list)
    examples: int = 0
    steps: int = 0
    step_losses: list[float] = field(default_factory=list)


def train(
    net: MLP,
    inputs: np.ndarray,
    loss_fn: LossFn,
    *,
    optimiser: Optimiser,
    batch_size: int,
    rng: np.random.Generator,
    n_epochs: int | None = None,
    steps: int | None = None,
    evaluate: Callable[[MLP], float] | None = None,
) -> TrainLog:
    """Mini-batch training of ``net`` on the rows of ``inputs``: the book's one training loop.

    Two ways to draw the batches (give exactly one of ``n_epochs`` and ``steps``):
    ``n_epochs`` visits every row once per epoch, in an order drawn from ``rng``;
    ``steps`` draws each batch of ``batch_size`` rows uniformly with replacement
    (fresh data every step, as for chapter 1's contexts). The optimiser keeps its
    state, so calling ``train`` again continues where it stopped.

    Args:
        net: the network, updated in place.
        inputs: (n, sizes[0]) training inputs.
        loss_fn: ``loss_fn(outputs (b, out), rows (b,)) -> (loss, dloss/doutputs (b, out))``.
        optimiser: built on ``net.params`` (e.g. ``Adam(net.params)``).
        batch_size: rows per optimiser step.
        rng: orders (or draws) the batches.
        n_epochs: passes over the data (epoch mode).
        steps: optimiser steps (sampling mode).
        evaluate: ``evaluate(net)`` after each epoch (epoch mode only).
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
    data = as_matrix("inputs", inputs, columns=net.sizes[0])
    if data.shape[0] == 0:
        raise ValueError("inputs must have at least one row")
    if not callable(loss_fn):
        raise TypeError(
            f"loss_fn must be callable (outputs, rows) -> (loss, grad), got {loss_fn!r}"
        )
    if not hasattr(optimiser, "step") or getattr(optimiser, "params", None) is not net.params:
        raise ValueError("optimiser must be built on this network's params, e.g. Adam(net.params)")
    if (n_epochs is None) == (steps is None):
        raise ValueError("give exactly one of n_epochs (epoch mode) and steps (sampling mode)")
    batch_size = positive_int("batch_size", batch_size)
    generator("rng", rng)
    if evaluate is not None and not callable(evaluate):
        raise TypeError(f"evaluate must be callable net -> float, got {evaluate!r}")
    n = data.shape[0]
    log = TrainLog()

    def step(rows: np.ndarray) -> float:
        outputs, cache = net.forward_cached(data[rows])
        returned = loss_fn(outputs, rows)
        if not isinstance(returned, (tuple, list)) or len(returned) != 2:
            raise TypeError(f"loss_fn must return (loss, grad), got {returned!r}")
        loss = returned_number("loss_fn's loss", returned[0])
        optimiser.step(net.backward(cache, returned[1]))
        log.steps += 1
        log.step_losses.append(loss)
        return loss

    if steps is not None:
        steps = positive_int("steps", steps)
        if evaluate is not None:
            raise ValueError("evaluate runs after each epoch, so it needs n_epochs")
        for _ in range(steps):
            step(rng.integers(0, n, size=batch_size))
        log.examples += steps * batch_size
        return log
    n_epochs = positive_int("n_epochs", n_epochs)
    for _ in range(n_epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            total += step(rows) * rows.shape[0]
        log.examples += n
        log.epoch_losses.append(total / n)
        if evaluate is not None:
            log.evaluations.append(returned_number("evaluate(net)", evaluate(net)))
    return log
