"""Tabular TD(0) self-play on tic-tac-toe over many seeds: how many games until 90 % and
99 % of its moves are optimal, judged by the exact solver; chapter 6 loads it.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/td_tictactoe.py

(a few minutes on 2 cores). For a quick check,
``--seeds 0 --epsilons 0.2 --games 300 --output /tmp/td.json``.

The test set is every tic-tac-toe position where some legal move is a mistake, one
per symmetry class (431 positions): the learner's greedy move must be one of
``daopt.search.optimal_actions``. Each run is ``daopt.td.TabularTD`` with
``default_rng(seed)``, learning rate 0.5 and the greedy (Q-learning) backup; it is
evaluated every 25 games up to 1,000 games and every 100 games after that (training
in chunks is the same as one long call: the learner keeps its state and generator).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from daopt import arena, features, search  # noqa: E402
from daopt.games import TicTacToe  # noqa: E402
from daopt.td import TabularTD  # noqa: E402

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "td_tictactoe.json"
LEARNING_RATE = 0.5
LEVELS = (0.9, 0.99)


def decisive_positions() -> list[TicTacToe]:
    """Every position (one per symmetry class) where some legal move is not optimal."""
    return [
        s
        for s in features.all_positions(TicTacToe())
        if len(search.optimal_actions(s)) < len(s.legal_actions())
    ]


def schedule(max_games: int) -> list[int]:
    """Games played at each evaluation: every 25 up to 1,000, then every 100."""
    dense = list(range(25, min(max_games, 1000) + 1, 25))
    sparse = list(range(1100, max_games + 1, 100))
    points = dense + sparse
    if not points or points[-1] != max_games:
        points.append(max_games)
    return points


def first_reaching(games: list[int], rates: list[float], level: float) -> int | None:
    """The first evaluation point with a rate of at least ``level`` (None: never)."""
    return next((g for g, r in zip(games, rates, strict=True) if r >= level), None)


def run(seed: int, epsilon: float, max_games: int, test: list[TicTacToe]) -> dict[str, object]:
    td = TabularTD(
        TicTacToe(), np.random.default_rng(seed), learning_rate=LEARNING_RATE, epsilon=epsilon
    )
    games, rates = [0], [arena.optimal_move_rate(td, test)]
    start = time.perf_counter()
    for point in schedule(max_games):
        td.train(point - td.games_played)
        games.append(td.games_played)
        rates.append(arena.optimal_move_rate(td, test))
    return {
        "seed": seed,
        "epsilon": epsilon,
        "games": games,
        "rates": rates,
        **{f"games_to_{round(100 * lv)}": first_reaching(games, rates, lv) for lv in LEVELS},
        "best_rate": max(rates),
        "final_rate": rates[-1],
        "table_size": len(td.table),
        "updates": td.updates,
        "seconds": round(time.perf_counter() - start, 2),
    }


def number_list(kind: type, text: str) -> list:
    try:
        values = [kind(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"expected non-negative numbers, got {text!r}")
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=lambda t: number_list(int, t), default=list(range(10)))
    parser.add_argument(
        "--epsilons", type=lambda t: number_list(float, t), default=[0.0, 0.1, 0.2, 0.5]
    )
    parser.add_argument("--games", type=int, default=10_000, help="self-play games per run")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.games < 1 or max(args.epsilons) > 1:
        parser.error("--games must be positive and every epsilon in [0, 1]")

    began = time.perf_counter()
    test = decisive_positions()
    runs = []
    for epsilon in args.epsilons:
        for seed in args.seeds:
            runs.append(run(seed, epsilon, args.games, test))
            summary = {k: v for k, v in runs[-1].items() if k not in ("games", "rates")}
            print(json.dumps(summary), flush=True)
    command = "OPENBLAS_NUM_THREADS=1 python scripts/td_tictactoe.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    result = {
        "command": command.strip(),
        "test_positions": len(test),
        "learning_rate": LEARNING_RATE,
        "max_games": args.games,
        "runs": runs,
        "seconds": round(time.perf_counter() - began, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result) + "\n")
    print(f"saved {args.output} in {result['seconds']} s")


if __name__ == "__main__":
    main()
