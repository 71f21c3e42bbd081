"""Expert iteration (Anthony, Tian and Barber 2017; AlphaZero, Silver et al. 2018)
on small Connect Four boards, without any solver label: the network guides PUCT
self-play, and is then trained to predict the search's root visit shares (policy)
and the games' outcomes (value). The search is the expert, the network the
apprentice; each round the apprentice's better prior makes the expert better.

Shapes as in ``daopt.hybrid``: features (n, ``hybrid.n_features()``), policies (n, cols).
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from daopt.cost import training_passes
from daopt.games import ConnectFour
from daopt.hybrid import PolicyValueNet, PUCTAgent, features, fit, mirror_features, mirror_targets
from daopt.nn import MLP, Adam
from daopt.validation import generator, positive_int, probability

__all__ = ["ExItLog", "GameData", "expert_iteration", "self_play_game"]


@dataclass
class GameData:
    """One self-play game: per decision the features (n, d), the root visit shares
    (n, cols), the legal moves (n, cols) and the outcome for the mover (n,), plus
    the network passes and simulations the game's searches spent."""

    x: np.ndarray
    policy: np.ndarray
    legal: np.ndarray
    outcome: np.ndarray
    passes: int
    simulations: int


def self_play_game(
    net: MLP,
    simulations: int,
    rng: np.random.Generator,
    *,
    rows: int = 5,
    cols: int = 5,
    sample_moves: int = 8,
    c_puct: float = 1.5,
    random_moves: float = 0.0,
    search_value: float = 0.0,
) -> GameData:
    """One game of PUCT against itself. For the first ``sample_moves`` moves the move is
    drawn in proportion to the root visits (exploration); after that it is the most
    visited move. With probability ``random_moves`` a move is instead uniformly random
    (the position is still searched and recorded), so that the games reach positions
    that good play avoids. A position's value target is ``1 - search_value`` times the
    game's outcome plus ``search_value`` times the search's root value (the visit-
    weighted mean of its root actions' values), both for the mover: the outcome of a
    game with random moves says less about the positions before them."""
    simulations = positive_int("simulations", simulations)
    generator("rng", rng)
    random_moves = probability("random_moves", random_moves)
    search_value = probability("search_value", search_value)
    pv = PolicyValueNet(net, rows, cols)
    agent = PUCTAgent(pv, simulations, rng, c_puct)
    state = ConnectFour(rows, cols)
    states, policies, movers, root_values = [], [], [], []
    spent = 0
    while not state.is_terminal():
        result = agent.search(state)
        spent += result.simulations
        states.append(state)
        policies.append(result.policy)
        movers.append(state.to_play)
        visited = result.visits > 0
        root_values.append(
            float(result.visits[visited] @ result.values[visited] / result.visits[visited].sum())
        )
        if random_moves > 0 and rng.random() < random_moves:
            legal = state.legal_actions()
            action = int(legal[int(rng.integers(len(legal)))])
        elif state.moves_played < sample_moves:
            action = int(rng.choice(cols, p=result.policy))
        else:
            action = result.best_action
        state = state.play(action)
    final = state.returns()
    legal = np.zeros((len(states), cols), dtype=bool)
    for i, s in enumerate(states):
        legal[i, s.legal_actions()] = True
    return GameData(
        x=features(states),
        policy=np.array(policies),
        legal=legal,
        outcome=(1 - search_value) * np.array([final[m] for m in movers], dtype=float)
        + search_value * np.array(root_values),
        passes=pv.passes,
        simulations=spent,
    )


def _play_games(
    params: list[np.ndarray],
    sizes: tuple[int, ...],
    seeds: list[list[int]],
    simulations: int,
    options: dict[str, float],
) -> list[GameData]:
    net = MLP(sizes, np.random.default_rng(0), activation="relu")
    net.params = [p.copy() for p in params]
    return [
        self_play_game(net, simulations, np.random.default_rng(seed), **options) for seed in seeds
    ]


@dataclass
class ExItLog:
    """Per round: games, positions, seconds, self-play network passes and simulations,
    training passes, and ``evaluations`` (whatever ``evaluate(net)`` returned)."""

    games: list[int] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    selfplay_passes: list[int] = field(default_factory=list)
    simulations: list[int] = field(default_factory=list)
    training_passes: list[int] = field(default_factory=list)
    evaluations: list[object] = field(default_factory=list)


def expert_iteration(
    net: MLP,
    *,
    rounds: int,
    games_per_round: int,
    simulations: int,
    seed: int,
    epochs: int = 4,
    window: int = 4,
    workers: int = 1,
    evaluate=None,
    random_moves: float = 0.0,
    search_value: float = 0.0,
) -> ExItLog:
    """Train ``net`` in place by ``rounds`` of expert iteration: each round plays
    ``games_per_round`` self-play games with PUCT (``simulations`` a move) guided by
    the current net, then trains ``epochs`` epochs on the last ``window`` rounds'
    positions and their mirror images. ``random_moves`` and ``search_value`` go to
    ``self_play_game``. Game seeds are ``[seed, round, game]``, so a run is
    reproducible for any ``workers``."""
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a daopt.nn.MLP, got {net!r}")
    for name, value in (
        ("rounds", rounds),
        ("games_per_round", games_per_round),
        ("simulations", simulations),
        ("epochs", epochs),
        ("window", window),
        ("workers", workers),
    ):
        positive_int(name, value)
    if evaluate is not None and not callable(evaluate):
        raise TypeError(f"evaluate must be callable net -> value, got {evaluate!r}")
    options = {
        "random_moves": probability("random_moves", random_moves),
        "search_value": probability("search_value", search_value),
    }
    log = ExItLog()
    buffer: list[list[GameData]] = []
    optimiser = Adam(net.params, learning_rate=1e-3)
    train_rng = np.random.default_rng([seed, 10**6])
    pool = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        for r in range(rounds):
            start = time.perf_counter()
            seeds = [[seed, r, g] for g in range(games_per_round)]
            if pool is None:
                games = _play_games(net.params, net.sizes, seeds, simulations, options)
            else:
                chunks = [seeds[i::workers] for i in range(workers)]
                games = [
                    game
                    for part in pool.map(
                        _play_games,
                        [net.params] * workers,
                        [net.sizes] * workers,
                        chunks,
                        [simulations] * workers,
                        [options] * workers,
                    )
                    for game in part
                ]
            buffer = [*buffer, games][-window:]
            data = [game for round_games in buffer for game in round_games]
            x = np.concatenate([g.x for g in data])
            policy = np.concatenate([g.policy for g in data])
            legal = np.concatenate([g.legal for g in data])
            outcome = np.concatenate([g.outcome for g in data])
            fit(
                net,
                np.concatenate([x, mirror_features(x)]),
                np.concatenate([policy, mirror_targets(policy)]),
                np.concatenate([outcome, outcome]),
                np.concatenate([legal, mirror_targets(legal)]),
                rng=train_rng,
                n_epochs=epochs,
                optimiser=optimiser,
            )
            log.games.append(len(games))
            log.positions.append(int(sum(g.x.shape[0] for g in games)))
            log.selfplay_passes.append(int(sum(g.passes for g in games)))
            log.simulations.append(int(sum(g.simulations for g in games)))
            log.training_passes.append(training_passes(2 * x.shape[0] * epochs))
            log.seconds.append(time.perf_counter() - start)
            if evaluate is not None:
                log.evaluations.append(evaluate(net))
    finally:
        if pool is not None:
            pool.shutdown()
    return log
