"""Expert iteration (Anthony, Tian and Barber 2017; AlphaZero, Silver et al. 2018)
on small Connect Four boards, without any solver label: the network guides PUCT
self-play, and is then trained to predict the search's root visit shares (policy)
and the games' outcomes (value). The search is the expert, the network the
apprentice; each round the apprentice's better prior makes the expert better.
A worker plays its games side by side, so that one batched network pass evaluates a
leaf of each game's search (``self_play_games``).

Shapes as in ``daopt.hybrid``: features (n, ``hybrid.n_features()``), policies (n, cols).
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from daopt.cost import training_passes
from daopt.games import ConnectFour
from daopt.hybrid import PolicyValueNet, features, fit, mirror_features, mirror_targets
from daopt.mcts import MCTS, MCTSResult, search_together
from daopt.nn import MLP, Adam
from daopt.validation import generator, positive_float, positive_int, probability

__all__ = ["ExItLog", "GameData", "expert_iteration", "self_play_game", "self_play_games"]


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
    return self_play_games(
        net,
        simulations,
        [generator("rng", rng)],
        rows=rows,
        cols=cols,
        sample_moves=sample_moves,
        c_puct=c_puct,
        random_moves=random_moves,
        search_value=search_value,
    )[0]


def self_play_games(
    net: MLP,
    simulations: int,
    rngs: list[np.random.Generator],
    *,
    rows: int = 5,
    cols: int = 5,
    sample_moves: int = 8,
    c_puct: float = 1.5,
    random_moves: float = 0.0,
    search_value: float = 0.0,
) -> list[GameData]:
    """One ``self_play_game`` per generator in ``rngs``, played side by side: at each
    move the searches of all unfinished games run in step
    (``daopt.mcts.search_together``), so their leaves share one batched network pass.
    Game ``i`` draws its random numbers from ``rngs[i]`` alone, in the order it would
    alone, so it is the game that ``self_play_game`` plays with that generator (up to
    the rounding of a batched matrix product)."""
    simulations = positive_int("simulations", simulations)
    if not isinstance(rngs, (list, tuple)) or not rngs:
        raise TypeError(f"rngs must be a non-empty list of np.random.Generator, got {rngs!r}")
    for index, rng in enumerate(rngs):
        generator(f"rngs[{index}]", rng)
    if len({id(rng) for rng in rngs}) != len(rngs):
        raise ValueError("rngs must be distinct generators, one per game")
    sample_moves = positive_int("sample_moves", sample_moves, minimum=0)
    c_puct = positive_float("c_puct", c_puct)
    random_moves = probability("random_moves", random_moves)
    search_value = probability("search_value", search_value)
    pv = PolicyValueNet(net, rows, cols)
    searches = [
        MCTS(simulations, rng, c_uct=c_puct, prior=pv.prior, evaluator=pv.value) for rng in rngs
    ]
    states = [ConnectFour(rows, cols) for _ in rngs]
    records: list[list[tuple[ConnectFour, MCTSResult]]] = [[] for _ in rngs]
    playing = list(range(len(rngs)))
    while playing:
        results = search_together(
            [searches[g] for g in playing], [states[g] for g in playing], pv.prefetch
        )
        for g, result in zip(playing, results, strict=True):
            state, rng = states[g], rngs[g]
            records[g].append((state, result))
            if random_moves > 0 and rng.random() < random_moves:
                legal = state.legal_actions()
                action = int(legal[int(rng.integers(len(legal)))])
            elif state.moves_played < sample_moves:
                action = int(rng.choice(cols, p=result.policy))
            else:
                action = result.best_action
            states[g] = state.play(action)
        playing = [g for g in playing if not states[g].is_terminal()]
    return [
        _game_data(record, states[g].returns(), cols, search_value)
        for g, record in enumerate(records)
    ]


def _game_data(
    record: list[tuple[ConnectFour, MCTSResult]],
    final: tuple[float, float],
    cols: int,
    search_value: float,
) -> GameData:
    states = [state for state, _ in record]
    results = [result for _, result in record]
    legal = np.zeros((len(states), cols), dtype=bool)
    for i, state in enumerate(states):
        legal[i, state.legal_actions()] = True
    outcome = np.array([final[state.to_play] for state in states], dtype=float)
    root_values = []
    for result in results:
        visited = result.visits > 0
        root_values.append(
            float(result.visits[visited] @ result.values[visited] / result.visits[visited].sum())
        )
    return GameData(
        x=features(states),
        policy=np.array([result.policy for result in results]),
        legal=legal,
        outcome=(1 - search_value) * outcome + search_value * np.array(root_values),
        passes=sum(result.prior_calls for result in results),
        simulations=sum(result.simulations for result in results),
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
    return self_play_games(
        net, simulations, [np.random.default_rng(seed) for seed in seeds], **options
    )


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
