"""The data of the book's play page (back matter, "Play the agents"), which plays
in the browser with no kernel: every reachable tic-tac-toe board, each agent's
move and ``DecisionCost`` on each, and networks as JSON for the page's own
forward pass.

Deterministic tie-breaks, so that the page and Python agree on every board:

- ``SolverAgent`` plays the **lowest** optimal action;
- a policy network plays its largest legal logit, the **lowest** index on a tie
  (``daopt.features.masked_argmax``, as ``np.argmax``);
- MCTS draws random numbers, so its moves are a table computed here: on board
  ``b`` with ``s`` simulations it searches with
  ``np.random.default_rng([seed, s, board_code(b)])`` (``mcts_decision``).

| object | shape or form |
|---|---|
| ``all_boards()`` | 5,478 ``TicTacToe`` states, ordered by ``board_code`` |
| ``board_code(b)`` | int in [0, 3**9): cell ``i`` contributes 3**i times 0 (empty), 1 (X), 2 (O) |
| ``move_table(...)`` | ``{"moves": str, one digit per board, "cost": {field: [int]}}`` |
| ``network_to_json(net)`` | ``{"sizes", "activation", "layers": [{"W": (i, o), "b": (o,)}]}`` |
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

import numpy as np

from daopt.cost import DecisionCost
from daopt.experiments import label_cost
from daopt.games import GameState, TicTacToe
from daopt.mcts import MCTS
from daopt.nn import ACTIVATIONS, MLP
from daopt.search import optimal_actions
from daopt.validation import is_integer, positive_int

__all__ = [
    "COST_FIELDS",
    "TICTACTOE_BOARDS",
    "Decide",
    "SolverAgent",
    "all_boards",
    "board_code",
    "mcts_decision",
    "move_table",
    "network_from_json",
    "network_to_json",
]

#: Reachable tic-tac-toe boards, the empty one and finished games included.
TICTACTOE_BOARDS = 5478
#: The ``DecisionCost`` fields a table records: counts, not ``seconds`` (machine-dependent).
COST_FIELDS = tuple(f.name for f in fields(DecisionCost) if f.name != "seconds")

Decide = Callable[[TicTacToe], tuple[int, DecisionCost]]


def _check_board(state: Any, name: str = "state") -> TicTacToe:
    if not isinstance(state, TicTacToe):
        raise TypeError(f"{name} must be a daopt.games.TicTacToe state, got {state!r}")
    return state


def board_code(state: TicTacToe) -> int:
    """The board as a base-3 number: cell ``i`` adds 3**i times 0 (empty), 1 (X) or 2 (O)."""
    state = _check_board(state)
    return sum(3**i * ".XO".index(c) for i, c in enumerate(state.cells()))


def all_boards() -> list[TicTacToe]:
    """Every board reachable from the empty one in play (finished games included),
    each once, ordered by ``board_code``: ``TICTACTOE_BOARDS`` of them."""
    found: dict[str, TicTacToe] = {}
    stack = [TicTacToe()]
    while stack:
        state = stack.pop()
        cells = state.cells()
        if cells in found:
            continue
        found[cells] = state
        stack.extend(state.play(a) for a in state.legal_actions())
    boards = sorted(found.values(), key=board_code)
    assert len(boards) == TICTACTOE_BOARDS, len(boards)
    return boards


class SolverAgent:
    """Exact play: the **lowest** of the solver's optimal actions (``daopt.search``).

    ``last_cost`` counts the positions an alpha-beta search visits to find *all*
    optimal actions from cold (``daopt.experiments.label_cost``: one search per
    legal move, transposition table and threat ordering), which is what knowing
    the lowest optimal action takes.
    """

    def __init__(self) -> None:
        self.last_cost: DecisionCost | None = None

    def __call__(self, state: GameState) -> int:
        state = _check_board(state)
        if state.is_terminal():
            raise ValueError(f"the game is over, there is no move to choose: {state!r}")
        action = optimal_actions(state)[0]
        self.last_cost = DecisionCost(search_nodes=label_cost(state))
        return action

    def __repr__(self) -> str:
        return "SolverAgent()"


def mcts_decision(
    state: TicTacToe, simulations: int, seed: int = 0, c_uct: float = math.sqrt(2.0)
) -> tuple[int, DecisionCost]:
    """MCTS's move on ``state`` and its cost, searched with
    ``np.random.default_rng([seed, simulations, board_code(state)])``: one fixed
    generator per board and budget, so that a table of moves can be rebuilt."""
    state = _check_board(state)
    simulations = positive_int("simulations", simulations)
    seed = positive_int("seed", seed, minimum=0)
    if state.is_terminal():
        raise ValueError(f"the game is over, there is no move to choose: {state!r}")
    rng = np.random.default_rng([seed, simulations, board_code(state)])
    agent = MCTS(simulations, rng, c_uct=c_uct)
    action = agent(state)
    assert agent.last_cost is not None
    return action, agent.last_cost


def move_table(boards: Sequence[TicTacToe], decide: Decide) -> dict[str, Any]:
    """Each board's move and cost from ``decide(board) -> (action, DecisionCost)``.

    ``boards``: non-empty, each unfinished. Returns ``{"moves": str}`` with one digit
    (the action) per board and ``{"cost": {field: [int, ...]}}`` for every field of
    ``COST_FIELDS`` that is non-zero on some board (one entry per board).
    """
    if isinstance(boards, (str, bytes, GameState)) or not isinstance(boards, Sequence):
        raise TypeError(f"boards must be a sequence of TicTacToe states, got {boards!r}")
    if not boards:
        raise ValueError("boards must hold at least one board")
    if not callable(decide):
        raise TypeError(
            f"decide must be a callable board -> (action, DecisionCost), got {decide!r}"
        )
    moves, costs = [], {name: [] for name in COST_FIELDS}
    for i, board in enumerate(boards):
        board = _check_board(board, f"boards[{i}]")
        if board.is_terminal():
            raise ValueError(f"boards[{i}] is a finished game, with no move to choose: {board!r}")
        action, cost = decide(board)
        if not is_integer(action) or int(action) not in board.legal_actions():
            raise ValueError(
                f"decide chose {action!r} on boards[{i}] {board.cells()!r}; "
                f"legal moves are {board.legal_actions()}"
            )
        if not isinstance(cost, DecisionCost):
            raise TypeError(f"decide must return a DecisionCost with its move, got {cost!r}")
        moves.append(str(int(action)))
        for name in COST_FIELDS:
            value = getattr(cost, name)
            if not float(value).is_integer():
                raise ValueError(f"{name} of one decision must be a whole number, got {value!r}")
            costs[name].append(int(value))
    return {
        "moves": "".join(moves),
        "cost": {name: values for name, values in costs.items() if any(values)},
    }


def network_to_json(net: MLP) -> dict[str, Any]:
    """An MLP as plain JSON data: its sizes, activation and each dense layer's
    weights ``W`` (in, out) and bias ``b`` (out,), as floats that round-trip exactly."""
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
    weights, biases = net.params[::2], net.params[1::2]
    return {
        "sizes": list(net.sizes),
        "activation": net.activation,
        "layers": [
            {"W": W.tolist(), "b": b.tolist()} for W, b in zip(weights, biases, strict=True)
        ],
    }


def network_from_json(data: Any) -> MLP:
    """The MLP that ``network_to_json`` wrote, checked: sizes, activation, shapes, finite."""
    if not isinstance(data, dict):
        raise TypeError(f"network data must be a dict (from network_to_json), got {data!r}")
    missing = {"sizes", "activation", "layers"} - set(data)
    if missing:
        raise ValueError(f"network data lacks {sorted(missing)}")
    sizes = data["sizes"]
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or not all(is_integer(s) and s >= 1 for s in sizes)
    ):
        raise ValueError(f"network 'sizes' must list at least two positive widths, got {sizes!r}")
    if data["activation"] not in ACTIVATIONS:
        raise ValueError(
            f"network 'activation' must be one of {ACTIVATIONS}, got {data['activation']!r}"
        )
    layers = data["layers"]
    if not isinstance(layers, list) or len(layers) != len(sizes) - 1:
        raise ValueError(f"sizes {sizes} need {len(sizes) - 1} layers, got {layers!r:.60}")
    params = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or set(layer) != {"W", "b"}:
            raise ValueError(f"layer {i} must be a dict with 'W' and 'b', got {layer!r:.60}")
        for name, shape in (("W", (sizes[i], sizes[i + 1])), ("b", (sizes[i + 1],))):
            try:
                array = np.array(layer[name], dtype=float)
            except (TypeError, ValueError) as error:
                raise TypeError(f"layer {i} {name} must hold numbers") from error
            if array.shape != shape:
                raise ValueError(f"layer {i} {name} must have shape {shape}, got {array.shape}")
            if not np.all(np.isfinite(array)):
                raise ValueError(f"layer {i} {name} has non-finite entries")
            params.append(array)
    net = MLP.__new__(MLP)
    net.sizes, net.activation, net.params = tuple(int(s) for s in sizes), data["activation"], params
    return net
