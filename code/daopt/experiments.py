"""The settings of the book's longer experiments, defined once: each is a frozen
record that the script running the experiment (``scripts/``) and the chapter
reading its saved result both import, so that no chapter retypes a script's
constants. Also the held-out tic-tac-toe test positions of chapters 5-7 and the
exact solver's prices in positions, which the bill of chapter 7 counts.

Why here and not in the scripts: ``scripts/`` is not a package, and importing a
script by its path from a chapter would run its command-line set-up; a module
of ``daopt`` is importable from every chapter, script and test, and is tested.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from daopt.arena import sample_positions
from daopt.games import GameState, TicTacToe
from daopt.search import alphabeta
from daopt.validation import positive_int

__all__ = [
    "BILL",
    "TEST_POSITIONS",
    "TEST_SEED",
    "BillSettings",
    "decision_cost",
    "label_cost",
    "tic_tac_toe_test_set",
]

#: The held-out test set of chapters 5-7: this many positions, drawn with this seed.
TEST_POSITIONS, TEST_SEED = 200, 0


def tic_tac_toe_test_set(n: int = TEST_POSITIONS) -> list[GameState]:
    """The held-out test positions of chapters 5-7 (the first ``n``): informative,
    distinct positions from random play, ``daopt.arena.sample_positions`` seeded
    with ``TEST_SEED``."""
    n = positive_int("n", n)
    return sample_positions(TicTacToe(), n, np.random.default_rng(TEST_SEED))


@dataclass(frozen=True)
class BillSettings:
    """The settings of chapter 7's grid (``scripts/bill_grid.py``).

    | field | meaning |
    |---|---|
    | ``seed`` | first entry of every training and search generator's seed |
    | ``c_puct`` | the PUCT constant of every search (a prior's pull against Q) |
    | ``hidden`` | the policy network's hidden widths (features -> 64 ReLU -> 9 logits) |
    | ``batch_size`` | mini-batch rows of every fit |
    | ``min_epochs``, ``min_steps`` | every fit runs at least this many epochs and steps |
    """

    seed: int = 7
    c_puct: float = 1.5
    hidden: tuple[int, ...] = (64,)
    batch_size: int = 32
    min_epochs: int = 20
    min_steps: int = 500

    def epochs_for(self, n_examples: int) -> int:
        """Epochs for ``n_examples`` examples: at least ``min_epochs`` passes over the
        data and at least ``min_steps`` mini-batch steps, so that small sets converge."""
        n_examples = positive_int("n_examples", n_examples)
        steps_per_epoch = math.ceil(n_examples / self.batch_size)
        return max(self.min_epochs, math.ceil(self.min_steps / steps_per_epoch))


BILL = BillSettings()


def label_cost(state: GameState) -> int:
    """Positions the solver visits to find *all* optimal moves of ``state``: one
    alpha-beta search (transposition table, threat ordering) per legal move, from cold."""
    return sum(
        alphabeta(state.play(a), table=True, ordering=True).nodes for a in state.legal_actions()
    )


def decision_cost(state: GameState) -> int:
    """Positions the solver visits to choose *one* optimal move: one alpha-beta search
    of ``state`` from cold (the root's best move falls out of the search)."""
    return alphabeta(state, table=True, ordering=True).nodes
