"""Exact game-tree search with chance nodes: expectiminimax (optionally with
alpha-beta pruning at decision nodes and Ballard's Star1 pruning at chance nodes,
and a depth limit), tree sizes and exact action values. The sampling search for
the same games is ``daopt.mcts.MCTS``.

Works on any ``daopt.games.GameState`` through the protocol's chance nodes
(``is_chance()``, ``chance_outcomes()`` -> [(state, probability)], ``mover``);
games without chance nodes are searched as ordinary minimax / alpha-beta trees.

Values are from the view of the player to move (for a chance node, its mover),
in [-bound, bound]: +1 a win, -1 a loss, 0 a draw, expectations in between.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from daopt.games import GameState, check_state
from daopt.validation import positive_float, positive_int, returned_number

__all__ = [
    "ChanceSearchResult",
    "action_values",
    "expectiminimax",
    "optimal_actions",
    "tree_levels",
    "tree_size",
]

Evaluate = Callable[[GameState], float]
Order = Callable[[GameState], list[int]]


@dataclass(frozen=True)
class ChanceSearchResult:
    """A search's ``value`` and its cost: ``nodes`` (decision and terminal states
    visited, the root included) and ``chance_nodes`` (chance nodes visited)."""

    value: float
    nodes: int
    chance_nodes: int

    @property
    def total_nodes(self) -> int:
        return self.nodes + self.chance_nodes


def _check_depth(depth: object) -> int | None:
    if depth is None:
        return None
    return positive_int("depth", depth, minimum=0)


def _terminal_value(state: GameState) -> float:
    returns = state.returns()
    return float(returns[state.mover]) if state.mover in (0, 1) else 0.0


def expectiminimax(
    state: GameState,
    *,
    depth: int | None = None,
    evaluate: Evaluate | None = None,
    prune: bool = False,
    order: Order | None = None,
    table: bool = False,
    memo: dict[Any, float] | None = None,
    bound: float = 1.0,
) -> ChanceSearchResult:
    """The expectiminimax value of ``state`` (Michie 1966) and the nodes it took.

    Decision nodes take the best child for the player to move, chance nodes the
    probability-weighted mean of their outcomes. ``depth``: decision plies to
    search (None: to the end of the game); a non-terminal state at depth 0 is
    scored by ``evaluate(state)`` (default 0) for its player to move. ``prune``:
    alpha-beta at decision nodes and Star1 (Ballard 1983) at chance nodes, which
    uses the value ``bound`` to cut outcomes that cannot matter; the value is
    unchanged. ``order(state)`` gives the order to try actions (default
    ascending). ``table``: remember exact values under ``(state.key(), depth)``
    (only without ``prune``); pass your own dict as ``memo`` to share that table
    between calls (states found in it are not searched, nor counted). On a game
    without chance nodes this is minimax (or alpha-beta) with the same node
    counts as ``daopt.search``.

    Args:
        state: the root (a decision or chance state).
        depth: decision plies to search (None: to the end of the game).
        evaluate: scores a non-terminal state at depth 0 for its player to move.
        prune: alpha-beta at decision nodes and Star1 at chance nodes.
        order: ``order(state)`` gives the legal actions in the order to try them.
        table: remember exact values (needs ``prune=False``).
        memo: the table's dict, to share it between calls.
        bound: the largest payoff in absolute value (Star1's bound).
    """
    check_state(state)
    depth = _check_depth(depth)
    for name, flag in (("prune", prune), ("table", table)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    if prune and table:
        raise ValueError("table=True stores exact values, so it needs prune=False")
    for name, hook in (("evaluate", evaluate), ("order", order)):
        if hook is not None and not callable(hook):
            raise TypeError(f"{name} must be a callable taking a state, or None, got {hook!r}")
    bound = positive_float("bound", bound)
    if memo is None:
        memo = {}
    elif not isinstance(memo, dict):
        raise TypeError(f"memo must be a dict (or None), got {memo!r}")
    elif not table:
        raise ValueError("memo is the table's storage, so it needs table=True")
    counts = [0, 0]

    def leaf(s: GameState) -> float:
        if evaluate is None:
            return 0.0
        value = returned_number("evaluate(state)", evaluate(s), finite=False)
        if not -bound <= value <= bound:  # also rejects NaN
            raise ValueError(f"evaluate(state) must be in [-{bound}, {bound}], got {value!r}")
        return value

    def child_value(
        parent_view: int, child: GameState, d: int | None, lo: float, hi: float
    ) -> float:
        """The child's value from ``parent_view``'s side, searched in window (lo, hi)."""
        if child.mover == parent_view:
            return search(child, d, lo, hi)
        return -search(child, d, -hi, -lo)

    def search(s: GameState, d: int | None, alpha: float, beta: float) -> float:
        if s.is_chance():
            counts[1] += 1
        else:
            counts[0] += 1
            if s.is_terminal():
                payoff = _terminal_value(s)
                if abs(payoff) > bound:
                    raise ValueError(
                        f"bound={bound} is below a payoff of the game ({payoff}): "
                        "pruning with it would give a wrong value"
                    )
                return payoff
            if d == 0:
                return leaf(s)
        if table:
            key = (s.key(), d)
            known = memo.get(key)
            if known is not None:
                return known
        view = s.mover
        if s.is_chance():
            value = chance(s, view, d, alpha, beta)
        else:
            nd = None if d is None else d - 1
            best = -math.inf
            actions = s.legal_actions()
            if order is not None:
                ordered = order(s)
                if sorted(ordered) != actions:
                    raise ValueError(
                        f"order(state) must return the legal actions {actions} in some "
                        f"order, got {ordered!r}"
                    )
                actions = ordered
            for a in actions:
                v = child_value(view, s.play(a), nd, alpha, beta)
                if v > best:
                    best = v
                    if prune and v > alpha:
                        alpha = v
                        if alpha >= beta:
                            break  # the opponent will not allow this line
            value = best
        if table:
            memo[key] = value
        return value

    def chance(s: GameState, view: int, d: int | None, alpha: float, beta: float) -> float:
        outcomes = s.chance_outcomes()
        total, rest = 0.0, 1.0
        for child, p in outcomes:
            rest_after = rest - p
            if not prune:
                total += p * child_value(view, child, d, -math.inf, math.inf)
                rest = rest_after
                continue
            # Star1: with the outcomes so far fixed and the rest anywhere in
            # [-bound, bound], can this node still land inside (alpha, beta)?
            if total + bound * rest <= alpha:
                return total + bound * rest
            if total - bound * rest >= beta:
                return total - bound * rest
            # This outcome's window: outside it, the node's value is outside (alpha, beta).
            low = (alpha - total - bound * rest_after) / p
            high = (beta - total + bound * rest_after) / p
            v = child_value(view, child, d, max(low, -bound), min(high, bound))
            if v <= low:
                return total + p * v + bound * rest_after  # an upper bound <= alpha
            if v >= high:
                return total + p * v - bound * rest_after  # a lower bound >= beta
            total += p * v
            rest = rest_after
        return total

    value = search(state, depth, -bound, bound)
    return ChanceSearchResult(float(value), counts[0], counts[1])


def tree_size(state: GameState, depth: int | None = None) -> int:
    """The number of nodes (chance nodes included) in the game tree below ``state``, cut
    at ``depth`` decision plies (None: the whole game). Counted with a memo on
    ``state.key()``, so trees far too large to walk are counted in seconds."""
    check_state(state)
    depth = _check_depth(depth)
    memo: dict[tuple[Hashable, int | None], int] = {}

    def size(s: GameState, d: int | None) -> int:
        if s.is_terminal() or (d == 0 and not s.is_chance()):
            return 1
        key = (s.key(), d)
        known = memo.get(key)
        if known is not None:
            return known
        nd = d if s.is_chance() or d is None else d - 1
        n = 1 + sum(size(s.play(a), nd) for a in s.legal_actions())
        memo[key] = n
        return n

    return size(state, depth)


def tree_levels(state: GameState, depth: int) -> list[int]:
    """The number of decision and terminal nodes at each ply 0..``depth`` of the game
    tree below ``state`` (chance nodes are not counted, their outcomes are). Counted
    level by level over distinct positions with their number of paths, so
    ``sum(tree_levels(s, d))`` is ``tree_size(s, d)`` for a game without chance."""
    check_state(state)
    depth = positive_int("depth", depth, minimum=0)
    if state.is_chance():
        raise ValueError(f"start tree_levels from a decision state, got {state!r}")
    level: dict[Hashable, tuple[GameState, int]] = {state.key(): (state, 1)}
    sizes = [1]
    for _ in range(depth):
        following: dict[Hashable, tuple[GameState, int]] = {}
        for s, paths in level.values():
            if s.is_terminal():
                continue
            for a in s.legal_actions():
                frontier = [s.play(a)]
                while frontier:
                    child = frontier.pop()
                    if child.is_chance():
                        frontier.extend(child.play(i) for i in child.legal_actions())
                        continue
                    key = child.key()
                    known = following.get(key)
                    following[key] = (child, paths + (known[1] if known else 0))
        level = following
        sizes.append(sum(paths for _, paths in level.values()))
    return sizes


def action_values(state: GameState, **search: Any) -> dict[int, float]:
    """The expectiminimax value of each legal action for the player to move, exact by
    default (``table=True``); keyword arguments go to ``expectiminimax``."""
    check_state(state)
    if state.is_chance():
        raise ValueError(f"a chance node has no actions to value: {state!r}")
    search.setdefault("table", not search.get("prune", False))
    if search["table"]:
        search.setdefault("memo", {})  # one table shared by every action's search
    view = state.to_play
    out = {}
    for a in state.legal_actions():
        child = state.play(a)
        v = expectiminimax(child, **search).value
        out[a] = v if child.mover == view else -v
    return out


def optimal_actions(state: GameState, *, tol: float = 1e-9) -> list[int]:
    """The legal actions whose exact expectiminimax value is within ``tol`` of the best."""
    tol = positive_float("tol", tol, allow_zero=True)
    values = action_values(state)
    if not values:
        return []
    best = max(values.values())
    return [a for a, v in values.items() if v >= best - tol]
