"""Two-player, zero-sum, perfect-information games: the state protocol,
``TicTacToe`` and ``ConnectFour`` (on bitboards held in Python ints).

A state is immutable and hashable. ``play(action)`` returns a new state;
``legal_actions()`` lists the moves (ints, ascending); ``to_play`` is the
player to move (0 moves first); ``returns()`` gives each player's payoff,
(+1, -1), (-1, +1) or (0, 0), once ``is_terminal()``; ``key()`` is a
canonical key for transposition tables that identifies states equal up to
the board's symmetries.

Chance nodes are part of the protocol, as in OpenSpiel: ``is_chance()`` says
whether the next event is drawn rather than chosen, ``chance_outcomes()``
lists ``(state, probability)`` pairs, and at a chance node ``to_play`` is
``CHANCE`` and ``mover`` the player whose move it resolves. The defaults say
"no chance": a game with chance nodes (``daopt.noisy_tictactoe``) overrides
them and sets ``has_chance_nodes``, so that code written for two players
alone (``daopt.search``) can refuse it up front.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence
from functools import cache
from typing import ClassVar, TypeVar

from daopt.validation import is_integer, positive_int

__all__ = [
    "CHANCE",
    "PLAYER_COLOURS",
    "PLAYER_MARKS",
    "TTT_LINES",
    "TTT_LINE_MASKS",
    "TTT_MASK_IMAGES",
    "TTT_SYMMETRIES",
    "ConnectFour",
    "GameState",
    "Geometry",
    "TicTacToe",
    "check_state",
    "draw_outcome",
]

Outcome = TypeVar("Outcome")

#: ``to_play`` of a chance node: nobody chooses, the outcome is drawn.
CHANCE = -1
PLAYER_MARKS = ("X", "O")
# Colour-blind-safe pair from the book's palette (daopt.plots.PALETTE).
PLAYER_COLOURS = ("#D55E00", "#0072B2")


class GameState(ABC):
    """The protocol every game state in ``daopt`` follows."""

    __slots__ = ()

    #: The largest number of distinct actions in this game (policy vector length).
    num_actions: int
    #: True for a game with chance nodes: code for two players alone refuses it.
    has_chance_nodes: ClassVar[bool] = False

    @property
    @abstractmethod
    def to_play(self) -> int:
        """The player to move: 0 (moves first) or 1; ``CHANCE`` at a chance node."""

    @property
    def mover(self) -> int:
        """The player whose view this state's value takes: ``to_play`` at a decision
        state; at a chance node, the player whose move the draw resolves."""
        return self.to_play

    def is_chance(self) -> bool:
        """True if the next event is drawn by chance, not chosen (default: never)."""
        return False

    def chance_outcomes(self) -> list[tuple[GameState, float]]:
        """``(state, probability)`` for every outcome of a chance node, probabilities
        summing to 1; empty at a decision state (the default: a game without chance)."""
        return []

    @property
    @abstractmethod
    def winner(self) -> int | None:
        """The player who has won, or None (game not over, or drawn)."""

    @abstractmethod
    def legal_actions(self) -> list[int]:
        """The legal moves, ascending; empty once the game is over."""

    @abstractmethod
    def play(self, action: int) -> GameState:
        """The state after ``action``; raises ValueError for an illegal move."""

    @abstractmethod
    def is_terminal(self) -> bool:
        """True once someone has won or no move is left."""

    @abstractmethod
    def key(self) -> Hashable:
        """A canonical key, equal for states that are equal up to symmetry."""

    def returns(self) -> tuple[float, float]:
        """Each player's payoff: +1 for a win, -1 for a loss, 0 for a draw or an unfinished game."""
        if self.winner is None:
            return (0.0, 0.0)
        return (1.0, -1.0) if self.winner == 0 else (-1.0, 1.0)

    def _check_action(self, action: object) -> int:
        """Return ``action`` as an int if legal, else raise naming the legal moves."""
        if not is_integer(action):
            raise TypeError(
                f"action must be an int, got {action!r}; legal moves are {self.legal_actions()}"
            )
        action = int(action)
        legal = self.legal_actions()
        if action not in legal:
            raise ValueError(
                f"illegal move {action}: {self.why_illegal(action)}; legal moves are {legal}"
            )
        return action

    @abstractmethod
    def why_illegal(self, action: int) -> str:
        """Why ``action`` (an int) is not legal here, in a few words for an error message."""


def draw_outcome(outcomes: Sequence[tuple[Outcome, float]], u: float) -> Outcome:
    """The outcome a uniform number ``u`` in [0, 1) picks from ``(outcome, probability)``
    pairs: the first at which ``u`` minus the probabilities so far drops below 0 (the
    last if rounding leaves a remainder). One draw of a chance node, everywhere."""
    for outcome, probability in outcomes:
        u -= probability
        if u < 0:
            return outcome
    return outcomes[-1][0]


def check_state(state: object, *, name: str = "state", chance: bool = True) -> GameState:
    """Return ``state`` if it is a ``GameState``, else raise TypeError naming it.

    With ``chance=False`` (code written for two players alone), a state of a game
    with chance nodes is refused with a ValueError that says what handles it.
    """
    if not isinstance(state, GameState):
        raise TypeError(f"{name} must be a daopt.games.GameState (e.g. TicTacToe()), got {state!r}")
    if not chance and state.has_chance_nodes:
        raise ValueError(
            f"{name} is a state of a game with chance nodes ({type(state).__name__}), which "
            "this two-player code would read as a third player; use daopt.expectimax "
            "(exact values) or daopt.mcts.MCTS (sampled) for it"
        )
    return state


# --- Tic-tac-toe -------------------------------------------------------------

# Cells are numbered row by row:  0 1 2 / 3 4 5 / 6 7 8.
TTT_LINES = (
    (0, 1, 2), (3, 4, 5), (6, 7, 8),  # rows
    (0, 3, 6), (1, 4, 7), (2, 5, 8),  # columns
    (0, 4, 8), (2, 4, 6),  # diagonals
)  # fmt: skip
#: The 8 lines as 9-bit masks (bit ``c`` for cell ``c``).
TTT_LINE_MASKS = tuple(sum(1 << c for c in line) for line in TTT_LINES)
# For each cell, the lines through it: a move can only complete those.
_TTT_LINES_THROUGH = tuple(
    tuple(mask for mask in TTT_LINE_MASKS if mask >> cell & 1) for cell in range(9)
)
_TTT_FULL = (1 << 9) - 1


def _ttt_symmetries() -> tuple[tuple[int, ...], ...]:
    """The 8 symmetries of the square as cell permutations (image of each cell)."""

    def rotate(cell: int) -> int:  # a quarter turn clockwise
        row, col = divmod(cell, 3)
        return col * 3 + (2 - row)

    def reflect(cell: int) -> int:  # left-right mirror
        row, col = divmod(cell, 3)
        return row * 3 + (2 - col)

    perms = []
    for flip in (False, True):
        for turns in range(4):
            perm = []
            for cell in range(9):
                image = reflect(cell) if flip else cell
                for _ in range(turns):
                    image = rotate(image)
                perm.append(image)
            perms.append(tuple(perm))
    return tuple(perms)


#: The 8 symmetries of the board, each the image of every cell (a permutation of 0-8).
TTT_SYMMETRIES = _ttt_symmetries()
#: ``TTT_MASK_IMAGES[s][mask]``: the 9-bit ``mask`` under symmetry ``s``, precomputed for speed.
TTT_MASK_IMAGES = tuple(
    tuple(sum(1 << perm[c] for c in range(9) if mask >> c & 1) for mask in range(512))
    for perm in TTT_SYMMETRIES
)


class TicTacToe(GameState):
    """Tic-tac-toe. ``TicTacToe()`` is the empty board; X (player 0) moves first.

    Actions are cells 0-8, row by row. The board is two 9-bit masks.
    """

    __slots__ = ("_crosses", "_noughts", "_winner")
    num_actions = 9

    def __init__(self) -> None:
        self._crosses = 0
        self._noughts = 0
        self._winner: int | None = None

    @classmethod
    def _make(cls, crosses: int, noughts: int, winner: int | None) -> TicTacToe:
        state = object.__new__(cls)
        state._crosses, state._noughts, state._winner = crosses, noughts, winner
        return state

    @classmethod
    def from_cells(cls, cells: str) -> TicTacToe:
        """A position from 9 characters row by row: 'X', 'O' or '.' (e.g. "X.O.X....").

        Raises ValueError unless the position can arise in play.
        """
        if not isinstance(cells, str):
            raise TypeError(f"cells must be a string of 9 characters, got {cells!r}")
        if len(cells) != 9 or set(cells) - set("XO."):
            raise ValueError(f"cells must be 9 characters from 'X', 'O', '.', got {cells!r}")
        crosses = sum(1 << i for i, c in enumerate(cells) if c == "X")
        noughts = sum(1 << i for i, c in enumerate(cells) if c == "O")
        n_x, n_o = crosses.bit_count(), noughts.bit_count()
        if n_x - n_o not in (0, 1):
            raise ValueError(f"X moves first, so X has as many stones as O or one more: {cells!r}")
        x_won = any(crosses & m == m for m in TTT_LINE_MASKS)
        o_won = any(noughts & m == m for m in TTT_LINE_MASKS)
        if (x_won and o_won) or (x_won and n_x == n_o) or (o_won and n_x > n_o):
            raise ValueError(f"no game reaches {cells!r}: play stops at the first win")
        return cls._make(crosses, noughts, 0 if x_won else 1 if o_won else None)

    @property
    def crosses(self) -> int:
        """X's stones as a 9-bit mask (bit ``c`` for cell ``c``)."""
        return self._crosses

    @property
    def noughts(self) -> int:
        """O's stones as a 9-bit mask."""
        return self._noughts

    @property
    def to_play(self) -> int:
        return (self._crosses | self._noughts).bit_count() & 1

    @property
    def winner(self) -> int | None:
        return self._winner

    def cells(self) -> str:
        """The board as 9 characters, row by row ('X', 'O', '.')."""
        return "".join(
            "X" if self._crosses >> i & 1 else "O" if self._noughts >> i & 1 else "."
            for i in range(9)
        )

    def legal_actions(self) -> list[int]:
        if self._winner is not None:
            return []
        taken = self._crosses | self._noughts
        return [cell for cell in range(9) if not taken >> cell & 1]

    def is_terminal(self) -> bool:
        return self._winner is not None or (self._crosses | self._noughts) == _TTT_FULL

    def play(self, action: int) -> TicTacToe:
        cell = self._check_action(action)
        bit = 1 << cell
        if self.to_play == 0:
            crosses, noughts, mover = self._crosses | bit, self._noughts, self._crosses | bit
        else:
            crosses, noughts, mover = self._crosses, self._noughts | bit, self._noughts | bit
        won = any(mover & line == line for line in _TTT_LINES_THROUGH[cell])
        return self._make(crosses, noughts, self.to_play if won else None)

    def why_illegal(self, action: int) -> str:
        if self._winner is not None:
            return f"the game is over ({PLAYER_MARKS[self._winner]} has won)"
        if not 0 <= action < 9:
            return "cells are numbered 0-8"
        return f"cell {action} is taken"

    def key(self) -> int:
        """The smallest 18-bit code (crosses | noughts << 9) over the 8 symmetries."""
        return min(image[self._crosses] | image[self._noughts] << 9 for image in TTT_MASK_IMAGES)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TicTacToe)
            and self._crosses == other._crosses
            and self._noughts == other._noughts
        )

    def __hash__(self) -> int:
        return hash((self._crosses, self._noughts))

    def __repr__(self) -> str:
        return f"TicTacToe.from_cells({self.cells()!r})"

    def __str__(self) -> str:
        cells = self.cells()
        return "\n".join(" ".join(cells[r * 3 : r * 3 + 3]) for r in range(3))

    def _repr_html_(self) -> str:
        return _html_grid(
            [[self.cells()[r * 3 + c] for c in range(3)] for r in range(3)], square=True
        )


# --- Connect Four --------------------------------------------------------------


class Geometry:
    """Bit masks for a rows x cols board, column-major with one spare bit atop
    each column (so shifted lines never wrap from one column into the next)."""

    def __init__(self, rows: int, cols: int, k: int) -> None:
        self.rows, self.cols, self.k = rows, cols, k
        self.height = rows + 1  # bits per column
        self.bottom = tuple(1 << (c * self.height) for c in range(cols))
        self.top = tuple(1 << (c * self.height + rows - 1) for c in range(cols))
        self.column = tuple(((1 << rows) - 1) << (c * self.height) for c in range(cols))
        self.bottom_row = sum(self.bottom)
        self.board = sum(self.column)
        # Shifts for the four directions: vertical, horizontal, and the two diagonals.
        self.shifts = (1, self.height, self.height - 1, self.height + 1)

    def has_line(self, bits: int) -> bool:
        """True if ``bits`` holds k stones in a row in any direction."""
        for shift in self.shifts:
            # run marks the stones that start ``length`` aligned stones; doubling
            # the length each time needs only about log2(k) shifts.
            run, length = bits, 1
            while length < self.k and run:
                grow = min(length, self.k - length)
                run &= run >> (grow * shift)
                length += grow
            if run:
                return True
        return False


@cache
def _geometry(rows: int, cols: int, k: int) -> Geometry:
    return Geometry(rows, cols, k)


class ConnectFour(GameState):
    """Connect k on a board of ``rows`` x ``cols`` (standard: 6 rows, 7 columns, k = 4).

    ``ConnectFour()`` is the empty board; player 0 moves first. Actions are
    columns 0 to cols-1 (``from_moves`` takes 1-based digits, as the common
    Connect Four test sets do). Stones are bits in Python ints, column by
    column, bit ``col * (rows + 1) + row`` for row 0 at the bottom.
    """

    __slots__ = ("_current", "_geometry", "_mask", "_moves", "_winner")

    def __init__(self, rows: int = 6, cols: int = 7, k: int = 4) -> None:
        rows = positive_int("rows", rows)
        cols = positive_int("cols", cols)
        k = positive_int("k", k, minimum=2)
        if k > max(rows, cols):
            raise ValueError(
                f"a board of {cols} columns x {rows} rows is too small for k={k} in a row"
            )
        self._geometry = _geometry(rows, cols, k)
        self._current = 0  # stones of the player to move
        self._mask = 0  # all stones
        self._moves = 0
        self._winner: int | None = None

    @classmethod
    def _make(
        cls, geometry: Geometry, current: int, mask: int, moves: int, winner: int | None
    ) -> ConnectFour:
        state = object.__new__(cls)
        state._geometry, state._current, state._mask = geometry, current, mask
        state._moves, state._winner = moves, winner
        return state

    @classmethod
    def from_moves(cls, moves: str, rows: int = 6, cols: int = 7, k: int = 4) -> ConnectFour:
        """The position after playing ``moves``, 1-based column digits (e.g. "4453").

        Args:
            moves: 1-based column digits, one per move.
            rows, cols, k: the board (as ``ConnectFour``).
        """
        if not isinstance(moves, str):
            raise TypeError(f"moves must be a string of column digits, got {moves!r}")
        state = cls(rows, cols, k)
        if cols > 9:
            raise ValueError(
                f"move strings use one digit per move, so at most 9 columns, got {cols}"
            )
        for position, char in enumerate(moves, start=1):
            if not ("1" <= char <= str(cols)):
                raise ValueError(
                    f"bad move string {moves!r}: {char!r} at position {position} "
                    f"is not a column digit 1-{cols}"
                )
            if state.is_terminal():
                raise ValueError(
                    f"bad move string {moves!r}: move {position} comes after the game has ended"
                )
            if not state.can_play(int(char) - 1):
                open_columns = [str(col + 1) for col in state.legal_actions()]
                raise ValueError(
                    f"bad move string {moves!r}: move {position} plays column {char}, "
                    f"which is full; open columns are {', '.join(open_columns)}"
                )
            state = state.play_unchecked(int(char) - 1)
        return state

    # -- geometry and raw bitboards, for searchers that work on bits --------
    @property
    def rows(self) -> int:
        return self._geometry.rows

    @property
    def cols(self) -> int:
        return self._geometry.cols

    @property
    def k(self) -> int:
        return self._geometry.k

    @property
    def num_actions(self) -> int:  # type: ignore[override]
        return self._geometry.cols

    @property
    def geometry(self) -> Geometry:
        """Bit masks of this board size (shared by every state of that size)."""
        return self._geometry

    @property
    def current(self) -> int:
        """Bitboard of the stones of the player to move."""
        return self._current

    @property
    def mask(self) -> int:
        """Bitboard of all stones."""
        return self._mask

    @property
    def moves_played(self) -> int:
        return self._moves

    # -- the protocol ------------------------------------------------------------
    @property
    def to_play(self) -> int:
        return self._moves & 1

    @property
    def winner(self) -> int | None:
        return self._winner

    def can_play(self, col: int) -> bool:
        """True if column ``col`` (0-based) is on the board and not full."""
        if not is_integer(col):
            raise TypeError(f"col must be an int column index, got {col!r}")
        return 0 <= col < self._geometry.cols and not self._mask & self._geometry.top[col]

    def legal_actions(self) -> list[int]:
        if self._winner is not None:
            return []
        top, mask = self._geometry.top, self._mask
        return [col for col in range(self._geometry.cols) if not mask & top[col]]

    def is_terminal(self) -> bool:
        return self._winner is not None or self._moves == self._geometry.rows * self._geometry.cols

    def play(self, action: int) -> ConnectFour:
        col = self._check_action(action)
        return self.play_unchecked(col)

    def play_unchecked(self, col: int) -> ConnectFour:
        """``play`` without the legality check, for search loops that know ``col`` is open
        (an illegal ``col`` gives a wrong state, not an error)."""
        g = self._geometry
        mover = self._current | ((self._mask + g.bottom[col]) & g.column[col])
        mask = self._mask | mover
        winner = self.to_play if g.has_line(mover) else None
        # The opponent moves next: their stones are everything but the mover's.
        return self._make(g, mover ^ mask, mask, self._moves + 1, winner)

    def why_illegal(self, action: int) -> str:
        if self._winner is not None:
            return f"the game is over (player {self._winner} has won)"
        if not 0 <= action < self._geometry.cols:
            return f"columns are numbered 0-{self._geometry.cols - 1}"
        return f"column {action} is full"

    def key(self) -> int:
        """current + mask (a unique code of the position) or its mirror, whichever is smaller."""
        code = self._current + self._mask
        g = self._geometry
        mirrored = 0
        for col in range(g.cols):
            column_bits = (code >> (col * g.height)) & ((1 << g.height) - 1)
            mirrored |= column_bits << ((g.cols - 1 - col) * g.height)
        return min(code, mirrored)

    def stones(self, player: int) -> int:
        """Bitboard of ``player``'s stones (player 0 or 1)."""
        if isinstance(player, bool) or player not in (0, 1):
            raise ValueError(f"player must be 0 or 1, got {player!r}")
        return self._current if player == self.to_play else self._current ^ self._mask

    def grid(self) -> list[list[str]]:
        """Rows top to bottom, each a list of 'X', 'O' or '.' per column."""
        g = self._geometry
        first = self.stones(0)
        out = []
        for row in reversed(range(g.rows)):
            line = []
            for col in range(g.cols):
                bit = 1 << (col * g.height + row)
                line.append("." if not self._mask & bit else "X" if first & bit else "O")
            out.append(line)
        return out

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ConnectFour)
            and self._geometry is other._geometry
            and self._current == other._current
            and self._mask == other._mask
        )

    def __hash__(self) -> int:
        return hash(
            (self._geometry.rows, self._geometry.cols, self._geometry.k, self._current, self._mask)
        )

    def __repr__(self) -> str:
        g = self._geometry
        return f"ConnectFour(rows={g.rows}, cols={g.cols}, k={g.k}) after {self._moves} moves"

    def __str__(self) -> str:
        rows = [" ".join(line) for line in self.grid()]
        rows.append(" ".join(str(c + 1) for c in range(self._geometry.cols)))
        return "\n".join(rows)

    def _repr_html_(self) -> str:
        return _html_grid(self.grid(), square=False)


def _html_grid(grid: list[list[str]], *, square: bool) -> str:
    """A small self-contained HTML board (inline styles, no external resources)."""
    colour = {"X": PLAYER_COLOURS[0], "O": PLAYER_COLOURS[1], ".": "#ffffff"}
    radius = "0" if square else "50%"
    cells = []
    for line in grid:
        tds = "".join(
            f'<td style="width:24px;height:24px;padding:2px">'
            f'<div style="width:22px;height:22px;border-radius:{radius};'
            f'background:{colour[c]};border:1px solid #999" title="{c}"></div></td>'
            for c in line
        )
        cells.append(f"<tr>{tds}</tr>")
    return f'<table style="border-collapse:collapse;background:#eee">{"".join(cells)}</table>'
