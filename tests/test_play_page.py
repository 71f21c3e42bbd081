"""The play page (chapters/play.md) in a real browser: its agents choose what the
Python agents choose, whole games play to a correct result by clicking, illegal
clicks are refused with a reason, and nothing is fetched from another host.
The Connect Four tests compare the page with chapter 9's ``daopt.hybrid`` and are
skipped where that module is not in the tree.

Build the book first (``make book``); ``DAOPT_HTML_DIR`` serves another build,
as for ``test_rendered.py``, whose server, browser and page log this file uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import numpy as np
import pytest
from conftest import ROOT, ExecutedChapter
from playwright.sync_api import Browser, Page
from test_rendered import (  # noqa: F401  (server is a fixture; browser comes from conftest)
    BUILD_HINT,
    HTML_DIR,
    TIMEOUT_MS,
    VIEWPORT,
    PageLog,
    guarded_page,
    server,
)

from daopt import cloning, export
from daopt.cost import DecisionCost
from daopt.games import TicTacToe

PAGE = "chapters/play.html"
SAVED = ROOT / "scripts" / "results" / "play_tictactoe.json"
N_POSITIONS = 300  # seeded boards per deterministic agent
N_MCTS = 40  # per MCTS budget: each is searched again in Python


@pytest.fixture(scope="module")
def saved() -> dict[str, Any]:
    return json.loads(SAVED.read_text())


@pytest.fixture(scope="module")
def open_boards() -> list[TicTacToe]:
    return [b for b in export.all_boards() if not b.is_terminal()]


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:  # noqa: F811
    """The play page, loaded offline; after the test, no problem may have been logged."""
    if not (HTML_DIR / PAGE).is_file():
        pytest.fail(f"No play page at {HTML_DIR / PAGE}: {BUILD_HINT}")
    tab, log = guarded_page(browser, server)
    context = tab.context
    try:
        tab.goto(urljoin(server, PAGE), wait_until="networkidle")
        tab.wait_for_function("() => window.daoptPlay !== undefined")
        yield tab
    finally:
        context.close()
    assert not log.problems, "\n".join(log.problems)


@pytest.mark.parametrize("chapter", ["play"], indirect=True)
def test_play_page_key_results(chapter: ExecutedChapter, saved: dict[str, Any]) -> None:
    """The page's own checks ran at build time and its prose quotes the data's counts."""
    g = chapter.glued()
    assert (g["play_boards"], g["play_positions"]) == (5478, 4520)
    assert g["play_policy_games"] == saved["policy"]["games"] == 1000
    assert g["play_policy_rate"] == pytest.approx(100 * saved["policy"]["test_rate"])
    assert 80 < g["play_policy_rate"] < 100  # a good policy, but not a perfect one
    assert g["play_budgets"] == ", ".join(f"{b:,}" for b in saved["mcts"]["budgets"])


def choose(page: Page, agent: str, boards: list[str]) -> list[dict[str, Any]]:
    """The page's move and cost for each board, from the same code its clicks use."""
    return page.evaluate(
        "([agent, boards]) => boards.map((cells) => window.daoptPlay.choose(agent, cells))",
        [agent, boards],
    )


def counts(cost: DecisionCost) -> dict[str, float]:
    return {k: v for k, v in cost.as_dict().items() if k != "seconds"}


def seeded_sample(boards: list[TicTacToe], n: int, seed: int) -> list[TicTacToe]:
    rng = np.random.default_rng(seed)
    return [boards[i] for i in rng.choice(len(boards), size=n, replace=False)]


def test_page_plays_the_solvers_and_the_policys_moves(
    page: Page, saved: dict[str, Any], open_boards: list[TicTacToe]
) -> None:
    sample = seeded_sample(open_boards, N_POSITIONS, seed=11)
    cells = [b.cells() for b in sample]
    solver = export.SolverAgent()
    for board, chosen in zip(sample, choose(page, "solver", cells), strict=True):
        assert chosen["action"] == solver(board), board.cells()
        assert chosen["cost"] == counts(solver.last_cost), board.cells()
    # The policy: the page runs its own forward pass of the exported weights.
    policy = cloning.PolicyAgent(export.network_from_json(saved["policy"]["network"]))
    for board, chosen in zip(sample, choose(page, "policy", cells), strict=True):
        assert chosen["action"] == policy(board), board.cells()
        assert chosen["cost"] == counts(policy.last_cost), board.cells()
    # Every board at once too: the forward pass agrees on all of them.
    every = [b.cells() for b in open_boards]
    moves = "".join(str(c["action"]) for c in choose(page, "policy", every))
    assert len(moves) == 4520 and moves == "".join(str(policy(b)) for b in open_boards)


def test_page_plays_mcts_moves_searched_again_in_python(
    page: Page, saved: dict[str, Any], open_boards: list[TicTacToe]
) -> None:
    budgets = saved["mcts"]["budgets"]
    assert len(budgets) >= 3
    for budget in budgets:
        sample = seeded_sample(open_boards, N_MCTS, seed=budget)
        chosen = choose(page, f"mcts-{budget}", [b.cells() for b in sample])
        for board, move in zip(sample, chosen, strict=True):
            action, cost = export.mcts_decision(board, budget, saved["mcts"]["seed"])
            assert move["action"] == action, (budget, board.cells())
            assert move["cost"] == counts(cost), (budget, board.cells())


def test_random_agent_plays_every_legal_move_and_costs_nothing(page: Page) -> None:
    chosen = choose(page, "random", [TicTacToe().cells()] * 400)
    assert {c["action"] for c in chosen} == set(range(9))
    assert all(c["cost"] == counts(DecisionCost()) for c in chosen)
    board = TicTacToe.from_cells("XO.XO.O.X")
    chosen = choose(page, "random", [board.cells()] * 100)
    assert {c["action"] for c in chosen} == set(board.legal_actions())


def board_state(page: Page) -> str:
    return page.locator("#daopt-play").get_attribute("data-state")


def start_game(page: Page, agent: str, side: int) -> None:
    page.select_option("#daopt-play-agent", agent)
    page.select_option("#daopt-play-side", str(side))
    page.click("#daopt-play-new")


def expected_result(cells: str, human: int) -> str:
    winner = TicTacToe.from_cells(cells).winner
    if winner is None:
        return "Result: Draw."
    mark = "XO"[winner]
    return f"Result: You win ({mark})." if winner == human else f"Result: The agent wins ({mark})."


@pytest.mark.parametrize("agent", ["random", "solver", "mcts-10", "policy"])
def test_whole_games_by_clicking(page: Page, agent: str, saved: dict[str, Any]) -> None:
    rng = np.random.default_rng(5)
    solver = export.SolverAgent()
    games = 0
    for side in (0, 1):
        for _ in range(3):
            start_game(page, agent, side)
            state = board_state(page)
            if side == 1:  # the agent has opened
                assert TicTacToe.from_cells(state).to_play == 1
            log_entries = 1 if side == 1 else 0
            while page.locator("#daopt-play").get_attribute("data-over") == "false":
                board = TicTacToe.from_cells(state)
                assert board.to_play == side
                move = int(rng.choice(board.legal_actions()))
                page.click(f".daopt-play-cell[data-action='{move}']")
                after = TicTacToe.from_cells(board_state(page))
                mine = board.play(move)
                log_entries += 1
                if not mine.is_terminal():
                    # The agent answered with exactly one legal move.
                    replies = [a for a in mine.legal_actions() if mine.play(a) == after]
                    assert len(replies) == 1, (state, move, after.cells())
                    log_entries += 1
                    if agent == "solver":
                        assert replies[0] == solver(mine)
                    if agent.startswith("mcts-"):
                        index = saved["positions"].index(mine.cells())
                        assert replies[0] == int(saved["tables"][agent]["moves"][index])
                else:
                    assert after == mine
                state = after.cells()
                assert page.locator("#daopt-play-log li").count() == log_entries
            assert TicTacToe.from_cells(state).is_terminal()
            result = page.locator("#daopt-play-result").inner_text()
            assert result == expected_result(state, side)
            if agent == "solver":
                assert "You win" not in result  # nobody beats the exact solver
            games += 1
            # Each agent move's cost is shown, priced in position evaluations.
            agent_moves = page.locator("#daopt-play-log li.daopt-play-agent-move")
            assert agent_moves.count() >= 1
            assert all(
                "position evaluations" in agent_moves.nth(i).inner_text()
                for i in range(agent_moves.count())
            )
    assert games == 6


def test_illegal_clicks_are_refused_with_a_reason(page: Page) -> None:
    start_game(page, "solver", 0)
    page.click(".daopt-play-cell[data-action='4']")
    state = board_state(page)
    taken = next(i for i, c in enumerate(state) if c == "O")
    for cell in (4, taken):
        page.click(f".daopt-play-cell[data-action='{cell}']")
        assert board_state(page) == state
        assert f"cell {cell} is taken" in page.locator("#daopt-play-status").inner_text()
    assert page.locator("#daopt-play-log li").count() == 2
    # Play on to the end (lowest free cell each time), then click once more.
    while page.locator("#daopt-play").get_attribute("data-over") == "false":
        page.click(f".daopt-play-cell[data-action='{board_state(page).index('.')}']")
    final, entries = board_state(page), page.locator("#daopt-play-log li").count()
    free = [i for i, c in enumerate(final) if c == "."] or [0]
    page.click(f".daopt-play-cell[data-action='{free[0]}']")
    assert board_state(page) == final
    assert page.locator("#daopt-play-log li").count() == entries
    assert "The game is over" in page.locator("#daopt-play-status").inner_text()


def test_page_script_is_not_loaded_by_other_pages() -> None:
    """The play script is copied beside the pages, not into _static/, whose files
    every page would load."""
    assert (HTML_DIR / "play" / "daopt-play.js").is_file(), BUILD_HINT
    assert not list((HTML_DIR / "_static").rglob("daopt-play*"))
    pages = [p for p in (HTML_DIR / "chapters").glob("*.html") if p.name != "play.html"]
    assert len(pages) >= 2
    for other in pages:
        assert "daopt-play" not in other.read_text(), other.name


PUCT_IN_PAGE = """([boards, simulations, c]) => {
    const play = window.daoptPlay;
    const game = play.games.tictactoe;
    const data = JSON.parse(document.getElementById("daopt-play-data").textContent);
    const net = data.policy.network;
    const evaluate = (state) => {
        const legal = game.legalActions(state);
        const logits = play.mlpForward(net, game.encode(state));
        const z = legal.map((a) => logits[a]);
        const mean = z.reduce((s, v) => s + v, 0) / z.length;
        return {
            prior: play.maskedSoftmax(logits, legal),
            value: Math.tanh(0.1 * (Math.max(...z) - mean)),
        };
    };
    return boards.map((cells) => play.puctSearch(game, cells, {simulations, c, evaluate}));
}"""


def test_page_puct_search_matches_daopt_mcts_with_a_prior(
    page: Page, saved: dict[str, Any], open_boards: list[TicTacToe]
) -> None:
    """The page's PUCT (for chapter 9's networks) is daopt.mcts.MCTS with a prior and
    an evaluator: here the cloned policy as prior and a value made from its logits."""
    from daopt import features
    from daopt.mcts import MCTS

    net = export.network_from_json(saved["policy"]["network"])
    policy = cloning.PolicyAgent(net)

    def value(state: TicTacToe) -> float:
        z = net.forward(features.encode(state)[None])[0][state.legal_actions()]
        return float(np.tanh(0.1 * (z.max() - z.sum() / len(z))))

    sample = seeded_sample(open_boards, 30, seed=9)
    simulations, c = 60, 1.5
    found = page.evaluate(PUCT_IN_PAGE, [[b.cells() for b in sample], simulations, c])
    for board, mine in zip(sample, found, strict=True):
        results = [
            MCTS(simulations, np.random.default_rng(seed), c, policy.probabilities, value).search(
                board
            )
            for seed in (0, 1)
        ]
        # Python's random child order never mattered here, so a fixed order must agree.
        assert results[0].visits.tolist() == results[1].visits.tolist(), board.cells()
        assert mine["visits"] == results[0].visits.tolist(), board.cells()
        assert mine["action"] == results[0].best_action, board.cells()
        assert mine["cost"]["tree_nodes"] == results[0].nodes
        assert mine["cost"]["simulations"] == simulations


# -- Connect Four against chapter 9's agents (only where daopt.hybrid is in the tree) ----------


def hybrid_module() -> Any:
    try:
        from daopt import hybrid
    except ImportError:
        pytest.skip("chapter 9's daopt.hybrid is not in this tree: the page has no Connect Four")
    return hybrid


def connect_four_positions(n: int, seed: int) -> list[str]:
    """``n`` distinct unfinished 5x5 positions from random play, as 1-based move digits."""
    from daopt.games import ConnectFour

    rng = np.random.default_rng(seed)
    found: dict[str, None] = {}
    while len(found) < n:
        state, moves = ConnectFour(rows=5, cols=5), ""
        for _ in range(int(rng.integers(0, 17))):
            legal = state.legal_actions()
            action = int(rng.choice(legal))
            if state.play(action).is_terminal():
                break
            state, moves = state.play(action), moves + str(action + 1)
        found[moves] = None
    return list(found)


def test_connect_four_features_match_daopt_hybrid(page: Page) -> None:
    hybrid = hybrid_module()
    from daopt.games import ConnectFour

    positions = connect_four_positions(60, seed=1)
    mine = page.evaluate(
        "(all) => all.map((moves) => window.daoptPlay.connectFour.features(moves))", positions
    )
    states = [ConnectFour.from_moves(m, rows=5, cols=5) for m in positions]
    expected = hybrid.features(states)
    assert np.array_equal(np.array(mine), expected)
    # Every derived plane and line flag was set somewhere: all of them were tested.
    derived = expected[:, 75:225].reshape(-1, 6, 25).any(axis=(0, 2))
    lines = expected[:, 225:].reshape(-1, 6, 28).any(axis=(0, 2))
    assert derived.all() and lines.all(), (derived, lines)


@pytest.mark.parametrize("kind", ["policy", "puct", "gated"])
def test_connect_four_agents_match_daopt_hybrid(page: Page, kind: str) -> None:
    hybrid = hybrid_module()
    from daopt.games import ConnectFour

    positions = connect_four_positions(30, seed=2)
    mine = page.evaluate(
        "([kind, all]) => all.map((m) => window.daoptPlay.connectFour.chooseFresh(kind, m))",
        [kind, positions],
    )
    planned = 0
    for moves, decision in zip(positions, mine, strict=True):
        state = ConnectFour.from_moves(moves, rows=5, cols=5)
        agents = [hybrid.pretrained(kind, np.random.default_rng(seed)) for seed in (0, 1)]
        actions = [agent(state) for agent in agents]
        # The Python search's random child order never mattered on these positions.
        assert actions[0] == actions[1], moves
        assert counts(agents[0].last_cost) == counts(agents[1].last_cost), moves
        assert decision["action"] == actions[0], moves
        assert decision["cost"] == counts(agents[0].last_cost), moves
        assert decision["planned"] == agents[0].last_planned, moves
        if kind == "gated":
            assert decision["mode"] == agents[0].last_mode, moves
        planned += decision["planned"]
    if kind == "gated":  # both kinds of decision were compared
        assert 0 < planned < len(positions)


def test_connect_four_by_clicking(page: Page) -> None:
    hybrid_module()
    rng = np.random.default_rng(8)
    for side in (0, 1):
        page.select_option("#daopt-c4-agent", "gated")
        page.select_option("#daopt-c4-side", str(side))
        page.click("#daopt-c4-new")
        moves = 0
        while page.locator("#daopt-c4").get_attribute("data-over") == "false":
            cells = page.locator("#daopt-c4").get_attribute("data-state")
            legal = [c for c in range(5) if cells[20 + c] == "."]
            full = [c for c in range(5) if c not in legal]
            if full:  # a full column is refused, with the reason
                page.click(f"#daopt-c4 .daopt-play-cell[data-action='{full[0]}']")
                assert page.locator("#daopt-c4").get_attribute("data-state") == cells
                assert (
                    f"column {full[0] + 1} is full" in page.locator("#daopt-c4-status").inner_text()
                )
            page.click(f"#daopt-c4 .daopt-play-cell[data-action='{int(rng.choice(legal))}']")
            moves += 1
        cells = page.locator("#daopt-c4").get_attribute("data-state")
        stones = [cells.count("X"), cells.count("O")]
        assert stones[0] - stones[1] in (0, 1) and moves >= 4
        entries = page.locator("#daopt-c4-log li.daopt-play-agent-move")
        assert entries.count() >= moves - 1
        assert all(
            entries.nth(i).get_attribute("data-planned") in ("true", "false")
            for i in range(entries.count())
        )
        # The result shown is the rules' result of the final position.
        winner = None
        for player, mark in enumerate("XO"):
            bits = [i for i, c in enumerate(cells) if c == mark]
            grid = {(i // 5, i % 5) for i in bits}
            for r, c in grid:
                for dr, dc in ((1, 0), (0, 1), (1, 1), (1, -1)):
                    if all((r + j * dr, c + j * dc) in grid for j in range(4)):
                        winner = player
        result = page.locator("#daopt-c4-result").inner_text()
        if winner is None:
            assert result == "Result: Draw."
        else:
            who = "You win" if winner == side else "The agent wins"
            assert result.startswith(f"Result: {who}")
