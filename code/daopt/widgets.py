"""Play tic-tac-toe or Connect Four against any agent inside Jupyter, and draw a
position as a static figure for the rendered book (which cannot run widgets).

``play(state, agent, human=0)`` returns an ipywidgets widget. Its logic lives
in ``GameController``, which needs no browser: ``click(action)`` plays the
human's move, lets the agent reply and returns the status message.

Chapter 1's knobs: ``two_ways(problem, models, ...)`` (logic in
``TwoWaysController``) sets the step size eta, the steps K and the training
range, and shows the gap and the break-even N*. Chapter 3's board:
``move_values()`` (logic in ``MoveValuesController``) shows every legal move's
exact value; ``values_figure`` draws it for the rendered book. Chapter 4:
``play_mcts(state, rng, budget=...)`` (logic in ``MCTSController``) plays MCTS
at a budget set with a slider, its search run in chunks on the kernel's event
loop and its root visits shown live. Chapter 9: ``play_gated()`` (logic in
``GatedController``) plays the gated agent and says of each move whether it
planned and what it cost.
"""

from __future__ import annotations

import asyncio
import html
import io
import itertools
import math
import textwrap
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, Patch
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from daopt import plots
from daopt.cost import CostProfile, DecisionCost, TrainingWork, break_even, cost_profile
from daopt.direct import check_problem, gradient_descent, steps_to_tolerance
from daopt.games import PLAYER_COLOURS, PLAYER_MARKS, ConnectFour, GameState, TicTacToe
from daopt.mcts import MCTS, MCTSResult
from daopt.problems import ObjectiveFamily
from daopt.search import action_values
from daopt.validation import as_vector, is_integer, is_real, positive_float, positive_int

__all__ = ["GameController", "GameWidget", "board_figure", "draw_board", "format_cost", "play"]

Agent = Callable[[GameState], int]

# Pixel size of one Connect Four column: the column buttons and the board's
# cells share it so that each button sits above its column.
_CELL_PX = 40
_EMPTY = "#f4f4f4"


def _check_game(state: object) -> TicTacToe | ConnectFour:
    if not isinstance(state, (TicTacToe, ConnectFour)):
        raise TypeError(f"state must be a TicTacToe or ConnectFour state, got {state!r}")
    return state


def _check_player(name: str, value: object) -> int:
    if not is_integer(value):
        raise TypeError(f"{name} must be 0 (move first) or 1 (move second), got {value!r}")
    if value not in (0, 1):
        raise ValueError(f"{name} must be 0 (move first) or 1 (move second), got {value!r}")
    return int(value)


def format_cost(cost: DecisionCost | None) -> str:
    """An agent's ``last_cost`` as one line of its non-zero counts, e.g.
    "simulations 100 · tree nodes 1,234 · seconds 0.0123"; "" for None."""
    if cost is None:
        return ""
    if not isinstance(cost, DecisionCost):
        raise TypeError(f"cost must be a daopt.cost.DecisionCost or None, got {cost!r}")
    parts = []
    for name, value in cost.as_dict().items():
        if not value:
            continue
        label = name.replace("_", " ")
        if name != "seconds" and float(value).is_integer():
            parts.append(f"{label} {int(value):,}")
        else:
            parts.append(f"{label} {value:.3g}")
    return " · ".join(parts)


class GameController:
    """The game behind the widget: the position, whose turn it is, the agent's replies.

    ``human`` is the player the human plays (0 moves first). Illegal clicks
    change nothing; ``click`` returns a message that says why.
    """

    def __init__(self, start: GameState, agent: Agent, *, human: int = 0) -> None:
        start = _check_game(start)
        if start.is_terminal():
            raise ValueError(f"the game is already over in the start position {start!r}")
        if not callable(agent):
            raise TypeError(f"agent must be a callable agent(state) -> action, got {agent!r}")
        self.start: TicTacToe | ConnectFour = start
        self.agent = agent
        self.human = _check_player("human", human)
        self.state: TicTacToe | ConnectFour = start
        self.moves: list[int] = []  # the actions played since the start
        self.last_cost: DecisionCost | None = None
        self.message = ""
        self.new_game()

    # -- whose turn ---------------------------------------------------------------
    @property
    def over(self) -> bool:
        return self.state.is_terminal()

    @property
    def human_to_move(self) -> bool:
        return not self.over and self.state.to_play == self.human

    @property
    def agent_to_move(self) -> bool:
        return not self.over and self.state.to_play != self.human

    # -- what the human does --------------------------------------------------------
    def new_game(self, *, human: int | None = None) -> str:
        """Start again from the start position (as ``human``, if given); the agent
        moves at once if it is its turn. Returns the status message."""
        if human is not None:
            self.human = _check_player("human", human)
        self.state, self.moves, self.last_cost = self.start, [], None
        self.message = self._turn_message()
        if self.agent_to_move:
            return self.reply()
        return self.message

    def click(self, action: int, *, reply: bool = True) -> str:
        """The human plays ``action``; then, if ``reply``, the agent answers.

        An illegal click (a taken cell, a full column, after the game is over or
        out of turn) changes nothing; the message says why.
        """
        if not is_integer(action):
            raise TypeError(f"action must be an int, got {action!r}")
        action = int(action)
        if self.over:
            self.message = f"The game is over: {self._result()} Press “New game” to play again."
        elif not self.human_to_move:
            self.message = f"Not your turn: the agent ({self._mark(1 - self.human)}) is to move."
        elif action not in self.state.legal_actions():
            self.message = f"{self._why_illegal(action)} {self._turn_message()}"
        else:
            self._play(action)
            if reply and self.agent_to_move:
                return self.reply()
            self.message = self._result() if self.over else self._turn_message()
        return self.message

    def reply(self) -> str:
        """The agent plays, if it is its turn. Returns the status message.

        Raises ValueError if the agent returns an illegal move (a bug in the agent).
        """
        if not self.agent_to_move:
            return self.message
        legal = self.state.legal_actions()
        action = self.agent(self.state)
        if not is_integer(action):
            raise TypeError(f"the agent returned {action!r}, not an int; legal moves are {legal}")
        if int(action) not in legal:
            raise ValueError(f"the agent chose illegal move {action!r}; legal moves are {legal}")
        cost = getattr(self.agent, "last_cost", None)
        self.last_cost = cost if isinstance(cost, DecisionCost) else None
        self._play(int(action))
        played = f"The agent played {self.describe(int(action))}."
        self.message = f"{played} {self._result() if self.over else self._turn_message()}"
        return self.message

    def describe(self, action: int) -> str:
        """A move as the widget shows it: "column 4" (1-based) or "cell 4" (0-8)."""
        if isinstance(self.state, ConnectFour):
            return f"column {action + 1}"
        return f"cell {action}"

    # -- internals ------------------------------------------------------------------
    def _play(self, action: int) -> None:
        self.state = self.state.play(action)
        self.moves.append(action)

    def _mark(self, player: int) -> str:
        return PLAYER_MARKS[player]

    def _turn_message(self) -> str:
        if self.over:
            return self._result()
        if self.human_to_move:
            return f"Your move: you play {self._mark(self.human)}."
        return f"The agent ({self._mark(1 - self.human)}) is to move."

    def _result(self) -> str:
        winner = self.state.winner
        if winner is None:
            return "A draw."
        return "You win!" if winner == self.human else "The agent wins."

    def _why_illegal(self, action: int) -> str:
        if isinstance(self.state, ConnectFour):
            if not 0 <= action < self.state.cols:
                return f"There is no column {action + 1} (columns are 1-{self.state.cols})."
            return f"Column {action + 1} is full."
        if not 0 <= action < 9:
            return f"There is no cell {action} (cells are 0-8)."
        return f"Cell {action} is taken."


# --- the widget ------------------------------------------------------------------------


def _connect_four_html(state: ConnectFour, last: int | None) -> str:
    """The board as an HTML table of discs, with a ring on the last move's disc."""
    colour = {"X": PLAYER_COLOURS[0], "O": PLAYER_COLOURS[1], ".": "#ffffff"}
    grid = state.grid()
    last_row = None
    if last is not None:  # the highest stone in the last move's column
        last_row = next(r for r, line in enumerate(grid) if line[last] != ".")
    size = _CELL_PX - 8
    rows = []
    for r, line in enumerate(grid):
        cells = []
        for c, mark in enumerate(line):
            ring = "3px solid #000" if (r, c) == (last_row, last) else "1px solid #999"
            cells.append(
                f'<td style="width:{_CELL_PX}px;height:{_CELL_PX}px;padding:0;'
                f'text-align:center"><div title="{mark}" style="width:{size}px;'
                f"height:{size}px;margin:auto;border-radius:50%;box-sizing:border-box;"
                f'background:{colour[mark]};border:{ring}"></div></td>'
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<table style="border-collapse:collapse;border-spacing:0;background:#d9d9d9;'
        f'margin:0 2px">{"".join(rows)}</table>'
    )


class GameWidget(widgets.VBox):
    """The widget ``play`` returns: a status line, the board, the agent's last
    statistics, a choice of side and a "New game" button.

    ``action_buttons[a]`` is the button that plays action ``a`` (a cell of the
    tic-tac-toe grid, or the button above a Connect Four column).
    """

    def __init__(self, controller: GameController) -> None:
        super().__init__()
        self.controller = controller
        self.status = widgets.HTML()
        self.stats = widgets.HTML()
        self.new_game_button = widgets.Button(description="New game", icon="refresh")
        self.side = widgets.ToggleButtons(
            options=[("I move first", 0), ("I move second", 1)], value=controller.human
        )
        state = controller.start
        if isinstance(state, TicTacToe):
            self.action_buttons = [
                widgets.Button(
                    description="",
                    tooltip=f"cell {cell}",
                    layout=widgets.Layout(width="64px", height="64px"),
                )
                for cell in range(9)
            ]
            self.board_html: widgets.HTML | None = None
            board: widgets.Widget = widgets.GridBox(
                children=self.action_buttons,
                layout=widgets.Layout(grid_template_columns="repeat(3, 68px)"),
            )
        else:
            self.action_buttons = [
                widgets.Button(
                    description=str(col + 1),
                    tooltip=f"drop a stone in column {col + 1}",
                    layout=widgets.Layout(width=f"{_CELL_PX - 4}px", margin="2px", padding="0"),
                )
                for col in range(state.cols)
            ]
            self.board_html = widgets.HTML()
            board = widgets.VBox([widgets.HBox(self.action_buttons), self.board_html])
        for action, button in enumerate(self.action_buttons):
            button.on_click(lambda _, action=action: self._on_action(action))
        self.new_game_button.on_click(lambda _: self._on_new_game())
        self.side.observe(self._on_side, names="value")
        self.children = [
            self.status,
            board,
            self.stats,
            widgets.HBox([self.side, self.new_game_button]),
        ]
        self._refresh()

    def _on_action(self, action: int) -> None:
        controller = self.controller
        try:
            controller.click(action, reply=False)
            if controller.agent_to_move:
                # Show the human's move before the agent starts thinking.
                self._refresh("The agent is thinking…")
                controller.reply()
        except Exception as error:  # an agent's bug: show it rather than lose it in a log
            controller.message = f"The agent failed: {type(error).__name__}: {error}"
        self._refresh()

    def _on_new_game(self) -> None:
        try:
            self.controller.new_game(human=self.side.value)
        except Exception as error:
            self.controller.message = f"The agent failed: {type(error).__name__}: {error}"
        self._refresh()

    def _on_side(self, change: Mapping[str, object]) -> None:
        self._on_new_game()

    def _refresh(self, message: str | None = None) -> None:
        controller = self.controller
        state = controller.state
        text = controller.message if message is None else message
        self.status.value = f"<b>{html.escape(text)}</b>"
        stats = format_cost(controller.last_cost)
        self.stats.value = (
            f"<small>agent's last move: {html.escape(stats)}</small>" if stats else ""
        )
        if isinstance(state, TicTacToe):
            for button, mark in zip(self.action_buttons, state.cells(), strict=True):
                button.description = "" if mark == "." else mark
                button.style.button_color = (
                    _EMPTY if mark == "." else PLAYER_COLOURS[PLAYER_MARKS.index(mark)]
                )
                button.style.text_color = "white"
                button.style.font_weight = "bold"
                button.style.font_size = "28px"
        else:
            assert self.board_html is not None
            last = controller.moves[-1] if controller.moves else None
            self.board_html.value = _connect_four_html(state, last)


def play(state: GameState, agent: Agent, *, human: int = 0) -> GameWidget:
    """A widget to play ``state``'s game against ``agent`` (any ``agent(state) -> action``).

    ``human`` is the side the human plays: 0 moves first, 1 second (the widget
    lets the human switch). The agent's ``last_cost``, if it has one, is shown
    after each of its moves.
    """
    return GameWidget(GameController(state, agent, human=human))


# --- a static picture of a position -------------------------------------------------


def _winning_cells(state: TicTacToe | ConnectFour) -> list[tuple[int, int]]:
    """(row, col) of the winner's line, row 0 at the top; empty if nobody has won."""
    if state.winner is None:
        return []
    mark = PLAYER_MARKS[state.winner]
    if isinstance(state, TicTacToe):
        grid = [list(state.cells()[r * 3 : r * 3 + 3]) for r in range(3)]
        k = 3
    else:
        grid, k = state.grid(), state.k
    rows, cols = len(grid), len(grid[0])
    for d_row, d_col in ((0, 1), (1, 0), (1, 1), (1, -1)):
        for row in range(rows):
            for col in range(cols):
                cells = [(row + i * d_row, col + i * d_col) for i in range(k)]
                if all(0 <= r < rows and 0 <= c < cols and grid[r][c] == mark for r, c in cells):
                    return cells
    return []  # pragma: no cover - a winner always has a line


def draw_board(ax: Axes, state: GameState, *, title: str | None = None) -> Axes:
    """Draw ``state`` (tic-tac-toe or Connect Four) on ``ax``; the winning line is
    outlined. Empty tic-tac-toe cells show their action number; Connect Four
    columns are numbered 1..cols below the board."""
    state = _check_game(state)
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {ax!r}")
    win = set(_winning_cells(state))
    if isinstance(state, TicTacToe):
        _draw_tictactoe(ax, state, win)
    else:
        _draw_connect_four(ax, state, win)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title is not None:
        ax.set_title(title)
    return ax


def _draw_tictactoe(ax: Axes, state: TicTacToe, win: set[tuple[int, int]]) -> None:
    for i in (1, 2):
        ax.plot([i, i], [0, 3], color=plots.PALETTE["grey"], lw=2)
        ax.plot([0, 3], [i, i], color=plots.PALETTE["grey"], lw=2)
    for cell, mark in enumerate(state.cells()):
        row, col = divmod(cell, 3)
        x, y = col + 0.5, 2.5 - row
        if (row, col) in win:
            ax.add_patch(
                FancyBboxPatch(
                    (x - 0.42, y - 0.42),
                    0.84,
                    0.84,
                    boxstyle="round,pad=0.02",
                    facecolor="#eeeeee",
                    edgecolor="none",
                    zorder=0,
                )
            )
        if mark == "X":
            for sign in (1, -1):
                ax.plot(
                    [x - 0.28, x + 0.28],
                    [y - 0.28 * sign, y + 0.28 * sign],
                    color=PLAYER_COLOURS[0],
                    lw=5,
                    solid_capstyle="round",
                )
        elif mark == "O":
            ax.add_patch(Circle((x, y), 0.3, fill=False, lw=5, edgecolor=PLAYER_COLOURS[1]))
        else:
            ax.text(x, y, str(cell), ha="center", va="center", color="#bbbbbb", fontsize=11)
    ax.set(xlim=(-0.05, 3.05), ylim=(-0.05, 3.05))


def _draw_connect_four(ax: Axes, state: ConnectFour, win: set[tuple[int, int]]) -> None:
    rows, cols = state.rows, state.cols
    ax.add_patch(
        FancyBboxPatch(
            (0.05, 0.05),
            cols - 0.1,
            rows - 0.1,
            boxstyle="round,pad=0.05",
            facecolor="#d9d9d9",
            edgecolor="none",
        )
    )
    fill = {"X": PLAYER_COLOURS[0], "O": PLAYER_COLOURS[1], ".": "white"}
    for row, line in enumerate(state.grid()):
        for col, mark in enumerate(line):
            winning = (row, col) in win
            ax.add_patch(
                Circle(
                    (col + 0.5, rows - row - 0.5),
                    0.4,
                    facecolor=fill[mark],
                    edgecolor="black" if winning else "#999999",
                    lw=3 if winning else 0.8,
                )
            )
    for col in range(cols):
        ax.text(col + 0.5, -0.35, str(col + 1), ha="center", va="center", fontsize=10)
    ax.set(xlim=(-0.1, cols + 0.1), ylim=(-0.7, rows + 0.1))


def board_figure(state: GameState, *, title: str | None = None) -> Figure:
    """A static figure of one position, in the book's style."""
    state = _check_game(state)
    if isinstance(state, TicTacToe):
        width, height = 2.8, 2.8
    else:
        width, height = 0.45 * state.cols + 0.6, 0.45 * state.rows + 0.9
    fig, [ax] = plots.figure(width=width, height=height)
    draw_board(ax, state, title=title)
    return fig


# --- chapter 4: play MCTS at a budget, its root visits live ------------------------------

__all__ += [  # with the code they name, below
    "MCTS_BUDGETS",
    "MCTSController",
    "MCTSWidget",
    "mcts_figure",
    "play_mcts",
    "schedule_soon",
]

MCTS_BUDGETS = (10, 30, 100, 300, 1_000, 3_000, 10_000)


class MCTSController(GameController):
    """Play against ``daopt.mcts.MCTS`` at ``budget`` simulations a move, its search
    run in chunks so that a widget can show the root's visits as they grow.

    The agent's search grows one tree ``chunk`` simulations at a time, each chunk
    ``MCTS.search(root, simulations=chunk, reuse_tree=True)``: the same random
    numbers in the same order as one search of ``budget`` simulations, hence the
    same visits and the same move. ``begin_reply()`` starts a search, each
    ``step()`` runs one chunk and returns True while more remain, and the last
    chunk plays the most visited move. ``reply()`` (and so ``click``) runs a
    whole search at once. While a search runs (``thinking``) clicks are refused
    with its progress; a new budget (``set_budget``) applies from the next search.

    ``result`` is the running or the last search's ``MCTSResult`` (``visits`` per
    action of ``result_state``, the position searched); None before the first.
    With ``reply=False`` the agent, if it is to move at the start, waits for
    ``begin_reply()`` instead of searching in the constructor.
    """

    def __init__(
        self,
        start: GameState,
        *,
        rng: np.random.Generator,
        budget: int = 1_000,
        chunk: int = 100,
        human: int = 0,
        c_uct: float = math.sqrt(2.0),
        reply: bool = True,
    ) -> None:
        self.mcts = MCTS(positive_int("budget", budget), rng, c_uct=c_uct)
        self.chunk = positive_int("chunk", chunk)
        if not isinstance(reply, bool):
            raise TypeError(f"reply must be True or False, got {reply!r}")
        self.result: MCTSResult | None = None
        self.result_state: GameState | None = None
        self._target = 0  # the running search's budget; 0 when none runs
        self._refused: int | None = None  # the last click refused during the running search
        self._reply_at_start = reply
        super().__init__(start, self.mcts, human=human)

    # -- the budget and the running search ------------------------------------------------
    @property
    def budget(self) -> int:
        """Simulations per agent move (from the next search on, if one runs)."""
        return self.mcts.simulations

    def set_budget(self, budget: int) -> str:
        """Search ``budget`` simulations a move from the next search on; returns the message."""
        self.mcts.simulations = positive_int("budget", budget)
        if self.thinking:
            done, target = self.progress
            self.message = (
                f"The agent will search {self.budget:,} simulations from its next move; "
                f"this search finishes its {target:,} ({done:,} done)."
            )
        else:
            self.message = (
                f"The agent now searches {self.budget:,} simulations a move. {self._turn_message()}"
            )
        return self.message

    @property
    def thinking(self) -> bool:
        """True while a search runs (between ``begin_reply()`` and its last ``step()``)."""
        return self._target > 0

    @property
    def progress(self) -> tuple[int, int]:
        """(simulations done, simulations planned) of the running search; (0, 0) if none."""
        if not self.thinking:
            return 0, 0
        return (0 if self.result is None else self.result.simulations), self._target

    def begin_reply(self) -> str:
        """Start the agent's search if it is to move and none runs; returns the message."""
        if self.thinking or not self.agent_to_move:
            return self.message
        self._target, self._refused = self.budget, None
        self.result, self.result_state = None, self.state
        self.message = self._thinking_message()
        return self.message

    def _thinking_message(self) -> str:
        done, target = self.progress
        if self._refused is None:
            return f"The agent is thinking: {done:,} of {target:,} simulations."
        # The refusal stays in the message until the search ends, so that it
        # can be read while the progress moves on.
        return (
            f"Wait: the agent is thinking ({done:,} of {target:,} simulations); "
            f"your click on {self.describe(self._refused)} was ignored."
        )

    def step(self) -> bool:
        """Run the next chunk of the running search; True while more remain.

        The last chunk plays the most visited move and sets ``last_cost`` to the
        whole search's cost. Does nothing (returns False) if no search runs.
        """
        if not self.thinking:
            return False
        done = 0 if self.result is None else self.result.simulations
        count = min(self.chunk, self._target - done)
        try:
            self.result = self.mcts.search(self.state, simulations=count, reuse_tree=done > 0)
        except BaseException:
            self._target = 0
            raise
        if self.result.simulations < self._target:
            self.message = self._thinking_message()
            return True
        self._target = 0
        result, action = self.result, self.result.best_action
        self.last_cost = self.mcts.last_cost = result.cost
        self._play(action)
        self.message = (
            f"The agent played {self.describe(action)} ({int(result.visits[action]):,} of its "
            f"{result.simulations:,} simulations). "
            f"{self._result() if self.over else self._turn_message()}"
        )
        return False

    # -- the game, with the search in steps -------------------------------------------------
    def reply(self) -> str:
        """The agent's whole search at once (or the rest of the running one)."""
        if not self.agent_to_move:
            return self.message
        self.begin_reply()
        while self.step():
            pass
        return self.message

    def click(self, action: int, *, reply: bool = True) -> str:
        """As ``GameController.click``; a click while the agent thinks is refused."""
        if not is_integer(action):
            raise TypeError(f"action must be an int, got {action!r}")
        if self.thinking:
            self._refused = int(action)
            self.message = self._thinking_message()
            return self.message
        return super().click(action, reply=reply)

    def new_game(self, *, human: int | None = None, reply: bool = True) -> str:
        """As ``GameController.new_game`` (a running search is dropped); with
        ``reply=False`` an agent to move waits for ``begin_reply()``."""
        if not isinstance(reply, bool):
            raise TypeError(f"reply must be True or False, got {reply!r}")
        if not self._reply_at_start:  # the constructor's game, built with reply=False
            reply, self._reply_at_start = False, True
        if human is not None:
            self.human = _check_player("human", human)
        self._target = 0
        self.result = self.result_state = None
        if reply:
            return super().new_game()
        self.state, self.moves, self.last_cost = self.start, [], None
        self.message = self._turn_message()
        return self.message


class _Trampoline:
    """Runs scheduled callbacks one after another, without recursion, when no
    event loop runs (a plain script, a test)."""

    def __init__(self) -> None:
        self.pending: deque[Callable[[], object]] = deque()
        self.running = False

    def __call__(self, callback: Callable[[], object]) -> None:
        self.pending.append(callback)
        if self.running:
            return
        self.running = True
        try:
            while self.pending:
                self.pending.popleft()()
        finally:
            self.running = False


_run_in_turn = _Trampoline()


def schedule_soon(callback: Callable[[], object]) -> None:
    """Call ``callback()`` soon: on the running asyncio event loop if there is one
    (a Jupyter kernel's, which then handles its messages, such as clicks, between
    two callbacks), otherwise at once (callbacks it schedules run after it)."""
    if not callable(callback):
        raise TypeError(f"callback must be callable, got {callback!r}")
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        _run_in_turn(callback)
    else:
        loop.call_soon(callback)


def _check_budgets(budgets: object, budget: int) -> tuple[int, ...]:
    if isinstance(budgets, (str, bytes)) or not isinstance(budgets, Sequence):
        raise TypeError(f"budgets must be a sequence of ints, got {budgets!r}")
    values = tuple(positive_int("each budget", b) for b in budgets)
    if not values or any(b <= a for a, b in itertools.pairwise(values)):
        raise ValueError(f"budgets must be a non-empty, increasing sequence, got {budgets!r}")
    if budget not in values:
        raise ValueError(f"budget {budget} is not one of the slider's budgets {values}")
    return values


def _visits_html(controller: MCTSController) -> str:
    """The root's visits of the running or last search: bars under the Connect
    Four columns, or a 3 x 3 grid of counts for tic-tac-toe."""
    result, state = controller.result, controller.result_state
    if result is None or state is None:
        return "<small>The agent's visit counts per move appear here when it searches.</small>"
    visits = result.visits
    legal = set(state.legal_actions())
    top = int(visits.max()) or 1
    best = int(np.argmax(visits))
    live = "live" if controller.thinking else "final"
    head = (
        f"<small>visits per move at the root, {live}: {result.simulations:,} simulations"
        f"{'' if controller.thinking else ', the most visited move played'}</small>"
    )

    def count(action: int) -> str:
        weight = "bold" if action == best else "normal"
        value = f"{int(visits[action]):,}" if action in legal else ""
        return f'<span class="visits" style="font-weight:{weight}">{value}</span>'

    if isinstance(state, ConnectFour):
        cells = []
        for col in range(state.cols):
            height = round(36 * int(visits[col]) / top)
            colour = PLAYER_COLOURS[state.to_play]
            cells.append(
                f'<td title="column {col + 1}" style="width:{_CELL_PX}px;padding:0;'
                'vertical-align:bottom;text-align:center;font-size:11px">'
                f'<div style="height:{height}px;width:{_CELL_PX - 14}px;margin:auto;'
                f'background:{colour}"></div>{count(col)}</td>'
            )
        table = (
            '<table style="border-collapse:collapse;margin:0 2px;height:52px">'
            f"<tr>{''.join(cells)}</tr></table>"
        )
    else:
        rows = []
        for r in range(3):
            cells = []
            for c in range(3):
                cell = 3 * r + c
                shade = round(255 - 120 * int(visits[cell]) / top)
                cells.append(
                    f'<td title="cell {cell}" style="width:44px;height:30px;text-align:center;'
                    f'border:1px solid #999;background:rgb({shade},{shade},255)">'
                    f"{count(cell)}</td>"
                )
            rows.append(f"<tr>{''.join(cells)}</tr>")
        table = f'<table style="border-collapse:collapse">{"".join(rows)}</table>'
    return head + table


class MCTSWidget(GameWidget):
    """The widget ``play_mcts`` returns: ``GameWidget`` plus a budget slider
    (``budget_slider``, simulations a move), a progress bar of the running search
    (``progress``) and the root's visit counts per move (``visits_html``).

    The agent's search runs in chunks, each scheduled by ``schedule`` (default
    ``schedule_soon``: on the kernel's event loop), so that the kernel handles
    clicks and other messages between chunks; clicks while it thinks are refused.
    """

    def __init__(
        self,
        controller: MCTSController,
        *,
        budgets: Sequence[int] = MCTS_BUDGETS,
        schedule: Callable[[Callable[[], object]], None] | None = None,
    ) -> None:
        if not isinstance(controller, MCTSController):
            raise TypeError(f"controller must be an MCTSController, got {controller!r}")
        values = _check_budgets(budgets, controller.budget)
        if schedule is not None and not callable(schedule):
            raise TypeError(f"schedule must be callable or None, got {schedule!r}")
        self._schedule = schedule_soon if schedule is None else schedule
        self._search_id = 0  # the search a scheduled chunk belongs to
        # Created before GameWidget's constructor, whose last step is _refresh.
        self.budget_slider = widgets.SelectionSlider(
            options=[(f"{b:,}", b) for b in values],
            value=controller.budget,
            description="simulations a move",
            continuous_update=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="360px"),
        )
        self.budget_slider.add_class("daopt-budget")
        self.progress = widgets.IntProgress(
            value=0, min=0, max=controller.budget, description="search", bar_style="info"
        )
        self.progress_label = widgets.HTML()
        self.progress_label.add_class("daopt-progress")
        self.visits_html = widgets.HTML()
        self.visits_html.add_class("daopt-visits")
        super().__init__(controller)
        self.add_class("daopt-mcts")
        self.controller: MCTSController = controller
        status, board, stats, sides = self.children
        self.children = [
            status,
            board,
            self.visits_html,
            stats,
            widgets.HBox([self.budget_slider, self.progress, self.progress_label]),
            sides,
        ]
        self.budget_slider.observe(self._on_budget, names="value")
        if controller.agent_to_move:
            self._think()

    # -- the search, one chunk per scheduled call ---------------------------------------------
    def _think(self) -> None:
        self.controller.begin_reply()
        self._search_id += 1
        search_id = self._search_id
        self._refresh()
        self._schedule(lambda: self._next_chunk(search_id))

    def _next_chunk(self, search_id: int) -> None:
        controller = self.controller
        if search_id != self._search_id or not controller.thinking:
            return  # a new game dropped this search
        try:
            more = controller.step()
        except Exception as error:  # an agent's bug: show it rather than lose it in a log
            controller.message = f"The agent failed: {type(error).__name__}: {error}"
            more = False
        self._refresh()
        if more:
            self._schedule(lambda: self._next_chunk(search_id))

    # -- events -------------------------------------------------------------------------------
    def _on_action(self, action: int) -> None:
        controller = self.controller
        controller.click(action, reply=False)
        if controller.agent_to_move and not controller.thinking:
            self._think()
        else:
            self._refresh()

    def _on_new_game(self) -> None:
        self.controller.new_game(human=self.side.value, reply=False)
        if self.controller.agent_to_move:
            self._think()
        else:
            self._refresh()

    def _on_budget(self, change: Mapping[str, object]) -> None:
        self.controller.set_budget(change["new"])  # type: ignore[arg-type]
        self._refresh()

    def _refresh(self, message: str | None = None) -> None:
        super()._refresh(message)
        controller = self.controller
        if controller.thinking:
            done, target = controller.progress
            self.progress.max, self.progress.value = target, done
            self.progress.bar_style = "info"
            self.progress_label.value = f"<small>searching: {done:,} / {target:,}</small>"
        elif controller.result is not None:
            done = controller.result.simulations
            self.progress.max, self.progress.value = done, done
            self.progress.bar_style = "success"
            self.progress_label.value = f"<small>done: {done:,} simulations</small>"
        else:
            self.progress.max, self.progress.value = controller.budget, 0
            self.progress_label.value = ""
        self.visits_html.value = _visits_html(controller)


def play_mcts(
    state: GameState,
    rng: np.random.Generator,
    *,
    budget: int = 1_000,
    chunk: int = 100,
    human: int = 0,
    budgets: Sequence[int] = MCTS_BUDGETS,
) -> MCTSWidget:
    """A widget to play ``state``'s game against MCTS (random rollouts), with a
    slider over ``budgets`` for the simulations per move (``budget`` at first).

    The search runs ``chunk`` simulations at a time on the kernel's event loop,
    the root's visits shown as they grow; the agent's ``last_cost`` is shown
    after each of its moves. ``human``: 0 moves first, 1 second.
    """
    controller = MCTSController(
        state, rng=rng, budget=budget, chunk=chunk, human=human, reply=False
    )
    return MCTSWidget(controller, budgets=budgets)


def mcts_figure(controller: MCTSController) -> Figure:
    """A static picture of the ``MCTSWidget`` of ``controller``: its status line,
    the board, and the root's visits per move of its last search."""
    if not isinstance(controller, MCTSController):
        raise TypeError(f"controller must be an MCTSController, got {controller!r}")
    state, result, searched = controller.state, controller.result, controller.result_state
    c4 = isinstance(state, ConnectFour)
    fig, [board_ax, visits_ax] = plots.figure(2, width=9.0, height=3.8 if c4 else 3.2)
    draw_board(board_ax, state)
    board_ax.set_title(controller.message, fontsize=9, wrap=True)
    n = state.num_actions
    labels = [str(a + 1) if c4 else str(a) for a in range(n)]
    if result is None or searched is None:
        visits_ax.text(0.5, 0.5, "no search yet", ha="center", va="center")
        visits_ax.set_axis_off()
        return fig
    legal = set(searched.legal_actions())
    played = result.best_action
    mover = PLAYER_COLOURS[searched.to_play]
    colours = [mover if a == played else plots.PALETTE["grey"] for a in range(n)]
    visits_ax.bar(range(n), result.visits, color=colours)
    for action in range(n):
        if action in legal:
            visits_ax.text(
                action, result.visits[action], f"{int(result.visits[action]):,}",
                ha="center", va="bottom", fontsize=8,
            )  # fmt: skip
    visits_ax.set_xticks(range(n), labels)
    visits_ax.set(
        xlabel="column" if c4 else "cell",
        ylabel="simulations through the move",
        title=f"the agent's last search: {result.simulations:,} simulations",
    )
    visits_ax.title.set_fontsize(10)
    visits_ax.text(
        0.0, -0.3, f"cost: {format_cost(controller.last_cost)}", transform=visits_ax.transAxes,
        fontsize=8, va="top",
    )  # fmt: skip
    return fig


# --- chapter 9: play the gated agent, see when it plans and what it costs ------------------

__all__ += [  # with the code they name, below
    "MODES",
    "AgentMove",
    "GatedController",
    "GatedWidget",
    "decision_mode",
    "gated_figure",
    "play_gated",
]

# How an agent chose a move, as the widget says it.
MODES = {
    "search": "planned (ran PUCT)",
    "policy": "acted from the policy",
    "tactic": "forced (a one-move tactical check)",
    "unknown": "chose (it does not say how)",
}


def decision_mode(agent: object, cost: DecisionCost) -> str:
    """How ``agent`` chose its last move, one of ``MODES``: its ``last_mode`` if it
    reports one of them, else read from ``cost``: simulations mean it searched,
    network passes alone that it acted from the policy, search nodes alone a tactic."""
    if not isinstance(cost, DecisionCost):
        raise TypeError(f"cost must be a daopt.cost.DecisionCost, got {cost!r}")
    mode = getattr(agent, "last_mode", None)
    if isinstance(mode, str) and mode in MODES:
        return mode
    if cost.simulations > 0:
        return "search"
    if cost.network_passes > 0:
        return "policy"
    if cost.search_nodes > 0:
        return "tactic"
    return "unknown"


@dataclass(frozen=True)
class AgentMove:
    """One of the agent's moves: ``ply`` (1 is the game's first move), the
    ``action``, how it chose (``mode``, a key of ``MODES``) and its ``cost``."""

    ply: int
    action: int
    mode: str
    cost: DecisionCost


class GatedController(GameController):
    """``GameController`` for an agent that reports ``last_cost`` (such as
    ``daopt.hybrid.pretrained("gated")``): after each of its moves the message
    says whether it planned or acted from its policy and what the move cost.

    ``log`` holds the agent's moves of this game (``AgentMove``), ``total`` their
    summed cost. Raises ValueError if the agent returns without a ``DecisionCost``.
    """

    def __init__(self, start: GameState, agent: Agent, *, human: int = 0) -> None:
        if not hasattr(agent, "last_cost"):
            raise TypeError(
                "agent must report its decisions' cost in last_cost (a DecisionCost), "
                f"got {agent!r}"
            )
        self.log: list[AgentMove] = []
        super().__init__(start, agent, human=human)

    @property
    def total(self) -> DecisionCost:
        """The summed cost of the agent's moves in this game."""
        return sum((move.cost for move in self.log), DecisionCost())

    def new_game(self, *, human: int | None = None) -> str:
        """As ``GameController.new_game``; the log starts afresh."""
        self.log = []
        return super().new_game(human=human)

    def reply(self) -> str:
        """As ``GameController.reply``; the message says how the agent chose and the cost."""
        if not self.agent_to_move:
            return self.message
        super().reply()
        action, cost = self.moves[-1], self.last_cost
        if cost is None:
            raise ValueError(
                f"the agent played {self.describe(action)} but reported no DecisionCost "
                f"in last_cost (got {getattr(self.agent, 'last_cost', None)!r})"
            )
        mode = decision_mode(self.agent, cost)
        self.log.append(AgentMove(len(self.moves), action, mode, cost))
        self.message = (
            f"The agent played {self.describe(action)}: {MODES[mode]}, cost "
            f"{format_cost(cost) or 'nothing counted'}. "
            f"{self._result() if self.over else self._turn_message()}"
        )
        return self.message

    def summary(self) -> str:
        """The game so far in one line: the agent's moves by mode and their total cost."""
        if not self.log:
            return "The agent has not moved yet in this game."
        short = {
            "search": "planned",
            "policy": "from the policy",
            "tactic": "forced",
            "unknown": "unexplained",
        }
        counts = {mode: sum(move.mode == mode for move in self.log) for mode in MODES}
        modes = ", ".join(f"{n} {short[mode]}" for mode, n in counts.items() if n)
        moves = len(self.log)
        return (
            f"This game: {moves} agent move{'s' * (moves != 1)} ({modes}); "
            f"in total {format_cost(self.total) or 'nothing counted'}."
        )


def _log_html(controller: GatedController) -> str:
    """The agent's moves of this game as a small table, the latest last."""
    if not controller.log:
        return ""
    colour = {
        "search": plots.PALETTE["direct"],
        "policy": plots.PALETTE["amortised"],
        "tactic": plots.PALETTE["regression"],
        "unknown": plots.PALETTE["grey"],
    }
    head = "".join(
        f'<th style="padding:0 6px;text-align:right">{name}</th>'
        for name in ("move", "column", "how", "network passes", "simulations", "ms")
    )
    rows = []
    for move in controller.log:
        cost = move.cost
        cells = (
            str(move.ply),
            str(move.action + 1) if isinstance(controller.start, ConnectFour) else str(move.action),
            f'<span style="color:{colour[move.mode]}">{html.escape(MODES[move.mode])}</span>',
            f"{int(cost.network_passes):,}",
            f"{int(cost.simulations):,}",
            f"{1000 * cost.seconds:.1f}",
        )
        rows.append(
            '<tr class="agent-move">'
            + "".join(f'<td style="padding:0 6px;text-align:right">{c}</td>' for c in cells)
            + "</tr>"
        )
    return (
        '<table style="border-collapse:collapse;font-size:12px">'
        f"<tr>{head}</tr>{''.join(rows)}</table>"
    )


class GatedWidget(GameWidget):
    """The widget ``play_gated`` returns: ``GameWidget`` plus, after each agent
    move, how it chose and what it cost, a table of the agent's moves
    (``log_html``) and the game's running total (``total_html``)."""

    def __init__(self, controller: GatedController) -> None:
        if not isinstance(controller, GatedController):
            raise TypeError(f"controller must be a GatedController, got {controller!r}")
        # Created before GameWidget's constructor, whose last step is _refresh.
        self.total_html = widgets.HTML()
        self.total_html.add_class("daopt-total")
        self.log_html = widgets.HTML()
        self.log_html.add_class("daopt-log")
        super().__init__(controller)
        self.add_class("daopt-gated")
        self.controller: GatedController = controller
        status, board, stats, sides = self.children
        self.children = [status, board, stats, self.total_html, self.log_html, sides]

    def _refresh(self, message: str | None = None) -> None:
        super()._refresh(message)
        self.total_html.value = f"<small>{html.escape(self.controller.summary())}</small>"
        self.log_html.value = _log_html(self.controller)


def play_gated(
    state: GameState | None = None, agent: Agent | None = None, *, human: int = 0
) -> GatedWidget:
    """A widget to play chapter 9's gated agent (``daopt.hybrid.pretrained("gated")``
    by default) on ``state`` (default: the empty 5 x 5 Connect Four board), showing
    after each of its moves whether it planned and what the move cost."""
    if state is None:
        state = ConnectFour(rows=5, cols=5)
    if agent is None:
        from daopt import hybrid  # only when asked for: it loads the network's weights

        agent = hybrid.pretrained("gated")
    return GatedWidget(GatedController(state, agent, human=human))


def gated_figure(controller: GatedController) -> Figure:
    """A static picture of the ``GatedWidget`` of ``controller``: its status line
    and board, and the cost of each agent move coloured by how it chose."""
    if not isinstance(controller, GatedController):
        raise TypeError(f"controller must be a GatedController, got {controller!r}")
    fig, [board_ax, cost_ax] = plots.figure(2, width=9.0, height=3.9)
    draw_board(board_ax, controller.state)
    board_ax.set_title(controller.message, fontsize=9, wrap=True)
    colour = {
        "search": plots.PALETTE["direct"],
        "policy": plots.PALETTE["amortised"],
        "tactic": plots.PALETTE["regression"],
        "unknown": plots.PALETTE["grey"],
    }
    for move in controller.log:
        evaluations = move.cost.position_evaluations()
        cost_ax.bar(move.ply, evaluations, color=colour[move.mode], width=1.2)
        cost_ax.text(move.ply, evaluations, controller.describe(move.action).split()[-1],
                     ha="center", va="bottom", fontsize=8)  # fmt: skip
    used = sorted({move.mode for move in controller.log}, key=list(MODES).index)
    cost_ax.legend(
        handles=[Patch(color=colour[m], label=MODES[m]) for m in used], loc="upper left",
        fontsize=8,
    )  # fmt: skip
    cost_ax.set(
        xlabel="move number (the agent's moves; its move on top)",
        ylabel="position evaluations",
        title="what each of the agent's moves cost",
    )
    cost_ax.title.set_fontsize(10)
    cost_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if controller.log:
        cost_ax.set_ylim(0, 1.35 * max(m.cost.position_evaluations() for m in controller.log))
    # Wrapped by hand: matplotlib's wrap=True lets the line run to the figure's edge.
    cost_ax.text(0.0, -0.25, textwrap.fill(controller.summary(), 80), fontsize=8, va="top",
                 transform=cost_ax.transAxes)  # fmt: skip
    return fig


# --- chapter 1: step size, steps and training range -> gap and break-even ---------------

# A gap of exactly 0 (eta = 1 solves the quadratic in one step) still has to
# show on a log axis.
_GAP_FLOOR = 1e-16
_QUERIES_PLOTTED = np.logspace(0, 7, 200)

Model = Callable[[np.ndarray], np.ndarray]


def _check_models(models: object) -> dict[float, tuple[Model, TrainingWork]]:
    """``models`` as {training half-width a: (model, training log)}, sorted by a."""
    if not isinstance(models, Mapping):
        raise TypeError(
            "models must map a training half-width a (the model saw x in [-a, a]) to "
            f"(model, training log), got {models!r}"
        )
    if not models:
        raise ValueError("models must hold at least one trained model, got none")
    checked = {}
    for width, pair in models.items():
        width = positive_float("a training half-width (a key of models)", width)
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(f"models[{width:g}] must be a pair (model, training log), got {pair!r}")
        model, log = pair
        if not callable(model):
            raise TypeError(f"models[{width:g}]'s model must be callable y_hat(x), got {model!r}")
        if not all(hasattr(log, name) for name in ("oracle_calls", "network_passes")):
            raise TypeError(
                f"models[{width:g}]'s training log must have oracle_calls and network_passes "
                f"(a daopt.amortised.TrainingLog), got {log!r}"
            )
        checked[width] = (model, log)
    return dict(sorted(checked.items()))


def _pays_after(n: float) -> str:
    """A break-even N* in words."""
    if math.isinf(n):
        return "amortising never pays (a direct query costs no more than a forward pass)"
    return f"amortising pays after N* = {math.ceil(n):,} queries"


class TwoWaysController:
    """Chapter 1's comparison at one setting of its knobs, with no browser.

    The direct solver takes K gradient steps of size eta from y = 0 on the
    queries ``x_queries`` (n,); the amortised model is the one trained on
    [-a, a], a a key of ``models``, and its quality is its ``quantile`` gap on
    ``x_test`` (m,). After each ``update`` the controller holds

    - ``direct_gap``: the direct solver's worst gap over the queries after K steps;
    - ``model_gap``: the model's quality (the ``quantile`` of its gap on ``x_test``);
    - ``semi_gap``: the worst gap after K steps started at the model's guess;
    - ``steps_matched``: the steps K* the direct solver needs to bring every
      query within ``model_gap`` (None, and ``why_unmatched`` says why, if it
      cannot: it diverges, or needs more than ``max_steps``, 500 by default:
      enough for chapter 1's model at eta >= 0.02, and quick to give up on);
    - ``break_even``: the queries N* after which the model is cheaper than the
      direct solver at K* steps (``math.inf``: never; None: no K*);
    - ``break_even_at_k``: the same against the direct solver at K steps;

    and ``message``, those numbers in words. Gaps are f(y, x) - f(y_star(x), x).
    """

    def __init__(
        self,
        problem: ObjectiveFamily,
        models: Mapping[float, tuple[Model, TrainingWork]],
        *,
        x_queries: np.ndarray,
        x_test: np.ndarray,
        step: float = 0.1,
        n_steps: int = 50,
        half_width: float | None = None,
        quantile: float = 0.9,
        max_steps: int = 500,
        x_plot: np.ndarray | None = None,
    ) -> None:
        self.problem = check_problem(problem)
        self.models = _check_models(models)
        self.x_queries = as_vector("x_queries", x_queries)
        self.x_test = as_vector("x_test", x_test)
        for name, x in (("x_queries", self.x_queries), ("x_test", self.x_test)):
            if x.size == 0:
                raise ValueError(f"{name} must hold at least one context, got none")
        self.quantile = positive_float("quantile", quantile)
        if self.quantile > 1:
            raise ValueError(f"quantile must be in (0, 1], got {quantile!r}")
        self.max_steps = positive_int("max_steps", max_steps)
        if x_plot is None:
            x_plot = np.linspace(-4, 4, 401)
        self.x_plot = as_vector("x_plot", x_plot)
        self.step = positive_float("step", step)
        self.n_steps = positive_int("n_steps", n_steps, minimum=0)
        self.half_width = next(iter(self.models)) if half_width is None else half_width
        self.message = ""
        self.update(half_width=self.half_width)

    @property
    def half_widths(self) -> list[float]:
        """The training ranges on offer, as half-widths a (ascending)."""
        return list(self.models)

    def update(
        self,
        *,
        step: float | None = None,
        n_steps: int | None = None,
        half_width: float | None = None,
    ) -> str:
        """Set any of eta (``step``), K (``n_steps``) and the training range (its
        half-width, a key of ``models``); recompute and return the message."""
        # Check every argument before changing anything: a refused update leaves
        # the controller as it was.
        new_step = self.step if step is None else positive_float("step", step)
        new_k = self.n_steps if n_steps is None else positive_int("n_steps", n_steps, minimum=0)
        new_width = self.half_width
        if half_width is not None:
            if not is_real(half_width):
                raise TypeError(f"half_width must be a number, got {half_width!r}")
            if float(half_width) not in self.models:
                raise ValueError(
                    f"no model was trained on [-{half_width}, {half_width}]; "
                    f"the training half-widths are {self.half_widths}"
                )
            new_width = float(half_width)
        self.step, self.n_steps, self.half_width = new_step, new_k, new_width
        self._compute()
        self.message = self._describe()
        return self.message

    # -- the numbers ------------------------------------------------------------------
    def _descend(self, x: np.ndarray, y0: np.ndarray) -> np.ndarray | None:
        """K steps from y0; None if gradient descent diverged."""
        try:
            return gradient_descent(self.problem, x, y0, step=self.step, n_steps=self.n_steps).y
        except ValueError:
            return None

    def _gap(self, y: np.ndarray | None, x: np.ndarray) -> np.ndarray | None:
        if y is None:
            return None
        with np.errstate(over="ignore"):
            gap = self.problem.gap(y, x)
        return gap if np.all(np.isfinite(gap)) else None

    def _compute(self) -> None:
        model, log = self.models[self.half_width]
        problem, x_q = self.problem, self.x_queries
        self.model_gap = float(
            np.quantile(problem.gap(model(self.x_test), self.x_test), self.quantile)
        )
        direct_gaps = self._gap(self._descend(x_q, np.zeros_like(x_q)), x_q)
        self.direct_gap = None if direct_gaps is None else float(direct_gaps.max())
        semi_gaps = self._gap(self._descend(x_q, model(x_q)), x_q)
        self.semi_gap = None if semi_gaps is None else float(semi_gaps.max())
        self.steps_matched: int | None = None
        self.why_unmatched = ""
        try:
            self.steps_matched = steps_to_tolerance(
                problem,
                x_q,
                np.zeros_like(x_q),
                step=self.step,
                tolerance=max(self.model_gap, _GAP_FLOOR),
                max_steps=self.max_steps,
            )
        except ValueError as error:
            self.why_unmatched = (
                "gradient descent diverges"
                if "diverged" in str(error)
                else f"it needs more than max_steps = {self.max_steps:,} steps"
            )
        self.amortised = cost_profile(
            "amortised", training=log, query_oracle_calls=0, query_network_passes=1
        )
        self.direct_at_k = self._direct(self.n_steps)
        self.break_even_at_k = break_even(self.direct_at_k, self.amortised)
        self.direct_matched = (
            None if self.steps_matched is None else self._direct(self.steps_matched)
        )
        self.break_even = (
            None if self.direct_matched is None else break_even(self.direct_matched, self.amortised)
        )

    def _direct(self, steps: int) -> CostProfile:
        return cost_profile(
            f"direct, {steps} steps",
            training=None,
            query_oracle_calls=steps,
            query_network_passes=0,
        )

    def _describe(self) -> str:
        a, k = self.half_width, self.n_steps
        direct_gap = "diverges" if self.direct_gap is None else f"worst gap {self.direct_gap:.1e}"
        semi_gap = "diverges" if self.semi_gap is None else f"worst gap {self.semi_gap:.1e}"
        lines = [
            f"η = {self.step:g}, K = {k}, model trained on [−{a:g}, {a:g}].",
            f"Direct, K = {k} steps from y = 0: {direct_gap} over {self.x_queries.size:,} "
            f"queries. Semi-amortised, K steps from ŷ(x): {semi_gap}.",
            f"Amortised: {self.quantile:.0%} of test contexts within a gap of "
            f"{self.model_gap:.1e}, one forward pass per query after "
            f"{self.amortised.fixed:,.0f} units of training.",
        ]
        if self.steps_matched is None or self.break_even is None:
            lines.append(
                f"Direct cannot match the model at η = {self.step:g} ({self.why_unmatched}): "
                "no break-even N*."
            )
        else:
            lines.append(
                f"Direct needs K* = {self.steps_matched} "
                f"step{'s' if self.steps_matched != 1 else ''} per query to match it: "
                f"{_pays_after(self.break_even)}."
            )
        lines.append(
            f"Against direct at K = {k} steps per query, {_pays_after(self.break_even_at_k)}."
        )
        return "\n".join(lines)

    # -- the picture ------------------------------------------------------------------
    def figure(self, *, title: str | None = None) -> Figure:
        """Left: the gap across contexts (the training range shaded); right: the
        total cost against the number of queries, with the break-even N*."""
        model, _ = self.models[self.half_width]
        x, a = self.x_plot, self.half_width
        fig, [left, right] = plots.figure(2, width=9.0, height=3.4)
        colours = plots.PALETTE
        left.axvspan(-a, a, color=colours["sky"], alpha=0.15, label="training range")
        curves = [
            ("amortised", model(x), colours["objective"], "-"),
            (
                f"direct, K = {self.n_steps}",
                self._descend(x, np.zeros_like(x)),
                colours["direct"],
                "-",
            ),
            ("semi-amortised", self._descend(x, model(x)), colours["semi"], "--"),
        ]
        for label, y, colour, style in curves:
            gap = self._gap(y, x)
            if gap is not None:
                left.semilogy(x, np.maximum(gap, _GAP_FLOOR), color=colour, ls=style, label=label)
        left.axhline(
            self.model_gap, color="k", lw=1, ls=":", label=f"model's {self.quantile:.0%} gap"
        )
        left.set(xlabel="context $x$", ylabel=r"gap $f(y, x) - f(y^\star(x), x)$")
        left.legend(fontsize=8, loc="lower right")
        n = _QUERIES_PLOTTED
        right.loglog(n, self.amortised.total(n), color=colours["objective"], label="amortised")
        if self.direct_matched is not None:
            right.loglog(
                n,
                np.maximum(self.direct_matched.total(n), 1.0),
                color=colours["direct"],
                label=f"direct, K* = {self.steps_matched}",
            )
        right.loglog(
            n,
            np.maximum(self.direct_at_k.total(n), 1.0),
            color=colours["direct"],
            ls="--",
            label=f"direct, K = {self.n_steps}",
        )
        if self.break_even is not None and math.isfinite(self.break_even) and self.break_even > 0:
            right.axvline(self.break_even, color="k", lw=1, ls=":")
            right.annotate(
                f"N* ≈ {math.ceil(self.break_even):,}",
                (self.break_even, self.amortised.fixed),
                xytext=(4, -16),
                textcoords="offset points",
                fontsize=9,
            )
        right.set(xlabel="number of queries answered, N", ylabel="total cost (oracle-call units)")
        right.legend(fontsize=8, loc="upper left")
        # Plain "1e-5" labels and no minor ticks on the log axes: typesetting
        # "10^-5" as mathtext costs most of an update's drawing time.
        plain = FuncFormatter(lambda value, _: f"1e{math.log10(value):.0f}" if value > 0 else "")
        for axis in (left.yaxis, right.xaxis, right.yaxis):
            axis.set_major_locator(LogLocator(numticks=6))
            axis.set_major_formatter(plain)
            axis.set_minor_locator(NullLocator())
        # A fixed layout: the constrained one measures every tick label before each
        # draw, several times slower than the rest of an update. A title of n lines
        # gets 0.2 inch a line above the panels.
        lines = 0 if title is None else title.count("\n") + 1
        height = 3.4 + 0.2 * lines
        fig.set_layout_engine(None)
        fig.set_size_inches(9.0, height)
        fig.subplots_adjust(
            left=0.09, right=0.98, bottom=0.5 / height, top=1 - (0.15 + 0.2 * lines) / height
        )
        fig.subplots_adjust(wspace=0.3)
        if title is not None:
            fig.suptitle(title, fontsize=10, y=1 - 0.08 / height, va="top")
        return fig


def _png(fig: Figure) -> bytes:
    """The figure as PNG bytes; the figure is closed (the widget keeps no pyplot state)."""
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=80)
    finally:
        plt.close(fig)
    return buffer.getvalue()


class TwoWaysWidget(widgets.VBox):
    """The widget ``two_ways`` returns: sliders for eta, K and the training range,
    the numbers (``text``) and the figure (``image``), redrawn on every change."""

    def __init__(
        self,
        controller: TwoWaysController,
        *,
        step_range: tuple[float, float] = (0.02, 2.2),
        max_k: int = 300,
    ) -> None:
        super().__init__()
        if not isinstance(controller, TwoWaysController):
            raise TypeError(f"controller must be a TwoWaysController, got {controller!r}")
        low, high = (positive_float("step_range", v) for v in step_range)
        if not low < high:
            raise ValueError(f"step_range must be (low, high) with low < high, got {step_range!r}")
        max_k = positive_int("max_k", max_k)
        self.controller = controller
        style = {"description_width": "9em"}
        layout = widgets.Layout(width="32em")
        self.step_slider = widgets.FloatSlider(
            value=min(max(controller.step, low), high),
            min=low,
            max=high,
            step=0.01,
            readout_format=".2f",
            description="step size η",
            continuous_update=False,
            style=style,
            layout=layout,
        )
        self.k_slider = widgets.IntSlider(
            value=min(controller.n_steps, max_k),
            min=0,
            max=max_k,
            description="steps K",
            continuous_update=False,
            style=style,
            layout=layout,
        )
        self.range_slider = widgets.SelectionSlider(
            options=[(f"[−{a:g}, {a:g}]", a) for a in controller.half_widths],
            value=controller.half_width,
            description="training range",
            continuous_update=False,
            style=style,
            layout=layout,
        )
        self.text = widgets.HTML()
        self.image = widgets.Image(format="png")
        for slider in (self.step_slider, self.k_slider, self.range_slider):
            slider.observe(self._on_change, names="value")
        self.children = [self.step_slider, self.k_slider, self.range_slider, self.text, self.image]
        self.add_class("daopt-two-ways")
        self._on_change()

    def _on_change(self, change: Mapping[str, object] | None = None) -> None:
        controller = self.controller
        controller.update(
            step=self.step_slider.value,
            n_steps=self.k_slider.value,
            half_width=self.range_slider.value,
        )
        lines = controller.message.split("\n")
        self.text.value = "<br>".join(html.escape(line) for line in lines)
        self.image.value = _png(controller.figure())


def two_ways(
    problem: ObjectiveFamily,
    models: Mapping[float, tuple[Model, TrainingWork]],
    *,
    x_queries: np.ndarray,
    x_test: np.ndarray,
    step: float = 0.1,
    n_steps: int = 50,
    half_width: float | None = None,
    step_range: tuple[float, float] = (0.02, 2.2),
    max_k: int = 300,
) -> TwoWaysWidget:
    """Chapter 1's sliders: eta, K and the training range (one per key of
    ``models``, {half-width a: (model trained on [-a, a], its training log)}),
    showing the gap and the break-even N* (see ``TwoWaysController``)."""
    controller = TwoWaysController(
        problem,
        models,
        x_queries=x_queries,
        x_test=x_test,
        step=step,
        n_steps=n_steps,
        half_width=half_width,
    )
    return TwoWaysWidget(controller, step_range=step_range, max_k=max_k)


__all__ += ["TwoWaysController", "TwoWaysWidget", "two_ways"]


# --- chapter 3: every legal move's exact value, on the board ---------------------------

# Okabe-Ito colours, none a player's: a move that wins, draws or loses for the
# player to move.
_VALUE_COLOURS = {
    1: plots.PALETTE["semi"],
    0: plots.PALETTE["grey"],
    -1: plots.PALETTE["objective"],
}


def format_value(value: int) -> str:
    """A move's value as the board shows it: "+1", "0" or "−1" (exact scores alike)."""
    if not is_integer(value):
        raise TypeError(f"value must be an int (a solver's value or exact score), got {value!r}")
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "0"


def _value_colour(value: int) -> str:
    return _VALUE_COLOURS[int(np.sign(value))]


def _no_agent(state: GameState) -> int:  # pragma: no cover - never asked to move
    raise AssertionError("the reader plays both sides; no agent is asked to move")


class MoveValuesController(GameController):
    """Tic-tac-toe with every legal move's value shown, with no browser.

    ``values`` maps each legal action to its value for the player to move,
    ``daopt.search.action_values`` (chapter 3's v(s) = max_a -v(s . a), per
    move: +1 a forced win, 0 a draw, -1 a loss; with ``exact``, the exact
    score). With ``agent`` None the reader plays both sides; otherwise the
    reader plays ``human`` and ``agent`` replies. Clicks on a taken cell,
    outside the board or after the game is over change nothing and say why.
    """

    def __init__(
        self,
        start: TicTacToe | None = None,
        agent: Agent | None = None,
        *,
        human: int = 0,
        exact: bool = False,
    ) -> None:
        start = TicTacToe() if start is None else start
        if not isinstance(start, TicTacToe):
            raise TypeError(f"start must be a TicTacToe state (or None), got {start!r}")
        if agent is not None and not callable(agent):
            raise TypeError(
                f"agent must be None or a callable agent(state) -> action, got {agent!r}"
            )
        if not isinstance(exact, bool):
            raise TypeError(f"exact must be True or False, got {exact!r}")
        self.exact = exact
        self.both_sides = agent is None
        super().__init__(start, _no_agent if agent is None else agent, human=human)

    @property
    def human_to_move(self) -> bool:
        if self.both_sides:
            return not self.over
        return super().human_to_move

    @property
    def agent_to_move(self) -> bool:
        if self.both_sides:
            return False
        return super().agent_to_move

    @property
    def values(self) -> dict[int, int]:
        """{legal action: its value for the player to move}; empty once the game is over."""
        if self.over:
            return {}
        return action_values(self.state, exact=self.exact)

    def _turn_message(self) -> str:
        if self.over:
            return self._result()
        mark = self._mark(self.state.to_play)
        if self.both_sides:
            return f"{mark} to move: each free cell shows its value for {mark}."
        if self.human_to_move:
            return f"Your move: you play {mark}; each free cell shows its value for you."
        return super()._turn_message()

    def _result(self) -> str:
        if not self.both_sides:
            return super()._result()
        winner = self.state.winner
        return "A draw." if winner is None else f"{self._mark(winner)} wins."


class MoveValuesWidget(GameWidget):
    """The widget ``move_values`` returns: the play widget whose free cells
    show their values (``action_buttons[a].description``) and a key to them."""

    def __init__(self, controller: MoveValuesController) -> None:
        if not isinstance(controller, MoveValuesController):
            raise TypeError(f"controller must be a MoveValuesController, got {controller!r}")
        self.key = widgets.HTML()
        super().__init__(controller)
        if controller.both_sides:
            self.side.layout.display = "none"  # there is no agent to give the other side
        self.children = [*self.children[:2], self.key, *self.children[2:]]
        self.add_class("daopt-values")

    def _refresh(self, message: str | None = None) -> None:
        super()._refresh(message)
        controller = self.controller
        assert isinstance(controller, MoveValuesController)
        values = controller.values if controller.human_to_move else {}
        for action, value in values.items():
            button = self.action_buttons[action]
            button.description = format_value(value)
            button.style.button_color = _value_colour(value)
            button.style.font_size = "22px"
        if values:
            mark = PLAYER_MARKS[controller.state.to_play]
            unit = "exact score" if controller.exact else "value"
            self.key.value = (
                f"<small>The {unit} of each move for {mark} with best play by both sides: "
                "+ a forced win, 0 a draw, − a loss.</small>"
            )
        else:
            self.key.value = ""


def move_values(
    start: TicTacToe | None = None,
    agent: Agent | None = None,
    *,
    human: int = 0,
    exact: bool = False,
) -> MoveValuesWidget:
    """A clickable tic-tac-toe board whose free cells show their exact values
    (see ``MoveValuesController``); ``agent``, if given, answers every move."""
    return MoveValuesWidget(MoveValuesController(start, agent, human=human, exact=exact))


def values_figure(
    state: TicTacToe, values: Mapping[int, int], *, title: str | None = None
) -> Figure:
    """A static figure of ``state`` with each free cell's value (``values``, as
    ``MoveValuesController.values``) in it, coloured as the widget colours it;
    the cell's number moves to its corner."""
    if not isinstance(state, TicTacToe):
        raise TypeError(f"state must be a TicTacToe state, got {state!r}")
    if not isinstance(values, Mapping):
        raise TypeError(f"values must map legal actions to values, got {values!r}")
    legal = state.legal_actions()
    for action, value in values.items():
        if action not in legal:
            raise ValueError(f"values holds action {action!r}, not a legal move in {state!r}")
        format_value(value)  # an int, or a TypeError naming it
    fig = board_figure(state, title=title)
    ax = fig.axes[0]
    for text in ax.texts:  # the free cells' numbers, written at the cells' centres
        cell = int(text.get_text())
        if cell in values:
            x, y = text.get_position()
            text.set_position((x - 0.33, y + 0.33))
            text.set_fontsize(8)
    for action, value in values.items():
        row, col = divmod(action, 3)
        ax.text(
            col + 0.5,
            2.5 - row,
            format_value(value),
            ha="center",
            va="center",
            fontsize=16,
            fontweight="bold",
            color="white",
            bbox=dict(boxstyle="round,pad=0.3", facecolor=_value_colour(value), edgecolor="none"),
        )
    return fig


__all__ += [
    "MoveValuesController",
    "MoveValuesWidget",
    "format_value",
    "move_values",
    "values_figure",
]
