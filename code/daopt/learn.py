"""Amortised learners for the games in ``daopt.games``: board features, behaviour
cloning of a solver's moves, value regression on solved positions, and TD
self-play with a table (tic-tac-toe) or an MLP (small Connect Four boards).

Every learner reports its learning curve, the examples or games it consumed and
the compute it spent: ``examples_seen`` (examples passed forward and backward),
``network_passes`` (in forward-pass equivalents: a backward pass counts as
``BACKWARD_PASSES`` forward passes) and, for TD, table lookups or positions
evaluated.

Values are always for the player to move, in [-1, 1]: +1 a win, 0 a draw.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from daopt.cost import DecisionCost, training_passes
from daopt.games import ConnectFour, GameState, TicTacToe
from daopt.nn import MLP, SGD, Adam, Optimiser, mse, softmax_cross_entropy, train
from daopt.validation import generator, positive_float, positive_int

PLANES = ("to move", "opponent", "empty")

# --- features ------------------------------------------------------------------


def _check_state(state: Any, name: str = "state") -> GameState:
    if not isinstance(state, (TicTacToe, ConnectFour)):
        raise TypeError(f"{name} must be a daopt.games TicTacToe or ConnectFour, got {state!r}")
    return state


def _signature(state: GameState) -> tuple[Any, ...]:
    """States that share a signature share an encoding size and action count."""
    if isinstance(state, ConnectFour):
        return ("ConnectFour", state.rows, state.cols, state.k)
    return ("TicTacToe",)


def feature_size(state: GameState) -> int:
    """Length of ``encode(state)``: 3 planes of one entry per cell."""
    _check_state(state)
    cells = 9 if isinstance(state, TicTacToe) else state.rows * state.cols
    return len(PLANES) * cells


_MARKS = np.frombuffer(b"XO", dtype=np.uint8)
_EMPTY = ord(".")


@cache
def _cell_bits(rows: int, cols: int) -> np.ndarray:
    """Bitboard bit of each cell, cells row by row from the bottom row (row * cols + col)."""
    height = rows + 1
    return np.array([c * height + r for r in range(rows) for c in range(cols)], dtype=np.uint64)


def _encode_many(states: list[GameState]) -> np.ndarray:
    """Features (n, 3 * cells) of states already checked to share a game and size."""
    n = len(states)
    if isinstance(states[0], TicTacToe):
        text = "".join(s.cells() for s in states).encode("ascii")
        cells = np.frombuffer(text, dtype=np.uint8).reshape(n, 9)
        to_play = np.array([s.to_play for s in states])
        mover, opponent = _MARKS[to_play][:, None], _MARKS[1 - to_play][:, None]
        return np.concatenate([cells == mover, cells == opponent, cells == _EMPTY], 1).astype(float)
    g = states[0].geometry
    shifts = _cell_bits(g.rows, g.cols)
    if g.cols * g.height <= 64:
        # Boards that fit in 64 bits: shift all states' bitboards at once.
        mine = np.array([s.current for s in states], dtype=np.uint64)[:, None] >> shifts & 1
        taken = np.array([s.mask for s in states], dtype=np.uint64)[:, None] >> shifts & 1
    else:
        n_bytes = (g.cols * g.height + 7) // 8
        index = shifts.astype(np.intp)

        def bits(board: int) -> np.ndarray:
            raw = np.frombuffer(board.to_bytes(n_bytes, "little"), dtype=np.uint8)
            return np.unpackbits(raw, bitorder="little")[index]

        mine = np.stack([bits(s.current) for s in states])
        taken = np.stack([bits(s.mask) for s in states])
    return np.concatenate([mine, taken - mine, 1 - taken], axis=1).astype(float)


def encode(state: GameState) -> np.ndarray:
    """Board features (3 * cells,) from the point of view of the player to move.

    Three planes of 0/1, one entry per cell: the mover's stones, the opponent's,
    the empty cells. Tic-tac-toe cells are 0-8 row by row; Connect Four cells
    are ``row * cols + col`` with row 0 at the bottom.
    """
    return _encode_many([_check_state(state)])[0]


def _check_states(states: Any, name: str = "states") -> list[GameState]:
    if isinstance(states, GameState) or not isinstance(states, Iterable):
        raise TypeError(f"{name} must be a sequence of game states, got {states!r}")
    states = list(states)
    if not states:
        raise ValueError(f"{name} must hold at least one state")
    for i, state in enumerate(states):
        _check_state(state, f"{name}[{i}]")
    first = _signature(states[0])
    for i, state in enumerate(states):
        if _signature(state) != first:
            raise ValueError(
                f"{name} must all be the same game and board size: {name}[0] is {first}, "
                f"{name}[{i}] is {_signature(state)}"
            )
    return states


def encode_batch(states: Sequence[GameState]) -> np.ndarray:
    """``encode`` of each state, stacked: (n, 3 * cells). States must share game and size."""
    return _encode_many(_check_states(states))


def legal_mask(state: GameState) -> np.ndarray:
    """(num_actions,) bool: True at the legal actions (all False once the game is over)."""
    _check_state(state)
    mask = np.zeros(state.num_actions, dtype=bool)
    mask[state.legal_actions()] = True
    return mask


def legal_mask_batch(states: Sequence[GameState]) -> np.ndarray:
    """``legal_mask`` of each state, stacked: (n, num_actions)."""
    return np.stack([legal_mask(s) for s in _check_states(states)])


def _nonterminal(states: list[GameState], name: str) -> None:
    for i, state in enumerate(states):
        if state.is_terminal():
            raise ValueError(f"{name}[{i}] is a finished game; it has no move to learn")


def _check_net(net: Any, n_inputs: int, n_outputs: int, what: str) -> MLP:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
    if net.sizes[0] != n_inputs or net.sizes[-1] != n_outputs:
        raise ValueError(
            f"{what} needs a network from {n_inputs} features to {n_outputs} outputs, "
            f"got sizes {net.sizes}"
        )
    return net


def _optimiser(name: str, net: MLP, learning_rate: float, momentum: float) -> Optimiser:
    if name == "adam":
        return Adam(net.params, learning_rate=learning_rate)
    if name == "sgd":
        return SGD(net.params, learning_rate=learning_rate, momentum=momentum)
    raise ValueError(f"optimiser must be 'adam' or 'sgd', got {name!r}")


def _hidden(hidden: Any) -> tuple[int, ...]:
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden must be a sequence of layer widths, got {hidden!r}")
    return tuple(positive_int(f"hidden[{i}]", h) for i, h in enumerate(hidden))


# --- positions to learn from and to test on ------------------------------------


def _playable_start(state: Any) -> GameState:
    _check_state(state, "initial_state")
    if state.is_terminal():
        raise ValueError(f"initial_state must be an unfinished game, got {state!r}")
    return state


def random_play_positions(
    initial_state: GameState,
    n_games: int,
    rng: np.random.Generator,
    *,
    exclude: Iterable[Hashable] = (),
) -> list[GameState]:
    """Every position with a move to make in ``n_games`` games of uniformly random moves
    from ``initial_state``, game after game in the order played (n_positions,).

    A position reached twice is kept twice (it is two examples). Positions whose
    ``key()`` is in ``exclude`` (e.g. the keys of a held-out test set) are left out.
    Each game draws its moves from ``rng`` in turn, so the first ``m`` of ``n`` games
    are the ``m`` games that the same seed gives for ``n_games=m``.
    """
    state0 = _playable_start(initial_state)
    n_games = positive_int("n_games", n_games)
    generator("rng", rng)
    if isinstance(exclude, (str, bytes)) or not isinstance(exclude, Iterable):
        raise TypeError(f"exclude must be a collection of state keys, got {exclude!r}")
    excluded = set(exclude)
    positions: list[GameState] = []
    for _ in range(n_games):
        state = state0
        while not state.is_terminal():
            if state.key() not in excluded:
                positions.append(state)
            legal = state.legal_actions()
            state = state.play(legal[int(rng.integers(len(legal)))])
    return positions


def all_positions(initial_state: GameState, *, limit: int = 100_000) -> list[GameState]:
    """Every position with a move to make that can be reached from ``initial_state``,
    one per ``key()`` (so one per symmetry class), ordered by key.

    Meant for games small enough to list (tic-tac-toe: 627 positions); raises
    ValueError once more than ``limit`` distinct positions have been found.
    """
    state0 = _playable_start(initial_state)
    limit = positive_int("limit", limit)
    found: dict[Hashable, GameState] = {}
    seen: set[Hashable] = set()
    stack = [state0]
    while stack:
        state = stack.pop()
        key = state.key()
        if key in seen or state.is_terminal():
            continue
        seen.add(key)
        found[key] = state
        if len(found) > limit:
            raise ValueError(
                f"more than limit={limit} positions are reachable from {initial_state!r}; "
                "this game is too large to list"
            )
        stack.extend(state.play(a) for a in state.legal_actions())
    return [found[key] for key in sorted(found)]


# --- behaviour cloning ---------------------------------------------------------


def policy_targets(states: Sequence[GameState], targets: Any) -> np.ndarray:
    """Target move distributions (n, num_actions) for behaviour cloning.

    ``targets`` is one of: an action per state (ints); a non-empty collection of
    actions per state (e.g. every optimal move), taken as uniform over it; or an
    (n, num_actions) array of probabilities. Every target move must be legal.
    """
    states = _check_states(states)
    n, a = len(states), states[0].num_actions
    masks = legal_mask_batch(states)
    if isinstance(targets, np.ndarray) and targets.ndim == 2:
        if targets.shape != (n, a):
            raise ValueError(f"target probabilities must have shape {(n, a)}, got {targets.shape}")
        probs = np.asarray(targets, dtype=float)
        if not np.all(np.isfinite(probs)) or np.any(probs < 0):
            raise ValueError("target probabilities must be finite and non-negative")
        if not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6):
            raise ValueError("each row of target probabilities must sum to 1")
        bad = np.any((probs > 0) & ~masks, axis=1)
        if np.any(bad):
            raise ValueError(f"targets put probability on an illegal move in row {np.argmax(bad)}")
        return probs
    if isinstance(targets, (str, bytes)) or not isinstance(targets, Iterable):
        raise TypeError(
            f"targets must be actions, sets of actions or probabilities, got {targets!r}"
        )
    targets = list(targets)
    if len(targets) != n:
        raise ValueError(f"targets must have one entry per state ({n}), got {len(targets)}")
    probs = np.zeros((n, a))
    for i, target in enumerate(targets):
        if isinstance(target, numbers.Integral) and not isinstance(target, bool):
            actions = [int(target)]
        elif isinstance(target, Iterable) and not isinstance(target, (str, bytes)):
            actions = list(target)
            if not actions or not all(
                isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in actions
            ):
                raise TypeError(
                    f"targets[{i}] must be a non-empty collection of ints, got {target!r}"
                )
            actions = sorted({int(x) for x in actions})
        else:
            raise TypeError(
                f"targets[{i}] must be an action or a collection of actions, got {target!r}"
            )
        illegal = [x for x in actions if not 0 <= x < a or not masks[i, x]]
        if illegal:
            raise ValueError(
                f"targets[{i}] = {target!r} holds illegal moves {illegal}; "
                f"legal moves are {states[i].legal_actions()}"
            )
        probs[i, actions] = 1.0 / len(actions)
    return probs


def masked_argmax(scores: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Best legal action per row (n,) of ``scores`` (n, a); ties go to the lowest action."""
    return np.argmax(np.where(masks, scores, -np.inf), axis=1)


def policy_accuracy(net: MLP, states: Sequence[GameState], targets: Any) -> float:
    """Fraction of states whose greedy move (best legal logit) is a target move."""
    states = _check_states(states)
    probs = policy_targets(states, targets)
    _check_net(net, feature_size(states[0]), states[0].num_actions, "a policy")
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


def _fit(
    net: MLP,
    inputs: np.ndarray,
    loss_fn: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]],
    train_accuracy: Callable[[], float],
    test_accuracy: Callable[[], float] | None,
    *,
    optimiser: str,
    learning_rate: float,
    momentum: float,
    n_epochs: int,
    batch_size: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Train ``net`` and return the fields of a ``_Fit`` (less ``net``), for both learners."""
    test_curve: list[float] = []

    def evaluate(_: MLP) -> float:
        if test_accuracy is not None:
            test_curve.append(test_accuracy())
        return train_accuracy()

    log = train(
        net,
        inputs,
        loss_fn,
        optimiser=_optimiser(optimiser, net, learning_rate, momentum),
        n_epochs=n_epochs,
        batch_size=batch_size,
        rng=rng,
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
    test_list = _check_states(test_states, "test_states")
    if _signature(test_list[0]) != _signature(states[0]):
        raise ValueError("test_states must be the same game and board size as states")
    _nonterminal(test_list, "test_states")
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
    """
    states = _check_states(states)
    _nonterminal(states, "states")
    probs = policy_targets(states, targets)
    generator("rng", rng)
    n_in, n_out = feature_size(states[0]), states[0].num_actions
    if net is None:
        net = MLP([n_in, *_hidden(hidden), n_out], rng, activation=activation)
    _check_net(net, n_in, n_out, "a policy")
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

    fields = _fit(
        net,
        inputs,
        loss_fn,
        lambda: accuracy(inputs, masks, probs),
        None if test is None else lambda: accuracy(*test),
        optimiser=optimiser,
        learning_rate=learning_rate,
        momentum=momentum,
        n_epochs=n_epochs,
        batch_size=batch_size,
        rng=rng,
    )
    return PolicyFit(net=net, **fields)


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
        _check_state(state)
        if state.is_terminal():
            raise ValueError(f"the game is over, there is no move to choose: {state!r}")
        _check_net(self.net, feature_size(state), state.num_actions, "this state")
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
    states = _check_states(states)
    _check_net(net, feature_size(states[0]), 1, "a value function")
    return np.tanh(net.forward(encode_batch(states))[:, 0])


def _tanh_mse(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """MSE of tanh(outputs (b, 1)) against targets (b,), and its gradient for the outputs."""
    pred = np.tanh(outputs[:, 0])
    loss, grad = mse(pred, targets)
    return loss, (grad * (1.0 - pred**2))[:, None]


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
    (e.g. a solver's game values for the player to move) by mean squared error."""
    states = _check_states(states)
    _nonterminal(states, "states")
    targets = _check_values(values, len(states), "values")
    generator("rng", rng)
    n_in = feature_size(states[0])
    if net is None:
        net = MLP([n_in, *_hidden(hidden), 1], rng, activation=activation)
    _check_net(net, n_in, 1, "a value function")
    inputs = encode_batch(states)
    test_list = _test_set(states, test_states, test_values, "test_values")
    test = None
    if test_list is not None:
        test = (encode_batch(test_list), _check_values(test_values, len(test_list), "test_values"))

    def accuracy(x: np.ndarray, v: np.ndarray) -> float:
        return float(np.mean(np.round(np.tanh(net.forward(x)[:, 0])) == v))

    fields = _fit(
        net,
        inputs,
        lambda outputs, batch: _tanh_mse(outputs, targets[batch]),
        lambda: accuracy(inputs, targets),
        None if test is None else lambda: accuracy(*test),
        optimiser=optimiser,
        learning_rate=learning_rate,
        momentum=momentum,
        n_epochs=n_epochs,
        batch_size=batch_size,
        rng=rng,
    )
    return ValueFit(net=net, **fields)


def _outcome_for_mover(child: GameState) -> float:
    """A finished game's payoff for the player who made the last move: only they can have won."""
    return 0.0 if child.winner is None else 1.0


def _move_scores(
    children: list[GameState], values: Callable[[list[GameState]], Sequence[float]]
) -> tuple[list[float], int]:
    """Each move's value for the mover (k,): the outcome if it ends the game, else minus
    the child's value for its own mover. Also returns how many children were valued."""
    scores = [0.0] * len(children)
    open_children = []
    for i, child in enumerate(children):
        if child.is_terminal():
            scores[i] = _outcome_for_mover(child)
        else:
            open_children.append(i)
    if open_children:
        for i, v in zip(open_children, values([children[i] for i in open_children]), strict=True):
            scores[i] = -float(v)
    return scores, len(open_children)


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
        _check_state(state)
        if state.is_terminal():
            raise ValueError(f"the game is over, there is no move to choose: {state!r}")
        actions = state.legal_actions()
        children = [state.play(a) for a in actions]
        scores, evaluated = _move_scores(children, lambda s: predict_values(self.net, s))
        self.last_cost = DecisionCost(network_passes=evaluated)
        return actions[int(np.argmax(scores))]

    def __repr__(self) -> str:
        return f"ValueAgent({self.net!r})"


# --- TD self-play --------------------------------------------------------------


@dataclass
class TDLog:
    """One call of ``train``: curves per game and the work done.

    ``td_errors`` (games,) is the mean |target - v(s)| over each game's updates;
    ``eval_games`` and ``eval_scores`` are the games played so far and ``evaluate``'s
    score at each evaluation; ``positions_evaluated`` counts child positions valued
    (table lookups or network rows); ``network_passes`` is in forward-pass equivalents.
    """

    games: int = 0
    moves: int = 0
    updates: int = 0
    td_errors: list[float] = field(default_factory=list)
    eval_games: list[int] = field(default_factory=list)
    eval_scores: list[float] = field(default_factory=list)
    positions_evaluated: int = 0
    network_passes: int = 0


class _SelfPlayTD:
    """Shared self-play loop. At each decision state s the mover scores every legal move
    (``_move_scores``), moves epsilon-greedily, and v(s) moves towards the TD(0) target:
    the best score (``backup="greedy"``, Q-learning style) or the played move's score
    (``backup="sample"``, on-policy)."""

    def __init__(
        self,
        initial_state: GameState,
        rng: np.random.Generator,
        *,
        epsilon: float,
        backup: str,
    ) -> None:
        self.initial_state = _check_state(initial_state, "initial_state")
        if initial_state.is_terminal():
            raise ValueError(f"initial_state must be an unfinished game, got {initial_state!r}")
        self.rng = generator("rng", rng)
        self.epsilon = positive_float("epsilon", epsilon, allow_zero=True)
        if self.epsilon > 1:
            raise ValueError(f"epsilon must be in [0, 1], got {epsilon!r}")
        if backup not in ("greedy", "sample"):
            raise ValueError(f"backup must be 'greedy' or 'sample', got {backup!r}")
        self.backup = backup
        self.games_played = 0
        self.updates = 0
        self.positions_evaluated = 0
        self.last_cost: DecisionCost | None = None

    # Subclasses supply the value function and how a game's targets are learned.
    def _values(self, states: list[GameState]) -> Sequence[float]:
        raise NotImplementedError

    def _learn(self, decisions: list[GameState], targets: list[float], log: TDLog) -> float:
        raise NotImplementedError

    def _check_game(self, state: GameState) -> None:
        _check_state(state)
        if _signature(state) != _signature(self.initial_state):
            raise ValueError(
                f"this learner plays {_signature(self.initial_state)}, got {_signature(state)}"
            )

    def _check_decision_state(self, state: GameState) -> None:
        self._check_game(state)
        if state.is_terminal():
            raise ValueError(f"the game is over, there is no move to choose: {state!r}")

    def value(self, state: GameState) -> float:
        """v(state) for its player to move; a finished game is worth 0 (draw) or -1 (lost)."""
        self._check_game(state)
        if state.is_terminal():
            return -_outcome_for_mover(state)
        return float(self._values([state])[0])

    def _play_one_game(self, log: TDLog) -> None:
        state, decisions, targets = self.initial_state, [], []
        rng, epsilon, greedy = self.rng, self.epsilon, self.backup == "greedy"
        while not state.is_terminal():
            actions = state.legal_actions()
            # The actions come from legal_actions, so Connect Four may skip the check.
            play = state.play_unchecked if isinstance(state, ConnectFour) else state.play
            children = [play(a) for a in actions]
            scores, evaluated = _move_scores(children, self._values)
            log.positions_evaluated += evaluated
            best = max(scores)
            if rng.random() < epsilon:
                choice = int(rng.integers(len(actions)))
            else:
                ties = [i for i, score in enumerate(scores) if score == best]
                choice = ties[int(rng.integers(len(ties)))] if len(ties) > 1 else ties[0]
            decisions.append(state)
            targets.append(best if greedy else scores[choice])
            state = children[choice]
            log.moves += 1
        log.td_errors.append(self._learn(decisions, targets, log))
        log.updates += len(decisions)
        log.games += 1

    def train(
        self,
        n_games: int,
        *,
        evaluate: Callable[[Any], float] | None = None,
        eval_every: int | None = None,
    ) -> TDLog:
        """Play ``n_games`` self-play games, learning from each game as it ends.

        (For the table this is the same as updating after every move: no position
        repeats within a game, so no target depends on an update of the same game.)

        ``evaluate(self)`` (e.g. a score against a fixed opponent) runs before the first
        game and every ``eval_every`` games, giving the learning curve.
        """
        n_games = positive_int("n_games", n_games)
        if evaluate is not None and not callable(evaluate):
            raise TypeError(f"evaluate must be callable agent -> float, got {evaluate!r}")
        if (evaluate is None) != (eval_every is None):
            raise ValueError("give evaluate and eval_every together, or neither")
        if eval_every is not None:
            eval_every = positive_int("eval_every", eval_every)
        log = TDLog()

        def record() -> None:
            if evaluate is not None:
                log.eval_games.append(self.games_played)
                log.eval_scores.append(float(evaluate(self)))

        record()
        for _ in range(n_games):
            self._play_one_game(log)
            self.games_played += 1
            if eval_every is not None and log.games % eval_every == 0:
                record()
        self.updates += log.updates
        self.positions_evaluated += log.positions_evaluated
        return log

    def __call__(self, state: GameState) -> int:
        """The greedy move (ties to the lowest action), for play after training."""
        self._check_decision_state(state)
        actions = state.legal_actions()
        scores, evaluated = _move_scores([state.play(a) for a in actions], self._values)
        self.last_cost = self._cost(evaluated)
        return actions[int(np.argmax(scores))]

    def _cost(self, evaluated: int) -> DecisionCost:
        raise NotImplementedError


class TabularTD(_SelfPlayTD):
    """TD(0) self-play with a table of state values keyed on ``state.key()``.

    v(s) is the value of s for its player to move (unseen states: ``initial_value``);
    each decision moves it ``learning_rate`` of the way to its target, at once. Keys
    identify symmetric positions, so they share one entry. Suited to tic-tac-toe
    (at most 765 keys with a move to make); larger games outgrow the table.
    """

    def __init__(
        self,
        initial_state: GameState,
        rng: np.random.Generator,
        *,
        learning_rate: float = 0.5,
        epsilon: float = 0.1,
        backup: str = "greedy",
        initial_value: float = 0.0,
    ) -> None:
        super().__init__(initial_state, rng, epsilon=epsilon, backup=backup)
        self.learning_rate = positive_float("learning_rate", learning_rate)
        if self.learning_rate > 1:
            raise ValueError(f"learning_rate must be in (0, 1], got {learning_rate!r}")
        if isinstance(initial_value, bool) or not isinstance(initial_value, numbers.Real):
            raise TypeError(f"initial_value must be a number in [-1, 1], got {initial_value!r}")
        if not -1 <= initial_value <= 1:
            raise ValueError(f"initial_value must be in [-1, 1], got {initial_value!r}")
        self.initial_value = float(initial_value)
        self.table: dict[Hashable, float] = {}

    def _values(self, states: list[GameState]) -> list[float]:
        table, default = self.table, self.initial_value
        return [table.get(s.key(), default) for s in states]

    def _learn(self, decisions: list[GameState], targets: list[float], log: TDLog) -> float:
        # The table is updated after the game; each target was computed when its
        # move was made, so this equals updating at once unless a key repeats,
        # which cannot happen within one game of these games (stones only add).
        table, alpha, default = self.table, self.learning_rate, self.initial_value
        total = 0.0
        for state, target in zip(decisions, targets, strict=True):
            key = state.key()
            old = table.get(key, default)
            table[key] = old + alpha * (target - old)
            total += abs(target - old)
        return total / len(decisions)

    def _cost(self, evaluated: int) -> DecisionCost:
        return DecisionCost(table_lookups=evaluated)

    def __repr__(self) -> str:
        return f"TabularTD({self.initial_state!r}, table of {len(self.table)} states)"


class NeuralTD(_SelfPlayTD):
    """TD(0) self-play with an MLP value function v(s) = tanh(MLP(encode(s))).

    Each move values all children in one batched forward pass; after each game
    one optimiser step fits v to that game's targets by mean squared error.
    Suited to small Connect Four boards (e.g. ``ConnectFour(rows=4, cols=5)``).
    """

    def __init__(
        self,
        initial_state: GameState,
        rng: np.random.Generator,
        *,
        hidden: Sequence[int] = (64,),
        activation: str = "tanh",
        learning_rate: float = 1e-3,
        optimiser: str = "adam",
        momentum: float = 0.0,
        epsilon: float = 0.1,
        backup: str = "greedy",
        net: MLP | None = None,
    ) -> None:
        super().__init__(initial_state, rng, epsilon=epsilon, backup=backup)
        n_in = feature_size(initial_state)
        if net is None:
            net = MLP([n_in, *_hidden(hidden), 1], rng, activation=activation)
        self.net = _check_net(net, n_in, 1, "a value function")
        self.optimiser = _optimiser(optimiser, self.net, learning_rate, momentum)
        self.network_passes = 0

    def _values(self, states: list[GameState]) -> list[float]:
        return np.tanh(self.net.forward(_encode_many(states))[:, 0]).tolist()

    def _learn(self, decisions: list[GameState], targets: list[float], log: TDLog) -> float:
        outputs, cache = self.net.forward_cached(_encode_many(decisions))
        target_arr = np.array(targets)
        before = np.abs(np.tanh(outputs[:, 0]) - target_arr)
        _, grad = _tanh_mse(outputs, target_arr)
        self.optimiser.step(self.net.backward(cache, grad))
        return float(before.mean())

    def train(
        self,
        n_games: int,
        *,
        evaluate: Callable[[Any], float] | None = None,
        eval_every: int | None = None,
    ) -> TDLog:
        """As ``_SelfPlayTD.train``; ``network_passes`` counts the children valued while
        playing and the forward and backward passes of learning, not ``evaluate``'s play."""
        log = super().train(n_games, evaluate=evaluate, eval_every=eval_every)
        log.network_passes = log.positions_evaluated + training_passes(log.updates)
        self.network_passes += log.network_passes
        return log

    def _cost(self, evaluated: int) -> DecisionCost:
        return DecisionCost(network_passes=evaluated)

    def __repr__(self) -> str:
        return f"NeuralTD({self.initial_state!r}, {self.net!r})"


# --- the tabular Q-learning update, as an exercise reference -------------------


def q_update(
    q: np.ndarray,
    state: int,
    action: int,
    reward: float,
    next_state: int,
    legal_next: Sequence[int],
    done: bool,
    learning_rate: float,
    discount: float = 1.0,
    zero_sum: bool = False,
) -> np.ndarray:
    """One tabular Q-learning update of ``q`` (n_states, n_actions), in place; returns ``q``.

    target = reward if ``done``, else reward + discount * sign * max_{a in legal_next}
    q[next_state, a], with sign = -1 when ``zero_sum`` (the opponent moves next, so
    their best is our worst) and +1 otherwise; then
    q[state, action] += learning_rate * (target - q[state, action]).
    """
    if not isinstance(q, np.ndarray) or q.ndim != 2:
        raise TypeError(f"q must be a 2-D numpy array (n_states, n_actions), got {q!r}")
    for name, index, bound in (
        ("state", state, q.shape[0]),
        ("action", action, q.shape[1]),
        ("next_state", next_state, q.shape[0]),
    ):
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"{name} must be an int, got {index!r}")
        if not 0 <= index < bound:
            raise ValueError(f"{name} must be in 0..{bound - 1}, got {index}")
    alpha = positive_float("learning_rate", learning_rate)
    gamma = positive_float("discount", discount, allow_zero=True)
    if alpha > 1 or gamma > 1:
        raise ValueError(f"learning_rate and discount must be at most 1, got {alpha}, {gamma}")
    if done:
        target = float(reward)
    else:
        legal = list(legal_next)
        if not legal:
            raise ValueError("legal_next must hold at least one action when done is False")
        best = float(np.max(q[next_state, legal]))
        target = float(reward) + gamma * (-best if zero_sum else best)
    q[state, action] += alpha * (target - q[state, action])
    return q
