"""Play tic-tac-toe or Connect Four against any agent inside Jupyter, and draw a
position as a static figure for the rendered book (which cannot run widgets).

``play(state, agent, human=0)`` returns an ipywidgets widget. Its logic lives
in ``GameController``, which needs no browser: ``click(action)`` plays the
human's move, lets the agent reply and returns the status message.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

import ipywidgets as widgets
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from daopt import plots
from daopt.cost import DecisionCost
from daopt.games import PLAYER_COLOURS, PLAYER_MARKS, ConnectFour, GameState, TicTacToe
from daopt.validation import is_integer

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
