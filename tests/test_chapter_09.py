"""Chapter 9 (a hybrid agent): its key results, read from the values it glued."""

from __future__ import annotations

import pytest
from conftest import ExecutedChapter


@pytest.mark.parametrize("chapter", ["09_hybrid"], indirect=True)
def test_hybrid_key_results(chapter: ExecutedChapter) -> None:
    """The test set is as large as promised and judged by the solver; every learned
    agent beats random play; search on top of the network helps; the gated agent is
    at least as strong as its policy at a fraction of PUCT-at-every-move's compute;
    the gate's report is consistent; the prose's verdicts match the numbers."""
    g = chapter.glued()
    assert g["n_test"] >= 1000 and g["checked_late"] >= 10
    assert g["scripts_word"] == ("all" if g["slowest_script_minutes"] < 10 else "not all")
    assert 20 < g["chance_rate"] < 60
    # Every learned policy is far better than chance; cloning beats its chapter-5 cousin.
    for name in ("bc_rate", "exit_rate", "ch5_rate"):
        assert g[name] > g["chance_rate"] + 10, name
    assert g["bc_rate"] > g["ch5_rate"]
    assert g["policy_target_met"] == ("meets" if g["bc_rate"] >= 85 else "misses")
    # What the derived inputs (threat planes, playable cells, line flags) are worth, and
    # the verdict follows the number and its standard error.
    assert g["feature_gain"] == pytest.approx(g["bc_rate"] - g["stones_rate"])
    assert 0 < g["feature_se"] < 3
    measurable = abs(g["feature_gain"]) >= 2 * g["feature_se"]
    assert g["feature_verdict"] == ("more than twice that" if measurable else "within twice that")
    assert ("nothing measurable" in g["feature_meaning"]) == (not measurable)
    # PUCT with the cloned net improves with simulations; the gated agent improves on
    # its policy while spending far less than PUCT at every move.
    assert g["puct_bc_256"] > g["puct_bc_2"]
    assert g["gated_rate"] > g["bc_rate"]
    assert 1 <= g["gated_passes"] < 1 + g["gate_budget"]
    assert g["gated_target_rate"] == ("meets" if g["gated_rate"] >= 95 else "misses")
    assert g["gated_target_passes"] == ("within" if g["gated_passes"] <= 10 else "above")
    # The gate's report: shares in [0, 100], searching is part of planning.
    assert 0 < g["searched_share"] <= g["planned_share"] <= 100
    assert 0 <= g["gate_precision"] <= 100 and 0 <= g["gate_recall"] <= 100
    assert g["gate_share_word"] == ("majority" if g["planned_share"] > 50 else "minority")
    assert g["gate_mostly_word"] == ("does" if g["gate_precision"] > 50 else "does not")
    # Key results of the shipped run: 8,000 labelled games lift the cloned policy to its
    # 85 % target; the gate chosen on validation positions like the test's stays
    # within 10 passes, plans on a minority of moves and reaches its 95 % target,
    # within two points of PUCT at the same compute; calibration on validation
    # carries over to the test set; expert iteration fits in five minutes; the label
    # curve rises.
    assert g["bc_rate"] >= 85 and g["train_games"] >= 8000
    assert g["gated_passes"] <= 10 and g["gated_rate"] >= 95 and g["planned_share"] < 50
    assert abs(g["valid_median_plies"] - g["median_ply"]) <= 1.5
    assert g["gate_vs_puct_gap"] <= 2
    # "Level with" PUCT exactly when the gap is within twice its standard error.
    level = g["gate_vs_puct_gap"] < 2 * g["gate_vs_puct_se"]
    assert (g["gate_vs_puct_word"] == "level with") == level and 0 < g["gate_vs_puct_se"] < 3
    assert g["gate_vs_puct_noise"] == ("within twice" if level else "more than twice")
    # The gate's settings were chosen on validation; the words follow them.
    assert g["valid_best_no_tactics"] > 0 and g["valid_best_tactics"] > 0
    assert g["planned_carry"].startswith("stays" if g["planned_share"] < 50 else "goes over")
    assert g["per_doubling"] > 0  # more labels helped
    assert g["ece_confidence"] < g["raw_test_ece"]
    assert g["exit_seconds"] <= 300
    # The gate was chosen on validation positions within the cost and planning limits.
    assert g["gate_valid_passes"] <= g["max_passes"] and g["gate_valid_planned"] < 50
    # Platt scaling on the validation positions improved the calibration there.
    assert g["cal_valid_ece"] < g["raw_valid_ece"] and g["platt_a"] > 0
    assert g["auc_word"] == ("better" if g["auc_confidence"] > g["auc_peak"] else "worse")
    # Calibration: the learned confidence ranks better than chance.
    assert g["auc_confidence"] > 0.5 and 0 <= g["ece_confidence"] < 0.5
    # Expert iteration: the policy is below its own search, and the verdict matches.
    assert g["distillation_gap"] == pytest.approx(g["puct_exit_at_training"] - g["exit_rate"])
    assert g["exit_target"] == ("within" if g["bc_rate"] - g["exit_rate"] <= 2 else "not within")
    # The rate the target needs, against what the policy's own expert plays.
    assert g["exit_needed"] == pytest.approx(g["bc_rate"] - 2)
    assert g["exit_needed_clause"].startswith(
        "the apprentice" if g["exit_needed"] > g["puct_exit_at_training"] else "better"
    )
    assert g["exit_needed_side"] == (
        "above" if g["exit_needed"] > g["puct_exit_at_training"] else "no more than"
    )
    assert g["exit_minutes_word"].startswith("met" if g["exit_seconds"] <= 300 else "missed")
    # Rollout UCT is far slower per move than the gated agent at the same rate.
    assert g["time_ratio"] > 1
    # Where rollout UCT never reached the rate, the ratio is only a lower bound.
    reached = g["uct_same_rate"] == "reaches"
    expected = "met" if g["time_ratio"] >= 50 else "missed" if reached else "not settled"
    assert g["time_target_word"].startswith(expected)
    assert g["peak_gate_word"] == ("worse" if g["auc_peak"] < g["auc_gate"] else "better")
    # The failures add up, and no tactic was wrong.
    assert g["wrong_policy"] + g["wrong_search"] + g["wrong_tactic"] == g["gated_wrong"]
    assert g["wrong_tactic"] == 0
    assert g["gated_wrong"] == pytest.approx(g["n_test"] * (1 - g["gated_rate"] / 100), abs=0.5)
    # The gate's signal: chosen by cross-validation on validation positions, and the
    # verdict words follow the numbers.
    shipped = g["cv_auc_signal"] > g["cv_auc_head"]
    assert g["signal_vs_head_word"] == ("better" if shipped else "no better")
    assert g["signal_shipped_word"] == ("ships" if shipped else "does not ship")
    assert g["gate_reads"] == ("the learned gate signal" if shipped else "the head")
    assert g["test_signal_word"] == (
        "better" if g["auc_signal"] > g["auc_confidence"] else "no better"
    )
    assert 0.5 < g["auc_gate"] <= 1 and 0 <= g["ece_signal"] < 0.5
    assert 0 <= g["signal_fold_wins"] <= 100
