"""daopt.nn: the MLP's backward pass agrees with finite differences; Adam works."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt.nn import MLP, Adam


def loss_of(net: MLP, inputs: np.ndarray, weights: np.ndarray) -> float:
    """A scalar loss with a non-trivial gradient: a weighted sum of the outputs."""
    return float(np.sum(net.forward(inputs) * weights))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6))
@settings(max_examples=25, deadline=None)
def test_backward_matches_finite_differences(activation: str, seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    net = MLP([3, 5, 4, 2], rng, activation=activation)
    # Random biases keep ReLU pre-activations off the kink at exactly 0, where
    # the derivative is undefined (a zero bias after a dead layer sits on it).
    for param in net.params:
        param += rng.normal(0.0, 0.1, size=param.shape)
    inputs = rng.normal(size=(n, 3))
    weights = rng.normal(size=(n, 2))
    _, cache = net.forward_cached(inputs)
    grads = net.backward(cache, weights)
    h = 1e-6
    for param, grad in zip(net.params, grads, strict=True):
        assert grad.shape == param.shape
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + h
            up = loss_of(net, inputs, weights)
            param[index] = saved - h
            down = loss_of(net, inputs, weights)
            param[index] = saved
            numeric[index] = (up - down) / (2 * h)
        assert np.allclose(grad, numeric, rtol=1e-4, atol=1e-5), (grad, numeric)


def test_initialisation_is_seeded_and_shaped() -> None:
    a = MLP([1, 8, 1], np.random.default_rng(3))
    b = MLP([1, 8, 1], np.random.default_rng(3))
    assert all(np.array_equal(p, q) for p, q in zip(a.params, b.params, strict=True))
    assert [p.shape for p in a.params] == [(1, 8), (8,), (8, 1), (1,)]
    assert a.n_params == 8 + 8 + 8 + 1


def test_adam_fits_a_linear_map() -> None:
    rng = np.random.default_rng(0)
    net = MLP([2, 1], rng)
    inputs = rng.normal(size=(256, 2))
    targets = inputs @ np.array([[2.0], [-1.0]]) + 0.5
    optimiser = Adam(net.params, learning_rate=0.05)
    for _ in range(500):
        outputs, cache = net.forward_cached(inputs)
        optimiser.step(net.backward(cache, (outputs - targets) / len(inputs)))
    assert np.allclose(net.params[0][:, 0], [2.0, -1.0], atol=1e-3)
    assert np.allclose(net.params[1], [0.5], atol=1e-3)


net = MLP([2, 3, 1], np.random.default_rng(0))


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: MLP([2], np.random.default_rng(0)), ValueError, "at least an input and an output"),
        (lambda: MLP("23", np.random.default_rng(0)), TypeError, "sizes must be a sequence"),
        (
            lambda: MLP([2, 0, 1], np.random.default_rng(0)),
            ValueError,
            "sizes[1] must be >= 1, got 0",
        ),
        (
            lambda: MLP([2, 1], 42),
            TypeError,
            "rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)), got 42",
        ),
        (
            lambda: MLP([2, 1], np.random.default_rng(0), activation="sigmoid"),
            ValueError,
            "activation must be one of ('tanh', 'relu'), got 'sigmoid'",
        ),
        (lambda: net.forward(np.zeros((4, 3))), ValueError, "inputs must have 2 columns"),
        (lambda: net.forward(np.zeros(2)), ValueError, "inputs must be 2-D"),
        (
            lambda: net.backward(net.forward_cached(np.zeros((4, 2)))[1], np.zeros((3, 1))),
            ValueError,
            "grad_outputs must have 4 rows",
        ),
        (lambda: Adam(net.params, learning_rate=-1.0), ValueError, "learning_rate"),
        (lambda: Adam(net.params, beta1=1.0), ValueError, "beta1 must be in [0, 1), got 1.0"),
        (lambda: Adam(net.params).step([np.zeros(1)]), ValueError, "expected 4 gradients, got 1"),
        (
            lambda: Adam(net.params).step([np.zeros((1, 1))] * 4),
            ValueError,
            "gradient shape (1, 1) does not match parameter shape (2, 3)",
        ),
    ],
)
def test_bad_input_is_rejected_clearly(call, error, fragment) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        call()
