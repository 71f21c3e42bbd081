"""Chapter 11 (conclusion): its key results, read from the values it glued."""

from __future__ import annotations

import pytest
from conftest import ExecutedChapter


@pytest.mark.parametrize("chapter", ["11_conclusion"], indirect=True)
def test_conclusion_key_results(chapter: ExecutedChapter) -> None:
    """The chart holds every testbed's agents; the decision guide's rows say what the
    chapters measured: search strong without samples, learners cheap with them, the
    hybrid in between and short of its targets, prediction bought with data."""
    g = chapter.glued()
    # The chart: tic-tac-toe, 5x5, two small Connect Four boards, 7x6, two point masses.
    assert g["n_testbeds"] == 7
    assert g["n_points"] >= 200
    # Strength scales differ between testbeds: why each gets its own panel.
    assert 35 < g["ttt_chance"] < 45 and 35 < g["c55_chance"] < 50
    # Direct: the solver is exact and dearer than the amortised agents; MCTS needs
    # tens of evaluations for 90 % and no games.
    assert g["ttt_solver_evals"] > g["ttt_td_evals"] > 1
    assert 10 < g["ttt_mcts_90_evals"] < 500
    # Amortised: cheap per move, strong only after many games.
    assert g["ttt_td_last"] >= 95 and g["ttt_td_last_games"] >= 1000
    assert g["ttt_policy_best"] < 97
    # Semi-amortised is cheaper than plain search at the same target.
    assert g["semi_evals"] < g["direct_evals"]
    assert g["semi_games"] > 0
    # A bigger board: the learner falls behind search with no games.
    assert g["c54_td_rate"] < g["c443_td_rate"]
    assert g["c54_td_rate"] < g["c54_mcts_rate"] - 10
    assert g["c76_rate_max"] < 100
    # The hybrid lies between its policy and exact play, and chapter 9's targets
    # are scored, not assumed.
    assert g["policy_rate"] < g["gated_rate"] < 100
    assert 1 < g["gated_evals"] < 1000
    # Without a network, rollout search needs far more evaluations for the same strength.
    assert g["uct_puct_ratio"] > 10
    assert g["c55_best_policy"] == pytest.approx(g["policy_rate"])
    assert g["gated_vs_puct"] in {"above", "below"}
    # The page and chapter 9 judge the gate against PUCT alike.
    assert g["gated_vs_puct_measured"] in {g["gated_vs_puct"], "level with"}
    assert g["ch9_targets"] == 8 and 0 <= g["ch9_missed"] <= 8
    # The prose names each missed target once, and says "met all" only when none was.
    assert g["ch9_missed_clause"].count("“") == g["ch9_missed"]
    assert g["ch9_missed_clause"].startswith("met all" if g["ch9_missed"] == 0 else "missed")
    assert g["distillation_gap"] == pytest.approx(g["exit_search_55"] - g["exit_rate_55"])
    assert g["distillation_gap"] > 0
    # Chance multiplies the tree; dimension hurts random shooting more than CEM.
    assert g["chance_ratio"] > 2
    assert g["shoot_high"] < g["shoot_low"] and g["shoot_high"] < g["cem_high"]
    assert g["distilled_labels_high"] > g["distilled_labels_low"] > 0
    # Hidden information: the beliefs grow faster with the hidden goals than the
    # fully observed problem's states do.
    assert g["hidden_k"] >= 3
    growth_beliefs = g["hidden_beliefs_k"] / g["hidden_beliefs_1"]
    assert growth_beliefs > 2 * g["hidden_states_k"] / g["hidden_states_1"]
    # Language: within a few hundredths of a nat of Bayes with the counts; a window
    # stays far above; dynamic evaluation pays a forward and a backward pass.
    assert g["lm_best_kl"] < 0.05 < g["lm_window16_kl"]
    assert g["dyn_passes_per_token"] == 3
    assert g["imit_sampled"] < g["imit_teacher"] + 5 < g["imit_search"]
    # Exercise 1: the frontier is not one kind, and the checker passed on the solution.
    assert g["front_size"] >= 2 and g["front_families"] >= 2
    # Exercise 2: repricing a pass can only move network users right, never rollout search.
    assert g["price_joined_1000"] >= g["price_joined_100"] >= 0
    assert g["gated_on_both"] in {"stays on", "does not stay on"}
    # Loading, not recomputing.
    assert g["elapsed"] < 20
