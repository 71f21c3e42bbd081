"""scripts/q_tictactoe.py (chapter 6's pure Q-table): rerun at a reduced size, it
reproduces the start of its saved result exactly."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "q_tictactoe.py"
SAVED = ROOT / "scripts" / "results" / "q_tictactoe.json"


def test_saved_result_is_consistent() -> None:
    saved = json.loads(SAVED.read_text())
    runs = saved["runs"]
    assert len(runs) >= 5 and saved["test_positions"] == 431
    for run in runs:
        assert run["games"] == sorted(run["games"]) and run["games"][0] == 0
        assert len(run["rates"]) == len(run["games"])
        assert all(0 <= r <= 1 for r in run["rates"])
        assert run["rates"][-1] > run["rates"][0] + 0.4  # it does learn
        assert run["updates"] >= 5 * run["games"][-1]  # at least five moves a game


def test_reduced_run_reproduces_the_saved_start(tmp_path) -> None:
    output = tmp_path / "q.json"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--seeds", "1", "--games", "300", "--output", str(output)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    rerun = json.loads(output.read_text())["runs"][0]
    saved = json.loads(SAVED.read_text())["runs"][0]
    assert rerun["games"] == [0, 100, 300]
    assert rerun["rates"] == saved["rates"][:3]


def test_refuses_bad_arguments(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--seeds", "0", "--output", str(tmp_path / "x.json")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode != 0 and "--seeds must be >= 1" in result.stderr
