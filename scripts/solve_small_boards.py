"""Solve Connect Four on small boards from the empty board, and save what it cost.

Chapter 3 loads the result. Reproduce it from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/solve_small_boards.py

(several minutes on 2 cores; the largest board takes most of it). For a quick
check, ``--boards 4x4,5x4 --output /tmp/small.json``. Boards are columns x rows,
four in a row. For each board the JSON holds the game-theoretic value for the
first player (+1 win, 0 draw, -1 loss), the nodes ``daopt.search.ConnectFourSolver``
searched to prove it from cold, the seconds it took (machine-dependent) and,
for boards of at most 20 cells, the exact score.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from daopt.games import ConnectFour
from daopt.search import ConnectFourSolver

DEFAULT_BOARDS = ("4x4", "5x4", "4x5", "6x4", "4x6", "5x5", "5x6", "6x5", "7x4")
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "small_boards.json"
EXACT_UP_TO_CELLS = 20


def parse_board(text: str) -> tuple[int, int]:
    """'6x4' -> (6 columns, 4 rows)."""
    try:
        cols, rows = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"a board is COLUMNSxROWS, e.g. 6x4, got {text!r}"
        ) from None
    return cols, rows


def solve_board(cols: int, rows: int) -> dict[str, object]:
    """Solve one empty board from cold; the record saved for it."""
    empty = ConnectFour(rows=rows, cols=cols)
    solver = ConnectFourSolver(rows=rows, cols=cols)
    start = time.perf_counter()
    value = solver.value(empty)
    seconds = time.perf_counter() - start
    record: dict[str, object] = {
        "board": f"{cols}x{rows}",
        "cols": cols,
        "rows": rows,
        "k": 4,
        "cells": cols * rows,
        "value": value,
        "nodes": solver.nodes,
        "seconds": round(seconds, 4),
    }
    if cols * rows <= EXACT_UP_TO_CELLS:
        solver.reset()
        record["exact_score"] = solver.score(empty)
    return record


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--boards",
        default=",".join(DEFAULT_BOARDS),
        help="comma-separated COLUMNSxROWS boards (default: %(default)s)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON file to write")
    args = parser.parse_args(argv)
    boards = [parse_board(text) for text in args.boards.split(",") if text]
    results = []
    for cols, rows in boards:
        record = solve_board(cols, rows)
        results.append(record)
        print(
            f"{record['board']}: value {record['value']:+d} for the first player, "
            f"{record['nodes']:,} nodes, {record['seconds']:.2f} s",
            flush=True,
        )
    payload: dict[str, object] = {
        "command": " ".join(["python scripts/solve_small_boards.py", *(argv or sys.argv[1:])]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "boards": results,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"saved {args.output}")
    return payload


if __name__ == "__main__":
    main()
