"""The gate's signal for chapter 9: a logistic regression on the cloned network's
outputs, fitted on the validation positions, and the gate's settings (tactical
check, budget and threshold) re-chosen with it.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/hybrid_gate.py

(after ``scripts/hybrid_train.py``, whose saved network it reads and whose
settings file ``hybrid.json`` it completes; run ``scripts/hybrid_eval.py``
after it). For a quick check, ``--positions`` of a small run with
``--weights-dir`` of its weights and ``--output /tmp/gate.json``.

Only the validation positions of ``hybrid_train.split`` are used. The signal,
``daopt.hybrid.GateSignal``, reads the features ``daopt.hybrid.GATE_FEATURES``
of the policy's move and predicts whether that move is optimal. Its ranking is
compared with the confidence head's and the softmax peak's by ``FOLDS``-fold
cross-validation on the validation positions, repeated ``REPEATS`` times: the
signal is fitted on four folds and scored on the fifth, the other two signals
(which fit nothing there) on the same fifth. The signal is shipped only if its
mean held-out AUC beats the head's; then it is refitted on all validation
positions and the gate's settings are chosen with it by
``hybrid_train.choose_gate``; otherwise they are chosen, by the same rule, with
the head (as ``hybrid_train.py`` chose them).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hybrid_train  # noqa: E402

from daopt import hybrid  # noqa: E402
from daopt.games import ConnectFour  # noqa: E402
from daopt.nn import MLP  # noqa: E402

DEFAULT_OUTPUT = hybrid_train.RESULTS / "hybrid_gate.json"
FOLDS, REPEATS, L2 = 5, 5, 1.0


def signals(net: MLP, d: dict[str, np.ndarray]) -> tuple[hybrid.NetOutput, np.ndarray, np.ndarray]:
    """The heads, the gate features (n, 6) and whether the policy's move is optimal."""
    out = hybrid.heads(net.forward(d["x"]), d["legal"].astype(bool))
    move = out.policy.argmax(axis=1)
    correct = d["optimal"][np.arange(len(move)), move] > 0
    return out, hybrid.gate_features(out), correct


def cross_validated(features: np.ndarray, correct: np.ndarray) -> dict[str, list[float]]:
    """Held-out AUC of the three signals on each fold of each repeat."""
    aucs: dict[str, list[float]] = {"signal": [], "head": [], "peak": []}
    for repeat in range(REPEATS):
        fold = np.random.default_rng([7, repeat]).permutation(len(correct)) % FOLDS
        for k in range(FOLDS):
            held = fold == k
            if correct[held].all() or not correct[held].any():
                continue
            if correct[~held].all() or not correct[~held].any():
                continue
            fitted = hybrid.fit_gate_signal(features[~held], correct[~held], L2)
            aucs["signal"].append(hybrid.auc(fitted.logit(features[held]), correct[held]))
            aucs["head"].append(hybrid.auc(features[held, 0], correct[held]))
            aucs["peak"].append(hybrid.auc(features[held, 1], correct[held]))
    return aucs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--positions", type=Path, default=hybrid_train.POSITIONS)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--weights-dir", type=Path, default=hybrid.WEIGHTS)
    args = parser.parse_args(argv)
    if not (args.weights_dir / "hybrid_bc.npz").exists():
        parser.error(f"no hybrid_bc.npz in {args.weights_dir}: run hybrid_train.py first")
    began = time.perf_counter()
    _, valid, _ = hybrid_train.split(hybrid_train.load(args.positions))
    net = MLP.load(args.weights_dir / "hybrid_bc.npz")
    out, features, correct = signals(net, valid)
    if correct.all() or not correct.any():
        parser.error("the validation positions need both right and wrong policy moves")
    folds = cross_validated(features, correct)
    if not folds["signal"]:
        parser.error("too few validation positions for cross-validation")
    mean = {k: float(np.mean(v)) for k, v in folds.items()}
    ship = mean["signal"] > mean["head"]
    signal = hybrid.fit_gate_signal(features, correct, L2)
    p_signal = signal(out)
    p_head = out.confidence[np.arange(len(correct)), out.policy.argmax(axis=1)]
    p_peak = out.policy.max(axis=1)

    settings_path = args.weights_dir / "hybrid.json"
    settings = json.loads(settings_path.read_text())
    settings.pop("gate_signal", None)
    states = [ConnectFour.from_moves(str(m), 5, 5) for m in valid["moves"]]
    table = hybrid_train.gate_table(net, valid, states)
    if ship:
        table["confidence"] = p_signal  # the gate reads the new signal
    gate, grid = hybrid_train.choose_gate(table)
    settings.update(
        tactics=gate["tactics"], threshold=gate["threshold"], gate_simulations=gate["budget"]
    )
    if ship:
        settings["gate_signal"] = signal.as_dict()
    settings_path.write_text(json.dumps(settings, indent=1) + "\n")
    result = {
        "command": (
            "OPENBLAS_NUM_THREADS=1 python scripts/hybrid_gate.py "
            + " ".join(argv if argv is not None else sys.argv[1:])
        ).strip(),
        "settings": {"folds": FOLDS, "repeats": REPEATS, "l2": L2},
        "validation_positions": len(correct),
        "validation_policy_rate": float(correct.mean()),
        "cross_validated_auc": {**mean, "folds": folds},
        "validation_auc": {
            "signal": hybrid.auc(p_signal, correct),
            "head": hybrid.auc(p_head, correct),
            "peak": hybrid.auc(p_peak, correct),
        },
        "validation_ece": {
            "signal": hybrid_train.ece(p_signal, correct),
            "head": hybrid_train.ece(p_head, correct),
            "peak": hybrid_train.ece(p_peak, correct),
        },
        "signal": signal.as_dict(),
        "shipped": bool(ship),
        # Where the tactical check fires on the validation positions, and how often
        # the check and the policy alone are right there.
        "tactical_check": {
            "fired": float(table["fired"].mean()),
            "tactic_right": float(table["tactic_ok"][table["fired"]].mean())
            if table["fired"].any()
            else None,
            "policy_right": float(table["policy_ok"][table["fired"]].mean())
            if table["fired"].any()
            else None,
        },
        "gate": {"chosen": gate, "grid": grid},
        "seconds": round(time.perf_counter() - began, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("cross_validated_auc", "shipped")}, default=str)[:400])
    print(f"gate {gate}; saved {args.output} in {result['seconds']} s")


if __name__ == "__main__":
    main()
