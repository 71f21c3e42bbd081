"""What the game learners read from a position: board features, legal-move masks,
the positions to learn from (random play, every reachable position), policy
targets, and the one-ply move scores that a value function turns into a move.

| function | in | out |
|---|---|---|
| ``encode`` | a state | (3 * cells,) 0/1 features from the mover's view |
| ``encode_batch`` | n states of one game and size | (n, 3 * cells) |
| ``legal_mask`` | a state | (num_actions,) bool |
| ``legal_mask_batch`` | n states | (n, num_actions) bool |
| ``policy_targets`` | n states, their target moves | (n, num_actions) probabilities |
| ``masked_argmax`` | scores (n, a), masks (n, a) | (n,) best legal action |

Values are always for the player to move, in [-1, 1]: +1 a win, 0 a draw.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import cache
from typing import Any

import numpy as np

from daopt.games import ConnectFour, GameState, TicTacToe
from daopt.nn import MLP
from daopt.validation import as_matrix, generator, is_integer, positive_int

__all__ = [
    "PLANES",
    "all_positions",
    "board_signature",
    "check_board_state",
    "check_net",
    "check_nonterminal",
    "check_states",
    "encode",
    "encode_batch",
    "encode_checked",
    "feature_size",
    "legal_mask",
    "legal_mask_batch",
    "masked_argmax",
    "move_scores",
    "outcome_for_mover",
    "policy_targets",
    "random_play_positions",
]

PLANES = ("to move", "opponent", "empty")

# --- features ------------------------------------------------------------------


def check_board_state(state: Any, name: str = "state") -> GameState:
    """Return ``state`` if it is a ``TicTacToe`` or ``ConnectFour`` state (the boards
    the features encode), else raise TypeError naming it."""
    if not isinstance(state, (TicTacToe, ConnectFour)):
        raise TypeError(f"{name} must be a daopt.games TicTacToe or ConnectFour, got {state!r}")
    return state


def board_signature(state: GameState) -> tuple[Any, ...]:
    """States that share a signature share an encoding size and action count."""
    if isinstance(state, ConnectFour):
        return ("ConnectFour", state.rows, state.cols, state.k)
    return ("TicTacToe",)


def feature_size(state: GameState) -> int:
    """Length of ``encode(state)``: 3 planes of one entry per cell."""
    check_board_state(state)
    cells = 9 if isinstance(state, TicTacToe) else state.rows * state.cols
    return len(PLANES) * cells


_MARKS = np.frombuffer(b"XO", dtype=np.uint8)
_EMPTY = ord(".")


@cache
def _cell_bits(rows: int, cols: int) -> np.ndarray:
    """Bitboard bit of each cell, cells row by row from the bottom row (row * cols + col)."""
    height = rows + 1
    return np.array([c * height + r for r in range(rows) for c in range(cols)], dtype=np.uint64)


def encode_checked(states: list[GameState]) -> np.ndarray:
    """Features (n, 3 * cells) of states already checked to share a game and size
    (``check_states``): ``encode_batch`` without the checks, for training loops."""
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
    return encode_checked([check_board_state(state)])[0]


def check_states(states: Any, name: str = "states") -> list[GameState]:
    """``states`` as a non-empty list of board states of one game and board size."""
    if isinstance(states, GameState) or not isinstance(states, Iterable):
        raise TypeError(f"{name} must be a sequence of game states, got {states!r}")
    states = list(states)
    if not states:
        raise ValueError(f"{name} must hold at least one state")
    for i, state in enumerate(states):
        check_board_state(state, f"{name}[{i}]")
    first = board_signature(states[0])
    for i, state in enumerate(states):
        if board_signature(state) != first:
            raise ValueError(
                f"{name} must all be the same game and board size: {name}[0] is {first}, "
                f"{name}[{i}] is {board_signature(state)}"
            )
    return states


def encode_batch(states: Sequence[GameState]) -> np.ndarray:
    """``encode`` of each state, stacked: (n, 3 * cells). States must share game and size."""
    return encode_checked(check_states(states))


def legal_mask(state: GameState) -> np.ndarray:
    """(num_actions,) bool: True at the legal actions (all False once the game is over)."""
    check_board_state(state)
    mask = np.zeros(state.num_actions, dtype=bool)
    mask[state.legal_actions()] = True
    return mask


def legal_mask_batch(states: Sequence[GameState]) -> np.ndarray:
    """``legal_mask`` of each state, stacked: (n, num_actions)."""
    return np.stack([legal_mask(s) for s in check_states(states)])


def check_nonterminal(states: list[GameState], name: str) -> None:
    """Raise ValueError naming the first finished game among ``states``."""
    for i, state in enumerate(states):
        if state.is_terminal():
            raise ValueError(f"{name}[{i}] is a finished game; it has no move to learn")


def check_net(net: Any, n_inputs: int, n_outputs: int, what: str) -> MLP:
    """``net`` if it is an MLP from ``n_inputs`` features to ``n_outputs`` outputs.

    Args:
        net: the network to check.
        n_inputs: the feature count it must take.
        n_outputs: the output count it must give.
        what: what the network is for, for the error message.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
    if net.sizes[0] != n_inputs or net.sizes[-1] != n_outputs:
        raise ValueError(
            f"{what} needs a network from {n_inputs} features to {n_outputs} outputs, "
            f"got sizes {net.sizes}"
        )
    return net


# --- positions to learn from and to test on ------------------------------------


def _playable_start(state: Any) -> GameState:
    check_board_state(state, "initial_state")
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

    Args:
        initial_state: where every game starts.
        n_games: how many games of random moves.
        rng: draws the moves.
        exclude: keys of positions to leave out (e.g. a test set's).
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


def policy_targets(states: Sequence[GameState], targets: Any) -> np.ndarray:
    """Target move distributions (n, num_actions) for behaviour cloning.

    ``targets`` is one of: an action per state (ints); a non-empty collection of
    distinct actions per state (e.g. every optimal move), taken as uniform over it;
    or an (n, num_actions) numpy array of probabilities (one-hot rows included).
    Every target move must be legal. A collection with a repeated action is refused:
    it is almost always a one-hot or probability row passed as a list (``[0, 0, 1,
    ...]`` would otherwise read as the actions {0, 1}); pass such rows as a 2-D
    numpy array.
    """
    states = check_states(states)
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
        if is_integer(target):
            actions = [int(target)]
        elif isinstance(target, Iterable) and not isinstance(target, (str, bytes)):
            actions = list(target)
            if not actions or not all(is_integer(x) for x in actions):
                raise TypeError(
                    f"targets[{i}] must be a non-empty collection of ints, got {target!r}; "
                    "pass probability rows as an (n, num_actions) numpy array"
                )
            if len({int(x) for x in actions}) != len(actions):
                raise ValueError(
                    f"targets[{i}] = {target!r} repeats an action: if it is a one-hot or "
                    "probability row, pass the rows as an (n, num_actions) numpy array; "
                    "a collection of actions lists each once"
                )
            actions = sorted(int(x) for x in actions)
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
    """Best legal action per row (n,) of ``scores`` (n, a); ties go to the lowest action.

    ``masks`` (n, a) bool with a legal action in every row (ValueError otherwise: the
    argmax of a row with none would be an illegal action)."""
    values = as_matrix("scores", scores)
    mask = np.asarray(masks)
    if mask.dtype != np.bool_:
        raise TypeError(f"masks must be a boolean array, got dtype {mask.dtype}")
    if mask.shape != values.shape:
        raise ValueError(f"masks must have the shape of scores {values.shape}, got {mask.shape}")
    empty = ~mask.any(axis=1)
    if np.any(empty):
        raise ValueError(f"masks row {int(np.argmax(empty))} has no legal action")
    return np.argmax(np.where(mask, values, -np.inf), axis=1)


def outcome_for_mover(child: GameState) -> float:
    """A finished game's payoff for the player who made the last move: only they can have won."""
    return 0.0 if child.winner is None else 1.0


def move_scores(
    children: list[GameState], values: Callable[[list[GameState]], Sequence[float]]
) -> tuple[list[float], int]:
    """Each move's value for the mover (k,): the outcome if it ends the game, else minus
    the child's value for its own mover. Also returns how many children were valued."""
    scores = [0.0] * len(children)
    open_children = []
    for i, child in enumerate(children):
        if child.is_terminal():
            scores[i] = outcome_for_mover(child)
        else:
            open_children.append(i)
    if open_children:
        for i, v in zip(open_children, values([children[i] for i in open_children]), strict=True):
            scores[i] = -float(v)
    return scores, len(open_children)
