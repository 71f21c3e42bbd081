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


@pytest.mark.parametrize("chapter", ["05_learning_from_examples"], indirect=True)
def test_search_against_imitation_as_stated(chapter: ExecutedChapter) -> None:
    """The comparison the page states: the matched budget plays about as well as the
    best policy, the next one better, and the smallest search loses to imitation."""
    g = chapter.glued()
    assert g["mcts_rate_matched"] <= g["policy_best"] < g["mcts_rate_beats_best"]
    assert g["mcts_rate_matched"] == pytest.approx(g[f"mcts_rate_{g['mcts_matched']}"])
    assert abs(g["mcts_rate_matched"] - g["policy_best"]) < 3  # "about as well"
    assert g["mcts_matched"] < g["mcts_beats_best"]
    # "loses to every policy cloned from N games or more" (means over seeds).
    assert g["mcts_rate_10"] < g["policy_rate_1000"]
    assert g["policy_beats_mcts_10_games"] <= 1000


@pytest.mark.parametrize("chapter", ["05_learning_from_examples"], indirect=True)
def test_samples_and_compute_are_counted_apart(chapter: ExecutedChapter) -> None:
    """C4 in the book's accounting: search uses no real games and no labels, but
    plays simulated games at every decision; the clone used both real games and labels."""
    g = chapter.glued()
    assert g["mcts_real_games"] == 0
    assert g["mcts_rollouts_per_move"] > 10  # simulated games: compute, not samples
    assert g["mcts_rollouts_test"] == pytest.approx(g["mcts_rollouts_per_move"] * g["n_test"])
    assert g["policy_best_games"] > 0 and g["policy_best_examples"] > g["policy_best_games"]


@pytest.mark.parametrize("chapter", ["05_learning_from_examples"], indirect=True)
def test_break_even_counts_labels_and_training(chapter: ExecutedChapter) -> None:
    """C3: the clone's bill (labels and training) divided by what each decision saves."""
    g = chapter.glued()
    assert g["c3_labels"] == g["live_examples"] > 0
    assert g["c3_labels_cost"] == pytest.approx(g["c3_labels"] * g["c3_label_nodes"])
    assert g["c3_training_cost"] == g["policy_train_passes"]
    bill = g["c3_labels_cost"] + g["c3_training_cost"]
    assert g["c3_label_share"] == pytest.approx(100 * g["c3_labels_cost"] / bill)
    assert g["c3_matched_cost"] > 1
    assert g["c3_break_even"] == pytest.approx(bill / (g["c3_matched_cost"] - 1))
    # The seconds price: positive, and computed from the measured times.
    assert g["c3_break_even_seconds"] > 0
    seconds_saved = g["c3_matched_ms"] / 1e3 - g["policy_us"] / 1e6
    assert g["c3_break_even_seconds"] == pytest.approx(g["c3_bill_seconds"] / seconds_saved)
    # The matched search plays about as well as the policy it is set against.
    assert abs(g["c3_matched_rate"] - g["live_policy_rate"]) < 5
    assert g["c3_price_ratio"] == pytest.approx(g["c3_break_even_seconds"] / g["c3_break_even"])
    assert g["c3_label_share"] > 50  # "which are most of it" (the summary)
