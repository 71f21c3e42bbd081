"""The scripts behind chapter 10, rerun at a reduced size: each reproduces part of its
saved result, and refuses bad arguments."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import run_script, saved


def test_lm_incontext_reproduces_its_saved_result(tmp_path: Path) -> None:
    output = tmp_path / "lm.json"
    result = run_script(
        "lm_incontext.py",
        *("--sizes", "250", "--hidden", "16", "--windows", "1"),
        *("--prior-sequences", "50", "--output", str(output)),
    )
    assert result.returncode == 0, result.stderr
    rerun, full = json.loads(output.read_text()), saved("lm_incontext.json")
    assert rerun["entropy_rate"] == full["entropy_rate"]
    assert rerun["bayes_cross_entropy"] == full["bayes_cross_entropy"]
    [small] = rerun["counts"]
    original = next(r for r in full["counts"] if (r["sequences"], r["hidden"]) == (250, 16))
    assert small["params"] == original["params"]
    assert small["train_examples"] == original["train_examples"]
    assert small["test_cross_entropy"] == pytest.approx(original["test_cross_entropy"], abs=1e-6)
    assert np.allclose(small["kl"], original["kl"], atol=1e-6)
    # n-grams are fitted on the first 250 sequences here, on all of them in the full run.
    assert [r["model"] for r in rerun["ngrams"]] == [r["model"] for r in full["ngrams"]]
    assert (tmp_path / "lm_counts_mlp.npz").is_file() and (tmp_path / "lm_prior_mlp.npz").is_file()
    # The saved grid covers what the chapter plots.
    assert {r["sequences"] for r in full["counts"]} >= {250, 1000, 4000}
    assert {r["hidden"] for r in full["counts"]} == {16, 64, 256}
    assert {r["window"] for r in full["windows"]} >= {4, 16}
    assert full["prior_model"]["sequences"] >= 4000


def test_lm_imitation_reproduces_its_saved_result(tmp_path: Path) -> None:
    output = tmp_path / "imitation.json"
    result = run_script(
        "lm_imitation.py",
        *("--games", "100", "--hidden", "16", "--simulations", "10", "--output", str(output)),
    )
    assert result.returncode == 0, result.stderr
    rerun, full = json.loads(output.read_text()), saved("lm_imitation.json")
    assert rerun["chance_rate"] == full["chance_rate"]
    assert rerun["plain_mcts"]["10"] == full["plain_mcts"]["10"]
    for small, original in zip(rerun["teachers"], full["teachers"], strict=True):
        assert small["teacher"] == original["teacher"]
        assert small["rate"] == original["rate"]  # the teachers are judged the same way
        [imitator] = small["imitators"]
        assert 0 <= imitator["sampled_rate"] <= 1 and imitator["hidden"] == 16
    assert full["games"] >= 3000
    assert [i["hidden"] for i in full["teachers"][0]["imitators"]] == [16, 64, 256]


@pytest.mark.parametrize(
    ("script", "args"),
    [
        ("lm_incontext.py", ["--sizes", "0"]),
        ("lm_imitation.py", ["--games", "0"]),
    ],
)
def test_scripts_refuse_bad_arguments(script: str, args: list[str]) -> None:
    result = run_script(script, *args, "--output", "/dev/null/never.json")
    assert result.returncode != 0
    assert "must be positive" in result.stderr
