"""Chapter 10 (language models): its key results, read from the values it glued."""

from __future__ import annotations

import pytest
from conftest import ExecutedChapter


@pytest.mark.parametrize("chapter", ["10_language_models"], indirect=True)
def test_language_models_key_results(chapter: ExecutedChapter) -> None:
    """The counts network tracks the Bayes predictive and a window does not; it does
    not adapt outside its mixture, dynamic evaluation does; the direct minimiser of a
    performative loss beats the teacher-forced model; sampling is typical, beam search
    is not; and the C9 score is computed from the outcomes."""
    g = chapter.glued()
    # The source: a rate below log V, and the Bayes loss above it.
    assert 0 < g["entropy_rate"] < g["log_vocab"]
    assert g["bayes_ce"] > g["entropy_rate"]
    # Experiment 1: loss approaches the Bayes floor from above, KL falls.
    assert g["min_test_above_bayes"] > 0
    assert g["kl_late_best"] <= 0.5 * g["kl_late_smallest"]
    assert g["small_train_ce"] < g["small_test_ce"]
    # Experiment 2 targets: KL <= 0.02 from position 32 for a network trained in <= 30 s;
    # a window of 16 visibly above.
    assert g["kl_best_max_32"] <= 0.02
    assert g["best_cpu_seconds"] <= 30
    assert g["kl_window16_mean_32"] >= 3 * g["kl_best_max_32"]
    assert g["kl_bigram_mean_32"] > g["kl_window16_mean_32"]
    # Outside the mixture the static model does not adapt; the ideal learner does.
    assert g["static_minus_ideal"] > 0.3
    assert g["ideal_outside_late"] < g["ideal_outside_early"]
    # Experiment 3 targets: dynamic evaluation >= 0.3 nats better on 8 chains, at
    # 1 + BACKWARD_PASSES passes per token, and it hurts inside the mixture.
    assert g["dyn_gain"] >= 0.3
    assert g["dyn_sources_better"] >= 6
    assert g["dyn_passes"] == 1 + g["backward_passes"]
    assert g["inside_harm"] > 0
    assert g["inside_static"] - g["inside_bayes"] < 0.03
    # Experiment 4: sampled imitators do not beat their teachers; argmax and search do.
    assert g["sampled_excess"] <= 2
    assert g["noisy_argmax_256"] > g["noisy_teacher"]
    assert g["noisy_search100_256"] > g["noisy_argmax_256"]
    # Experiment 5 targets: direct minimiser >= 0.15 nats below at feedback 2; the
    # fixed points multiply as the feedback grows.
    assert g["perf_gap_2"] >= 0.15
    assert g["perf_gap_0"] < 0.01
    assert g["perf_gap_4"] > g["perf_gap_2"]
    assert g["fixed_points_low"] == 1 and g["fixed_points_high"] > 2
    # Experiment 6: sampling is typical, likelihood search is not.
    assert abs(g["dec_sample_true"] - g["entropy_rate"]) < 0.1
    assert g["dec_beam_true"] < g["entropy_rate"] - 0.3
    assert g["dec_greedy_distinct"] < g["dec_sample_distinct"]
    # The counter-arguments: a network trained on K optimiser steps matches them in
    # its training range, not far outside it ...
    assert g["unrolled_kl_in"] < 0.02
    assert g["unrolled_kl_far"] > 10 * g["unrolled_kl_in"]
    # ... and a network trained on a new chain per sequence adapts in context.
    assert g["gen_vs_ideal"] < 0.15
    assert g["gen_inside_cost"] > 0
    # The verdicts the prose describes: A alone where inference meets what training
    # did not contain (2, 3, 5, 6), both where the two descriptions agree (1, 4).
    verdicts = [g[f"verdict_{i}"] for i in range(1, 7)]
    assert verdicts == ["both", "A", "A", "both", "A", "A"]
    assert g["verdict_1_outcome"] == "both descriptions pass"
    # The score adds up.
    total = g["score_A"] + g["score_D"] + g["score_both"] + g["score_neither"]
    assert total == g["score_experiments"] == 6
