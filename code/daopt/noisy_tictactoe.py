"""A game with chance: noisy tic-tac-toe, where a stone may slip to a neighbouring cell.

The state protocol of ``daopt.games`` (``legal_actions``, ``play``,
``is_terminal``, ``to_play``, ``winner``, ``returns``, ``key``), plus
**chance nodes**, in the style of OpenSpiel:

- ``NoisyTicTacToe`` is a decision state. ``play(cell)`` does not place the
  stone; it returns a ``NoisyMove``, the chance node "a stone is on its way to
  ``cell``".
- A ``NoisyMove`` has ``to_play == daopt.games.CHANCE`` (-1) and ``is_chance() == True``.
  ``chance_outcomes()`` lists ``(state, probability)`` pairs, the decision
  states where the stone may land; its ``legal_actions()`` are the outcome
  indices and ``play(i)`` picks outcome ``i`` (so generic tree code can walk
  it); ``sample(rng)`` draws one.

The slip model: with probability ``1 - slip`` the stone lands on the chosen
cell; with probability ``slip`` it lands on a uniformly chosen *empty* cell of
the chosen cell's ``neighbourhood`` ("orthogonal": the up to 4 cells sharing an
edge; "adjacent": the up to 8 sharing an edge or corner; "anywhere": every
other empty cell). If that neighbourhood has no empty cell, the stone lands
where it was aimed. With ``slip = 0`` every chance node has one outcome and
the game is ordinary tic-tac-toe.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from daopt.games import (
    CHANCE,
    TTT_MASK_IMAGES,
    TTT_SYMMETRIES,
    GameState,
    TicTacToe,
    draw_outcome,
)
from daopt.validation import generator, positive_float

__all__ = ["NEIGHBOURHOODS", "NoisyMove", "NoisyTicTacToe"]

NEIGHBOURHOODS = ("orthogonal", "adjacent", "anywhere")


def _neighbours(kind: str) -> tuple[tuple[int, ...], ...]:
    """For each cell 0-8, the cells of its neighbourhood (ascending)."""
    out = []
    for cell in range(9):
        row, col = divmod(cell, 3)
        near = []
        for other in range(9):
            r, c = divmod(other, 3)
            if other == cell:
                continue
            if kind == "anywhere" or (
                max(abs(r - row), abs(c - col)) == 1
                and (kind == "adjacent" or abs(r - row) + abs(c - col) == 1)
            ):
                near.append(other)
        out.append(tuple(near))
    return tuple(out)


_NEIGHBOURS = {kind: _neighbours(kind) for kind in NEIGHBOURHOODS}


class NoisyTicTacToe(GameState):
    """A decision state of noisy tic-tac-toe: ``NoisyTicTacToe(slip=0.2)`` is the empty board.

    ``board`` is the underlying ``TicTacToe`` position. ``play(cell)`` returns the
    ``NoisyMove`` chance node; equality and hashing use the board and the noise.
    """

    __slots__ = ("_board", "_neighbourhood", "_slip")
    num_actions = 9
    has_chance_nodes = True

    def __init__(self, slip: float = 0.0, neighbourhood: str = "adjacent") -> None:
        self._slip = _check_slip(slip)
        self._neighbourhood = _check_neighbourhood(neighbourhood)
        self._board = TicTacToe()

    @classmethod
    def from_board(
        cls, board: TicTacToe, slip: float = 0.0, neighbourhood: str = "adjacent"
    ) -> NoisyTicTacToe:
        """The decision state with ``board`` (a ``TicTacToe`` position)."""
        if not isinstance(board, TicTacToe):
            raise TypeError(f"board must be a daopt.games.TicTacToe, got {board!r}")
        state = cls(slip, neighbourhood)
        state._board = board
        return state

    @classmethod
    def _make(cls, board: TicTacToe, slip: float, neighbourhood: str) -> NoisyTicTacToe:
        state = object.__new__(cls)
        state._board, state._slip, state._neighbourhood = board, slip, neighbourhood
        return state

    @property
    def board(self) -> TicTacToe:
        return self._board

    @property
    def slip(self) -> float:
        return self._slip

    @property
    def neighbourhood(self) -> str:
        return self._neighbourhood

    @property
    def to_play(self) -> int:
        return self._board.to_play

    @property
    def winner(self) -> int | None:
        return self._board.winner

    def legal_actions(self) -> list[int]:
        return self._board.legal_actions()

    def is_terminal(self) -> bool:
        return self._board.is_terminal()

    def play(self, action: int) -> NoisyMove:
        """The chance node of aiming a stone at cell ``action``."""
        cell = self._check_action(action)
        return NoisyMove._make(self, cell)

    def why_illegal(self, action: int) -> str:
        return self._board.why_illegal(action)

    def key(self) -> Hashable:
        return ("decide", self._slip, self._neighbourhood, self._board.key())

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, NoisyTicTacToe)
            and self._board == other._board
            and self._slip == other._slip
            and self._neighbourhood == other._neighbourhood
        )

    def __hash__(self) -> int:
        return hash((self._board, self._slip, self._neighbourhood))

    def __repr__(self) -> str:
        return (
            f"NoisyTicTacToe.from_board({self._board!r}, slip={self._slip}, "
            f"neighbourhood={self._neighbourhood!r})"
        )

    def __str__(self) -> str:
        return str(self._board)


class NoisyMove(GameState):
    """A chance node of noisy tic-tac-toe: a stone aimed at ``cell`` by ``mover``.

    ``to_play`` is ``CHANCE``; ``chance_outcomes()`` gives (decision state,
    probability) pairs, one per landing cell, ascending by cell.
    """

    __slots__ = ("_cell", "_outcomes", "_parent")
    num_actions = 9
    has_chance_nodes = True

    @classmethod
    def _make(cls, parent: NoisyTicTacToe, cell: int) -> NoisyMove:
        state = object.__new__(cls)
        state._parent, state._cell, state._outcomes = parent, cell, None
        return state

    @property
    def cell(self) -> int:
        """The cell the stone was aimed at."""
        return self._cell

    @property
    def parent(self) -> NoisyTicTacToe:
        """The decision state the move was made in."""
        return self._parent

    @property
    def mover(self) -> int:
        """The player whose stone is in the air."""
        return self._parent.to_play

    @property
    def to_play(self) -> int:
        return CHANCE

    @property
    def winner(self) -> int | None:
        return None

    def is_chance(self) -> bool:
        return True

    def is_terminal(self) -> bool:
        return False

    def landing(self) -> list[tuple[int, float]]:
        """(landing cell, probability) pairs, ascending by cell, probabilities summing to 1."""
        parent = self._parent
        board, slip = parent._board, parent._slip
        empty = set(board.legal_actions())
        near = [c for c in _NEIGHBOURS[parent._neighbourhood][self._cell] if c in empty]
        if slip == 0.0 or not near:
            return [(self._cell, 1.0)]
        share = slip / len(near)
        aimed = [(self._cell, 1.0 - slip)] if slip < 1.0 else []  # no outcome of probability 0
        return sorted(outcome for outcome in aimed + [(c, share) for c in near] if outcome[1] > 0)

    def chance_outcomes(self) -> list[tuple[NoisyTicTacToe, float]]:
        """(decision state, probability) for every cell the stone can land on."""
        if self._outcomes is None:
            parent = self._parent
            board = parent._board
            self._outcomes = [
                (NoisyTicTacToe._make(board.play(c), parent._slip, parent._neighbourhood), p)
                for c, p in self.landing()
            ]
        return list(self._outcomes)

    def legal_actions(self) -> list[int]:
        """The outcome indices 0..n-1 (``play(i)`` takes outcome ``i``)."""
        return list(range(len(self.chance_outcomes())))

    def play(self, action: int) -> NoisyTicTacToe:
        index = self._check_action(action)
        return self.chance_outcomes()[index][0]

    def sample(self, rng: np.random.Generator) -> NoisyTicTacToe:
        """One outcome drawn with its probability (one uniform number from ``rng``)."""
        generator("rng", rng)
        cell = draw_outcome(self.landing(), rng.random())
        parent = self._parent
        # Only the drawn outcome is built: rollouts draw many and keep one.
        return NoisyTicTacToe._make(parent._board.play(cell), parent._slip, parent._neighbourhood)

    def why_illegal(self, action: int) -> str:
        return (
            f"a chance node's actions are its outcome indices 0..{len(self.chance_outcomes()) - 1}"
        )

    def key(self) -> Hashable:
        parent = self._parent
        board = parent._board
        crosses, noughts = board.crosses, board.noughts
        # The noise is symmetric under the square's symmetries, so a chance node's
        # key is the smallest image of (stones, aimed cell) over the 8 of them.
        code = min(
            (image[crosses], image[noughts], perm[self._cell])
            for image, perm in zip(TTT_MASK_IMAGES, TTT_SYMMETRIES, strict=True)
        )
        return ("chance", parent._slip, parent._neighbourhood, code)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, NoisyMove)
            and self._cell == other._cell
            and self._parent == other._parent
        )

    def __hash__(self) -> int:
        return hash((self._parent, self._cell, "chance"))

    def __repr__(self) -> str:
        return f"NoisyMove(aimed at cell {self._cell} in {self._parent!r})"


def _check_slip(slip: object) -> float:
    p = positive_float("slip", slip, allow_zero=True)
    if p > 1.0:
        raise ValueError(f"slip must be a probability in [0, 1], got {slip!r}")
    return p


def _check_neighbourhood(neighbourhood: object) -> str:
    if neighbourhood not in NEIGHBOURHOODS:
        raise ValueError(f"neighbourhood must be one of {NEIGHBOURHOODS}, got {neighbourhood!r}")
    return str(neighbourhood)
