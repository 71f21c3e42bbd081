"""daopt.cost: the one cost record and its price in position evaluations."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daopt.cost import (
    TRAINING_PASSES_PER_EXAMPLE,
    DecisionCost,
    mean_cost,
    training_passes,
)

counts = st.integers(0, 10**6)


def test_a_search_decision_is_priced_as_positions_plus_passes() -> None:
    cost = DecisionCost(simulations=100, rollout_moves=900, network_passes=3, tree_nodes=101)
    assert cost.positions == 1000  # tree size is reported, not priced
    assert cost.position_evaluations() == 1003
    assert cost.position_evaluations(oracle_call_cost=2, network_pass_cost=10) == 2030


@given(a=st.lists(counts, min_size=6, max_size=6), b=st.lists(counts, min_size=6, max_size=6))
def test_sum_and_mean_are_field_by_field(a: list[int], b: list[int]) -> None:
    first, second = DecisionCost(*a), DecisionCost(*b)
    total = first + second
    assert total.position_evaluations() == first.position_evaluations() + (
        second.position_evaluations()
    )
    mean = mean_cost([first, second])
    assert math.isclose(mean.positions, (first.positions + second.positions) / 2)


def test_training_passes_count_forward_and_backward() -> None:
    assert training_passes(10) == 10 * TRAINING_PASSES_PER_EXAMPLE == 30
    assert training_passes(0) == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"simulations": -1}, ValueError, "simulations must be finite and >= 0, got -1"),
        ({"seconds": math.nan}, ValueError, "seconds"),
        ({"network_passes": "3"}, TypeError, "network_passes must be a number, got '3'"),
        ({"search_nodes": True}, TypeError, "search_nodes"),
    ],
)
def test_bad_counts_are_refused(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        DecisionCost(**kwargs)


def test_bad_prices_and_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="oracle_call_cost"):
        DecisionCost().position_evaluations(oracle_call_cost=-1)
    with pytest.raises(ValueError, match="at least one"):
        mean_cost([])
    with pytest.raises(TypeError, match="DecisionCost records"):
        mean_cost([{"simulations": 1}])
    with pytest.raises(TypeError, match="examples must be an integer"):
        training_passes(2.5)
    with pytest.raises(TypeError):
        DecisionCost() + 1
