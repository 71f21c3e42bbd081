"""daopt.export (the play page's data) and scripts/export_play.py: boards, tie-breaks,
tables, network JSON, bad input, and the saved result reproduced at a reduced size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, ExecutedChapter
from hypothesis import given, settings
from hypothesis import strategies as st

from daopt import export, features, nn, search
from daopt.cost import DecisionCost
from daopt.experiments import label_cost
from daopt.games import ConnectFour, TicTacToe

SAVED = ROOT / "scripts" / "results" / "play_tictactoe.json"


@pytest.fixture(scope="module")
def saved() -> dict:
    return json.loads(SAVED.read_text())


@pytest.fixture(scope="module")
def open_boards() -> list[TicTacToe]:
    return [b for b in export.all_boards() if not b.is_terminal()]


def test_all_boards_are_every_reachable_board_once_in_code_order() -> None:
    boards = export.all_boards()
    codes = [export.board_code(b) for b in boards]
    assert len(boards) == export.TICTACTOE_BOARDS == 5478
    assert codes == sorted(set(codes))  # distinct and ordered
    assert codes[0] == 0 and boards[0] == TicTacToe()
    finished = [b for b in boards if b.is_terminal()]
    assert len(finished) == 958  # the known count of finished tic-tac-toe games' boards
    # Every child of every unfinished board is in the list: nothing is missing.
    cells = {b.cells() for b in boards}
    children = {b.play(a).cells() for b in boards for a in b.legal_actions()}
    assert children and children <= cells


def test_board_code_is_base_three() -> None:
    assert export.board_code(TicTacToe()) == 0
    assert export.board_code(TicTacToe.from_cells("X........")) == 1
    assert export.board_code(TicTacToe.from_cells(".O......X")) == 2 * 3 + 3**8
    with pytest.raises(TypeError, match="TicTacToe"):
        export.board_code(ConnectFour())
    with pytest.raises(TypeError, match="TicTacToe"):
        export.board_code("X........")


def test_solver_plays_its_lowest_optimal_move_and_counts_all_searches(
    open_boards: list[TicTacToe],
) -> None:
    solver = export.SolverAgent()
    rng = np.random.default_rng(3)
    sample = [open_boards[i] for i in rng.choice(len(open_boards), 60, replace=False)]
    several = 0
    for board in sample:
        optimal = search.optimal_actions(board)
        several += len(optimal) > 1
        assert solver(board) == min(optimal)
        assert solver.last_cost == DecisionCost(search_nodes=label_cost(board))
    assert several >= 10  # the tie-break was exercised
    with pytest.raises(ValueError, match="game is over"):
        solver(TicTacToe.from_cells("XXXOO...."))
    with pytest.raises(TypeError, match="TicTacToe"):
        solver(ConnectFour())


def counts(decision: tuple[int, DecisionCost]) -> tuple[int, dict[str, float]]:
    """A decision with its cost's counts (seconds are machine time, never equal twice)."""
    action, cost = decision
    return action, {k: v for k, v in cost.as_dict().items() if k != "seconds"}


def test_mcts_decision_is_seeded_by_board_and_budget() -> None:
    board = TicTacToe.from_cells("X...O....")
    first = export.mcts_decision(board, 30)
    assert counts(export.mcts_decision(board, 30)) == counts(first)
    assert first[0] in board.legal_actions() and first[1].simulations == 30
    assert first[1].rollout_moves > 0 and first[1].tree_nodes > 1
    # Another seed is another search: over a few boards some statistic differs.
    boards = [TicTacToe(), board, TicTacToe.from_cells("XO.......")]
    assert any(
        counts(export.mcts_decision(b, 30, seed=1)) != counts(export.mcts_decision(b, 30))
        for b in boards
    )
    with pytest.raises(TypeError, match="simulations"):
        export.mcts_decision(board, 2.5)
    with pytest.raises(ValueError, match="simulations"):
        export.mcts_decision(board, 0)
    with pytest.raises(ValueError, match="seed"):
        export.mcts_decision(board, 10, seed=-1)
    with pytest.raises(ValueError, match="game is over"):
        export.mcts_decision(TicTacToe.from_cells("XXXOO...."), 10)


def test_move_table_records_moves_and_nonzero_costs() -> None:
    boards = [TicTacToe(), TicTacToe.from_cells("X........")]
    table = export.move_table(boards, lambda b: (b.legal_actions()[-1], DecisionCost(tree_nodes=3)))
    assert table == {"moves": "88", "cost": {"tree_nodes": [3, 3]}}
    assert set(export.COST_FIELDS) == set(DecisionCost().as_dict()) - {"seconds"}


@pytest.mark.parametrize(
    ("boards", "decide", "error", "match"),
    [
        ("X........", None, TypeError, "sequence"),
        ([], None, ValueError, "at least one"),
        ([ConnectFour()], None, TypeError, r"boards\[0\]"),
        ([TicTacToe.from_cells("XXXOO....")], None, ValueError, "finished"),
        ([TicTacToe()], lambda b: (9, DecisionCost()), ValueError, "legal moves"),
        ([TicTacToe()], lambda b: ("4", DecisionCost()), ValueError, "legal moves"),
        ([TicTacToe()], lambda b: (4, {"simulations": 1}), TypeError, "DecisionCost"),
        ([TicTacToe()], lambda b: (4, DecisionCost(simulations=0.5)), ValueError, "whole"),
    ],
)
def test_move_table_refuses_bad_input(boards, decide, error, match) -> None:
    decide = decide or (lambda b: (b.legal_actions()[0], DecisionCost()))
    with pytest.raises(error, match=match):
        export.move_table(boards, decide)
    with pytest.raises(TypeError, match="decide"):
        export.move_table([TicTacToe()], "solver")


def test_network_json_round_trips_exactly() -> None:
    net = nn.MLP([27, 16, 9], np.random.default_rng(0), activation="relu")
    data = json.loads(json.dumps(export.network_to_json(net)))
    back = export.network_from_json(data)
    assert back.sizes == net.sizes and back.activation == net.activation
    x = features.encode_batch([TicTacToe(), TicTacToe.from_cells("XO.......")])
    assert np.array_equal(back.forward(x), net.forward(x))
    with pytest.raises(TypeError, match="MLP"):
        export.network_to_json({"sizes": [1, 1]})


@settings(max_examples=25, deadline=None)
@given(
    widths=st.lists(st.integers(1, 12), min_size=2, max_size=4),
    activation=st.sampled_from(nn.ACTIVATIONS),
    seed=st.integers(0, 2**16),
)
def test_any_network_survives_json(widths: list[int], activation: str, seed: int) -> None:
    net = nn.MLP(widths, np.random.default_rng(seed), activation=activation)
    back = export.network_from_json(json.loads(json.dumps(export.network_to_json(net))))
    assert all(np.array_equal(a, b) for a, b in zip(back.params, net.params, strict=True))
    assert len(back.params) == 2 * (len(widths) - 1)


def _network_data() -> dict:
    return export.network_to_json(nn.MLP([3, 2, 2], np.random.default_rng(1)))


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda d: "weights", TypeError, "dict"),
        (lambda d: {k: v for k, v in d.items() if k != "layers"}, ValueError, "lacks"),
        (lambda d: d | {"sizes": [3]}, ValueError, "sizes"),
        (lambda d: d | {"sizes": [3, 0, 2]}, ValueError, "sizes"),
        (lambda d: d | {"activation": "sigmoid"}, ValueError, "activation"),
        (lambda d: d | {"layers": d["layers"][:1]}, ValueError, "layers"),
        (lambda d: d | {"layers": [d["layers"][0], {"W": []}]}, ValueError, "layer 1"),
        (
            lambda d: d | {"layers": [{"W": [[1.0]], "b": [0.0]}, d["layers"][1]]},
            ValueError,
            "shape",
        ),
        (
            lambda d: d | {"layers": [{"W": [["a", "b"]] * 3, "b": [0, 0]}, d["layers"][1]]},
            TypeError,
            "numbers",
        ),
        (
            lambda d: (
                d | {"layers": [d["layers"][0], {"W": d["layers"][1]["W"], "b": [0, np.nan]}]}
            ),
            ValueError,
            "non-finite",
        ),
    ],
)
def test_network_from_json_refuses_bad_data(change, error, match) -> None:
    with pytest.raises(error, match=match):
        export.network_from_json(change(_network_data()))


def test_saved_result_covers_every_open_board(saved: dict, open_boards: list[TicTacToe]) -> None:
    n = len(open_boards)
    assert saved["positions"] == [b.cells() for b in open_boards] and n == 4520
    assert set(saved["tables"]) == {"solver"} | {f"mcts-{b}" for b in saved["mcts"]["budgets"]}
    assert len(saved["mcts"]["budgets"]) >= 3
    for name, table in saved["tables"].items():
        assert len(table["moves"]) == n, name
        assert table["cost"] and all(len(v) == n for v in table["cost"].values()), name
    assert len(saved["policy"]["moves"]) == n and saved["policy"]["cost"] == {"network_passes": 1}
    # The MCTS tables are the budgets' tables: simulations equal to the budget everywhere.
    for budget in saved["mcts"]["budgets"]:
        assert set(saved["tables"][f"mcts-{budget}"]["cost"]["simulations"]) == {budget}


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "export_play.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )


def test_script_reproduces_the_start_of_its_saved_result(tmp_path: Path, saved: dict) -> None:
    output = tmp_path / "play.json"
    budget = saved["mcts"]["budgets"][0]
    result = run_script("--budgets", str(budget), "--limit", "60", "--output", str(output))
    assert result.returncode == 0, result.stderr
    rerun = json.loads(output.read_text())
    assert rerun["positions"] == saved["positions"][:60]
    for name in ("solver", f"mcts-{budget}"):
        assert rerun["tables"][name]["moves"] == saved["tables"][name]["moves"][:60], name
        for field, values in rerun["tables"][name]["cost"].items():
            assert values == saved["tables"][name]["cost"][field][:60], (name, field)
    policy, full = rerun["policy"], saved["policy"]
    assert policy["moves"] == full["moves"][:60]
    assert (policy["examples"], policy["test_rate"]) == (full["examples"], full["test_rate"])
    for mine, theirs in zip(policy["network"]["layers"], full["network"]["layers"], strict=True):
        for name in ("W", "b"):
            assert np.allclose(mine[name], theirs[name], rtol=1e-9, atol=1e-12)


def test_script_refuses_bad_arguments(tmp_path: Path) -> None:
    for args in (["--budgets", "0"], ["--budgets", "ten"], ["--limit", "0"]):
        result = run_script(*args, "--output", str(tmp_path / "x.json"))
        assert result.returncode != 0 and "error" in result.stderr, args
        assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("chapter", ["05_learning_from_examples"], indirect=True)
def test_the_exported_policy_is_chapter_fives(chapter: ExecutedChapter, saved: dict) -> None:
    """The page's network scores what chapter 5's live network scores on the test set."""
    glued = chapter.glued()
    assert glued["live_games"] == saved["policy"]["games"]
    assert glued["live_examples"] == saved["policy"]["examples"]
    assert glued["live_policy_rate"] == pytest.approx(100 * saved["policy"]["test_rate"], abs=1e-9)
