"""Exact game-tree search: plain minimax, alpha-beta negamax (with a
transposition table and move ordering), and the solvers built on them.

Every value is from the point of view of the **player to move**: +1 a win,
0 a draw, -1 a loss with best play by both sides. The **exact score**
(``exact=True``) also says how fast: a win scores the winner's own stones
left unplayed at the win, plus one (the usual Connect Four convention), a
loss minus that, a draw 0. On a board of N cells, a win by the move played
when m stones are on the board scores ``(N + 1 - m) // 2``. Optimal play by
exact score wins as fast and loses as slowly as possible.

``minimax`` and ``alphabeta`` work on any ``GameState`` through its public
methods and count the nodes (states) they visit; chapter 3 compares them.
``solve``, ``solve_exact``, ``action_values`` and ``optimal_actions`` are the
fast solvers: a memoised table for tic-tac-toe, a bitboard solver in the
style of Pascal Pons's for Connect Four (``ConnectFourSolver``), and
alpha-beta with a transposition table for any other game.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np

from daopt.games import (
    TTT_LINE_MASKS,
    TTT_LINES,
    ConnectFour,
    GameState,
    Geometry,
    TicTacToe,
    check_state,
)
from daopt.validation import positive_int

__all__ = [
    "MAX_NODES",
    "ConnectFourSolver",
    "SearchResult",
    "action_values",
    "alphabeta",
    "clear_tables",
    "connect_four_solver",
    "minimax",
    "optimal_actions",
    "order_actions",
    "score_bounds",
    "solve",
    "solve_exact",
    "terminal_value",
    "tree_size_estimate",
    "winning_cells_function",
]

ORDERINGS = ("none", "centre", "threats")


@dataclass(frozen=True)
class SearchResult:
    """A search's verdict: ``value`` for the player to move and the ``nodes`` it visited."""

    value: int
    nodes: int


def _check_state(state: object) -> GameState:
    # Two players and no chance: a chance node would be read as a third player.
    return check_state(state, chance=False)


def _check_flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _check_ordering(ordering: object) -> str:
    """Accept False/True (= "none"/"threats") or one of ``ORDERINGS``."""
    if ordering is False:
        return "none"
    if ordering is True:
        return "threats"
    if not isinstance(ordering, str) or ordering not in ORDERINGS:
        raise ValueError(f"ordering must be True, False or one of {ORDERINGS}, got {ordering!r}")
    return ordering


# --- scores ------------------------------------------------------------------


def _cells_and_stones(state: GameState) -> tuple[int, int]:
    """(cells on the board, stones on it): what the exact score is counted from."""
    if isinstance(state, TicTacToe):
        return 9, 9 - state.cells().count(".")
    if isinstance(state, ConnectFour):
        return state.rows * state.cols, state.moves_played
    raise TypeError(
        "exact scores count stones on a board, so they are defined for TicTacToe and "
        f"ConnectFour states, got {type(state).__name__}"
    )


def terminal_value(state: GameState, *, exact: bool = False) -> int:
    """The value of a finished game for the player to move (-1 lost, 0 drawn).

    With ``exact``, a loss scores minus the winner's unplayed stones plus one.
    """
    _check_state(state)
    _check_flag("exact", exact)
    if not state.is_terminal():
        raise ValueError(f"the game is not over in {state!r}; search it instead")
    return _terminal(state, exact)


def _terminal(state: GameState, exact: bool) -> int:
    if state.winner is None:
        return 0
    # The game ends at the first win, so the player who just moved has won.
    sign = 1 if state.winner == state.to_play else -1
    if not exact:
        return sign
    cells, stones = _cells_and_stones(state)
    return sign * ((cells + 2 - stones) // 2)


def score_bounds(state: GameState, *, exact: bool = False) -> tuple[int, int]:
    """The lowest and highest value a search of ``state`` can return."""
    _check_state(state)
    _check_flag("exact", exact)
    if not exact:
        return -1, 1
    cells, stones = _cells_and_stones(state)
    best = (cells + 1 - stones) // 2  # win with the very next move
    return -best, best


# --- plain minimax -----------------------------------------------------------


#: The default node budget of ``minimax`` and ``alphabeta``: tic-tac-toe's whole tree
#: (549,946 states) fits many times over; Connect Four's does not.
MAX_NODES = 10_000_000


def _over_budget(search: str, max_nodes: int, state: GameState) -> ValueError:
    return ValueError(
        f"{search} visited max_nodes={max_nodes:,} states of {state!r} without finishing: "
        "the tree is too large for it; use search.solve (or alphabeta with table=True, "
        "ordering=True), or pass a larger max_nodes"
    )


def tree_size_estimate(state: GameState, *, probes: int = 64) -> float:
    """Knuth's (1975) unbiased estimate of the number of states in the full game tree
    below ``state`` (what ``minimax`` visits): the mean over ``probes`` random paths of
    1 + b1 + b1 b2 + ..., with b_i the number of moves at the i-th state of the path.
    The paths come from a fixed generator, so the estimate is reproducible."""
    _check_state(state)
    probes = positive_int("probes", probes)
    rng = np.random.default_rng(0)
    total = 0.0
    for _ in range(probes):
        s, width, size = state, 1.0, 1.0
        while not s.is_terminal():
            legal = s.legal_actions()
            width *= len(legal)
            size += width
            s = s.play(legal[int(rng.integers(len(legal)))])
        total += size
    return total / probes


def minimax(state: GameState, *, exact: bool = False, max_nodes: int = MAX_NODES) -> SearchResult:
    """Plain minimax over the whole game tree, no pruning (the teaching version).

    Returns the value for the player to move (``exact``: the exact score) and the
    number of states visited, the root and every terminal state included.

    Refuses up front (ValueError) a tree that ``tree_size_estimate`` puts above ten
    times ``max_nodes`` (Connect Four's, for one), and stops with a ValueError once it
    has visited ``max_nodes`` states: a search that cannot finish says so.
    """
    _check_state(state)
    _check_flag("exact", exact)
    max_nodes = positive_int("max_nodes", max_nodes)
    if exact:
        _cells_and_stones(state)  # fail early for games without a board count
    estimate = tree_size_estimate(state)
    if estimate > 10 * max_nodes:
        raise ValueError(
            f"minimax would visit about {estimate:.1e} states of {state!r} (Knuth's estimate "
            f"from random paths), far more than max_nodes={max_nodes:,}: use search.solve "
            "(or alphabeta with table=True, ordering=True), or pass a larger max_nodes"
        )
    nodes = 0

    def value(s: GameState) -> int:
        nonlocal nodes
        nodes += 1
        if nodes > max_nodes:
            raise _over_budget("minimax", max_nodes, state)
        if s.is_terminal():
            return _terminal(s, exact)
        return max(-value(s.play(a)) for a in s.legal_actions())

    return SearchResult(value(state), nodes)


# --- move ordering -----------------------------------------------------------

# Tic-tac-toe cell preference: the centre lies on 4 lines, corners on 3, edges on 2.
_TTT_CENTRALITY = tuple(sum(cell in line for line in TTT_LINES) for cell in range(9))


def _ttt_masks(state: TicTacToe) -> tuple[int, int]:
    """(stones of the player to move, stones of the opponent) as 9-bit masks."""
    if state.to_play == 0:
        return state.crosses, state.noughts
    return state.noughts, state.crosses


def _ttt_wins(stones: int, empty: int) -> int:
    """Empty cells where ``stones`` would complete a line."""
    out = 0
    for line in TTT_LINE_MASKS:
        gap = line & ~stones
        if gap & (gap - 1) == 0 and gap & empty:
            out |= gap
    return out


def _centre_order(cols: int) -> tuple[int, ...]:
    """Columns from the centre outwards (left of centre first on ties)."""
    return tuple(sorted(range(cols), key=lambda c: (abs(2 * c - (cols - 1)), c)))


def order_actions(state: GameState, ordering: str | bool = "threats") -> list[int]:
    """The legal actions in the order a search should try them.

    ``"none"``: ascending. ``"centre"``: central cells or columns first (they lie
    on the most lines). ``"threats"``: a winning move first, then a move that
    blocks the opponent's win, then moves by the number of new winning threats
    they create, ties broken centre-first. Games other than tic-tac-toe and
    Connect Four keep the ascending order.
    """
    _check_state(state)
    ordering = _check_ordering(ordering)
    actions = state.legal_actions()
    if ordering == "none" or len(actions) < 2:
        return actions
    if isinstance(state, TicTacToe):
        centrality = {a: _TTT_CENTRALITY[a] for a in actions}
        if ordering == "centre":
            return sorted(actions, key=lambda a: -centrality[a])
        mine, theirs = _ttt_masks(state)
        empty = 0x1FF & ~(mine | theirs)
        wins, blocks = _ttt_wins(mine, empty), _ttt_wins(theirs, empty)

        def ttt_score(a: int) -> tuple[int, int, int, int]:
            bit = 1 << a
            threats = _ttt_wins(mine | bit, empty & ~bit).bit_count()
            return (-(wins >> a & 1), -(blocks >> a & 1), -threats, -centrality[a])

        return sorted(actions, key=ttt_score)
    if isinstance(state, ConnectFour):
        rank = {c: i for i, c in enumerate(_centre_order(state.cols))}
        if ordering == "centre":
            return sorted(actions, key=rank.__getitem__)
        g = state.geometry
        lines = winning_cells_function(g)
        current, mask = state.current, state.mask
        possible = (mask + g.bottom_row) & g.board
        wins = lines(current, mask) & possible
        blocks = lines(current ^ mask, mask) & possible

        def c4_score(c: int) -> tuple[int, int, int, int]:
            move = possible & g.column[c]
            threats = lines(current | move, mask | move).bit_count()
            return (-bool(wins & move), -bool(blocks & move), -threats, rank[c])

        return sorted(actions, key=c4_score)
    return actions


# --- alpha-beta negamax ----------------------------------------------------------

_EXACT, _LOWER, _UPPER = 0, 1, 2


def alphabeta(
    state: GameState,
    *,
    table: bool = False,
    ordering: str | bool = False,
    exact: bool = False,
    max_nodes: int = MAX_NODES,
) -> SearchResult:
    """Negamax with alpha-beta pruning; optionally a transposition table and move ordering.

    ``table``: remember each searched state's value (or the bound its window
    proved) under ``state.key()``, so positions reached again, by another move
    order or as a mirror image, are not searched twice. ``ordering``: False,
    True (= "threats"), "centre" or "threats" (see ``order_actions``). The
    window starts at the range of possible values. Returns the same value as
    ``minimax`` and the number of states visited; the states the ordering
    looks at to rank moves are not counted.

    Args:
        state: the root, a two-player state without chance.
        table: use a transposition table.
        ordering: False, True (= "threats"), "centre" or "threats".
        exact: search for the exact score (win fastest) instead of win/draw/loss.
        max_nodes: stop with a ValueError after visiting this many states.
    """
    _check_state(state)
    _check_flag("table", table)
    _check_flag("exact", exact)
    max_nodes = positive_int("max_nodes", max_nodes)
    ordering = _check_ordering(ordering)
    low, high = score_bounds(state, exact=exact)
    memo: dict[Hashable, tuple[int, int]] = {}
    nodes = 0

    def negamax(s: GameState, alpha: int, beta: int) -> int:
        nonlocal nodes
        nodes += 1
        if nodes > max_nodes:
            raise _over_budget("alphabeta", max_nodes, state)
        if s.is_terminal():
            return _terminal(s, exact)
        if table:
            key = s.key()
            entry = memo.get(key)
            if entry is not None:
                flag, stored = entry
                if flag == _EXACT:
                    return stored
                if flag == _LOWER:
                    alpha = max(alpha, stored)
                else:
                    beta = min(beta, stored)
                if alpha >= beta:
                    return stored
        alpha0 = alpha
        best = -math.inf
        actions = order_actions(s, ordering) if ordering != "none" else s.legal_actions()
        for a in actions:
            v = -negamax(s.play(a), -beta, -alpha)
            if v > best:
                best = v
                if v > alpha:
                    alpha = v
                    if alpha >= beta:
                        break  # the opponent will not allow this line: prune the rest
        if table:
            flag = _UPPER if best <= alpha0 else _LOWER if best >= beta else _EXACT
            memo[key] = (flag, int(best))
        return int(best)

    return SearchResult(negamax(state, low, high), nodes)


# --- Connect Four: a bitboard solver after Pascal Pons -------------------------


def winning_cells_function(geometry: Geometry) -> Callable[[int, int], int]:
    """A function ``(stones, mask) -> cells``: the empty cells where ``stones`` would
    complete k in a row, for the board size of ``geometry`` (a ``ConnectFour``
    state's ``geometry``; bits as in ``ConnectFour``). The solver's move ordering and
    chapter 9's threat features both read it."""
    if not isinstance(geometry, Geometry):
        raise TypeError(f"geometry must be a ConnectFour state's geometry, got {geometry!r}")
    g = geometry
    k, board = g.k, g.board  # type: ignore[attr-defined]
    vertical, horizontal, down, up = g.shifts  # type: ignore[attr-defined]
    if k == 4:
        h1, h2, h3 = horizontal, 2 * horizontal, 3 * horizontal
        d1, d2, d3 = down, 2 * down, 3 * down
        u1, u2, u3 = up, 2 * up, 3 * up

        def four(p: int, mask: int) -> int:
            # Vertical: the cell above three stones. In each other direction the
            # empty cell can be any of the four in the line: pairs of stones on
            # one side, and the third stone beyond them or on the other side.
            r = (p << 1) & (p << 2) & (p << 3)
            pair = (p << h1) & (p << h2)
            r |= pair & ((p << h3) | (p >> h1))
            pair = (p >> h1) & (p >> h2)
            r |= pair & ((p << h1) | (p >> h3))
            pair = (p << d1) & (p << d2)
            r |= pair & ((p << d3) | (p >> d1))
            pair = (p >> d1) & (p >> d2)
            r |= pair & ((p << d1) | (p >> d3))
            pair = (p << u1) & (p << u2)
            r |= pair & ((p << u3) | (p >> u1))
            pair = (p >> u1) & (p >> u2)
            r |= pair & ((p << u1) | (p >> u3))
            return r & (board ^ mask)

        return four

    directions = (horizontal, down, up)

    def general(p: int, mask: int) -> int:
        # Vertical: the cell above k - 1 stones (runs only grow upwards).
        run = p
        for i in range(1, k - 1):
            run &= p << (i * vertical)
        r = run << vertical
        for s in directions:
            # left[a]: cells with a stones in a row just before them; right[b]: just after.
            left, right = [-1], [-1]
            for a in range(1, k):
                left.append(left[-1] & (p << (a * s)))
                right.append(right[-1] & (p >> (a * s)))
            for a in range(k):
                r |= left[a] & right[k - 1 - a]
        return r & (board ^ mask)

    return general


def _half_towards_zero(x: int) -> int:
    return x // 2 if x >= 0 else -(-x // 2)


class ConnectFourSolver:
    """Exact Connect Four solver on bitboards for one board size (any rows, cols, k).

    The standard techniques of Pascal Pons's solver: immediate-win detection;
    forced moves (block the opponent's only threat, and give up at two);
    never playing directly under an opponent's threat; moves ordered by the
    threats they create, centre-first; a transposition table of score bounds
    under ``current + mask``; and null-window searches that narrow the score.
    ``nodes`` counts negamax calls since the last ``reset``. The table is kept
    between calls (bounds stay valid) and emptied when it holds ``max_entries``.
    """

    def __init__(self, rows: int = 6, cols: int = 7, k: int = 4, *, max_entries: int = 1 << 20):
        self.geometry = ConnectFour(rows, cols, k).geometry
        self.max_entries = positive_int("max_entries", max_entries)
        g = self.geometry
        self.cells = g.rows * g.cols
        self._board, self._bottom = g.board, g.bottom_row
        self._columns = tuple(g.column[c] for c in _centre_order(g.cols))
        self._winning = winning_cells_function(g)
        self.table: dict[int, int] = {}
        self.nodes = 0

    def reset(self) -> None:
        """Forget the transposition table and zero the node count."""
        self.table.clear()
        self.nodes = 0

    def _state(self, state: object) -> ConnectFour:
        if not isinstance(state, ConnectFour):
            raise TypeError(f"state must be a ConnectFour state, got {state!r}")
        if state.geometry is not self.geometry:
            g = self.geometry
            raise ValueError(
                f"this solver is for {g.cols}x{g.rows} boards with k={g.k}, got {state!r}"
            )
        return state

    def value(self, state: ConnectFour) -> int:
        """Win (+1), draw (0) or loss (-1) for the player to move."""
        state = self._state(state)
        root = self._root(state)
        if root is not None:
            return (root > 0) - (root < 0)
        current, mask, moves = state.current, state.mask, state.moves_played
        if self.negamax(current, mask, moves, 0, 1) > 0:
            return 1
        return 0 if self.negamax(current, mask, moves, -1, 0) > -1 else -1

    def score(self, state: ConnectFour) -> int:
        """The exact score for the player to move (see the module docstring)."""
        state = self._state(state)
        root = self._root(state)
        if root is not None:
            return root
        current, mask, moves = state.current, state.mask, state.moves_played
        low, high = -((self.cells - moves) // 2), (self.cells + 1 - moves) // 2
        while low < high:
            # Probe near 0 first: most positions are decided by small margins.
            mid = low + (high - low) // 2
            if mid <= 0 and _half_towards_zero(low) < mid:
                mid = _half_towards_zero(low)
            elif mid >= 0 and _half_towards_zero(high) > mid:
                mid = _half_towards_zero(high)
            result = self.negamax(current, mask, moves, mid, mid + 1)
            if result <= mid:
                high = result
            else:
                low = result
        return low

    def _root(self, state: ConnectFour) -> int | None:
        """The score when no search is needed (game over, or a win in one), else None."""
        if state.is_terminal():
            return _terminal(state, True)
        current, mask = state.current, state.mask
        if self._winning(current, mask) & (mask + self._bottom) & self._board:
            return (self.cells + 1 - state.moves_played) // 2
        return None

    def negamax(self, current: int, mask: int, moves: int, alpha: int, beta: int) -> int:
        """Score of a position in which the player to move cannot win at once.

        Fail-hard within (alpha, beta): a result <= alpha is an upper bound, a
        result >= beta a lower bound, anything between is exact.

        Args:
            current: bitboard of the stones of the player to move.
            mask: bitboard of all stones.
            moves: stones on the board.
            alpha, beta: the search window.
        """
        self.nodes += 1
        cells, board = self.cells, self._board
        possible = (mask + self._bottom) & board
        threats = self._winning(current ^ mask, mask)
        forced = possible & threats
        if forced:
            if forced & (forced - 1):
                return -((cells - moves) // 2)  # two threats: one of them wins next move
            possible = forced
        # Never play directly under an opponent's winning cell.
        playable = possible & ~(threats >> 1)
        if not playable:
            return -((cells - moves) // 2)
        if moves >= cells - 2:
            return 0  # neither side can win in the last two moves
        low = -((cells - 2 - moves) // 2)
        if alpha < low:
            alpha = low
            if alpha >= beta:
                return alpha
        high = (cells - 1 - moves) // 2
        key = current + mask
        table = self.table
        entry = table.get(key)
        if entry is not None:
            if entry & 1:  # a lower bound
                if alpha < entry >> 1:
                    alpha = entry >> 1
                    if alpha >= beta:
                        return alpha
            elif high > entry >> 1:
                high = entry >> 1
        if beta > high:
            beta = high
            if alpha >= beta:
                return beta

        if playable & (playable - 1):
            # Several moves: more threats first, then nearer the centre (``rank``).
            winning = self._winning
            candidates = []
            for rank, column in enumerate(self._columns):
                move = playable & column
                if move:
                    threats_made = winning(current | move, mask | move).bit_count()
                    candidates.append((-threats_made, rank, move))
            candidates.sort()
            order = [move for _, _, move in candidates]
        else:
            order = [playable]
        opponent = current ^ mask
        for move in order:
            score = -self.negamax(opponent, mask | move, moves + 1, -beta, -alpha)
            if score >= beta:
                self._store(key, (score << 1) | 1)
                return score
            if score > alpha:
                alpha = score
        self._store(key, alpha << 1)
        return alpha

    def _store(self, key: int, entry: int) -> None:
        if len(self.table) >= self.max_entries:
            self.table.clear()
        self.table[key] = entry


_SOLVERS: dict[object, ConnectFourSolver] = {}


def connect_four_solver(state: ConnectFour) -> ConnectFourSolver:
    """The solver (and its transposition table) for ``state``'s board size, shared by
    ``solve``, ``solve_exact`` and ``optimal_actions``; its ``nodes`` count the work."""
    if not isinstance(state, ConnectFour):
        raise TypeError(f"state must be a ConnectFour state, got {state!r}")
    solver = _SOLVERS.get(state.geometry)
    if solver is None:
        solver = _SOLVERS[state.geometry] = ConnectFourSolver(state.rows, state.cols, state.k)
    return solver


# --- tic-tac-toe: every state's exact score, memoised --------------------------

_TTT_SCORES: dict[tuple[int, int], int] = {}


def _ttt_score(mine: int, theirs: int) -> int:
    """Exact score for the player owning ``mine``, to move; ``theirs`` moved last."""
    known = _TTT_SCORES.get((mine, theirs))
    if known is not None:
        return known
    taken = mine | theirs
    stones = taken.bit_count()
    if any(theirs & line == line for line in TTT_LINE_MASKS):
        score = -((11 - stones) // 2)
    elif stones == 9:
        score = 0
    else:
        score = max(
            -_ttt_score(theirs, mine | 1 << cell) for cell in range(9) if not taken >> cell & 1
        )
    _TTT_SCORES[(mine, theirs)] = score
    return score


_TTT_VALUES: dict[tuple[int, int], int] = {}
# Cells in the order worth trying: centre, corners, edges.
_TTT_PREFERENCE = (4, 0, 2, 6, 8, 1, 3, 5, 7)


def _ttt_value(mine: int, theirs: int) -> int:
    """Win/draw/loss for the player owning ``mine``, to move, where ``theirs`` has not won.

    Stops at the first winning move, takes a win in one at once, answers a
    double threat as lost and a single one with the block only: a few hundred
    states to solve the game from the start, where exact scores need them all.
    """
    known = _TTT_VALUES.get((mine, theirs))
    if known is not None:
        return known
    empty = 0x1FF & ~(mine | theirs)
    if _ttt_wins(mine, empty):
        value = 1
    elif not empty & (empty - 1):
        value = 0  # one cell left, and it wins for nobody
    else:
        threats = _ttt_wins(theirs, empty)
        if threats & (threats - 1):
            value = -1  # two threats: blocking one lets the other win
        else:
            value = -1
            for cell in _TTT_PREFERENCE:
                bit = 1 << cell
                if empty & bit and (not threats or threats == bit):
                    value = max(value, -_ttt_value(theirs, mine | bit))
                    if value == 1:
                        break
    _TTT_VALUES[(mine, theirs)] = value
    return value


# --- the solvers -----------------------------------------------------------------


def solve_exact(state: GameState) -> int:
    """The exact score for the player to move: win fastest, lose slowest.

    Positive: the player to move wins, by (its stones left unplayed at the win
    + 1); negative: it loses; 0: a draw. TicTacToe and ConnectFour only.
    """
    _check_state(state)
    if isinstance(state, TicTacToe):
        return _ttt_score(*_ttt_masks(state))
    if isinstance(state, ConnectFour):
        return connect_four_solver(state).score(state)
    _cells_and_stones(state)  # raises: no board to count stones on
    raise AssertionError("unreachable")  # pragma: no cover


def solve(state: GameState) -> int:
    """The game-theoretic value for the player to move: +1 win, 0 draw, -1 loss."""
    _check_state(state)
    if isinstance(state, TicTacToe):
        if state.is_terminal():
            return _terminal(state, False)
        return _ttt_value(*_ttt_masks(state))
    if isinstance(state, ConnectFour):
        return connect_four_solver(state).value(state)
    return alphabeta(state, table=True).value


def action_values(state: GameState, *, exact: bool = False) -> dict[int, int]:
    """The value (``exact``: exact score) of each legal action for the player to move."""
    _check_state(state)
    _check_flag("exact", exact)
    value = solve_exact if exact else solve
    return {a: -value(state.play(a)) for a in state.legal_actions()}


def optimal_actions(state: GameState, *, exact: bool = False) -> list[int]:
    """The legal actions that keep the game-theoretic value (ascending).

    With ``exact``, only those that also keep the exact score: the fastest wins,
    the slowest losses. Empty once the game is over.
    """
    values = action_values(state, exact=exact)
    if not values:
        return []
    best = max(values.values())
    return [a for a, v in values.items() if v == best]


def clear_tables() -> None:
    """Forget every remembered score (for cold-start timing)."""
    _TTT_SCORES.clear()
    _TTT_VALUES.clear()
    _SOLVERS.clear()
