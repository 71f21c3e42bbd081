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

A whole strategy (train once, then answer queries) is priced by
``cost_profile`` as a ``CostProfile`` (fixed + per-query cost), and
``break_even`` says after how many queries paying up front wins (chapter 1's
crossover, chapter 7's bill).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Protocol

import numpy as np

from daopt.validation import as_vector, is_integer, is_real

__all__ = [
    "BACKWARD_PASSES",
    "TRAINING_PASSES_PER_EXAMPLE",
    "CostProfile",
    "DecisionCost",
    "TrainingWork",
    "break_even",
    "cost_profile",
    "mean_cost",
    "training_passes",
]

# A backward pass costs about two forward passes (two matrix products per
# layer instead of one), the usual rule of thumb.
BACKWARD_PASSES = 2
TRAINING_PASSES_PER_EXAMPLE = 1 + BACKWARD_PASSES


def _count(name: str, value: object) -> float:
    """A count or price: a finite real number >= 0 (a float for a mean)."""
    if not is_real(value):
        raise TypeError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
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
            _count(f"DecisionCost.{field.name}", getattr(self, field.name))

    @property
    def positions(self) -> float:
        """Positions examined through the rules (every field priced as a position)."""
        return self.simulations + self.rollout_moves + self.table_lookups + self.search_nodes

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
    if not is_integer(examples):
        raise TypeError(f"examples must be an integer, got {examples!r}")
    if examples < 0:
        raise ValueError(f"examples must be >= 0, got {examples}")
    return int(examples) * TRAINING_PASSES_PER_EXAMPLE


# -- whole strategies: paid up front and per query ------------------------------------


class TrainingWork(Protocol):
    """What training cost, as ``cost_profile`` reads it (e.g. a ``TrainingLog``)."""

    oracle_calls: int
    network_passes: int


@dataclass(frozen=True)
class CostProfile:
    """Cost of answering queries: ``fixed`` paid once (training), ``per_query`` at each query."""

    name: str
    fixed: float
    per_query: float

    def __post_init__(self) -> None:
        _count("fixed", self.fixed)
        _count("per_query", self.per_query)

    def total(self, n_queries: np.ndarray) -> np.ndarray:
        """Total cost after each number of queries in ``n_queries`` (shape (k,))."""
        if isinstance(n_queries, (str, bytes)):
            raise TypeError(f"n_queries must be numbers, got {n_queries!r}")
        n = as_vector("n_queries", np.atleast_1d(n_queries))
        if np.any(n < 0):
            raise ValueError(f"n_queries must be >= 0, got {n_queries!r}")
        return self.fixed + self.per_query * n


def cost_profile(
    name: str,
    *,
    training: TrainingWork | None,
    query_oracle_calls: float | None = None,
    query_network_passes: float | None = None,
    per_decision: DecisionCost | None = None,
    oracle_call_cost: float = 1.0,
    network_pass_cost: float = 1.0,
) -> CostProfile:
    """Price a strategy: oracle calls and network passes, in training and per query.

    The per-query counts may be means (floats), for strategies whose work varies
    from query to query, such as a search's nodes per decision.

    Args:
        name: the strategy's name, for tables and plots.
        training: what training cost (e.g. a ``daopt.amortised.TrainingLog``: any
            record with ``oracle_calls`` and ``network_passes``), or None.
        query_oracle_calls: oracle calls (positions, evaluations of f) per query.
        query_network_passes: network passes per query.
        per_decision: instead of the two counts, an agent's (mean) ``DecisionCost``
            per query, priced by its ``position_evaluations``.
        oracle_call_cost: the price of one oracle call.
        network_pass_cost: the price of one network pass.
    """
    oracle_call_cost = _count("oracle_call_cost", oracle_call_cost)
    network_pass_cost = _count("network_pass_cost", network_pass_cost)
    if per_decision is not None:
        if not isinstance(per_decision, DecisionCost):
            raise TypeError(f"per_decision must be a DecisionCost, got {per_decision!r}")
        if query_oracle_calls is not None or query_network_passes is not None:
            raise ValueError("give per_decision or the two query counts, not both")
    elif query_oracle_calls is None or query_network_passes is None:
        raise TypeError("give query_oracle_calls and query_network_passes, or per_decision")
    else:
        query_oracle_calls = _count("query_oracle_calls", query_oracle_calls)
        query_network_passes = _count("query_network_passes", query_network_passes)
    fixed = 0.0
    if training is not None:
        if not all(hasattr(training, n) for n in ("oracle_calls", "network_passes")):
            raise TypeError(
                "training must be a record with oracle_calls and network_passes "
                f"(e.g. a TrainingLog) or None, got {training!r}"
            )
        calls = _count("training.oracle_calls", training.oracle_calls)
        passes = _count("training.network_passes", training.network_passes)
        fixed = calls * oracle_call_cost + passes * network_pass_cost
    if per_decision is not None:
        per_query = per_decision.position_evaluations(oracle_call_cost, network_pass_cost)
    else:
        per_query = query_oracle_calls * oracle_call_cost + query_network_passes * network_pass_cost
    return CostProfile(name=name, fixed=fixed, per_query=per_query)


def break_even(pay_as_you_go: CostProfile, pay_up_front: CostProfile) -> float:
    """The number of queries N beyond which ``pay_up_front`` is the cheaper strategy for good.

    Solves fixed_a + a * N = fixed_b + b * N for N >= 0. Returns ``math.inf``
    if the up-front strategy's per-query cost is not lower (so for many queries
    it never wins), and 0.0 if it is never more expensive.
    """
    for name, profile in (("pay_as_you_go", pay_as_you_go), ("pay_up_front", pay_up_front)):
        if not isinstance(profile, CostProfile):
            raise TypeError(f"{name} must be a CostProfile, got {profile!r}")
    extra_fixed = pay_up_front.fixed - pay_as_you_go.fixed
    saving_per_query = pay_as_you_go.per_query - pay_up_front.per_query
    if saving_per_query > 0:
        return max(0.0, extra_fixed / saving_per_query)
    if saving_per_query == 0 and extra_fixed <= 0:
        return 0.0
    return math.inf
