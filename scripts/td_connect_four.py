"""Neural TD(0) self-play on small Connect Four boards: the optimal-move rate (judged by
the exact solver) as self-play games accumulate, against MCTS that trains on nothing;
chapter 6 loads it.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/td_connect_four.py

(several minutes on 2 cores). For a quick check,
``--boards 4x4k3 --seeds 0 --games 100 --every 50 --simulations 10 --output /tmp/c4.json``.

Boards are COLUMNSxROWS, with ``kK`` for K in a row (default 4): ``4x4k3`` is 4 columns,
4 rows, three in a row. Each board's test set is 200 positions from
``daopt.arena.sample_positions`` (seed 0: informative, one per symmetry class).
Each run is ``daopt.td.NeuralTD`` (one hidden layer of 64 tanh units, Adam with
learning rate 3e-3, epsilon 0.2, greedy backup) with ``default_rng(seed)``, trained
in chunks of ``--every`` games and evaluated after each chunk, and at the end
matched against a uniformly random player.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from daopt import arena, search  # noqa: E402
from daopt.games import ConnectFour  # noqa: E402
from daopt.mcts import MCTS  # noqa: E402
from daopt.td import NeuralTD  # noqa: E402

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "td_connect_four.json"
SETTINGS = {"hidden": (64,), "learning_rate": 3e-3, "epsilon": 0.2}
TEST_SIZE, TEST_SEED, MATCH_GAMES = 200, 0, 200


def parse_board(text: str) -> tuple[int, int, int]:
    """'5x4' -> (5 columns, 4 rows, 4 in a row); '4x4k3' -> (4, 4, 3)."""
    match = re.fullmatch(r"(\d+)x(\d+)(?:k(\d+))?", text.strip().lower())
    if match is None:
        raise argparse.ArgumentTypeError(
            f"a board is COLUMNSxROWS or COLUMNSxROWSkK, e.g. 5x4 or 4x4k3, got {text!r}"
        )
    cols, rows, k = match.groups()
    return int(cols), int(rows), int(k or 4)


def board_name(cols: int, rows: int, k: int) -> str:
    return f"{cols}x{rows}" + ("" if k == 4 else f"k{k}")


def run(
    board: tuple[int, int, int], seed: int, n_games: int, every: int, test: list[ConnectFour]
) -> dict[str, object]:
    cols, rows, k = board
    start_state = ConnectFour(rows=rows, cols=cols, k=k)
    td = NeuralTD(start_state, np.random.default_rng(seed), **SETTINGS)
    games, rates = [0], [arena.optimal_move_rate(td, test)]
    start = time.perf_counter()
    while td.games_played < n_games:
        td.train(min(every, n_games - td.games_played))
        games.append(td.games_played)
        rates.append(arena.optimal_move_rate(td, test))
    seconds = time.perf_counter() - start
    match = arena.play_match(
        td, arena.RandomAgent(np.random.default_rng(seed)), start_state, MATCH_GAMES
    )
    return {
        "board": board_name(*board),
        "seed": seed,
        "games": games,
        "rates": rates,
        "best_rate": max(rates),
        "final_rate": rates[-1],
        "network_passes": td.network_passes,
        "updates": td.updates,
        "vs_random": {"wins": match.wins, "draws": match.draws, "losses": match.losses},
        "seconds": round(seconds, 2),
    }


def reference(
    board: tuple[int, int, int], simulations: int, seed: int, test: list[ConnectFour]
) -> dict[str, object]:
    agent = MCTS(simulations, np.random.default_rng(seed))
    return {
        "board": board_name(*board),
        "simulations": simulations,
        "seed": seed,
        "rate": arena.optimal_move_rate(agent, test),
    }


def int_list(text: str, minimum: int = 1) -> list[int]:
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected integers separated by commas, got {text!r}"
        ) from None
    if not values or min(values) < minimum:
        raise argparse.ArgumentTypeError(f"expected integers >= {minimum}, got {text!r}")
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--boards",
        type=lambda t: [parse_board(part) for part in t.split(",")],
        default=[(4, 4, 3), (5, 4, 4)],
    )
    parser.add_argument("--seeds", type=lambda t: int_list(t, minimum=0), default=[0, 1, 2])
    parser.add_argument("--games", type=int, default=5000, help="self-play games per run")
    parser.add_argument("--every", type=int, default=250, help="games between evaluations")
    parser.add_argument("--simulations", type=int_list, default=[10, 100, 1000])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.games < 1 or args.every < 1:
        parser.error("--games and --every must be positive")

    began = time.perf_counter()
    boards, runs, references = {}, [], []
    for board in args.boards:
        cols, rows, k = board
        start_state = ConnectFour(rows=rows, cols=cols, k=k)
        test = arena.sample_positions(start_state, TEST_SIZE, np.random.default_rng(TEST_SEED))
        boards[board_name(*board)] = {
            "cols": cols,
            "rows": rows,
            "k": k,
            "value": search.solve(start_state),
            "chance_rate": float(
                np.mean([len(search.optimal_actions(s)) / len(s.legal_actions()) for s in test])
            ),
            "test_moves": [len(s.legal_actions()) for s in test],
        }
        for seed in args.seeds:
            runs.append(run(board, seed, args.games, args.every, test))
            summary = {k: v for k, v in runs[-1].items() if k not in ("games", "rates")}
            print(json.dumps(summary), flush=True)
        for simulations in args.simulations:
            for seed in args.seeds:
                references.append(reference(board, simulations, seed, test))
                print(json.dumps(references[-1]), flush=True)
    command = "OPENBLAS_NUM_THREADS=1 python scripts/td_connect_four.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    result = {
        "command": command.strip(),
        "settings": {**SETTINGS, "hidden": list(SETTINGS["hidden"])},
        "test_size": TEST_SIZE,
        "max_games": args.games,
        "boards": boards,
        "runs": runs,
        "mcts": references,
        "seconds": round(time.perf_counter() - began, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result) + "\n")
    print(f"saved {args.output} in {result['seconds']} s")


if __name__ == "__main__":
    main()
