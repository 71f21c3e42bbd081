"""Strength and compute of tic-tac-toe agents over training games x test-time simulations.

Chapter 7 ("The bill") loads the result. Reproduce it from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/bill_grid.py

(a few minutes on 2 cores). For a quick check,
``--seeds 1 --test-positions 20 --bc-games 0,3 --td-games 0,30 --sims 0,4 --output /tmp/g.json``.

Two learners, each trained on N games for every N of a grid and then given S
simulations of search at every decision (S = 0: no search):

- **bc** (behaviour cloning): N games of uniformly random moves; every position in
  them that is not a test position is labelled with all its optimal moves by the
  exact solver; a policy network (``daopt.cloning.fit_policy``) is fitted to them.
  With S > 0 the policy is the prior of PUCT search (``daopt.mcts.MCTS``) with
  random rollouts; N = 0 means a uniform prior (plain search, no learning).
- **td** (learning from reward): ``daopt.td.TabularTD`` after N self-play games;
  with S > 0 its value table replaces the rollouts (uniform prior). Self-play
  cannot avoid the test positions, so this learner has no held-out split.

Every agent is judged on the same held-out test positions
(``daopt.arena.sample_positions``) by the optimal-move rate
(``daopt.arena.optimal_move_rate``). Compute is counted, never timed: per decision,
the means of the counts in ``COUNTS`` (simulations, rollout steps, table lookups,
solver nodes, network passes on one position); for training, the moves of the
training games, the solver nodes spent on labels, the network passes (a backward
pass counts as ``daopt.cost.BACKWARD_PASSES``) and TD's table lookups and
updates. The chapter prices them. Wall seconds are saved too, for reference only.

Randomness: the test positions are ``daopt.experiments.tic_tac_toe_test_set`` (chapters 5-7);
seed s plays its training games with ``default_rng(s)`` (chapter 5's games: the
first N games are the same for every N), fits the policy with
``default_rng([SEED, s, N, 2])``, plays TD self-play with ``default_rng(s)`` and
searches with ``default_rng([SEED, s, N, S, 4])`` (``[..., 5]`` for the TD learner).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import numpy as np

from daopt import arena, cloning, features, search, td
from daopt.cost import DecisionCost
from daopt.experiments import BILL, TEST_POSITIONS, decision_cost, label_cost, tic_tac_toe_test_set
from daopt.games import GameState, TicTacToe
from daopt.mcts import MCTS, MCTSResult

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "bill_grid.json"
DEFAULTS = {
    "seeds": 3,
    "test_positions": TEST_POSITIONS,
    "bc_games": (0, 1, 3, 10, 30, 100, 300, 1000, 3000),
    "td_games": (0, 10, 30, 100, 300, 1000, 3000, 10000, 30000),
    "sims": (0, 2, 4, 8, 16, 32, 64, 128, 256),
}
# The settings are one record, daopt.experiments.BILL, which chapter 7 imports too.
SEED = BILL.seed


def uniform_prior(state: GameState) -> np.ndarray:
    """Equal probability on every action (MCTS drops the illegal ones): no knowledge."""
    return np.full(state.num_actions, 1.0 / state.num_actions)


# -- the exact solver as an agent ------------------------------------------------------


class SolverAgent:
    """The exact solver as an agent: plays its lowest optimal move; ``last_cost`` counts
    the positions a cold alpha-beta search of the position visits (``search_nodes``)."""

    def __init__(self) -> None:
        self.last_cost: DecisionCost | None = None

    def __call__(self, state: GameState) -> int:
        self.last_cost = DecisionCost(search_nodes=decision_cost(state))
        return search.optimal_actions(state)[0]


# -- measuring an agent -----------------------------------------------------------------


# What each decision is charged for, per decision. Positions: ``simulations`` (each
# examines one leaf position, new or terminal), ``rollout_steps``, ``table_lookups``
# and ``solver_nodes``; ``network_passes`` are forward passes on one position.
# ``new_nodes`` (tree nodes added) and ``evaluator_calls`` are kept for reference.
# An agent reports a ``DecisionCost``; a search reports its ``MCTSResult`` (whose
# evaluator and prior calls this script tells apart: a uniform prior or a value
# table is not a network).
COUNTS = (
    "simulations",
    "rollout_steps",
    "table_lookups",
    "solver_nodes",
    "network_passes",
    "new_nodes",
    "evaluator_calls",
)
Counter = Callable[[Any], dict[str, float]]


class Meter:
    """Wraps an agent; sums, over its decisions, what ``counter`` reads (keys from
    ``COUNTS``) from its ``last_cost`` or, for a search, from its ``MCTSResult``,
    and the wall time."""

    def __init__(self, agent: Callable[[GameState], int], counter: Counter) -> None:
        self.agent, self.counter = agent, counter
        self.decisions, self.seconds = 0, 0.0
        self.totals = dict.fromkeys(COUNTS, 0.0)

    def __call__(self, state: GameState) -> int:
        start = time.perf_counter()
        if isinstance(self.agent, MCTS):
            report = self.agent.search(state)
            action = report.best_action
        else:
            action = self.agent(state)
            report = self.agent.last_cost
        self.seconds += time.perf_counter() - start
        for key, value in self.counter(report).items():
            self.totals[key] += value
        self.decisions += 1
        return action

    def per_decision(self) -> dict[str, float]:
        n = max(self.decisions, 1)
        return {**{k: v / n for k, v in self.totals.items()}, "seconds": self.seconds / n}


def search_counter(network_prior: bool) -> Counter:
    """Counts of one MCTS decision; its prior calls are network passes only if the
    prior is a network (the uniform prior is free)."""

    def counter(result: MCTSResult) -> dict[str, float]:
        return {
            "simulations": result.simulations,
            "rollout_steps": result.rollout_steps,
            "network_passes": result.prior_calls if network_prior else 0.0,
            "new_nodes": result.nodes - 1,  # the root was given, not found
            "evaluator_calls": result.evaluator_calls,
        }

    return counter


def evaluate(
    agent: Callable[[GameState], int], counter: Counter, test: list[GameState]
) -> dict[str, float]:
    """Optimal-move rate on ``test`` and the mean counts per decision."""
    meter = Meter(agent, counter)
    rate = arena.optimal_move_rate(meter, test)
    return {"rate": rate, **meter.per_decision()}


# -- behaviour cloning ------------------------------------------------------------------


def training_set(
    n_games: int, rng: np.random.Generator, held_out: set
) -> tuple[list[GameState], list[list[int]], dict[str, int]]:
    """The positions of ``n_games`` random games (``daopt.features.random_play_positions``)
    that are not held out, each labelled with all its optimal moves.

    Each distinct position (up to symmetry) is solved once; the counts say what the
    data cost: ``game_positions`` (moves played), ``label_positions`` (solver nodes).
    """
    played = features.random_play_positions(TicTacToe(), n_games, rng)
    positions = [p for p in played if p.key() not in held_out]
    labelled = {p.key(): p for p in positions}
    counts = {
        "game_positions": len(played),
        "examples": len(positions),
        "distinct": len(labelled),
        "label_positions": sum(label_cost(p) for p in labelled.values()),
    }
    return positions, [search.optimal_actions(p) for p in positions], counts


def clone(
    positions: list[GameState], targets: list[list[int]], rng: np.random.Generator
) -> cloning.PolicyFit:
    """The policy network fitted to the solver's moves (``daopt.cloning.fit_policy``)."""
    return cloning.fit_policy(
        positions,
        targets,
        rng=rng,
        hidden=BILL.hidden,
        n_epochs=BILL.epochs_for(len(positions)),
        batch_size=BILL.batch_size,
    )


def bc_cell(
    policy: cloning.PolicyAgent | None, sims: int, rng: np.random.Generator, test: list[GameState]
) -> dict[str, float]:
    """One cell of the bc grid: the policy (None: untrained) with ``sims`` simulations."""
    if sims == 0:
        if policy is None:
            return evaluate(arena.RandomAgent(rng), lambda cost: {}, test)
        return evaluate(policy, lambda cost: {"network_passes": cost.network_passes}, test)
    prior = uniform_prior if policy is None else policy.probabilities
    agent = MCTS(sims, rng, c_uct=BILL.c_puct, prior=prior)
    return evaluate(agent, search_counter(policy is not None), test)


def bc_grid(
    seed: int, games_grid: Sequence[int], sims_grid: Sequence[int], test: list[GameState]
) -> dict[str, list]:
    held_out = {p.key() for p in test}
    rows, training = [], []
    for n_games in games_grid:
        start = time.perf_counter()
        policy = None
        record = {"game_positions": 0, "examples": 0, "distinct": 0, "label_positions": 0}
        record.update(network_passes=0, epochs=0, train_accuracy=None)
        if n_games > 0:
            games_rng = np.random.default_rng(seed)  # chapter 5's games for this seed
            positions, targets, counts = training_set(n_games, games_rng, held_out)
            fit = clone(positions, targets, np.random.default_rng([SEED, seed, n_games, 2]))
            policy = fit.agent
            record.update(counts)
            record.update(
                network_passes=fit.network_passes,
                epochs=len(fit.losses),
                train_accuracy=fit.train_accuracy[-1],
            )
        record["seconds"] = time.perf_counter() - start
        training.append(record)
        rows.append(
            [
                bc_cell(policy, s, np.random.default_rng([SEED, seed, n_games, s, 4]), test)
                for s in sims_grid
            ]
        )
        print(f"  bc seed {seed} N={n_games:>6}: {_rates(rows[-1])}", flush=True)
    return {"training": training, "cells": rows}


# -- TD self-play -----------------------------------------------------------------------


def td_cell(
    learner: td.TabularTD, sims: int, rng: np.random.Generator, test: list[GameState]
) -> dict[str, float]:
    """One cell of the td grid: the greedy learner, or search with its table as evaluator."""
    if sims == 0:
        return evaluate(learner, lambda cost: {"table_lookups": cost.table_lookups}, test)
    agent = MCTS(sims, rng, c_uct=BILL.c_puct, prior=uniform_prior, evaluator=learner.value)
    return evaluate(agent, search_counter(False), test)


def td_grid(
    seed: int, games_grid: Sequence[int], sims_grid: Sequence[int], test: list[GameState]
) -> dict[str, list]:
    learner = td.TabularTD(TicTacToe(), np.random.default_rng(seed))
    rows, training, played, positions, moves, seconds = [], [], 0, 0, 0, 0.0
    for n_games in games_grid:
        if n_games > played:
            start = time.perf_counter()
            log = learner.train(n_games - played)
            seconds += time.perf_counter() - start
            played, positions, moves = (
                n_games,
                positions + log.positions_evaluated,
                moves + log.moves,
            )
        # Training touched every child it valued and every position it updated.
        training.append(
            {"positions": positions + moves, "table_size": len(learner.table), "seconds": seconds}
        )
        rows.append(
            [
                td_cell(learner, s, np.random.default_rng([SEED, seed, n_games, s, 5]), test)
                for s in sims_grid
            ]
        )
        print(f"  td seed {seed} N={n_games:>6}: {_rates(rows[-1])}", flush=True)
    return {"training": training, "cells": rows}


def _rates(cells: list[dict[str, float]]) -> str:
    return " ".join(f"{c['rate']:.2f}" for c in cells)


# -- the run ----------------------------------------------------------------------------


def _grid(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, e.g. 0,10,100, got {text!r}"
        ) from None
    if any(v < 0 for v in values) or list(values) != sorted(set(values)):
        raise argparse.ArgumentTypeError(f"expected increasing integers >= 0, got {text!r}")
    return values


def _collect(per_seed: list[dict[str, list]], key: str) -> list:
    """cells[seed][games][sims][key] -> nested lists [seed][games][sims]."""
    return [[[cell[key] for cell in row] for row in run["cells"]] for run in per_seed]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=DEFAULTS["seeds"])
    parser.add_argument("--test-positions", type=int, default=DEFAULTS["test_positions"])
    parser.add_argument("--bc-games", type=_grid, default=DEFAULTS["bc_games"])
    parser.add_argument("--td-games", type=_grid, default=DEFAULTS["td_games"])
    parser.add_argument("--sims", type=_grid, default=DEFAULTS["sims"])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.test_positions < 1:
        parser.error("--seeds and --test-positions must be at least 1")

    start = time.perf_counter()
    test = tic_tac_toe_test_set(args.test_positions)
    solver = evaluate(SolverAgent(), lambda cost: {"solver_nodes": cost.search_nodes}, test)
    print(f"solver: rate {solver['rate']:.3f}, {solver['solver_nodes']:.1f} nodes per decision")
    bc_runs, td_runs = [], []
    for seed in range(args.seeds):
        bc_runs.append(bc_grid(seed, args.bc_games, args.sims, test))
        td_runs.append(td_grid(seed, args.td_games, args.sims, test))

    def learner(runs: list[dict[str, list]], games: Sequence[int]) -> dict[str, Any]:
        return {
            "games": list(games),
            "training": [run["training"] for run in runs],
            "rate": _collect(runs, "rate"),
            "per_decision": {key: _collect(runs, key) for key in (*COUNTS, "seconds")},
        }

    payload: dict[str, Any] = {
        "command": " ".join(["python scripts/bill_grid.py", *(argv or sys.argv[1:])]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "game": "tic-tac-toe",
        "seed": SEED,
        "seeds": args.seeds,
        "test_positions": len(test),
        "test_keys": [p.key() for p in test],
        "c_puct": BILL.c_puct,
        "hidden": list(BILL.hidden),
        "sims": list(args.sims),
        "solver": solver,
        "bc": learner(bc_runs, args.bc_games),
        "td": learner(td_runs, args.td_games),
    }
    payload["seconds"] = round(time.perf_counter() - start, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"saved {args.output} after {payload['seconds']:.0f} s")
    return payload


if __name__ == "__main__":
    main()
