"""scripts/bill_grid.py (behind chapter 7), rerun at a reduced size: its cells equal the
saved grid's, and it refuses bad arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SCRIPT = ROOT / "scripts" / "bill_grid.py"
SAVED = ROOT / "scripts" / "results" / "bill_grid.json"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )


def cell(block: dict, seed: int, games: int, sims: list[int], s: int) -> dict:
    """One cell of a saved grid: its rate and its counts per decision (not the seconds)."""
    i, j = block["games"].index(games), sims.index(s)
    counts = {k: v[seed][i][j] for k, v in block["per_decision"].items() if k != "seconds"}
    return {"rate": block["rate"][seed][i][j], **counts}


def test_a_reduced_run_reproduces_the_saved_cells(tmp_path: Path) -> None:
    output = tmp_path / "grid.json"
    args = ("--seeds", "1", "--bc-games", "0,3", "--td-games", "0,30", "--sims", "0,4")
    result = run(*args, "--output", str(output))
    assert result.returncode == 0, result.stderr
    rerun, full = json.loads(output.read_text()), json.loads(SAVED.read_text())
    assert rerun["test_keys"] == full["test_keys"]
    assert rerun["solver"]["solver_nodes"] == full["solver"]["solver_nodes"]
    assert rerun["solver"]["rate"] == full["solver"]["rate"] == 1.0
    for learner, games in (("bc", (0, 3)), ("td", (0, 30))):
        for n in games:
            for s in (0, 4):
                got = cell(rerun[learner], 0, n, rerun["sims"], s)
                want = cell(full[learner], 0, n, full["sims"], s)
                assert got == want, (learner, n, s)
                assert 0.0 <= got["rate"] <= 1.0
    # Training counts, cell by cell (seconds aside).
    saved_training = full["bc"]["training"][0][full["bc"]["games"].index(3)]
    rerun_training = rerun["bc"]["training"][0][1]
    for field in ("game_positions", "examples", "distinct", "label_positions", "network_passes"):
        assert rerun_training[field] == saved_training[field], field
    td_saved = full["td"]["training"][0][full["td"]["games"].index(30)]
    assert rerun["td"]["training"][0][1]["positions"] == td_saved["positions"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--sims", "4,2"), "expected increasing integers >= 0"),
        (("--bc-games", "ten"), "expected comma-separated integers"),
        (("--seeds", "0"), "must be at least 1"),
    ],
)
def test_bad_arguments_are_refused(args, fragment) -> None:
    result = run(*args, "--output", os.devnull)
    assert result.returncode == 2
    assert fragment in result.stderr, result.stderr
