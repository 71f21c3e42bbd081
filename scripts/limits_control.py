"""Planning a point mass in d dimensions: return against samples per step for random
shooting and the cross-entropy method, and a linear policy distilled from the planner.

Chapter 8 ("Where direct optimisation breaks") loads the result. Reproduce it from the
repository root with

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/limits_control.py

(a few minutes on 2 cores). For a quick check, ``--dims 1,4 --samples 10,100 --starts 2
--output /tmp/control.json``. Every episode has its own seeded generator, so a smaller
run reproduces the matching entries of the full one exactly.

Scores are normalised per dimension count: 0 is doing nothing (zero force), 1 is the
clipped linear-quadratic regulator (``daopt.planning.lqr_gain``), which is close to
optimal here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from daopt.envs import PointMass
from daopt.planning import cem, lqr_gain, model_predictive_control, run_episode

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results" / "limits_control.json"
SEED = 2024
SETTINGS = {"steps": 30, "horizon": 10, "iterations": 3, "dt": 0.1, "action_cost": 0.01}
PLANNERS = ("shooting", "cem")
TEACHER_SAMPLES = 100


def start_state(env: PointMass, index: int) -> np.ndarray:
    """Start number ``index`` for this dimension: at rest, position uniform in [-1, 1]^d."""
    return env.initial_states(1, np.random.default_rng([SEED, env.dim, 0, index]))[0]


def lqr_policy(env: PointMass) -> Any:
    a_matrix, b_matrix = env.linear_model()
    q = np.zeros((env.state_dim, env.state_dim))
    q[: env.dim, : env.dim] = np.eye(env.dim)
    gain = lqr_gain(a_matrix, b_matrix, q, env.action_cost * np.eye(env.dim))
    return lambda x: np.clip(-gain @ x, -env.max_force, env.max_force)


def episode_return(env: PointMass, policy: Any, start: np.ndarray) -> float:
    return run_episode(env.step, env.reward, policy, start, SETTINGS["steps"]).total


def planner_return(env: PointMass, planner: str, samples: int, index: int) -> tuple[float, float]:
    """(return, model evaluations per step) of one MPC episode from start ``index``."""
    rng = np.random.default_rng([SEED, env.dim, 1 + PLANNERS.index(planner), samples, index])
    result = model_predictive_control(
        env.step,
        env.reward,
        start_state(env, index),
        SETTINGS["steps"],
        planner=planner,
        horizon=SETTINGS["horizon"],
        samples=samples,
        iterations=SETTINGS["iterations"],
        rng=rng,
        action_low=env.action_low,
        action_high=env.action_high,
    )
    return result.total, float(result.evaluations.mean())


def distil(env: PointMass) -> dict[str, Any]:
    """Label 64 + 16 d random states with CEM and fit a linear policy by ridge regression."""
    rng = np.random.default_rng([SEED, env.dim, 99])
    n = 64 + 16 * env.dim
    states = np.concatenate(
        [rng.uniform(-1, 1, (n, env.dim)), rng.uniform(-0.5, 0.5, (n, env.dim))], axis=1
    )
    evaluations = 0
    labels = []
    for x in states:
        plan = cem(
            env.step,
            env.reward,
            x,
            horizon=SETTINGS["horizon"],
            samples=TEACHER_SAMPLES,
            elites=TEACHER_SAMPLES // 10,
            iterations=SETTINGS["iterations"],
            rng=rng,
            action_low=env.action_low,
            action_high=env.action_high,
        )
        labels.append(plan.action)
        evaluations += plan.evaluations
    y = np.array(labels)
    weights = np.linalg.solve(states.T @ states + 1e-3 * np.eye(env.state_dim), states.T @ y)
    return {
        "weights": weights,
        "labels": n,
        "label_evaluations": evaluations,
        "multiply_adds_per_step": int(weights.size),
    }


def run(dims: list[int], samples: list[int], starts: int) -> dict[str, Any]:
    records = []
    for d in dims:
        env = PointMass(d, dt=SETTINGS["dt"], action_cost=SETTINGS["action_cost"])
        begin = time.perf_counter()
        first = [start_state(env, i) for i in range(starts)]
        reference = [episode_return(env, lqr_policy(env), s) for s in first]
        idle = [episode_return(env, lambda x, d=d: np.zeros(d), s) for s in first]
        record: dict[str, Any] = {
            "dim": d,
            "lqr": reference,
            "zero": idle,
            "planners": [],
        }
        for planner in PLANNERS:
            for n in samples:
                runs = [planner_return(env, planner, n, i) for i in range(starts)]
                record["planners"].append(
                    {
                        "planner": planner,
                        "samples": n,
                        "returns": [r for r, _ in runs],
                        "evaluations_per_step": runs[0][1],
                    }
                )
        policy = distil(env)
        weights = policy.pop("weights")
        record["distilled"] = {
            **policy,
            "returns": [
                episode_return(env, lambda x, w=weights: np.clip(x @ w, -1.0, 1.0), s)
                for s in first
            ],
        }
        record["seconds"] = round(time.perf_counter() - begin, 2)
        records.append(record)
        print(f"d = {d}: {record['seconds']:.1f} s", flush=True)
    settings = {**SETTINGS, "starts": starts, "teacher_samples": TEACHER_SAMPLES}
    return {"settings": settings, "results": records}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", default="1,2,4,8,16,32")
    parser.add_argument("--samples", default="10,30,100,300,1000,3000")
    parser.add_argument("--starts", type=int, default=4)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    dims = [int(v) for v in args.dims.split(",")]
    samples = [int(v) for v in args.samples.split(",")]
    payload = run(dims, samples, args.starts)
    payload["command"] = "python scripts/limits_control.py"
    payload["python"] = platform.python_version()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"saved {args.output}")


if __name__ == "__main__":
    main()
