"""How fast ``daopt.search`` solves games, against OpenSpiel's Python alpha-beta
(``open_spiel.python.algorithms.minimax.alpha_beta_search``) in the same run.

Run from the repository root with the environment that has open-spiel
(bench/requirements.txt):

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/solve_speed.py [--long]

It prints measured times, node rates and ratios; it asserts nothing.
``--long`` adds OpenSpiel on 5x4 Connect Four (about a minute) and daopt on
5x5 and on a harder 7x6 middle game. Board sizes are columns x rows.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pyspiel
from open_spiel.python.algorithms.minimax import alpha_beta_search

from daopt import search
from daopt.games import ConnectFour, TicTacToe


def timed(run: Callable[..., object], *args: object) -> tuple[float, object]:
    """(seconds, result) of ``run(*args)``."""
    start = time.perf_counter()
    result = run(*args)
    return time.perf_counter() - start, result


def openspiel_connect_four(cols: int, rows: int, moves: list[int]) -> pyspiel.State:
    game = pyspiel.load_game("connect_four", {"rows": rows, "columns": cols})
    state = game.new_initial_state()
    for move in moves:
        state.apply_action(move)
    return state


def openspiel_value(state: pyspiel.State) -> int:
    value, _ = alpha_beta_search(state.get_game(), state=state.clone(), maximum_depth=100)
    return int(value)


def tic_tac_toe(repeats: int) -> None:
    game = pyspiel.load_game("tic_tac_toe")
    peer, mine, exact, ordered = [], [], [], []
    for _ in range(repeats):
        seconds, peer_value = timed(lambda: alpha_beta_search(game)[0])
        peer.append(seconds)
        search.clear_tables()  # cold: nothing remembered from the last repeat
        seconds, value = timed(lambda: search.solve(TicTacToe()))
        mine.append(seconds)
        search.clear_tables()
        seconds, score = timed(lambda: search.solve_exact(TicTacToe()))
        exact.append(seconds)
        seconds, result = timed(lambda: search.alphabeta(TicTacToe(), table=True, ordering=True))
        ordered.append(seconds)
    print(f"== Tic-tac-toe from the empty board, median of {repeats} cold runs")
    print(f"  OpenSpiel alpha_beta_search      {1e3 * statistics.median(peer):8.2f} ms"
          f"   value {peer_value:+.0f}")  # fmt: skip
    print(f"  daopt solve                      {1e3 * statistics.median(mine):8.2f} ms"
          f"   value {value:+d}   ratio (OpenSpiel / daopt) "
          f"{statistics.median(peer) / statistics.median(mine):.1f}x")  # fmt: skip
    ratio = statistics.median(peer) / statistics.median(exact)
    print(f"  daopt solve_exact (every state)  {1e3 * statistics.median(exact):8.2f} ms"
          f"   score {score:+d}   ratio {ratio:.1f}x")  # fmt: skip
    rate = result.nodes / statistics.median(ordered)
    print(f"  daopt alphabeta(table, ordering) {1e3 * statistics.median(ordered):8.2f} ms"
          f"   {result.nodes} nodes, {rate:,.0f} nodes/s (generic GameState API)")  # fmt: skip


def small_boards(long: bool) -> None:
    print("\n== Connect Four from the empty board (cold solver, weak value then exact score)")
    sizes = [(4, 4), (5, 4), (4, 5), (6, 4)] + ([(5, 5)] if long else [])
    for cols, rows in sizes:
        solver = search.ConnectFourSolver(rows=rows, cols=cols)
        seconds, value = timed(solver.value, ConnectFour(rows=rows, cols=cols))
        nodes = solver.nodes
        line = (
            f"  {cols}x{rows}: value {value:+d} in {seconds:7.2f} s, {nodes:>9,} nodes, "
            f"{nodes / seconds:>9,.0f} nodes/s"
        )
        if cols * rows <= 20:
            solver.reset()
            seconds_exact, score = timed(solver.score, ConnectFour(rows=rows, cols=cols))
            line += f"; exact score {score:+d} in {seconds_exact:.2f} s"
        print(line)
        if (cols, rows) == (4, 4) or ((cols, rows) == (5, 4) and long):
            peer_seconds, peer = timed(openspiel_value, openspiel_connect_four(cols, rows, []))
            print(
                f"        OpenSpiel alpha_beta_search: value {peer:+d} in {peer_seconds:.2f} s; "
                f"ratio (OpenSpiel / daopt) {peer_seconds / seconds:,.0f}x"
            )


def random_position(
    rng: np.random.Generator, n_moves: int, *, quiet: bool
) -> tuple[ConnectFour, list[int]]:
    """A 7x6 position after ``n_moves`` random moves; games that end early are skipped.

    ``quiet``: never play a move that wins or that lets the opponent win at once,
    so the position is not decided by a one-move tactic.
    """
    while True:
        state, moves = ConnectFour(), []
        for _ in range(n_moves):
            options = state.legal_actions()
            if quiet:
                options = [
                    a
                    for a in options
                    if not (child := state.play(a)).is_terminal()
                    and all(child.play(b).winner is None for b in child.legal_actions())
                ]
            if not options or state.is_terminal():
                break
            move = int(rng.choice(options))
            state = state.play(move)
            moves.append(move)
        if len(moves) == n_moves and not state.is_terminal():
            return state, moves


# The first 21 lines of Pascal Pons's "Test_L3_R1" set (7x6 end games, easy): the
# moves (1-based columns) and the exact score for the player to move.
PONS_END_EASY = """
2252576253462244111563365343671351441 -1  7422341735647741166133573473242566 1
23163416124767223154467471272416755633 0  71255763773133525731261364622167124446454 0
65214673556155731566316327373221417 -1  52677675164321472411331752454 0
3135151421347443544172316522225776773566 0  562154564361751726662253737734213275114 0
233377345754465174223731671122611552 1  6763525635134453444361412671365712 -1
211376455663355325112113664364524722 0  3146762114467714356347741621375222 -1
67152117737262713366376314254 6  2762751722231276466633475674533 5
3642756176227637211322113551637574556 2  22647455554314246733661634615122372377511 0
427566236745127177115664464254 2  7172212567451542223676134464437761515 0
641154574541323641152467137655232232366 0  5775265212657176476365522624313714333 2
3575316255751336464276636772271112 -3
""".split()


def pons_end_games() -> None:
    mine, peer, nodes, right, agree = [], [], [], 0, 0
    pairs = list(zip(PONS_END_EASY[::2], map(int, PONS_END_EASY[1::2]), strict=True))
    for moves, known in pairs:
        state = ConnectFour.from_moves(moves)
        solver = search.ConnectFourSolver()
        seconds, score = timed(solver.score, state)
        mine.append(seconds)
        nodes.append(solver.nodes)
        right += score == known
        columns = [int(c) - 1 for c in moves]
        peer_seconds, peer_value = timed(openspiel_value, openspiel_connect_four(7, 6, columns))
        peer.append(peer_seconds)
        agree += peer_value == (known > 0) - (known < 0)
    print(f"\n== 7x6 end games: the first {len(pairs)} positions of Pons's Test_L3_R1")
    print(
        f"  daopt exact score (cold): median {1e3 * statistics.median(mine):7.2f} ms, "
        f"max {1e3 * max(mine):7.2f} ms; {right}/{len(pairs)} equal the known score; "
        f"median {statistics.median(nodes):,.0f} nodes, max {max(nodes):,}"
    )
    print(
        f"  OpenSpiel alpha-beta:     median {1e3 * statistics.median(peer):7.2f} ms, "
        f"max {1e3 * max(peer):7.2f} ms; {agree}/{len(pairs)} right win/draw/loss; "
        f"ratio of medians (OpenSpiel / daopt) {statistics.median(peer) / statistics.median(mine):,.1f}x"  # noqa: E501
    )


def end_games(n_positions: int) -> None:
    for quiet in (False, True):
        rng = np.random.default_rng(2024)
        kind = "quiet random play" if quiet else "random play"
        mine, peer, nodes, agree = [], [], [], 0
        for _ in range(n_positions):
            state, moves = random_position(rng, int(rng.integers(30, 41)), quiet=quiet)
            solver = search.ConnectFourSolver()
            seconds, value = timed(solver.value, state)
            mine.append(seconds)
            nodes.append(solver.nodes)
            peer_seconds, peer_value = timed(openspiel_value, openspiel_connect_four(7, 6, moves))
            peer.append(peer_seconds)
            agree += peer_value == value
        exact_times = []
        rng = np.random.default_rng(2024)
        for _ in range(n_positions):
            state, _ = random_position(rng, int(rng.integers(30, 41)), quiet=quiet)
            solver = search.ConnectFourSolver()
            exact_times.append(timed(solver.score, state)[0])
        print(f"\n== 7x6 end games, 30-40 stones, {n_positions} positions from {kind}")
        print(
            f"  daopt solve (cold):   median {1e3 * statistics.median(mine):8.2f} ms, "
            f"max {1e3 * max(mine):8.2f} ms; median {statistics.median(nodes):,.0f} nodes, "
            f"max {max(nodes):,}; {sum(nodes) / sum(mine):,.0f} nodes/s"
        )
        print(
            f"  daopt exact score:    median {1e3 * statistics.median(exact_times):8.2f} ms, "
            f"max {1e3 * max(exact_times):8.2f} ms"
        )
        print(
            f"  OpenSpiel alpha-beta: median {1e3 * statistics.median(peer):8.2f} ms, "
            f"max {1e3 * max(peer):8.2f} ms; same value on {agree}/{n_positions}; "
            f"ratio of medians (OpenSpiel / daopt) {statistics.median(peer) / statistics.median(mine):,.1f}x"  # noqa: E501
        )


def middle_games(long: bool) -> None:
    print("\n== 7x6 middle games from quiet random play (no peer: too slow for OpenSpiel)")
    rng = np.random.default_rng(7)
    for n_stones in [20, 20, 20, 20, 20] + ([16, 14] if long else []):
        state, moves = random_position(rng, n_stones, quiet=True)
        solver = search.ConnectFourSolver()
        seconds, score = timed(solver.score, state)
        print(
            f"  {n_stones} stones ({''.join(str(m + 1) for m in moves)}): exact score "
            f"{score:+d} in {seconds:6.2f} s, {solver.nodes:>9,} nodes, "
            f"{solver.nodes / max(seconds, 1e-9):>9,.0f} nodes/s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--long", action="store_true", help="add the slower measurements")
    parser.add_argument("--repeats", type=int, default=7, help="tic-tac-toe repeats")
    parser.add_argument("--positions", type=int, default=20, help="7x6 end-game positions")
    args = parser.parse_args()
    tic_tac_toe(args.repeats)
    small_boards(args.long)
    pons_end_games()
    end_games(args.positions)
    middle_games(args.long)


if __name__ == "__main__":
    main()
