"""daopt.games: the state protocol, tic-tac-toe counted exhaustively, Connect Four
checked against a slow reference, and every kind of bad input."""

from __future__ import annotations

import itertools
import re
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt.games import ConnectFour, GameState, TicTacToe

# --- helpers: exhaustive tic-tac-toe and a slow Connect Four reference ----------


@cache
def ttt_reachable() -> frozenset[TicTacToe]:
    """Every tic-tac-toe state reachable from the empty board (including it)."""
    seen = {TicTacToe()}
    frontier = [TicTacToe()]
    while frontier:
        state = frontier.pop()
        for action in state.legal_actions():
            child = state.play(action)
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return frozenset(seen)


def ttt_games(state: TicTacToe, memo: dict[TicTacToe, int]) -> int:
    """The number of distinct move sequences from ``state`` to a terminal state."""
    if state.is_terminal():
        return 1
    if state not in memo:
        memo[state] = sum(ttt_games(state.play(a), memo) for a in state.legal_actions())
    return memo[state]


def ttt_orbit(cells: str) -> frozenset[str]:
    """The 8 images of a 3x3 board under rotations and reflections, written out
    with numpy (independent of the module's own permutation tables)."""
    board = np.array(list(cells)).reshape(3, 3)
    images = set()
    for flipped in (board, np.fliplr(board)):
        for turns in range(4):
            images.add("".join(np.rot90(flipped, turns).ravel()))
    return frozenset(images)


def ttt_play_sequence(moves: list[int]) -> TicTacToe:
    """Play ``moves`` (cells) until the game ends or the moves run out."""
    state = TicTacToe()
    for move in moves:
        if state.is_terminal():
            break
        state = state.play(move)
    return state


DIRECTIONS = {"vertical": (1, 0), "horizontal": (0, 1), "rising": (1, 1), "falling": (-1, 1)}


def reference_lines(board: np.ndarray, player: int, k: int) -> set[str]:
    """The directions in which ``player`` (1 or 2) has k in a row on a 2-D board
    (row 0 at the bottom), found by looking at every cell in every direction."""
    rows, cols = board.shape
    found = set()
    for name, (d_row, d_col) in DIRECTIONS.items():
        for row in range(rows):
            for col in range(cols):
                cells = [(row + i * d_row, col + i * d_col) for i in range(k)]
                if all(0 <= r < rows and 0 <= c < cols and board[r, c] == player for r, c in cells):
                    found.add(name)
    return found


def board_array(state: ConnectFour) -> np.ndarray:
    """The position as a (rows, cols) array, row 0 at the bottom: 0 empty, 1 or 2."""
    code = {".": 0, "X": 1, "O": 2}
    return np.array([[code[c] for c in line] for line in reversed(state.grid())])


def mirror(moves: str, cols: int) -> str:
    return "".join(str(cols + 1 - int(c)) for c in moves)


# --- the protocol, for both games -----------------------------------------------

GAMES = [
    pytest.param(TicTacToe, id="tictactoe"),
    pytest.param(lambda: ConnectFour(rows=4, cols=5, k=3), id="connect3-5x4"),
    pytest.param(ConnectFour, id="connect4-7x6"),
]


def random_game(make, seed: int) -> list[GameState]:
    """The states of one random game from the start, terminal state included."""
    rng = np.random.default_rng(seed)
    states = [make()]
    while not states[-1].is_terminal():
        legal = states[-1].legal_actions()
        states.append(states[-1].play(legal[rng.integers(len(legal))]))
    return states


@pytest.mark.parametrize("make", GAMES)
def test_states_are_immutable_and_play_returns_a_new_state(make) -> None:
    for seed in range(20):
        for state in random_game(make, seed)[:-1]:
            before = (repr(state), hash(state), state.legal_actions(), state.to_play)
            child = state.play(state.legal_actions()[0])
            assert child is not state
            assert child != state
            assert (repr(state), hash(state), state.legal_actions(), state.to_play) == before
    state = make()
    with pytest.raises(AttributeError):
        state.extra = 1  # slots: no instance dictionary to grow


@pytest.mark.parametrize("make", GAMES)
def test_equal_states_hash_equal_whatever_the_move_order(make) -> None:
    start = make()
    # Swapping the order of each player's moves reaches the same position.
    one = start.play(0).play(1).play(2).play(3)
    two = start.play(2).play(3).play(0).play(1)
    assert one == two and hash(one) == hash(two)
    assert len({one, two, start}) == 2
    assert one != start and start != "a board" and start != 0
    assert one != start.play(1).play(0).play(2).play(3)  # the players' stones swapped


def test_states_of_different_games_and_sizes_differ() -> None:
    assert TicTacToe() != ConnectFour()
    assert ConnectFour(rows=4, cols=4, k=3) != ConnectFour(rows=4, cols=4, k=4)
    assert ConnectFour(rows=4, cols=5) != ConnectFour(rows=5, cols=4)
    assert ConnectFour(rows=6, cols=7) == ConnectFour()
    assert hash(ConnectFour.from_moves("1", rows=4, cols=4)) != hash(ConnectFour.from_moves("1"))


@pytest.mark.parametrize("make", GAMES)
def test_legal_actions_ascending_and_empty_once_terminal(make) -> None:
    for seed in range(30):
        states = random_game(make, seed)
        for state in states[:-1]:
            legal = state.legal_actions()
            assert legal == sorted(set(legal)) and legal
            assert all(type(a) is int and 0 <= a < state.num_actions for a in legal)
            assert not state.is_terminal()
        assert states[-1].is_terminal() and states[-1].legal_actions() == []


@pytest.mark.parametrize("make", GAMES)
def test_to_play_alternates_from_player_zero(make) -> None:
    for seed in range(10):
        players = [state.to_play for state in random_game(make, seed)]
        assert players == [i % 2 for i in range(len(players))]


@pytest.mark.parametrize("make", GAMES)
def test_returns_are_zero_sum_and_match_the_winner(make) -> None:
    outcomes = set()
    for seed in range(200):
        states = random_game(make, seed)
        for state in states[:-1]:
            assert state.returns() == (0.0, 0.0) and state.winner is None
        last = states[-1]
        expected = {None: (0.0, 0.0), 0: (1.0, -1.0), 1: (-1.0, 1.0)}[last.winner]
        assert last.returns() == expected
        if last.winner is not None:
            # The winner is the player who made the last move.
            assert last.winner == 1 - last.to_play
        outcomes.add(last.winner)
    # Wins and losses occur in random play; draws too in tic-tac-toe (Connect
    # Four draws are rare in random play and tested on fixed games below).
    assert {0, 1} <= outcomes
    assert None in outcomes or not isinstance(last, TicTacToe)


def test_returns_for_known_outcomes() -> None:
    assert TicTacToe.from_cells("XXXOO....").returns() == (1.0, -1.0)
    assert TicTacToe.from_cells("OOOXX.X..").returns() == (-1.0, 1.0)
    assert TicTacToe.from_cells("XOXXOOOXX").returns() == (0.0, 0.0)
    assert ConnectFour.from_moves("1212121").returns() == (1.0, -1.0)
    assert ConnectFour.from_moves("12121232").returns() == (-1.0, 1.0)


def test_num_actions() -> None:
    assert TicTacToe().num_actions == TicTacToe.num_actions == 9
    assert ConnectFour().num_actions == 7
    assert ConnectFour(rows=4, cols=5).num_actions == 5


def test_repr_and_str() -> None:
    state = TicTacToe.from_cells("X.O.X....")
    assert eval(repr(state), {"TicTacToe": TicTacToe}) == state
    assert str(state) == "X . O\n. X .\n. . ."
    c4 = ConnectFour.from_moves("4453", rows=4, cols=5)
    assert str(c4) == ". . . . .\n. . . . .\n. . . O .\n. . O X X\n1 2 3 4 5"
    assert "rows=4, cols=5, k=4" in repr(c4) and "4 moves" in repr(c4)
    for html in (state._repr_html_(), c4._repr_html_()):
        assert html.startswith("<table") and "http" not in html


# --- tic-tac-toe, counted exhaustively --------------------------------------------


def test_tictactoe_has_5478_reachable_states() -> None:
    assert len(ttt_reachable()) == 5478


def test_tictactoe_has_765_states_up_to_symmetry() -> None:
    assert len({state.key() for state in ttt_reachable()}) == 765


def test_tictactoe_has_255168_games() -> None:
    assert ttt_games(TicTacToe(), {}) == 255_168


def test_tictactoe_games_by_length_and_outcome() -> None:
    """The classic breakdown of the 255,168 games, by a memoised enumeration."""
    memo: dict[TicTacToe, dict[tuple[int, int | None], int]] = {}

    def endings(state: TicTacToe) -> dict[tuple[int, int | None], int]:
        # (moves still to come, winner) -> number of games from ``state``
        if state.is_terminal():
            return {(0, state.winner): 1}
        if state not in memo:
            total: dict[tuple[int, int | None], int] = {}
            for action in state.legal_actions():
                for (length, winner), n in endings(state.play(action)).items():
                    total[length + 1, winner] = total.get((length + 1, winner), 0) + n
            memo[state] = total
        return memo[state]

    games = endings(TicTacToe())
    by_length = {n: sum(v for (m, _), v in games.items() if m == n) for n in range(5, 10)}
    by_winner = {w: sum(v for (_, x), v in games.items() if x == w) for w in (0, 1, None)}
    assert by_length == {5: 1440, 6: 5328, 7: 47952, 8: 72576, 9: 127872}
    assert by_winner == {0: 131184, 1: 77904, None: 46080}
    assert sum(games.values()) == 255_168


def test_from_cells_accepts_exactly_the_reachable_positions() -> None:
    reachable = {state.cells() for state in ttt_reachable()}
    accepted = set()
    for cells in itertools.product("XO.", repeat=9):
        text = "".join(cells)
        try:
            state = TicTacToe.from_cells(text)
        except ValueError:
            continue
        assert state.cells() == text
        accepted.add(text)
    assert accepted == reachable
    for state in ttt_reachable():
        assert TicTacToe.from_cells(state.cells()) == state
        assert TicTacToe.from_cells(state.cells()).winner == state.winner


@settings(max_examples=200, deadline=None)
@given(st.permutations(range(9)), st.integers(0, 9))
def test_key_is_invariant_under_the_8_symmetries(order: list[int], length: int) -> None:
    state = ttt_play_sequence(order[:length])
    images = ttt_orbit(state.cells())
    for image in images:
        transformed = TicTacToe.from_cells(image)
        assert transformed.key() == state.key()
        assert transformed.winner == state.winner
        assert transformed.to_play == state.to_play
        assert sorted(transformed.legal_actions()) == transformed.legal_actions()
        assert len(transformed.legal_actions()) == len(state.legal_actions())


def test_key_distinguishes_positions_that_are_not_symmetric() -> None:
    orbit_of_key: dict[int, frozenset[str]] = {}
    for state in ttt_reachable():
        orbit = ttt_orbit(state.cells())
        assert orbit_of_key.setdefault(state.key(), orbit) == orbit
    assert len(set(orbit_of_key.values())) == len(orbit_of_key) == 765


def test_tictactoe_wins_on_every_line() -> None:
    lines = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6)]
    for line in lines:
        others = [c for c in range(9) if c not in line]
        for filler in (others[:2], others[-2:]):
            state = TicTacToe()
            for x, o in zip(line[:2], filler, strict=True):
                state = state.play(x).play(o)
            if state.is_terminal():  # the filler itself made a line: not this test's case
                continue
            state = state.play(line[2])
            assert state.winner == 0 and state.is_terminal() and state.legal_actions() == []


@pytest.mark.parametrize(
    ("cells", "fragment"),
    [
        ("X.O.X...", "9 characters"),
        ("X.O.X.....", "9 characters"),
        ("x........", "9 characters"),
        ("X.O.X..1.", "9 characters"),
        ("O........", "X moves first"),
        ("XX.......", "X moves first"),
        ("XXXOOO...", "play stops at the first win"),
        ("XXXOO.O..", "play stops at the first win"),  # X won, then O moved
        ("OOOXX.XX.", "play stops at the first win"),  # O won, then X moved
    ],
)
def test_from_cells_rejects_bad_positions(cells: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)) as error:
        TicTacToe.from_cells(cells)
    assert repr(cells) in str(error.value)


@pytest.mark.parametrize("cells", [None, 123, list("X........"), b"X........"])
def test_from_cells_rejects_non_strings(cells: object) -> None:
    with pytest.raises(TypeError, match="cells must be a string"):
        TicTacToe.from_cells(cells)  # type: ignore[arg-type]


# --- Connect Four -------------------------------------------------------------------


@st.composite
def connect_games(draw: st.DrawFn) -> tuple[int, int, int, list[int]]:
    """A board from 4x4 to 7x6, k in 3..5 where it fits, and random move choices."""
    rows = draw(st.integers(4, 6))
    cols = draw(st.integers(4, 7))
    k = draw(st.integers(3, min(5, max(rows, cols))))
    choices = draw(st.lists(st.integers(0, 6), max_size=rows * cols))
    return rows, cols, k, choices


@settings(max_examples=150, deadline=None)
@given(connect_games())
def test_connect_four_matches_a_slow_reference(game: tuple[int, int, int, list[int]]) -> None:
    rows, cols, k, choices = game
    state = ConnectFour(rows=rows, cols=cols, k=k)
    board = np.zeros((rows, cols), dtype=int)
    moves = ""
    for choice in choices:
        if state.is_terminal():
            break
        open_columns = [c for c in range(cols) if board[rows - 1, c] == 0]
        assert state.legal_actions() == open_columns
        col = open_columns[choice % len(open_columns)]
        mover = state.to_play
        row = int(np.argmin(board[:, col] != 0))  # the lowest empty cell
        board[row, col] = mover + 1
        moves += str(col + 1)
        state = state.play(col)
        won = bool(reference_lines(board, mover + 1, k))
        assert state.winner == (mover if won else None)
        assert state.is_terminal() == (won or len(moves) == rows * cols)
        assert np.array_equal(board_array(state), board)
        assert state.moves_played == len(moves) and state.to_play == len(moves) % 2
        assert state.mask.bit_count() == len(moves)
        assert ConnectFour.from_moves(moves, rows=rows, cols=cols, k=k) == state
    if state.is_terminal():
        with pytest.raises(ValueError, match="legal moves are"):
            state.play(0)


# Move strings found by random play, each ending in exactly one kind of line
# (checked below by the reference as well as by the module).
WINS = [
    (6, 7, 4, "vertical", "5354575"),
    (6, 7, 4, "horizontal", "7244635"),
    (6, 7, 4, "rising", "4332243722144"),
    (6, 7, 4, "falling", "4553326243423"),
    (4, 4, 3, "vertical", "41424"),
    (4, 4, 3, "horizontal", "41342"),
    (4, 4, 3, "rising", "334244"),
    (4, 4, 3, "falling", "342322"),
    (4, 4, 4, "vertical", "3231323"),
    (4, 4, 4, "horizontal", "4424321"),
    (4, 4, 4, "rising", "4322414433"),
    (4, 4, 4, "falling", "2324121311"),
    (5, 5, 4, "vertical", "2423242"),
    (5, 5, 4, "horizontal", "2215423"),
    (5, 5, 4, "rising", "25231334444"),
    (5, 5, 4, "falling", "352214243352"),
    (6, 5, 5, "vertical", "313135313"),
    (6, 5, 5, "horizontal", "115531452"),
    (6, 5, 5, "rising", "15532145245334435"),
    (6, 5, 5, "falling", "13511333121224442"),
    (4, 7, 5, "horizontal", "265635421"),
]


@pytest.mark.parametrize(("rows", "cols", "k", "direction", "moves"), WINS)
def test_wins_in_every_direction(rows: int, cols: int, k: int, direction: str, moves: str) -> None:
    state = ConnectFour.from_moves(moves, rows=rows, cols=cols, k=k)
    winner = (len(moves) - 1) % 2
    assert state.winner == winner and state.is_terminal() and state.legal_actions() == []
    assert reference_lines(board_array(state), winner + 1, k) == {direction}
    assert state.geometry.has_line(state.stones(winner))
    assert not state.geometry.has_line(state.stones(1 - winner))
    # One move earlier nobody had won.
    before = ConnectFour.from_moves(moves[:-1], rows=rows, cols=cols, k=k)
    assert before.winner is None and not before.is_terminal()
    # The mirrored game wins in the mirrored direction.
    flipped = {"rising": "falling", "falling": "rising"}.get(direction, direction)
    mirrored = ConnectFour.from_moves(mirror(moves, cols), rows=rows, cols=cols, k=k)
    assert mirrored.winner == winner
    assert reference_lines(board_array(mirrored), winner + 1, k) == {flipped}


DRAWS = [
    (4, 4, 3, "3434424312232111"),
    (4, 4, 4, "2134233322111444"),
    (5, 5, 4, "3113114525245152244343253"),
    (6, 5, 5, "344535152323412553224445321111"),
    (4, 7, 5, "4551611154526237343243277766"),
    (6, 7, 4, "547125662261271266215743771576315353334444"),
]


@pytest.mark.parametrize(("rows", "cols", "k", "moves"), DRAWS)
def test_draws_on_a_full_board(rows: int, cols: int, k: int, moves: str) -> None:
    state = ConnectFour.from_moves(moves, rows=rows, cols=cols, k=k)
    assert len(moves) == rows * cols == state.moves_played
    assert state.mask == state.geometry.board
    assert state.is_terminal() and state.winner is None and state.legal_actions() == []
    assert state.returns() == (0.0, 0.0)
    board = board_array(state)
    assert not reference_lines(board, 1, k) and not reference_lines(board, 2, k)
    with pytest.raises(ValueError, match=r"illegal move 0: column 0 is full; legal moves are \[\]"):
        state.play(0)
    with pytest.raises(ValueError, match="comes after the game has ended"):
        ConnectFour.from_moves(moves + "1", rows=rows, cols=cols, k=k)


@settings(max_examples=100, deadline=None)
@given(connect_games())
def test_from_moves_round_trips(game: tuple[int, int, int, list[int]]) -> None:
    rows, cols, k, choices = game
    state = ConnectFour(rows=rows, cols=cols, k=k)
    moves = ""
    for choice in choices:
        if state.is_terminal():
            break
        col = state.legal_actions()[choice % len(state.legal_actions())]
        state = state.play(col)
        moves += str(col + 1)
    again = ConnectFour.from_moves(moves, rows=rows, cols=cols, k=k)
    assert again == state and hash(again) == hash(state)
    assert (again.current, again.mask, again.winner) == (state.current, state.mask, state.winner)
    assert (again.rows, again.cols, again.k) == (rows, cols, k)
    # The mirrored sequence reaches the mirrored position: same key.
    mirrored = ConnectFour.from_moves(mirror(moves, cols), rows=rows, cols=cols, k=k)
    assert mirrored.key() == state.key()
    assert np.array_equal(board_array(mirrored), board_array(state)[:, ::-1])
    assert (mirrored == state) == np.array_equal(board_array(state), board_array(state)[:, ::-1])


def test_connect_four_key_distinguishes_positions() -> None:
    """On 4x4, every pair of reachable positions has equal keys exactly when one is
    the other or its mirror image (checked through the boards as arrays)."""
    level = {ConnectFour(rows=4, cols=4)}
    seen_keys: dict[int, bytes] = {}
    for _ in range(8):
        for state in level:
            board = board_array(state)
            canonical = min(board.tobytes(), board[:, ::-1].copy().tobytes())
            assert seen_keys.setdefault(state.key(), canonical) == canonical
        level = {s.play(a) for s in level for a in s.legal_actions()}
    assert len(set(seen_keys.values())) == len(seen_keys) > 1000


def test_stones_and_grid_agree_with_the_bitboards() -> None:
    state = ConnectFour.from_moves("44536", rows=6, cols=7)
    first, second = state.stones(0), state.stones(1)
    assert first & second == 0 and first | second == state.mask
    assert state.current == state.stones(state.to_play)
    assert first.bit_count() == 3 and second.bit_count() == 2
    g = state.geometry
    assert first >> (3 * g.height) & 1  # the first move: column 4, bottom row
    assert second >> (3 * g.height + 1) & 1  # the reply on top of it
    assert (g.rows, g.cols, g.k, g.height) == (6, 7, 4, 7)
    assert g.shifts == (1, 7, 6, 8)
    assert g.board.bit_count() == 42 and g.bottom_row.bit_count() == 7
    assert all(state.can_play(c) for c in range(7))
    assert not state.can_play(-1) and not state.can_play(7)
    full = ConnectFour.from_moves("111111", rows=6, cols=7)
    assert not full.can_play(0) and full.legal_actions() == [1, 2, 3, 4, 5, 6]


def testplay_unchecked_agrees_with_play() -> None:
    for seed in range(20):
        states = random_game(ConnectFour, seed)
        for state, child in itertools.pairwise(states):
            (col,) = [c for c in state.legal_actions() if state.play(c) == child]
            assert state.play_unchecked(col) == child


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
def test_has_line_on_single_lines_and_wrap_arounds(k: int) -> None:
    """Every straight line of k cells is found; k cells that wrap from the top
    of one column to the bottom of the next are not a line."""
    rows, cols = 6, 7
    g = ConnectFour(rows=rows, cols=cols, k=k).geometry

    def bit(row: int, col: int) -> int:
        return 1 << (col * g.height + row)

    for d_row, d_col in DIRECTIONS.values():
        for row in range(rows):
            for col in range(cols):
                cells = [(row + i * d_row, col + i * d_col) for i in range(k)]
                if all(0 <= r < rows and 0 <= c < cols for r, c in cells):
                    bits = sum(bit(r, c) for r, c in cells)
                    assert g.has_line(bits)
                    assert not g.has_line(bits ^ bit(*cells[k // 2]))
    wrapped = sum(bit(r, 0) for r in range(rows - k // 2, rows))
    wrapped |= sum(bit(r, 1) for r in range(k - k // 2))
    assert not g.has_line(wrapped)
    assert not g.has_line(0)


# --- bad input everywhere -------------------------------------------------------------


def test_full_column_is_refused_naming_the_move_and_the_legal_ones() -> None:
    state = ConnectFour.from_moves("1111", rows=4, cols=5)
    with pytest.raises(
        ValueError,
        match=re.escape("illegal move 0: column 0 is full; legal moves are [1, 2, 3, 4]"),
    ):
        state.play(0)


def test_taken_cell_is_refused_naming_the_move_and_the_legal_ones() -> None:
    state = TicTacToe.from_cells("X...O....")
    with pytest.raises(
        ValueError,
        match=re.escape("illegal move 4: cell 4 is taken; legal moves are [1, 2, 3, 5, 6, 7, 8]"),
    ):
        state.play(4)


@pytest.mark.parametrize(
    ("state", "action", "fragment"),
    [
        (TicTacToe(), 9, "illegal move 9: cells are numbered 0-8"),
        (TicTacToe(), -1, "illegal move -1: cells are numbered 0-8"),
        (ConnectFour(), 7, "illegal move 7: columns are numbered 0-6"),
        (ConnectFour(), -1, "illegal move -1: columns are numbered 0-6"),
        (ConnectFour(rows=4, cols=4), 10**30, "columns are numbered 0-3"),
    ],
)
def test_out_of_range_actions(state: GameState, action: int, fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)) as error:
        state.play(action)
    assert f"legal moves are {state.legal_actions()}" in str(error.value)


@pytest.mark.parametrize("state", [TicTacToe(), ConnectFour()], ids=["tictactoe", "connect4"])
@pytest.mark.parametrize("action", [True, False, 1.0, 2.5, "3", None, [1], np.float64(1.0)])
def test_non_integer_actions_are_type_errors(state: GameState, action: object) -> None:
    with pytest.raises(TypeError, match="action must be an int") as error:
        state.play(action)  # type: ignore[arg-type]
    assert repr(action) in str(error.value)
    assert f"legal moves are {state.legal_actions()}" in str(error.value)


@pytest.mark.parametrize("state", [TicTacToe(), ConnectFour()], ids=["tictactoe", "connect4"])
def test_numpy_integers_are_accepted(state: GameState) -> None:
    assert state.play(np.int64(2)) == state.play(2)
    assert type(state.play(np.int8(1)).legal_actions()[0]) is int


def test_moves_after_the_game_has_ended() -> None:
    won = TicTacToe.from_cells("XXXOO....")
    with pytest.raises(ValueError, match=r"illegal move 5: the game is over \(X has won\)"):
        won.play(5)
    drawn = TicTacToe.from_cells("XOXXOOOXX")
    with pytest.raises(ValueError, match=r"legal moves are \[\]"):
        drawn.play(0)
    c4 = ConnectFour.from_moves("1212121")
    with pytest.raises(
        ValueError,
        match=re.escape("illegal move 3: the game is over (player 0 has won); legal moves are []"),
    ):
        c4.play(3)


@pytest.mark.parametrize(
    ("moves", "kwargs", "fragment"),
    [
        ("4453x", {}, "'x' at position 5 is not a column digit 1-7"),
        ("0", {}, "'0' at position 1 is not a column digit 1-7"),
        ("44 53", {}, "' ' at position 3 is not a column digit 1-7"),
        ("448", {}, "'8' at position 3 is not a column digit 1-7"),
        ("12345", {"cols": 4, "rows": 4}, "'5' at position 5 is not a column digit 1-4"),
        ("1111111", {}, "move 7 plays column 1, which is full; open columns are 2, 3, 4, 5, 6, 7"),
        ("12121212", {}, "move 8 comes after the game has ended"),
        ("2134233322111444" + "1", {"rows": 4, "cols": 4}, "move 17 comes after the game"),
    ],
)
def test_bad_move_strings(moves: str, kwargs: dict[str, int], fragment: str) -> None:
    with pytest.raises(ValueError, match=re.escape(fragment)) as error:
        ConnectFour.from_moves(moves, **kwargs)
    assert repr(moves) in str(error.value)


def test_move_strings_need_a_string_and_at_most_nine_columns() -> None:
    with pytest.raises(TypeError, match="moves must be a string"):
        ConnectFour.from_moves(4453)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="moves must be a string"):
        ConnectFour.from_moves([4, 4, 5, 3])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at most 9 columns, got 10"):
        ConnectFour.from_moves("1", cols=10)
    assert ConnectFour.from_moves("") == ConnectFour()


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"rows": 3, "cols": 3, "k": 4}, ValueError, "3 columns x 3 rows is too small for k=4"),
        ({"rows": 2, "cols": 3, "k": 5}, ValueError, "too small for k=5"),
        ({"rows": 0}, ValueError, "rows must be >= 1, got 0"),
        ({"cols": -2}, ValueError, "cols must be >= 1, got -2"),
        ({"k": 1}, ValueError, "k must be >= 2, got 1"),
        ({"rows": 6.0}, TypeError, "rows must be an integer, got 6.0"),
        ({"cols": "7"}, TypeError, "cols must be an integer, got '7'"),
        ({"k": True}, TypeError, "k must be an integer, got True"),
        ({"rows": None}, TypeError, "rows must be an integer, got None"),
    ],
)
def test_bad_board_sizes(kwargs: dict[str, object], error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        ConnectFour(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(error, match=re.escape(fragment)):
        ConnectFour.from_moves("", **kwargs)  # type: ignore[arg-type]


def test_board_sizes_accept_numpy_integers_and_tall_or_wide_boards() -> None:
    state = ConnectFour(rows=np.int64(5), cols=np.int32(4), k=np.int16(4))
    assert (state.rows, state.cols, state.k) == (5, 4, 4)
    assert state == ConnectFour(rows=5, cols=4, k=4)
    # k may exceed one side if the other fits it.
    assert ConnectFour(rows=1, cols=4, k=4).legal_actions() == [0, 1, 2, 3]
    assert ConnectFour.from_moves("1234", rows=1, cols=4, k=4).is_terminal()
    assert ConnectFour.from_moves("1234", rows=1, cols=4, k=4).winner is None
    assert ConnectFour.from_moves("132", rows=1, cols=7, k=2).winner == 0
    assert ConnectFour.from_moves("1111", rows=4, cols=1, k=3).winner is None
    assert ConnectFour.from_moves("1111", rows=4, cols=1, k=2).winner is None


def test_the_protocol_declares_no_chance_by_default() -> None:
    from daopt.games import CHANCE, check_state
    from daopt.noisy_tictactoe import NoisyTicTacToe

    checked = 0
    for state in (TicTacToe(), ConnectFour(), TicTacToe.from_cells("XX.OO....")):
        assert not state.is_chance() and state.chance_outcomes() == []
        assert state.mover == state.to_play and not state.has_chance_nodes
        assert check_state(state, chance=False) is state
        checked += 1
    assert checked == 3
    noisy = NoisyTicTacToe(0.2)
    move = noisy.play(4)
    assert move.is_chance() and move.to_play == CHANCE and move.mover == 0
    assert abs(sum(p for _, p in move.chance_outcomes()) - 1) < 1e-12
    with pytest.raises(ValueError, match="chance nodes"):
        check_state(noisy, chance=False)
    with pytest.raises(TypeError, match="GameState"):
        check_state("X........")


def test_can_play_and_stones_refuse_what_is_not_a_column_or_a_player() -> None:
    state = ConnectFour.from_moves("44")
    with pytest.raises(TypeError, match="col must be an int"):
        state.can_play(True)
    with pytest.raises(TypeError, match="col must be an int"):
        state.can_play(1.5)
    with pytest.raises(ValueError, match="player must be 0 or 1"):
        state.stones(2)
    assert state.can_play(3) and state.stones(0) | state.stones(1) == state.mask
