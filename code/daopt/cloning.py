"""Behaviour cloning and value regression: an MLP fitted to a solver's moves or values,
and the agents that play with it (``PolicyAgent``: one network pass per move;
``ValueAgent``: a one-ply lookahead, one pass per unfinished child).

Every fit reports its learning curve, the examples it consumed and the compute
it spent: ``examples_seen`` (examples passed forward and backward) and
``network_passes`` (``daopt.cost.training_passes``: a backward pass counts as
``daopt.cost.BACKWARD_PASSES`` forward passes). Training is ``daopt.nn.train``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from daopt.cost import DecisionCost, training_passes
from daopt.features import (
    board_signature,
    check_board_state,
    check_net,
    check_nonterminal,
    check_states,
    encode,
    encode_batch,
    feature_size,
    legal_mask,
    legal_mask_batch,
    masked_argmax,
    move_scores,
    policy_targets,
)
from daopt.games import GameState
from daopt.nn import MLP, layer_widths, make_optimiser, softmax_cross_entropy, tanh_mse, train
from daopt.validation import generator

__all__ = [
    "PolicyAgent",
    "PolicyFit",
    "ValueAgent",
    "ValueFit",
    "fit_policy",
    "fit_value",
    "policy_accuracy",
    "predict_values",
]


def policy_accuracy(net: MLP, states: Sequence[GameState], targets: Any) -> float:
    """Fraction of states whose greedy move (best legal logit) is a target move."""
    states = check_states(states)
    probs = policy_targets(states, targets)
    check_net(net, feature_size(states[0]), states[0].num_actions, "a policy")
    moves = masked_argmax(net.forward(encode_batch(states)), legal_mask_batch(states))
    return float(np.mean(probs[np.arange(len(states)), moves] > 0))


@dataclass
class _Fit:
    """A trained network and what training it took; curves are per epoch (the
    test curve is empty without a test set)."""

    net: MLP
    losses: list[float]
    train_accuracy: list[float]
    test_accuracy: list[float]
    examples: int
    examples_seen: int
    network_passes: int


@dataclass(frozen=True)
class _Training:
    """How both learners train: the optimiser and the mini-batch schedule."""

    optimiser: str
    learning_rate: float
    momentum: float
    n_epochs: int
    batch_size: int
    rng: np.random.Generator


def _network(
    net: MLP | None, states: list[GameState], n_out: int, hidden: Any, activation: str, rng: Any
) -> MLP:
    """``net`` checked for ``states``' features and ``n_out`` outputs, or a new one drawn
    from ``rng`` of sizes [features, *hidden, n_out]."""
    n_in = feature_size(states[0])
    if net is None:
        net = MLP(
            [n_in, *layer_widths(hidden), n_out], generator("rng", rng), activation=activation
        )
    return check_net(net, n_in, n_out, "a policy" if n_out > 1 else "a value function")


def _fit(
    net: MLP,
    inputs: np.ndarray,
    loss_fn: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]],
    train_accuracy: Callable[[], float],
    test_accuracy: Callable[[], float] | None,
    training: _Training,
) -> dict[str, Any]:
    """Train ``net`` and return the fields of a ``_Fit`` (less ``net``), for both learners."""
    test_curve: list[float] = []

    def evaluate(_: MLP) -> float:
        if test_accuracy is not None:
            test_curve.append(test_accuracy())
        return train_accuracy()

    t = training
    log = train(
        net,
        inputs,
        loss_fn,
        optimiser=make_optimiser(t.optimiser, net.params, t.learning_rate, t.momentum),
        n_epochs=t.n_epochs,
        batch_size=t.batch_size,
        rng=t.rng,
        evaluate=evaluate,
    )
    return dict(
        losses=log.epoch_losses,
        train_accuracy=log.evaluations,
        test_accuracy=test_curve,
        examples=len(inputs),
        examples_seen=log.examples,
        network_passes=training_passes(log.examples),
    )


def _test_set(
    states: list[GameState], test_states: Any, test_labels: Any, labels_name: str
) -> list[GameState] | None:
    """Checked test states (same game and board as ``states``), or None without a test set."""
    if (test_states is None) != (test_labels is None):
        raise ValueError(f"give test_states and {labels_name} together, or neither")
    if test_states is None:
        return None
    test_list = check_states(test_states, "test_states")
    if board_signature(test_list[0]) != board_signature(states[0]):
        raise ValueError("test_states must be the same game and board size as states")
    check_nonterminal(test_list, "test_states")
    return test_list


@dataclass
class PolicyFit(_Fit):
    """A trained policy network and what training it took (see ``_Fit``);
    accuracy is the fraction of states whose greedy move is a target move."""

    @property
    def agent(self) -> PolicyAgent:
        return PolicyAgent(self.net)


def fit_policy(
    states: Sequence[GameState],
    targets: Any,
    *,
    rng: np.random.Generator,
    hidden: Sequence[int] = (64,),
    activation: str = "relu",
    n_epochs: int = 50,
    batch_size: int = 32,
    learning_rate: float = 3e-3,
    optimiser: str = "adam",
    momentum: float = 0.0,
    test_states: Sequence[GameState] | None = None,
    test_targets: Any = None,
    net: MLP | None = None,
) -> PolicyFit:
    """Behaviour cloning: fit an MLP policy to target moves by masked cross-entropy.

    ``targets`` as in ``policy_targets`` (e.g. a solver's optimal moves per state).
    Illegal moves get probability 0 and no gradient. ``net`` continues training an
    existing network; otherwise one of sizes [features, *hidden, num_actions] is drawn
    from ``rng``, which also orders the mini-batches.

    | array | shape |
    |---|---|
    | network input ``encode(state)`` | (3 * cells,) |
    | network output | (num_actions,) logits |
    | ``targets`` as probabilities | (n, num_actions) |

    Args:
        states: the training positions (n), with a move to make, of one game and size.
        targets: the target moves per state (see ``daopt.features.policy_targets``).
        rng: draws a new network and orders the mini-batches.
        hidden: hidden layer widths of a new network.
        activation: "relu" or "tanh".
        n_epochs: passes over the data.
        batch_size: examples per optimiser step.
        learning_rate: the optimiser's step size.
        optimiser: "adam" or "sgd".
        momentum: SGD's momentum (only with ``optimiser="sgd"``).
        test_states: held-out positions for the test curve (with ``test_targets``).
        test_targets: their target moves.
        net: an existing network to continue training.
    """
    states = check_states(states)
    check_nonterminal(states, "states")
    probs = policy_targets(states, targets)
    net = _network(net, states, states[0].num_actions, hidden, activation, rng)
    inputs, masks = encode_batch(states), legal_mask_batch(states)
    test_list = _test_set(states, test_states, test_targets, "test_targets")
    test = None
    if test_list is not None:
        test_probs = policy_targets(test_list, test_targets)
        test = (encode_batch(test_list), legal_mask_batch(test_list), test_probs)

    def loss_fn(logits: np.ndarray, batch: np.ndarray) -> tuple[float, np.ndarray]:
        return softmax_cross_entropy(logits, probs[batch], masks[batch])

    def accuracy(x: np.ndarray, m: np.ndarray, p: np.ndarray) -> float:
        moves = masked_argmax(net.forward(x), m)
        return float(np.mean(p[np.arange(len(x)), moves] > 0))

    training = _Training(optimiser, learning_rate, momentum, n_epochs, batch_size, rng)
    train_curve = lambda: accuracy(inputs, masks, probs)  # noqa: E731
    test_curve = None if test is None else lambda: accuracy(*test)
    return PolicyFit(net=net, **_fit(net, inputs, loss_fn, train_curve, test_curve, training))


class PolicyAgent:
    """An agent that plays the legal move with the largest logit: one network call.

    ``last_cost`` after each decision: one network pass.
    """

    def __init__(self, net: MLP) -> None:
        if not isinstance(net, MLP):
            raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
        self.net = net
        self.last_cost: DecisionCost | None = None

    def probabilities(self, state: GameState) -> np.ndarray:
        """The policy's move distribution (num_actions,), 0 at illegal moves."""
        logits, mask = self._logits(state)
        z = np.where(mask, logits, -np.inf)
        p = np.exp(z - z.max())
        return p / p.sum()

    def _logits(self, state: GameState) -> tuple[np.ndarray, np.ndarray]:
        check_board_state(state)
        if state.is_terminal():
            raise ValueError(f"the game is over, there is no move to choose: {state!r}")
        check_net(self.net, feature_size(state), state.num_actions, "this state")
        return self.net.forward(encode(state)[None])[0], legal_mask(state)

    def __call__(self, state: GameState) -> int:
        logits, mask = self._logits(state)
        self.last_cost = DecisionCost(network_passes=1)
        return int(masked_argmax(logits[None], mask[None])[0])

    def __repr__(self) -> str:
        return f"PolicyAgent({self.net!r})"


# --- value regression ----------------------------------------------------------


def predict_values(net: MLP, states: Sequence[GameState]) -> np.ndarray:
    """tanh of the network's output: predicted values (n,) in (-1, 1) for the player to move."""
    states = check_states(states)
    check_net(net, feature_size(states[0]), 1, "a value function")
    return np.tanh(net.forward(encode_batch(states))[:, 0])


@dataclass
class ValueFit(_Fit):
    """A trained value network and what training it took (see ``_Fit``).

    ``losses`` is the mean squared error of tanh(output); the accuracy curves are
    the fraction of states whose prediction, rounded to the nearest of -1, 0, +1,
    is the target value.
    """

    @property
    def agent(self) -> ValueAgent:
        return ValueAgent(self.net)


def _check_values(values: Any, n: int, name: str) -> np.ndarray:
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be numbers in [-1, 1], one per state, got {values!r}")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be numbers in [-1, 1], got {values!r}") from error
    if array.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one per state, got {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(np.abs(array) > 1):
        raise ValueError(f"{name} must be finite and in [-1, 1]")
    return array


def fit_value(
    states: Sequence[GameState],
    values: Any,
    *,
    rng: np.random.Generator,
    hidden: Sequence[int] = (64, 64),
    activation: str = "relu",
    n_epochs: int = 50,
    batch_size: int = 32,
    learning_rate: float = 3e-3,
    optimiser: str = "adam",
    momentum: float = 0.0,
    test_states: Sequence[GameState] | None = None,
    test_values: Any = None,
    net: MLP | None = None,
) -> ValueFit:
    """Value regression: fit v(state) = tanh(MLP(encode(state))) to values (n,) in [-1, 1]
    (e.g. a solver's game values for the player to move) by mean squared error.

    | array | shape |
    |---|---|
    | network input ``encode(state)`` | (3 * cells,) |
    | network output | (1,): v(state) = tanh(output) |
    | ``values`` | (n,) in [-1, 1] |

    Args:
        states: the training positions (n), with a move to make, of one game and size.
        values: each state's value for its player to move, shape (n,) in [-1, 1].
        rng: draws a new network and orders the mini-batches.
        hidden: hidden layer widths of a new network.
        activation: "relu" or "tanh".
        n_epochs: passes over the data.
        batch_size: examples per optimiser step.
        learning_rate: the optimiser's step size.
        optimiser: "adam" or "sgd".
        momentum: SGD's momentum (only with ``optimiser="sgd"``).
        test_states: held-out positions for the test curve (with ``test_values``).
        test_values: their values, shape (m,).
        net: an existing network to continue training.
    """
    states = check_states(states)
    check_nonterminal(states, "states")
    targets = _check_values(values, len(states), "values")
    net = _network(net, states, 1, hidden, activation, rng)
    inputs = encode_batch(states)
    test_list = _test_set(states, test_states, test_values, "test_values")
    test = None
    if test_list is not None:
        test = (encode_batch(test_list), _check_values(test_values, len(test_list), "test_values"))

    def accuracy(x: np.ndarray, v: np.ndarray) -> float:
        return float(np.mean(np.round(np.tanh(net.forward(x)[:, 0])) == v))

    training = _Training(optimiser, learning_rate, momentum, n_epochs, batch_size, rng)
    loss_fn = lambda outputs, batch: tanh_mse(outputs, targets[batch])  # noqa: E731
    train_curve = lambda: accuracy(inputs, targets)  # noqa: E731
    test_curve = None if test is None else lambda: accuracy(*test)
    return ValueFit(net=net, **_fit(net, inputs, loss_fn, train_curve, test_curve, training))


class ValueAgent:
    """One-ply lookahead with a value network: play the move whose result is worst
    for the opponent (a finished game scores its outcome). All children go through
    the network in one batch: ``last_cost`` counts one network pass per unfinished child.
    """

    def __init__(self, net: MLP) -> None:
        if not isinstance(net, MLP):
            raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
        self.net = net
        self.last_cost: DecisionCost | None = None

    def __call__(self, state: GameState) -> int:
        check_board_state(state)
        if state.is_terminal():
            raise ValueError(f"the game is over, there is no move to choose: {state!r}")
        actions = state.legal_actions()
        children = [state.play(a) for a in actions]
        scores, evaluated = move_scores(children, lambda s: predict_values(self.net, s))
        self.last_cost = DecisionCost(network_passes=evaluated)
        return actions[int(np.argmax(scores))]

    def __repr__(self) -> str:
        return f"ValueAgent({self.net!r})"
