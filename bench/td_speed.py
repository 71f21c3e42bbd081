"""Self-play speed of the TD learners in daopt.td, in games per second.

The peer, in the same run, is the cheapest possible self-play: both sides move
uniformly at random on the same ``daopt.games`` states, with no learning. The
ratio says how much valuing every move and updating the values costs on top of
just playing the game. Tabular TD plays tic-tac-toe; neural TD plays 5x4 Connect
Four (5 columns, 4 rows). Median over repeats.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/td_speed.py [--games 2000] [--repeats 3]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from daopt import td  # noqa: E402
from daopt.games import ConnectFour, GameState, TicTacToe  # noqa: E402


def random_self_play(make: Callable[[], GameState], n_games: int, seed: int) -> float:
    """Seconds for ``n_games`` games of uniformly random play."""
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(n_games):
        state = make()
        while not state.is_terminal():
            actions = state.legal_actions()
            state = state.play(actions[int(rng.integers(len(actions)))])
    return time.perf_counter() - start


def td_self_play(learner: td.TabularTD | td.NeuralTD, n_games: int) -> tuple[float, int]:
    """Seconds for ``n_games`` self-play games with learning, and the updates made."""
    start = time.perf_counter()
    log = learner.train(n_games)
    return time.perf_counter() - start, log.updates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--games", type=int, default=2000, help="tabular games per repeat")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    setups = [
        (
            "tabular TD, tic-tac-toe",
            TicTacToe,
            lambda seed: td.TabularTD(TicTacToe(), np.random.default_rng(seed)),
            args.games,
        ),
        (
            "neural TD, Connect Four 5x4",
            lambda: ConnectFour(rows=4, cols=5),
            lambda seed: td.NeuralTD(ConnectFour(rows=4, cols=5), np.random.default_rng(seed)),
            max(1, args.games // 4),
        ),
    ]
    for title, make, build, n_games in setups:
        td_rates, random_rates, update_rates = [], [], []
        for seed in range(args.repeats):
            # A fresh learner each repeat: the timed games start from an empty table/net.
            seconds, updates = td_self_play(build(seed), n_games)
            td_rates.append(n_games / seconds)
            update_rates.append(updates / seconds)
            random_rates.append(n_games / random_self_play(make, n_games, seed))
        rate, peer = statistics.median(td_rates), statistics.median(random_rates)
        print(f"{title}: {n_games} games x {args.repeats} repeats")
        print(
            f"  TD self-play      {rate:9.0f} games/s  ({statistics.median(update_rates):.0f} "
            "value updates/s)"
        )
        print(f"  random self-play  {peer:9.0f} games/s  (no learning: the floor)")
        print(f"  ratio random / TD: {peer / rate:.1f}x (the price of valuing moves and learning)")


if __name__ == "__main__":
    main()
