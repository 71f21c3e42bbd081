"""Self-play games played side by side against the same games played one at a time.

``daopt.selfplay.self_play_games`` runs the searches of all unfinished games in step,
so that one batched network pass evaluates a leaf of each (``daopt.mcts.search_together``);
``self_play_game`` plays one game, one network pass per leaf. Both play the same games
from the same generators, with the shipped expert-iteration network and the settings of
``scripts/hybrid_exit.py``, on one core. The script checks that the games are the same
and prints both times and their ratio; it asserts no speed.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/selfplay_speed.py [--games 16] [--repeats 3]
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from daopt import hybrid, selfplay  # noqa: E402
from daopt.nn import MLP  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import hybrid_exit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--games", type=int, default=16, help="games side by side (one worker)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    net = MLP.load(hybrid.WEIGHTS / "hybrid_exit.npz")
    options = {
        "random_moves": hybrid_exit.RANDOM_MOVES,
        "search_value": hybrid_exit.SEARCH_VALUE,
    }
    alone_times, together_times = [], []
    for repeat in range(args.repeats):
        seeds = [[repeat, g] for g in range(args.games)]
        start = time.perf_counter()
        alone = [
            selfplay.self_play_game(
                net, hybrid_exit.SIMULATIONS, np.random.default_rng(seed), **options
            )
            for seed in seeds
        ]
        alone_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        together = selfplay.self_play_games(
            net,
            hybrid_exit.SIMULATIONS,
            [np.random.default_rng(seed) for seed in seeds],
            **options,
        )
        together_times.append(time.perf_counter() - start)
        same = sum(np.array_equal(a.x, b.x) for a, b in zip(alone, together, strict=True))
        if same != len(seeds):
            print(f"repeat {repeat}: only {same} of {len(seeds)} games are the same")
    positions = sum(game.x.shape[0] for game in together)
    one, side = statistics.median(alone_times), statistics.median(together_times)
    print(
        f"{args.games} games of {hybrid_exit.SIMULATIONS} simulations a move "
        f"({positions} positions in the last repeat), median of {args.repeats}:"
    )
    print(f"  one at a time (self_play_game):    {one:6.2f} s")
    print(f"  side by side (self_play_games):    {side:6.2f} s")
    print(f"  ratio:                             {one / side:6.2f}x")


if __name__ == "__main__":
    main()
