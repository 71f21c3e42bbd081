"""Labelled positions of 5x5 Connect Four for chapter 9: a held-out test set and a
training set for behaviour cloning, every position labelled by the exact solver.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/hybrid_positions.py \
        --workers 2 --train-games 1000

and then, seven times, to add 1,000 training games each time,

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/hybrid_positions.py \
        --workers 2 --extend scripts/results/hybrid_positions.npz --train-games 1000

(each run's seconds are in the file's ``meta``; the first, which also labels the
test set, is the longest). The solver's labels are the cost, and one run with
all the games would take over the 10 minutes a script may; the extended file is
the same as that run's. For a quick check,
``--test 20 --train-games 4 --output /tmp/positions.npz``.

Games alternate between two kinds of play: uniformly random moves, and
noisy-optimal moves (a uniformly random optimal move, or with probability
``NOISE`` a uniformly random legal one). Every non-terminal position of a game
is labelled with the solver's value of each legal move (``daopt.search.solve``
of the child, from the mover's view). The first games, in order, fill the test
set: one position per symmetry class (``key()``, left-right mirror), skipping
positions where every legal move is optimal, until ``--test`` positions. Later
games give the training positions, less any position in a test position's
symmetry class. Labels are cached by symmetry class (mirrored moves mapped back).
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
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from daopt import search  # noqa: E402
from daopt.games import ConnectFour  # noqa: E402

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "hybrid_positions.npz"
ROWS = COLS = 5
NOISE = 0.25
ILLEGAL = -2  # the label of a full column
# A large table keeps the solver's bounds across the many related positions.
_SOLVER = search.ConnectFourSolver(ROWS, COLS, 4, max_entries=1 << 22)
_CACHE: dict[int, tuple[int, ...]] = {}


def _mirrored(state: ConnectFour) -> bool:
    return state.current + state.mask != state.key()


def label(state: ConnectFour) -> tuple[int, ...]:
    """The value of each column for the player to move (ILLEGAL for a full column)."""
    key = state.key()
    known = _CACHE.get(key)
    if known is None:
        values = [ILLEGAL] * COLS
        for action in state.legal_actions():
            child = state.play(action)
            values[action] = -(
                search.terminal_value(child) if child.is_terminal() else _SOLVER.value(child)
            )
        known = tuple(values[::-1]) if _mirrored(state) else tuple(values)
        _CACHE[key] = known
    return known[::-1] if _mirrored(state) else known


def moves_string(moves: list[int]) -> str:
    return "".join(str(a + 1) for a in moves)


def play_game(index: int, seed: int) -> list[tuple[str, tuple[int, ...]]]:
    """One game (random if ``index`` is even, noisy-optimal if odd): each non-terminal
    position as (1-based move string, column values)."""
    rng = np.random.default_rng([seed, index])
    noisy = index % 2 == 1
    state, moves, out = ConnectFour(ROWS, COLS), [], []
    while not state.is_terminal():
        values = label(state)
        out.append((moves_string(moves), values))
        legal = state.legal_actions()
        if noisy and rng.random() >= NOISE:
            best = max(values)
            legal = [a for a in legal if values[a] == best]
        action = legal[int(rng.integers(len(legal)))]
        moves.append(action)
        state = state.play(action)
    return out


def _games(start: int, count: int, seed: int) -> list[list[tuple[str, tuple[int, ...]]]]:
    return [play_game(i, seed) for i in range(start, start + count)]


def _blocks(
    first: int,
    games: int,
    seed: int,
    workers: int,
    pool: ProcessPoolExecutor | None,
    stop: int | None = None,
):
    """Games ``first``, ``first + 1``, ... (before ``stop``, or without end) in order,
    played ``games`` at a time; contiguous games go to one worker, so that its label
    cache helps."""
    while stop is None or first < stop:
        size = games if stop is None else min(games, stop - first)
        per = max(1, size // (4 * workers)) if pool is not None else size
        starts = list(range(first, first + size, per))
        counts = [min(per, first + size - s) for s in starts]
        if pool is None:
            parts = [_games(s, c, seed) for s, c in zip(starts, counts, strict=True)]
        else:
            parts = list(pool.map(_games, starts, counts, [seed] * len(starts)))
        for part in parts:
            yield from part
        first += size


def _test_positions(
    n_test: int, seed: int, workers: int, pool: ProcessPoolExecutor | None
) -> tuple[dict[str, list], set[int], int]:
    """The first games, in order, until ``n_test`` test positions: the columns, the
    test positions' symmetry classes, and the number of games they took."""
    columns: dict[str, list] = {"moves": [], "values": [], "split": [], "game": []}
    test_keys: set[int] = set()
    games = _blocks(0, 8 * workers, seed, workers, pool)
    index = 0
    with tqdm(total=n_test, desc="test positions", unit="pos") as bar:
        while len(test_keys) < n_test:
            for moves, values in next(games):
                state = ConnectFour.from_moves(moves, ROWS, COLS)
                legal_values = [values[a] for a in state.legal_actions()]
                key = state.key()
                if key in test_keys or min(legal_values) == max(legal_values):
                    continue
                test_keys.add(key)
                bar.update(1)
                columns["moves"].append(moves)
                columns["values"].append(values)
                columns["split"].append(0)
                columns["game"].append(index)
                if len(test_keys) == n_test:
                    break
            index += 1
    games.close()
    return columns, test_keys, index


def generate(
    n_test: int,
    n_train_games: int,
    seed: int,
    workers: int,
    previous: dict[str, Any] | None = None,
) -> tuple[dict[str, list], dict[str, Any]]:
    """Test and training positions; returns the columns of the saved arrays and counts.

    Games are played in parallel blocks but read in order: the first ones fill the
    test set, the next ``n_train_games`` give the training positions, exactly as if
    they had been played one after the other. With ``previous`` (the columns and
    counts of an earlier run, ``load``) its positions are kept and ``n_train_games``
    more training games are played after its last one: the result is the same as one
    run with all the games."""
    began = time.perf_counter()
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        if previous is None:
            columns, test_keys, test_games = _test_positions(n_test, seed, workers, pool)
            test_seconds = time.perf_counter() - began
            done_games, excluded, seconds_before = 0, 0, 0.0
        else:
            columns = {k: list(v) for k, v in previous["columns"].items()}
            counts = previous["counts"]
            test_keys = {
                ConnectFour.from_moves(m, ROWS, COLS).key()
                for m, s in zip(columns["moves"], columns["split"], strict=True)
                if s == 0
            }
            test_games, test_seconds = counts["test_games"], counts["test_seconds"]
            done_games, excluded = counts["train_games"], counts["train_excluded"]
            seconds_before = counts["seconds"]
        first = test_games + done_games
        played = _blocks(first, 64 * workers, seed, workers, pool, first + n_train_games)
        for offset in tqdm(range(n_train_games), desc="training games", unit="game"):
            for moves, values in next(played):
                state = ConnectFour.from_moves(moves, ROWS, COLS)
                if state.key() in test_keys:
                    excluded += 1
                    continue
                columns["moves"].append(moves)
                columns["values"].append(values)
                columns["split"].append(1)
                columns["game"].append(first + offset)
        played.close()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    counts = {
        "test_games": test_games,
        "train_games": done_games + n_train_games,
        "train_excluded": excluded,
        "test_seconds": round(test_seconds, 1),
        "seconds": round(seconds_before + time.perf_counter() - began, 1),
    }
    return columns, counts


def load(path: Path, seed: int) -> dict[str, Any]:
    """The columns and counts of a saved run, to extend with more training games;
    refuses a run made with another seed or other settings."""
    data = np.load(path)
    meta = json.loads(str(data["meta"]))
    theirs = {k: meta.get(k) for k in ("rows", "cols", "noise", "seed")}
    ours = {"rows": ROWS, "cols": COLS, "noise": NOISE, "seed": seed}
    if theirs != ours:
        raise ValueError(f"{path} was made with {theirs}, not {ours}: cannot extend it")
    columns = {
        "moves": [str(m) for m in data["moves"]],
        "values": [tuple(int(v) for v in row) for row in data["values"]],
        "split": [int(s) for s in data["split"]],
        "game": [int(g) for g in data["game"]],
    }
    keys = ("test_games", "train_games", "train_excluded", "test_seconds", "seconds")
    return {"columns": columns, "counts": {k: meta[k] for k in keys}, "meta": meta}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--test", type=int, default=1000, help="test positions")
    parser.add_argument("--train-games", type=int, default=1000, help="training games")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workers", type=int, default=1, help="processes playing and labelling games"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--extend",
        type=Path,
        default=None,
        help="a saved run to keep and extend with --train-games more training games "
        "(--test is then ignored)",
    )
    args = parser.parse_args(argv)
    if args.test < 1 or args.train_games < 0 or args.workers < 1:
        parser.error("--test and --workers must be positive, --train-games >= 0")
    if args.output.suffix != ".npz":
        parser.error(f"--output must end in .npz, got {args.output}")
    if args.extend is not None and not args.extend.is_file():
        parser.error(f"--extend must name a saved run, got {args.extend}")
    try:
        previous = load(args.extend, args.seed) if args.extend is not None else None
    except ValueError as error:
        parser.error(str(error))
    columns, counts = generate(args.test, args.train_games, args.seed, args.workers, previous)
    command = (
        "OPENBLAS_NUM_THREADS=1 python scripts/hybrid_positions.py "
        + " ".join(argv if argv is not None else sys.argv[1:])
    ).strip()
    # A run that extends another records every run's command and seconds, in order.
    before = previous["meta"] if previous is not None else {}
    stage_seconds = counts["seconds"] - before.get("seconds", 0.0)
    meta = {
        "command": command,
        "commands": [*before.get("commands", [before["command"]] if before else []), command],
        "stage_seconds": [
            *before.get("stage_seconds", [before["seconds"]] if before else []),
            round(stage_seconds, 1),
        ],
        "rows": ROWS,
        "cols": COLS,
        "noise": NOISE,
        "seed": args.seed,
        **counts,
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.output,
        moves=np.array(columns["moves"], dtype="U25"),
        values=np.array(columns["values"], dtype=np.int8).reshape(-1, COLS),
        split=np.array(columns["split"], dtype=np.int8),
        game=np.array(columns["game"], dtype=np.int32),
        meta=np.array(json.dumps(meta)),
    )
    n_test = int(np.sum(np.array(columns["split"]) == 0))
    print(f"saved {args.output}: {n_test} test, {len(columns['split']) - n_test} train, {meta}")


if __name__ == "__main__":
    main()
