"""daopt.nn: the MLP's backward pass agrees with finite differences (also through the
losses); Adam and SGD train; networks save and load exactly; bad input is rejected."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt.nn import (
    MLP,
    SGD,
    Adam,
    TrainLog,
    masked_softmax,
    mse,
    softmax_cross_entropy,
    train,
)


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


def test_adam_weight_decay_shrinks_matrices_not_biases() -> None:
    net = MLP([2, 3, 1], np.random.default_rng(0))
    net.params[1][:] = 1.0
    before = [p.copy() for p in net.params]
    optimiser = Adam(net.params, learning_rate=0.1, weight_decay=0.5)
    optimiser.step([np.zeros_like(p) for p in net.params])  # a zero gradient: decay alone
    for p, q in zip(net.params, before, strict=True):
        assert np.allclose(p, q * (1 - 0.1 * 0.5) if q.ndim == 2 else q)
    # Without decay the same step leaves every parameter as it was.
    plain = MLP([2, 3, 1], np.random.default_rng(0))
    kept = [p.copy() for p in plain.params]
    Adam(plain.params, learning_rate=0.1).step([np.zeros_like(p) for p in plain.params])
    assert all(np.array_equal(p, q) for p, q in zip(plain.params, kept, strict=True))


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
        (lambda: Adam(net.params, weight_decay=-0.1), ValueError, "weight_decay"),
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


# --- losses ----------------------------------------------------------------------


def numeric_param_grads(net: MLP, loss: Callable[[], float], h: float = 1e-6) -> list[np.ndarray]:
    """Central finite differences of ``loss()`` with respect to every parameter."""
    out = []
    for param in net.params:
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + h
            up = loss()
            param[index] = saved - h
            down = loss()
            param[index] = saved
            numeric[index] = (up - down) / (2 * h)
        out.append(numeric)
    return out


def random_mask(rng: np.random.Generator, n: int, a: int) -> np.ndarray:
    """A random legal-move mask with at least one legal action per row."""
    mask = rng.random((n, a)) < 0.6
    mask[np.arange(n), rng.integers(a, size=n)] = True
    return mask


@pytest.mark.parametrize("target_kind", ["actions", "distribution"])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5))
@settings(max_examples=20, deadline=None)
def test_masked_cross_entropy_gradient_through_the_network(
    target_kind: str, seed: int, n: int
) -> None:
    rng = np.random.default_rng(seed)
    net = MLP([3, 6, 5], rng, activation="tanh")
    for param in net.params:
        param += rng.normal(0.0, 0.1, size=param.shape)
    inputs = rng.normal(size=(n, 3))
    mask = random_mask(rng, n, 5)
    if target_kind == "actions":
        targets = np.array([rng.choice(np.flatnonzero(row)) for row in mask])
    else:
        weights = rng.random((n, 5)) * mask
        weights[weights.sum(axis=1) == 0] = mask[weights.sum(axis=1) == 0]
        targets = weights / weights.sum(axis=1, keepdims=True)
    logits, cache = net.forward_cached(inputs)
    _, grad_logits = softmax_cross_entropy(logits, targets, mask)
    assert np.all(grad_logits[~mask] == 0.0)
    grads = net.backward(cache, grad_logits)
    numeric = numeric_param_grads(
        net, lambda: softmax_cross_entropy(net.forward(inputs), targets, mask)[0]
    )
    for grad, num in zip(grads, numeric, strict=True):
        assert np.allclose(grad, num, rtol=1e-4, atol=1e-6), (grad, num)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), d=st.integers(1, 3))
@settings(max_examples=20, deadline=None)
def test_mse_gradient_through_the_network(seed: int, n: int, d: int) -> None:
    rng = np.random.default_rng(seed)
    net = MLP([2, 4, d], rng, activation="relu")
    for param in net.params:
        param += rng.normal(0.0, 0.1, size=param.shape)
    inputs, targets = rng.normal(size=(n, 2)), rng.normal(size=(n, d))
    outputs, cache = net.forward_cached(inputs)
    loss, grad = mse(outputs, targets)
    assert loss == pytest.approx(np.mean((outputs - targets) ** 2))
    grads = net.backward(cache, grad)
    numeric = numeric_param_grads(net, lambda: mse(net.forward(inputs), targets)[0])
    for g, num in zip(grads, numeric, strict=True):
        assert np.allclose(g, num, rtol=1e-4, atol=1e-6), (g, num)


def test_masked_softmax_is_stable_and_ignores_illegal_logits() -> None:
    logits = np.array([[1000.0, 0.0, -1000.0, 3.0], [-5e3, -5e3 - 1.0, 2.0, 7e4]])
    mask = np.array([[True, True, False, True], [True, True, True, False]])
    probs = masked_softmax(logits, mask)
    assert np.all(np.isfinite(probs))
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert np.all(probs[~mask] == 0.0)
    # Row 2: the huge illegal logit must not matter; softmax of the legal ones.
    legal = logits[1, :3] - logits[1, :3].max()
    assert np.allclose(probs[1, :3], np.exp(legal) / np.exp(legal).sum())
    changed = logits.copy()
    changed[~mask] = [-3.0, 9e9]
    assert np.array_equal(masked_softmax(changed, mask), probs)
    loss, grad = softmax_cross_entropy(logits, np.array([0, 2]), mask)
    assert np.isfinite(loss)
    assert softmax_cross_entropy(changed, np.array([0, 2]), mask)[0] == loss
    assert np.all(grad[~mask] == 0.0)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), a=st.integers(1, 7))
@settings(max_examples=30, deadline=None)
def test_cross_entropy_matches_its_definition(seed: int, n: int, a: int) -> None:
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, size=(n, a))
    mask = random_mask(rng, n, a)
    actions = np.array([rng.choice(np.flatnonzero(row)) for row in mask])
    loss, grad = softmax_cross_entropy(logits, actions, mask)
    probs = masked_softmax(logits, mask)
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(n), actions])))
    one_hot = np.eye(a)[actions]
    loss_2, grad_2 = softmax_cross_entropy(logits, one_hot, mask)
    assert loss_2 == pytest.approx(loss) and np.allclose(grad_2, grad)
    assert np.allclose(grad, (probs - one_hot) / n)
    # Without a mask every action is legal: the usual softmax.
    full = masked_softmax(logits)
    assert np.allclose(full, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))


# --- optimisers and the training loop ---------------------------------------------


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_fits_a_linear_map(momentum: float) -> None:
    rng = np.random.default_rng(1)
    net = MLP([2, 1], rng)
    inputs = rng.normal(size=(256, 2))
    targets = inputs @ np.array([[2.0], [-1.0]]) + 0.5
    optimiser = SGD(net.params, learning_rate=0.05, momentum=momentum)
    for _ in range(800):
        outputs, cache = net.forward_cached(inputs)
        optimiser.step(net.backward(cache, mse(outputs, targets)[1]))
    assert np.allclose(net.params[0][:, 0], [2.0, -1.0], atol=1e-3)
    assert np.allclose(net.params[1], [0.5], atol=1e-3)


def spirals(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals: a toy problem no linear model can separate."""
    labels = rng.integers(2, size=n)
    t = rng.uniform(0.5, 3.0, size=n)
    angle = 2.5 * t + np.pi * labels
    points = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    return points + rng.normal(0, 0.05, size=points.shape), labels


@pytest.mark.parametrize(
    ("make_optimiser", "epochs"),
    [
        (lambda params: Adam(params, learning_rate=0.01), 60),
        (lambda params: SGD(params, learning_rate=0.1, momentum=0.9), 60),
    ],
)
def test_training_separates_two_spirals(make_optimiser, epochs: int) -> None:
    rng = np.random.default_rng(0)
    inputs, labels = spirals(rng, 400)
    net = MLP([2, 32, 32, 2], rng, activation="tanh")

    def accuracy(model: MLP) -> float:
        return float(np.mean(np.argmax(model.forward(inputs), axis=1) == labels))

    start = accuracy(net)
    log = train(
        net,
        inputs,
        lambda logits, rows: softmax_cross_entropy(logits, labels[rows]),
        optimiser=make_optimiser(net.params),
        n_epochs=epochs,
        batch_size=32,
        rng=rng,
        evaluate=accuracy,
    )
    assert start < 0.8
    assert log.evaluations[-1] >= 0.95, log.evaluations
    assert log.epoch_losses[-1] < 0.5 * log.epoch_losses[0]
    assert log.examples == epochs * 400 and log.steps == epochs * 13


def test_train_is_reproducible_and_resumable() -> None:
    def run(split: bool) -> tuple[MLP, list[float]]:
        rng = np.random.default_rng(4)
        inputs, labels = spirals(rng, 50)
        net = MLP([2, 8, 2], rng)
        optimiser = Adam(net.params, learning_rate=0.01)
        loss = lambda logits, rows: softmax_cross_entropy(logits, labels[rows])  # noqa: E731
        kwargs = {"optimiser": optimiser, "batch_size": 16, "rng": rng}
        if split:
            losses = train(net, inputs, loss, n_epochs=2, **kwargs).epoch_losses
            losses += train(net, inputs, loss, n_epochs=3, **kwargs).epoch_losses
        else:
            losses = train(net, inputs, loss, n_epochs=5, **kwargs).epoch_losses
        return net, losses

    (a, la), (b, lb), (c, lc) = run(False), run(False), run(True)
    assert la == lb == lc
    for p, q, r in zip(a.params, b.params, c.params, strict=True):
        assert np.array_equal(p, q) and np.array_equal(p, r)
    assert TrainLog().examples == 0


# --- saving and loading ---------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_save_load_round_trip_is_exact(tmp_path, activation: str) -> None:
    rng = np.random.default_rng(9)
    net = MLP([4, 7, 3, 2], rng, activation=activation)
    path = tmp_path / "net.npz"
    net.save(path)
    loaded = MLP.load(path)
    assert loaded.sizes == net.sizes and loaded.activation == net.activation
    assert all(np.array_equal(p, q) for p, q in zip(net.params, loaded.params, strict=True))
    inputs = rng.normal(size=(5, 4))
    assert np.array_equal(loaded.forward(inputs), net.forward(inputs))
    # The copy is independent of the original.
    loaded.params[0] += 1.0
    assert not np.array_equal(loaded.params[0], net.params[0])
    MLP.load(str(path))  # a str path works too
    assert repr(loaded) == f"MLP(sizes=(4, 7, 3, 2), activation={activation!r})"


def tampered(tmp_path, **changes) -> str:
    """A saved network with some arrays replaced (None deletes one)."""
    net = MLP([2, 3, 1], np.random.default_rng(0))
    path = tmp_path / "good.npz"
    net.save(path)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    for key, value in changes.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    return str(bad)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"format": np.array("something else")}, "is not an MLP saved by daopt.nn"),
        ({"format": None}, "is not an MLP saved by daopt.nn"),
        ({"activation": np.array("sigmoid")}, "activation must be one of"),
        ({"sizes": np.array([2])}, "'sizes' must list at least two layer widths"),
        ({"sizes": np.array([2, 0, 1])}, "'sizes' must be positive integers"),
        ({"sizes": np.array([2, 4, 1])}, "param_0 must be float64 with shape (2, 4)"),
        ({"param_3": None}, "need 4 parameter arrays, found 3"),
        ({"param_1": np.zeros(3, dtype=np.float32)}, "param_1 must be float64 with shape (3,)"),
        ({"param_2": np.full((3, 1), np.nan)}, "param_2 has non-finite entries"),
    ],
)
def test_load_rejects_inconsistent_files(tmp_path, changes, fragment) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)):
        MLP.load(tampered(tmp_path, **changes))


def test_save_and_load_need_an_npz_path(tmp_path) -> None:
    with pytest.raises(ValueError, match=re.escape("path must end in '.npz'")):
        net.save(tmp_path / "net.bin")
    with pytest.raises(TypeError, match=re.escape("path must be a str or os.PathLike")):
        MLP.load(3)
    with pytest.raises(FileNotFoundError):
        MLP.load(tmp_path / "missing.npz")


mask_2x3 = np.array([[True, False, True], [False, True, True]])


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: masked_softmax(np.zeros(3)), ValueError, "logits must be 2-D"),
        (lambda: masked_softmax("x"), TypeError, "logits must be a 2-D array"),
        (
            lambda: masked_softmax(np.zeros((2, 3)), mask_2x3.astype(int)),
            TypeError,
            "legal_mask must be a boolean array, got dtype int64",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), mask_2x3[:, :2]),
            ValueError,
            "legal_mask must have the shape of logits (2, 3), got (2, 2)",
        ),
        (
            lambda: masked_softmax(np.zeros((2, 3)), np.array([[True] * 3, [False] * 3])),
            ValueError,
            "legal_mask row 1 has no legal action",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([1, 1]), mask_2x3),
            ValueError,
            "target action 1 in row 0 is illegal",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])),
            ValueError,
            "target action 3 in row 1 is not in 0..2",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])),
            TypeError,
            "target actions (n,) must be integers",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2])),
            ValueError,
            "targets must have 2 entries (one per row), got 3",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.full((2, 3), 0.5)),
            ValueError,
            "target rows must be probabilities",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.eye(3)[[1, 2]], mask_2x3),
            ValueError,
            "targets put probability on an illegal action in row 0",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.eye(3)[[0, 1, 2]]),
            ValueError,
            "targets must have 2 rows, got shape (3, 3)",
        ),
        (
            lambda: softmax_cross_entropy(np.zeros((2, 3)), np.zeros((2, 3, 1))),
            ValueError,
            "targets must be actions (n,) or probabilities (n, a)",
        ),
        (lambda: softmax_cross_entropy(np.zeros((2, 3)), None), TypeError, "targets must be"),
        (
            lambda: mse(np.zeros(3), np.zeros((3, 1))),
            ValueError,
            "pred and target must have the same shape, got (3,) and (3, 1)",
        ),
        (lambda: mse(np.zeros(0), np.zeros(0)), ValueError, "pred must be a non-empty"),
        (lambda: mse(np.zeros(2), [np.inf, 0]), ValueError, "target must be finite"),
        (lambda: mse("ab", np.zeros(2)), TypeError, "pred must be an array of numbers"),
        (lambda: SGD(net.params, learning_rate=0.0), ValueError, "learning_rate"),
        (lambda: SGD(net.params, momentum=1.0), ValueError, "momentum must be in [0, 1), got 1.0"),
        (lambda: SGD(net.params).step([np.zeros(1)]), ValueError, "expected 4 gradients, got 1"),
        (
            lambda: train(
                net,
                np.zeros((4, 2)),
                mse,
                optimiser=Adam(MLP([2, 1], np.random.default_rng(0)).params),
                n_epochs=1,
                batch_size=2,
                rng=np.random.default_rng(0),
            ),
            ValueError,
            "optimiser must be built on this network's params",
        ),
        (
            lambda: train(
                net,
                np.zeros((4, 3)),
                mse,
                optimiser=Adam(net.params),
                n_epochs=1,
                batch_size=2,
                rng=np.random.default_rng(0),
            ),
            ValueError,
            "inputs must have 2 columns",
        ),
        (
            lambda: train(
                net,
                np.zeros((4, 2)),
                mse,
                optimiser=Adam(net.params),
                n_epochs=0,
                batch_size=2,
                rng=np.random.default_rng(0),
            ),
            ValueError,
            "n_epochs must be >= 1, got 0",
        ),
        (
            lambda: train(
                net,
                np.zeros((4, 2)),
                mse,
                optimiser=Adam(net.params),
                n_epochs=1,
                batch_size=2,
                rng=0,
            ),
            TypeError,
            "rng must be a numpy.random.Generator",
        ),
        (
            lambda: train(
                net,
                np.zeros((4, 2)),
                "mse",
                optimiser=Adam(net.params),
                n_epochs=1,
                batch_size=2,
                rng=np.random.default_rng(0),
            ),
            TypeError,
            "loss_fn must be callable",
        ),
        (
            lambda: train(
                "net",
                np.zeros((4, 2)),
                mse,
                optimiser=Adam(net.params),
                n_epochs=1,
                batch_size=2,
                rng=np.random.default_rng(0),
            ),
            TypeError,
            "net must be a daopt.nn.MLP",
        ),
        (
            lambda: train(
                net,
                np.zeros((0, 2)),
                mse,
                optimiser=Adam(net.params),
                n_epochs=1,
                batch_size=2,
                rng=np.random.default_rng(0),
            ),
            ValueError,
            "inputs must have at least one row",
        ),
    ],
)
def test_bad_loss_and_training_input_is_rejected(call, error, fragment) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        call()


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_optimisers_refuse_non_finite_gradients_instead_of_poisoning_the_weights(bad) -> None:
    refused = 0
    for make in (lambda p: Adam(p), lambda p: SGD(p, momentum=0.5)):
        net = MLP([2, 3, 1], np.random.default_rng(0))
        before = [p.copy() for p in net.params]
        grads = [np.zeros_like(p) for p in net.params]
        grads[0][0, 0] = bad
        with pytest.raises(ValueError, match="not finite: training diverged"):
            make(net.params).step(grads)
        assert all(np.array_equal(a, b) for a, b in zip(before, net.params, strict=True))
        refused += 1
    assert refused == 2
