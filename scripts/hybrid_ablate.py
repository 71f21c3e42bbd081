"""What the cloned network of chapter 9 owes to its inputs and to its labels: the
shipped recipe of ``scripts/hybrid_train.py`` rerun on the stone planes alone, and
on the first quarter and half of the training games (the label curve).

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/hybrid_ablate.py

(needs ``scripts/hybrid_positions.py`` and ``scripts/hybrid_train.py`` first; the
measured seconds are in the result). For a quick check, ``--epochs 2 --output
/tmp/ablate.json``.

Every run keeps the shipped network's widths, seed, schedule, weight decay and
validation set, and is scored once on the test set. A run on a share of the games
takes as many gradient steps as the full run (more epochs over fewer positions), so
the curve compares label counts at equal training compute, and early stopping on
validation keeps a small set from being overtrained. The full set's point is the
shipped network itself, read from ``results/hybrid_train.json``. The three runs
are independent and equally long: ``--workers 3`` (the default) trains all three at
once, and on two cores they share the cores evenly, where two workers would leave
the third run to the end and take half as long again.
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
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hybrid_train  # noqa: E402

DEFAULT_OUTPUT = hybrid_train.RESULTS / "hybrid_ablate.json"
LABEL_SHARES = (0.25, 0.5)  # of the training games
STONE_INPUTS = 3 * 25  # the first three planes: own stones, the opponent's, empty


def stones_only(d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The positions with every derived input (threat planes, line flags) zeroed."""
    x = d["x"].copy()
    x[:, STONE_INPUTS:] = 0.0
    return {**d, "x": x}


_DATA: dict[str, Any] = {}


def _load(positions: Path) -> None:
    """Load and split the positions once per process."""
    _DATA["train"], _DATA["valid"], _DATA["test"] = hybrid_train.split(hybrid_train.load(positions))


def _run(task: tuple[str, float], hidden: tuple[int, ...], epochs: int, seed: int) -> dict:
    """One ablation: ("stones", 1.0) for the stone planes alone, or ("share", s) for
    the first share s of the training games at the full run's number of steps."""
    kind, share = task
    train, valid, test = _DATA["train"], _DATA["valid"], _DATA["test"]
    full = len(train["x"])
    if kind == "stones":
        train, valid, test = stones_only(train), stones_only(valid), stones_only(test)
        part_epochs = epochs
    else:
        games = np.unique(train["game"])
        cut = games[min(len(games) - 1, max(1, int(len(games) * share)))]
        train = hybrid_train.subset(train, train["game"] < cut)
        part_epochs = max(1, round(epochs * full / len(train["x"])))
    net, _, _ = hybrid_train.train_net(
        hidden, train, valid, part_epochs, seed, heads=True, label=f"{kind} {share:g}"
    )
    return {
        "share": share,
        "positions": len(train["x"]),
        "epochs": part_epochs,
        "test_rate": float(hybrid_train.scores(net, test)["correct"].mean()),
        "of_positions": full,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=None, help="default: the shipped run's")
    parser.add_argument("--positions", type=Path, default=hybrid_train.POSITIONS)
    parser.add_argument("--trained", type=Path, default=hybrid_train.DEFAULT_OUTPUT)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--workers", type=int, default=3, help="processes training at once")
    args = parser.parse_args(argv)
    if not args.trained.is_file():
        parser.error(f"--trained must be a result of hybrid_train.py, got {args.trained}")
    if args.workers < 1:
        parser.error(f"--workers must be positive, got {args.workers}")
    shipped = json.loads(args.trained.read_text())
    epochs = shipped["settings"]["epochs"] if args.epochs is None else args.epochs
    if epochs < 1:
        parser.error(f"--epochs must be positive, got {epochs}")
    seed = shipped["settings"]["seed"]
    hidden = tuple(shipped["settings"]["hidden"])
    began = time.perf_counter()
    tasks = [("stones", 1.0), *(("share", share) for share in LABEL_SHARES)]
    n = len(tasks)
    if args.workers == 1:
        _load(args.positions)
        runs = [_run(t, hidden, epochs, seed) for t in tasks]
    else:
        with ProcessPoolExecutor(
            min(args.workers, n), initializer=_load, initargs=(args.positions,)
        ) as pool:
            runs = list(pool.map(_run, tasks, [hidden] * n, [epochs] * n, [seed] * n))
    if {r.pop("of_positions") for r in runs} != {shipped["sizes"]["train"]}:
        parser.error(f"{args.trained} was trained on other positions than {args.positions}")
    stones, label_curve = runs[0], runs[1:]
    label_curve.append(
        {
            "share": 1.0,
            "positions": shipped["sizes"]["train"],
            "epochs": shipped["settings"]["epochs"],
            "test_rate": shipped["bc"]["test_rate"],
        }
    )
    result = {
        "command": (
            "OPENBLAS_NUM_THREADS=1 python scripts/hybrid_ablate.py "
            + " ".join(argv if argv is not None else sys.argv[1:])
        ).strip(),
        "epochs": epochs,
        "stone_inputs": STONE_INPUTS,
        "stones_only_rate": stones["test_rate"],
        "label_curve": label_curve,
        "seconds": round(time.perf_counter() - began, 1),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(f"stones only {stones['test_rate']:.3f}; label curve {label_curve}; saved {args.output}")


if __name__ == "__main__":
    main()
