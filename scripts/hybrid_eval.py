"""Every agent of chapter 9 on the same held-out 5x5 positions, with its compute per
move, plus matches at equal compute and against the exact solver.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/hybrid_eval.py

(two worker processes by default; the measured seconds are in the result; needs
``hybrid_positions.py``, ``hybrid_train.py``, ``hybrid_gate.py`` and
``hybrid_exit.py`` first). For a quick check,
``--positions-limit 20 --uct-positions 4 --solver-positions 2 --match-games 2
--solver-games 1 --output /tmp/eval``.

On every test position (or the first ``--positions-limit``): the cloned policy,
the expert-iteration policy, the chapter-5-style policy, the tactical check, and
PUCT guided by either network at 2 to 256 simulations (one tree grown through the
budgets, ``MCTS.anytime``); the shipped gated agent itself; random play (its
expected rate). Rollout UCT at 16 to 16,384 simulations runs on the first
``--uct-positions`` positions only, and the exact solver (a cold table for every
position) on the first ``--solver-positions``: both are too slow for all of them.
Moves are judged by the solver's labels saved with the positions. The searches
and matches run in a pool of ``--workers`` processes; every search is seeded by
its position's index, so the records do not depend on the number of workers.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from daopt import hybrid, search  # noqa: E402
from daopt.cost import DecisionCost, mean_cost  # noqa: E402
from daopt.games import ConnectFour  # noqa: E402
from daopt.mcts import MCTS  # noqa: E402
from daopt.nn import MLP  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
POSITIONS = RESULTS / "hybrid_positions.npz"
DEFAULT_OUTPUT = RESULTS / "hybrid_eval"
PUCT_BUDGETS = (2, 4, 8, 16, 32, 64, 128, 256)
UCT_BUDGETS = (16, 64, 256, 1024, 4096, 16384)
MODES = ("tactic", "policy", "search")


class SolverAgent:
    """Plays a uniformly random optimal move; labels cached by position."""

    def __init__(self, rng: np.random.Generator, labels: dict[int, tuple[int, ...]]):
        self.rng, self.labels = rng, labels
        self.last_cost: DecisionCost | None = None

    def values(self, state: ConnectFour) -> tuple[int, ...]:
        code = state.current + state.mask
        if code not in self.labels:
            self.labels[code] = tuple(
                search.action_values(state).get(a, -2) for a in range(state.cols)
            )
        return self.labels[code]

    def __call__(self, state: ConnectFour) -> int:
        values = self.values(state)
        best = max(values)
        moves = [a for a in range(state.cols) if values[a] == best]
        self.last_cost = DecisionCost()
        return moves[int(self.rng.integers(len(moves)))]


def load_moves(path: Path, limit: int | None) -> list[str]:
    """The test positions' move strings (1-based columns)."""
    data = np.load(path)
    return [str(m) for m in data["moves"][data["split"] == 0][:limit]]


def load_positions(path: Path, limit: int | None) -> tuple[list[ConnectFour], np.ndarray]:
    data = np.load(path)
    test = data["split"] == 0
    moves, values = data["moves"][test], data["values"][test]
    if limit is not None:
        moves, values = moves[:limit], values[:limit]
    return [ConnectFour.from_moves(str(m), 5, 5) for m in moves], values


def _states(moves: list[str]) -> list[ConnectFour]:
    return [ConnectFour.from_moves(m, 5, 5) for m in moves]


def evaluate_policies(
    states: list[ConnectFour], values: np.ndarray, nets: dict[str, MLP]
) -> dict[str, np.ndarray]:
    """Per-position records of the three policies and the tactical check."""
    _, _, optimal, legal = hybrid.bc_targets(values)
    optimal = optimal.astype(bool)
    rows = np.arange(len(states))
    out: dict[str, np.ndarray] = {
        "random_rate": optimal.sum(axis=1) / legal.sum(axis=1),
        "moves_played": np.array([s.moves_played for s in states]),
    }
    x = hybrid.features(states)
    for name, net in nets.items():
        start = time.perf_counter()
        for s in states:  # one pass per decision, timed as an agent would run it
            hybrid.PolicyAgent(hybrid.PolicyValueNet(net))(s)
        seconds = (time.perf_counter() - start) / len(states)
        heads = hybrid.heads(net.forward(x), legal)
        move = heads.policy.argmax(axis=1)
        out[f"{name}_move"] = move
        out[f"{name}_correct"] = optimal[rows, move]
        out[f"{name}_confidence"] = heads.confidence[rows, move]
        out[f"{name}_value"] = heads.value
        out[f"{name}_seconds"] = np.full(len(states), seconds)
    tactic_move, tactic_nodes, tactic_seconds = [], [], []
    for s in states:
        start = time.perf_counter()
        move, nodes = hybrid.tactical_move(s)
        tactic_seconds.append(time.perf_counter() - start)
        tactic_move.append(-1 if move is None else move)
        tactic_nodes.append(nodes)
    out["tactic_move"] = np.array(tactic_move)
    out["tactic_nodes"] = np.array(tactic_nodes)
    out["tactic_seconds"] = np.array(tactic_seconds)
    fired = out["tactic_move"] >= 0
    out["tactic_correct"] = np.where(fired, optimal[rows, np.maximum(out["tactic_move"], 0)], False)
    return out


def puct_sweep(
    weights: Path, c_puct: float, moves: list[str], values: np.ndarray, first: int
) -> dict[str, np.ndarray]:
    """PUCT guided by the network in ``weights`` on positions ``first``, ``first + 1``,
    ...: one tree per position grown through the budgets (``MCTS.anytime``), seeded
    by the position's index so that any split over workers gives the same records."""
    pv = hybrid.PolicyValueNet(MLP.load(weights))
    _, _, optimal, _ = hybrid.bc_targets(values)
    states = _states(moves)
    correct = np.zeros((len(states), len(PUCT_BUDGETS)), dtype=bool)
    passes = np.zeros_like(correct, dtype=float)
    seconds = np.zeros_like(passes)
    for i, s in enumerate(states):
        rng = np.random.default_rng([1, first + i])
        mcts = MCTS(1, rng, c_uct=c_puct, prior=pv.prior, evaluator=pv.value)
        for j, result in enumerate(mcts.anytime(s, PUCT_BUDGETS)):
            correct[i, j] = optimal[i, result.best_action] > 0
            passes[i, j] = result.prior_calls
            seconds[i, j] = result.seconds
    return {"correct": correct, "passes": passes, "seconds": seconds}


def evaluate_gated(
    weights_dir: Path, settings: dict, moves: list[str], values: np.ndarray
) -> dict[str, np.ndarray]:
    """The shipped gated agent itself, one decision per position."""
    _, _, optimal, _ = hybrid.bc_targets(values)
    agent = hybrid.gated_from_settings(
        hybrid.PolicyValueNet(MLP.load(weights_dir / "hybrid_bc.npz")),
        settings,
        np.random.default_rng(2),
    )
    gated: dict[str, list] = {k: [] for k in ("move", "mode", "passes", "positions", "seconds")}
    for s in _states(moves):
        move = agent(s)
        gated["move"].append(move)
        gated["mode"].append(MODES.index(agent.last_mode))
        gated["passes"].append(agent.last_cost.network_passes)
        gated["positions"].append(agent.last_cost.positions)
        gated["seconds"].append(agent.last_cost.seconds)
    out = {f"gated_{k}": np.array(v) for k, v in gated.items()}
    out["gated_correct"] = optimal.astype(bool)[np.arange(len(moves)), out["gated_move"]]
    return out


def evaluate_uct(moves: list[str], values: np.ndarray, first: int) -> dict[str, np.ndarray]:
    """Rollout UCT through the budgets on positions ``first``, ``first + 1``, ..."""
    _, _, optimal, _ = hybrid.bc_targets(values)
    states = _states(moves)
    correct = np.zeros((len(states), len(UCT_BUDGETS)), dtype=bool)
    positions = np.zeros_like(correct, dtype=float)
    seconds = np.zeros_like(positions)
    for i, s in enumerate(states):
        mcts = MCTS(1, np.random.default_rng([3, first + i]))
        for j, result in enumerate(mcts.anytime(s, UCT_BUDGETS)):
            correct[i, j] = optimal[i, result.best_action] > 0
            positions[i, j] = result.simulations + result.rollout_steps
            seconds[i, j] = result.seconds
    return {"uct_correct": correct, "uct_positions": positions, "uct_seconds": seconds}


def evaluate_solver(moves: list[str]) -> dict[str, np.ndarray]:
    """Nodes and seconds the exact solver needs to choose a move, from a cold table."""
    nodes, seconds = [], []  # no moves skips the solver (quick checks)
    for s in _states(moves):
        search.clear_tables()
        start = time.perf_counter()
        search.optimal_actions(s)
        seconds.append(time.perf_counter() - start)
        nodes.append(search.connect_four_solver(s).nodes)
    search.clear_tables()
    return {
        "solver_nodes": np.array(nodes, dtype=float),
        "solver_seconds": np.array(seconds, dtype=float),
    }


def play(agents: tuple, start: ConnectFour) -> tuple[int | None, list[dict]]:
    """One game; returns the winner and, per move, the mover's mode and cost."""
    state, moves = start, []
    while not state.is_terminal():
        agent = agents[state.to_play]
        action = agent(state)
        cost = agent.last_cost or DecisionCost()
        moves.append(
            {
                "player": state.to_play,
                "action": int(action),
                "mode": getattr(agent, "last_mode", None),
                "confidence": getattr(agent, "last_confidence", None),
                "passes": cost.network_passes,
                "positions": cost.positions,
                "seconds": cost.seconds,
            }
        )
        state = state.play(action)
    return state.winner, moves


def match(a, b, games: int, rng: np.random.Generator, opening: int = 2) -> dict:
    """``games`` games of A against B from random openings, each played with both
    colours; A's wins, draws, losses and both sides' mean cost per move."""
    wins = draws = losses = 0
    cost: dict[str, list[DecisionCost]] = {"a": [], "b": []}
    for g in range(games):
        if g % 2 == 0:
            start = ConnectFour(5, 5)
            for _ in range(opening):
                legal = start.legal_actions()
                start = start.play(legal[int(rng.integers(len(legal)))])
        a_side = g % 2
        agents = (a, b) if a_side == 0 else (b, a)
        winner, moves = play(agents, start)
        for m in moves:
            cost["a" if m["player"] == a_side else "b"].append(
                DecisionCost(
                    network_passes=m["passes"], simulations=m["positions"], seconds=m["seconds"]
                )
            )
        if winner is None:
            draws += 1
        elif winner == a_side:
            wins += 1
        else:
            losses += 1
    mean = {k: mean_cost(v).as_dict() for k, v in cost.items() if v}
    return {"wins": wins, "draws": draws, "losses": losses, "cost": mean}


class _UCT:
    """Rollout UCT as an agent, with its cost per decision."""

    def __init__(self, simulations: int, seed: int):
        self.mcts = MCTS(simulations, np.random.default_rng(seed))
        self.last_cost: DecisionCost | None = None

    def __call__(self, state: ConnectFour) -> int:
        result = self.mcts.search(state)
        self.last_cost = DecisionCost(
            simulations=result.simulations + result.rollout_steps, seconds=result.seconds
        )
        return result.best_action


def make_agent(spec: tuple, weights_dir: Path, settings: dict, seed: int):
    """An agent from a picklable description: ("gated",), ("policy", net name),
    ("puct", simulations) with the cloned net, or ("uct", simulations)."""
    kind = spec[0]
    if kind == "uct":
        return _UCT(spec[1], seed)
    name = spec[1] if kind == "policy" else "bc"
    net = hybrid.PolicyValueNet(MLP.load(weights_dir / f"hybrid_{name}.npz"))
    if kind == "policy":
        return hybrid.PolicyAgent(net)
    rng = np.random.default_rng(seed)
    if kind == "puct":
        return hybrid.PUCTAgent(net, spec[1], rng, settings["c_puct"])
    return hybrid.gated_from_settings(net, settings, rng)


def run_match(weights_dir: Path, settings: dict, opponent: tuple, games: int, seed: int) -> dict:
    """The gated agent against ``opponent`` (see ``make_agent``)."""
    a = make_agent(("gated",), weights_dir, settings, 5)
    b = make_agent(opponent, weights_dir, settings, 6)
    return match(a, b, games, np.random.default_rng(seed))


def solver_match(
    weights_dir: Path, settings: dict, spec: tuple, games: int
) -> tuple[dict, list | None]:
    """``games`` games of ``spec`` against the exact solver, alternating colours; the
    record and the first game's moves."""
    labels: dict[int, tuple[int, ...]] = {}
    record = {"wins": 0, "draws": 0, "losses": 0}
    first = None
    for g in range(games):
        side = g % 2
        solver = SolverAgent(np.random.default_rng([9, g]), labels)
        agent = make_agent(spec, weights_dir, settings, 8)
        agents = (agent, solver) if side == 0 else (solver, agent)
        winner, moves = play(agents, ConnectFour(5, 5))
        key = "draws" if winner is None else "wins" if winner == side else "losses"
        record[key] += 1
        if g == 0:
            first = moves
    return record, first


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(i, min(n, i + size)) for i in range(0, n, size)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--positions", type=Path, default=POSITIONS)
    parser.add_argument("--positions-limit", type=int, default=None)
    parser.add_argument("--uct-positions", type=int, default=200)
    parser.add_argument("--solver-positions", type=int, default=20)
    parser.add_argument("--match-games", type=int, default=20)
    parser.add_argument("--solver-games", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="processes")
    parser.add_argument("--weights-dir", type=Path, default=hybrid.WEIGHTS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="prefix")
    args = parser.parse_args(argv)
    for name in ("uct_positions", "solver_positions", "match_games", "solver_games"):
        if getattr(args, name) < 0:
            parser.error(f"--{name.replace('_', '-')} must be >= 0")
    if args.positions_limit is not None and args.positions_limit < 1:
        parser.error("--positions-limit must be positive")
    if args.workers < 1:
        parser.error("--workers must be positive")
    began = time.perf_counter()
    settings = json.loads((args.weights_dir / "hybrid.json").read_text())
    nets = {
        name: MLP.load(args.weights_dir / f"hybrid_{name}.npz") for name in ("bc", "exit", "ch5")
    }
    states, values = load_positions(args.positions, args.positions_limit)
    moves = load_moves(args.positions, args.positions_limit)
    n = len(states)
    n_uct, n_solver = min(args.uct_positions, n), min(args.solver_positions, n)
    timings: dict[str, float] = {}
    arrays = evaluate_policies(states, values, nets)

    # Everything else in a pool: the searches are independent per position.
    pool = ProcessPoolExecutor(args.workers)
    try:
        jobs = {}
        for name in ("bc", "exit"):
            for a, b in _chunks(n, 100):
                weights = args.weights_dir / f"hybrid_{name}.npz"
                jobs[("puct", name, a)] = pool.submit(
                    puct_sweep, weights, settings["c_puct"], moves[a:b], values[a:b], a
                )
        jobs[("gated",)] = pool.submit(evaluate_gated, args.weights_dir, settings, moves, values)
        for a, b in _chunks(n_uct, 10):
            jobs[("uct", a)] = pool.submit(evaluate_uct, moves[a:b], values[a:b], a)
        jobs[("solver",)] = pool.submit(evaluate_solver, moves[:n_solver])
        done = {}
        for key in tqdm(list(jobs), desc="positions: searches", unit="task"):
            done[key] = jobs[key].result()
        for name in ("bc", "exit"):
            parts = [done[k] for k in sorted(k for k in done if k[:2] == ("puct", name))]
            for field in ("correct", "passes", "seconds"):
                arrays[f"puct_{name}_{field}"] = np.concatenate([p[field] for p in parts])
            rates = arrays[f"puct_{name}_correct"].mean(axis=0).round(3)
            print(f"PUCT({name}) rates {rates}", flush=True)
        arrays.update(done[("gated",)])
        uct_parts = [done[k] for k in sorted(k for k in done if k[0] == "uct")]
        for field in ("uct_correct", "uct_positions", "uct_seconds"):
            shape = (0, len(UCT_BUDGETS))
            arrays[field] = (
                np.concatenate([p[field] for p in uct_parts]) if uct_parts else np.zeros(shape)
            )
        arrays.update(done[("solver",)])
        timings["positions"] = time.perf_counter() - began

        # Matches. The gated agent's mean compute picks the equal-compute opponents.
        start = time.perf_counter()
        gate_evals = float(np.mean(arrays["gated_passes"] + arrays["gated_positions"]))
        equal = max(2, round(gate_evals))
        half = max(1, equal // 2)  # PUCT spends one pass and one simulation per new node
        opponents = {
            f"rollout UCT, {equal} simulations": ("uct", equal),
            f"PUCT (cloned net), {half} simulations": ("puct", half),
            "cloned policy": ("policy", "bc"),
            "expert-iteration policy": ("policy", "exit"),
        }
        against_solver = {
            "gated": ("gated",),
            "cloned policy": ("policy", "bc"),
            "expert-iteration policy": ("policy", "exit"),
            f"PUCT (cloned net), {settings['puct_simulations']} simulations": (
                "puct",
                settings["puct_simulations"],
            ),
        }
        match_jobs = {
            name: pool.submit(run_match, args.weights_dir, settings, spec, args.match_games, 4)
            for name, spec in opponents.items()
        }
        solver_jobs = {
            name: pool.submit(solver_match, args.weights_dir, settings, spec, args.solver_games)
            for name, spec in against_solver.items()
        }
        matches = {name: job.result() for name, job in tqdm(match_jobs.items(), desc="matches")}
        solver_matches, recorded = {}, None
        for name, job in tqdm(solver_jobs.items(), desc="against the solver"):
            solver_matches[name], first = job.result()
            if name == "gated":
                recorded = first
            print(f"vs solver, {name}: {solver_matches[name]}", flush=True)
        timings["matches"] = time.perf_counter() - start
    finally:
        pool.shutdown(cancel_futures=True)

    result = {
        "command": (
            "OPENBLAS_NUM_THREADS=1 python scripts/hybrid_eval.py "
            + " ".join(argv if argv is not None else sys.argv[1:])
        ).strip(),
        "settings": settings,
        "puct_budgets": list(PUCT_BUDGETS),
        "uct_budgets": list(UCT_BUDGETS),
        "modes": list(MODES),
        "n_positions": n,
        "uct_positions": int(arrays["uct_correct"].shape[0]),
        "solver_positions": int(arrays["solver_nodes"].shape[0]),
        "gate_evaluations": gate_evals,
        "matches": matches,
        "solver_matches": solver_matches,
        "recorded_game": recorded,
        "workers": args.workers,
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "seconds": round(time.perf_counter() - began, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output.with_suffix(".npz"), **arrays)
    args.output.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    print(f"saved {args.output}.json/.npz in {result['seconds']} s: {result['timings']}")


if __name__ == "__main__":
    main()
