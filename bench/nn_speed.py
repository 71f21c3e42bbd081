"""daopt.nn against scikit-learn's MLPClassifier: time to the same training accuracy.

The task is the book's behaviour cloning: every tic-tac-toe position with a move to
make (4,520), encoded by ``daopt.features.encode`` (27 features), labelled with the
lowest-numbered optimal move of a brute-force solver written here. Both learners get
the same data and the same recipe: one hidden layer of 64 ReLU units, softmax
cross-entropy over the 9 cells (no mask, no weight decay, so both minimise the same
loss), Adam with the same learning rate and betas, mini-batches of 64, reshuffled
every epoch. Only the initial weights differ (each library's own scheme).

Each run trains epoch by epoch and stops the clock once the training accuracy
reaches the target; measuring the accuracy is not timed. Median over repeats.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/nn_speed.py [--repeats 3] [--target 0.95]

Needs scikit-learn (bench/requirements.txt).
"""

from __future__ import annotations

import os

# One BLAS thread for both libraries, set before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from daopt import features, search  # noqa: E402
from daopt.games import TicTacToe  # noqa: E402
from daopt.nn import MLP, Adam, softmax_cross_entropy, train  # noqa: E402

HIDDEN = (64,)
ACTIVATION = "relu"
LEARNING_RATE = 3e-3
BATCH_SIZE = 64
MAX_EPOCHS = 300


def dataset() -> tuple[np.ndarray, np.ndarray]:
    """Features (4520, 27) and optimal-move labels (4520,) for every open position."""
    seen, stack = set(), [TicTacToe()]
    while stack:
        state = stack.pop()
        if state not in seen:
            seen.add(state)
            if not state.is_terminal():
                stack.extend(state.play(a) for a in state.legal_actions())
    states = sorted((s for s in seen if not s.is_terminal()), key=lambda s: s.cells())
    # The label is the lowest-numbered move the exact solver rates optimal.
    labels = [search.optimal_actions(s)[0] for s in states]
    return features.encode_batch(states), np.array(labels)


def time_daopt(x: np.ndarray, y: np.ndarray, target: float, seed: int) -> tuple[float, int]:
    rng = np.random.default_rng(seed)
    net = MLP([x.shape[1], *HIDDEN, 9], rng, activation=ACTIVATION)
    optimiser = Adam(net.params, learning_rate=LEARNING_RATE)

    def loss(logits: np.ndarray, rows: np.ndarray) -> tuple[float, np.ndarray]:
        return softmax_cross_entropy(logits, y[rows])

    seconds = 0.0
    for epoch in range(1, MAX_EPOCHS + 1):
        start = time.perf_counter()
        train(net, x, loss, optimiser=optimiser, n_epochs=1, batch_size=BATCH_SIZE, rng=rng)
        seconds += time.perf_counter() - start
        if np.mean(np.argmax(net.forward(x), axis=1) == y) >= target:
            return seconds, epoch
    raise RuntimeError(f"daopt.nn did not reach {target} in {MAX_EPOCHS} epochs")


def time_sklearn(x: np.ndarray, y: np.ndarray, target: float, seed: int) -> tuple[float, int]:
    model = MLPClassifier(
        hidden_layer_sizes=HIDDEN,
        activation=ACTIVATION,
        solver="adam",
        alpha=0.0,
        batch_size=BATCH_SIZE,
        learning_rate_init=LEARNING_RATE,
        shuffle=True,
        random_state=seed,
    )
    classes = np.arange(9)
    seconds = 0.0
    for epoch in range(1, MAX_EPOCHS + 1):
        start = time.perf_counter()
        model.partial_fit(x, y, classes=classes)  # one epoch of mini-batches
        seconds += time.perf_counter() - start
        if model.score(x, y) >= target:
            return seconds, epoch
    raise RuntimeError(f"MLPClassifier did not reach {target} in {MAX_EPOCHS} epochs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--target", type=float, default=0.95, help="training accuracy to reach")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    x, y = dataset()
    print(
        f"task: behaviour cloning of tic-tac-toe, {x.shape[0]} positions x {x.shape[1]} "
        f"features, 9 classes; hidden {HIDDEN} {ACTIVATION}, Adam lr {LEARNING_RATE}, "
        f"batch {BATCH_SIZE}; target training accuracy {args.target}"
    )
    print(f"numpy {np.__version__}, scikit-learn {sklearn.__version__}")
    results: dict[str, list[tuple[float, int]]] = {"daopt.nn": [], "sklearn": []}
    for seed in range(args.repeats):
        # Alternate the order so that neither library always runs on a warmer machine.
        runners = [("daopt.nn", time_daopt), ("sklearn", time_sklearn)]
        for name, runner in runners if seed % 2 == 0 else runners[::-1]:
            seconds, epochs = runner(x, y, args.target, seed)
            results[name].append((seconds, epochs))
            print(f"  seed {seed}  {name:9s} {seconds:7.3f} s  {epochs:4d} epochs")
    medians = {}
    for name, runs in results.items():
        seconds = statistics.median(s for s, _ in runs)
        epochs = statistics.median(e for _, e in runs)
        per_epoch = statistics.median(s / e for s, e in runs)
        medians[name] = seconds
        print(
            f"{name:9s} median {seconds:7.3f} s to {args.target:.0%}  "
            f"({epochs:g} epochs, {1e3 * per_epoch:.1f} ms per epoch)"
        )
    ratio = medians["sklearn"] / medians["daopt.nn"]
    verdict = "faster" if ratio >= 1 else "slower"
    print(f"ratio sklearn / daopt.nn time: {ratio:.2f} (daopt.nn is {verdict}; goal >= 1)")


if __name__ == "__main__":
    main()
