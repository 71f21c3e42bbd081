"""Tic-tac-toe by pure tabular Q-learning: no look-ahead, one value per (position, move).

Chapter 6 ("Learning from reward") compares it with ``daopt.td.TabularTD``, which
chooses each move by playing every legal move on the rules and scoring where it lands
(a one-move look-ahead). This learner never does that: it keeps a value Q(s, a) for each
position as it is oriented on the board and each move, picks moves from those values
alone, and learns only from the transitions it experiences. Reproduce the saved result
from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/q_tictactoe.py

(a few minutes on 2 cores). For a quick check, ``--seeds 1 --games 300 --output
/tmp/q.json``. Every run has its own seeded generator, so a smaller run reproduces the
start of the full one exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from daopt import arena, search
from daopt.games import TicTacToe

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "q_tictactoe.json"
CHECKPOINTS = (0, 100, 300, 1000, 2000, 3000, 5000, 10_000, 20_000, 30_000, 50_000, 100_000)
ALPHA, EPSILON = 0.5, 0.2


def best_move(q: dict, state: TicTacToe, rng: np.random.Generator) -> tuple[int, float]:
    """The legal move with the highest Q (ties at random) and its value; unseen is 0."""
    values = q.get(state)
    moves = state.legal_actions()
    if values is None:
        return moves[int(rng.integers(len(moves)))] if len(moves) > 1 else moves[0], 0.0
    scores = [values[a] for a in moves]
    top = max(scores)
    ties = [a for a, s in zip(moves, scores, strict=True) if s == top]
    return (ties[int(rng.integers(len(ties)))] if len(ties) > 1 else ties[0]), top


def q_game(q: dict, rng: np.random.Generator, alpha: float, epsilon: float) -> int:
    """One game of self-play; every move updates its own Q(s, a). Returns the moves made."""
    state, moves_made = TicTacToe(), 0
    while not state.is_terminal():
        if rng.random() < epsilon:
            legal = state.legal_actions()
            action = legal[int(rng.integers(len(legal)))]
        else:
            action, _ = best_move(q, state, rng)
        after = state.play(action)  # the step the game takes, experienced, not searched
        if after.is_terminal():
            target = 0.0 if after.winner is None else 1.0  # only the mover can have won
        else:
            target = -best_move(q, after, rng)[1]  # the opponent's best is our worst
        values = q.setdefault(state, [0.0] * 9)
        values[action] += alpha * (target - values[action])
        state, moves_made = after, moves_made + 1
    return moves_made


def greedy_agent(q: dict, rng: np.random.Generator):
    return lambda state: best_move(q, state, rng)[0]


def decisive_positions() -> list[TicTacToe]:
    """Chapter 6's test set: one position per symmetry class with a move to make
    where some legal move is a mistake."""
    seen, frontier, found = {TicTacToe().key()}, [TicTacToe()], []
    while frontier:
        state = frontier.pop()
        if state.is_terminal():
            continue
        if len(search.optimal_actions(state)) < len(state.legal_actions()):
            found.append(state)
        for action in state.legal_actions():
            after = state.play(action)
            if after.key() not in seen:
                seen.add(after.key())
                frontier.append(after)
    return sorted(found, key=lambda s: s.key())  # an order the chapter can rebuild


def run(seed: int, checkpoints: list[int], decisive: list[TicTacToe]) -> dict[str, Any]:
    q: dict = {}
    rng = np.random.default_rng(seed)
    played, moves, rates = 0, 0, []
    for point in checkpoints:
        for _ in range(point - played):
            moves += q_game(q, rng, ALPHA, EPSILON)
        played = point
        # Ties among untried moves are broken by a generator of their own, so that
        # testing does not change the training run.
        agent = greedy_agent(q, np.random.default_rng([seed, point]))
        rates.append(arena.optimal_move_rate(agent, decisive))
    return {"seed": seed, "games": checkpoints, "rates": rates, "updates": moves,
            "table_size": len(q)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--games", type=int, default=CHECKPOINTS[-1])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    if args.seeds < 1 or args.games < 0:
        raise SystemExit(f"--seeds must be >= 1 and --games >= 0, got {args.seeds}, {args.games}")
    checkpoints = [g for g in CHECKPOINTS if g <= args.games]
    decisive = decisive_positions()
    start = time.perf_counter()
    runs = []
    for seed in range(args.seeds):
        runs.append(run(seed, checkpoints, decisive))
        elapsed = time.perf_counter() - start
        final = runs[-1]["rates"][-1]
        print(f"seed {seed + 1}/{args.seeds}: {final:.3f} after {checkpoints[-1]:,} games "
              f"({elapsed:.0f} s)", flush=True)  # fmt: skip
    payload = {
        "command": "python scripts/q_tictactoe.py",
        "settings": {"learning_rate": ALPHA, "epsilon": EPSILON},
        "test_positions": len(decisive),
        "runs": runs,
        "seconds": round(time.perf_counter() - start, 1),
        "python": platform.python_version(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"saved {args.output}")


if __name__ == "__main__":
    main()
