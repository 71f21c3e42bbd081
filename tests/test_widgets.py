"""daopt.widgets: the game controller (no browser needed), the widget built on
it (clicked through its buttons' ``click()``), and the static board figure;
chapter 1's knobs, chapter 3's board of move values, chapter 4's MCTS and
chapter 9's gated agent, likewise."""

from __future__ import annotations

import asyncio
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from daopt import amortised, cost, direct, plots, search
from daopt.cost import DecisionCost
from daopt.games import PLAYER_COLOURS, ConnectFour, GameState, TicTacToe
from daopt.mcts import MCTS
from daopt.problems import ShiftedQuadratic
from daopt.widgets import (
    MODES,
    AgentMove,
    GameController,
    GameWidget,
    GatedController,
    GatedWidget,
    MCTSController,
    MCTSWidget,
    MoveValuesController,
    MoveValuesWidget,
    TwoWaysController,
    TwoWaysWidget,
    board_figure,
    decision_mode,
    draw_board,
    format_cost,
    format_value,
    gated_figure,
    mcts_figure,
    move_values,
    play,
    play_gated,
    play_mcts,
    schedule_soon,
    two_ways,
    values_figure,
)


def first_legal(state: GameState) -> int:
    return state.legal_actions()[0]


class Scripted:
    """An agent that plays a fixed list of moves and reports made-up statistics."""

    def __init__(self, moves: list[int]) -> None:
        self.moves = list(moves)
        self.calls = 0
        self.last_cost: DecisionCost | None = None

    def __call__(self, state: GameState) -> int:
        self.calls += 1
        self.last_cost = DecisionCost(search_nodes=1000 * self.calls, seconds=0.25 / self.calls)
        return self.moves.pop(0)


# --- the controller ---------------------------------------------------------------------


def test_human_moves_first_and_the_agent_replies() -> None:
    game = GameController(TicTacToe(), first_legal)
    assert game.human == 0 and game.human_to_move and not game.agent_to_move
    assert game.message == "Your move: you play X."
    message = game.click(4)
    assert game.moves == [4, 0]  # the agent answered with the first free cell
    assert game.state == TicTacToe.from_cells("O...X....")
    assert message == "The agent played cell 0. Your move: you play X."
    assert game.last_cost is None  # a plain function reports no cost


def test_human_moves_second() -> None:
    agent = Scripted([3, 3])
    game = GameController(ConnectFour(), agent, human=1)
    assert game.moves == [3] and agent.calls == 1
    assert game.message == "The agent played column 4. Your move: you play O."
    assert game.last_cost == DecisionCost(search_nodes=1000, seconds=0.25)
    game.click(2)
    assert game.moves == [3, 2, 3]
    assert game.last_cost == DecisionCost(search_nodes=2000, seconds=0.125)


def test_illegal_clicks_change_nothing_and_say_why() -> None:
    game = GameController(TicTacToe(), first_legal)
    game.click(4)
    before = (game.state, list(game.moves))
    assert game.click(4) == "Cell 4 is taken. Your move: you play X."
    assert game.click(0) == "Cell 0 is taken. Your move: you play X."
    assert game.click(9) == "There is no cell 9 (cells are 0-8). Your move: you play X."
    assert (game.state, game.moves) == before

    c4 = GameController(ConnectFour(rows=4, cols=5), Scripted([0, 0, 1]))
    c4.click(0)
    c4.click(0)  # column 1 now holds four stones
    before = (c4.state, list(c4.moves))
    assert c4.click(0) == "Column 1 is full. Your move: you play X."
    assert c4.click(5) == "There is no column 6 (columns are 1-5). Your move: you play X."
    assert c4.click(-1).startswith("There is no column 0")
    assert (c4.state, c4.moves) == before


def test_not_your_turn() -> None:
    game = GameController(TicTacToe(), first_legal)
    game.click(4, reply=False)
    assert game.agent_to_move and game.message == "The agent (O) is to move."
    assert game.click(8) == "Not your turn: the agent (O) is to move."
    assert game.moves == [4]
    assert game.reply() == "The agent played cell 0. Your move: you play X."
    assert game.reply() == game.message and game.moves == [4, 0]  # not its turn: nothing


def test_clicks_after_the_game_is_over() -> None:
    game = GameController(TicTacToe(), first_legal)
    for cell in (4, 2, 6):  # the agent answers 0 and 1; X completes 2-4-6
        message = game.click(cell)
    assert message == "You win!" and game.over and game.state.winner == 0
    assert game.click(8) == "The game is over: You win! Press “New game” to play again."
    assert game.moves == [4, 0, 2, 1, 6]


def test_the_agent_can_win_and_draw() -> None:
    game = GameController(TicTacToe(), first_legal)
    for cell in (8, 7):
        game.click(cell)
    assert game.click(3) == "The agent played cell 2. The agent wins."
    assert game.state.winner == 1

    draw = GameController(TicTacToe(), Scripted([4, 1, 6, 5]))
    for cell in (0, 8, 7, 2):
        draw.click(cell)
    assert draw.click(3) == "A draw." and draw.over and draw.state.winner is None


def test_new_game_resets_and_can_switch_sides() -> None:
    game = GameController(TicTacToe(), first_legal)
    game.click(4)
    assert game.new_game() == "Your move: you play X."
    assert game.state == TicTacToe() and game.moves == [] and game.last_cost is None
    assert game.new_game(human=1) == "The agent played cell 0. Your move: you play O."
    assert game.human == 1 and game.moves == [0]
    # A mid-game start position is where every new game starts.
    start = TicTacToe.from_cells("X...O....")
    game = GameController(start, first_legal)
    game.click(8)
    game.new_game()
    assert game.state == start


def test_agent_bugs_raise() -> None:
    with pytest.raises(ValueError, match=re.escape("the agent chose illegal move 9; legal moves")):
        GameController(TicTacToe(), lambda s: 9, human=1)
    game = GameController(TicTacToe(), lambda s: 4)
    game.click(4, reply=False)
    with pytest.raises(ValueError, match="illegal move 4"):
        game.reply()  # the agent wants the cell just taken
    with pytest.raises(TypeError, match=r"the agent returned '3', not an int"):
        GameController(ConnectFour(), lambda s: "3", human=1)
    with pytest.raises(TypeError, match=r"the agent returned True"):
        GameController(ConnectFour(), lambda s: True, human=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"start": "tic-tac-toe"}, TypeError, "state must be a TicTacToe or ConnectFour"),
        ({"start": None}, TypeError, "state must be a TicTacToe or ConnectFour"),
        ({"start": TicTacToe.from_cells("XXXOO....")}, ValueError, "already over"),
        ({"agent": "random"}, TypeError, "agent must be a callable"),
        ({"human": 2}, ValueError, "human must be 0 (move first) or 1 (move second), got 2"),
        ({"human": -1}, ValueError, "got -1"),
        ({"human": True}, TypeError, "human must be 0"),
        ({"human": 1.0}, TypeError, "got 1.0"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], fragment: str) -> None:
    arguments: dict[str, object] = {"start": TicTacToe(), "agent": first_legal, "human": 0}
    arguments.update(kwargs)
    start, agent, human = arguments["start"], arguments["agent"], arguments["human"]
    with pytest.raises(error, match=re.escape(fragment)):
        GameController(start, agent, human=human)  # type: ignore[arg-type]
    with pytest.raises(error, match=re.escape(fragment)):
        play(start, agent, human=human)  # type: ignore[arg-type]


def test_bad_clicks_and_sides() -> None:
    game = GameController(TicTacToe(), first_legal)
    for action in ("4", 4.0, True, None):
        with pytest.raises(TypeError, match="action must be an int"):
            game.click(action)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="human must be 0"):
        game.new_game(human=3)
    assert game.moves == [] and game.human == 0


def test_format_cost() -> None:
    assert format_cost(None) == "" and format_cost(DecisionCost()) == ""
    text = format_cost(DecisionCost(search_nodes=12345, seconds=0.012345))
    assert text == "search nodes 12,345 · seconds 0.0123"
    text = format_cost(DecisionCost(simulations=800.0, rollout_moves=2.5))
    assert text == "simulations 800 · rollout moves 2.5"
    with pytest.raises(TypeError, match="DecisionCost"):
        format_cost({"nodes": 1})


# --- the widget -------------------------------------------------------------------------------


def test_tictactoe_widget_builds_and_clicks_update_the_board() -> None:
    widget = play(TicTacToe(), first_legal)
    assert isinstance(widget, GameWidget)
    assert len(widget.action_buttons) == 9 and widget.board_html is None
    assert all(button.description == "" for button in widget.action_buttons)
    assert "Your move" in widget.status.value
    widget.action_buttons[4].click()
    assert widget.action_buttons[4].description == "X"
    assert widget.action_buttons[4].style.button_color == PLAYER_COLOURS[0]
    assert widget.action_buttons[0].description == "O"  # the agent's reply
    assert widget.controller.state == TicTacToe.from_cells("O...X....")
    assert "The agent played cell 0" in widget.status.value
    # An illegal click is ignored and explained.
    widget.action_buttons[4].click()
    assert "Cell 4 is taken" in widget.status.value
    assert widget.controller.moves == [4, 0]


def test_connect_four_widget_shows_the_board_and_the_agents_statistics() -> None:
    agent = Scripted([3, 3, 3])
    widget = play(ConnectFour(rows=4, cols=5), agent)
    assert [b.description for b in widget.action_buttons] == ["1", "2", "3", "4", "5"]
    assert widget.board_html is not None
    empty = widget.board_html.value
    assert empty.count('title="."') == 20 and "http" not in empty
    assert widget.stats.value == ""
    widget.action_buttons[0].click()
    board = widget.board_html.value
    assert board.count('title="X"') == 1 and board.count('title="O"') == 1
    assert board.count("3px solid") == 1  # the agent's last move is ringed
    assert "search nodes 1,000" in widget.stats.value and "seconds 0.25" in widget.stats.value
    assert "The agent played column 4" in widget.status.value


def test_widget_sides_and_new_game() -> None:
    widget = play(TicTacToe(), first_legal)
    widget.action_buttons[4].click()
    widget.side.value = 1  # the human now moves second: a new game, the agent opens
    assert widget.controller.human == 1 and widget.controller.moves == [0]
    assert widget.action_buttons[0].description == "X"
    assert "you play O" in widget.status.value
    widget.side.value = 0
    widget.action_buttons[8].click()
    widget.new_game_button.click()
    assert widget.controller.moves == [] and widget.controller.human == 0
    assert all(button.description == "" for button in widget.action_buttons)
    assert play(TicTacToe(), first_legal, human=1).side.value == 1


def test_widget_reports_an_agents_failure_instead_of_raising() -> None:
    widget = play(TicTacToe(), lambda state: 4)
    widget.action_buttons[4].click()  # the agent then wants the same cell
    assert "The agent failed: ValueError" in widget.status.value
    assert widget.controller.moves == [4]
    widget.side.value = 1  # a new game in which the agent opens with 4: fine
    assert widget.controller.moves == [4]


def test_widget_plays_a_whole_game() -> None:
    widget = play(ConnectFour(rows=4, cols=4), first_legal)
    for _ in range(16):
        if widget.controller.over:
            break
        widget.action_buttons[widget.controller.state.legal_actions()[-1]].click()
    assert widget.controller.over
    widget.action_buttons[0].click()
    assert "The game is over" in widget.status.value


# --- the static figure ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        TicTacToe(),
        TicTacToe.from_cells("XOX.XO.OX"),
        ConnectFour(),
        ConnectFour.from_moves("4332243722144"),
        ConnectFour.from_moves("3231323", rows=4, cols=4),
    ],
    ids=["ttt-empty", "ttt-won", "c4-empty", "c4-won", "c4-4x4"],
)
def test_board_figure(state: GameState) -> None:
    fig = board_figure(state, title="a position")
    try:
        assert isinstance(fig, Figure) and len(fig.axes) == 1
        ax = fig.axes[0]
        assert ax.get_title() == "a position" and not ax.axison
        assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
        if isinstance(state, ConnectFour):
            discs = [p for p in ax.patches if type(p).__name__ == "Circle"]
            assert len(discs) == state.rows * state.cols
            outlined = [p for p in discs if p.get_linewidth() == 3]
            assert len(outlined) == (state.k if state.winner is not None else 0)
            assert [t.get_text() for t in ax.texts] == [str(c + 1) for c in range(state.cols)]
        else:
            empty_cells = state.cells().count(".")
            assert len(ax.texts) == empty_cells  # empty cells show their action number
            highlighted = [p for p in ax.patches if type(p).__name__ == "FancyBboxPatch"]
            assert len(highlighted) == (3 if state.winner is not None else 0)
    finally:
        plt.close(fig)


def test_board_figure_and_draw_board_reject_bad_input() -> None:
    with pytest.raises(TypeError, match="state must be a TicTacToe or ConnectFour"):
        board_figure("X........")  # type: ignore[arg-type]
    fig, ax = plt.subplots()
    try:
        with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
            draw_board(fig, TicTacToe())  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="state must be"):
            draw_board(ax, None)  # type: ignore[arg-type]
        assert draw_board(ax, TicTacToe()) is ax
    finally:
        plt.close(fig)


# --- chapter 4: MCTS with a budget, searched in chunks ----------------------------------------


def seeded(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


@pytest.mark.parametrize("chunk", [1, 7, 64, 300, 1000])
@pytest.mark.parametrize(
    "state", [TicTacToe.from_cells("X........"), ConnectFour().play(3)], ids=["ttt", "c4"]
)
def test_a_search_in_chunks_visits_as_one_search(state: GameState, chunk: int) -> None:
    # The agent (O) is to move at the start: the constructor waits for begin_reply.
    game = MCTSController(state, rng=seeded(5), budget=300, chunk=chunk, human=0, reply=False)
    assert game.agent_to_move and not game.thinking and game.result is None
    game.begin_reply()
    steps, progress = 0, []
    while game.thinking:
        progress.append(game.progress)
        more = game.step()
        steps += 1
        assert more == game.thinking
    assert steps == math.ceil(300 / chunk) and len(progress) == steps
    assert progress[0] == (0, 300)
    assert [done for done, _ in progress] == [min(i * chunk, 300) for i in range(steps)]
    once = MCTS(300, seeded(5)).search(state)
    assert game.result is not None and game.result_state == state
    assert np.array_equal(game.result.visits, once.visits)
    assert game.result.visits.sum() == 300
    assert game.result.rollout_steps == once.rollout_steps
    assert game.moves == [once.best_action]
    assert game.last_cost is not None and game.last_cost.simulations == 300
    assert game.last_cost.rollout_moves == once.rollout_steps


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    budget=st.integers(1, 120),
    chunk=st.integers(1, 150),
    game=st.sampled_from(["ttt", "c4"]),
)
def test_any_chunking_visits_as_one_search(seed: int, budget: int, chunk: int, game: str) -> None:
    state = TicTacToe() if game == "ttt" else ConnectFour(rows=5, cols=6)
    controller = MCTSController(state, rng=seeded(seed), budget=budget, chunk=chunk, human=1)
    once = MCTS(budget, seeded(seed)).search(state)
    assert controller.result is not None and controller.result.simulations == budget
    assert np.array_equal(controller.result.visits, once.visits)
    assert controller.moves == [once.best_action]


def test_mcts_controller_answers_a_legal_click_with_its_budget() -> None:
    game = MCTSController(ConnectFour(), rng=seeded(1), budget=100, chunk=30)
    assert game.message == "Your move: you play X." and game.budget == 100
    message = game.click(3)
    assert len(game.moves) == 2 and game.moves[0] == 3
    action = game.moves[1]
    assert game.result is not None and game.result.visits.sum() == 100
    assert game.result_state == ConnectFour().play(3)
    assert message == (
        f"The agent played column {action + 1} ({game.result.visits[action]} of its 100 "
        "simulations). Your move: you play X."
    )
    assert action == int(np.argmax(game.result.visits))
    assert game.last_cost is not None and game.last_cost.simulations == 100


def test_mcts_controller_refuses_illegal_clicks_with_the_reason() -> None:
    game = MCTSController(TicTacToe(), rng=seeded(2), budget=50, chunk=10)
    game.click(4)
    before = (game.state, list(game.moves))
    assert game.click(4) == "Cell 4 is taken. Your move: you play X."
    assert game.click(9).startswith("There is no cell 9")
    assert (game.state, game.moves) == before
    # A click while the agent thinks is refused with its progress.
    free = game.state.legal_actions()[0]
    game.click(free, reply=False)
    game.begin_reply()
    game.step()
    assert game.thinking and game.progress == (10, 50)
    other = game.state.legal_actions()[0]
    refused = game.click(other)
    assert refused == (
        f"Wait: the agent is thinking (10 of 50 simulations); your click on cell {other} "
        "was ignored."
    )
    assert game.moves == [*before[1], free] and game.thinking
    game.step()  # the refusal stays on while the search goes on
    assert game.message.startswith("Wait: the agent is thinking (20 of 50 simulations)")
    assert game.reply().startswith("The agent played cell")  # the rest of the search
    assert not game.thinking and game.result is not None and game.result.simulations == 50
    # A whole game, then a click after it is over.
    while not game.over:
        game.click(game.state.legal_actions()[0])
    assert game.click(0).startswith("The game is over:")

    c4 = MCTSController(ConnectFour(rows=4, cols=4), rng=seeded(3), budget=10)
    while not c4.over and 0 in c4.state.legal_actions():
        c4.click(0)
    moves = list(c4.moves)
    assert c4.click(0).startswith(("Column 1 is full", "The game is over"))
    assert c4.moves == moves


def test_the_budget_applies_from_the_next_search() -> None:
    game = MCTSController(ConnectFour(), rng=seeded(4), budget=100, chunk=40)
    assert game.set_budget(30) == (
        "The agent now searches 30 simulations a move. Your move: you play X."
    )
    game.click(3)
    assert game.result is not None and game.result.simulations == 30
    game.click(3, reply=False)
    game.begin_reply()
    assert game.progress == (0, 30)
    message = game.set_budget(1000)
    assert message.startswith("The agent will search 1,000 simulations from its next move")
    game.reply()
    assert game.result.simulations == 30 and game.budget == 1000
    game.click(game.state.legal_actions()[0])
    assert game.result.simulations == 1000
    for bad, error in ((0, ValueError), (-5, ValueError), ("10", TypeError), (2.0, TypeError)):
        with pytest.raises(error, match="budget"):
            game.set_budget(bad)  # type: ignore[arg-type]
    assert game.budget == 1000


def test_a_new_game_drops_a_running_search() -> None:
    game = MCTSController(TicTacToe(), rng=seeded(6), budget=40, chunk=10)
    game.click(0, reply=False)
    game.begin_reply()
    game.step()
    assert game.thinking
    assert game.new_game() == "Your move: you play X."
    assert not game.thinking and game.result is None and game.moves == []
    assert not game.step()  # nothing runs
    # The agent opens: at once by default, or waiting for begin_reply.
    assert game.new_game(human=1).startswith("The agent played cell")
    assert len(game.moves) == 1 and game.result.simulations == 40
    assert game.new_game(human=1, reply=False) == "The agent (X) is to move."
    assert game.moves == [] and game.begin_reply().startswith("The agent is thinking: 0 of 40")


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"rng": 0}, TypeError, "rng"),
        ({"budget": 0}, ValueError, "budget must be >= 1"),
        ({"budget": "100"}, TypeError, "budget must be an integer"),
        ({"chunk": 0}, ValueError, "chunk must be >= 1"),
        ({"chunk": 2.5}, TypeError, "chunk must be an integer"),
        ({"c_uct": -1.0}, ValueError, "c_uct"),
        ({"reply": 1}, TypeError, "reply must be True or False"),
        ({"human": 2}, ValueError, "human must be 0"),
        ({"start": "X........"}, TypeError, "state must be a TicTacToe or ConnectFour"),
    ],
)
def test_mcts_controller_bad_arguments(
    kwargs: dict[str, object], error: type[Exception], fragment: str
) -> None:
    arguments: dict[str, object] = {"start": TicTacToe(), "rng": seeded()}
    arguments.update(kwargs)
    start = arguments.pop("start")
    with pytest.raises(error, match=re.escape(fragment)):
        MCTSController(start, **arguments)  # type: ignore[arg-type]


def test_mcts_widget_and_play_mcts_bad_arguments() -> None:
    game = MCTSController(TicTacToe(), rng=seeded(), budget=100)
    with pytest.raises(TypeError, match="controller must be an MCTSController"):
        MCTSWidget(GameController(TicTacToe(), first_legal))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="budget 100 is not one of the slider's budgets"):
        MCTSWidget(game, budgets=(10, 1000))
    with pytest.raises(ValueError, match="increasing"):
        MCTSWidget(game, budgets=(100, 10))
    with pytest.raises(TypeError, match="budgets must be a sequence of ints"):
        MCTSWidget(game, budgets=100)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="schedule must be callable"):
        MCTSWidget(game, schedule="soon")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="callback must be callable"):
        schedule_soon(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="budget must be >= 1"):
        play_mcts(TicTacToe(), seeded(), budget=0)
    with pytest.raises(TypeError, match="action must be an int"):
        game.click("4")  # type: ignore[arg-type]


class ByHand:
    """A scheduler that keeps callbacks until the test runs them, one at a time."""

    def __init__(self) -> None:
        self.pending: list = []

    def __call__(self, callback) -> None:
        self.pending.append(callback)

    def run_one(self) -> None:
        self.pending.pop(0)()


def visit_counts(widget: MCTSWidget) -> list[int]:
    spans = re.findall(r'<span class="visits"[^>]*>([\d,]*)</span>', widget.visits_html.value)
    return [int(s.replace(",", "")) for s in spans if s]


def test_mcts_widget_searches_in_scheduled_chunks_and_refuses_clicks_meanwhile() -> None:
    schedule = ByHand()
    controller = MCTSController(ConnectFour(), rng=seeded(7), budget=100, chunk=25, reply=False)
    widget = MCTSWidget(controller, budgets=(10, 100, 1000), schedule=schedule)
    assert widget.budget_slider.value == 100 and "appear here" in widget.visits_html.value
    widget.action_buttons[3].click()
    assert controller.thinking and len(schedule.pending) == 1
    assert "The agent is thinking: 0 of 100" in widget.status.value
    schedule.run_one()
    assert widget.progress.value == 25 and widget.progress.max == 100
    assert "searching: 25 / 100" in widget.progress_label.value
    assert sum(visit_counts(widget)) == 25 and "live" in widget.visits_html.value
    widget.action_buttons[0].click()  # refused: the agent is thinking
    assert "Wait: the agent is thinking (25 of 100 simulations)" in widget.status.value
    assert controller.moves == [3]
    while schedule.pending:
        schedule.run_one()
    assert not controller.thinking and len(controller.moves) == 2
    assert "The agent played column" in widget.status.value
    assert sum(visit_counts(widget)) == 100 and "final" in widget.visits_html.value
    assert widget.progress.value == 100 and "simulations 100" in widget.stats.value
    # The slider sets the next search's budget.
    widget.budget_slider.value = 10
    assert controller.budget == 10
    assert "now searches 10 simulations a move" in widget.status.value
    widget.action_buttons[0].click()
    while schedule.pending:
        schedule.run_one()
    assert controller.result is not None and controller.result.simulations == 10
    assert sum(visit_counts(widget)) == 10
    # A new game mid-search drops it; its leftover chunk does nothing.
    widget.action_buttons[0].click()
    assert controller.thinking
    widget.new_game_button.click()
    assert not controller.thinking and controller.moves == []
    schedule.run_one()
    assert controller.moves == [] and "Your move" in widget.status.value


def test_mcts_widget_without_an_event_loop_answers_at_once() -> None:
    widget = play_mcts(TicTacToe(), seeded(8), budget=30, chunk=7, budgets=(30, 300))
    widget.action_buttons[4].click()
    assert len(widget.controller.moves) == 2
    assert sum(visit_counts(widget)) == 30
    widget.side.value = 1  # the agent opens, searching at once
    assert len(widget.controller.moves) == 1 and "you play O" in widget.status.value
    second = play_mcts(TicTacToe(), seeded(8), budget=30, budgets=(30,), human=1)
    assert len(second.controller.moves) == 1 and sum(visit_counts(second)) == 30


def test_on_an_event_loop_clicks_are_handled_between_chunks() -> None:
    # A Jupyter kernel runs an asyncio loop: the chunks run on it, and a click
    # arriving meanwhile is handled (and refused) before the search ends.
    async def main() -> tuple[str, int, list[int]]:
        widget = play_mcts(ConnectFour(), seeded(9), budget=1000, chunk=50)
        widget.action_buttons[3].click()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        done = widget.controller.progress[0]
        widget.action_buttons[4].click()
        refused = widget.status.value
        while widget.controller.thinking:
            await asyncio.sleep(0)
        return refused, done, widget.controller.moves

    refused, done, moves = asyncio.run(main())
    assert 0 < done < 1000
    assert "Wait: the agent is thinking" in refused and "column 5 was ignored" in refused
    assert len(moves) == 2 and moves[0] == 3


def test_schedule_soon_runs_in_order_without_recursion() -> None:
    calls: list[int] = []

    def chain(i: int) -> None:
        calls.append(i)
        if i < 5000:  # far deeper than the recursion limit if it recursed
            schedule_soon(lambda: chain(i + 1))

    schedule_soon(lambda: chain(0))
    assert calls == list(range(5001))


def test_mcts_figure() -> None:
    controller = MCTSController(ConnectFour(), rng=seeded(10), budget=100)
    empty = mcts_figure(controller)
    try:
        assert "no search yet" in [t.get_text() for t in empty.axes[1].texts]
    finally:
        plt.close(empty)
    controller.click(3)
    fig = mcts_figure(controller)
    try:
        board, bars = fig.axes
        assert board.get_title() == controller.message
        heights = [p.get_height() for p in bars.patches]
        assert len(heights) == 7 and sum(heights) == 100
        assert bars.get_xlabel() == "column" and "100 simulations" in bars.get_title()
        assert any("simulations 100" in t.get_text() for t in bars.texts)
    finally:
        plt.close(fig)
    with pytest.raises(TypeError, match="controller must be an MCTSController"):
        mcts_figure(GameController(TicTacToe(), first_legal))  # type: ignore[arg-type]


# --- chapter 9: the gated agent, how it chose and what it cost --------------------------------


class Moded:
    """Plays scripted moves, each with a mode and a cost, as the gated agent reports them."""

    def __init__(self, script: list[tuple[int, str | None, DecisionCost | None]]) -> None:
        self.script = list(script)
        self.last_cost: DecisionCost | None = None
        self.last_mode: str | None = None

    def __call__(self, state: GameState) -> int:
        action, self.last_mode, self.last_cost = self.script.pop(0)
        return action


SEARCHED = DecisionCost(simulations=32, network_passes=33, tree_nodes=33, seconds=0.004)
POLICY = DecisionCost(network_passes=1, search_nodes=10, seconds=0.001)
TACTIC = DecisionCost(search_nodes=5, seconds=0.0002)


def test_gated_controller_says_how_each_move_was_chosen_and_what_it_cost() -> None:
    agent = Moded([(2, "policy", POLICY), (2, "search", SEARCHED), (0, "tactic", TACTIC)])
    game = GatedController(ConnectFour(rows=5, cols=5), agent)
    assert game.summary() == "The agent has not moved yet in this game."
    message = game.click(2)
    assert message == (
        "The agent played column 3: acted from the policy, cost search nodes 10 · network "
        "passes 1 · seconds 0.001. Your move: you play X."
    )
    message = game.click(1)
    assert message.startswith("The agent played column 3: planned (ran PUCT), cost simulations 32")
    game.click(4)
    assert "forced (a one-move tactical check), cost search nodes 5" in game.message
    assert game.log == [
        AgentMove(2, 2, "policy", POLICY),
        AgentMove(4, 2, "search", SEARCHED),
        AgentMove(6, 0, "tactic", TACTIC),
    ]
    assert game.total == POLICY + SEARCHED + TACTIC
    assert game.summary() == (
        "This game: 3 agent moves (1 planned, 1 from the policy, 1 forced); in total "
        "simulations 32 · search nodes 15 · network passes 34 · tree nodes 33 · seconds 0.0052."
    )
    game.new_game()
    assert game.log == [] and game.total == DecisionCost()


def test_decision_mode_reads_last_mode_or_the_cost() -> None:
    assert decision_mode(object(), SEARCHED) == "search"
    assert decision_mode(object(), POLICY) == "policy"
    assert decision_mode(object(), TACTIC) == "tactic"
    assert decision_mode(object(), DecisionCost(seconds=0.1)) == "unknown"
    moded = Moded([])
    moded.last_mode = "policy"  # its own word wins over the cost
    assert decision_mode(moded, SEARCHED) == "policy"
    moded.last_mode = "guess"  # not one of MODES: read the cost
    assert decision_mode(moded, SEARCHED) == "search"
    assert set(MODES) == {"search", "policy", "tactic", "unknown"}
    with pytest.raises(TypeError, match=r"cost must be a daopt\.cost\.DecisionCost"):
        decision_mode(moded, {"simulations": 1})  # type: ignore[arg-type]


def test_gated_controller_refuses_illegal_clicks_and_bad_agents() -> None:
    agent = Moded([(0, "policy", POLICY)] * 10)
    game = GatedController(ConnectFour(rows=4, cols=4), agent)
    game.click(0)
    game.click(0)  # column 1 is full: X, O, X, O
    log = list(game.log)
    assert game.click(0) == "Column 1 is full. Your move: you play X."
    assert game.click(7).startswith("There is no column 8")
    assert game.log == log and len(log) == 2
    with pytest.raises(TypeError, match="agent must report its decisions' cost in last_cost"):
        GatedController(ConnectFour(), first_legal)
    with pytest.raises(ValueError, match="reported no DecisionCost in last_cost"):
        GatedController(ConnectFour(), Moded([(3, None, None)]), human=1)
    with pytest.raises(TypeError, match="controller must be a GatedController"):
        GatedWidget(GameController(TicTacToe(), first_legal))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="controller must be a GatedController"):
        gated_figure(game.state)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="human must be 0"):
        play_gated(human=2)


def test_gated_widget_shows_the_log_and_the_running_total() -> None:
    agent = Moded([(2, "policy", POLICY), (3, "search", SEARCHED)])
    widget = GatedWidget(GatedController(ConnectFour(rows=5, cols=5), agent))
    assert widget.log_html.value == "" and "not moved yet" in widget.total_html.value
    widget.action_buttons[0].click()
    widget.action_buttons[0].click()
    assert widget.log_html.value.count('<tr class="agent-move">') == 2
    assert "planned (ran PUCT)" in widget.log_html.value
    assert "2 agent moves (1 planned, 1 from the policy)" in widget.total_html.value
    assert "planned (ran PUCT), cost simulations 32" in widget.status.value
    widget.new_game_button.click()
    assert widget.log_html.value == ""


def test_play_gated_with_the_shipped_agent() -> None:
    # Only the public interface: whatever the shipped network, each move is
    # logged with a mode that agrees with its cost record.
    widget = play_gated()
    game = widget.controller
    assert game.state == ConnectFour(rows=5, cols=5) and game.human == 0
    while not game.over:
        widget.action_buttons[game.state.legal_actions()[0]].click()
    assert game.log and len(game.log) == len(game.moves) // 2
    for move in game.log:
        assert move.mode in ("search", "policy", "tactic")
        assert (move.mode == "search") == (move.cost.simulations > 0)
        if move.mode == "policy":
            assert move.cost.network_passes >= 1 or move.ply <= 2
    assert game.total.simulations == sum(m.cost.simulations for m in game.log)
    widget.action_buttons[0].click()
    assert "The game is over" in widget.status.value


def test_gated_figure() -> None:
    agent = Moded([(2, "policy", POLICY), (3, "search", SEARCHED)])
    game = GatedController(ConnectFour(rows=5, cols=5), agent)
    game.click(0)
    game.click(0)
    fig = gated_figure(game)
    try:
        board, costs = fig.axes
        assert board.get_title() == game.message
        heights = [p.get_height() for p in costs.patches]
        assert heights == [POLICY.position_evaluations(), SEARCHED.position_evaluations()]
        labels = [t.get_text() for t in costs.get_legend().get_texts()]
        assert labels == [MODES["search"], MODES["policy"]]
        # Wrapped onto lines inside the figure, the same words.
        assert game.summary() in [" ".join(t.get_text().split()) for t in costs.texts]
    finally:
        plt.close(fig)


# --- chapter 1: the step size, the steps K and the training range ----------------------------

QUADRATIC = ShiftedQuadratic()
X_QUERIES = np.random.default_rng(0).uniform(-2, 2, size=200)
X_TEST = np.random.default_rng(4).uniform(-2, 2, size=300)


@pytest.fixture(scope="module")
def models() -> dict[float, tuple[amortised.AmortisedModel, amortised.TrainingLog]]:
    """Small objective-based models, as chapter 1 trains them, on two training ranges."""
    trained = {}
    for a in (1.0, 2.0):
        x_train = np.random.default_rng(1).uniform(-a, a, size=500)
        model = amortised.AmortisedModel(np.random.default_rng(2))
        log = amortised.fit_objective(
            model,
            QUADRATIC,
            x_train,
            rng=np.random.default_rng(3),
            steps=300,
            batch_size=64,
            learning_rate=3e-3,
        )
        trained[a] = (model, log)
    return trained


def knobs(models: dict, **settings: object) -> TwoWaysController:
    return TwoWaysController(QUADRATIC, models, x_queries=X_QUERIES, x_test=X_TEST, **settings)


def test_two_ways_computes_chapter_ones_quantities(models: dict) -> None:
    controller = knobs(models, step=0.1, n_steps=30, half_width=2.0)
    model, log = models[2.0]
    quality = float(np.quantile(QUADRATIC.gap(model(X_TEST), X_TEST), 0.9))
    assert controller.model_gap == quality
    y = direct.gradient_descent(QUADRATIC, X_QUERIES, np.zeros(200), step=0.1, n_steps=30).y
    assert controller.direct_gap == QUADRATIC.gap(y, X_QUERIES).max()
    semi = direct.gradient_descent(QUADRATIC, X_QUERIES, model(X_QUERIES), step=0.1, n_steps=30)
    assert controller.semi_gap == QUADRATIC.gap(semi.y, X_QUERIES).max()
    k_star = direct.steps_to_tolerance(
        QUADRATIC, X_QUERIES, np.zeros(200), step=0.1, tolerance=quality
    )
    assert controller.steps_matched == k_star > 1
    up_front = cost.cost_profile(
        "objective", training=log, query_oracle_calls=0, query_network_passes=1
    )
    direct_k_star = cost.cost_profile(
        "direct", training=None, query_oracle_calls=k_star, query_network_passes=0
    )
    assert controller.break_even == cost.break_even(direct_k_star, up_front)
    training_units = log.oracle_calls + log.network_passes
    assert controller.break_even == pytest.approx(training_units / (k_star - 1))
    assert controller.break_even_at_k == pytest.approx(up_front.fixed / 29)
    message = controller.message
    assert f"K* = {k_star} steps" in message
    assert f"N* = {math.ceil(controller.break_even):,} queries" in message
    assert f"N* = {math.ceil(controller.break_even_at_k):,} queries" in message
    assert f"{quality:.1e}" in message and f"{controller.direct_gap:.1e}" in message


def test_two_ways_each_knob_changes_the_output(models: dict) -> None:
    controller = knobs(models, step=0.1, n_steps=30, half_width=2.0)
    seen = {controller.message}
    before = (controller.direct_gap, controller.steps_matched, controller.break_even_at_k)
    controller.update(n_steps=60)  # more steps: a smaller direct gap, a dearer query
    assert controller.direct_gap < before[0] and controller.break_even_at_k < before[2]
    assert controller.steps_matched == before[1]  # K* does not depend on K
    seen.add(controller.message)
    controller.update(step=0.3)  # a longer step: fewer steps to match the model
    assert controller.steps_matched < before[1]
    seen.add(controller.message)
    gap_wide = controller.model_gap
    controller.update(half_width=1.0)  # trained on [-1, 1], queried on [-2, 2]
    assert controller.model_gap > 10 * gap_wide
    seen.add(controller.message)
    assert len(seen) == 4 and "[−1, 1]" in controller.message


def test_two_ways_edge_settings(models: dict) -> None:
    controller = knobs(models, step=1.0, n_steps=0)
    # eta = 1 solves the quadratic in one step: a query costs one oracle call,
    # no more than the model's forward pass, so amortising never pays.
    assert controller.steps_matched == 1 and controller.break_even == math.inf
    assert controller.break_even_at_k == math.inf  # K = 0: a free, useless answer
    assert "amortising never pays" in controller.message
    controller.update(step=2.1, n_steps=20)  # past 2 the iteration grows
    assert controller.steps_matched is None and controller.break_even is None
    assert "no break-even N*" in controller.message
    assert "it needs more than max_steps = 500 steps" in controller.message
    assert controller.direct_gap is not None and controller.direct_gap > 1
    fig = controller.figure(title="diverging")
    try:
        assert len(fig.axes) == 2 and fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    finally:
        plt.close(fig)


def test_two_ways_figure(models: dict) -> None:
    controller = knobs(models, n_steps=10, half_width=2.0)
    fig = controller.figure(title=controller.message)
    try:
        left, right = fig.axes
        labels = [line.get_label() for line in left.get_lines()]
        assert labels == ["amortised", "direct, K = 10", "semi-amortised", "model's 90% gap"]
        assert left.get_xlabel() == "context $x$" and "gap" in left.get_ylabel()
        assert right.get_xlabel().startswith("number of queries")
        assert [line.get_label() for line in right.get_lines()][:3] == [
            "amortised",
            f"direct, K* = {controller.steps_matched}",
            "direct, K = 10",
        ]
        assert fig._suptitle is not None and fig._suptitle.get_text() == controller.message
    finally:
        plt.close(fig)


def test_two_ways_widget_sliders_redraw(models: dict) -> None:
    widget = two_ways(QUADRATIC, models, x_queries=X_QUERIES, x_test=X_TEST, n_steps=20)
    assert isinstance(widget, TwoWaysWidget) and "daopt-two-ways" in widget._dom_classes
    assert widget.range_slider.options == (("[−1, 1]", 1.0), ("[−2, 2]", 2.0))
    text, image = widget.text.value, bytes(widget.image.value)
    assert image.startswith(b"\x89PNG") and "K = 20" in text
    widget.k_slider.value = 40
    assert widget.controller.n_steps == 40 and "K = 40" in widget.text.value
    assert bytes(widget.image.value) != image
    text = widget.text.value
    widget.step_slider.value = 0.5
    assert widget.controller.step == 0.5 and widget.text.value != text
    text = widget.text.value
    widget.range_slider.value = 2.0
    assert widget.controller.half_width == 2.0 and widget.text.value != text


def test_two_ways_rejects_bad_arguments(models: dict) -> None:
    with pytest.raises(TypeError, match=r"problem must be a daopt\.problems\.ObjectiveFamily"):
        TwoWaysController("quadratic", models, x_queries=X_QUERIES, x_test=X_TEST)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="models must map a training half-width"):
        knobs([models[1.0]])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one trained model"):
        knobs({})
    with pytest.raises(ValueError, match="training half-width"):
        knobs({-1.0: models[1.0]})
    with pytest.raises(TypeError, match=r"models\[1\] must be a pair"):
        knobs({1.0: models[1.0][0]})
    with pytest.raises(TypeError, match="model must be callable"):
        knobs({1.0: (None, models[1.0][1])})
    with pytest.raises(TypeError, match="training log must have oracle_calls"):
        knobs({1.0: (models[1.0][0], "log")})
    with pytest.raises(ValueError, match="x_test must hold at least one context"):
        TwoWaysController(QUADRATIC, models, x_queries=X_QUERIES, x_test=np.array([]))
    with pytest.raises(ValueError, match="quantile must be in"):
        knobs(models, quantile=1.5)
    with pytest.raises(ValueError, match="step must be finite and > 0"):
        knobs(models, step=0.0)
    with pytest.raises(TypeError, match="n_steps must be an integer"):
        knobs(models, n_steps=2.5)
    controller = knobs(models)
    message = controller.message
    with pytest.raises(ValueError, match=r"no model was trained on \[-3, 3\].*\[1.0, 2.0\]"):
        controller.update(half_width=3)
    with pytest.raises(TypeError, match="half_width must be a number"):
        controller.update(half_width="2")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_steps must be >= 0"):
        controller.update(n_steps=-1)
    with pytest.raises(ValueError, match="no model was trained"):
        controller.update(step=0.5, n_steps=7, half_width=5.0)
    assert (controller.step, controller.n_steps) == (0.1, 50)
    assert controller.message == message  # a refused update changes nothing
    with pytest.raises(TypeError, match="controller must be a TwoWaysController"):
        TwoWaysWidget(GameController(TicTacToe(), first_legal))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="step_range must be"):
        TwoWaysWidget(controller, step_range=(1.0, 0.5))


# --- chapter 3: every legal move's value ------------------------------------------------------


def solver_reply(state: GameState) -> int:
    return search.optimal_actions(state)[0]


def test_move_values_are_the_solvers() -> None:
    board = MoveValuesController(TicTacToe.from_cells("X.XOO...."))
    assert board.both_sides and board.human_to_move and not board.agent_to_move
    assert board.values == search.action_values(board.state)
    assert board.values[1] == 1 and board.values[6] == -1  # X wins at 1; 6 lets O win at 5
    assert board.message == "X to move: each free cell shows its value for X."
    exact = MoveValuesController(TicTacToe.from_cells("X.XOO...."), exact=True)
    assert exact.values == search.action_values(exact.state, exact=True)
    assert exact.values[1] > max(v for a, v in exact.values.items() if a != 1) > 0


def test_move_values_legal_click_with_and_without_a_reply() -> None:
    both = MoveValuesController()
    assert set(both.values.values()) == {0}  # every opening keeps the draw
    assert both.click(0) == "O to move: each free cell shows its value for O."
    assert both.moves == [0] and both.values == search.action_values(both.state)
    assert both.values[4] == 0 and both.values[1] == -1  # only some replies hold the draw
    solver = MoveValuesController(agent=solver_reply)
    message = solver.click(1)
    assert solver.moves == [1, 0]
    assert message == (
        "The agent played cell 0. Your move: you play X; each free cell shows its value for you."
    )
    assert solver.values == search.action_values(TicTacToe.from_cells("OX......."))
    assert sorted(solver.values.values()) == [-1, -1, -1, 0, 0, 0, 0]


def test_move_values_illegal_clicks_change_nothing_and_say_why() -> None:
    board = MoveValuesController(agent=solver_reply)
    board.click(4)
    before = (board.state, list(board.moves), board.values)
    taken = board.click(4)
    assert taken.startswith("Cell 4 is taken.")
    assert board.click(9).startswith("There is no cell 9")
    assert (board.state, board.moves, board.values) == before
    with pytest.raises(TypeError, match="action must be an int"):
        board.click("4")  # type: ignore[arg-type]
    both = MoveValuesController()
    for cell in (0, 3, 1, 4, 2):  # X completes the top row
        both.click(cell)
    assert both.over and both.message == "X wins." and both.values == {}
    assert both.click(8) == "The game is over: X wins. Press “New game” to play again."
    assert both.moves == [0, 3, 1, 4, 2]


def test_move_values_widget_shows_values_and_reasons() -> None:
    widget = move_values(agent=solver_reply)
    assert isinstance(widget, MoveValuesWidget) and "daopt-values" in widget._dom_classes
    assert [b.description for b in widget.action_buttons] == ["0"] * 9
    assert "+ a forced win" in widget.key.value
    widget.action_buttons[1].click()
    descriptions = [b.description for b in widget.action_buttons]
    assert descriptions == ["O", "X", "−1", "0", "0", "−1", "0", "−1", "0"]
    assert widget.action_buttons[2].style.button_color == plots.PALETTE["objective"]
    assert "The agent played cell 0" in widget.status.value
    widget.action_buttons[0].click()
    assert "Cell 0 is taken" in widget.status.value
    assert [b.description for b in widget.action_buttons] == descriptions
    both = move_values(TicTacToe.from_cells("X.XOO...."))
    assert both.side.layout.display == "none"  # no agent: no side to choose
    assert both.action_buttons[1].description == "+1"
    assert both.action_buttons[1].style.button_color == plots.PALETTE["semi"]
    both.action_buttons[1].click()
    assert "X wins." in both.status.value and both.key.value == ""
    assert all(b.description in ("X", "O", "") for b in both.action_buttons)


def test_format_value_and_values_figure() -> None:
    assert [format_value(v) for v in (1, 0, -1, 3)] == ["+1", "0", "−1", "+3"]
    with pytest.raises(TypeError, match="value must be an int"):
        format_value(0.5)  # type: ignore[arg-type]
    state = TicTacToe.from_cells("OX.......")
    values = search.action_values(state)
    fig = values_figure(state, values, title="after cell 1")
    try:
        ax = fig.axes[0]
        shown = [t.get_text() for t in ax.texts if t.get_bbox_patch() is not None]
        numbers = [int(t.get_text()) for t in ax.texts if t.get_bbox_patch() is None]
        assert sorted(shown) == sorted(format_value(v) for v in values.values())
        assert sorted(numbers) == sorted(values)  # the free cells' numbers, in their corners
        assert ax.get_title() == "after cell 1"
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="values holds action 1, not a legal move"):
        values_figure(state, {1: 0})
    with pytest.raises(TypeError, match="state must be a TicTacToe state"):
        values_figure(ConnectFour(), {})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="values must map legal actions"):
        values_figure(state, [0, 1])  # type: ignore[arg-type]


def test_move_values_rejects_bad_arguments() -> None:
    with pytest.raises(TypeError, match="start must be a TicTacToe state"):
        MoveValuesController(ConnectFour())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="agent must be None or a callable"):
        MoveValuesController(agent=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="exact must be True or False"):
        MoveValuesController(exact=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="human must be 0"):
        MoveValuesController(agent=solver_reply, human=2)
    with pytest.raises(ValueError, match="the game is already over"):
        MoveValuesController(TicTacToe.from_cells("XXXOO...."))
    with pytest.raises(TypeError, match="controller must be a MoveValuesController"):
        MoveValuesWidget(GameController(TicTacToe(), first_legal))  # type: ignore[arg-type]
