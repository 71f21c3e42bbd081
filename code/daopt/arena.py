"""Agents meet: games and matches between agents, the compute each decision
cost, and the optimal-move rate of an agent judged by the exact solver.

An **agent** is any callable ``agent(state) -> action`` (a legal action). It
may have ``last_cost: DecisionCost | None``, the compute of its last decision
(``daopt.cost``); the arena records it beside the wall time that it measures
itself. Games with chance nodes are played with ``play_game(..., rng=rng)``;
the optimal-move rate and test positions are for two-player games without
chance (the exact solver's), and refuse others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from daopt.cost import DecisionCost, mean_cost
from daopt.games import GameState, check_state, draw_outcome
from daopt.validation import generator, is_integer, positive_int

__all__ = [
    "Agent",
    "Decision",
    "GameRecord",
    "MatchResult",
    "RandomAgent",
    "optimal_move_rate",
    "play_game",
    "play_match",
    "sample_positions",
]

Agent = Callable[[GameState], int]


class RandomAgent:
    """Plays a uniformly random legal move, drawn from ``rng``; it examines no
    position, so ``last_cost`` is an all-zero ``DecisionCost``."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = generator("rng", rng)
        self.last_cost: DecisionCost | None = None

    def __call__(self, state: GameState) -> int:
        _check_playable(state)
        legal = state.legal_actions()
        self.last_cost = DecisionCost()
        return legal[int(self.rng.integers(len(legal)))]

    def __repr__(self) -> str:
        return "RandomAgent()"


# -- games ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """One move of a game: who chose it, what it was, the wall time the arena
    measured, and the agent's ``last_cost`` (None if it reports none)."""

    player: int
    action: int
    seconds: float
    cost: DecisionCost | None = None


@dataclass(frozen=True)
class GameRecord:
    """A finished game: the start, every decision, and the final state."""

    initial: GameState
    final: GameState
    decisions: tuple[Decision, ...]

    @property
    def actions(self) -> list[int]:
        return [d.action for d in self.decisions]

    @property
    def winner(self) -> int | None:
        """0 or 1, or None for a draw."""
        return self.final.winner

    @property
    def returns(self) -> tuple[float, float]:
        return self.final.returns()


def play_game(
    agents: Sequence[Agent], state: GameState, *, rng: np.random.Generator | None = None
) -> GameRecord:
    """Play ``state`` to the end: ``agents[p]`` chooses every move of player ``p``.

    At a chance node the outcome is drawn with its probability from ``rng``
    (required for a game with chance nodes, one uniform number per draw); the
    record keeps the players' decisions. Raises ValueError if an agent returns
    an illegal move (naming the agent, the move and the legal moves).
    """
    first, second = _check_agents(agents)
    check_state(state)
    if state.is_terminal():
        raise ValueError(f"the game is already over in {state!r}: there is no move to choose")
    if rng is not None:
        rng = generator("rng", rng)
    elif state.has_chance_nodes:
        raise TypeError(
            f"{type(state).__name__} has chance nodes: pass rng, a numpy.random.Generator, "
            "to draw their outcomes"
        )
    initial, decisions = state, []
    while not state.is_terminal():
        if state.is_chance():
            state = _draw(state, rng)
            continue
        player = state.to_play
        agent = (first, second)[player]
        start = time.perf_counter()
        action = agent(state)
        seconds = time.perf_counter() - start
        legal = state.legal_actions()
        if not is_integer(action):
            raise TypeError(f"agent {agent!r} returned {action!r}, expected an int from {legal}")
        if int(action) not in legal:
            raise ValueError(
                f"agent {agent!r} (player {player}) chose the illegal move {action}; "
                f"legal moves are {legal}"
            )
        decisions.append(Decision(player, int(action), seconds, _last_cost(agent)))
        state = state.play(int(action))
    return GameRecord(initial, state, tuple(decisions))


def _draw(state: GameState, rng: np.random.Generator | None) -> GameState:
    """One outcome of a chance node, drawn with its probability."""
    if rng is None:
        raise TypeError(f"{state!r} is a chance node: pass rng to draw its outcome")
    return draw_outcome(state.chance_outcomes(), rng.random())


def _last_cost(agent: Agent) -> DecisionCost | None:
    cost = getattr(agent, "last_cost", None)
    if cost is not None and not isinstance(cost, DecisionCost):
        raise TypeError(
            f"agent {agent!r} has last_cost {cost!r}; expected a daopt.cost.DecisionCost or None"
        )
    return cost


# -- matches --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchResult:
    """Agent A against agent B: results from A's side and each agent's compute.

    ``cost_a`` and ``cost_b`` are the mean ``DecisionCost`` of each agent's
    decisions that reported one (None if none did); ``decisions_a``/``_b``
    count the decisions and ``wall_seconds_a``/``_b`` are their mean wall time
    measured by the arena.
    """

    wins: int
    draws: int
    losses: int
    cost_a: DecisionCost | None
    cost_b: DecisionCost | None
    decisions_a: int
    decisions_b: int
    wall_seconds_a: float
    wall_seconds_b: float
    records: tuple[GameRecord, ...]

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses

    @property
    def score(self) -> float:
        """A's points per game: 1 a win, 1/2 a draw, 0 a loss."""
        return (self.wins + 0.5 * self.draws) / self.games

    def __str__(self) -> str:
        return (
            f"A: {self.wins} wins, {self.draws} draws, {self.losses} losses "
            f"in {self.games} games (score {self.score:.3f})"
        )


def play_match(
    agent_a: Agent,
    agent_b: Agent,
    initial_state: GameState,
    n_games: int,
    *,
    opening_moves: int = 0,
    rng: np.random.Generator | None = None,
) -> MatchResult:
    """Play ``n_games`` between A and B, alternating who moves first (A in even games).

    Args:
        agent_a, agent_b: the two agents (callables state -> action).
        initial_state: where every game (or its random opening) starts.
        n_games: games to play (A moves first in the even ones).
        opening_moves: with > 0, each pair of games starts from the same position
            after that many random moves (drawn from ``rng``, required then), once
            with each agent moving first, so that deterministic agents do not
            replay one game and neither gains from the opening.
        rng: the generator for openings and chance nodes.
    """
    _check_agents((agent_a, agent_b))
    _check_playable(initial_state)
    n_games = positive_int("n_games", n_games)
    opening_moves = positive_int("opening_moves", opening_moves, minimum=0)
    if opening_moves and rng is None:
        raise TypeError("opening_moves > 0 needs rng, a numpy.random.Generator")
    if rng is not None:
        rng = generator("rng", rng)
    if opening_moves and initial_state.has_chance_nodes:
        raise ValueError("random openings are for games without chance nodes")

    records, wins, draws, losses = [], 0, 0, 0
    costs: tuple[list[DecisionCost], list[DecisionCost]] = ([], [])
    counts, seconds = [0, 0], [0.0, 0.0]
    start = initial_state
    for game in range(n_games):
        a_plays = game % 2  # A is player 0 in even games, player 1 in odd ones
        if game % 2 == 0 and opening_moves:
            start = _random_opening(initial_state, opening_moves, rng)
        agents = (agent_a, agent_b) if a_plays == 0 else (agent_b, agent_a)
        record = play_game(agents, start, rng=rng)
        records.append(record)
        if record.winner is None:
            draws += 1
        elif record.winner == a_plays:
            wins += 1
        else:
            losses += 1
        for decision in record.decisions:
            side = 0 if decision.player == a_plays else 1
            counts[side] += 1
            seconds[side] += decision.seconds
            if decision.cost is not None:
                costs[side].append(decision.cost)
    mean = [mean_cost(side) if side else None for side in costs]
    wall = [seconds[i] / counts[i] if counts[i] else 0.0 for i in range(2)]
    return MatchResult(
        wins, draws, losses, mean[0], mean[1], counts[0], counts[1], wall[0], wall[1],
        tuple(records),
    )  # fmt: skip


def _random_opening(state: GameState, moves: int, rng: np.random.Generator) -> GameState:
    """A non-terminal position after ``moves`` random moves (retried until one is)."""
    for _ in range(1000):
        position = state
        for _ in range(moves):
            legal = position.legal_actions()
            position = position.play(legal[int(rng.integers(len(legal)))])
            if position.is_terminal():
                break
        if not position.is_terminal():
            return position
    raise ValueError(f"found no position {moves} random moves from {state!r} that is not over")


# -- judging moves by the exact solver ----------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _optimal(state: GameState, exact: bool) -> frozenset[int]:
    # Memoised, so that judging many agents on the same positions solves each once.
    from daopt.search import optimal_actions  # here: search is the heavy, optional judge

    return frozenset(optimal_actions(state, exact=exact))


def optimal_move_rate(
    agent: Agent, positions: Sequence[GameState], *, exact: bool = False
) -> float:
    """The fraction of ``positions`` where ``agent``'s move keeps the game-theoretic value.

    A move is optimal if it is in ``daopt.search.optimal_actions(position,
    exact=exact)``: with ``exact=True`` it must also keep the exact score (win
    fastest, lose slowest). The agent is called once per position.
    """
    if not callable(agent):
        raise TypeError(f"agent must be a callable state -> action, got {agent!r}")
    positions = _check_positions(positions)
    if not isinstance(exact, bool):
        raise TypeError(f"exact must be True or False, got {exact!r}")
    hits = 0
    for position in positions:
        action = agent(position)
        if not is_integer(action):
            raise TypeError(f"agent {agent!r} returned {action!r}, expected an int")
        legal = position.legal_actions()
        if int(action) not in legal:
            raise ValueError(
                f"agent {agent!r} chose the illegal move {action} in {position!r}; "
                f"legal moves are {legal}"
            )
        hits += int(action) in _optimal(position, exact)
    return hits / len(positions)


def sample_positions(
    initial_state: GameState,
    n: int,
    rng: np.random.Generator,
    *,
    min_moves: int = 0,
    max_moves: int | None = None,
    informative: bool = True,
    exact: bool = False,
    distinct: bool = True,
) -> list[GameState]:
    """``n`` test positions, reproducible from ``rng``: each is a uniformly random
    non-terminal position, between ``min_moves`` and ``max_moves`` moves in, of
    a game of uniformly random moves from ``initial_state``.

    Choices, and why:

    - ``informative=True`` (default) skips positions where every legal move is
      optimal (judged with ``exact``). There no agent can go wrong, so they
      would only dilute the rate towards 1: the empty tic-tac-toe board, for
      instance, where every move draws, and positions already lost, where every
      move loses. The rate then measures choices that matter.
    - ``distinct=True`` (default) keeps one position per ``key()``, which
      merges positions equal up to the board's symmetries, so that no position
      (nor its mirror image) is counted twice.
    - Random play reaches positions that careful players seldom would (many
      are already decided); they are a test set, not a model of real games.

    Raises ValueError if ``100 * n`` random games do not yield ``n`` positions.

    Args:
        initial_state: where every random game starts.
        n: how many positions.
        rng: draws the games and the position in each.
        min_moves, max_moves: the range of moves into a game a position may be.
        informative: skip positions where every move is optimal.
        exact: judge "optimal" by the exact score (fastest win) as well.
        distinct: keep one position per ``key()`` (symmetric ones merged).
    """
    _check_playable(initial_state, chance=False)  # judged by the two-player solver
    n = positive_int("n", n)
    rng = generator("rng", rng)
    min_moves = positive_int("min_moves", min_moves, minimum=0)
    if max_moves is not None:
        max_moves = positive_int("max_moves", max_moves, minimum=min_moves)
    for name, flag in (("informative", informative), ("exact", exact), ("distinct", distinct)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")

    available = _count_positions(initial_state, min_moves, max_moves, informative, exact)
    if available is not None and (available == 0 or (distinct and n > available)):
        # Fail now: random games could never meet the request, however many were played.
        raise ValueError(
            f"asked for {n} positions but only {available} qualify: counted over every "
            f"position reachable from {initial_state!r} (symmetric ones merged, "
            f"min_moves={min_moves}, max_moves={max_moves}, informative={informative}); "
            "ask for fewer or relax the conditions"
        )

    positions: list[GameState] = []
    seen: set[Hashable] = set()
    attempts = 100 * n
    for _ in range(attempts):
        game = [initial_state]
        while not game[-1].is_terminal():
            legal = game[-1].legal_actions()
            game.append(game[-1].play(legal[int(rng.integers(len(legal)))]))
        last = len(game) - 2 if max_moves is None else min(max_moves, len(game) - 2)
        if last < min_moves:
            continue  # the game ended too soon
        position = game[int(rng.integers(min_moves, last + 1))]
        key = position.key()
        if distinct and key in seen:
            continue
        if informative and _optimal(position, exact) == frozenset(position.legal_actions()):
            continue
        seen.add(key)
        positions.append(position)
        if len(positions) == n:
            return positions
    raise ValueError(
        f"found only {len(positions)} of {n} positions in {attempts} random games "
        f"(min_moves={min_moves}, max_moves={max_moves}, informative={informative}, "
        f"distinct={distinct}); ask for fewer or relax the conditions"
    )


#: Beyond this many reachable states ``sample_positions`` does not count the qualifying
#: positions up front (Connect Four's are far too many) and relies on its attempt bound.
_COUNT_LIMIT = 2_000


def _count_positions(
    initial_state: GameState,
    min_moves: int,
    max_moves: int | None,
    informative: bool,
    exact: bool,
) -> int | None:
    """How many distinct (by ``key()``) non-terminal positions ``min_moves`` to
    ``max_moves`` moves from ``initial_state`` qualify, or None if more than
    ``_COUNT_LIMIT`` states are reachable (too many to count cheaply)."""
    layer, seen, keys = {initial_state.key(): initial_state}, 1, {}
    depth = 0
    while layer and (max_moves is None or depth <= max_moves):
        if depth >= min_moves:
            keys.update(layer)
        following: dict[Hashable, GameState] = {}
        for state in layer.values():
            for action in state.legal_actions():
                child = state.play(action)
                if not child.is_terminal() and following.setdefault(child.key(), child) is child:
                    seen += 1
                    if seen > _COUNT_LIMIT:
                        return None
        layer, depth = following, depth + 1
    if not informative:
        return len(keys)
    return sum(
        _optimal(state, exact) != frozenset(state.legal_actions()) for state in keys.values()
    )


# -- argument checks --------------------------------------------------------------------------


def _check_agents(agents: object) -> tuple[Agent, Agent]:
    if isinstance(agents, (str, bytes)) or not isinstance(agents, Sequence) or len(agents) != 2:
        raise TypeError(f"agents must be a pair (player 0's agent, player 1's), got {agents!r}")
    for agent in agents:
        if not callable(agent):
            raise TypeError(f"an agent must be a callable state -> action, got {agent!r}")
    return agents[0], agents[1]


def _check_playable(state: object, *, chance: bool = True) -> None:
    check_state(state, chance=chance)
    if state.is_terminal():
        raise ValueError(f"the game is already over in {state!r}: there is no move to choose")


def _check_positions(positions: object) -> list[GameState]:
    if isinstance(positions, (str, bytes)) or not isinstance(positions, Sequence):
        raise TypeError(f"positions must be a sequence of game states, got {positions!r}")
    if not positions:
        raise ValueError("positions must not be empty: a rate over no positions is undefined")
    for position in positions:
        _check_playable(position, chance=False)  # judged by the two-player solver
    return list(positions)
