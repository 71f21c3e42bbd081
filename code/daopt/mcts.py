"""Monte Carlo tree search (UCT, and PUCT with a prior) for any ``daopt.games`` state,
chance nodes included.

One simulation runs four phases, each a method of ``MCTS``:

1. **select**: from the root, follow the selection rule (``ucb_score``, or
   ``puct_score`` when a prior is given) down the tree until an edge leads to a
   state not yet in it; at a chance node, draw the outcome with its probability;
2. **expand**: add that state to the tree as a new node (a new chance node
   draws one outcome at once and adds it too);
3. **evaluate**: estimate the new node's value, by a random rollout to the end
   of the game (default) or by a given ``evaluator``;
4. **backup**: add the value to the statistics of every edge on the path.

Statistics live on the edges: ``visits[i]`` and ``totals[i]`` (the sum of
values, from the view of the player choosing the edge) for action
``actions[i]``. After the search, the most visited root action is played.

Reproducibility: every random number comes from the ``np.random.Generator``
given to ``MCTS``, in a fixed order. Each new node draws one permutation of its
legal actions (children are kept in that order, so taking the first of equal
scores breaks ties at random); each rollout draws one uniform number per empty
cell at once and plays ``legal[int(u * len(legal))]`` with ``legal`` ascending
(in any other game, one uniform number per move or chance draw, drawn as needed).
A chance outcome is the first whose cumulative probability exceeds a uniform
number. Chapter 4 rebuilds the algorithm from these rules and gets the same
visits.

The compute of a search is ``MCTSResult.cost``, a ``daopt.cost.DecisionCost``:
``simulations``, ``tree_nodes`` (decision and chance nodes the tree holds),
``rollout_moves`` (moves played in rollouts; chance draws are not moves), and
``network_passes``, the calls of the ``evaluator`` and the ``prior``: each is
one network pass when a network is plugged in, which is what the hooks are for
(a hook that is not a network is still counted as one, so price it yourself).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from daopt.cost import DecisionCost
from daopt.games import (
    CHANCE,
    TTT_LINE_MASKS,
    ConnectFour,
    GameState,
    TicTacToe,
    check_state,
    draw_outcome,
)
from daopt.validation import generator, positive_float, positive_int, real_number

__all__ = [
    "MCTS",
    "Evaluator",
    "MCTSResult",
    "Prior",
    "puct_score",
    "search_together",
    "ucb_score",
]

Prior = Callable[[GameState], np.ndarray]
Evaluator = Callable[[GameState], float]


def _ucb(total: float, visits: int, log_parent_visits: float, c: float) -> float:
    # The rule itself, for an edge tried at least once; ucb_score checks its
    # arguments and MCTS calls this in its inner loop.
    return total / visits + c * math.sqrt(log_parent_visits / visits)


def _puct(total: float, visits: int, prior: float, c_sqrt_parent: float) -> float:
    return (total / visits if visits else 0.0) + c_sqrt_parent * prior / (1 + visits)


def ucb_score(total_value: float, visits: int, parent_visits: int, c: float) -> float:
    """The UCB1 score of one edge (Auer et al. 2002; UCT, Kocsis and Szepesvári 2006).

    ``total_value / visits + c * sqrt(ln(parent_visits) / visits)``: the mean
    value seen so far plus an exploration bonus that shrinks as the edge is
    tried. An edge never tried scores ``+inf``, so every action is tried once
    before any is tried twice. ``parent_visits`` is the number of visits over
    all edges of the parent (at least ``visits``).

    Args:
        total_value: summed value of the edge's simulations, from the chooser's view.
        visits: simulations through the edge (>= 0).
        parent_visits: visits over all edges of the parent (>= ``visits``, >= 1).
        c: the exploration constant (>= 0).
    """
    visits = positive_int("visits", visits, minimum=0)
    parent_visits = positive_int("parent_visits", parent_visits, minimum=max(visits, 1))
    c = positive_float("c", c, allow_zero=True)
    total_value = real_number("total_value", total_value)
    if visits == 0:
        return math.inf
    return _ucb(total_value, visits, math.log(parent_visits), c)


def puct_score(
    total_value: float, visits: int, prior: float, parent_visits: int, c: float
) -> float:
    """The PUCT score of one edge (AlphaZero, Silver et al. 2018).

    ``Q + c * prior * sqrt(parent_visits + 1) / (1 + visits)``, with ``Q`` the
    mean value ``total_value / visits`` (0 for an edge never tried). The prior
    orders the edges before they are tried; the bonus then shrinks with visits.
    ``parent_visits + 1`` counts the visit that created the node, so that even
    at a fresh node (``parent_visits == 0``) the prior decides the first choice.

    Args:
        total_value: summed value of the edge's simulations, from the chooser's view.
        visits: simulations through the edge (>= 0).
        prior: the prior probability of the edge's action, in [0, 1].
        parent_visits: visits over all edges of the parent (>= ``visits``).
        c: the exploration constant (>= 0).
    """
    visits = positive_int("visits", visits, minimum=0)
    parent_visits = positive_int("parent_visits", parent_visits, minimum=visits)
    c = positive_float("c", c, allow_zero=True)
    total_value = real_number("total_value", total_value)
    prior = real_number("prior", prior)
    if not 0.0 <= prior <= 1.0:
        raise ValueError(f"prior must be a probability in [0, 1], got {prior!r}")
    return _puct(total_value, visits, prior, c * math.sqrt(parent_visits + 1))


@dataclass(frozen=True)
class MCTSResult:
    """What a search found, per action of the root.

    | field | shape | meaning |
    |---|---|---|
    | ``visits`` | (num_actions,) int | simulations through each action (0: illegal) |
    | ``values`` | (num_actions,) float | their mean value, root player's view (NaN: unvisited) |
    | ``priors`` | (num_actions,) or None | the root's prior, renormalised over legal actions |

    ``visits`` sums to ``simulations``; ``values`` lie in [-1, 1].
    ``best_action`` is the most visited action (ties: higher mean value, then
    the root's random order). Counts and ``seconds`` cover the whole tree, over
    every call that grew it: ``nodes`` decision (and terminal) nodes,
    ``chance_nodes`` chance nodes, ``rollouts`` and their ``rollout_steps``
    (moves), ``evaluator_calls`` and ``prior_calls``. ``cost`` is the same as a
    ``DecisionCost``.
    """

    visits: np.ndarray
    values: np.ndarray
    priors: np.ndarray | None
    best_action: int
    root_value: float
    simulations: int
    nodes: int
    rollouts: int
    rollout_steps: int
    evaluator_calls: int
    prior_calls: int
    seconds: float
    chance_nodes: int = 0

    @property
    def policy(self) -> np.ndarray:
        """Visit shares per action, shape (num_actions,), summing to 1."""
        return self.visits / self.visits.sum()

    @property
    def cost(self) -> DecisionCost:
        """The search's compute: the hooks' calls count as network passes (see the module)."""
        return DecisionCost(
            simulations=self.simulations,
            rollout_moves=self.rollout_steps,
            network_passes=self.evaluator_calls + self.prior_calls,
            tree_nodes=self.nodes + self.chance_nodes,
            seconds=self.seconds,
        )


class _Node:
    """A decision state in the tree with the statistics of its outgoing edges.

    ``actions`` are the legal actions in a random order; ``children[i]`` is the
    node reached by ``actions[i]`` (None until expanded; a ``_ChanceNode`` if the
    action leads to a chance node); ``visits[i]`` and ``totals[i]`` are the
    edge's visit count and summed value from ``player``'s view; ``n`` is the sum
    of ``visits``. A terminal node has no actions and keeps its ``returns``.
    """

    __slots__ = (
        "actions",
        "children",
        "expanded",
        "n",
        "player",
        "priors",
        "returns",
        "state",
        "totals",
        "visits",
    )

    def __init__(self, state: GameState, actions: list[int], priors: list[float] | None) -> None:
        self.state = state
        self.player = state.to_play
        self.actions = actions
        self.children: list[_Node | _ChanceNode | None] = [None] * len(actions)
        self.visits = [0] * len(actions)
        self.totals = [0.0] * len(actions)
        self.priors = priors
        self.n = 0
        self.expanded = 0  # without a prior, children are added in order: actions[:expanded]
        self.returns: tuple[float, float] | None = state.returns() if not actions else None


class _ChanceNode:
    """A chance state in the tree: its outcomes, their cumulative probabilities,
    and the decision node of each outcome drawn so far (None until drawn)."""

    __slots__ = ("children", "cumulative", "outcomes", "player", "state")

    def __init__(self, state: GameState) -> None:
        outcomes = state.chance_outcomes()
        if not outcomes:
            raise ValueError(f"chance_outcomes() of the chance node {state!r} is empty")
        self.state = state
        self.player = CHANCE  # nobody chooses here: no edge statistics
        self.outcomes = [s for s, _ in outcomes]
        self.cumulative = list(itertools.accumulate(p for _, p in outcomes))
        self.children: list[_Node | None] = [None] * len(outcomes)

    def draw(self, u: float) -> int:
        """The outcome for a uniform number ``u`` in [0, 1)."""
        for index, bound in enumerate(self.cumulative):
            if u < bound:
                return index
        return len(self.cumulative) - 1  # rounding left the sum just below 1


class MCTS:
    """Monte Carlo tree search agent: ``MCTS(simulations, rng)(state) -> action``.

    Args:
        simulations: simulations per decision (a positive int).
        rng: the ``np.random.Generator`` every random number comes from (required:
            no hidden seed).
        c_uct: the exploration constant: of ``ucb_score`` (UCB1), or with a
            ``prior`` of ``puct_score`` (PUCT, as in AlphaZero).
        prior: ``prior(state)`` returns action probabilities, shape (num_actions,),
            and switches selection to PUCT.
        evaluator: ``evaluator(state)`` returns a value in [-1, 1] for the player
            to move and replaces the random rollout.

    Chance nodes (``state.is_chance()``) are sampled: each simulation draws one
    outcome with its probability, so an edge's statistics average over chance.
    Calling the agent searches a fresh tree and sets ``last_cost`` (a
    ``DecisionCost``); ``search`` gives the full ``MCTSResult`` and can grow the
    previous tree further (anytime use).
    """

    def __init__(
        self,
        simulations: int,
        rng: np.random.Generator,
        c_uct: float = math.sqrt(2.0),
        prior: Prior | None = None,
        evaluator: Evaluator | None = None,
    ) -> None:
        self.simulations = positive_int("simulations", simulations)
        self.rng = generator("rng", rng)
        self.c_uct = positive_float("c_uct", c_uct, allow_zero=True)
        for name, hook in (("prior", prior), ("evaluator", evaluator)):
            if hook is not None and not callable(hook):
                raise TypeError(f"{name} must be a callable taking a state, or None, got {hook!r}")
        self.prior = prior
        self.evaluator = evaluator
        self.last_cost: DecisionCost | None = None
        self._root: _Node | None = None
        self._counts: dict[str, float] = {}
        self._rollout: Rollout = _rollout_any

    def __repr__(self) -> str:
        hooks = "".join(
            f", {name}={hook!r}"
            for name, hook in (("prior", self.prior), ("evaluator", self.evaluator))
            if hook is not None
        )
        return f"MCTS(simulations={self.simulations}, c_uct={self.c_uct:.3g}{hooks})"

    # -- the agent ---------------------------------------------------------------------
    def __call__(self, state: GameState) -> int:
        """Search a fresh tree from ``state`` and return the most visited action."""
        result = self.search(state)
        self.last_cost = result.cost
        return result.best_action

    def search(
        self,
        state: GameState,
        *,
        simulations: int | None = None,
        seconds: float | None = None,
        reuse_tree: bool = False,
    ) -> MCTSResult:
        """Run simulations from ``state`` and return the root's statistics.

        Runs ``simulations`` (default: the agent's) or, if only ``seconds`` is
        given, as many as fit in that wall time (at least one; not reproducible);
        with both, stops at whichever comes first. ``reuse_tree=True`` adds the
        simulations to the tree of the previous search, whose root must equal
        ``state``. The root must be a decision state with a move to make.

        Args:
            state: the root, a decision state with a move to make.
            simulations: how many (default: the agent's).
            seconds: a wall-time budget instead of, or with, ``simulations``.
            reuse_tree: grow the previous search's tree (its root must equal ``state``).
        """
        _check_root(state)
        if simulations is not None:
            simulations = positive_int("simulations", simulations)
        if seconds is not None:
            seconds = positive_float("seconds", seconds)
        if simulations is None and seconds is None:
            simulations = self.simulations
        if not isinstance(reuse_tree, bool):
            raise TypeError(f"reuse_tree must be True or False, got {reuse_tree!r}")

        start = time.perf_counter()
        if reuse_tree:
            if self._root is None or self._root.state != state:
                raise ValueError(
                    "reuse_tree=True continues the previous search, but its root "
                    f"is not this state ({state!r}); search once without reuse_tree first"
                )
        else:
            self.new_tree(state)
        root = self._root
        deadline = math.inf if seconds is None else start + seconds
        try:
            # At least one simulation, so that a result always has a most visited action.
            self.simulate(root)
            done = 1
            while (simulations is None or done < simulations) and time.perf_counter() < deadline:
                self.simulate(root)
                done += 1
        except BaseException:
            self._root = None  # a simulation stopped half-way: the tree is not consistent
            raise
        self._counts["seconds"] += time.perf_counter() - start
        return self._result(root)

    def new_tree(self, state: GameState) -> None:
        """Start a fresh tree with ``state`` as its root (a decision state with a move to
        make); the root's prior, if any, is asked for now. ``search`` starts this way,
        and ``search_together`` too."""
        _check_root(state)
        self._counts = dict.fromkeys(
            ("chance_nodes", "rollouts", "rollout_steps", "evaluator_calls", "prior_calls"), 0
        )
        self._counts["seconds"] = 0.0
        self._counts["nodes"] = 1
        self._root = self._new_node(state)
        self._rollout = _rollout_function(state)

    def anytime(self, state: GameState, checkpoints: Sequence[int]) -> list[MCTSResult]:
        """Grow one tree from ``state`` and report it after each of ``checkpoints``
        simulations in total (strictly increasing positive ints)."""
        if isinstance(checkpoints, (str, bytes)) or not isinstance(checkpoints, Sequence):
            raise TypeError(f"checkpoints must be a sequence of ints, got {checkpoints!r}")
        counts = [positive_int("checkpoint", c) for c in checkpoints]
        if not counts or any(b <= a for a, b in itertools.pairwise(counts)):
            raise ValueError(
                f"checkpoints must be a non-empty, strictly increasing list, got {checkpoints!r}"
            )
        results, done = [], 0
        for count in counts:
            results.append(self.search(state, simulations=count - done, reuse_tree=bool(results)))
            done = count
        return results

    # -- one simulation: the four phases ----------------------------------------------
    def simulate(self, root: _Node) -> None:
        """One simulation from ``root``: select, expand, evaluate, back up."""
        path, leaf = self.select(root)
        if leaf is None:  # the last edge leads out of the tree
            parent, index = path[-1]
            leaf = self.expand(parent, index)
        self.backup(path, self.evaluate(leaf))

    def select(self, root: _Node) -> tuple[list[tuple[_Node | _ChanceNode, int]], _Node | None]:
        """Phase 1: descend by the selection rule until an edge leaves the tree.

        Returns the path as (node, edge index) pairs and the node at its end,
        or None if the last edge has no node yet (then it must be expanded). At a
        chance node the edge is the outcome drawn. A terminal node ends the
        descent: its value is known.
        """
        choose = self._choose_uct if self.prior is None else self._choose_puct
        path: list[tuple[_Node | _ChanceNode, int]] = []
        node = root
        while node.actions:
            index = choose(node)
            path.append((node, index))
            child = node.children[index]
            while isinstance(child, _ChanceNode):
                outcome = child.draw(self.rng.random())
                path.append((child, outcome))
                child = child.children[outcome]
            if child is None:
                return path, None
            node = child
        return path, node

    def expand(self, parent: _Node | _ChanceNode, index: int) -> _Node:
        """Phase 2: add the state reached by edge ``index`` of ``parent`` to the tree.

        If that state is a chance node, one outcome is drawn and added too, so the
        new leaf is always a decision (or terminal) node.
        """
        if isinstance(parent, _ChanceNode):
            state = parent.outcomes[index]
        else:
            state = parent.state.play(parent.actions[index])
            parent.expanded += 1
        if state.is_chance():
            chance = _ChanceNode(state)
            parent.children[index] = chance
            self._counts["chance_nodes"] += 1
            return self.expand(chance, chance.draw(self.rng.random()))
        child = self._new_node(state)
        parent.children[index] = child
        self._counts["nodes"] += 1
        return child

    def evaluate(self, leaf: _Node) -> tuple[float, float]:
        """Phase 3: the leaf's value for each player, (player 0, player 1).

        Exact at a terminal node; otherwise the evaluator's estimate, or the
        result of one random game played to the end (a rollout).
        """
        if leaf.returns is not None:
            return leaf.returns
        if self.evaluator is None:
            value, steps = self._rollout(leaf.state, self.rng)
            self._counts["rollouts"] += 1
            self._counts["rollout_steps"] += steps
        else:
            value = _checked_value(self.evaluator(leaf.state))
            self._counts["evaluator_calls"] += 1
        return (value, -value) if leaf.player == 0 else (-value, value)

    @staticmethod
    def backup(path: list[tuple[_Node | _ChanceNode, int]], values: tuple[float, float]) -> None:
        """Phase 4: count the visit and add the value on every edge of the path,
        each from the view of the player who chose that edge (chance chose none)."""
        for node, index in path:
            if node.player == CHANCE:
                continue
            node.n += 1
            node.visits[index] += 1
            node.totals[index] += values[node.player]

    # -- selection rules -------------------------------------------------------------------
    def _choose_uct(self, node: _Node) -> int:
        """The edge with the highest ``ucb_score``."""
        if node.expanded < len(node.actions):
            # Untried edges score +inf. Actions are stored in a random order, so
            # taking the next untried one breaks the tie among them at random.
            return node.expanded
        c, log_n = self.c_uct, math.log(node.n)
        # index(max) takes the first best.
        scores = [
            _ucb(total, visits, log_n, c)
            for total, visits in zip(node.totals, node.visits, strict=True)
        ]
        return scores.index(max(scores))

    def _choose_puct(self, node: _Node) -> int:
        """The edge with the highest ``puct_score``."""
        c_sqrt_n = self.c_uct * math.sqrt(node.n + 1)
        scores = [
            _puct(total, visits, prior, c_sqrt_n)
            for total, visits, prior in zip(node.totals, node.visits, node.priors, strict=True)
        ]
        return scores.index(max(scores))

    # -- nodes and results -------------------------------------------------------------
    def _new_node(self, state: GameState) -> _Node:
        if state.is_terminal():
            return _Node(state, [], None)
        legal = state.legal_actions()
        actions = [legal[i] for i in self.rng.permutation(len(legal)).tolist()]
        priors = None
        if self.prior is not None:
            probabilities = _checked_prior(self.prior(state), state)
            self._counts["prior_calls"] += 1
            priors = [float(probabilities[a]) for a in actions]
            mass = sum(priors)
            if mass <= 0:
                raise ValueError(
                    f"prior(state) gives probability 0 to every legal action {legal} of {state!r}"
                )
            priors = [p / mass for p in priors]  # illegal actions' mass is dropped
        return _Node(state, actions, priors)

    def _result(self, root: _Node) -> MCTSResult:
        num_actions = root.state.num_actions
        visits = np.zeros(num_actions, dtype=np.int64)
        values = np.full(num_actions, np.nan)
        priors = None if root.priors is None else np.zeros(num_actions)
        for index, action in enumerate(root.actions):
            visits[action] = root.visits[index]
            if root.visits[index]:
                values[action] = root.totals[index] / root.visits[index]
            if priors is not None:
                priors[action] = root.priors[index]

        # Most visits; ties to the higher mean value, then to the root's random order.
        def rank(index: int) -> tuple[int, float]:
            visits = root.visits[index]
            return visits, root.totals[index] / visits if visits else 0.0

        best = max(range(len(root.actions)), key=rank)
        counts = self._counts
        return MCTSResult(
            visits=visits,
            values=values,
            priors=priors,
            best_action=int(root.actions[best]),
            root_value=sum(root.totals) / root.n if root.n else 0.0,
            simulations=root.n,
            nodes=int(counts["nodes"]),
            rollouts=int(counts["rollouts"]),
            rollout_steps=int(counts["rollout_steps"]),
            evaluator_calls=int(counts["evaluator_calls"]),
            prior_calls=int(counts["prior_calls"]),
            seconds=float(counts["seconds"]),
            chance_nodes=int(counts["chance_nodes"]),
        )


# -- many searches in step ------------------------------------------------------------------
def search_together(
    searches: Sequence[MCTS],
    states: Sequence[GameState],
    prefetch: Callable[[list[GameState]], None],
    simulations: int | None = None,
) -> list[MCTSResult]:
    """Search from ``states[i]`` with ``searches[i]``, all in step, so that a network can
    evaluate the leaves of many searches in one batched pass.

    Before the roots are added, and before each round of one simulation per search,
    ``prefetch`` gets in one list the states whose prior and value the hooks will be
    asked for next (at most one per search; a chance outcome, drawn only when the node is
    added, is not among them); it may, for instance, evaluate them all at once and keep
    the answers for the hooks. The hooks must still answer for any state. Each result is
    the one ``searches[i].search(states[i], simulations=simulations)`` would give, since
    each search draws the same random numbers in the same order; its ``seconds`` is the
    wall time of the whole joint search.

    Args:
        searches: distinct ``MCTS`` agents (each keeps its own tree and generator).
        states: one root per search, decision states with a move to make.
        prefetch: called with a non-empty list of states before the hooks see them.
        simulations: simulations per search (default: each search's own; then all
            must agree).
    """
    if isinstance(searches, MCTS) or not isinstance(searches, Sequence) or not searches:
        raise TypeError(f"searches must be a non-empty list of MCTS agents, got {searches!r}")
    for index, search in enumerate(searches):
        if not isinstance(search, MCTS):
            raise TypeError(f"searches[{index}] must be an MCTS agent, got {search!r}")
    if len({id(search) for search in searches}) != len(searches):
        raise ValueError("searches must be distinct MCTS agents (each keeps its own tree)")
    if isinstance(states, GameState) or not isinstance(states, Sequence):
        raise TypeError(f"states must be a list of game states, got {states!r}")
    if len(states) != len(searches):
        raise ValueError(
            f"need one state per search: {len(searches)} searches, {len(states)} states"
        )
    for state in states:
        _check_root(state)
    if not callable(prefetch):
        raise TypeError(f"prefetch must be a callable taking a list of states, got {prefetch!r}")
    if simulations is None:
        budgets = {search.simulations for search in searches}
        if len(budgets) != 1:
            raise ValueError(
                f"the searches have different budgets {sorted(budgets)}: give simulations"
            )
        simulations = budgets.pop()
    simulations = positive_int("simulations", simulations)

    start = time.perf_counter()
    prefetch(list(states))
    for search, state in zip(searches, states, strict=True):
        search.new_tree(state)
    try:
        for _ in range(simulations):
            selected = [search.select(search._root) for search in searches]
            pending = []
            for path, leaf in selected:
                if leaf is None:
                    parent, index = path[-1]
                    if isinstance(parent, _Node):
                        state = parent.state.play(parent.actions[index])
                        if not state.is_terminal() and not state.is_chance():
                            pending.append(state)
            if pending:
                prefetch(pending)
            for search, (path, leaf) in zip(searches, selected, strict=True):
                if leaf is None:
                    parent, index = path[-1]
                    leaf = search.expand(parent, index)
                search.backup(path, search.evaluate(leaf))
    except BaseException:
        for search in searches:
            search._root = None  # a simulation stopped half-way: the trees are not consistent
        raise
    seconds = time.perf_counter() - start
    for search in searches:
        search._counts["seconds"] = seconds
    return [search._result(search._root) for search in searches]


def _check_root(state: Any) -> None:
    check_state(state)
    if state.is_terminal():
        raise ValueError(f"cannot search from a terminal state (the game is over): {state!r}")
    if state.is_chance():
        raise ValueError(
            f"search from a decision state: {state!r} is a chance node, where nobody chooses"
        )


# -- checks on the hooks' answers ------------------------------------------------------------
def _checked_prior(value: Any, state: GameState) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"prior(state) must return an array of numbers, got {value!r}") from error
    expected = (state.num_actions,)
    if array.shape != expected:
        raise ValueError(
            f"prior(state) must return shape (num_actions,) = {expected}, got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"prior(state) must return finite probabilities >= 0, got {array}")
    return array


def _checked_value(value: Any) -> float:
    try:
        value = real_number("evaluator(state)", value, finite=False)
    except TypeError as error:
        message = f"evaluator(state) must return a number in [-1, 1], got {value!r}"
        raise TypeError(message) from error
    if not -1.0 <= value <= 1.0:  # also rejects NaN
        raise ValueError(f"evaluator(state) must return a value in [-1, 1], got {value!r}")
    return value


# -- random rollouts ------------------------------------------------------------------------
# A rollout dominates the cost of a simulation, so the two book games get
# rollouts on their raw bit masks: a move is a few integer operations instead
# of a new state object with its legality check. All three play the same game
# from the same random numbers: the legal moves ascending, and the move
# legal[int(u * len(legal))] for the next uniform number u.
Rollout = Callable[[GameState, np.random.Generator], tuple[float, int]]


def _rollout_function(state: GameState) -> Rollout:
    if isinstance(state, ConnectFour):
        return _rollout_connect_four
    if isinstance(state, TicTacToe):
        return _rollout_tic_tac_toe
    return _rollout_any


def _rollout_any(state: GameState, rng: np.random.Generator) -> tuple[float, int]:
    """Play uniformly random moves to the end, drawing chance outcomes with their
    probabilities; return (value for the player to move at ``state``, number of
    moves played). Works for any game: one uniform number per move or draw."""
    player, steps = state.to_play, 0
    while not state.is_terminal():
        u = rng.random()
        if state.is_chance():
            state = draw_outcome(state.chance_outcomes(), u)
            continue
        legal = state.legal_actions()
        state = state.play(legal[int(u * len(legal))])
        steps += 1
    return state.returns()[player], steps


# The 512 masks of one player's crosses that contain a line.
_TTT_WINS = tuple(any(mask & line == line for line in TTT_LINE_MASKS) for mask in range(512))


def _rollout_tic_tac_toe(state: TicTacToe, rng: np.random.Generator) -> tuple[float, int]:
    # The masks of a state are its whole content: playing on them avoids
    # building a state per move.
    mine, theirs = (
        (state.crosses, state.noughts) if state.to_play == 0 else (state.noughts, state.crosses)
    )
    taken = mine | theirs
    empty = [cell for cell in range(9) if not taken >> cell & 1]
    moves_left = len(empty)
    sign = 1.0  # +1 while the player to move at ``state`` is the mover
    for steps, u in enumerate(rng.random(moves_left).tolist(), start=1):
        mine |= 1 << empty.pop(int(u * len(empty)))  # pop keeps the rest ascending
        if _TTT_WINS[mine]:
            return sign, steps
        mine, theirs, sign = theirs, mine, -sign
    return 0.0, moves_left  # board full: a draw


@cache
def _has_line_function(rows: int, cols: int, k: int) -> Callable[[int], bool]:
    """``geometry.has_line``, unrolled for the usual k = 4 (two shifts per direction)."""
    geometry = ConnectFour(rows, cols, k).geometry
    if k != 4:
        return geometry.has_line
    s1, s2, s3, s4 = geometry.shifts

    def has_four(bits: int) -> bool:
        # pairs = stones whose neighbour in this direction is also a stone;
        # a pair whose neighbour two steps on is a pair starts four in a row.
        pairs = bits & (bits >> s1)
        if pairs & (pairs >> 2 * s1):
            return True
        pairs = bits & (bits >> s2)
        if pairs & (pairs >> 2 * s2):
            return True
        pairs = bits & (bits >> s3)
        if pairs & (pairs >> 2 * s3):
            return True
        pairs = bits & (bits >> s4)
        return bool(pairs & (pairs >> 2 * s4))

    return has_four


def _rollout_connect_four(state: ConnectFour, rng: np.random.Generator) -> tuple[float, int]:
    g = state.geometry
    has_line = _has_line_function(g.rows, g.cols, g.k)
    bottom, column, top = g.bottom, g.column, g.top
    current, mask = state.current, state.mask
    open_columns = [col for col in range(g.cols) if not mask & top[col]]
    sign = 1.0  # +1 while the player to move at ``state`` is the mover
    steps = 0
    for u in rng.random(g.rows * g.cols - state.moves_played).tolist():
        col = open_columns[int(u * len(open_columns))]
        move = (mask + bottom[col]) & column[col]  # the lowest empty cell of the column
        steps += 1
        if has_line(current | move):
            return sign, steps
        mask |= move
        if mask & top[col]:
            open_columns.remove(col)  # keeps the rest ascending
        current = (current | move) ^ mask  # the opponent's: every stone but the mover's
        sign = -sign
    return 0.0, steps  # board full: a draw
