"""The scripts behind chapters 5 and 6, rerun at a reduced size: each reproduces
the start of its saved result, and refuses bad arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_script, saved


def test_cloning_curve_reproduces_its_saved_result(tmp_path: Path) -> None:
    output = tmp_path / "cloning.json"
    result = run_script(
        "cloning_curve.py",
        *("--games", "1,10", "--seeds", "0", "--simulations", "10", "--mcts-seeds", "0"),
        *("--output", str(output)),
    )
    assert result.returncode == 0, result.stderr
    rerun, full = json.loads(output.read_text()), saved("cloning_curve.json")
    assert rerun["test"] == full["test"] and rerun["chance_rate"] == full["chance_rate"]
    assert {(r["games"], r["seed"]) for r in rerun["cloning"]} == {(1, 0), (10, 0)}
    for record in rerun["cloning"]:
        original = next(
            r for r in full["cloning"] if (r["games"], r["seed"]) == (record["games"], 0)
        )
        for field in ("positions", "distinct", "epochs", "policy_network_passes"):
            assert record[field] == original[field], field
        for field in ("policy_rate", "value_accuracy", "value_agent_rate"):
            assert record[field] == pytest.approx(original[field], abs=0.03), field
    [mcts] = rerun["mcts"]
    assert mcts["rate"] == next(
        r["rate"] for r in full["mcts"] if (r["simulations"], r["seed"]) == (10, 0)
    )
    # The saved curve covers the sizes the chapter plots, with several seeds.
    assert {r["games"] for r in full["cloning"]} >= {1, 100, 1000, 10000}
    assert len({r["seed"] for r in full["cloning"]}) >= 3


def test_td_tictactoe_reproduces_its_saved_result(tmp_path: Path) -> None:
    output = tmp_path / "td.json"
    result = run_script(
        "td_tictactoe.py",
        *("--seeds", "0", "--epsilons", "0.2", "--games", "300", "--output", str(output)),
    )
    assert result.returncode == 0, result.stderr
    [rerun] = json.loads(output.read_text())["runs"]
    full = saved("td_tictactoe.json")
    original = next(r for r in full["runs"] if (r["seed"], r["epsilon"]) == (0, 0.2))
    n = len(rerun["games"])
    assert rerun["games"] == original["games"][:n] and rerun["games"][-1] == 300
    assert rerun["rates"] == original["rates"][:n]  # table arithmetic: exactly equal
    assert full["test_positions"] == 431 and full["max_games"] >= 3000


def test_td_connect_four_reproduces_its_saved_result(tmp_path: Path) -> None:
    output = tmp_path / "c4.json"
    result = run_script(
        "td_connect_four.py",
        *("--boards", "4x4k3", "--seeds", "0", "--games", "500", "--every", "250"),
        *("--simulations", "10", "--output", str(output)),
    )
    assert result.returncode == 0, result.stderr
    rerun, full = json.loads(output.read_text()), saved("td_connect_four.json")
    [run] = rerun["runs"]
    original = next(r for r in full["runs"] if (r["board"], r["seed"]) == ("4x4k3", 0))
    assert run["games"] == original["games"][:3] == [0, 250, 500]
    assert run["rates"] == pytest.approx(original["rates"][:3], abs=0.03)
    assert rerun["boards"]["4x4k3"] == full["boards"]["4x4k3"]
    [mcts] = rerun["mcts"]
    assert mcts["rate"] == next(
        r["rate"]
        for r in full["mcts"]
        if (r["board"], r["simulations"], r["seed"]) == ("4x4k3", 10, 0)
    )
    assert set(full["boards"]) == {"4x4k3", "5x4"}


@pytest.mark.parametrize(
    ("script", "args", "fragment"),
    [
        ("td_connect_four.py", ["--boards", "6by4"], "COLUMNSxROWS"),
        ("td_connect_four.py", ["--games", "0"], "--games and --every must be positive"),
        ("td_tictactoe.py", ["--epsilons", "0.2,1.5"], "every epsilon in [0, 1]"),
        ("td_tictactoe.py", ["--seeds", "a"], "expected numbers separated by commas"),
        ("cloning_curve.py", ["--games", "0"], "--games and --simulations must be positive"),
        ("cloning_curve.py", ["--seeds", "1,x"], "expected integers separated by commas"),
    ],
)
def test_scripts_refuse_bad_arguments(script: str, args: list[str], fragment: str) -> None:
    result = run_script(script, *args, "--output", "/nonexistent/never-written.json")
    assert result.returncode != 0
    assert fragment in result.stderr
