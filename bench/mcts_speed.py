"""Simulations per second of ``daopt.mcts.MCTS`` (UCT, one random rollout per
simulation) against OpenSpiel's MCTS bots in the same run, with the same number
of simulations from the same positions:

- ``open_spiel.python.algorithms.mcts.MCTSBot`` with ``RandomRolloutEvaluator(n_rollouts=1)``,
  the Python peer (its game logic is OpenSpiel's C++, called from Python);
- ``pyspiel.MCTSBot`` with ``pyspiel.RandomRolloutEvaluator(1, seed)``, all C++.

Both bots run plain UCT (``solve=False``, as daopt) with the same exploration
constant. Run from the repository root with the environment that has
open-spiel (bench/requirements.txt):

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/mcts_speed.py [--repeats 5]

Goal (DESIGN.md): daopt at least 1.5x the Python MCTSBot's simulations per
second on tic-tac-toe and 7x6 Connect Four. It prints medians and ratios; it
asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import pyspiel
from open_spiel.python.algorithms import mcts as openspiel_mcts

from daopt.games import ConnectFour, GameState, TicTacToe
from daopt.mcts import MCTS

C_UCT = 2.0  # OpenSpiel's examples use 2 for returns in [-1, 1]; the same for every bot


def positions(name: str) -> list[tuple[str, list[int]]]:
    """(label, moves) of the start and three middle-game positions; actions are
    the same integers in daopt and OpenSpiel (cells row by row; 0-based columns)."""
    if name == "tic_tac_toe":
        return [("empty board", []), ("2 moves", [4, 0]), ("3 moves", [4, 0, 8]),
                ("4 moves", [0, 4, 8, 2])]  # fmt: skip
    return [
        ("empty board", []),
        ("6 moves", [3, 3, 2, 4, 3, 2]),
        ("12 moves", [3, 3, 2, 4, 3, 2, 4, 4, 1, 5, 2, 0]),
        ("20 moves", [3, 3, 2, 4, 3, 2, 4, 4, 1, 5, 2, 0, 6, 6, 5, 5, 0, 1, 3, 6]),
    ]


def daopt_state(name: str, moves: list[int]) -> GameState:
    state: GameState = TicTacToe() if name == "tic_tac_toe" else ConnectFour()
    for move in moves:
        state = state.play(move)
    assert not state.is_terminal(), moves
    return state


def openspiel_state(game: pyspiel.Game, moves: list[int]) -> pyspiel.State:
    state = game.new_initial_state()
    for move in moves:
        state.apply_action(move)
    assert not state.is_terminal(), moves
    return state


def seconds_for(run: Callable[[object], object], state: object) -> float:
    """Wall time of ``run(state)``."""
    start = time.perf_counter()
    run(state)
    return time.perf_counter() - start


def measure(name: str, simulations: int, repeats: int) -> list[float]:
    """Print one table for game ``name``; return the daopt / Python-bot ratios."""
    game = pyspiel.load_game(name)
    print(f"\n== {name}: {simulations} simulations per search, median of {repeats} searches")
    print(f"  {'position':<12} {'daopt':>10} {'OS Python':>10} {'OS C++':>10}"
          f"   {'daopt/OS-Py':>11} {'daopt/OS-C++':>12}   (simulations per second)")  # fmt: skip
    ratios = []
    for label, moves in positions(name):
        ours, python_bot, cpp_bot = [], [], []
        for repeat in range(repeats):
            state = daopt_state(name, moves)
            agent = MCTS(simulations, np.random.default_rng(repeat), c_uct=C_UCT)
            ours.append(seconds_for(agent.search, state))

            os_state = openspiel_state(game, moves)
            random_state = np.random.RandomState(repeat)
            evaluator = openspiel_mcts.RandomRolloutEvaluator(
                n_rollouts=1, random_state=random_state
            )
            bot = openspiel_mcts.MCTSBot(
                game, C_UCT, simulations, evaluator, solve=False, random_state=random_state
            )
            python_bot.append(seconds_for(bot.step, os_state))

            cpp_evaluator = pyspiel.RandomRolloutEvaluator(1, repeat)
            # (game, evaluator, uct_c, max_simulations, max_memory_mb, solve, seed, verbose)
            cpp = pyspiel.MCTSBot(
                game, cpp_evaluator, C_UCT, simulations, 1000, False, repeat, False
            )
            cpp_bot.append(seconds_for(cpp.step, os_state))
        rate = {k: simulations / statistics.median(v)
                for k, v in (("ours", ours), ("py", python_bot), ("cpp", cpp_bot))}  # fmt: skip
        ratios.append(rate["ours"] / rate["py"])
        ours_py, ours_cpp = rate["ours"] / rate["py"], rate["ours"] / rate["cpp"]
        print(f"  {label:<12} {rate['ours']:>10,.0f} {rate['py']:>10,.0f} {rate['cpp']:>10,.0f}"
              f"   {ours_py:>10.1f}x {ours_cpp:>11.3f}x")  # fmt: skip
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, open_spiel {pyspiel.__version__}, "
          f"UCT constant {C_UCT}, plain UCT (no solver) in every bot")  # fmt: skip
    summary = {}
    for name, simulations in (("tic_tac_toe", 2000), ("connect_four", 1000)):
        summary[name] = measure(name, simulations, args.repeats)
    print("\n== daopt / OpenSpiel Python MCTSBot (goal: >= 1.5x)")
    for name, ratios in summary.items():
        geometric = math.exp(statistics.fmean(math.log(r) for r in ratios))
        verdict = "met" if min(ratios) >= 1.5 else "NOT met"
        print(
            f"  {name:<13} lowest {min(ratios):5.1f}x, geometric mean {geometric:5.1f}x: {verdict}"
        )


if __name__ == "__main__":
    main()
