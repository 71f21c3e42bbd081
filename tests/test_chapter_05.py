"""Chapter 5 (learning from examples): its key results, read from the values it glued."""

from __future__ import annotations

import pytest
from conftest import ExecutedChapter


@pytest.mark.parametrize("chapter", ["05_learning_from_examples"], indirect=True)
def test_learning_from_examples_key_results(chapter: ExecutedChapter) -> None:
    """The hand-built backward pass agrees with finite differences; cloning the
    solver gets better with more training games but plateaus below 100 %, below
    MCTS that trains on nothing; values are harder to learn than moves."""
    g = chapter.glued()
    # The finite-difference check ran, on weights with a gradient, and passed.
    assert g["fd_checked"] >= 40 and g["fd_nonzero"] >= 10
    assert g["fd_worst"] < 1e-7
    # The held-out test set: 200 of the 627 positions, never trained on.
    assert (g["n_test"], g["n_positions"], g["n_learnable"]) == (200, 627, 427)
    assert 30 < g["chance_rate"] < 50
    # The optimal-move rate rises with the training data ...
    assert g["policy_rate_1"] < g["policy_rate_100"] < g["policy_rate_1000"]
    assert g["policy_rate_1"] < g["chance_rate"] + 15
    assert g["policy_rate_1000"] >= 85
    # By 1,000 games the random games show nearly every learnable symmetry class.
    assert 95 <= g["coverage_1000"] <= 100
    assert g["full_coverage_games"] >= 1000
    # The settings glued into the prose are the script's.
    assert (g["train_steps"], g["train_min_epochs"], g["train_max_epochs"]) == (3000, 8, 300)
    # ... to a plateau below perfect play, which MCTS with zero games beats.
    assert g["policy_best"] < 97
    assert g["mcts_rate_100"] > g["policy_best"] > g["mcts_rate_10"]
    assert g["mcts_rate_1000"] >= 99
    assert 10 <= g["mcts_matched"] <= 100
    # The live run in the chapter is one point of the saved curve.
    assert g["live_policy_rate"] == pytest.approx(g["policy_rate_1000"], abs=5)
    # Predicting the value is harder than predicting a good move.
    assert g["value_accuracy_1000"] < g["policy_rate_1000"] - 5
    assert g["value_accuracy_final"] < g["policy_final"]
    # The prose compares the value net with the majority-value baseline, signed.
    gap = g["value_majority"] - g["value_accuracy_1000"]
    assert g["value_majority_side"] == ("below" if gap > 0 else "above")
    assert g["value_majority_gap"] == pytest.approx(abs(gap))
    # One decision of the policy is one forward pass of a 27-64-9 network.
    assert g["policy_multiply_adds"] == 27 * 64 + 64 * 9
    assert g["policy_params"] == 27 * 64 + 64 + 64 * 9 + 9
    assert g["policy_train_passes"] == 3 * g["live_examples"] * g["live_epochs"]
    assert g["mcts_nodes"] > 1 and g["solver_nodes"] > 1
