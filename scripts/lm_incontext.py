"""Next-token models on a language whose truth is known; chapter 10 loads the result.

Reproduce the saved result from the repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/lm_incontext.py

(about ten minutes on one core). For a quick check,
``--sizes 250 --hidden 16 --windows 1 --prior-sequences 250 --output /tmp/lm.json``.

The source is ``MarkovMixture.random(4, 8, default_rng(0))``: four authors, eight
tokens, order-1 chains with Dirichlet(0.3) rows; sequences of 64 tokens. Training
sequences come from ``default_rng(1)``, the 500 test sequences from
``default_rng(2)``. Every network sees the same number of optimiser steps
(``STEPS`` mini-batches of ``BATCH``), with the learning rate lowered twice.
Seconds are CPU seconds of this process (machine-dependent).

Saved: test cross-entropy and KL(Bayes || model) at each position for
count-statistic MLPs over a grid of training sizes and widths, for window MLPs
and for n-gram counts; the weights of the largest count MLP
(``lm_counts_mlp.npz``) and of a count MLP trained on sequences that each have
their own chain drawn from the prior (``lm_prior_mlp.npz``).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from daopt import lm  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_OUTPUT = RESULTS / "lm_incontext.json"
K, VOCAB, LENGTH, CONCENTRATION = 4, 8, 64, 0.3
SOURCE_SEED, TRAIN_SEED, TEST_SEED, TEST_SIZE = 0, 1, 2, 500
STEPS, BATCH = 4000, 256
# fractions of the steps at each learning rate
SCHEDULE = ((0.5, 3e-3), (0.25, 1e-3), (0.25, 3e-4))
COUNT_SCALE = 0.1
FULL_SIZE = 4000


def source() -> lm.MarkovMixture:
    return lm.MarkovMixture.random(K, VOCAB, np.random.default_rng(SOURCE_SEED), CONCENTRATION)


def train_network(
    features: lm.WindowFeatures | lm.CountFeatures,
    hidden: tuple[int, ...],
    tokens: np.ndarray,
    seed: int,
) -> tuple[lm.NextTokenMLP, float]:
    """A NextTokenMLP trained for about STEPS steps on ``tokens``; and its CPU seconds."""
    model = lm.NextTokenMLP(features, hidden, np.random.default_rng(seed))
    rng = np.random.default_rng(seed + 1)
    batches = math.ceil(tokens.size / BATCH)
    start = time.process_time()
    for fraction, learning_rate in SCHEDULE:
        epochs = max(1, round(fraction * STEPS / batches))
        model.fit(tokens, rng, n_epochs=epochs, batch_size=BATCH, learning_rate=learning_rate)
    return model, time.process_time() - start


def record(name: str, probs: np.ndarray, test: np.ndarray, bayes: np.ndarray, **extra) -> dict:
    kl = lm.kl_per_position(bayes, probs)
    return {
        "model": name,
        "test_cross_entropy": lm.cross_entropy(probs, test),
        "kl": [float(v) for v in kl],
        "kl_max_from_32": float(kl[32:].max()),
        "kl_mean_from_32": float(kl[32:].mean()),
        **extra,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="250,500,1000,2000,4000")
    parser.add_argument("--hidden", default="16,64,256")
    parser.add_argument("--windows", default="1,4,16")
    parser.add_argument("--prior-sequences", type=int, default=4000)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    widths = [int(h) for h in args.hidden.split(",")]
    windows = [int(w) for w in args.windows.split(",")]
    if min(sizes + widths + windows) < 1 or args.prior_sequences < 1:
        parser.error("sizes, widths, windows and --prior-sequences must be positive")

    src = source()
    largest = max(sizes)
    # Always draw at least the full default set, so that a reduced run trains on the
    # same sequences as the full one (sampling is vectorised across sequences).
    train_all = src.sample(max(largest, FULL_SIZE), np.random.default_rng(TRAIN_SEED), LENGTH)
    test = src.sample(TEST_SIZE, np.random.default_rng(TEST_SEED), LENGTH)
    bayes = src.predictive(test)
    out: dict = {
        "command": "OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/lm_incontext.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "source": {"k": K, "vocab": VOCAB, "length": LENGTH, "concentration": CONCENTRATION},
        "entropy_rate": src.entropy_rate(),
        "bayes_cross_entropy": lm.cross_entropy(bayes, test),
        "bayes_loss_by_position": [float(v) for v in lm.token_losses(bayes, test).mean(axis=0)],
        "training": {"steps": STEPS, "batch": BATCH, "schedule": SCHEDULE, "scale": COUNT_SCALE},
        "counts": [],
        "windows": [],
        "ngrams": [],
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    start = time.perf_counter()
    for context in (0, 1, 2):
        model = lm.NgramModel(VOCAB, context).fit(train_all[:largest])
        out["ngrams"].append(record(f"{context + 1}-gram", model.predict(test), test, bayes))

    grid = [(n, h) for n in sizes for h in widths]
    best = None
    for i, (n, h) in enumerate(grid):
        print(f"count MLP {i + 1}/{len(grid)}: {n} sequences, {h} units", flush=True)
        model, seconds = train_network(lm.CountFeatures(VOCAB, COUNT_SCALE), (h,), train_all[:n], 3)
        train_probs = model.predict(train_all[: min(n, TEST_SIZE)])
        out["counts"].append(
            record(
                f"counts MLP {h}",
                model.predict(test),
                test,
                bayes,
                sequences=n,
                hidden=h,
                params=model.net.n_params,
                train_examples=model.train_examples,
                cpu_seconds=seconds,
                train_cross_entropy=lm.cross_entropy(train_probs, train_all[: min(n, TEST_SIZE)]),
            )
        )
        if n == largest and h == max(widths):
            best = model
    assert best is not None
    args.output.parent.mkdir(parents=True, exist_ok=True)
    best.net.save(args.output.with_name("lm_counts_mlp.npz"))

    for w in windows:
        print(f"window MLP: window {w}", flush=True)
        model, seconds = train_network(
            lm.WindowFeatures(VOCAB, w), (max(widths),), train_all[:largest], 3
        )
        out["windows"].append(
            record(
                f"window {w} MLP",
                model.predict(test),
                test,
                bayes,
                window=w,
                hidden=max(widths),
                sequences=largest,
                cpu_seconds=seconds,
            )
        )

    # A new chain for every sequence: the network can only learn to learn in context.
    prior_rng = np.random.default_rng(TRAIN_SEED + 100)
    prior = lm.MarkovMixture.random(args.prior_sequences, VOCAB, prior_rng, CONCENTRATION)
    prior_tokens, _ = prior.sample_with_authors(args.prior_sequences, prior_rng, LENGTH)
    model, seconds = train_network(
        lm.CountFeatures(VOCAB, COUNT_SCALE), (max(widths),), prior_tokens, 3
    )
    model.net.save(args.output.with_name("lm_prior_mlp.npz"))
    out["prior_model"] = {"sequences": args.prior_sequences, "cpu_seconds": seconds}
    out["seconds"] = time.perf_counter() - start
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.output} in {out['seconds']:.0f} s")


if __name__ == "__main__":
    main()
