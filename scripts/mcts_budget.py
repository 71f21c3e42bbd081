"""How often UCT with random rollouts plays an optimal move, against its number
of simulations, on harder positions than chapter 4 can afford to solve on the
page: 7x6 Connect Four middle games with 12 to 20 stones played, judged by the
exact solver.

Chapter 4 loads the result. Reproduce it from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/mcts_budget.py

(about ten minutes on 2 cores: the solver needs most of a minute for the
positions, MCTS the rest). For a quick check,
``--positions 2 --min-moves 24 --max-moves 26 --budgets 1,10,100 --output /tmp/budget.json``.

Positions come from ``daopt.arena.sample_positions`` (random play, distinct up
to mirror image, only positions where some move is not optimal). For each, one
``daopt.mcts.MCTS`` tree is grown to the largest budget and its choice read at
every budget on the way (the anytime curve); a choice is optimal if it is in
``daopt.search.optimal_actions``. Seconds are machine-dependent; everything
else is reproducible from the seed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from daopt.arena import sample_positions
from daopt.games import ConnectFour
from daopt.mcts import MCTS
from daopt.search import action_values

DEFAULT_BUDGETS = "1,3,10,30,100,300,1000,3000,10000,30000"
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "mcts_budget.json"


def budgets_from(text: str) -> list[int]:
    """'1,10,100' -> [1, 10, 100] (strictly increasing positive ints)."""
    try:
        budgets = [int(part) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"budgets are comma-separated simulation counts, e.g. 1,10,100, got {text!r}"
        ) from None
    if not budgets or budgets[0] < 1 or any(b <= a for a, b in itertools.pairwise(budgets)):
        raise argparse.ArgumentTypeError(f"budgets must be increasing and >= 1, got {text!r}")
    return budgets


def move_string(state: ConnectFour) -> str:
    """Moves (1-based column digits, as ``ConnectFour.from_moves`` takes) that reach
    ``state``: take stones off the column tops, the last mover's first, never
    passing through a won position (play would have stopped there)."""
    g = state.geometry
    heights = [(state.mask & g.column[c]).bit_count() for c in range(g.cols)]

    def undo(stones: tuple[int, int], left: int) -> list[int] | None:
        if left == 0:
            return []
        player = (left - 1) % 2  # who made the last of ``left`` moves
        for col in range(g.cols):
            if not heights[col]:
                continue
            bit = 1 << (col * g.height + heights[col] - 1)
            if not stones[player] & bit:
                continue
            before = (stones[0] & ~bit, stones[1]) if player == 0 else (stones[0], stones[1] & ~bit)
            if g.has_line(before[0]) or g.has_line(before[1]):
                continue
            heights[col] -= 1
            earlier = undo(before, left - 1)
            heights[col] += 1
            if earlier is not None:
                return [*earlier, col]
        return None

    moves = undo((state.stones(0), state.stones(1)), state.moves_played)
    assert moves is not None, state
    text = "".join(str(col + 1) for col in moves)
    assert ConnectFour.from_moves(text, rows=g.rows, cols=g.cols, k=g.k) == state
    return text


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--positions", type=int, default=40)
    parser.add_argument("--min-moves", type=int, default=12)
    parser.add_argument("--max-moves", type=int, default=20)
    parser.add_argument("--budgets", type=budgets_from, default=budgets_from(DEFAULT_BUDGETS))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON file to write")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    positions = sample_positions(
        ConnectFour(),
        args.positions,
        np.random.default_rng(args.seed),
        min_moves=args.min_moves,
        max_moves=args.max_moves,
    )
    # The value (+1, 0, -1) of each move for the player to move; the optimal moves
    # are those of the best value, as daopt.search.optimal_actions defines them.
    values = [action_values(p) for p in positions]
    optimal = [[a for a, v in vs.items() if v == max(vs.values())] for vs in values]
    solver_seconds = time.perf_counter() - start
    print(f"{len(positions)} positions solved in {solver_seconds:.0f} s", flush=True)

    records = []
    for number, (position, best, value) in enumerate(zip(positions, optimal, values, strict=True)):
        agent = MCTS(1000, np.random.default_rng([args.seed, number]))
        results = agent.anytime(position, args.budgets)
        records.append(
            {
                "moves": move_string(position),
                "moves_played": position.moves_played,
                "values": {str(a): v for a, v in value.items()},
                "legal": position.legal_actions(),
                "optimal": best,
                "choices": [r.best_action for r in results],
                "nodes": [r.nodes for r in results],
                "rollout_steps": [r.rollout_steps for r in results],
                "seconds": [round(r.seconds, 4) for r in results],
            }
        )
        hits = sum(c in best for c in records[-1]["choices"])
        print(f"  position {number + 1}: {hits}/{len(args.budgets)} budgets optimal", flush=True)
    rates = [
        float(np.mean([r["choices"][i] in r["optimal"] for r in records]))
        for i in range(len(args.budgets))
    ]
    result: dict[str, object] = {
        "command": ("python scripts/mcts_budget.py " + " ".join(argv or sys.argv[1:])).strip(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "board": "7x6",
        "min_moves": args.min_moves,
        "max_moves": args.max_moves,
        "seed": args.seed,
        "budgets": args.budgets,
        "rates": rates,
        "solver_seconds": round(solver_seconds, 2),
        "total_seconds": round(time.perf_counter() - start, 2),
        "positions": records,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print("rates:", ", ".join(f"{b}: {r:.2f}" for b, r in zip(args.budgets, rates, strict=True)))
    return result


if __name__ == "__main__":
    main()
