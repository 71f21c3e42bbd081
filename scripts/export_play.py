"""The data of the play page (chapters/play.md): each tic-tac-toe agent's move and
cost on every unfinished reachable board, and chapter 5's cloned policy as JSON.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/export_play.py

(about two minutes on 2 cores, most of it MCTS at 1,000 simulations on
4,520 boards). For a quick check, ``--budgets 3 --limit 40 --output /tmp/play.json``
(the first 40 boards only).

Agents (see ``daopt.export`` for the tie-breaks): the exact solver (lowest optimal
move); MCTS with random rollouts at each budget, one generator per board and
budget; chapter 5's policy network, trained here exactly as the chapter trains
it (1,000 random games drawn with seed 0, the held-out test positions excluded,
``daopt.cloning.fit_policy`` seeded 0, the epoch rule of
``scripts/results/cloning_curve.json``), exported as weights that the page runs
itself. The random agent needs no data.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from daopt import arena, cloning, export, features, search  # noqa: E402
from daopt.cost import DecisionCost  # noqa: E402
from daopt.experiments import tic_tac_toe_test_set  # noqa: E402
from daopt.games import TicTacToe  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_OUTPUT = RESULTS / "play_tictactoe.json"
CLONING_CURVE = RESULTS / "cloning_curve.json"
DEFAULT_BUDGETS = (10, 100, 1000)
MCTS_SEED = 0
# Chapter 5's live network: 1,000 random games, seed 0 for the games and the fit.
POLICY_GAMES, POLICY_SEED = 1000, 0


def policy_epochs(n_examples: int, training: dict[str, int]) -> int:
    """Chapter 5's rule: about ``steps`` mini-batches, within the epoch bounds."""
    batches = math.ceil(n_examples / training["batch_size"])
    epochs = math.ceil(training["steps"] / batches)
    return min(training["max_epochs"], max(training["min_epochs"], epochs))


def chapter_five_policy() -> tuple[cloning.PolicyFit, float]:
    """Chapter 5's cloned policy and its optimal-move rate on the held-out test set."""
    training = json.loads(CLONING_CURVE.read_text())["training"]
    test = tic_tac_toe_test_set()
    positions = features.random_play_positions(
        TicTacToe(),
        POLICY_GAMES,
        np.random.default_rng(POLICY_SEED),
        exclude={s.key() for s in test},
    )
    fit = cloning.fit_policy(
        positions,
        [search.optimal_actions(s) for s in positions],
        rng=np.random.default_rng(POLICY_SEED),
        hidden=tuple(training["policy_hidden"]),
        n_epochs=policy_epochs(len(positions), training),
        batch_size=training["batch_size"],
    )
    return fit, arena.optimal_move_rate(fit.agent, test)


def progress(label: str, total: int, decide: export.Decide) -> export.Decide:
    """``decide``, printing how many boards are done to stderr every 500 boards."""
    done = 0

    def counted(board: TicTacToe) -> tuple[int, DecisionCost]:
        nonlocal done
        done += 1
        if done % 500 == 0 or done == total:
            print(f"{label}: {done}/{total} boards", file=sys.stderr, flush=True)
        return decide(board)

    return counted


def parse_ints(text: str) -> tuple[int, ...]:
    values = tuple(int(v) for v in text.split(",") if v.strip())
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers like 10,100, got {text!r}")
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=parse_ints, default=DEFAULT_BUDGETS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N boards")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error(f"--limit must be >= 1, got {args.limit}")

    start = time.perf_counter()
    boards = [b for b in export.all_boards() if not b.is_terminal()][: args.limit]
    solver = export.SolverAgent()
    tables = {
        "solver": export.move_table(
            boards, progress("solver", len(boards), lambda b: (solver(b), solver.last_cost))
        )
    }
    for budget in args.budgets:
        tables[f"mcts-{budget}"] = export.move_table(
            boards,
            progress(
                f"MCTS {budget}",
                len(boards),
                lambda b, s=budget: export.mcts_decision(b, s, MCTS_SEED),
            ),
        )
    fit, test_rate = chapter_five_policy()
    agent = fit.agent
    policy_table = export.move_table(boards, lambda b: (agent(b), agent.last_cost))
    result = {
        "command": "OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/export_play.py"
        + "".join(" " + arg for arg in argv),
        "game": "tictactoe",
        "reachable_boards": export.TICTACTOE_BOARDS,
        "positions": [b.cells() for b in boards],
        "tables": tables,
        "mcts": {"seed": MCTS_SEED, "c_uct": math.sqrt(2.0), "budgets": list(args.budgets)},
        "policy": {
            "games": POLICY_GAMES,
            "seed": POLICY_SEED,
            "examples": fit.examples,
            "test_rate": test_rate,
            "cost": {k: v[0] for k, v in policy_table["cost"].items()},
            "network": export.network_to_json(fit.net),
            # The page must find these moves with its own forward pass.
            "moves": policy_table["moves"],
        },
        "seconds": time.perf_counter() - start,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, separators=(",", ":")) + "\n")
    print(f"{len(boards)} boards, {len(tables)} tables -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
