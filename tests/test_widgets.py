"""daopt.widgets: the game controller (no browser needed), the widget built on
it (clicked through its buttons' ``click()``), and the static board figure."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from daopt.cost import DecisionCost
from daopt.games import PLAYER_COLOURS, ConnectFour, GameState, TicTacToe
from daopt.widgets import (
    GameController,
    GameWidget,
    board_figure,
    draw_board,
    format_cost,
    play,
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
