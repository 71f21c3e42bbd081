"""Behaviour cloning on 5x5 Connect Four for chapter 9: the shipped policy/value/
confidence network, the gate's threshold, and a chapter-5-style cloned policy.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/hybrid_train.py

(509 s measured on 2 busy shared cores, for three networks; needs
``scripts/hybrid_positions.py`` first). For a
quick check, ``--epochs 2 --output /tmp/train.json --weights-dir /tmp/weights``.

The training positions of ``results/hybrid_positions.npz`` are split by game: the
last ``VALIDATION`` share of the games is a validation set, which picks the epoch
to keep and the gate's threshold; the test set is only scored, once, at the end.
Every position is used with its mirror image. Targets: the policy is uniform over
the solver's optimal moves, the value is the game value, and the confidence head
predicts, move by move, whether the move is optimal. The gate's threshold is the
smallest on a grid at which the policy's confident moves on the validation set
are optimal at least ``TARGET_PRECISION`` of the time.

The chapter-5-style baseline is a policy alone (one hidden layer of 64), cloned
from the positions of the random games only, as chapter 5 cloned tic-tac-toe.
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
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from daopt import hybrid  # noqa: E402
from daopt.cost import training_passes  # noqa: E402
from daopt.games import ConnectFour  # noqa: E402
from daopt.nn import MLP, Adam  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
POSITIONS = RESULTS / "hybrid_positions.npz"
DEFAULT_OUTPUT = RESULTS / "hybrid_train.json"
HIDDEN, BASELINE_HIDDEN = (128, 128), (64,)
VALIDATION = 0.15
TARGET_PRECISION = 0.98
THRESHOLDS = np.round(np.arange(0.30, 1.0, 0.01), 2)
C_PUCT, GATE_SIMULATIONS, PUCT_SIMULATIONS = 1.5, 32, 64


def load(path: Path) -> dict[str, np.ndarray]:
    data = np.load(path)
    states = [ConnectFour.from_moves(str(m), 5, 5) for m in data["moves"]]
    policy, value, optimal, legal = hybrid.bc_targets(data["values"])
    return {
        "x": hybrid.features(states),
        "policy": policy,
        "value": value,
        "optimal": optimal,
        "legal": legal,
        "split": data["split"],
        "game": data["game"],
        "informative": optimal.sum(axis=1) < legal.sum(axis=1),
        "key": np.array([s.key() for s in states], dtype=np.uint64),
    }


def subset(data: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[rows] for k, v in data.items()}


def augmented(d: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """The positions and their mirror images: x, policy, value, legal, optimal."""
    m = hybrid.mirror_targets
    return (
        np.concatenate([d["x"], hybrid.mirror_features(d["x"])]),
        np.concatenate([d["policy"], m(d["policy"])]),
        np.concatenate([d["value"], d["value"]]),
        np.concatenate([d["legal"], m(d["legal"])]),
        np.concatenate([d["optimal"], m(d["optimal"])]),
    )


def scores(net: MLP, d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per position: the policy's move, whether it is optimal, and its confidence."""
    out = hybrid.heads(net.forward(d["x"]), d["legal"].astype(bool))
    move = out.policy.argmax(axis=1)
    rows = np.arange(len(move))
    return {
        "move": move,
        "correct": d["optimal"][rows, move] > 0,
        "confidence": out.confidence[rows, move],
        "value": out.value,
    }


def pick_threshold(confidence: np.ndarray, correct: np.ndarray) -> float:
    for t in THRESHOLDS:
        confident = confidence >= t
        if confident.any() and correct[confident].mean() >= TARGET_PRECISION:
            return float(t)
    return 1.0


def train_net(
    hidden: tuple[int, ...],
    train: dict[str, np.ndarray],
    valid: dict[str, np.ndarray],
    epochs: int,
    seed: int,
    *,
    heads: bool,
) -> tuple[MLP, list[dict[str, float]], int]:
    """Train, keeping the parameters of the epoch with the best validation rate."""
    net = hybrid.new_network(np.random.default_rng(seed), hidden)
    x, policy, value, legal, optimal = augmented(train)
    optimiser = Adam(net.params, learning_rate=1e-3)
    rng = np.random.default_rng([seed, 1])
    curve, best, best_params = [], -1.0, None
    informative = valid["informative"]
    for epoch in range(1, epochs + 1):
        hybrid.fit(
            net,
            x,
            policy,
            value,
            legal,
            optimal=optimal if heads else None,
            rng=rng,
            n_epochs=1,
            value_weight=1.0 if heads else 0.0,
            optimiser=optimiser,
        )
        rate = float(scores(net, valid)["correct"][informative].mean())
        curve.append({"epoch": epoch, "validation_rate": rate})
        if rate > best:
            best, best_params = rate, [p.copy() for p in net.params]
    assert best_params is not None
    net.params[:] = best_params
    return net, curve, training_passes(x.shape[0] * epochs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--positions", type=Path, default=POSITIONS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--weights-dir", type=Path, default=hybrid.WEIGHTS)
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be positive")
    began = time.perf_counter()
    data = load(args.positions)
    train_games = np.unique(data["game"][data["split"] == 1])
    cut = train_games[int(len(train_games) * (1 - VALIDATION))]
    train = subset(data, (data["split"] == 1) & (data["game"] < cut))
    valid = subset(data, (data["split"] == 1) & (data["game"] >= cut))
    # Judged like the test set: one position per symmetry class, informative only.
    _, first = np.unique(valid["key"], return_index=True)
    valid = subset(valid, np.isin(np.arange(len(valid["key"])), first) & valid["informative"])
    test = subset(data, data["split"] == 0)

    start = time.perf_counter()
    net, curve, passes = train_net(HIDDEN, train, valid, args.epochs, args.seed, heads=True)
    bc_seconds = time.perf_counter() - start
    v = scores(net, valid)
    threshold = pick_threshold(
        v["confidence"][valid["informative"]], v["correct"][valid["informative"]]
    )
    t = scores(net, test)

    # The same network without the two threat planes (zeroed): what they are worth.
    def no_threats(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        x = d["x"].copy()
        x[:, 3 * 25 :] = 0.0
        return {**d, "x": x}

    plain, _, _ = train_net(
        HIDDEN, no_threats(train), no_threats(valid), args.epochs, args.seed, heads=True
    )
    plain_rate = float(scores(plain, no_threats(test))["correct"].mean())

    random_games = train["game"] % 2 == 0
    start = time.perf_counter()
    baseline, baseline_curve, baseline_passes = train_net(
        BASELINE_HIDDEN, subset(train, random_games), valid, args.epochs, args.seed, heads=False
    )
    baseline_seconds = time.perf_counter() - start
    b = scores(baseline, test)

    args.weights_dir.mkdir(parents=True, exist_ok=True)
    net.save(args.weights_dir / "hybrid_bc.npz")
    baseline.save(args.weights_dir / "hybrid_ch5.npz")
    settings = {
        "threshold": threshold,
        "c_puct": C_PUCT,
        "gate_simulations": GATE_SIMULATIONS,
        "puct_simulations": PUCT_SIMULATIONS,
    }
    (args.weights_dir / "hybrid.json").write_text(json.dumps(settings, indent=1) + "\n")
    result = {
        "command": (
            "OPENBLAS_NUM_THREADS=1 python scripts/hybrid_train.py "
            + " ".join(argv if argv is not None else sys.argv[1:])
        ).strip(),
        "settings": {
            **settings,
            "hidden": list(HIDDEN),
            "baseline_hidden": list(BASELINE_HIDDEN),
            "epochs": args.epochs,
            "validation_share": VALIDATION,
            "target_precision": TARGET_PRECISION,
            "seed": args.seed,
        },
        "sizes": {
            "train": len(train["x"]),
            "train_informative": int(train["informative"].sum()),
            "validation": len(valid["x"]),
            "test": len(test["x"]),
            "baseline_train": int(random_games.sum()),
        },
        "bc": {
            "curve": curve,
            "training_passes": passes,
            "seconds": round(bc_seconds, 1),
            "test_rate": float(t["correct"].mean()),
            "validation_rate": float(v["correct"][valid["informative"]].mean()),
        },
        "without_threat_planes_rate": plain_rate,
        "baseline": {
            "curve": baseline_curve,
            "training_passes": baseline_passes,
            "seconds": round(baseline_seconds, 1),
            "test_rate": float(b["correct"].mean()),
        },
        "seconds": round(time.perf_counter() - began, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("sizes", "seconds")}), flush=True)
    print(
        f"bc test {result['bc']['test_rate']:.3f}, baseline {result['baseline']['test_rate']:.3f}"
    )
    print(f"threshold {threshold}; saved {args.output} in {result['seconds']} s")


if __name__ == "__main__":
    main()
