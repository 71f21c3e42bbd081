"""Imitating weak tic-tac-toe players, and search on top of the imitation; chapter 10
loads the result.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/lm_imitation.py

(a few minutes on one core). For a quick check,
``--games 200 --hidden 16 --simulations 10 --output /tmp/imitation.json``.

Two weak teachers play both sides of ``--games`` games each: a *noisy expert*
(a uniformly random legal move with probability 1/2, otherwise one of the exact
solver's optimal moves at random) and *MCTS with 10 simulations* (random
rollouts). A next-move network (one hidden layer) is trained by cross-entropy
on the moves the teacher played (a softmax over the legal moves only). Each
player is judged by its optimal-move rate on the 200 test positions of
``daopt.arena.sample_positions(TicTacToe(), 200, default_rng(0))``: the teacher
and the network used as a *sampler* (its expected rate, the probability it puts
on optimal moves), the network's most probable move (*argmax*), and PUCT
search with the network as its prior.
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

from daopt import arena, nn, search  # noqa: E402
from daopt.games import TicTacToe  # noqa: E402
from daopt.mcts import MCTS  # noqa: E402

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "lm_imitation.json"
TEST_SIZE, TEST_SEED = 200, 0
STEPS, BATCH = 3000, 64
NOISE = 0.5
TEACHER_SIMULATIONS = 10


def encode(states: list[TicTacToe]) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, 27), the mover's marks, the opponent's and the empty cells; legal (n, 9)."""
    x = np.zeros((len(states), 3, 9))
    for i, s in enumerate(states):
        mine, theirs = ("X", "O") if s.to_play == 0 else ("O", "X")
        for c, mark in enumerate(s.cells()):
            x[i, 0 if mark == mine else 1 if mark == theirs else 2, c] = 1.0
    legal = x[:, 2, :] > 0
    return x.reshape(len(states), 27), legal


class NoisyExpert:
    """A random legal move with probability ``noise``, else a random optimal move."""

    def __init__(self, rng: np.random.Generator, noise: float = NOISE) -> None:
        self.rng, self.noise = rng, noise

    def __call__(self, state: TicTacToe) -> int:
        moves = state.legal_actions()
        if self.rng.random() >= self.noise:
            moves = search.optimal_actions(state)
        return moves[int(self.rng.integers(len(moves)))]


class Imitator:
    """A trained next-move network: ``probs(state)`` (9,), ``__call__`` plays the argmax."""

    def __init__(self, net: nn.MLP) -> None:
        self.net = net

    def probs(self, state: TicTacToe) -> np.ndarray:
        x, legal = encode([state])
        return nn.masked_softmax(self.net.forward(x), legal)[0]

    def __call__(self, state: TicTacToe) -> int:
        return int(np.argmax(self.probs(state)))


def teacher_games(teacher, n_games: int) -> tuple[list[TicTacToe], list[int]]:
    positions, moves = [], []
    for _ in range(n_games):
        state = TicTacToe()
        while not state.is_terminal():
            move = teacher(state)
            positions.append(state)
            moves.append(move)
            state = state.play(move)
    return positions, moves


def train_imitator(positions, moves, hidden: int, seed: int) -> tuple[Imitator, float]:
    x, legal = encode(positions)
    y = np.array(moves)
    rng = np.random.default_rng(seed)
    net = nn.MLP([27, hidden, 9], rng, activation="relu")
    epochs = max(1, math.ceil(STEPS / math.ceil(len(y) / BATCH)))

    def loss(logits, rows):
        return nn.softmax_cross_entropy(logits, y[rows], legal[rows])

    start = time.process_time()
    nn.train(
        net,
        x,
        loss,
        optimiser=nn.Adam(net.params, learning_rate=3e-3),
        n_epochs=epochs,
        batch_size=BATCH,
        rng=rng,
    )
    return Imitator(net), time.process_time() - start


def expected_rate(probs_of, test) -> float:
    """Mean probability put on the optimal moves: the expected rate of a sampler."""
    return float(np.mean([probs_of(s)[search.optimal_actions(s)].sum() for s in test]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=3000)
    parser.add_argument("--hidden", default="16,64,256")
    parser.add_argument("--simulations", default="10,100,1000")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    widths = [int(h) for h in args.hidden.split(",")]
    budgets = [int(s) for s in args.simulations.split(",")]
    if args.games < 1 or min(widths + budgets) < 1:
        parser.error("--games, --hidden and --simulations must be positive")

    start = time.perf_counter()
    test = arena.sample_positions(TicTacToe(), TEST_SIZE, np.random.default_rng(TEST_SEED))
    chance = float(np.mean([len(search.optimal_actions(s)) / len(s.legal_actions()) for s in test]))

    def noisy_probs(s):
        p = np.zeros(9)
        p[s.legal_actions()] += NOISE / len(s.legal_actions())
        best = search.optimal_actions(s)
        p[best] += (1 - NOISE) / len(best)
        return p

    teachers = {
        "noisy expert": (NoisyExpert(np.random.default_rng(1)), expected_rate(noisy_probs, test)),
        f"MCTS, {TEACHER_SIMULATIONS} simulations": (
            MCTS(TEACHER_SIMULATIONS, np.random.default_rng(1)),
            # a stochastic teacher: its rate averaged over 5 searches per position
            float(
                np.mean(
                    [
                        arena.optimal_move_rate(
                            MCTS(TEACHER_SIMULATIONS, np.random.default_rng(r)), test
                        )
                        for r in range(10, 15)
                    ]
                )
            ),
        ),
    }
    out: dict = {
        "command": "OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/lm_imitation.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "games": args.games,
        "test_positions": len(test),
        "chance_rate": chance,
        "plain_mcts": {
            str(b): arena.optimal_move_rate(MCTS(b, np.random.default_rng(2)), test)
            for b in budgets
        },
        "teachers": [],
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    for name, (teacher, teacher_rate) in teachers.items():
        print(f"teacher: {name}", flush=True)
        positions, moves = teacher_games(teacher, args.games)
        entry = {"teacher": name, "rate": teacher_rate, "examples": len(moves), "imitators": []}
        for h in widths:
            imitator, seconds = train_imitator(positions, moves, h, seed=3)
            searched = {}
            for b in budgets:
                agent = MCTS(b, np.random.default_rng(2), c_uct=1.5, prior=imitator.probs)
                searched[str(b)] = arena.optimal_move_rate(agent, test)
            entry["imitators"].append(
                {
                    "hidden": h,
                    "params": imitator.net.n_params,
                    "cpu_seconds": seconds,
                    "sampled_rate": expected_rate(imitator.probs, test),
                    "argmax_rate": arena.optimal_move_rate(imitator, test),
                    "search_rate": searched,
                }
            )
        out["teachers"].append(entry)
    out["seconds"] = time.perf_counter() - start
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.output} in {out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
