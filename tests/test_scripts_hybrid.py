"""The scripts behind chapter 9, rerun at a reduced size: each runs, writes results
of the saved shape, reproduces the start of the saved data, and refuses bad arguments."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import RESULTS, SCRIPTS, run_script

from daopt import hybrid


@pytest.fixture(scope="module")
def small_positions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hybrid") / "positions.npz"
    result = run_script(
        "hybrid_positions.py", "--test", "40", "--train-games", "6", "--output", str(path)
    )
    assert result.returncode == 0, result.stderr
    return path


def test_positions_reproduce_the_saved_test_set(small_positions: Path) -> None:
    small, full = np.load(small_positions), np.load(RESULTS / "hybrid_positions.npz")
    test = small["split"] == 0
    assert test.sum() == 40 and (small["split"] == 1).sum() > 0
    # The first test positions and their labels are the saved ones.
    saved_test = full["split"] == 0
    assert list(small["moves"][test]) == list(full["moves"][saved_test][:40])
    assert np.array_equal(small["values"][test], full["values"][saved_test][:40])
    # Every test position is informative; no training position shares a test class.
    from daopt.games import ConnectFour

    states = [ConnectFour.from_moves(str(m), 5, 5) for m in small["moves"]]
    keys = [s.key() for s in states]
    test_keys = {k for k, t in zip(keys, test, strict=True) if t}
    assert len(test_keys) == 40
    assert not any(k in test_keys for k, t in zip(keys, test, strict=True) if not t)
    for values, state in zip(small["values"][test], np.array(states)[test], strict=True):
        legal = [values[a] for a in state.legal_actions()]
        assert min(legal) < max(legal)


def test_positions_extended_equal_one_long_run(small_positions: Path, tmp_path: Path) -> None:
    first, extended = tmp_path / "first.npz", tmp_path / "extended.npz"
    result = run_script(
        "hybrid_positions.py", "--test", "40", "--train-games", "2", "--output", str(first)
    )
    assert result.returncode == 0, result.stderr
    result = run_script(
        "hybrid_positions.py",
        *("--extend", str(first), "--train-games", "4", "--output", str(extended)),
    )
    assert result.returncode == 0, result.stderr
    one, two = np.load(small_positions), np.load(extended)
    assert (two["split"] == 1).sum() > (np.load(first)["split"] == 1).sum()
    for column in ("moves", "values", "split", "game"):
        assert np.array_equal(one[column], two[column]), column
    meta = json.loads(str(two["meta"]))
    assert meta["train_games"] == 6 and len(meta["commands"]) == len(meta["stage_seconds"]) == 2
    assert "--extend" in meta["commands"][1] and "--extend" not in meta["commands"][0]
    # A run made with another seed is not extended.
    result = run_script("hybrid_positions.py", "--extend", str(first), "--seed", "1")
    assert result.returncode == 2 and "cannot extend it" in result.stderr


def test_saved_positions_runs_each_took_under_ten_minutes() -> None:
    meta = json.loads(str(np.load(RESULTS / "hybrid_positions.npz")["meta"]))
    assert len(meta["stage_seconds"]) == len(meta["commands"]) >= 1
    assert all(0 < s < 600 for s in meta["stage_seconds"])
    assert np.isclose(sum(meta["stage_seconds"]), meta["seconds"], atol=0.5)


def test_validation_is_built_from_the_first_training_games(small_positions: Path) -> None:
    import sys

    sys.path.insert(0, str(SCRIPTS))
    import hybrid_train

    data = hybrid_train.load(small_positions)
    train, valid, test = hybrid_train.split(data)
    assert len(valid["key"]) >= 2 and len(train["key"]) > 0
    # As the test set: the earliest games, one informative position per class in order.
    assert valid["game"].max() < train["game"].min()
    assert len(set(valid["key"])) == len(valid["key"]) and valid["informative"].all()
    first_rows = data["split"] == 1
    first_game = data["game"][first_rows].min()
    opening = (data["game"] == first_game) & data["informative"]
    assert valid["moves"][0] == data["moves"][opening][0]
    # No class is shared between the three sets.
    for a, b in ((train, valid), (train, test), (valid, test)):
        assert not np.isin(a["key"], b["key"]).any()
    # The saved run's validation positions are as far into their games as the test's;
    # built from the last games, less every training class, they were 4 plies deeper.
    plies = json.loads((RESULTS / "hybrid_train.json").read_text())["sizes"]["median_plies"]
    assert abs(plies["validation"] - plies["test"]) <= 1.5


def test_train_and_exit_and_eval_run_small(small_positions: Path, tmp_path: Path) -> None:
    weights = tmp_path / "weights"
    result = run_script(
        "hybrid_train.py",
        *("--positions", str(small_positions), "--epochs", "2"),
        *("--output", str(tmp_path / "train.json"), "--weights-dir", str(weights)),
    )
    assert result.returncode == 0, result.stderr
    train = json.loads((tmp_path / "train.json").read_text())
    full = json.loads((RESULTS / "hybrid_train.json").read_text())
    assert set(train) == set(full) and set(train["bc"]) == set(full["bc"])
    assert len(train["bc"]["curve"]) == 2 and 0 <= train["bc"]["test_rate"] <= 1
    # The ablations: the stone planes alone, and the label curve (more games, more
    # positions, equal gradient steps, the last point the network just trained).
    result = run_script(
        "hybrid_ablate.py",
        *("--positions", str(small_positions), "--trained", str(tmp_path / "train.json")),
        *("--output", str(tmp_path / "ablate.json")),
    )
    assert result.returncode == 0, result.stderr
    ablation = json.loads((tmp_path / "ablate.json").read_text())
    assert set(ablation) == set(json.loads((RESULTS / "hybrid_ablate.json").read_text()))
    curve = ablation["label_curve"]
    assert [c["share"] for c in curve] == [0.25, 0.5, 1.0]
    sizes = [c["positions"] for c in curve]
    assert 0 < sizes[0] and sizes == sorted(sizes) and sizes[-2] < sizes[-1]
    assert curve[-1]["test_rate"] == train["bc"]["test_rate"]
    steps = [c["epochs"] * c["positions"] for c in curve]
    assert all(abs(s - steps[-1]) <= c["positions"] for s, c in zip(steps, curve, strict=True))
    assert 0 <= ablation["stones_only_rate"] <= 1
    assert set(train["calibration"]) == set(full["calibration"])
    # The gate's signal, fitted on the validation positions, then the gate chosen.
    result = run_script(
        "hybrid_gate.py",
        *("--positions", str(small_positions), "--weights-dir", str(weights)),
        *("--output", str(tmp_path / "gate.json")),
    )
    assert result.returncode == 0, result.stderr
    gate = json.loads((tmp_path / "gate.json").read_text())
    full_gate = json.loads((RESULTS / "hybrid_gate.json").read_text())
    assert set(gate) == set(full_gate) and gate["validation_positions"] >= 2
    # The saved run ships the signal only because it ranks better held out.
    cv = full_gate["cross_validated_auc"]
    assert full_gate["shipped"] == (cv["signal"] > cv["head"])
    assert len(cv["folds"]["signal"]) == len(cv["folds"]["head"]) > 0
    # The gate was chosen within the limits, and it is the one the weights ship with.
    for run, chosen_by, folder in (
        (train, gate, weights),
        (full, full_gate, hybrid.WEIGHTS),
    ):
        chosen, limits = chosen_by["gate"]["chosen"], run["settings"]
        grid = chosen_by["gate"]["grid"]
        assert grid and chosen in grid
        within = [
            g
            for g in grid
            if g["passes"] <= limits["max_passes"] and g["planned"] < limits["max_planned"]
        ]
        if within:
            assert chosen in within and chosen["rate"] == max(g["rate"] for g in within)
        shipped = json.loads((folder / "hybrid.json").read_text())
        assert shipped["threshold"] == chosen["threshold"]
        assert shipped["gate_simulations"] == chosen["budget"]
        assert shipped["tactics"] is chosen["tactics"]
        # The grid tried the gate both with and without the tactical check.
        assert {g["tactics"] for g in grid} == {True, False}
        signal = chosen_by["signal"] if chosen_by["shipped"] else None
        assert shipped.get("gate_signal") == signal
    # Platt scaling did not make the saved run's validation calibration worse.
    assert full["calibration"]["validation_ece"] <= full["calibration"]["validation_ece_raw"]
    result = run_script(
        "hybrid_exit.py",
        *("--rounds", "1", "--games", "2", "--simulations", "4"),
        *("--positions", str(small_positions), "--output", str(tmp_path / "exit.json")),
        *("--weights", str(weights / "hybrid_exit.npz")),
    )
    assert result.returncode == 0, result.stderr
    exit_run = json.loads((tmp_path / "exit.json").read_text())
    assert exit_run["games"] == [2] and len(exit_run["round_rates"]) == 1
    assert set(exit_run) == set(json.loads((RESULTS / "hybrid_exit.json").read_text()))
    result = run_script(
        "hybrid_eval.py",
        *("--positions", str(small_positions), "--positions-limit", "6"),
        *("--uct-positions", "2", "--solver-positions", "0"),
        *("--match-games", "2", "--solver-games", "0"),
        *("--weights-dir", str(weights), "--output", str(tmp_path / "eval")),
    )
    assert result.returncode == 0, result.stderr
    small = json.loads((tmp_path / "eval.json").read_text())
    saved = json.loads((RESULTS / "hybrid_eval.json").read_text())
    assert set(small) == set(saved) and small["n_positions"] == 6
    arrays, saved_arrays = np.load(tmp_path / "eval.npz"), np.load(RESULTS / "hybrid_eval.npz")
    assert set(arrays.files) == set(saved_arrays.files)
    assert arrays["puct_bc_correct"].shape == (6, len(saved["puct_budgets"]))
    # The saved run covered the whole test set and the promised budgets.
    assert saved["n_positions"] >= 1000
    assert saved["puct_budgets"][0] == 2 and saved["puct_budgets"][-1] == 256
    assert saved["uct_budgets"][0] == 16 and saved["uct_budgets"][-1] == 16384


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("hybrid_positions.py", ("--test", "0")),
        ("hybrid_positions.py", ("--output", "/tmp/x.json")),
        ("hybrid_train.py", ("--epochs", "0")),
        ("hybrid_ablate.py", ("--trained", "/nonexistent.json")),
        ("hybrid_positions.py", ("--extend", "/nonexistent.npz")),
        ("hybrid_gate.py", ("--weights-dir", "/nonexistent")),
        ("hybrid_exit.py", ("--rounds", "0")),
        ("hybrid_exit.py", ("--random-moves", "1.5")),
        ("hybrid_eval.py", ("--uct-positions", "-1")),
    ],
)
def test_scripts_refuse_bad_arguments(name: str, args: tuple[str, ...]) -> None:
    result = run_script(name, *args)
    assert result.returncode == 2 and "error" in result.stderr
