"""One unit of compute for the whole book: what a decision, or training, costs.

Every agent reports the compute of its last decision as a ``DecisionCost``
(its attribute ``last_cost``). The record counts two kinds of work:

- **positions** generated and examined through the rules: a simulation of
  Monte Carlo tree search (each ends at one leaf position), a node of an
  exhaustive or tactical search, a move of a rollout, a look-up in a value
  table;
- **network passes**: one forward pass of a network on one position.

``position_evaluations`` prices both in the book's one unit (chapter 7):
``oracle_call_cost`` per position and ``network_pass_cost`` per pass, both 1
by default. Training is priced in the same unit: a backward pass counts as
``BACKWARD_PASSES`` forward passes, so one training example costs
``TRAINING_PASSES_PER_EXAMPLE`` passes.

| field | counts | priced as |
|---|---|---|
| ``simulations`` | MCTS simulations | a position each |
| ``search_nodes`` | nodes of exhaustive or tactical search | a position each |
| ``rollout_moves`` | moves played in random rollouts | a position each |
| ``table_lookups`` | look-ups in a learned value table | a position each |
| ``network_passes`` | forward passes on one position | a network pass each |
| ``tree_nodes`` | nodes an MCTS tree holds (size, for reference) | not priced |
| ``seconds`` | measured wall time | not priced (machine-dependent) |
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, fields

__all__ = [
    "BACKWARD_PASSES",
    "TRAINING_PASSES_PER_EXAMPLE",
    "DecisionCost",
    "mean_cost",
    "training_passes",
]

# A backward pass costs about two forward passes (two matrix products per
# layer instead of one), the usual rule of thumb.
BACKWARD_PASSES = 2
TRAINING_PASSES_PER_EXAMPLE = 1 + BACKWARD_PASSES


def _count(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"DecisionCost.{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"DecisionCost.{name} must be finite and >= 0, got {value!r}")
    return number


@dataclass(frozen=True)
class DecisionCost:
    """The compute of one decision (or, from ``mean_cost``, the mean of many).

    Counts are whole numbers for one decision and may be fractional for a
    mean; all are finite and >= 0. See the module's table for what each
    field counts and how it is priced.
    """

    simulations: float = 0
    search_nodes: float = 0
    rollout_moves: float = 0
    table_lookups: float = 0
    network_passes: float = 0
    tree_nodes: float = 0
    seconds: float = 0.0

    def __post_init__(self) -> None:
        for field in fields(self):
            _count(field.name, getattr(self, field.name))

    @property
    def positions(self) -> float:
        """Positions examined through the rules (every field priced as a position)."""
        return self.simulations + self.search_nodes + self.rollout_moves + self.table_lookups

    def position_evaluations(
        self, oracle_call_cost: float = 1.0, network_pass_cost: float = 1.0
    ) -> float:
        """The decision's price in the book's unit: positions and passes, each at its price."""
        oracle = _count("oracle_call_cost", oracle_call_cost)
        network = _count("network_pass_cost", network_pass_cost)
        return oracle * self.positions + network * self.network_passes

    def __add__(self, other: DecisionCost) -> DecisionCost:
        """Field-by-field sum: the cost of doing both pieces of work."""
        if not isinstance(other, DecisionCost):
            return NotImplemented
        return DecisionCost(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def as_dict(self) -> dict[str, float]:
        """The fields as a plain dict (for JSON results and tables)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def mean_cost(costs: Iterable[DecisionCost]) -> DecisionCost:
    """The field-by-field mean of at least one ``DecisionCost``."""
    costs = list(costs)
    if not costs:
        raise ValueError("mean_cost needs at least one DecisionCost, got none")
    for cost in costs:
        if not isinstance(cost, DecisionCost):
            raise TypeError(f"mean_cost takes DecisionCost records, got {cost!r}")
    total = sum(costs[1:], costs[0])
    return DecisionCost(**{name: value / len(costs) for name, value in total.as_dict().items()})


def training_passes(examples: int) -> int:
    """Network passes that training on ``examples`` examples costs (forward + backward)."""
    if isinstance(examples, bool) or not isinstance(examples, numbers.Integral):
        raise TypeError(f"examples must be an integer, got {examples!r}")
    if examples < 0:
        raise ValueError(f"examples must be >= 0, got {examples}")
    return int(examples) * TRAINING_PASSES_PER_EXAMPLE
