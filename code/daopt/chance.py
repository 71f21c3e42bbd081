"""Game-tree search with chance nodes: expectiminimax (optionally with alpha-beta
pruning at decision nodes and Ballard's Star1 pruning at chance nodes, and a depth
limit), tree sizes, exact action values, and Monte Carlo tree search that samples
chance outcomes.

Works on any ``daopt.games.GameState``. A chance node is a state with
``to_play == daopt.stochastic.CHANCE`` that also has ``chance_outcomes()`` ->
[(state, probability)] and ``mover`` (the player whose move it resolves); games
without chance nodes are searched as ordinary minimax / alpha-beta trees.

Values are from the view of the player to move (for a chance node, its mover),
in [-bound, bound]: +1 a win, -1 a loss, 0 a draw, expectations in between.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np

from daopt.games import GameState
from daopt.stochastic import is_chance
from daopt.validation import generator, positive_float, positive_int

__all__ = [
    "ChanceMCTS",
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


def _check_state(state: object) -> GameState:
    if not isinstance(state, GameState):
        raise TypeError(f"state must be a daopt.games.GameState, got {state!r}")
    return state


def _check_depth(depth: object) -> int | None:
    if depth is None:
        return None
    return positive_int("depth", depth, minimum=0)


def _perspective(state: GameState) -> int:
    """The player whose view a state's value takes: the mover at a chance node."""
    return state.mover if is_chance(state) else state.to_play  # type: ignore[attr-defined]


def _terminal_value(state: GameState) -> float:
    returns = state.returns()
    return float(returns[state.to_play]) if state.to_play in (0, 1) else 0.0


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
    """
    _check_state(state)
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
        value = float(evaluate(s))
        if not -bound <= value <= bound:  # also rejects NaN
            raise ValueError(f"evaluate(state) must be in [-{bound}, {bound}], got {value!r}")
        return value

    def child_value(
        parent_view: int, child: GameState, d: int | None, lo: float, hi: float
    ) -> float:
        """The child's value from ``parent_view``'s side, searched in window (lo, hi)."""
        if _perspective(child) == parent_view:
            return search(child, d, lo, hi)
        return -search(child, d, -hi, -lo)

    def search(s: GameState, d: int | None, alpha: float, beta: float) -> float:
        if is_chance(s):
            counts[1] += 1
        else:
            counts[0] += 1
            if s.is_terminal():
                return _terminal_value(s)
            if d == 0:
                return leaf(s)
        if table:
            key = (s.key(), d)
            known = memo.get(key)
            if known is not None:
                return known
        view = _perspective(s)
        if is_chance(s):
            value = chance(s, view, d, alpha, beta)
        else:
            nd = None if d is None else d - 1
            best = -math.inf
            actions = order(s) if order is not None else s.legal_actions()
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
        outcomes = s.chance_outcomes()  # type: ignore[attr-defined]
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
    _check_state(state)
    depth = _check_depth(depth)
    memo: dict[tuple[Hashable, int | None], int] = {}

    def size(s: GameState, d: int | None) -> int:
        if s.is_terminal() or (d == 0 and not is_chance(s)):
            return 1
        key = (s.key(), d)
        known = memo.get(key)
        if known is not None:
            return known
        nd = d if is_chance(s) or d is None else d - 1
        n = 1 + sum(size(s.play(a), nd) for a in s.legal_actions())
        memo[key] = n
        return n

    return size(state, depth)


def tree_levels(state: GameState, depth: int) -> list[int]:
    """The number of decision and terminal nodes at each ply 0..``depth`` of the game
    tree below ``state`` (chance nodes are not counted, their outcomes are). Counted
    level by level over distinct positions with their number of paths, so
    ``sum(tree_levels(s, d))`` is ``tree_size(s, d)`` for a game without chance."""
    _check_state(state)
    depth = positive_int("depth", depth, minimum=0)
    if is_chance(state):
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
                    if is_chance(child):
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
    _check_state(state)
    if is_chance(state):
        raise ValueError(f"a chance node has no actions to value: {state!r}")
    search.setdefault("table", not search.get("prune", False))
    if search["table"]:
        search.setdefault("memo", {})  # one table shared by every action's search
    view = state.to_play
    out = {}
    for a in state.legal_actions():
        child = state.play(a)
        v = expectiminimax(child, **search).value
        out[a] = v if _perspective(child) == view else -v
    return out


def optimal_actions(state: GameState, *, tol: float = 1e-9) -> list[int]:
    """The legal actions whose exact expectiminimax value is within ``tol`` of the best."""
    tol = positive_float("tol", tol, allow_zero=True)
    values = action_values(state)
    if not values:
        return []
    best = max(values.values())
    return [a for a, v in values.items() if v >= best - tol]


# --- Monte Carlo tree search with chance nodes ---------------------------------------


class _Decision:
    __slots__ = ("actions", "children", "n", "player", "returns", "state", "totals", "visits")

    def __init__(self, state: GameState, rng: np.random.Generator) -> None:
        self.state = state
        self.player = state.to_play
        terminal = state.is_terminal()
        legal = [] if terminal else state.legal_actions()
        self.actions = [legal[i] for i in rng.permutation(len(legal)).tolist()]
        self.children: list[Any] = [None] * len(self.actions)
        self.visits = [0] * len(self.actions)
        self.totals = [0.0] * len(self.actions)
        self.n = 0
        self.returns = state.returns() if terminal else None


class _Chance:
    __slots__ = ("children", "cumulative", "states")

    def __init__(self, state: GameState) -> None:
        outcomes = state.chance_outcomes()  # type: ignore[attr-defined]
        self.states = [s for s, _ in outcomes]
        self.cumulative = np.cumsum([p for _, p in outcomes]).tolist()
        self.children: list[_Decision | None] = [None] * len(outcomes)

    def draw(self, u: float) -> int:
        for i, c in enumerate(self.cumulative):
            if u < c:
                return i
        return len(self.cumulative) - 1


class ChanceMCTS:
    """UCT (Kocsis and Szepesvari 2006) for games with chance nodes: an agent.

    ``ChanceMCTS(simulations, rng)(state) -> action``. Selection uses UCB1 at
    decision nodes; at a chance node the outcome is drawn with its probability
    (so the tree holds one child per outcome met, and the statistics of an edge
    average over the outcomes); a new node is scored by one random rollout
    (random legal moves, chance drawn) to the end of the game. Returns the most
    visited action and sets ``last_stats`` (simulations, nodes, chance_nodes,
    rollouts, rollout_steps, seconds).
    """

    def __init__(
        self, simulations: int = 1000, rng: np.random.Generator | None = None, c_uct: float = 1.4
    ) -> None:
        self.simulations = positive_int("simulations", simulations)
        self.rng = generator("rng", rng)
        self.c_uct = positive_float("c_uct", c_uct, allow_zero=True)
        self.last_stats: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"ChanceMCTS(simulations={self.simulations}, c_uct={self.c_uct:.3g})"

    def __call__(self, state: GameState) -> int:
        visits = self.search(state)
        return max(visits, key=visits.__getitem__)

    def search(self, state: GameState) -> dict[int, int]:
        """Run the simulations from ``state`` (a non-terminal decision state) and return
        the visits of each root action."""
        _check_state(state)
        if is_chance(state) or state.is_terminal():
            raise ValueError(f"search needs a decision state with moves left, got {state!r}")
        start = time.perf_counter()
        self._stats = dict.fromkeys(("nodes", "chance_nodes", "rollouts", "rollout_steps"), 0)
        root = _Decision(state, self.rng)
        self._stats["nodes"] = 1
        for _ in range(self.simulations):
            self._simulate(root)
        self.last_stats = {
            "simulations": self.simulations,
            **self._stats,
            "seconds": time.perf_counter() - start,
        }
        # Most visits; ties to the earlier action in the root's random order.
        order = sorted(range(len(root.actions)), key=lambda i: -root.visits[i])
        return {root.actions[i]: root.visits[i] for i in order}

    def _simulate(self, root: _Decision) -> None:
        path: list[tuple[_Decision, int]] = []
        node = root
        values: tuple[float, float] | None = None
        while values is None:
            if node.returns is not None:
                values = node.returns
                break
            index = self._choose(node)
            path.append((node, index))
            child = node.children[index]
            if child is None:
                child = node.state.play(node.actions[index])
                if is_chance(child):
                    child = _Chance(child)
                    self._stats["chance_nodes"] += 1
                else:
                    child = _Decision(child, self.rng)
                    self._stats["nodes"] += 1
                    node.children[index] = child
                    values = self._rollout(child.state)
                    break
                node.children[index] = child
            if isinstance(child, _Chance):
                j = child.draw(self.rng.random())
                nxt = child.children[j]
                if nxt is None:
                    nxt = child.children[j] = _Decision(child.states[j], self.rng)
                    self._stats["nodes"] += 1
                    values = self._rollout(nxt.state)
                    break
                node = nxt
            else:
                node = child
        for decision, index in path:
            decision.n += 1
            decision.visits[index] += 1
            decision.totals[index] += values[decision.player]

    def _choose(self, node: _Decision) -> int:
        for i, v in enumerate(node.visits):
            if v == 0:
                return i  # untried actions first, in the node's random order
        c, log_n = self.c_uct, math.log(node.n)
        scores = [
            t / v + c * math.sqrt(log_n / v) for t, v in zip(node.totals, node.visits, strict=True)
        ]
        return scores.index(max(scores))

    def _rollout(self, state: GameState) -> tuple[float, float]:
        if state.is_terminal():
            return state.returns()
        self._stats["rollouts"] += 1
        steps = 0
        while not state.is_terminal():
            if is_chance(state):
                state = state.sample(self.rng)  # type: ignore[attr-defined]
            else:
                legal = state.legal_actions()
                state = state.play(legal[int(self.rng.random() * len(legal))])
                steps += 1
        self._stats["rollout_steps"] += steps
        return state.returns()
