"""daopt.search: every solver agrees with plain minimax, on every tic-tac-toe
state and on random small Connect Four positions; known results hold; the
pruning variants search fewer nodes; bad input is refused."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt import search
from daopt.games import ConnectFour, GameState, TicTacToe

# --- references, written here independently of daopt.search ---------------------


def reachable_states() -> list[TicTacToe]:
    """Every tic-tac-toe state reachable from the empty board."""
    seen = {TicTacToe()}
    frontier = [TicTacToe()]
    while frontier:
        nxt = []
        for state in frontier:
            for action in state.legal_actions():
                child = state.play(action)
                if child not in seen:
                    seen.add(child)
                    nxt.append(child)
        frontier = nxt
    return sorted(seen, key=lambda s: s.cells())


ALL_TTT = reachable_states()


def brute_exact(state: GameState, cells: int) -> int:
    """Exact score by plain minimax straight from the definition (no pruning, no memo)."""
    if state.winner is not None:
        stones_before_win = _stones(state) - 1
        return -((cells + 1 - stones_before_win) // 2)
    if state.is_terminal():
        return 0
    return max(-brute_exact(state.play(a), cells) for a in state.legal_actions())


def _stones(state: GameState) -> int:
    if isinstance(state, TicTacToe):
        return 9 - state.cells().count(".")
    return state.moves_played


@cache
def ttt_reference(state: TicTacToe) -> int:
    """Exact score of a tic-tac-toe state: the brute-force recursion, memoised on the state
    (memoising changes how often a value is computed, not the value)."""
    if state.winner is not None:
        return -((10 - (_stones(state) - 1)) // 2)
    if state.is_terminal():
        return 0
    return max(-ttt_reference(state.play(a)) for a in state.legal_actions())


def sign(x: int) -> int:
    return (x > 0) - (x < 0)


def position(rows: int, cols: int, k: int, choices: list[int]) -> ConnectFour:
    """Play ``choices`` (each picks among the legal columns, modulo their number),
    stopping before the game ends, so the result is never terminal."""
    state = ConnectFour(rows, cols, k)
    for choice in choices:
        legal = state.legal_actions()
        child = state.play(legal[choice % len(legal)])
        if child.is_terminal():
            break
        state = child
    return state


# --- tic-tac-toe, every state ------------------------------------------------------


def test_there_are_5478_tic_tac_toe_states() -> None:
    assert len(ALL_TTT) == 5478


def test_solve_matches_minimax_on_every_tic_tac_toe_state() -> None:
    search.clear_tables()
    for state in ALL_TTT:
        exact = ttt_reference(state)
        assert search.solve_exact(state) == exact, state
        assert search.solve(state) == sign(exact), state


def test_daopt_minimax_on_every_tic_tac_toe_state_with_four_or_more_stones() -> None:
    # Shallower states repeat most of the root's 549,946-node search, which runs
    # once, in test_node_counts_decrease.
    for state in ALL_TTT:
        if _stones(state) >= 4:
            exact = ttt_reference(state)
            assert search.minimax(state).value == sign(exact), state
            if _stones(state) >= 5:
                assert search.minimax(state, exact=True).value == exact, state


@pytest.mark.parametrize(
    ("table", "ordering"), [(False, False), (True, False), (True, "centre"), (True, True)]
)
def test_alphabeta_matches_minimax_on_every_tic_tac_toe_state(table: bool, ordering) -> None:
    for state in ALL_TTT:
        if not table and _stones(state) < 2:
            continue  # covered from the root in test_node_counts_decrease
        exact = ttt_reference(state)
        assert search.alphabeta(state, table=table, ordering=ordering).value == sign(exact)
        if table:
            got = search.alphabeta(state, table=True, ordering=ordering, exact=True).value
            assert got == exact, state


def test_action_values_and_optimal_actions_on_every_tic_tac_toe_state() -> None:
    for state in ALL_TTT:
        values = search.action_values(state)
        exact_values = search.action_values(state, exact=True)
        assert sorted(values) == sorted(exact_values) == state.legal_actions()
        best = search.optimal_actions(state)
        fastest = search.optimal_actions(state, exact=True)
        if state.is_terminal():
            assert best == fastest == []
            continue
        assert best and fastest and set(fastest) <= set(best), state
        for a in state.legal_actions():
            child = ttt_reference(state.play(a))
            assert exact_values[a] == -child and values[a] == -sign(child)
            assert (a in best) == (-sign(child) == search.solve(state))
            assert (a in fastest) == (-child == search.solve_exact(state))


def test_tic_tac_toe_is_a_draw() -> None:
    assert search.solve(TicTacToe()) == 0
    assert search.solve_exact(TicTacToe()) == 0
    assert search.optimal_actions(TicTacToe()) == list(range(9))


def test_fastest_win_is_preferred() -> None:
    # X can win at once (cell 2) or set up a slower win; only the immediate win is
    # exact-optimal, and it scores X's unplayed stones (5 - 3 = 2) plus one.
    state = TicTacToe.from_cells("XX.OO....")
    assert search.solve_exact(state) == 3
    assert search.optimal_actions(state, exact=True) == [2]
    assert search.action_values(state, exact=True)[2] == 3


def test_node_counts_decrease() -> None:
    root = TicTacToe()
    full = search.minimax(root)
    # The full tic-tac-toe game tree, root and 255,168 finished games included.
    assert full == search.SearchResult(0, 549_946)
    counts = [
        full.nodes,
        search.alphabeta(root).nodes,
        search.alphabeta(root, table=True).nodes,
        search.alphabeta(root, table=True, ordering=True).nodes,
    ]
    assert counts == sorted(counts, reverse=True) and len(set(counts)) == 4, counts


def test_terminal_value_and_bounds() -> None:
    won = TicTacToe.from_cells("XXXOO....")
    assert search.terminal_value(won) == -1
    assert search.terminal_value(won, exact=True) == -3  # X won with 2 stones unplayed
    assert search.terminal_value(TicTacToe.from_cells("XOXXOOOXX")) == 0
    assert search.score_bounds(TicTacToe()) == (-1, 1)
    assert search.score_bounds(TicTacToe(), exact=True) == (-5, 5)
    assert search.score_bounds(ConnectFour(), exact=True) == (-21, 21)


# --- Connect Four ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cols", "rows", "value"),
    [(4, 4, 0), (5, 4, 0), (4, 5, 0), (6, 4, -1)],
)
def test_known_connect_four_results(cols: int, rows: int, value: int) -> None:
    state = ConnectFour(rows=rows, cols=cols)
    assert search.solve(state) == value
    if cols * rows <= 20:
        # Solved again from cold, and the exact score has the same sign.
        solver = search.ConnectFourSolver(rows=rows, cols=cols)
        assert solver.value(state) == value and solver.nodes > 0
        assert sign(solver.score(state)) == value


# The first 21 lines of Pascal Pons's "Test_L3_R1" benchmark set: 7x6 end games,
# 1-based move digits and the exact score for the player to move.
PONS_END_EASY = [
    ("2252576253462244111563365343671351441", -1),
    ("7422341735647741166133573473242566", 1),
    ("23163416124767223154467471272416755633", 0),
    ("71255763773133525731261364622167124446454", 0),
    ("65214673556155731566316327373221417", -1),
    ("52677675164321472411331752454", 0),
    ("3135151421347443544172316522225776773566", 0),
    ("562154564361751726662253737734213275114", 0),
    ("233377345754465174223731671122611552", 1),
    ("6763525635134453444361412671365712", -1),
    ("211376455663355325112113664364524722", 0),
    ("3146762114467714356347741621375222", -1),
    ("67152117737262713366376314254", 6),
    ("2762751722231276466633475674533", 5),
    ("3642756176227637211322113551637574556", 2),
    ("22647455554314246733661634615122372377511", 0),
    ("427566236745127177115664464254", 2),
    ("7172212567451542223676134464437761515", 0),
    ("641154574541323641152467137655232232366", 0),
    ("5775265212657176476365522624313714333", 2),
    ("3575316255751336464276636772271112", -3),
]


@pytest.mark.parametrize(("moves", "score"), PONS_END_EASY)
def test_known_7x6_end_game_scores(moves: str, score: int) -> None:
    state = ConnectFour.from_moves(moves)
    assert search.solve_exact(state) == score
    assert search.solve(state) == sign(score)


def test_7x6_middle_game_is_consistent_with_its_children() -> None:
    # 20 stones in: the score is the best of the children's negated scores, and the
    # exact-optimal moves are exactly those children.
    state = ConnectFour.from_moves("45753555121534221133")
    score = search.solve_exact(state)
    values = search.action_values(state, exact=True)
    assert score == max(values.values())
    assert search.optimal_actions(state, exact=True) == [a for a, v in values.items() if v == score]
    assert search.solve(state) == sign(score)


@settings(max_examples=40, deadline=None)
@given(
    size=st.sampled_from([(4, 4), (5, 4)]),
    choices=st.lists(st.integers(0, 6), min_size=4, max_size=20),
)
def test_solve_matches_plain_alphabeta_on_connect_four(size, choices) -> None:
    cols, rows = size
    state = position(rows, cols, 4, choices)
    if state.moves_played < (4 if cols == 4 else 8):
        return  # plain alpha-beta from nearer the start is too slow for a property test
    plain = search.alphabeta(state).value
    assert search.solve(state) == plain
    assert search.ConnectFourSolver(rows=rows, cols=cols).value(state) == plain
    values = search.action_values(state)
    assert search.optimal_actions(state) == [a for a, v in values.items() if v == plain]


@settings(max_examples=40, deadline=None)
@given(
    size=st.sampled_from([(4, 4), (5, 4), (4, 5)]),
    choices=st.lists(st.integers(0, 6), min_size=9, max_size=20),
)
def test_exact_scores_match_brute_force_minimax(size, choices) -> None:
    cols, rows = size
    state = position(rows, cols, 4, choices)
    if rows * cols - state.moves_played > 8:
        return
    exact = brute_exact(state, rows * cols)
    assert search.minimax(state, exact=True).value == exact
    assert search.solve_exact(state) == exact
    assert search.alphabeta(state, table=True, ordering=True, exact=True).value == exact
    assert search.ConnectFourSolver(rows=rows, cols=cols).score(state) == exact


@settings(max_examples=30, deadline=None)
@given(
    board=st.sampled_from([(3, 3, 3), (4, 3, 3), (3, 4, 3), (4, 4, 3), (5, 3, 5), (4, 4, 2)]),
    choices=st.lists(st.integers(0, 4), max_size=12),
)
def test_other_line_lengths_match_plain_alphabeta(board, choices) -> None:
    cols, rows, k = board
    state = position(rows, cols, k, choices)
    if rows * cols - state.moves_played > 11:
        return
    solver = search.ConnectFourSolver(rows=rows, cols=cols, k=k)
    assert solver.score(state) == search.alphabeta(state, exact=True).value
    assert solver.value(state) == search.alphabeta(state).value


def test_exact_and_plain_orderings_agree_from_a_middle_game_position() -> None:
    # 6x4 a few moves in: every ordering and the bitboard solver agree.
    state = ConnectFour.from_moves("344352", rows=4, cols=6)
    value = search.solve(state)
    assert search.alphabeta(state, table=True, ordering="centre").value == value
    assert search.alphabeta(state, table=True, ordering=True).value == value
    solver = search.ConnectFourSolver(rows=4, cols=6)
    assert sign(solver.score(state)) == value


def test_a_tiny_table_gives_the_same_answers() -> None:
    small = search.ConnectFourSolver(rows=4, cols=4, max_entries=8)
    assert small.value(ConnectFour(rows=4, cols=4)) == 0
    assert len(small.table) <= 8
    small.reset()
    assert small.nodes == 0 and not small.table


def test_won_and_full_positions() -> None:
    won = ConnectFour.from_moves("1212121", rows=4, cols=4)
    assert won.winner == 0
    assert search.solve(won) == -1
    assert search.solve_exact(won) == -((16 + 1 - 6) // 2)
    assert search.optimal_actions(won) == []
    # A win in one: the solver answers without searching.
    one_move = ConnectFour.from_moves("121212", rows=4, cols=4)
    solver = search.ConnectFourSolver(rows=4, cols=4)
    assert solver.score(one_move) == (16 + 1 - 6) // 2 and solver.nodes == 0
    assert search.optimal_actions(one_move, exact=True) == [0]


def test_order_actions() -> None:
    assert search.order_actions(TicTacToe(), "none") == list(range(9))
    assert search.order_actions(TicTacToe(), "centre")[0] == 4
    # O must block X's row at cell 2 (no win of its own is available).
    assert search.order_actions(TicTacToe.from_cells("XX..O...."), True)[0] == 2
    assert search.order_actions(ConnectFour(), "centre") == [3, 2, 4, 1, 5, 0, 6]
    threat = ConnectFour.from_moves("445566")  # X threatens both ends of 4-5-6
    assert search.order_actions(threat, True)[0] in (2, 6)
    assert sorted(search.order_actions(threat, True)) == threat.legal_actions()


# --- any other game ----------------------------------------------------------------


class Nim(GameState):
    """Take 1 or 2 from a pile; taking the last one wins. A loss iff pile % 3 == 0."""

    num_actions = 2

    def __init__(self, pile: int, player: int = 0, winner: int | None = None) -> None:
        self.pile, self.player, self._winner = pile, player, winner

    @property
    def to_play(self) -> int:
        return self.player

    @property
    def winner(self) -> int | None:
        return self._winner

    def legal_actions(self) -> list[int]:
        return [a for a in (1, 2) if a <= self.pile]

    def play(self, action: int) -> Nim:
        action = self._check_action(action)
        pile = self.pile - action
        return Nim(pile, 1 - self.player, self.player if pile == 0 else None)

    def is_terminal(self) -> bool:
        return self.pile == 0

    def key(self) -> int:
        return self.pile * 2 + self.player

    def why_illegal(self, action: int) -> str:
        return "take 1 or 2"


@pytest.mark.parametrize("pile", range(1, 13))
def test_any_game_state_can_be_solved(pile: int) -> None:
    expected = -1 if pile % 3 == 0 else 1
    assert search.solve(Nim(pile)) == expected
    assert search.minimax(Nim(pile)).value == expected
    assert search.alphabeta(Nim(pile), table=True, ordering=True).value == expected
    assert search.optimal_actions(Nim(pile)) == ([1, 2] if expected < 0 else [pile % 3])


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        search.minimax,
        search.alphabeta,
        search.solve,
        search.solve_exact,
        search.action_values,
        search.optimal_actions,
        search.order_actions,
        search.terminal_value,
        search.score_bounds,
    ],
)
@pytest.mark.parametrize("bad", ["X.O......", None, 3, [0, 1]])
def test_non_states_are_refused(call, bad) -> None:
    with pytest.raises(TypeError, match="GameState"):
        call(bad)


def test_bad_options_are_refused() -> None:
    with pytest.raises(TypeError, match="table must be True or False"):
        search.alphabeta(TicTacToe(), table="yes")
    with pytest.raises(TypeError, match="exact must be True or False"):
        search.minimax(TicTacToe(), exact=1)
    with pytest.raises(TypeError, match="exact must be True or False"):
        search.optimal_actions(TicTacToe(), exact=None)
    with pytest.raises(ValueError, match="ordering must be"):
        search.alphabeta(TicTacToe(), ordering="random")
    with pytest.raises(ValueError, match="ordering must be"):
        search.order_actions(TicTacToe(), 1)
    with pytest.raises(ValueError, match="not over"):
        search.terminal_value(TicTacToe())
    with pytest.raises(TypeError, match="exact scores"):
        search.solve_exact(Nim(4))
    with pytest.raises(TypeError, match="exact scores"):
        search.minimax(Nim(4), exact=True)


def test_connect_four_solver_refuses_other_states() -> None:
    solver = search.ConnectFourSolver(rows=4, cols=4)
    with pytest.raises(TypeError, match="ConnectFour state"):
        solver.value(TicTacToe())
    with pytest.raises(ValueError, match="4x4 boards with k=4"):
        solver.score(ConnectFour(rows=4, cols=5))
    with pytest.raises(ValueError, match="max_entries"):
        search.ConnectFourSolver(max_entries=0)
    with pytest.raises(ValueError, match="too small"):
        search.ConnectFourSolver(rows=2, cols=3, k=4)


def test_the_public_solver_helpers_refuse_other_input() -> None:
    with pytest.raises(TypeError, match="ConnectFour state"):
        search.connect_four_solver(TicTacToe())
    with pytest.raises(TypeError, match="geometry"):
        search.winning_cells_function(ConnectFour())
    state = ConnectFour.from_moves("112233", rows=5, cols=5)
    wins = search.winning_cells_function(state.geometry)(state.current, state.mask)
    assert wins  # column 4 completes the bottom row for the player to move
    assert search.connect_four_solver(state) is search.connect_four_solver(ConnectFour(5, 5))
