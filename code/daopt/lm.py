"""A language whose truth is known, and next-token models for it.

The source is a mixture of ``k`` order-1 Markov chains over ``V`` tokens, the
"authors": a sequence picks an author with probability ``weights[a]`` and then
writes with that author's transition matrix. Because the source is known, the
best possible predictor is computed exactly: the Bayes posterior over authors
given a prefix, the posterior predictive of the next token, and the entropy
rate of the source.

Next-token models (all return probabilities of shape (n, T, V) for tokens
(n, T): row ``t`` is the model's distribution of token ``t`` given tokens
``0..t-1``):

- ``NgramModel``: smoothed counts of the previous ``context`` tokens;
- ``NextTokenMLP``: a ``daopt.nn.MLP`` over features of the prefix, trained by
  cross-entropy, with two feature maps: ``WindowFeatures`` (one-hot of the last
  ``window`` tokens) and ``CountFeatures`` (the prefix's transition counts, a
  sufficient statistic for the author, and the last token);
- ``dirichlet_predictive``: the ideal in-context learner for a chain drawn from
  the Dirichlet prior, with no training at all;
- ``dynamic_evaluation``: a trained network that takes a gradient step on
  every token it has just predicted (Krause et al. 2018), a direct optimiser
  of its predictive loss at inference.

Decoding: ``generate`` (sampling at a temperature, or greedy) and
``beam_search`` (a direct search for a likely continuation).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from daopt import nn
from daopt.cost import BACKWARD_PASSES, DecisionCost
from daopt.validation import as_array, generator, positive_float, positive_int

__all__ = [
    "CountFeatures",
    "DynamicResult",
    "Features",
    "MarkovMixture",
    "NextTokenMLP",
    "NgramModel",
    "WindowFeatures",
    "beam_search",
    "check_tokens",
    "cross_entropy",
    "dirichlet_predictive",
    "dynamic_evaluation",
    "generate",
    "kl_per_position",
    "token_losses",
]


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(a - top), axis=axis))


def check_tokens(tokens: Any, vocab: int, *, name: str = "tokens") -> np.ndarray:
    """``tokens`` as an int array (n, T) with entries in 0..vocab-1 (a (T,) row is promoted)."""
    if isinstance(tokens, (str, bytes)) or tokens is None:
        raise TypeError(f"{name} must be an integer array (n, T), got {tokens!r}")
    array = np.asarray(tokens)
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integer tokens, got dtype {array.dtype}")
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2:
        raise ValueError(f"{name} must have shape (n, T) or (T,), got shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= vocab):
        bad = array[(array < 0) | (array >= vocab)][0]
        raise ValueError(f"{name} must be in 0..{vocab - 1}, got token {int(bad)}")
    return array.astype(np.int64)


def _stochastic_rows(name: str, value: Any, ndim: int, minimum: int = 2) -> np.ndarray:
    array = as_array(name, value, ndim=ndim)
    if array.shape[-1] < minimum:
        raise ValueError(
            f"{name} needs at least {minimum} entries on its last axis, got {array.shape}"
        )
    if np.any(array < 0) or not np.allclose(array.sum(axis=-1), 1.0, atol=1e-9):
        raise ValueError(f"{name} rows must be probabilities: non-negative, each summing to 1")
    return array / array.sum(axis=-1, keepdims=True)


class MarkovMixture:
    """A mixture of ``k`` order-1 Markov chains ("authors") over ``V`` tokens.

    ``transitions`` (k, V, V): row ``[a, i]`` is author ``a``'s distribution of
    the next token after token ``i``; every entry must be positive (so each
    chain has one stationary distribution and no sequence has probability 0).
    ``weights`` (k,): the prior over authors. ``initial`` (V,): the first
    token's distribution, the same for every author (default uniform), so that
    the transition counts of a prefix are a sufficient statistic for the author.
    """

    def __init__(
        self,
        transitions: Any,
        weights: Any | None = None,
        initial: Any | None = None,
    ) -> None:
        p = _stochastic_rows("transitions", transitions, 3)
        k, v, v2 = p.shape
        if v != v2:
            raise ValueError(f"transitions must have shape (k, V, V), got {p.shape}")
        if np.any(p <= 0):
            raise ValueError("transitions must be strictly positive (no impossible transition)")
        self.transitions = p
        self.weights = (
            np.full(k, 1.0 / k)
            if weights is None
            else _stochastic_rows("weights", weights, 1, minimum=1)
        )
        if self.weights.shape != (k,):
            raise ValueError(f"weights must have shape ({k},), got {self.weights.shape}")
        if np.any(self.weights <= 0):
            raise ValueError("weights must be strictly positive")
        self.initial = (
            np.full(v, 1.0 / v) if initial is None else _stochastic_rows("initial", initial, 1)
        )
        if self.initial.shape != (v,) or np.any(self.initial <= 0):
            raise ValueError(f"initial must be a positive distribution of shape ({v},)")
        self._log_p = np.log(self.transitions)

    @classmethod
    def random(
        cls, k: int, vocab: int, rng: np.random.Generator, concentration: float = 0.3
    ) -> MarkovMixture:
        """``k`` authors with rows drawn from Dirichlet(``concentration``), equal weights."""
        k = positive_int("k", k)
        vocab = positive_int("vocab", vocab, minimum=2)
        generator("rng", rng)
        alpha = positive_float("concentration", concentration)
        rows = rng.dirichlet(np.full(vocab, alpha), size=(k, vocab))
        # A Dirichlet draw can underflow to an exact 0 for small concentrations.
        rows = np.maximum(rows, 1e-12)
        return cls(rows / rows.sum(axis=-1, keepdims=True))

    @property
    def k(self) -> int:
        """Number of authors."""
        return self.transitions.shape[0]

    @property
    def vocab(self) -> int:
        """Number of tokens, V."""
        return self.transitions.shape[1]

    def __repr__(self) -> str:
        return f"MarkovMixture(k={self.k}, vocab={self.vocab})"

    # -- sampling ---------------------------------------------------------------
    def sample_with_authors(
        self, n: int, rng: np.random.Generator, length: int = 64
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` sequences (n, length) of int tokens and their authors (n,)."""
        n = positive_int("n", n)
        generator("rng", rng)
        length = positive_int("length", length)
        authors = rng.choice(self.k, size=n, p=self.weights)
        tokens = np.empty((n, length), dtype=np.int64)
        cumulative = np.cumsum(self.initial)
        tokens[:, 0] = np.minimum(np.searchsorted(cumulative, rng.random(n)), self.vocab - 1)
        rows = np.cumsum(self.transitions, axis=-1)
        for t in range(1, length):
            cdf = rows[authors, tokens[:, t - 1]]  # (n, V)
            u = rng.random(n)[:, None]
            tokens[:, t] = np.minimum((cdf < u).sum(axis=1), self.vocab - 1)
        return tokens, authors

    def sample(self, n: int, rng: np.random.Generator, length: int = 64) -> np.ndarray:
        """``n`` sequences of ``length`` tokens, shape (n, length), int."""
        return self.sample_with_authors(n, rng, length)[0]

    # -- exact inference ----------------------------------------------------------
    def _log_likelihoods(self, tokens: np.ndarray) -> np.ndarray:
        """log P(x_0..x_{t-1} | author) for every prefix: (n, T + 1, k), prefix length 0..T."""
        n, length = tokens.shape
        steps = np.zeros((n, length + 1, self.k))
        if length >= 1:
            steps[:, 1, :] = np.log(self.initial[tokens[:, 0]])[:, None]
        if length >= 2:
            # (k, n, T-1) -> (n, T-1, k)
            pairs = self._log_p[:, tokens[:, :-1], tokens[:, 1:]]
            steps[:, 2:, :] = np.moveaxis(pairs, 0, -1)
        return np.cumsum(steps, axis=1)

    def posteriors(self, tokens: Any) -> np.ndarray:
        """P(author | x_0..x_{t-1}) for t = 0..T: shape (n, T + 1, k)."""
        tokens = check_tokens(tokens, self.vocab)
        log_joint = self._log_likelihoods(tokens) + np.log(self.weights)
        return np.exp(log_joint - _logsumexp(log_joint, axis=-1)[..., None])

    def posterior(self, context: Any) -> np.ndarray:
        """P(author | context) for one context (T,) of tokens (T may be 0): shape (k,)."""
        return self.posteriors(_one_context(context, self.vocab))[0, -1]

    def predictive(self, tokens: Any) -> np.ndarray:
        """The exact Bayes predictive of every token given its prefix: (n, T, V)."""
        tokens = check_tokens(tokens, self.vocab)
        n, length = tokens.shape
        post = self.posteriors(tokens)[:, :length, :]  # before each token
        out = np.empty((n, length, self.vocab))
        out[:, 0, :] = self.initial
        if length >= 2:
            # sum_a post[a] * P_a[x_{t-1}, :]
            rows = self.transitions[:, tokens[:, :-1], :]  # (k, n, T-1, V)
            out[:, 1:, :] = np.einsum("ntk,kntv->ntv", post[:, 1:, :], rows)
        return out

    def next_token_distribution(self, context: Any) -> np.ndarray:
        """The exact distribution of the next token after ``context`` (T,): shape (V,)."""
        context = _one_context(context, self.vocab)
        if context.shape[1] == 0:
            return self.initial.copy()
        post = self.posteriors(context)[0, -1]
        return post @ self.transitions[:, context[0, -1], :]

    def log_prob(self, tokens: Any) -> np.ndarray:
        """log P(sequence) under the mixture, for each row of ``tokens`` (n, T): shape (n,)."""
        tokens = check_tokens(tokens, self.vocab)
        log_joint = self._log_likelihoods(tokens)[:, -1, :] + np.log(self.weights)
        return _logsumexp(log_joint, axis=-1)

    def stationary(self) -> np.ndarray:
        """Each author's stationary distribution: (k, V)."""
        out = np.empty((self.k, self.vocab))
        for a in range(self.k):
            values, vectors = np.linalg.eig(self.transitions[a].T)
            pi = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
            out[a] = pi / pi.sum()
        return out

    def author_entropy_rates(self) -> np.ndarray:
        """Each author's entropy rate, sum_i pi(i) H(P[i, :]), in nats: (k,)."""
        row_entropy = -np.sum(self.transitions * self._log_p, axis=-1)  # (k, V)
        return np.sum(self.stationary() * row_entropy, axis=-1)

    def entropy_rate(self) -> float:
        """The source's entropy rate in nats per token, lim H(X_0..X_{T-1}) / T.

        The author is revealed by the text at a cost of at most log k nats in
        total, so per token the mixture's rate is the authors' rates averaged
        over the prior.
        """
        return float(self.weights @ self.author_entropy_rates())


def _one_context(context: Any, vocab: int) -> np.ndarray:
    if isinstance(context, (str, bytes)) or context is None:
        raise TypeError(f"context must be a 1-D integer array of tokens, got {context!r}")
    array = np.asarray(context)
    if array.ndim != 1:
        raise ValueError(f"context must be 1-D (T,), got shape {array.shape}")
    if array.size == 0:
        return np.zeros((1, 0), dtype=np.int64)
    return check_tokens(array, vocab, name="context")


# -- losses -----------------------------------------------------------------------


def _check_probs(probs: Any, tokens: np.ndarray | None = None) -> np.ndarray:
    array = as_array("probs", probs, ndim=3)
    if tokens is not None and array.shape[:2] != tokens.shape:
        raise ValueError(
            f"probs must have shape (n, T, V) matching tokens {tokens.shape}, got {array.shape}"
        )
    if np.any(array < 0) or not np.allclose(array.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError("probs must be distributions over the last axis")
    return array


def token_losses(probs: Any, tokens: Any) -> np.ndarray:
    """-log probs[n, t, tokens[n, t]] for every token, in nats: (n, T)."""
    probs = as_array("probs", probs, ndim=3)
    tokens = check_tokens(tokens, probs.shape[-1])
    probs = _check_probs(probs, tokens)
    n, length = tokens.shape
    chosen = probs[np.arange(n)[:, None], np.arange(length)[None, :], tokens]
    return -np.log(np.maximum(chosen, 1e-300))


def cross_entropy(probs: Any, tokens: Any) -> float:
    """Mean of ``token_losses``: nats per token."""
    return float(np.mean(token_losses(probs, tokens)))


def kl_per_position(p: Any, q: Any) -> np.ndarray:
    """KL(p || q) at each position, averaged over sequences: (T,) nats, for (n, T, V) inputs."""
    p, q = _check_probs(p), _check_probs(q)
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    terms = np.where(p > 0, p * (np.log(np.maximum(p, 1e-300)) - np.log(np.maximum(q, 1e-300))), 0)
    return terms.sum(axis=-1).mean(axis=0)


# -- the ideal in-context learner --------------------------------------------------


def dirichlet_predictive(tokens: Any, vocab: int, concentration: float = 0.3) -> np.ndarray:
    """Bayes predictive for one unknown chain with Dirichlet(``concentration``) rows:
    (counts of i -> j so far + alpha) / (counts of i so far + V alpha). Shape (n, T, V);
    the first token is uniform."""
    vocab = positive_int("vocab", vocab, minimum=2)
    tokens = check_tokens(tokens, vocab)
    alpha = positive_float("concentration", concentration)
    counts = _transition_counts(tokens, vocab)  # (n, T, V, V) before each token
    n, length = tokens.shape
    out = np.full((n, length, vocab), 1.0 / vocab)
    if length >= 2:
        rows = counts[np.arange(n)[:, None], np.arange(1, length)[None, :], tokens[:, :-1]]
        out[:, 1:] = (rows + alpha) / (rows.sum(axis=-1, keepdims=True) + vocab * alpha)
    return out


def _transition_counts(tokens: np.ndarray, vocab: int) -> np.ndarray:
    """Counts of each transition i -> j among tokens 0..t-1, for t = 0..T-1: (n, T, V, V)."""
    n, length = tokens.shape
    step = np.zeros((n, length, vocab, vocab))
    if length >= 3:
        # the transition (x_{s-1}, x_s) is known before token s + 1
        s = np.arange(1, length - 1)
        rows = np.arange(n)[:, None]
        np.add.at(step, (rows, (s + 1)[None, :], tokens[:, s - 1], tokens[:, s]), 1.0)
    return np.cumsum(step, axis=1)


# -- features of a prefix ------------------------------------------------------------


class Features(Protocol):
    """A map from tokens (n, T) to network inputs (n, T, width): row t sees tokens 0..t-1;
    ``after(tokens)`` (n, width) is the row for the token after them."""

    vocab: int
    width: int

    def __call__(self, tokens: np.ndarray) -> np.ndarray: ...

    def after(self, tokens: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class WindowFeatures:
    """One-hot codes of the last ``window`` tokens (zeros before the start): width window * V."""

    vocab: int
    window: int

    def __post_init__(self) -> None:
        positive_int("vocab", self.vocab, minimum=2)
        positive_int("window", self.window)

    @property
    def width(self) -> int:
        return self.window * self.vocab

    def __call__(self, tokens: np.ndarray) -> np.ndarray:
        tokens = check_tokens(tokens, self.vocab)
        n, length = tokens.shape
        out = np.zeros((n, length, self.window, self.vocab))
        for lag in range(1, self.window + 1):
            if lag < length + 1:
                seen = tokens[:, : length - lag]  # token t - lag, for t = lag..T-1
                out[:, lag:, lag - 1, :] = np.eye(self.vocab)[seen]
        return out.reshape(n, length, self.width)

    def after(self, tokens: np.ndarray) -> np.ndarray:
        """The features for the token after all of ``tokens`` (n, T): (n, width)."""
        tokens = check_tokens(tokens, self.vocab)
        n, length = tokens.shape
        out = np.zeros((n, self.window, self.vocab))
        for lag in range(1, min(self.window, length) + 1):
            out[:, lag - 1, :] = np.eye(self.vocab)[tokens[:, length - lag]]
        return out.reshape(n, self.width)


@dataclass(frozen=True)
class CountFeatures:
    """The prefix's transition counts (V * V, times ``scale``) and a one-hot of the last
    token (V): width V * V + V. The counts are sufficient for the author of a mixture of
    chains; the last token says which row of the author's chain comes next."""

    vocab: int
    scale: float = 0.25

    def __post_init__(self) -> None:
        positive_int("vocab", self.vocab, minimum=2)
        positive_float("scale", self.scale)

    @property
    def width(self) -> int:
        return self.vocab * self.vocab + self.vocab

    def __call__(self, tokens: np.ndarray) -> np.ndarray:
        tokens = check_tokens(tokens, self.vocab)
        n, length = tokens.shape
        counts = _transition_counts(tokens, self.vocab).reshape(n, length, -1)
        last = WindowFeatures(self.vocab, 1)(tokens)
        return np.concatenate([self.scale * counts, last], axis=-1)

    def after(self, tokens: np.ndarray) -> np.ndarray:
        """The features for the token after all of ``tokens`` (n, T): (n, width)."""
        tokens = check_tokens(tokens, self.vocab)
        n, length = tokens.shape
        counts = np.zeros((n, self.vocab, self.vocab))
        if length >= 2:
            np.add.at(counts, (np.arange(n)[:, None], tokens[:, :-1], tokens[:, 1:]), 1.0)
        last = WindowFeatures(self.vocab, 1).after(tokens)
        return np.concatenate([self.scale * counts.reshape(n, -1), last], axis=-1)


# -- next-token models ------------------------------------------------------------------


class NgramModel:
    """Counts of (previous ``context`` tokens, next token) with add-``alpha`` smoothing.

    ``context=0`` is a unigram model; positions with fewer than ``context``
    previous tokens use the longest context available.
    """

    def __init__(self, vocab: int, context: int = 1, alpha: float = 0.1) -> None:
        self.vocab = positive_int("vocab", vocab, minimum=2)
        self.context = positive_int("context", context, minimum=0)
        self.alpha = positive_float("alpha", alpha)
        self.counts = [np.zeros((vocab,) * (c + 1)) for c in range(self.context + 1)]

    def fit(self, tokens: Any) -> NgramModel:
        """Add the counts of every position of ``tokens`` (n, T); returns self."""
        tokens = check_tokens(tokens, self.vocab)
        length = tokens.shape[1]
        for c in range(self.context + 1):
            for t in range(c, length):
                np.add.at(self.counts[c], tuple(tokens[:, t - c : t + 1].T), 1.0)
        return self

    def predict(self, tokens: Any) -> np.ndarray:
        """Probabilities (n, T, V) of each token given its prefix."""
        tokens = check_tokens(tokens, self.vocab)
        n, length = tokens.shape
        out = np.empty((n, length, self.vocab))
        for t in range(length):
            c = min(t, self.context)
            rows = self.counts[c][tuple(tokens[:, t - c : t].T)] if c else self.counts[0]
            rows = np.broadcast_to(rows, (n, self.vocab)) + self.alpha
            out[:, t] = rows / rows.sum(axis=-1, keepdims=True)
        return out

    def __repr__(self) -> str:
        return f"NgramModel(vocab={self.vocab}, context={self.context}, alpha={self.alpha})"


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class NextTokenMLP:
    """An MLP over ``features`` of each prefix, with V logits out: one forward pass per token."""

    def __init__(
        self,
        features: WindowFeatures | CountFeatures,
        hidden: Sequence[int],
        rng: np.random.Generator,
        activation: str = "relu",
    ) -> None:
        if not isinstance(features, (WindowFeatures, CountFeatures)):
            raise TypeError(f"features must be WindowFeatures or CountFeatures, got {features!r}")
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
            raise TypeError(f"hidden must be a sequence of layer widths, got {hidden!r}")
        self.features = features
        self.vocab = features.vocab
        self.net = nn.MLP([features.width, *hidden, features.vocab], rng, activation)
        self.train_examples = 0

    @classmethod
    def from_net(cls, features: WindowFeatures | CountFeatures, net: nn.MLP) -> NextTokenMLP:
        """A model around a trained (e.g. loaded) network whose sizes fit ``features``."""
        if not isinstance(net, nn.MLP):
            raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
        if not isinstance(features, (WindowFeatures, CountFeatures)):
            raise TypeError(f"features must be WindowFeatures or CountFeatures, got {features!r}")
        if net.sizes[0] != features.width or net.sizes[-1] != features.vocab:
            raise ValueError(
                f"net sizes {net.sizes} do not fit features of width {features.width} "
                f"and {features.vocab} tokens"
            )
        model = cls.__new__(cls)
        model.features, model.vocab, model.net, model.train_examples = (
            features,
            features.vocab,
            net,
            0,
        )
        return model

    def __repr__(self) -> str:
        return f"NextTokenMLP({self.features!r}, sizes={self.net.sizes})"

    def logits(self, tokens: Any) -> np.ndarray:
        """Logits (n, T, V) for every prefix of ``tokens`` (n, T)."""
        x = self.features(tokens)
        n, length, width = x.shape
        return self.net.forward(x.reshape(n * length, width)).reshape(n, length, self.vocab)

    def predict(self, tokens: Any) -> np.ndarray:
        """Probabilities (n, T, V) of each token given its prefix."""
        return _softmax(self.logits(tokens))

    def predict_next(self, tokens: Any) -> np.ndarray:
        """Probabilities (n, V) of the token after all of ``tokens`` (n, T): one pass each."""
        return _softmax(self.net.forward(self.features.after(tokens)))

    def fit(
        self,
        tokens: Any,
        rng: np.random.Generator,
        *,
        n_epochs: int = 10,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
    ) -> nn.TrainLog:
        """Cross-entropy training on every position of ``tokens`` (n, T) with Adam.

        Continues from the current weights (a fresh Adam each call). ``train_examples``
        counts the token positions passed forward and backward, over all calls.
        """
        tokens = check_tokens(tokens, self.vocab)
        generator("rng", rng)
        x = self.features(tokens).reshape(-1, self.features.width)
        y = tokens.reshape(-1)

        def loss(logits: np.ndarray, rows: np.ndarray) -> tuple[float, np.ndarray]:
            return nn.softmax_cross_entropy(logits, y[rows])

        log = nn.train(
            self.net,
            x,
            loss,
            optimiser=nn.Adam(self.net.params, learning_rate=learning_rate),
            n_epochs=n_epochs,
            batch_size=batch_size,
            rng=rng,
        )
        self.train_examples += log.examples
        return log

    def cost_per_token(self) -> DecisionCost:
        """What predicting one token costs: one forward pass."""
        return DecisionCost(network_passes=1)


# -- dynamic evaluation -------------------------------------------------------------------


@dataclass(frozen=True)
class DynamicResult:
    """Dynamic evaluation of ``tokens`` (n, T): ``probs`` (n, T, V), each made before the
    model trained on that token, and ``cost`` per token (mean over all tokens)."""

    probs: np.ndarray
    cost: DecisionCost


def dynamic_evaluation(
    model: NextTokenMLP,
    tokens: Any,
    *,
    learning_rate: float = 0.05,
    decay: float = 0.0,
) -> DynamicResult:
    """Predict each token, then take one SGD step on its cross-entropy (Krause et al. 2018).

    Every sequence (row of ``tokens``) starts from ``model``'s trained weights,
    which are left unchanged. ``decay`` pulls the weights back towards the trained
    ones each step (Krause's global prior; 0 for none). Costs per token one
    forward and one backward pass.
    """
    if not isinstance(model, NextTokenMLP):
        raise TypeError(f"model must be a NextTokenMLP, got {model!r}")
    tokens = check_tokens(tokens, model.vocab)
    lr = positive_float("learning_rate", learning_rate)
    decay = positive_float("decay", decay, allow_zero=True)
    if decay >= 1:
        raise ValueError(f"decay must be in [0, 1), got {decay!r}")
    start = time.perf_counter()
    x = model.features(tokens)
    n, length, _ = x.shape
    probs = np.empty((n, length, model.vocab))
    trained = model.net.params
    for row in range(n):
        net = copy.deepcopy(model.net)
        for t in range(length):
            logits, cache = net.forward_cached(x[row, t][None, :])
            p = _softmax(logits)[0]
            probs[row, t] = p
            grad = p.copy()
            grad[tokens[row, t]] -= 1.0
            for param, g, p0 in zip(
                net.params, net.backward(cache, grad[None, :]), trained, strict=True
            ):
                param -= lr * g
                if decay:
                    param -= decay * (param - p0)
    seconds = (time.perf_counter() - start) / max(1, n * length)
    cost = DecisionCost(network_passes=1 + BACKWARD_PASSES, seconds=seconds)
    return DynamicResult(probs, cost)


# -- decoding ------------------------------------------------------------------------------


def generate(
    model: NextTokenMLP,
    prompts: Any,
    n_new: int,
    *,
    method: str = "sample",
    rng: np.random.Generator | None = None,
    temperature: float = 1.0,
) -> np.ndarray:
    """Extend every prompt (n, T0) by ``n_new`` tokens, one forward pass per new token:
    ``method="sample"`` draws from the model's distribution (sharpened or flattened by
    ``temperature``; needs ``rng``), ``"greedy"`` takes its most probable token.
    Returns the whole sequences, (n, T0 + n_new)."""
    if not isinstance(model, NextTokenMLP):
        raise TypeError(f"model must be a NextTokenMLP, got {model!r}")
    tokens = check_tokens(prompts, model.vocab, name="prompts")
    n_new = positive_int("n_new", n_new, minimum=0)
    if method not in ("sample", "greedy"):
        raise ValueError(f"method must be 'sample' or 'greedy', got {method!r}")
    if method == "sample":
        generator("rng", rng)
    temperature = positive_float("temperature", temperature)
    for _ in range(n_new):
        p = model.predict_next(tokens)
        if method == "greedy":
            nxt = np.argmax(p, axis=-1)
        else:
            # in logs: p ** (1 / temperature) underflows for small temperatures
            p = _softmax(np.log(np.maximum(p, 1e-300)) / temperature)
            nxt = (np.cumsum(p, axis=-1) < rng.random((len(p), 1))).sum(axis=-1)  # type: ignore[union-attr]
            nxt = np.minimum(nxt, model.vocab - 1)
        tokens = np.concatenate([tokens, nxt[:, None]], axis=1)
    return tokens


def beam_search(model: NextTokenMLP, prompt: Any, n_new: int, width: int = 8) -> np.ndarray:
    """The continuation of ``prompt`` (T0,) by ``n_new`` tokens that beam search with
    ``width`` beams finds most probable under ``model``: (T0 + n_new,). Each step scores
    every beam's V extensions (``width`` forward passes) and keeps the ``width`` best."""
    if not isinstance(model, NextTokenMLP):
        raise TypeError(f"model must be a NextTokenMLP, got {model!r}")
    start = _one_context(prompt, model.vocab)
    n_new = positive_int("n_new", n_new, minimum=0)
    width = positive_int("width", width)
    beams, scores = start, np.zeros(1)
    for _ in range(n_new):
        log_p = np.log(model.predict_next(beams))  # (beams, V)
        total = (scores[:, None] + log_p).ravel()
        keep = np.argsort(-total, kind="stable")[:width]
        beams = np.concatenate([beams[keep // model.vocab], (keep % model.vocab)[:, None]], axis=1)
        scores = total[keep]
    return beams[0]
