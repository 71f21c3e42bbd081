"""Chapter 8, "Where direct optimisation breaks": each section's key result, read from
the values the chapter glued, and the control script rerun at a reduced size."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import RESULTS, SCRIPTS, ExecutedChapter, run_script

SCRIPT = SCRIPTS / "limits_control.py"
SAVED = RESULTS / "limits_control.json"
REACH = RESULTS / "limits_cost_to_reach.json"


@pytest.mark.parametrize("chapter", ["08_limits"], indirect=True)
def test_branching_and_depth(chapter: ExecutedChapter) -> None:
    """The tree grows by the branching factor per ply, alpha-beta by about its
    square root; the projections are the glued arithmetic."""
    g = chapter.glued()
    assert 6.5 < g["rate_c4_tree"] < 7.5  # seven columns
    assert 1.0 < g["rate_c4_alphabeta"] < 1.3 * g["rate_c4_sqrt"]
    assert g["rate_ttt_alphabeta"] < g["rate_ttt_tree"]
    assert g["per_cell"] > 1.3
    assert g["solve_42_hours"] == pytest.approx(g["nodes_42"] / g["solver_rate"] / 3600)
    best_case_10 = 35**5 + 35**5 - 1  # Knuth and Moore's minimal tree, depth 10
    assert g["chess10_minutes"] == pytest.approx(best_case_10 / g["alphabeta_rate"] / 60)
    assert g["chess80_log10_years"] > 40
    assert 2 <= g["chess_plies_gained"] <= 6


@pytest.mark.parametrize("chapter", ["08_limits"], indirect=True)
def test_chance(chapter: ExecutedChapter) -> None:
    """Chance multiplies the tree by the number of outcomes and weakens pruning, not the
    set of positions; MCTS's regret falls with its budget at every slip."""
    g = chapter.glued()
    assert g["full_tree"] == 549_946
    assert g["full_tree"] < g["full_orthogonal"] < g["full_adjacent"] < g["full_anywhere"]
    assert g["full_ratio_adjacent"] > 1000
    assert g["kept_star1"] > g["kept_alphabeta"]
    assert g["table_noisy"] < 3 * g["table_plain"]
    assert g["value_noisy"] > 0.1  # noise turns the draw into a first-player edge
    for p in (0, 10, 30):
        assert g[f"regret_{p}_300"] < g[f"regret_{p}_30"]
    assert g["optimal_30_300"] < g["optimal_0_300"]
    assert g["regret_30_30"] < g["regret_0_30"]  # noise makes wrong choices cheaper


@pytest.mark.parametrize("chapter", ["08_limits"], indirect=True)
def test_hidden_information(chapter: ExecutedChapter) -> None:
    """Beliefs grow geometrically with the hidden goals, the fully observed problem
    about linearly; a short memory recovers the planner's return, a reactive policy
    does not."""
    g = chapter.glued()
    assert g["belief_rate"] > 1.5
    assert g["backup_rate_informed"] < 1.4 < g["backup_rate_hidden"]
    assert g["backups_ratio_k_max"] > 10
    assert g["planner_value"] < g["informed_value"]
    assert g["policy_value_m2"] > 0.9 * g["planner_value"]
    assert g["policy_value_m1"] < g["random_value"] + 0.05
    assert g["random_over_reactive"] > 1.5  # the page calls it several times worse
    assert g["policy_value_m1"] < g["policy_value_m2"] - 0.3


@pytest.mark.parametrize("chapter", ["08_limits"], indirect=True)
def test_statements_the_measurements_support(chapter: ExecutedChapter) -> None:
    """Depth 7 falls short of 7^7 only by the moves into a full column; the memory
    policy's lead over the planner is within the noise, and below the planner's exact
    value, which no policy can beat in expectation."""
    g = chapter.glued()
    assert g["c4_level_depth"] == 7 and g["c4_level_missing"] == 7
    # The planner is optimal: a sampled mean above its exact value is noise.
    assert abs(g["memory_minus_planner"]) < 2 * g["memory_minus_planner_se"]
    assert g["memory_minus_exact"] < 2 * g["memory_value_se"]
    assert abs(g["planner_value"] - g["planner_exact"]) < 2 * g["planner_value_se"]
    assert 0 < g["planner_value_se"] < 0.05 and 0 < g["random_value_se"] < 0.05


@pytest.mark.parametrize("chapter", ["08_limits"], indirect=True)
def test_continuous_control(chapter: ExecutedChapter) -> None:
    """Random shooting degrades steeply with the dimension, CEM less; the distilled
    policy costs d x 2d multiply-adds per step whatever the planner's budget."""
    g = chapter.glued()
    assert g["score_shooting_32"] < g["score_shooting_1"] - 0.15
    assert g["score_cem_32"] < g["score_cem_1"]
    drop_shooting = g["score_shooting_1"] - g["score_shooting_32"]
    drop_cem = g["score_cem_1"] - g["score_cem_32"]
    assert drop_cem < drop_shooting / 2
    assert g["shooting_reach_max_d"] < g["d_max"]
    assert g["distilled_macs_max"] == 2 * g["d_max"] ** 2
    assert 0.5 < g["distilled_32"] < g["score_cem_32"]
    for d in (1, g["d_max"]):  # below its teacher, the CEM run that labelled its data
        assert g[f"distilled_{d}"] < g[f"teacher_score_{d}"]


def test_control_script_reproduces_its_saved_result(tmp_path: Path) -> None:
    """A smaller run gives exactly the matching entries of the saved full run."""
    output = tmp_path / "control.json"
    result = run_script(
        SCRIPT.name,
        *("--dims", "1,4", "--samples", "10,30", "--starts", "2"),
        "--output",
        str(output),
    )
    assert result.returncode == 0, result.stderr
    rerun = {r["dim"]: r for r in json.loads(output.read_text())["results"]}
    saved = {r["dim"]: r for r in json.loads(SAVED.read_text())["results"]}
    assert set(rerun) == {1, 4}
    for d, record in rerun.items():
        full = saved[d]
        assert record["lqr"] == pytest.approx(full["lqr"][:2], rel=1e-9)
        for entry in record["planners"]:
            match = next(
                p
                for p in full["planners"]
                if (p["planner"], p["samples"]) == (entry["planner"], entry["samples"])
            )
            assert entry["returns"] == pytest.approx(match["returns"][:2], rel=1e-9)
            assert entry["evaluations_per_step"] == match["evaluations_per_step"]
        assert record["distilled"]["returns"] == pytest.approx(
            full["distilled"]["returns"][:2], rel=1e-9
        )
    # The saved sweep covers what the chapter plots.
    assert sorted(saved) == [1, 2, 4, 8, 16, 32]
    assert all(math.isfinite(r) for rec in saved.values() for r in rec["zero"])


@pytest.mark.parametrize("chapter", ["08_limits"], indirect=True)
def test_cost_to_reach_a_fixed_score(chapter: ExecutedChapter) -> None:
    """The cost to a fixed score rises steeply and then meets a wall; on the rising
    points a power law fits better than an exponential, as the page says."""
    g = chapter.glued()
    assert g["reach_d_max"] == 64 and g["reach_starts"] == 8
    assert g["reach_points"] >= 3
    assert g["reach_power_rss"] < g["reach_exp_rss"]
    assert g["reach_power"] > 1  # steep: faster than linear
    rising = [int(n.replace(",", "")) for n in g["reach_rising"].split(", ")]
    assert rising == sorted(rising) and rising[-1] >= 10 * rising[0]
    # The wall: both planners' best scores fall with d; CEM keeps 0.9 further out.
    for name in ("shooting", "cem"):
        assert g[f"plateau_{name}_last"] < g[f"plateau_{name}_first"] - 0.1
    assert g["wall_shooting"] < g["wall_cem"] < g["reach_d_max"]


def test_cost_to_reach_run_reproduces_its_saved_result(tmp_path: Path) -> None:
    """The second sweep is the same script: a smaller run gives its entries exactly."""
    output = tmp_path / "reach.json"
    result = run_script(
        SCRIPT.name,
        *("--dims", "2", "--samples", "20,50", "--starts", "2"),
        "--output",
        str(output),
    )
    assert result.returncode == 0, result.stderr
    rerun = json.loads(output.read_text())["results"][0]
    saved = next(r for r in json.loads(REACH.read_text())["results"] if r["dim"] == 2)
    for entry in rerun["planners"]:
        match = next(
            p
            for p in saved["planners"]
            if (p["planner"], p["samples"]) == (entry["planner"], entry["samples"])
        )
        assert entry["returns"] == pytest.approx(match["returns"][:2], rel=1e-9)
