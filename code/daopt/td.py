"""Learning from reward: TD(0) self-play with a table of values (tic-tac-toe) or an
MLP (small Connect Four boards), and the tabular Q-learning update.

One self-play loop (``TDLearner.play_one_game``) serves both learners: at each
decision state the mover scores every legal move with the value function
(``daopt.features.move_scores``), moves epsilon-greedily, and v(s) moves towards
the TD(0) target. The value function is an object with ``values(states)`` and
``learn(decisions, targets)``: ``TableValues`` or ``NetworkValues``.

Values are always for the player to move, in [-1, 1]: +1 a win, 0 a draw.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from daopt.cost import DecisionCost, training_passes
from daopt.features import (
    board_signature,
    check_board_state,
    check_net,
    encode_checked,
    feature_size,
    move_scores,
    outcome_for_mover,
)
from daopt.games import ConnectFour, GameState
from daopt.nn import MLP, layer_widths, make_optimiser, tanh_mse
from daopt.validation import (
    generator,
    index_below,
    positive_float,
    positive_int,
    real_number,
    returned_number,
)

__all__ = [
    "NetworkValues",
    "NeuralTD",
    "TDLearner",
    "TDLog",
    "TableValues",
    "TabularTD",
    "ValueFunction",
    "q_update",
]


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


class ValueFunction(Protocol):
    """What the self-play loop needs of a value function v(s), s a decision state."""

    def values(self, states: list[GameState]) -> Sequence[float]:
        """v(s) for each state (n,), for its player to move."""
        ...

    def learn(self, decisions: list[GameState], targets: list[float]) -> float:
        """Move v towards ``targets`` (n,) at ``decisions``; return the mean |error| before."""
        ...

    def cost(self, evaluated: int) -> DecisionCost:
        """What valuing ``evaluated`` positions costs."""
        ...

    def training_network_passes(self, log: TDLog) -> int:
        """Network passes that the games in ``log`` cost (0 for a table)."""
        ...


class TableValues:
    """v(s) in a dict keyed on ``state.key()`` (symmetric positions share an entry);
    unseen states are worth ``initial_value``; each update moves v(s) ``learning_rate``
    of the way to its target."""

    def __init__(self, learning_rate: float, initial_value: float) -> None:
        self.learning_rate = positive_float("learning_rate", learning_rate)
        if self.learning_rate > 1:
            raise ValueError(f"learning_rate must be in (0, 1], got {learning_rate!r}")
        self.initial_value = real_number("initial_value", initial_value)
        if not -1 <= self.initial_value <= 1:
            raise ValueError(f"initial_value must be in [-1, 1], got {initial_value!r}")
        self.table: dict[Hashable, float] = {}

    def values(self, states: list[GameState]) -> list[float]:
        table, default = self.table, self.initial_value
        return [table.get(s.key(), default) for s in states]

    def learn(self, decisions: list[GameState], targets: list[float]) -> float:
        # Updated after the game; each target was computed when its move was made,
        # so this equals updating at once unless a key repeats, which cannot happen
        # within one game of these games (stones only add).
        table, alpha, default = self.table, self.learning_rate, self.initial_value
        total = 0.0
        for state, target in zip(decisions, targets, strict=True):
            key = state.key()
            old = table.get(key, default)
            table[key] = old + alpha * (target - old)
            total += abs(target - old)
        return total / len(decisions)

    def cost(self, evaluated: int) -> DecisionCost:
        return DecisionCost(table_lookups=evaluated)

    def training_network_passes(self, log: TDLog) -> int:
        return 0


class NetworkValues:
    """v(s) = tanh(MLP(encode(s))); each game's decisions are fitted to their targets
    by one optimiser step on the mean squared error."""

    def __init__(self, net: MLP, optimiser: Any) -> None:
        self.net, self.optimiser = net, optimiser

    def values(self, states: list[GameState]) -> list[float]:
        return np.tanh(self.net.forward(encode_checked(states))[:, 0]).tolist()

    def learn(self, decisions: list[GameState], targets: list[float]) -> float:
        outputs, cache = self.net.forward_cached(encode_checked(decisions))
        target_arr = np.array(targets)
        before = np.abs(np.tanh(outputs[:, 0]) - target_arr)
        _, grad = tanh_mse(outputs, target_arr)
        self.optimiser.step(self.net.backward(cache, grad))
        return float(before.mean())

    def cost(self, evaluated: int) -> DecisionCost:
        return DecisionCost(network_passes=evaluated)

    def training_network_passes(self, log: TDLog) -> int:
        # Every child valued while playing, and each update's forward and backward pass.
        return log.positions_evaluated + training_passes(log.updates)


class TDLearner:
    """TD(0) self-play around a value function, and the greedy agent it gives.

    At each decision state s the mover scores every legal move (a finished game
    scores its outcome, else minus the child's value), moves epsilon-greedily, and
    v(s) moves towards the TD(0) target: the best score (``backup="greedy"``,
    Q-learning style) or the played move's score (``backup="sample"``, on-policy).
    The whole algorithm is ``play_one_game``.

    Args:
        initial_state: the unfinished position every self-play game starts from.
        rng: the generator of exploration and tie-breaking.
        function: the value function (``TableValues`` or ``NetworkValues``).
        epsilon: the share of random moves, in [0, 1].
        backup: "greedy" or "sample".
    """

    def __init__(
        self,
        initial_state: GameState,
        rng: np.random.Generator,
        function: ValueFunction,
        *,
        epsilon: float,
        backup: str,
    ) -> None:
        self.initial_state = check_board_state(initial_state, "initial_state")
        if initial_state.is_terminal():
            raise ValueError(f"initial_state must be an unfinished game, got {initial_state!r}")
        self.rng = generator("rng", rng)
        self.function = function
        self.epsilon = positive_float("epsilon", epsilon, allow_zero=True)
        if self.epsilon > 1:
            raise ValueError(f"epsilon must be in [0, 1], got {epsilon!r}")
        if backup not in ("greedy", "sample"):
            raise ValueError(f"backup must be 'greedy' or 'sample', got {backup!r}")
        self.backup = backup
        self.games_played = 0
        self.updates = 0
        self.positions_evaluated = 0
        self.network_passes = 0  # in training, not counting evaluate's play
        self.last_cost: DecisionCost | None = None

    def _check_game(self, state: GameState) -> None:
        check_board_state(state)
        if board_signature(state) != board_signature(self.initial_state):
            raise ValueError(
                f"this learner plays {board_signature(self.initial_state)}, "
                f"got {board_signature(state)}"
            )

    def value(self, state: GameState) -> float:
        """v(state) for its player to move; a finished game is worth 0 (draw) or -1 (lost)."""
        self._check_game(state)
        if state.is_terminal():
            return -outcome_for_mover(state)
        return float(self.function.values([state])[0])

    def play_one_game(self, log: TDLog) -> None:
        """One self-play game from ``initial_state``, then the TD(0) update of its decisions."""
        state, decisions, targets = self.initial_state, [], []
        rng, epsilon, greedy = self.rng, self.epsilon, self.backup == "greedy"
        values = self.function.values
        while not state.is_terminal():
            actions = state.legal_actions()
            # The actions come from legal_actions, so Connect Four may skip the check.
            play = state.play_unchecked if isinstance(state, ConnectFour) else state.play
            children = [play(a) for a in actions]
            scores, evaluated = move_scores(children, values)
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
        log.td_errors.append(self.function.learn(decisions, targets))
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
                log.eval_scores.append(returned_number("evaluate(agent)", evaluate(self)))

        record()
        for _ in range(n_games):
            self.play_one_game(log)
            self.games_played += 1
            if eval_every is not None and log.games % eval_every == 0:
                record()
        log.network_passes = self.function.training_network_passes(log)
        self.updates += log.updates
        self.positions_evaluated += log.positions_evaluated
        self.network_passes += log.network_passes
        return log

    def __call__(self, state: GameState) -> int:
        """The greedy move (ties to the lowest action), for play after training."""
        self._check_game(state)
        if state.is_terminal():
            raise ValueError(f"the game is over, there is no move to choose: {state!r}")
        actions = state.legal_actions()
        scores, evaluated = move_scores([state.play(a) for a in actions], self.function.values)
        self.last_cost = self.function.cost(evaluated)
        return actions[int(np.argmax(scores))]


class TabularTD(TDLearner):
    """TD(0) self-play with a table of state values keyed on ``state.key()``
    (``TableValues``). Suited to tic-tac-toe (at most 765 keys with a move to
    make); larger games outgrow the table.

    Args:
        initial_state: the position self-play starts from.
        rng: the generator of exploration and tie-breaking.
        learning_rate: the step towards each target, in (0, 1].
        epsilon: the share of random moves, in [0, 1].
        backup: "greedy" (Q-learning style) or "sample" (on-policy).
        initial_value: v of a state not yet in the table, in [-1, 1].
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
        values = TableValues(learning_rate, initial_value)
        super().__init__(initial_state, rng, values, epsilon=epsilon, backup=backup)
        self.learning_rate = values.learning_rate
        self.initial_value = values.initial_value
        self.table = values.table

    def __repr__(self) -> str:
        return f"TabularTD({self.initial_state!r}, table of {len(self.table)} states)"


class NeuralTD(TDLearner):
    """TD(0) self-play with an MLP value function v(s) = tanh(MLP(encode(s)))
    (``NetworkValues``). Each move values all children in one batched forward pass;
    after each game one optimiser step fits v to that game's targets by mean squared
    error. Suited to small Connect Four boards (e.g. ``ConnectFour(rows=4, cols=5)``).

    Args:
        initial_state: the position self-play starts from.
        rng: draws the network (unless ``net`` is given), exploration and ties.
        hidden: the hidden layer widths of a new network.
        activation: "tanh" or "relu".
        learning_rate: the optimiser's step size.
        optimiser: "adam" or "sgd".
        momentum: SGD's momentum (only with ``optimiser="sgd"``).
        epsilon: the share of random moves, in [0, 1].
        backup: "greedy" or "sample".
        net: an existing network to continue training.

    | array | shape |
    |---|---|
    | network input ``encode(s)`` | (3 * cells,) |
    | network output | (1,), v(s) = tanh(output) |
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
        check_board_state(initial_state, "initial_state")
        n_in = feature_size(initial_state)
        if net is None:
            generator("rng", rng)
            net = MLP([n_in, *layer_widths(hidden), 1], rng, activation=activation)
        net = check_net(net, n_in, 1, "a value function")
        values = NetworkValues(net, make_optimiser(optimiser, net.params, learning_rate, momentum))
        super().__init__(initial_state, rng, values, epsilon=epsilon, backup=backup)
        self.net, self.optimiser = net, values.optimiser

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

    Args:
        q: the float table, shape (n_states, n_actions), updated in place.
        state, action: the entry to update.
        reward: the reward of the move (a finite number).
        next_state: the state the move led to.
        legal_next: the actions legal in ``next_state``.
        done: True if the move ended the episode (then the target is the reward).
        learning_rate: the step towards the target, in (0, 1].
        discount: gamma, in [0, 1].
        zero_sum: True if the opponent moves in ``next_state``.

    target = reward if ``done``, else reward + discount * sign * max_{a in legal_next}
    q[next_state, a], with sign = -1 when ``zero_sum`` (the opponent moves next, so
    their best is our worst) and +1 otherwise; then
    q[state, action] += learning_rate * (target - q[state, action]).
    """
    if not isinstance(q, np.ndarray) or q.ndim != 2:
        raise TypeError(f"q must be a 2-D numpy array (n_states, n_actions), got {q!r}")
    if not np.issubdtype(q.dtype, np.floating):
        # An integer table would truncate every update to a whole number.
        raise TypeError(f"q must be a float array, got dtype {q.dtype}")
    for name, index, bound in (
        ("state", state, q.shape[0]),
        ("action", action, q.shape[1]),
        ("next_state", next_state, q.shape[0]),
    ):
        index_below(name, index, bound)
    reward = real_number("reward", reward)
    alpha = positive_float("learning_rate", learning_rate)
    gamma = positive_float("discount", discount, allow_zero=True)
    if alpha > 1 or gamma > 1:
        raise ValueError(f"learning_rate and discount must be at most 1, got {alpha}, {gamma}")
    if not isinstance(done, bool):
        raise TypeError(f"done must be True or False, got {done!r}")
    if done:
        target = float(reward)
    else:
        if isinstance(legal_next, (str, bytes)) or not isinstance(legal_next, Iterable):
            raise TypeError(f"legal_next must be a collection of actions, got {legal_next!r}")
        legal = list(legal_next)
        for i, a in enumerate(legal):
            index_below(f"legal_next[{i}]", a, q.shape[1])
        if not legal:
            raise ValueError("legal_next must hold at least one action when done is False")
        best = float(np.max(q[next_state, legal]))
        target = float(reward) + gamma * (-best if zero_sum else best)
    q[state, action] += alpha * (target - q[state, action])
    return q
