"""Chapter 4 (Monte Carlo tree search): its key results, read from the values it
glued, and the script whose saved result it loads, rerun at a reduced size."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, ExecutedChapter

SCRIPT = ROOT / "scripts" / "mcts_budget.py"
SAVED = ROOT / "scripts" / "results" / "mcts_budget.json"


@pytest.mark.parametrize("chapter", ["04_mcts"], indirect=True)
def test_mcts_key_results(chapter: ExecutedChapter) -> None:
    """UCT plays at random with one simulation and, from the rules alone, plays
    an optimal move in nearly every test position with enough simulations."""
    g = chapter.glued()
    # The chapter's minimal UCT matched daopt.mcts over this many simulations.
    assert g["minimal_simulations"] == 2000
    # ... and on Connect Four, where a random game outlasts the first position's
    # legal moves (a rollout cut short there would give different visits).
    assert g["c4_minimal_agrees"] is True
    assert g["c4_minimal_simulations"] >= 500
    for game in ("ttt", "c4"):
        # One simulation tries one random move: a random mover's rate, up to noise.
        assert abs(g[f"{game}_rate_1"] - g[f"{game}_random"]) < 4 * g[f"{game}_random_se"]
        # The page calls the plotted one-simulation points lucky (above random) and
        # reports the mean over seeds, which must sit near the random mover's rate.
        assert g[f"{game}_rate_1_z"] > 0
        assert abs(g[f"{game}_rate_1_seeds_z"]) < 3
        assert abs(g[f"{game}_rate_1_seeds"] - g[f"{game}_random"]) < g[f"{game}_random_se"]
        # The plotted one-simulation point is the seeds' mean, with its standard error.
        assert 0 < g[f"{game}_rate_1_seeds_se"] < g[f"{game}_random_se"]
        # Rates over n positions carry the binomial standard error.
        n = g[f"{game}_positions"]
        rate = g[f"{game}_rate_max"]
        assert g[f"{game}_rate_max_se"] == pytest.approx((rate * (1 - rate) / n) ** 0.5)
        # The 95 % interval is not empty even when every position was right.
        assert 0 < g[f"{game}_rate_max_low"] < rate
        # The rate rises with simulations to a high level.
        assert g[f"{game}_rate_max"] >= g[f"{game}_rate_1"] + 0.3
        assert g[f"{game}_rate_max"] >= 0.95
    assert g["budget_max"] == 3000
    assert g["c4_positions"] >= 30 and g["ttt_positions"] >= 50
    # The shown position: wrong at 30 simulations, settled on optimal moves by 300.
    assert 30 < g["shown_settled"] <= 300
    assert g["visits_share_many"] > 0.5
    # Harder positions (saved by the script): rising, but not all solved at 3,000.
    assert g["hard_rate_max"] > g["hard_rate_1"]
    assert g["hard_rate_3000"] < g["c4_rate_max"]
    # ... and the plateau: little gained from 300 to the largest budget, some still wrong.
    assert abs(g["hard_rate_max"] - g["hard_rate_300"]) <= 0.1
    # "within one standard error" on the page: the plateau's step is within noise.
    assert abs(g["hard_rate_max"] - g["hard_rate_300"]) <= 2 * g["hard_rate_max_se"]
    assert g["hard_rate_max_low"] < g["hard_rate_max"] < g["hard_rate_max_high"]
    assert g["hard_compute_ratio"] == g["hard_budget_max"] / g["hard_knee"]
    assert g["hard_wrong_max"] >= 1 and g["hard_rate_max"] < 1
    assert g["trap_right"] < g["trap_budgets"]
    # Compute per decision is counted.
    assert g["c4_nodes_1000"] > 100 and g["c4_steps_1000"] > g["c4_nodes_1000"]
    # The widget's search in chunks visits as whole searches from the same seed.
    assert g["chunked_same_visits"] is True


def test_saved_budget_result_is_consistent() -> None:
    saved = json.loads(SAVED.read_text())
    budgets, records = saved["budgets"], saved["positions"]
    assert budgets == sorted(set(budgets)) and budgets[0] == 1
    assert len(records) == 40
    for record in records:
        assert saved["min_moves"] <= record["moves_played"] <= saved["max_moves"]
        assert set(record["optimal"]) < set(record["legal"])  # informative positions only
        assert set(record["choices"]) <= set(record["legal"])
        assert record["nodes"] == sorted(record["nodes"])
    for index, rate in enumerate(saved["rates"]):
        hits = [r["choices"][index] in r["optimal"] for r in records]
        assert rate == sum(hits) / len(hits)
    assert saved["rates"][-1] > saved["rates"][0]


def test_budget_script_is_reproducible_at_a_reduced_size(tmp_path) -> None:
    command = [
        sys.executable,
        str(SCRIPT),
        "--positions", "2",
        "--min-moves", "24",
        "--max-moves", "26",
        "--budgets", "1,10,100",
    ]  # fmt: skip
    runs = []
    for name in ("a.json", "b.json"):
        subprocess.run(
            [*command, "--output", str(tmp_path / name)], check=True, capture_output=True, cwd=ROOT
        )
        runs.append(json.loads((tmp_path / name).read_text()))
    first, second = runs
    assert first["budgets"] == [1, 10, 100] and len(first["positions"]) == 2
    assert [r["choices"] for r in first["positions"]] == [r["choices"] for r in second["positions"]]
    assert first["rates"] == second["rates"]


def test_budget_script_refuses_bad_budgets(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--budgets", "10,5", "--output", str(tmp_path / "x.json")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "budgets must be increasing" in result.stderr
