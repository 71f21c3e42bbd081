"""Behaviour cloning and value regression on tic-tac-toe as the training data grows,
with Monte Carlo tree search (no training at all) as the reference; chapter 5 loads it.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/cloning_curve.py

(a few minutes on 2 cores). For a quick check,
``--games 1,10 --seeds 0 --simulations 10 --output /tmp/cloning.json``.

The held-out test set is 200 positions drawn by ``daopt.arena.sample_positions``
(seed 0: informative, one per symmetry class). For each number of games and seed,
the training positions are every position of that many uniformly random games
(``daopt.features.random_play_positions`` with ``default_rng(seed)``; the first games
are shared across sizes), less any position equal to a test position up to symmetry.
A policy network is trained on all of the exact solver's optimal moves (uniform over
them) and a value network on the solver's values; both are judged by the
optimal-move rate on the test set. Seconds are machine-dependent.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from daopt import arena, cloning, features, search  # noqa: E402
from daopt.experiments import TEST_POSITIONS, TEST_SEED, tic_tac_toe_test_set  # noqa: E402
from daopt.games import TicTacToe  # noqa: E402
from daopt.mcts import MCTS  # noqa: E402

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "cloning_curve.json"
DEFAULT_GAMES = (1, 3, 10, 30, 100, 300, 1000, 3000, 10000)
DEFAULT_SIMULATIONS = (3, 10, 30, 100, 300, 1000)
# Training length: about STEPS mini-batches of BATCH examples, but at least
# MIN_EPOCHS passes over the data and at most MAX_EPOCHS (tiny data sets).
STEPS, BATCH, MIN_EPOCHS, MAX_EPOCHS = 3000, 32, 8, 300
POLICY_HIDDEN, VALUE_HIDDEN = (64,), (64, 64)


def n_epochs(n_examples: int) -> int:
    """Epochs for ``n_examples``: about ``STEPS`` optimiser steps, within the bounds."""
    batches = math.ceil(n_examples / BATCH)
    return min(MAX_EPOCHS, max(MIN_EPOCHS, math.ceil(STEPS / batches)))


def clone(n_games: int, seed: int, test: list[TicTacToe]) -> dict[str, object]:
    """Train a policy and a value network on ``n_games`` random games; judge both."""
    exclude = {s.key() for s in test}
    positions = features.random_play_positions(
        TicTacToe(), n_games, np.random.default_rng(seed), exclude=exclude
    )
    record: dict[str, object] = {
        "games": n_games,
        "seed": seed,
        "positions": len(positions),
        "distinct": len({s.key() for s in positions}),
    }
    if not positions:  # every position of these games is held out
        return {**record, "epochs": 0, "policy_rate": None, "value_agent_rate": None}
    epochs = n_epochs(len(positions))
    start = time.perf_counter()
    policy = cloning.fit_policy(
        positions,
        [search.optimal_actions(s) for s in positions],
        rng=np.random.default_rng(seed),
        hidden=POLICY_HIDDEN,
        n_epochs=epochs,
        batch_size=BATCH,
    )
    policy_seconds = time.perf_counter() - start
    start = time.perf_counter()
    value = cloning.fit_value(
        positions,
        [search.solve(s) for s in positions],
        rng=np.random.default_rng(seed),
        hidden=VALUE_HIDDEN,
        n_epochs=epochs,
        batch_size=BATCH,
        test_states=test,
        test_values=[search.solve(s) for s in test],
    )
    value_seconds = time.perf_counter() - start
    return {
        **record,
        "epochs": epochs,
        "policy_rate": arena.optimal_move_rate(policy.agent, test),
        "policy_train_accuracy": policy.train_accuracy[-1],
        "policy_network_passes": policy.network_passes,
        "policy_seconds": round(policy_seconds, 3),
        "value_accuracy": value.test_accuracy[-1],
        "value_train_accuracy": value.train_accuracy[-1],
        "value_agent_rate": arena.optimal_move_rate(value.agent, test),
        "value_network_passes": value.network_passes,
        "value_seconds": round(value_seconds, 3),
    }


def mcts_reference(simulations: int, seed: int, test: list[TicTacToe]) -> dict[str, object]:
    """MCTS with random rollouts and no training: its optimal-move rate and compute."""
    agent = MCTS(simulations, np.random.default_rng(seed))
    start = time.perf_counter()
    hits, nodes, steps = 0, 0, 0
    for position in test:
        hits += agent(position) in search.optimal_actions(position)
        nodes += agent.last_cost.tree_nodes
        steps += agent.last_cost.rollout_moves
    return {
        "simulations": simulations,
        "seed": seed,
        "rate": hits / len(test),
        "nodes_per_decision": nodes / len(test),
        "rollout_steps_per_decision": steps / len(test),
        "seconds_per_decision": (time.perf_counter() - start) / len(test),
    }


def int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected integers separated by commas, got {text!r}"
        ) from None
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError(f"expected non-negative integers, got {text!r}")
    return values


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--games", type=int_list, default=list(DEFAULT_GAMES))
    parser.add_argument("--seeds", type=int_list, default=[0, 1, 2, 3, 4])
    parser.add_argument("--simulations", type=int_list, default=list(DEFAULT_SIMULATIONS))
    parser.add_argument("--mcts-seeds", type=int_list, default=[0, 1, 2, 3, 4])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if min(args.games) < 1 or min(args.simulations) < 1:
        parser.error("--games and --simulations must be positive")

    began = time.perf_counter()
    test = tic_tac_toe_test_set()
    chance = float(np.mean([len(search.optimal_actions(s)) / len(s.legal_actions()) for s in test]))
    records = []
    for n_games in args.games:
        for seed in args.seeds:
            records.append(clone(n_games, seed, test))
            print(json.dumps(records[-1]), flush=True)
    reference = []
    for simulations in args.simulations:
        for seed in args.mcts_seeds:
            reference.append(mcts_reference(simulations, seed, test))
            print(json.dumps(reference[-1]), flush=True)
    result = {
        "command": (
            "OPENBLAS_NUM_THREADS=1 python scripts/cloning_curve.py "
            + " ".join(argv if argv is not None else sys.argv[1:])
        ).strip(),
        "test": {"size": TEST_POSITIONS, "seed": TEST_SEED, "cells": [s.cells() for s in test]},
        "chance_rate": chance,
        "training": {
            "steps": STEPS,
            "batch_size": BATCH,
            "min_epochs": MIN_EPOCHS,
            "max_epochs": MAX_EPOCHS,
            "policy_hidden": list(POLICY_HIDDEN),
            "value_hidden": list(VALUE_HIDDEN),
        },
        "cloning": records,
        "mcts": reference,
        "seconds": round(time.perf_counter() - began, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"saved {args.output} in {result['seconds']} s")


if __name__ == "__main__":
    main()
