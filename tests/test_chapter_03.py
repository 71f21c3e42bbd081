"""Chapter 3 (exhaustive search): its key results, read from the values it
glued, and the script whose saved result it loads, rerun at a reduced size."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT, ExecutedChapter

SCRIPT = ROOT / "scripts" / "solve_small_boards.py"
SAVED = ROOT / "scripts" / "results" / "small_boards.json"


@pytest.mark.parametrize("chapter", ["03_exhaustive_search"], indirect=True)
def test_exhaustive_search_key_results(chapter: ExecutedChapter) -> None:
    """Tic-tac-toe is a draw, proved from the rules; each search idea visits
    strictly fewer positions; 4x4 and 5x4 Connect Four are draws and 6x4 a
    second-player win."""
    g = chapter.glued()
    assert g["ttt_value"] == 0 and g["ttt_outcome"] == "a draw"
    assert g["training_games"] == 0
    # The full game tree of tic-tac-toe, as counted in the literature.
    assert g["nodes_minimax"] == 549_946
    assert g["nodes_minimax"] > g["nodes_alphabeta"] > g["nodes_table"] > g["nodes_ordering"]
    assert g["saving_total"] == pytest.approx(g["nodes_minimax"] / g["nodes_ordering"])
    assert (g["ttt_optimal_first"], g["ttt_distinct_first"]) == (9, 3)
    assert (g["c4_4x4_value"], g["c4_5x4_value"], g["c4_6x4_value"]) == (0, 0, -1)
    assert g["c4_6x4_outcome"] == "a second-player win"
    assert g["c4_4x4_nodes"] < g["c4_5x4_nodes"] < g["c4_6x4_nodes"]
    # Cost grows with the board: more than one extra position per extra cell.
    assert g["growth_per_cell"] > 1
    # The costliest board is not the one with most cells, and its own rate is quoted.
    assert g["costliest_cells"] < g["most_cells"]
    assert g["costliest_rate"] == pytest.approx(g["costliest_nodes"] / g["costliest_seconds"])


def test_small_boards_script_reproduces_its_saved_result(tmp_path) -> None:
    output = tmp_path / "small.json"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--boards", "4x4,5x4", "--output", str(output)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    rerun = {r["board"]: r for r in json.loads(output.read_text())["boards"]}
    saved = {r["board"]: r for r in json.loads(SAVED.read_text())["boards"]}
    assert set(rerun) == {"4x4", "5x4"}
    for board, record in rerun.items():
        assert record["value"] == 0 and record["exact_score"] == 0
        assert (record["value"], record["nodes"]) == (saved[board]["value"], saved[board]["nodes"])
    # The saved table holds the larger boards the chapter reports.
    assert saved["6x4"]["value"] == -1
    assert all(saved[b]["value"] == 0 for b in ("4x5", "4x6", "5x5", "5x6", "6x5", "7x4"))


def test_small_boards_script_refuses_a_bad_board(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--boards", "6by4", "--output", str(tmp_path / "x.json")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "COLUMNSxROWS" in result.stderr


@pytest.mark.parametrize("chapter", ["03_exhaustive_search"], indirect=True)
def test_board_timings_as_stated(chapter: ExecutedChapter) -> None:
    """The page quotes the script's boards from the fastest (under a minute) to
    those over a minute, instead of calling them all slower than the live ones."""
    g = chapter.glued()
    assert g["c4_larger_fastest_board"] and g["c4_over_minute_boards"]
    assert g["c4_larger_fastest_seconds"] < 60 < g["costliest_seconds"]
