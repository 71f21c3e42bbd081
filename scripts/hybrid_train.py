"""Behaviour cloning on 5x5 Connect Four for chapter 9: the shipped policy/value/
confidence network, the gate's threshold, and a chapter-5-style cloned policy.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/hybrid_train.py

(needs ``scripts/hybrid_positions.py`` first; the measured seconds, for the two
networks and the gate's search on the validation positions, are in the result).
For a quick check, ``--epochs 2 --output /tmp/train.json --weights-dir /tmp/weights``.

The training positions of ``results/hybrid_positions.npz`` are split by game, as
the test set was: the first training games, in order, give the validation set
(one position per symmetry class, informative only, ``VALIDATION_POSITIONS`` of
them), and the later games the training positions, less any in a validation
position's class. The validation set picks the epoch to keep (early stopping,
with a cosine learning-rate schedule), calibrates the confidence head and
chooses the gate; the test set is only scored, once, at the end. Every position is used with its
mirror image. Targets: the policy is uniform over the solver's optimal moves, the
value is the game value, and the confidence head predicts, move by move, whether
the move is optimal. The confidence of the policy's move is then Platt-scaled on
the validation set (folded into the last layer's weights). The gate's settings,
whether the tactical check runs first, the search budget and the threshold, are
those with the best validation rate among the ones that keep the mean cost
within ``MAX_PASSES`` network passes a move and plan on less than
``MAX_PLANNED`` of the moves (``choose_gate``). Run ``scripts/hybrid_gate.py``
next: it fits the gate's signal on the same validation positions and, if that
signal ranks better than the head, re-chooses the gate with it in ``hybrid.json``.

The chapter-5-style baseline is a policy alone (one hidden layer of 64), cloned
from the positions of the random games only, as chapter 5 cloned tic-tac-toe.
``scripts/hybrid_ablate.py`` measures what the shipped recipe's inputs and labels
are worth.
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
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from daopt import hybrid  # noqa: E402
from daopt.cost import training_passes  # noqa: E402
from daopt.games import ConnectFour  # noqa: E402
from daopt.mcts import MCTS  # noqa: E402
from daopt.nn import MLP, Adam  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
POSITIONS = RESULTS / "hybrid_positions.npz"
DEFAULT_OUTPUT = RESULTS / "hybrid_train.json"
HIDDEN, BASELINE_HIDDEN = (512, 256), (64,)
# Validation is built from the first training games, as the test set is from the first
# games: an earlier version took the last games and dropped every class the training
# positions held, which left almost no early positions (0.1 % under 6 plies, against
# 18 % of the test set) and chose a gate that did 3 points worse on test than there.
VALIDATION_POSITIONS = 3000
VALIDATION_MAX_SHARE = 0.15  # of the training games, for small runs
LEARNING_RATE, BATCH = 3e-3, 256  # cosine-annealed to 0 over the epochs
# Decoupled weight decay (AdamW): without it the network overfits its labels. On the
# first 4,000 training games, 0.3 at 25 epochs had the best validation rate of the
# settings tried (0.1 at 15, 25 and 40 epochs, 0.3 at 25); the default epochs keep
# that run's number of gradient steps on twice the games.
WEIGHT_DECAY = 0.3
EPOCHS = 13
C_PUCT, PUCT_SIMULATIONS = 1.5, 64
# The gate: the tactical check (on or off), its search budget and threshold are chosen
# on the validation positions, the best rate among the settings that keep the mean
# cost within MAX_PASSES network passes a move and plan (tactic or search) on less
# than MAX_PLANNED of the moves.
GATE_BUDGETS = (4, 8, 16, 32, 64)
MAX_PASSES, MAX_PLANNED = 10.0, 0.5


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
        "moves": data["moves"],
    }


def subset(data: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[rows] for k, v in data.items()}


def split(
    data: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Training, validation and test positions. The validation set is built from the
    first training games as the test set is from the first games: one position per
    symmetry class, informative only, until ``VALIDATION_POSITIONS`` positions (or
    the games run past ``VALIDATION_MAX_SHARE`` of the training games); the training
    positions are those of the later games, less any in a validation class."""
    in_train = np.flatnonzero(data["split"] == 1)
    train_games = np.unique(data["game"][in_train])
    last_allowed = train_games[max(0, int(len(train_games) * VALIDATION_MAX_SHARE) - 1)]
    seen: set[int] = set()
    chosen: list[int] = []
    for row in in_train:
        if data["game"][row] > last_allowed or len(chosen) == VALIDATION_POSITIONS:
            break
        key = int(data["key"][row])
        if key not in seen and data["informative"][row]:
            seen.add(key)
            chosen.append(row)
    valid = subset(data, np.array(chosen, dtype=int))
    last_game = valid["game"].max() if chosen else train_games[0] - 1
    later = (data["split"] == 1) & (data["game"] > last_game)
    train = subset(data, later & ~np.isin(data["key"], valid["key"]))
    return train, valid, subset(data, data["split"] == 0)


def last_games_validation(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The validation set an earlier version built, for comparison only: from the last
    share of the training games, one informative position per class, less every class
    the other training positions hold (which removes most early positions)."""
    games = np.unique(data["game"][data["split"] == 1])
    cut = games[int(len(games) * (1 - VALIDATION_MAX_SHARE))]
    rest = data["key"][(data["split"] == 1) & (data["game"] < cut)]
    rows = np.flatnonzero((data["split"] == 1) & (data["game"] >= cut) & data["informative"])
    _, first = np.unique(data["key"][rows], return_index=True)
    rows = rows[np.sort(first)]
    return subset(data, rows[~np.isin(data["key"][rows], rest)])


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


def train_net(
    hidden: tuple[int, ...],
    train: dict[str, np.ndarray],
    valid: dict[str, np.ndarray],
    epochs: int,
    seed: int,
    *,
    heads: bool,
    label: str = "training",
) -> tuple[MLP, list[dict[str, float]], int]:
    """Train with a cosine learning-rate schedule, keeping the parameters of the epoch
    with the best validation rate (early stopping)."""
    net = hybrid.new_network(np.random.default_rng(seed), hidden)
    x, policy, value, legal, optimal = augmented(train)
    optimiser = Adam(net.params, learning_rate=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    rng = np.random.default_rng([seed, 1])
    curve, best, best_params = [], -1.0, None
    informative = valid["informative"]
    bar = tqdm(range(1, epochs + 1), desc=label, unit="epoch")
    for epoch in bar:
        optimiser.learning_rate = LEARNING_RATE * 0.5 * (1 + np.cos(np.pi * (epoch - 1) / epochs))
        hybrid.fit(
            net,
            x,
            policy,
            value,
            legal,
            optimal=optimal if heads else None,
            rng=rng,
            n_epochs=1,
            batch_size=BATCH,
            value_weight=1.0 if heads else 0.0,
            optimiser=optimiser,
        )
        rate = float(scores(net, valid)["correct"][informative].mean())
        curve.append({"epoch": epoch, "validation_rate": rate})
        bar.set_postfix(validation=f"{rate:.3f}")
        if rate > best:
            best, best_params = rate, [p.copy() for p in net.params]
    assert best_params is not None
    net.params[:] = best_params
    return net, curve, training_passes(x.shape[0] * epochs)


def confidence_logits(net: MLP, d: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The confidence logit of the policy's move and whether that move is optimal."""
    out = net.forward(d["x"])
    s = scores(net, d)
    rows = np.arange(len(s["move"]))
    return out[rows, hybrid.COLS + 1 + s["move"]], s["correct"]


def platt(z: np.ndarray, correct: np.ndarray) -> tuple[float, float]:
    """Platt scaling: (a, b) minimising the log loss of sigmoid(a z + b) against
    ``correct``, a one-feature ``hybrid.fit_logistic`` without penalty."""
    if correct.all() or not correct.any():  # nothing to separate: leave the logits alone
        return 1.0, 0.0
    weights, bias = hybrid.fit_logistic(z[:, None], correct.astype(bool), l2=0.0)
    return float(weights[0]), bias


def calibrate(net: MLP, a: float, b: float) -> None:
    """Rescale the confidence outputs in place: logit z becomes a z + b."""
    w, bias = net.params[-2], net.params[-1]
    w[:, hybrid.COLS + 1 :] *= a
    bias[hybrid.COLS + 1 :] = a * bias[hybrid.COLS + 1 :] + b


def ece(confidence: np.ndarray, correct: np.ndarray) -> float:
    """Expected calibration error over ten equal bins."""
    mean, accuracy, counts = hybrid.reliability(confidence, correct, 10)
    return float(np.nansum(counts * np.abs(accuracy - mean)) / len(confidence))


def gate_table(net: MLP, d: dict[str, np.ndarray], states: list[ConnectFour]) -> dict[str, Any]:
    """Per position of ``d``: the tactical check, the policy and PUCT at each gate budget."""
    s = scores(net, d)
    rows = np.arange(len(states))
    tactic = np.array([hybrid.tactical_move(st)[0] for st in states], dtype=object)
    fired = np.array([t is not None for t in tactic])
    tactic_ok = np.array(
        [t is not None and d["optimal"][i, t] > 0 for i, t in enumerate(tactic)], dtype=bool
    )
    pv = hybrid.PolicyValueNet(net)
    mcts = MCTS(1, np.random.default_rng(11), c_uct=C_PUCT, prior=pv.prior, evaluator=pv.value)
    puct_ok = np.zeros((len(states), len(GATE_BUDGETS)), dtype=bool)
    passes = np.zeros_like(puct_ok, dtype=float)
    for i, st in enumerate(tqdm(states, desc="gate: PUCT on validation", unit="pos")):
        for j, result in enumerate(mcts.anytime(st, GATE_BUDGETS)):
            puct_ok[i, j] = d["optimal"][i, result.best_action] > 0
            passes[i, j] = result.prior_calls
    return {
        "fired": fired,
        "tactic_ok": tactic_ok,
        "policy_ok": s["correct"][rows],
        "confidence": s["confidence"][rows],
        "puct_ok": puct_ok,
        "puct_passes": passes,
    }


def choose_gate(table: dict[str, Any]) -> tuple[dict[str, float], list[dict[str, float]]]:
    """The (tactics, budget, threshold) with the best rate under the cost and planning
    limits; ``tactics`` says whether the tactical check runs first."""
    conf = table["confidence"]
    grid = []
    for tactics in (True, False):
        fired = table["fired"] if tactics else np.zeros_like(table["fired"])
        candidates = np.unique(np.concatenate([[0.0], conf[~fired], [1.0 + 1e-9]]))
        for j, budget in enumerate(GATE_BUDGETS):
            for t in candidates:
                search_ = ~fired & (conf < t)
                ok = np.where(
                    fired,
                    table["tactic_ok"],
                    np.where(search_, table["puct_ok"][:, j], table["policy_ok"]),
                )
                passes = np.where(fired, 0.0, np.where(search_, table["puct_passes"][:, j], 1.0))
                grid.append(
                    {
                        "tactics": tactics,
                        "budget": int(budget),
                        "threshold": float(min(t, 1.0)),
                        "rate": float(ok.mean()),
                        "passes": float(passes.mean()),
                        "planned": float((fired | search_).mean()),
                        "searched": float(search_.mean()),
                    }
                )
    allowed = [g for g in grid if g["passes"] <= MAX_PASSES and g["planned"] < MAX_PLANNED]
    if not allowed:  # tactics alone plan on too many moves: plan as little as possible
        allowed = [min(grid, key=lambda g: (g["planned"], g["passes"]))]
    # Best rate; among ties the cheapest.
    best = max(allowed, key=lambda g: (g["rate"], -g["passes"]))
    return best, grid


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--positions", type=Path, default=POSITIONS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--weights-dir", type=Path, default=hybrid.WEIGHTS)
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be positive")
    began = time.perf_counter()
    data = load(args.positions)
    train, valid, test = split(data)
    last_games = last_games_validation(data)
    if len(valid["x"]) < 2:
        parser.error("too few validation positions: use more training games")

    start = time.perf_counter()
    net, curve, passes = train_net(
        HIDDEN, train, valid, args.epochs, args.seed, heads=True, label="cloning"
    )
    bc_seconds = time.perf_counter() - start
    # Calibrate the confidence head on the validation positions (Platt scaling of
    # the policy's move's logit), folded into the last layer's weights.
    z, v_correct = confidence_logits(net, valid)
    raw_ece = ece(scores(net, valid)["confidence"], v_correct)
    raw_test_ece = ece(scores(net, test)["confidence"], scores(net, test)["correct"])
    a, b_shift = platt(z, v_correct)
    calibrate(net, a, b_shift)
    v = scores(net, valid)
    valid_states = [ConnectFour.from_moves(str(m), 5, 5) for m in valid["moves"]]
    table = gate_table(net, valid, valid_states)
    gate, grid = choose_gate(table)
    t = scores(net, test)

    random_games = train["game"] % 2 == 0
    start = time.perf_counter()
    baseline, baseline_curve, baseline_passes = train_net(
        BASELINE_HIDDEN,
        subset(train, random_games),
        valid,
        args.epochs,
        args.seed,
        heads=False,
        label="chapter-5-style policy",
    )
    baseline_seconds = time.perf_counter() - start
    b = scores(baseline, test)

    args.weights_dir.mkdir(parents=True, exist_ok=True)
    net.save(args.weights_dir / "hybrid_bc.npz")
    baseline.save(args.weights_dir / "hybrid_ch5.npz")
    settings = {
        "tactics": gate["tactics"],
        "threshold": gate["threshold"],
        "c_puct": C_PUCT,
        "gate_simulations": gate["budget"],
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
            "validation_positions": VALIDATION_POSITIONS,
            "validation_max_share": VALIDATION_MAX_SHARE,
            "learning_rate": LEARNING_RATE,
            "weight_decay": WEIGHT_DECAY,
            "batch_size": BATCH,
            "gate_budgets": list(GATE_BUDGETS),
            "max_passes": MAX_PASSES,
            "max_planned": MAX_PLANNED,
            "seed": args.seed,
        },
        "sizes": {
            "train": len(train["x"]),
            "train_informative": int(train["informative"].sum()),
            "validation": len(valid["x"]),
            "test": len(test["x"]),
            "baseline_train": int(random_games.sum()),
            # How far into a game the positions are: validation should look like test.
            "median_plies": {
                name: float(np.median([len(str(m)) for m in d["moves"]]))
                for name, d in (
                    ("train", train),
                    ("validation", valid),
                    ("test", test),
                    ("validation_from_last_games", last_games),
                )
            },
        },
        "bc": {
            "curve": curve,
            "training_passes": passes,
            "seconds": round(bc_seconds, 1),
            "test_rate": float(t["correct"].mean()),
            "validation_rate": float(v["correct"][valid["informative"]].mean()),
        },
        "calibration": {
            "platt_a": a,
            "platt_b": b_shift,
            "validation_ece_raw": raw_ece,
            "validation_ece": ece(v["confidence"], v["correct"]),
            "test_ece_raw": raw_test_ece,
        },
        "gate": {"chosen": gate, "grid": grid},
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
    print(f"gate {gate}; saved {args.output} in {result['seconds']} s")


if __name__ == "__main__":
    main()
