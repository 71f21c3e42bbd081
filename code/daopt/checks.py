"""Exercise checkers: run the reader's function and the reference on the same
seeded inputs and say exactly what differs.

Each checker returns a ``CheckResult``; it is truthy when the reader's
function is right, and its message names the first input on which it is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from daopt.cost import CostProfile, break_even
from daopt.direct import gradient_descent, grid_search
from daopt.games import PLAYER_MARKS, ConnectFour, TicTacToe
from daopt.mcts import ucb_score
from daopt.planning import cem_update
from daopt.problems import DoubleWell, ShiftedQuadratic
from daopt.search import solve
from daopt.td import q_update


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker: ``passed`` and a message saying why."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return self.message


def _short(value: Any) -> str:
    return np.array2string(np.asarray(value), precision=4, threshold=8, max_line_width=200)


def _compare(
    exercise: str,
    candidate: Callable[..., Any],
    reference: Callable[..., np.ndarray],
    cases: Iterable[dict[str, Any]],
    *,
    describe: Callable[[dict[str, Any]], str],
    atol: float = 1e-8,
) -> CheckResult:
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    cases = list(cases)
    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)} ({describe(case)})"
        expected = reference(**case)
        try:
            got = candidate(
                **{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.items()}
            )
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where} raised {type(error).__name__}: {error}"
            )
        try:
            got_arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return CheckResult(
                False, f"✗ {exercise}: {where} returned {got!r}, expected an array of numbers"
            )
        if got_arr.shape != expected.shape:
            return CheckResult(
                False,
                f"✗ {exercise}: {where} returned shape {got_arr.shape}, "
                f"expected shape {expected.shape}",
            )
        wrong = ~np.isclose(got_arr, expected, atol=atol, rtol=1e-6)
        if np.any(wrong):
            i = int(np.argmax(wrong))
            return CheckResult(
                False,
                f"✗ {exercise}: {where}: {int(wrong.sum())} of {wrong.size} entries differ; "
                f"first at index {i}: expected {expected[i]:.6g}, got {got_arr[i]:.6g}",
            )
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} cases match the reference")


def check_grid_search(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(f, x, grid) -> y`` (n,): per context, the grid point with the lowest f.

    ``f(y, x)`` takes and returns arrays of shape (m,); ties go to the earlier grid point.
    """
    rng = np.random.default_rng(2024)
    problems = [ShiftedQuadratic(), DoubleWell(), ShiftedQuadratic(curvature=3.0)]
    cases = []
    for problem in problems:
        for n, g in [(1, 5), (7, 41), (30, 200)]:
            cases.append(
                {"f": problem.f, "x": rng.uniform(-2, 2, n), "grid": np.linspace(-3, 3, g)}
            )
    # Ties: on a grid symmetric about 0 the double well has two best points.
    cases.append({"f": DoubleWell().f, "x": np.zeros(3), "grid": np.array([-1.0, 0.0, 1.0])})

    def reference(f: Callable[..., np.ndarray], x: np.ndarray, grid: np.ndarray) -> np.ndarray:
        # Each f is a bound method of a daopt problem, which the reference solves.
        return grid_search(f.__self__, x, grid).y

    return _compare(
        "grid search",
        candidate,
        reference,
        cases,
        describe=lambda c: (
            f"f={c['f'].__self__!r}, x={_short(c['x'])}, grid of {c['grid'].size} points"
        ),
    )


def check_gradient_descent(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(grad, x, y0, step, n_steps) -> y`` (n,): plain gradient descent on y.

    ``grad(y, x)`` returns df/dy with the shape of ``y``.
    """
    rng = np.random.default_rng(7)
    cases = []
    for problem in (ShiftedQuadratic(), DoubleWell(), ShiftedQuadratic(curvature=0.5)):
        for n, n_steps, step in [(1, 0, 0.1), (5, 1, 0.1), (20, 30, 0.05), (50, 200, 0.02)]:
            cases.append(
                {
                    "grad": problem.grad,
                    "x": rng.uniform(-2, 2, n),
                    "y0": rng.normal(0, 1, n),
                    "step": step,
                    "n_steps": n_steps,
                }
            )

    def reference(
        grad: Callable[..., np.ndarray], x: np.ndarray, y0: np.ndarray, step: float, n_steps: int
    ) -> np.ndarray:
        return gradient_descent(grad.__self__, x, y0, step=step, n_steps=n_steps).y

    return _compare(
        "gradient descent",
        candidate,
        reference,
        cases,
        describe=lambda c: (
            f"{c['grad'].__self__!r}, n={c['x'].size}, step={c['step']}, n_steps={c['n_steps']}"
        ),
    )


def _array_difference(what: str, got: Any, want: np.ndarray) -> CheckResult | None:
    """A failing result naming the first entry where ``got`` differs from ``want`` (any
    shape), or None if they match."""
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return CheckResult(False, f"✗ {what} is {got!r}, expected an array of numbers")
    if got_arr.shape != want.shape:
        return CheckResult(
            False, f"✗ {what} has shape {got_arr.shape}, expected shape {want.shape}"
        )
    wrong = ~np.isclose(got_arr, want, atol=1e-8, rtol=1e-6)
    if not np.any(wrong):
        return None
    index = np.unravel_index(int(np.argmax(wrong)), want.shape)
    return CheckResult(
        False,
        f"✗ {what} differs in {int(wrong.sum())} of {wrong.size} entries; first at index "
        f"{tuple(int(j) for j in index)}: expected {want[index]:.6g}, got {got_arr[index]:.6g}",
    )


def check_dense_backward(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(x, W, grad_out) -> (grad_x, grad_W, grad_b)``: the backward pass of
    one dense layer ``out = x @ W + b``.

    ``x`` is (n, i), ``W`` is (i, o), ``grad_out`` = dloss/dout is (n, o), passed in that
    order; the answer is dloss/dx (n, i), dloss/dW (i, o) and dloss/db (o,), where the loss
    sums over the batch.
    """
    exercise = "dense backward"
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    rng = np.random.default_rng(5)
    shapes = [(1, 1, 1), (1, 3, 2), (4, 3, 2), (5, 1, 4), (16, 8, 5), (32, 27, 9)]
    cases = [
        {
            "x": rng.normal(size=(n, i)),
            "W": rng.normal(size=(i, o)),
            "grad_out": rng.normal(size=(n, o)),
        }
        for n, i, o in shapes
    ]
    names = ("grad_x", "grad_W", "grad_b")
    for number, case in enumerate(cases, start=1):
        x, weights, grad_out = case["x"], case["W"], case["grad_out"]
        where = f"case {number} of {len(cases)} (x {x.shape}, W {weights.shape})"
        expected = (grad_out @ weights.T, x.T @ grad_out, grad_out.sum(axis=0))
        try:
            got = candidate(x.copy(), weights.copy(), grad_out.copy())
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where} raised {type(error).__name__}: {error}"
            )
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            return CheckResult(
                False,
                f"✗ {exercise}: {where} returned {type(got).__name__}, "
                "expected a tuple (grad_x, grad_W, grad_b)",
            )
        for name, part, want in zip(names, got, expected, strict=True):
            failure = _array_difference(f"{exercise}: {where}: {name}", part, want)
            if failure is not None:
                return failure
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} cases match the reference")


def check_q_update(candidate: Callable[..., Any]) -> CheckResult:
    """Check one tabular Q-learning update, ``candidate(q, state, action, reward, next_state,
    legal_next, done, learning_rate, discount, zero_sum) -> q``.

    The arguments are passed by these names. ``q`` is a table (n_states, n_actions);
    return it after the update (in place or a copy). The target is ``reward`` if ``done``,
    otherwise ``reward + discount * best`` where best is the largest ``q[next_state, a]``
    over the actions ``a`` in ``legal_next``, negated when ``zero_sum`` (the opponent moves
    next and their gain is our loss). Then ``q[state, action]`` moves ``learning_rate`` of
    the way to the target.
    """

    exercise = "Q-learning update"
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    rng = np.random.default_rng(11)
    cases = []
    for n_states, n_actions in [(1, 1), (4, 3), (6, 9)]:
        for done, zero_sum, discount in [
            (False, False, 1.0),
            (False, False, 0.9),
            (True, False, 0.9),
            (False, True, 1.0),
            (True, True, 1.0),
        ]:
            state, next_state = rng.integers(n_states, size=2)
            # A strict subset of legal moves when possible, so that the max must skip some.
            n_legal = max(1, n_actions - 2)
            legal = sorted(rng.choice(n_actions, size=n_legal, replace=False).tolist())
            cases.append(
                {
                    "q": rng.uniform(-1, 1, size=(n_states, n_actions)),
                    "state": int(state),
                    "action": int(rng.integers(n_actions)),
                    "reward": float(rng.choice([-1.0, 0.0, 1.0, 0.5])),
                    "next_state": int(next_state),
                    "legal_next": legal,
                    "done": done,
                    "learning_rate": float(rng.choice([0.1, 0.5, 1.0])),
                    "discount": discount,
                    "zero_sum": zero_sum,
                }
            )
    # The best move in q is illegal: the max must be over legal_next only.
    q = np.zeros((2, 3))
    q[1] = [5.0, -1.0, 0.25]
    cases.append(
        {
            "q": q,
            "state": 0,
            "action": 2,
            "reward": 0.0,
            "next_state": 1,
            "legal_next": [1, 2],
            "done": False,
            "learning_rate": 0.5,
            "discount": 1.0,
            "zero_sum": False,
        }
    )

    for number, case in enumerate(cases, start=1):
        where = (
            f"case {number} of {len(cases)} (q {case['q'].shape}, state={case['state']}, "
            f"action={case['action']}, reward={case['reward']}, next_state={case['next_state']}, "
            f"legal_next={case['legal_next']}, done={case['done']}, "
            f"learning_rate={case['learning_rate']}, discount={case['discount']}, "
            f"zero_sum={case['zero_sum']})"
        )
        expected = q_update(**{**case, "q": case["q"].copy()})
        try:
            got = candidate(**{**case, "q": case["q"].copy(), "legal_next": [*case["legal_next"]]})
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where} raised {type(error).__name__}: {error}"
            )
        failure = _array_difference(f"{exercise}: {where}: the returned q", got, expected)
        if failure is not None:
            return failure
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} cases match the reference")


def _minimax_cases() -> list[Any]:
    """Seeded positions for ``check_minimax``: tic-tac-toe after 3-9 random moves
    (finished games included) and 4x4 Connect Four after 4-8 random moves."""

    rng = np.random.default_rng(33)

    def sample(start: Any, n_cases: int, fewest: int, most: int) -> list[Any]:
        found: list[Any] = []
        while len(found) < n_cases:
            state = start
            for _ in range(int(rng.integers(fewest, most + 1))):
                if state.is_terminal():
                    break
                state = state.play(int(rng.choice(state.legal_actions())))
            if state not in found:
                found.append(state)
        return found

    return sample(TicTacToe(), 30, 3, 9) + sample(ConnectFour(rows=4, cols=4), 6, 4, 8)


def check_minimax(candidate: Callable[[Any], Any]) -> CheckResult:
    """Check ``candidate(state) -> int``: the game-theoretic value for the player to move
    (+1 win, 0 draw, -1 loss, with best play by both), finished games included."""

    exercise = "minimax"
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    meaning = {1: "a win", 0: "a draw", -1: "a loss"}
    cases = _minimax_cases()
    for number, state in enumerate(cases, start=1):
        over = " (the game is over)" if state.is_terminal() else ""
        where = (
            f"case {number} of {len(cases)}, {type(state).__name__} with "
            f"{PLAYER_MARKS[state.to_play]} to move{over}:\n{state}\n"
        )
        expected = solve(state)
        try:
            got = candidate(state)
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where}raised {type(error).__name__}: {error}"
            )
        if isinstance(got, bool) or got not in (-1, 0, 1):
            return CheckResult(False, f"✗ {exercise}: {where}returned {got!r}, expected -1, 0 or 1")
        if got != expected:
            return CheckResult(
                False,
                f"✗ {exercise}: {where}expected {expected} ({meaning[expected]} for the "
                f"player to move), got {int(got)} ({meaning[int(got)]})",
            )
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} positions match the reference")


def _has_line_cases() -> list[tuple[int, int, int, int]]:
    """Seeded (bits, rows, cols, k) for ``check_has_line``: random stones on boards
    from 3x3 to 7x6, half of them with one planted line of k, plus stones that run
    from the top of one column into the bottom of the next (not a line)."""

    rng = np.random.default_rng(44)
    directions = ((1, 0), (0, 1), (1, 1), (-1, 1))
    cases = []
    sizes = [(3, 3, 3), (4, 4, 3), (6, 7, 4), (5, 4, 4), (6, 5, 5), (4, 7, 5), (6, 7, 2)]
    for rows, cols, k in sizes:
        height = ConnectFour(rows=rows, cols=cols, k=k).geometry.height
        for number in range(24):
            density = rng.uniform(0.05, 0.45)
            cells = [(r, c) for r in range(rows) for c in range(cols) if rng.random() < density]
            if number % 2:  # plant a line in a random direction that fits
                d_row, d_col = directions[rng.integers(4)]
                starts = [
                    (r, c)
                    for r in range(rows)
                    for c in range(cols)
                    if 0 <= r + (k - 1) * d_row < rows and 0 <= c + (k - 1) * d_col < cols
                ]
                if starts:
                    r, c = starts[rng.integers(len(starts))]
                    cells += [(r + i * d_row, c + i * d_col) for i in range(k)]
            cases.append((sum(1 << (c * height + r) for r, c in set(cells)), rows, cols, k))
        # Wrap-around: the top of column 0 and the bottom of column 1.
        wrap = [(r, 0) for r in range(rows - k // 2, rows)] + [(r, 1) for r in range(k - k // 2)]
        cases.append((sum(1 << (c * height + r) for r, c in wrap), rows, cols, k))
    return cases


def _bitboard_picture(bits: int, rows: int, cols: int) -> str:
    """Rows top to bottom: 'x' for a stone, '.' for an empty cell; columns numbered."""
    height = rows + 1
    lines = [
        " ".join("x" if bits >> (c * height + r) & 1 else "." for c in range(cols))
        for r in reversed(range(rows))
    ]
    lines.append(" ".join(str(c + 1) for c in range(cols)))
    return "\n".join(lines)


def check_has_line(candidate: Callable[[int, int, int, int], Any]) -> CheckResult:
    """Check ``candidate(bits, rows, cols, k) -> bool``: does the bitboard ``bits`` hold
    k stones in a row (vertically, horizontally or diagonally)?

    ``bits`` uses ``ConnectFour``'s layout: bit ``col * (rows + 1) + row``, row 0 at
    the bottom, one always-empty bit atop each column. The reference is
    ``ConnectFour(rows=rows, cols=cols, k=k).geometry.has_line``.
    """

    exercise = "has_line"
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    cases = _has_line_cases()
    for number, (bits, rows, cols, k) in enumerate(cases, start=1):
        expected = ConnectFour(rows=rows, cols=cols, k=k).geometry.has_line(bits)
        where = (
            f"case {number} of {len(cases)}, {cols}x{rows} board, k={k}, "
            f"bits={bits}:\n{_bitboard_picture(bits, rows, cols)}\n"
        )
        try:
            got = candidate(bits, rows, cols, k)
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where}raised {type(error).__name__}: {error}"
            )
        if not isinstance(got, (bool, np.bool_)) and not (
            isinstance(got, (int, np.integer)) and got in (0, 1)
        ):
            return CheckResult(False, f"✗ {exercise}: {where}returned {got!r}, expected a bool")
        if bool(got) != expected:
            return CheckResult(False, f"✗ {exercise}: {where}expected {expected}, got {bool(got)}")
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} boards match the reference")


def _ucb_cases() -> list[tuple[float, int, int, float]]:
    """Seeded (total_value, visits, parent_visits, c) for ``check_ucb``: edges never
    tried, a first visit (ln 1 = 0), c = 0, negative totals, and random statistics."""
    rng = np.random.default_rng(55)
    cases = [
        (0.0, 0, 1, 1.4),  # never tried: +inf
        (0.0, 0, 57, 2.0),
        (1.0, 1, 1, 1.0),  # the parent's first visit: no exploration bonus yet
        (3.0, 4, 10, 0.0),  # c = 0: the mean alone
        (-2.0, 4, 16, 2.0),  # negative totals
        (-5.0, 5, 5, 0.5),
    ]
    for _ in range(24):
        visits = int(rng.integers(1, 60))
        parent_visits = visits + int(rng.integers(0, 300))
        total_value = float(np.round(visits * rng.uniform(-1, 1), 1))
        c = float(rng.choice([0.5, 1.0, np.sqrt(2.0), 2.0, 3.0]))
        cases.append((total_value, visits, parent_visits, c))
    return cases


def check_ucb(candidate: Callable[[float, int, int, float], Any]) -> CheckResult:
    """Check ``candidate(total_value, visits, parent_visits, c) -> float``: the UCB1
    score of one edge, ``total_value / visits + c * sqrt(ln(parent_visits) / visits)``,
    and ``inf`` for an edge never tried (``visits == 0``).

    The arguments are passed in that order, one edge at a time (scalars, not
    arrays). The reference is ``daopt.mcts.ucb_score``.
    """
    import math

    exercise = "UCB1 score"
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    cases = _ucb_cases()
    for number, (total_value, visits, parent_visits, c) in enumerate(cases, start=1):
        where = (
            f"case {number} of {len(cases)} (total_value={total_value}, visits={visits}, "
            f"parent_visits={parent_visits}, c={c:.4g})"
        )
        expected = ucb_score(total_value, visits, parent_visits, c)
        hint = " (an edge never tried must score +inf, so it is tried first)" if not visits else ""
        try:
            got = candidate(total_value, visits, parent_visits, c)
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where} raised {type(error).__name__}: {error}{hint}"
            )
        try:
            got = float(got)
        except (TypeError, ValueError):
            return CheckResult(False, f"✗ {exercise}: {where} returned {got!r}, expected a float")
        if not (got == expected or math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)):
            return CheckResult(
                False, f"✗ {exercise}: {where}: expected {expected:.6g}, got {got:.6g}{hint}"
            )
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} cases match the reference")


def check_cem_update(candidate: Callable[..., Any]) -> CheckResult:
    """Check one cross-entropy update, ``candidate(samples, scores, n_elite) -> (mean, std)``.

    ``samples`` (n, d) are candidate solutions, ``scores`` (n,) how good each is
    (higher is better); the answer is the mean (d,) and the standard deviation
    (d,) of the ``n_elite`` best rows (population std, dividing by ``n_elite``).
    Ties in the scores go to the earlier row.
    """

    exercise = "CEM update"
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    rng = np.random.default_rng(8)
    cases = []
    for n, d, n_elite in [(1, 1, 1), (5, 1, 2), (10, 3, 3), (50, 4, 5), (64, 15, 8), (200, 32, 20)]:
        cases.append(
            {"samples": rng.normal(size=(n, d)), "scores": rng.normal(size=n), "n_elite": n_elite}
        )
    # Every row elite; a single elite (std 0); and ties that the earlier row must win.
    cases.append({"samples": rng.normal(size=(6, 2)), "scores": rng.normal(size=6), "n_elite": 6})
    cases.append({"samples": rng.normal(size=(7, 3)), "scores": rng.normal(size=7), "n_elite": 1})
    cases.append(
        {
            "samples": np.arange(12.0).reshape(6, 2),
            "scores": np.array([1.0, 3.0, 3.0, 0.0, 3.0, 2.0]),
            "n_elite": 2,
        }
    )
    for number, case in enumerate(cases, start=1):
        n, d = case["samples"].shape
        where = f"case {number} of {len(cases)} (samples {n}x{d}, n_elite={case['n_elite']})"
        expected = cem_update(**case)
        try:
            got = candidate(case["samples"].copy(), case["scores"].copy(), case["n_elite"])
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where} raised {type(error).__name__}: {error}"
            )
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return CheckResult(
                False,
                f"✗ {exercise}: {where} returned {type(got).__name__}, expected a pair (mean, std)",
            )
        for name, part, want in zip(("mean", "std"), got, expected, strict=True):
            failure = _array_difference(f"{exercise}: {where}: {name}", part, want)
            if failure is not None:
                return failure
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} cases match the reference")


# -- chapter 7: the bill ------------------------------------------------------------------


def _break_even_cases() -> list[tuple[float, float, float, float]]:
    """Seeded (fixed_a, per_query_a, fixed_b, per_query_b) for ``check_break_even_decisions``.

    Per-query costs are multiples of 1/4, so every quotient is exact in floating point
    and rounding up cannot be fooled by a last-bit error.
    """
    rng = np.random.default_rng(77)
    cases = [
        (0.0, 30.0, 1000.0, 1.0),  # the usual case: a fractional crossing, rounded up
        (0.0, 5.0, 100.0, 1.0),  # an exact crossing: equal totals count as paid off
        (0.0, 16.5, 50_000.0, 1.0),
        (50.0, 2.0, 10.0, 1.0),  # B is cheaper from the first decision
        (0.0, 3.0, 10.0, 3.0),  # same per-decision cost, B dearer: never
        (7.0, 3.0, 7.0, 3.0),  # identical strategies: from 0 on
        (100.0, 1.0, 0.0, 2.0),  # B cheaper at first, dearer for good later: never
        (0.0, 0.0, 5.0, 0.0),  # both free per decision, B paid up front: never
    ]
    for _ in range(24):
        per_a, per_b = (float(k) / 4 for k in rng.integers(0, 400, size=2))
        fixed_a = float(rng.choice([0, int(rng.integers(0, 10_000))]))
        fixed_b = float(rng.integers(0, 1_000_000))
        cases.append((fixed_a, per_a, fixed_b, per_b))
    return cases


def check_break_even_decisions(
    candidate: Callable[[float, float, float, float], Any],
) -> CheckResult:
    """Check ``candidate(fixed_a, per_query_a, fixed_b, per_query_b)``: the fewest whole
    decisions N >= 0 from which strategy B (pay up front) costs no more than strategy A
    (pay as you go) for every larger number of decisions too, or ``math.inf`` if B never
    becomes cheaper for good. A strategy that makes n decisions costs ``fixed + per_query * n``.

    The reference is ``math.ceil`` of ``daopt.cost.break_even``.
    """
    import math

    exercise = "break-even in decisions"
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    cases = _break_even_cases()
    for number, (fixed_a, per_a, fixed_b, per_b) in enumerate(cases, start=1):
        where = (
            f"case {number} of {len(cases)} (A: {fixed_a:g} + {per_a:g} n, "
            f"B: {fixed_b:g} + {per_b:g} n)"
        )
        n_star = break_even(CostProfile("A", fixed_a, per_a), CostProfile("B", fixed_b, per_b))
        expected = n_star if math.isinf(n_star) else math.ceil(n_star)
        try:
            got = candidate(fixed_a, per_a, fixed_b, per_b)
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where} raised {type(error).__name__}: {error}"
            )
        if isinstance(got, bool):
            return CheckResult(False, f"✗ {exercise}: {where} returned {got!r}, expected a number")
        try:
            value = float(got)
        except (TypeError, ValueError):
            return CheckResult(False, f"✗ {exercise}: {where} returned {got!r}, expected a number")
        if value == expected:
            continue
        if math.isinf(expected):
            why = (
                "B costs more per decision, so A catches up and stays cheaper"
                if per_b > per_a
                else "B never saves anything per decision to pay back its fixed cost"
            )
            return CheckResult(False, f"✗ {exercise}: {where}: expected inf ({why}), got {got!r}")
        hint = ""
        if math.isfinite(value) and value != round(value):
            hint = " (a number of decisions is a whole number: round up)"
        elif value == expected - 1:
            hint = " (one too few: round up, B must have caught up at N)"
        elif value < 0:
            hint = " (if B is cheaper from the start, the answer is 0)"
        return CheckResult(False, f"✗ {exercise}: {where}: expected {expected}, got {got!r}{hint}")
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} cases match the reference")


def _cheapest_plan_cases() -> list[dict[str, Any]]:
    """Seeded options for ``check_cheapest_plan``: rates on a grid of 1/200 (so that a rate
    can equal the target exactly), costs in multiples of 1/4, and the edge cases."""
    rng = np.random.default_rng(78)
    cases = []
    for k in (1, 3, 8, 30):
        for n_decisions in (0, 1, 100, 1_000_000):
            rate = rng.integers(100, 201, size=k) / 200
            cases.append(
                {
                    "train_cost": rng.integers(0, 100_000, size=k).astype(float),
                    "decision_cost": rng.integers(0, 800, size=k) / 4,
                    "rate": rate,
                    "target": float(rng.choice(rate)),
                    "n_decisions": n_decisions,
                }
            )
    ones = np.ones(3)
    cases += [
        # Equal totals (200 each): the earliest option wins the tie.
        dict(train_cost=np.array([100.0, 0.0, 50.0]), decision_cost=np.array([1.0, 2.0, 1.5]),
             rate=ones, target=1.0, n_decisions=100),
        # No option is strong enough.
        dict(train_cost=np.zeros(3), decision_cost=ones, rate=np.array([0.5, 0.6, 0.7]),
             target=0.9, n_decisions=10),
        # The cheapest option is too weak; the strong one costs more.
        dict(train_cost=np.array([0.0, 10.0]), decision_cost=np.array([0.0, 5.0]),
             rate=np.array([0.89, 0.9]), target=0.9, n_decisions=3),
    ]  # fmt: skip
    return cases


def check_cheapest_plan(candidate: Callable[..., Any]) -> CheckResult:
    """Check ``candidate(train_cost, decision_cost, rate, target, n_decisions) -> int``: the
    index of the cheapest option whose ``rate`` is at least ``target``, where option i
    costs ``train_cost[i] + n_decisions * decision_cost[i]`` in all; ties go to the lowest
    index, and the answer is -1 if no option reaches the target.

    ``train_cost``, ``decision_cost`` and ``rate`` are arrays of shape (k,), passed in
    that order, then ``target`` (a float) and ``n_decisions`` (an int).
    """
    import numbers

    exercise = "cheapest plan"
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    cases = _cheapest_plan_cases()
    for number, case in enumerate(cases, start=1):
        k = case["rate"].size
        where = (
            f"case {number} of {len(cases)} ({k} options, target {case['target']:g}, "
            f"n_decisions={case['n_decisions']:,})"
        )
        total = case["train_cost"] + case["n_decisions"] * case["decision_cost"]
        strong = case["rate"] >= case["target"]
        expected = int(np.argmin(np.where(strong, total, np.inf))) if strong.any() else -1
        try:
            got = candidate(
                case["train_cost"].copy(),
                case["decision_cost"].copy(),
                case["rate"].copy(),
                case["target"],
                case["n_decisions"],
            )
        except Exception as error:  # the reader's bug, reported, not raised
            return CheckResult(
                False, f"✗ {exercise}: {where} raised {type(error).__name__}: {error}"
            )
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            return CheckResult(
                False, f"✗ {exercise}: {where} returned {got!r}, expected an int index"
            )
        if int(got) == expected:
            continue
        if expected == -1:
            hint = " (no option reaches the target: return -1)"
        elif got == -1:
            hint = f" (option {expected} reaches the target: rate >= target counts)"
        elif not 0 <= got < k:
            hint = f" (an index must be in 0..{k - 1})"
        elif not strong[got]:
            hint = f" (option {got} has rate {case['rate'][got]:g}, below the target)"
        elif total[got] == total[expected]:
            hint = " (equal totals: the lowest index wins the tie)"
        else:
            hint = f" (total {total[got]:,.2f} against {total[expected]:,.2f})"
        return CheckResult(
            False, f"✗ {exercise}: {where}: expected {expected}, got {int(got)}{hint}"
        )
    return CheckResult(True, f"✓ {exercise}: all {len(cases)} cases match the reference")
