"""A hybrid agent for small Connect Four boards: one network with a policy, a value
and a move-confidence head; PUCT search guided by it; and a gated (system 1 /
system 2) agent that acts from the policy when its learned confidence says it is
safe and searches otherwise.

Shapes, for a board of ``rows`` x ``cols``: features (n, ``n_features()``), nine
planes of the cells (the three of ``daopt.features.encode``, mover, opponent and
empty, cell ``row * cols + col``, and six of threats and playable cells) and six
flags per four-cell line (see ``features``); the network's output (n, 2 * cols + 1)
is policy logits (cols), a raw value (1, read through tanh, for the player to
move) and confidence logits (cols, read through a sigmoid: the probability that
each move is optimal).

Every agent is ``agent(state) -> action`` and sets ``last_cost``, a
``daopt.cost.DecisionCost``: network passes for the forward passes it ran,
simulations for PUCT, search nodes for the tactical check (each child position
it examines counts as one node).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from daopt.cost import DecisionCost
from daopt.games import ConnectFour, GameState
from daopt.mcts import MCTS, MCTSResult
from daopt.nn import MLP, Adam, TrainLog, softmax_cross_entropy, train
from daopt.search import winning_cells_function
from daopt.validation import generator, positive_float, positive_int, probability

__all__ = [
    "GATE_FEATURES",
    "KINDS",
    "LINE_COUNTS",
    "PLANES",
    "WEIGHTS",
    "GateReport",
    "GateSignal",
    "GatedAgent",
    "NetOutput",
    "PUCTAgent",
    "PolicyAgent",
    "PolicyValueNet",
    "auc",
    "bc_targets",
    "check_state",
    "cost_at_rate",
    "cost_ratio_at_rate",
    "features",
    "fit",
    "fit_gate_signal",
    "fit_logistic",
    "gate_features",
    "gate_report",
    "gated_from_settings",
    "heads",
    "lines",
    "mirror_features",
    "mirror_targets",
    "n_features",
    "new_network",
    "pretrained",
    "rate_difference",
    "reliability",
    "search_cost",
    "tactical_move",
]

ROWS = COLS = 5
WEIGHTS = Path(__file__).resolve().parent / "weights"
KINDS = ("policy", "exit", "puct", "gated")


# --- states and features ------------------------------------------------------------------


def check_state(state: Any, rows: int = ROWS, cols: int = COLS) -> ConnectFour:
    """``state`` if it is a non-terminal Connect Four state of ``cols`` x ``rows`` (k = 4)."""
    if not isinstance(state, ConnectFour):
        raise TypeError(f"state must be a daopt.games.ConnectFour state, got {state!r}")
    if (state.rows, state.cols, state.k) != (rows, cols, 4):
        raise ValueError(
            f"this agent plays ConnectFour(rows={rows}, cols={cols}, k=4), got {state!r}"
        )
    if state.is_terminal():
        raise ValueError(f"the game is over in {state!r}: there is no move to choose")
    return state


@cache
def _cell_shifts(rows: int, cols: int) -> np.ndarray:
    height = rows + 1
    return np.array([c * height + r for r in range(rows) for c in range(cols)], dtype=np.uint64)


PLANES = (
    "to move",
    "opponent",
    "empty",
    "to move wins here",
    "opponent wins here",
    "playable",
    "to move wins now",
    "opponent wins now",
    "under the opponent's win",
)
LINE_COUNTS = (
    "to move holds 1",
    "to move holds 2",
    "to move holds 3",
    "opponent holds 1",
    "opponent holds 2",
    "opponent holds 3",
)


@cache
def lines(rows: int = ROWS, cols: int = COLS, k: int = 4) -> np.ndarray:
    """Every k-cell line of the board (n_lines, k), as cells ``row * cols + col``, by
    start cell (row by row), each start's horizontal, vertical and two diagonal
    lines in that order. Read-only: it is cached."""
    found = []
    for r in range(rows):
        for c in range(cols):
            for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
                cells = [(r + i * dr, c + i * dc) for i in range(k)]
                if all(0 <= a < rows and 0 <= b < cols for a, b in cells):
                    found.append([a * cols + b for a, b in cells])
    out = np.array(found, dtype=np.intp)
    out.setflags(write=False)
    return out


def n_features(rows: int = ROWS, cols: int = COLS) -> int:
    """The length of ``features``' rows: a plane per ``PLANES`` entry and, per line,
    one flag per ``LINE_COUNTS`` entry."""
    return len(PLANES) * rows * cols + len(LINE_COUNTS) * len(lines(rows, cols))


def features(states: list[ConnectFour]) -> np.ndarray:
    """Features (n, ``n_features()``) of states of one board size, from the mover's view.

    Nine planes of 0/1 over the cells, cell ``row * cols + col`` (row 0 at the
    bottom), in ``PLANES`` order: the mover's stones, the opponent's and the empty
    cells (``daopt.features.encode_batch``); the empty cells where a stone would
    complete four for the mover and for the opponent (playable now or not); the
    playable cells (the lowest empty cell of each column); the playable cells where
    the mover and the opponent would win now; and the playable cells directly under
    an opponent's winning cell. Then, for each four-cell line of ``lines()``, six
    flags in ``LINE_COUNTS`` order: the line holds 1, 2 or 3 of the mover's stones and
    none of the opponent's, and the same for the opponent. All of it is bit
    operations and counts on the position, computed with the encoding, not a search.
    """
    if isinstance(states, GameState) or not isinstance(states, (list, tuple)) or not states:
        raise TypeError(f"states must be a non-empty list of ConnectFour states, got {states!r}")
    first = states[0]
    if not isinstance(first, ConnectFour):
        raise TypeError(f"states must be ConnectFour states, got {first!r}")
    for state in states:
        if not isinstance(state, ConnectFour) or state.geometry is not first.geometry:
            raise ValueError(f"states must share one board size, got {first!r} and {state!r}")
    g = first.geometry
    shifts = _cell_shifts(first.rows, first.cols)
    winning = winning_cells_function(g)
    boards = []
    for s in states:
        mine_wins, their_wins = winning(s.current, s.mask), winning(s.current ^ s.mask, s.mask)
        playable = (s.mask + g.bottom_row) & g.board
        boards.append(
            (
                s.current,
                s.mask,
                mine_wins,
                their_wins,
                playable,
                playable & mine_wins,
                playable & their_wins,
                playable & (their_wins >> 1),
            )
        )
    bits = np.array(boards, dtype=np.uint64)[:, :, None] >> shifts & 1
    mine, taken = bits[:, 0], bits[:, 1]
    theirs = taken - mine
    planes = [mine, theirs, 1 - taken, *bits[:, 2:].transpose(1, 0, 2)]
    cells = lines(first.rows, first.cols)
    mine_count, their_count = mine[:, cells].sum(axis=2), theirs[:, cells].sum(axis=2)
    counts = [(mine_count == j) & (their_count == 0) for j in (1, 2, 3)]
    counts += [(their_count == j) & (mine_count == 0) for j in (1, 2, 3)]
    return np.concatenate(planes + counts, axis=1).astype(float)


@cache
def _mirror_columns(rows: int, cols: int) -> np.ndarray:
    """The permutation of feature columns that mirrors the board left to right."""
    cell_image = np.arange(rows * cols).reshape(rows, cols)[:, ::-1].ravel()
    planes = [p * rows * cols + cell_image for p in range(len(PLANES))]
    board_lines = lines(rows, cols)
    index = {tuple(sorted(line)): i for i, line in enumerate(board_lines)}
    line_image = np.array(
        [index[tuple(sorted(cell_image[board_lines[i]]))] for i in range(len(board_lines))]
    )
    start = len(PLANES) * rows * cols
    counts = [start + j * len(board_lines) + line_image for j in range(len(LINE_COUNTS))]
    out = np.concatenate(planes + counts)
    out.setflags(write=False)
    return out


def mirror_features(x: np.ndarray, rows: int = ROWS, cols: int = COLS) -> np.ndarray:
    """Features (n, ``n_features()``) of the left-right mirrored boards."""
    x = np.asarray(x, dtype=float)
    d = n_features(rows, cols)
    if x.ndim != 2 or x.shape[1] != d:
        raise ValueError(f"x must have shape (n, {d}), got {x.shape}")
    return x[:, _mirror_columns(rows, cols)]


def mirror_targets(y: np.ndarray) -> np.ndarray:
    """Per-column targets (n, cols) of the mirrored boards (columns reversed)."""
    y = np.asarray(y)
    if y.ndim != 2:
        raise ValueError(f"y must have shape (n, cols), got {y.shape}")
    return y[:, ::-1].copy()


def bc_targets(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Behaviour-cloning targets from the solver's column values (n, cols), in
    {-1, 0, +1} for legal columns and -2 for full ones.

    Returns (policy (n, cols) uniform over the optimal columns, value (n,) the game
    value for the player to move, optimal (n, cols) 0/1, legal (n, cols) bool).
    """
    values = np.asarray(values)
    if values.ndim != 2 or not np.isin(values, (-2, -1, 0, 1)).all():
        raise ValueError("values must be an (n, cols) array of -1, 0, +1 (legal) and -2 (full)")
    legal = values > -2
    if not legal.any(axis=1).all():
        raise ValueError("every row of values needs at least one legal column")
    best = np.where(legal, values, -3).max(axis=1)
    optimal = (values == best[:, None]) & legal
    policy = optimal / optimal.sum(axis=1, keepdims=True)
    return policy, best.astype(float), optimal.astype(float), legal


# --- the network ------------------------------------------------------------------------------


def new_network(
    rng: np.random.Generator,
    hidden: tuple[int, ...] = (128, 128),
    rows: int = ROWS,
    cols: int = COLS,
) -> MLP:
    """An untrained shared-trunk network: ``n_features()`` inputs, 2 * cols + 1 outputs."""
    generator("rng", rng)
    return MLP([n_features(rows, cols), *hidden, 2 * cols + 1], rng, activation="relu")


@dataclass(frozen=True)
class NetOutput:
    """The three heads on n positions: policy (n, cols) over legal moves, value (n,)
    in [-1, 1] for the player to move, confidence (n, cols) in (0, 1); ``raw`` keeps
    the network's outputs (n, 2 * cols + 1) they were read from (None if not given)."""

    policy: np.ndarray
    value: np.ndarray
    confidence: np.ndarray
    raw: np.ndarray | None = None


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # tanh form: no overflow for large |z|


def heads(outputs: np.ndarray, legal: np.ndarray) -> NetOutput:
    """The heads from raw network outputs (n, 2 * cols + 1) and legal moves (n, cols) bool."""
    cols = legal.shape[1]
    logits = np.where(legal, outputs[:, :cols], -np.inf)
    logits = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    return NetOutput(
        probs, np.tanh(outputs[:, cols]), _sigmoid(outputs[:, cols + 1 :]), np.asarray(outputs)
    )


class PolicyValueNet:
    """A network as search hooks: ``prior(state)`` and ``value(state)`` share one
    forward pass per state (the last state's output is kept), and ``passes`` counts
    the forward passes run, one per position."""

    def __init__(self, net: MLP, rows: int = ROWS, cols: int = COLS) -> None:
        if not isinstance(net, MLP):
            raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
        if net.sizes[0] != n_features(rows, cols) or net.sizes[-1] != 2 * cols + 1:
            raise ValueError(
                f"net must map {n_features(rows, cols)} features to {2 * cols + 1} outputs, "
                f"got sizes {net.sizes}"
            )
        self.net, self.rows, self.cols = net, rows, cols
        self.passes = 0
        self._last: tuple[ConnectFour, NetOutput] | None = None
        self._prefetched: dict[ConnectFour, NetOutput] = {}

    def evaluate(self, states: list[ConnectFour]) -> NetOutput:
        """The heads on ``states`` (a list of one board size): len(states) passes."""
        x = features(states)
        legal = np.zeros((len(states), self.cols), dtype=bool)
        for i, state in enumerate(states):
            legal[i, state.legal_actions()] = True
        if not legal.any(axis=1).all():
            raise ValueError("every state must have a legal move (none may be finished)")
        self.passes += len(states)
        return heads(self.net.forward(x), legal)

    def prefetch(self, states: list[ConnectFour]) -> None:
        """Evaluate ``states`` in one batched pass (len(states) passes) and keep their
        heads for ``one``, ``prior`` and ``value`` until the next prefetch: this is how
        many searches share a forward pass (``daopt.mcts.search_together``)."""
        out = self.evaluate(states)
        rows = [slice(i, i + 1) for i in range(len(states))]
        self._prefetched = {
            state: NetOutput(out.policy[r], out.value[r], out.confidence[r], out.raw[r])
            for state, r in zip(states, rows, strict=True)
        }

    def one(self, state: ConnectFour) -> NetOutput:
        """The heads on one state (rows of length 1), cached for the last state and
        for the states of the last ``prefetch``."""
        if self._last is None or self._last[0] != state:
            known = self._prefetched.get(state)
            self._last = (state, self.evaluate([state]) if known is None else known)
        return self._last[1]

    def prior(self, state: GameState) -> np.ndarray:
        """Policy (cols,) for PUCT."""
        return self.one(state).policy[0]

    def value(self, state: GameState) -> float:
        """Value in [-1, 1] for the player to move, for PUCT's leaves."""
        return float(self.one(state).value[0])

    def __repr__(self) -> str:
        return f"PolicyValueNet({self.net!r})"


# --- training ---------------------------------------------------------------------------------


def fit(
    net: MLP,
    x: np.ndarray,
    policy: np.ndarray,
    value: np.ndarray,
    legal: np.ndarray,
    *,
    optimal: np.ndarray | None = None,
    rng: np.random.Generator,
    n_epochs: int,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    value_weight: float = 1.0,
    confidence_weight: float = 1.0,
    optimiser: Adam | None = None,
) -> TrainLog:
    """Train all heads on n examples: features ``x`` (n, d), target move distributions
    ``policy`` (n, cols), values ``value`` (n,) in [-1, 1], ``legal`` (n, cols) bool,
    and (optional) ``optimal`` (n, cols) 0/1 for the confidence head (without it the
    confidence head is not trained). Loss: policy cross-entropy + ``value_weight`` *
    squared error of tanh(value) + ``confidence_weight`` * mean binary cross-entropy
    over legal moves. Pass ``optimiser`` to continue with the same Adam state."""
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
    cols = (net.sizes[-1] - 1) // 2
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    policy, value, legal = np.asarray(policy, float), np.asarray(value, float), np.asarray(legal)
    if policy.shape != (n, cols) or legal.shape != (n, cols) or value.shape != (n,):
        raise ValueError(
            f"expected policy and legal of shape {(n, cols)} and value of shape {(n,)}, "
            f"got {policy.shape}, {legal.shape}, {value.shape}"
        )
    if optimal is not None and np.shape(optimal) != (n, cols):
        raise ValueError(f"optimal must have shape {(n, cols)}, got {np.shape(optimal)}")
    value_weight = positive_float("value_weight", value_weight, allow_zero=True)
    confidence_weight = positive_float("confidence_weight", confidence_weight, allow_zero=True)
    generator("rng", rng)
    legal = legal.astype(bool)

    def loss_fn(outputs: np.ndarray, rows: np.ndarray) -> tuple[float, np.ndarray]:
        b = rows.shape[0]
        grad = np.zeros_like(outputs)
        loss, grad[:, :cols] = softmax_cross_entropy(outputs[:, :cols], policy[rows], legal[rows])
        v = np.tanh(outputs[:, cols])
        loss += value_weight * float(np.mean((v - value[rows]) ** 2))
        grad[:, cols] = value_weight * 2.0 * (v - value[rows]) * (1.0 - v**2) / b
        if optimal is not None and confidence_weight > 0:
            mask = legal[rows]
            p = np.clip(_sigmoid(outputs[:, cols + 1 :]), 1e-12, 1 - 1e-12)
            y = np.asarray(optimal)[rows]
            bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
            count = mask.sum()
            loss += confidence_weight * float(bce[mask].sum() / count)
            grad[:, cols + 1 :] = confidence_weight * (p - y) * mask / count
        return loss, grad

    if optimiser is None:
        optimiser = Adam(net.params, learning_rate=positive_float("learning_rate", learning_rate))
    return train(
        net,
        x,
        loss_fn,
        optimiser=optimiser,
        n_epochs=positive_int("n_epochs", n_epochs),
        batch_size=positive_int("batch_size", batch_size),
        rng=rng,
    )


# --- the gate's signal -----------------------------------------------------------------

GATE_FEATURES = (
    "confidence logit",
    "log peak",
    "top-two gap",
    "entropy",
    "|value|",
    "legal moves",
)


def gate_features(out: NetOutput) -> np.ndarray:
    """Features (n, 6) of the network's heads on n positions, for the policy's move
    (its most probable legal column, the first on ties), in ``GATE_FEATURES`` order:
    the confidence head's logit for that move, log of the policy's peak probability,
    the gap between its two largest probabilities (0 for a second if only one move
    is legal), the policy's entropy in nats, |value|, and the number of legal moves."""
    if not isinstance(out, NetOutput):
        raise TypeError(f"out must be a daopt.hybrid.NetOutput, got {out!r}")
    if out.raw is None:
        raise ValueError("out has no raw outputs: build it with daopt.hybrid.heads")
    policy = np.asarray(out.policy, dtype=float)
    n, cols = policy.shape
    move = policy.argmax(axis=1)
    rows = np.arange(n)
    ordered = np.sort(policy, axis=1)
    peak, second = ordered[:, -1], ordered[:, -2] if cols > 1 else np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(policy > 0, policy * np.log(policy), 0.0)
    return np.stack(
        [
            out.raw[rows, cols + 1 + move],
            np.log(peak),
            peak - second,
            -plogp.sum(axis=1),
            np.abs(out.value),
            (policy > 0).sum(axis=1).astype(float),
        ],
        axis=1,
    )


@dataclass(frozen=True)
class GateSignal:
    """A logistic regression on ``gate_features``: sigmoid(weights . features + bias),
    the probability that the policy's move is optimal (calibrated by the fit)."""

    weights: tuple[float, ...]
    bias: float

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=float)
        if w.shape != (len(GATE_FEATURES),) or not np.all(np.isfinite(w)):
            raise ValueError(
                f"weights must be {len(GATE_FEATURES)} finite numbers, one per feature "
                f"{GATE_FEATURES}, got {self.weights!r}"
            )
        if not isinstance(self.bias, (int, float)) or not np.isfinite(self.bias):
            raise ValueError(f"bias must be a finite number, got {self.bias!r}")

    def logit(self, features: np.ndarray) -> np.ndarray:
        """The logit (n,) for ``features`` (n, 6)."""
        features = np.asarray(features, dtype=float)
        if features.ndim != 2 or features.shape[1] != len(GATE_FEATURES):
            raise ValueError(
                f"features must have shape (n, {len(GATE_FEATURES)}), got {features.shape}"
            )
        total = np.full(features.shape[0], float(self.bias))
        for j, w in enumerate(self.weights):  # in order, as the play page sums them
            total = total + w * features[:, j]
        return total

    def __call__(self, out: NetOutput) -> np.ndarray:
        """The probability (n,) that the policy's move is optimal, from the heads."""
        return _sigmoid(self.logit(gate_features(out)))

    def as_dict(self) -> dict[str, Any]:
        """The signal as JSON-ready data (the shipped settings keep it so)."""
        return {"features": list(GATE_FEATURES), "weights": list(self.weights), "bias": self.bias}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GateSignal:
        """The signal from ``as_dict``'s data."""
        if not isinstance(data, dict) or set(data) != {"features", "weights", "bias"}:
            raise ValueError(f"expected a dict with features, weights and bias, got {data!r}")
        if tuple(data["features"]) != GATE_FEATURES:
            raise ValueError(f"features must be {GATE_FEATURES}, got {data['features']!r}")
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]))


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 100
) -> tuple[np.ndarray, float]:
    """Logistic regression of ``y`` (n,) bool on ``x`` (n, d): (weights (d,), bias)
    maximising the likelihood of sigmoid(x . weights + bias) with an ``l2`` penalty
    on the standardised weights (not the bias), by Newton's method with a
    backtracking line search (a plain Newton step overshoots on large inputs)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(f"x must have shape (n, d) with n >= 1, got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite")
    y = _flags("y", y, x.shape[0])
    if y.all() or not y.any():
        raise ValueError("y must hold both outcomes to fit a logistic regression")
    l2 = positive_float("l2", l2, allow_zero=True)
    steps = positive_int("steps", steps)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)  # a constant column keeps a zero weight
    z = np.column_stack([(x - mean) / scale, np.ones(len(x))])
    target = y.astype(float)
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0

    def loss(theta: np.ndarray) -> float:
        u = z @ theta
        return float(np.sum(np.logaddexp(0.0, u) - target * u) + 0.5 * np.sum(penalty * theta**2))

    theta = np.zeros(z.shape[1])
    for _ in range(steps):
        p = _sigmoid(z @ theta)
        g = z.T @ (p - target) + penalty * theta
        h = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(z.shape[1])
        step = np.linalg.solve(h, g)
        t, now = 1.0, loss(theta)
        while loss(theta - t * step) > now - 1e-4 * t * float(g @ step) and t > 1e-8:
            t /= 2
        theta = theta - t * step
        if np.abs(t * step).max() < 1e-10:
            break
    weights = theta[:-1] / scale
    return weights, float(theta[-1] - np.sum(weights * mean))


def fit_gate_signal(
    features: np.ndarray, correct: np.ndarray, l2: float = 1.0, steps: int = 100
) -> GateSignal:
    """Fit a ``GateSignal`` to ``features`` (n, 6) and ``correct`` (n,) bool (the
    policy's move was optimal): ``fit_logistic`` with an ``l2`` penalty."""
    features = np.asarray(features, dtype=float)
    if features.ndim != 2 or features.shape[1] != len(GATE_FEATURES):
        raise ValueError(
            f"features must have shape (n, {len(GATE_FEATURES)}), got {features.shape}"
        )
    correct = _flags("correct", correct, features.shape[0])
    if correct.all() or not correct.any():
        raise ValueError("correct must hold both right and wrong moves to fit a signal")
    weights, bias = fit_logistic(features, correct, l2, steps)
    return GateSignal(tuple(float(w) for w in weights), bias)


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve: the probability that a random positive of ``positive``
    (n,) bool has a higher ``score`` (n,) than a random negative, ties counting half."""
    score = np.asarray(score, dtype=float)
    if score.ndim != 1 or score.size == 0 or not np.all(np.isfinite(score)):
        raise ValueError(f"score must be a non-empty (n,) array of finite numbers, got {score!r}")
    positive = _flags("positive", positive, score.size)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("positive must hold both positives and negatives")
    _, inverse, counts = np.unique(score, return_inverse=True, return_counts=True)
    # The average rank of each distinct score (1-based), shared by its ties.
    ends = np.cumsum(counts)
    ranks = (ends - (counts - 1) / 2.0)[inverse]
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


# --- agents --------------------------------------------------------------------------------


def search_cost(result: MCTSResult, network_passes: float = 0) -> DecisionCost:
    """The ``DecisionCost`` of one search from its ``MCTSResult`` (plus network passes
    that the search's hooks ran, counted by the caller)."""
    if not isinstance(result, MCTSResult):
        raise TypeError(f"result must be a daopt.mcts.MCTSResult, got {result!r}")
    return DecisionCost(
        simulations=result.simulations,
        rollout_moves=result.rollout_steps,
        network_passes=network_passes,
        tree_nodes=result.nodes,
        seconds=result.seconds,
    )


def tactical_move(state: ConnectFour) -> tuple[int | None, int]:
    """A move forced by one-move tactics, and the child positions examined to find it.

    Plays a winning move if there is one; otherwise blocks the opponent's immediate
    win if exactly one legal column would give it; otherwise returns None (no
    forced move, or two threats, which no move can stop). Each legal column tried
    for the mover, then for the opponent, counts as one examined position.
    """
    if not isinstance(state, ConnectFour):
        raise TypeError(f"state must be a daopt.games.ConnectFour state, got {state!r}")
    state = check_state(state, state.rows, state.cols)
    g = state.geometry
    legal = state.legal_actions()
    nodes = 0
    for side in (state.current, state.current ^ state.mask):
        winning = []
        for col in legal:
            nodes += 1
            move = (state.mask + g.bottom[col]) & g.column[col]
            if g.has_line(side | move):
                if side == state.current:
                    return col, nodes  # a win now: take it
                winning.append(col)
        if side != state.current and len(winning) == 1:
            return winning[0], nodes
    return None, nodes


class _Agent:
    """Shared parts: the board size, ``last_cost``, and a clear error for bad states."""

    kind = "agent"

    def __init__(self, net: PolicyValueNet) -> None:
        if not isinstance(net, PolicyValueNet):
            raise TypeError(f"net must be a daopt.hybrid.PolicyValueNet, got {net!r}")
        self.net = net
        self.last_cost: DecisionCost | None = None
        self.last_planned: bool | None = None

    def _check(self, state: Any) -> ConnectFour:
        return check_state(state, self.net.rows, self.net.cols)


class PolicyAgent(_Agent):
    """System 1 only: the policy head's most probable legal move (one network pass)."""

    kind = "policy"

    def __call__(self, state: ConnectFour) -> int:
        state = self._check(state)
        start = time.perf_counter()
        out = self.net.evaluate([state])
        action = int(np.argmax(out.policy[0]))
        self.last_cost = DecisionCost(network_passes=1, seconds=time.perf_counter() - start)
        self.last_planned = False
        return action

    def __repr__(self) -> str:
        return f"PolicyAgent({self.net.net!r})"


class PUCTAgent(_Agent):
    """System 2 only: PUCT search with ``simulations`` simulations, the policy as prior
    and the value head at the leaves (one network pass per new node)."""

    kind = "puct"

    def __init__(
        self, net: PolicyValueNet, simulations: int, rng: np.random.Generator, c_puct: float = 1.5
    ) -> None:
        super().__init__(net)
        self.simulations = positive_int("simulations", simulations)
        self.c_puct = positive_float("c_puct", c_puct)
        self.mcts = MCTS(
            self.simulations,
            generator("rng", rng),
            c_uct=self.c_puct,
            prior=net.prior,
            evaluator=net.value,
        )
        self.last_result: MCTSResult | None = None

    def search(self, state: ConnectFour, simulations: int | None = None) -> MCTSResult:
        """One search from ``state``; sets ``last_cost`` and ``last_result``."""
        state = self._check(state)
        before = self.net.passes
        result = self.mcts.search(state, simulations=simulations or self.simulations)
        self.last_result = result
        self.last_cost = search_cost(result, self.net.passes - before)
        self.last_planned = True
        return result

    def __call__(self, state: ConnectFour) -> int:
        return self.search(state).best_action

    def __repr__(self) -> str:
        return f"PUCTAgent(simulations={self.simulations}, c_puct={self.c_puct})"


class GatedAgent(_Agent):
    """System 1 by default, system 2 when needed.

    Each decision: (1) the tactical check (``tactical_move``), charged as search
    nodes, plays a forced win or block; (2) otherwise one network pass gives the
    policy's move and the probability that it is optimal, read by ``signal`` (a
    ``GateSignal``) or, without one, by the confidence head; if that is at least
    ``threshold`` the agent plays it; (3) otherwise it runs PUCT with
    ``simulations`` simulations. ``last_mode`` is "tactic", "policy" or "search";
    ``last_planned`` is True unless the policy alone chose; ``last_confidence`` is
    the probability seen (None after a tactic).
    """

    kind = "gated"

    def __init__(
        self,
        net: PolicyValueNet,
        threshold: float,
        simulations: int,
        rng: np.random.Generator,
        c_puct: float = 1.5,
        tactics: bool = True,
        signal: GateSignal | None = None,
    ) -> None:
        super().__init__(net)
        if signal is not None and not isinstance(signal, GateSignal):
            raise TypeError(f"signal must be a daopt.hybrid.GateSignal or None, got {signal!r}")
        self.signal = signal
        threshold = positive_float("threshold", threshold, allow_zero=True)
        if threshold > 1:
            raise ValueError(f"threshold must be a probability in [0, 1], got {threshold!r}")
        if not isinstance(tactics, bool):
            raise TypeError(f"tactics must be True or False, got {tactics!r}")
        self.threshold, self.tactics = threshold, tactics
        self.planner = PUCTAgent(net, simulations, rng, c_puct)
        self.last_mode: str | None = None
        self.last_confidence: float | None = None

    def __call__(self, state: ConnectFour) -> int:
        state = self._check(state)
        start = time.perf_counter()
        nodes = 0
        if self.tactics:
            forced, nodes = tactical_move(state)
            if forced is not None:
                self.last_mode, self.last_planned, self.last_confidence = "tactic", True, None
                self.last_cost = DecisionCost(
                    search_nodes=nodes, seconds=time.perf_counter() - start
                )
                return forced
        before = self.net.passes
        out = self.net.one(state)  # kept: the search's root reuses this pass
        action = int(np.argmax(out.policy[0]))
        self.last_confidence = float(
            out.confidence[0, action] if self.signal is None else self.signal(out)[0]
        )
        if self.last_confidence >= self.threshold:
            self.last_mode, self.last_planned = "policy", False
            self.last_cost = DecisionCost(
                network_passes=self.net.passes - before,
                search_nodes=nodes,
                seconds=time.perf_counter() - start,
            )
            return action
        result = self.planner.search(state)
        self.last_mode, self.last_planned = "search", True
        planned = self.planner.last_cost
        assert planned is not None
        self.last_cost = DecisionCost(
            search_nodes=nodes,
            simulations=planned.simulations,
            network_passes=self.net.passes - before,
            tree_nodes=planned.tree_nodes,
            seconds=time.perf_counter() - start,
        )
        return result.best_action

    def __repr__(self) -> str:
        return (
            f"GatedAgent(threshold={self.threshold}, simulations={self.planner.simulations}, "
            f"tactics={self.tactics}, signal={self.signal is not None})"
        )


# --- judging the gate -------------------------------------------------------------------


def _flags(name: str, value: Any, n: int | None = None) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim != 1 or array.size == 0 or array.dtype != np.bool_:
        raise TypeError(f"{name} must be a non-empty 1-d bool array, got {value!r}")
    if n is not None and array.size != n:
        raise ValueError(f"{name} must have {n} entries, got {array.size}")
    return array


@dataclass(frozen=True)
class GateReport:
    """How a gate did against "the policy's move is wrong": the share of decisions on
    which it planned, the share of those where the policy was wrong (precision) and
    the share of the policy's wrong moves it planned on (recall; NaN if none)."""

    planned_share: float
    precision: float
    recall: float


def gate_report(planned: np.ndarray, wrong: np.ndarray) -> GateReport:
    """``planned`` (n,) bool: the gate opened; ``wrong`` (n,) bool: the policy's move
    was not optimal. Precision is NaN if the gate never opened."""
    planned = _flags("planned", planned)
    wrong = _flags("wrong", wrong, planned.size)
    hits = float(np.sum(planned & wrong))
    return GateReport(
        planned_share=float(planned.mean()),
        precision=hits / int(planned.sum()) if planned.any() else float("nan"),
        recall=hits / int(wrong.sum()) if wrong.any() else float("nan"),
    )


def reliability(
    confidence: np.ndarray, correct: np.ndarray, n_bins: int = 10
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A reliability table: ``confidence`` (n,) in [0, 1] split into ``n_bins`` equal
    bins on [0, 1] (the last bin closed); per bin the mean confidence, the share
    ``correct`` (n,) bool, and the count (NaN means for empty bins)."""
    confidence = np.asarray(confidence, dtype=float)
    if confidence.ndim != 1 or confidence.size == 0:
        raise ValueError(f"confidence must be a non-empty (n,) array, got {confidence.shape}")
    if not np.all((confidence >= 0) & (confidence <= 1)):
        raise ValueError("confidence must lie in [0, 1]")
    correct = _flags("correct", correct, confidence.size)
    n_bins = positive_int("n_bins", n_bins)
    index = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(index, confidence, n_bins) / counts
        accuracy = np.bincount(index, correct.astype(float), n_bins) / counts
    return mean, accuracy, counts


# --- the shipped agents -------------------------------------------------------------------


def cost_at_rate(rates: np.ndarray, costs: np.ndarray, rate: float) -> float | None:
    """The cost at which an agent, measured at increasing budgets with optimal-move
    ``rates`` (k,) and mean ``costs`` (k,) > 0 per move, first reaches ``rate``:
    log(cost) interpolated linearly in the rate between the two budgets around it
    (the first budget's cost if that already reaches it); None if none does."""
    rates, costs = np.asarray(rates, dtype=float), np.asarray(costs, dtype=float)
    if rates.ndim != 1 or rates.shape != costs.shape or rates.size == 0:
        raise ValueError(
            f"rates and costs must be (k,) arrays of one length, got {rates.shape}, {costs.shape}"
        )
    if not (np.all(np.isfinite(rates)) and np.all(np.isfinite(costs)) and np.all(costs > 0)):
        raise ValueError("rates must be finite and costs finite and positive")
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)):
        raise TypeError(f"rate must be a number, got {rate!r}")
    if not np.isfinite(rate):
        raise ValueError(f"rate must be a finite number, got {rate!r}")
    rate = float(rate)
    reach = rates >= rate
    if not reach.any():
        return None
    j = int(np.argmax(reach))
    if j == 0:
        return float(costs[0])
    r0, r1 = rates[j - 1], rates[j]
    w = (rate - r0) / (r1 - r0)  # r1 >= rate > r0, so r1 > r0
    return float(np.exp((1 - w) * np.log(costs[j - 1]) + w * np.log(costs[j])))


def cost_ratio_at_rate(
    rates: np.ndarray, costs: np.ndarray, rate: float, reference_cost: float
) -> tuple[float, bool]:
    """How many times ``reference_cost`` an agent measured at increasing budgets
    (``rates`` (k,), mean ``costs`` (k,), as in ``cost_at_rate``) needs to reach
    ``rate``: (ratio, reached). If no budget reaches it, the largest budget's cost
    gives a lower bound on the ratio and ``reached`` is False."""
    if isinstance(reference_cost, bool) or not isinstance(reference_cost, (int, float, np.number)):
        raise TypeError(f"reference_cost must be a number, got {reference_cost!r}")
    if not (np.isfinite(reference_cost) and reference_cost > 0):
        raise ValueError(f"reference_cost must be finite and positive, got {reference_cost!r}")
    cost = cost_at_rate(rates, costs, rate)
    reached = cost is not None
    if cost is None:
        cost = float(np.asarray(costs, dtype=float)[-1])
    return cost / float(reference_cost), reached


def rate_difference(rate_a: float, rate_b: float, n: int) -> tuple[float, float, bool]:
    """Two success rates (in [0, 1]), each measured on ``n`` positions: (difference
    ``rate_a - rate_b``, its standard error ``sqrt((a(1-a) + b(1-b)) / n)``, and
    whether the difference is measured, at least twice the standard error)."""
    a, b = probability("rate_a", rate_a), probability("rate_b", rate_b)
    n = positive_int("n", n)
    standard_error = float(np.sqrt((a * (1 - a) + b * (1 - b)) / n))
    return a - b, standard_error, abs(a - b) >= 2 * standard_error


def _settings() -> dict[str, Any]:
    path = WEIGHTS / "hybrid.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run scripts/hybrid_train.py to create the shipped weights"
        )
    return json.loads(path.read_text())


def gated_from_settings(
    net: PolicyValueNet, settings: dict[str, Any], rng: np.random.Generator
) -> GatedAgent:
    """The gated agent that ``settings`` describe (the keys of the shipped
    ``hybrid.json``: threshold, gate_simulations, c_puct, tactics and, if the gate
    ships one, gate_signal), guided by ``net``."""
    if not isinstance(settings, dict):
        raise TypeError(f"settings must be a dict like hybrid.json's, got {settings!r}")
    missing = {"threshold", "gate_simulations", "c_puct", "tactics"} - set(settings)
    if missing:
        raise ValueError(f"settings lack {sorted(missing)}: expected hybrid.json's keys")
    signal = settings.get("gate_signal")
    return GatedAgent(
        net,
        settings["threshold"],
        settings["gate_simulations"],
        rng,
        settings["c_puct"],
        tactics=settings["tactics"],
        signal=None if signal is None else GateSignal.from_dict(signal),
    )


def pretrained(kind: str, rng: np.random.Generator | None = None) -> _Agent:
    """A ready agent for ``ConnectFour(rows=5, cols=5)`` from the shipped weights.

    ``kind``: "policy" (behaviour-cloned policy, one pass a move), "exit" (the
    policy trained by expert iteration, no solver labels), "puct" (PUCT guided by
    the cloned network at the shipped budget), "gated" (the system 1 / system 2
    agent, reading the shipped ``GateSignal`` when the settings hold one, with the
    tactical check if the settings chose it). ``rng``
    seeds the search's tie-breaking (default: seed 0).
    """
    if not isinstance(kind, str):
        raise TypeError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    rng = np.random.default_rng(0) if rng is None else generator("rng", rng)
    settings = _settings()
    name = "exit" if kind == "exit" else "bc"
    net = PolicyValueNet(MLP.load(WEIGHTS / f"hybrid_{name}.npz"))
    if kind in ("policy", "exit"):
        return PolicyAgent(net)
    if kind == "puct":
        return PUCTAgent(net, settings["puct_simulations"], rng, settings["c_puct"])
    return gated_from_settings(net, settings, rng)
