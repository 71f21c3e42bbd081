"""daopt.widgets: the game controller (no browser needed), the widget built on
it (clicked through its buttons' ``click()``), and the static board figure;
chapter 1's knobs and chapter 3's board of move values, likewise."""

from __future__ import annotations

import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from daopt import amortised, cost, direct, plots, search
from daopt.cost import DecisionCost
from daopt.games import PLAYER_COLOURS, ConnectFour, GameState, TicTacToe
from daopt.problems import ShiftedQuadratic
from daopt.widgets import (
    GameController,
    GameWidget,
    MoveValuesController,
    MoveValuesWidget,
    TwoWaysController,
    TwoWaysWidget,
    board_figure,
    draw_board,
    format_cost,
    format_value,
    move_values,
    play,
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
