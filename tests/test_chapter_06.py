"""Chapter 6 (learning from reward): its key results, read from the values it glued."""

from __future__ import annotations

import pytest
from conftest import ExecutedChapter


@pytest.mark.parametrize("chapter", ["06_learning_from_reward"], indirect=True)
def test_learning_from_reward_key_results(chapter: ExecutedChapter) -> None:
    """Tabular TD self-play learns tic-tac-toe to 90 % and then 99 % optimal moves
    within a few thousand games; exploration decides the last per cent; a neural TD
    learner on Connect Four stays below search, which needs no games."""
    g = chapter.glued()
    # The state space, counted in the chapter.
    assert (g["n_states"], g["n_classes"], g["n_positions"], g["n_decisive"]) == (
        5478,
        765,
        627,
        431,
    )
    # The live run: 90 % within 1,000 games, 99 % later but within its 3,000.
    assert g["live_to_90"] <= 1000 < g["live_games"]
    assert g["live_to_90"] < g["live_to_99"] <= g["live_games"]
    assert g["live_final"] >= 99
    assert g["live_table"] <= g["n_positions"]
    # Over the script's seeds: every run reached 99 % within its budget.
    assert g["median_to_90"] <= 1000
    assert g["reached_99"] == g["seeds"] >= 5
    assert g["median_to_90"] < g["median_to_99"] <= g["max_games"]
    # The evaluation schedule glued into the prose is the script's.
    assert (g["eval_dense_step"], g["eval_switch"], g["eval_sparse_step"]) == (25, 1000, 100)
    # Without exploration most runs never reach 99 %.
    assert g["greedy_reached_99"] < g["seeds"]
    assert g["greedy_table"] < g["table_mean"]
    # Search with zero games; the table overtakes MCTS-100 only after many games.
    assert g["mcts_10"] < g["mcts_100"] < 100
    assert g["live_to_90"] < g["overtakes_mcts_100"] <= g["live_games"]
    # Neural TD improves on 4x4 (three in a row) but stays below MCTS-100 ...
    assert g["c4_4x4k3_best"] > g["c4_4x4k3_start"] + 3
    assert g["c4_4x4k3_best"] < g["c4_4x4k3_mcts_100"]
    # ... and on 5x4 it is weak: far below MCTS with 1,000 simulations.
    assert g["c4_5x4_best"] > g["c4_5x4_chance"]
    assert g["c4_5x4_best"] < g["c4_5x4_mcts_1000"] - 10
    assert g["c4_games"] >= 1000
    # At our scale, thousands of games, not millions.
    assert 1 < g["games_per_position"] < 100
    assert g["tdgammon_games"] > 100 * g["median_to_99"]
    assert g["chance_rate"] == pytest.approx(40, abs=10)


@pytest.mark.parametrize("chapter", ["06_learning_from_reward"], indirect=True)
def test_pure_q_table_without_look_ahead(chapter: ExecutedChapter) -> None:
    """Without the one-move look-ahead, Q-learning starts at a random mover's rate and
    needs tens of thousands of games where the look-ahead learner needs hundreds."""
    g = chapter.glued()
    assert g["q_seeds"] >= 5 and g["q_live_games"] >= 1000
    assert abs(g["q_start"] - g["chance_rate"]) < 10  # no win rule: a random mover
    assert g["live_start"] > g["q_start"] + 20  # what the look-ahead gives for free
    assert g["q_median_to_90"] >= 10_000 > 1000 >= g["median_to_90"]  # as the page says
    assert g["q_over_td_90"] == pytest.approx(g["q_median_to_90"] / g["median_to_90"])
    assert g["q_reached_99"] >= 1 and g["q_median_to_99"] > g["median_to_99"]
    assert g["q_table"] > g["n_positions"]  # keyed without symmetry, by orientation
    # Samples and compute, counted apart: search plays simulated games, no real ones.
    assert g["mcts_100_real_games"] == 0
    assert g["mcts_100_simulated"] == 100 * g["n_decisive"]
