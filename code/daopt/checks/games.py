"""Checker for chapter 2's exercise: does a bitboard hold k stones in a row?"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from daopt.checks.runner import TIME_LIMIT, Case, CheckResult, run_cases
from daopt.games import ConnectFour

__all__ = ["check_has_line"]


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


def _judge(got: Any, case: Case) -> str | None:
    if not isinstance(got, (bool, np.bool_)) and not (
        isinstance(got, (int, np.integer)) and got in (0, 1)
    ):
        return f"returned {got!r}, expected a bool"
    if bool(got) != case.expected:
        return f"expected {case.expected}, got {bool(got)}"
    return None


def check_has_line(
    candidate: Callable[[int, int, int, int], Any],
    *,
    time_limit: float = TIME_LIMIT,
    strict: bool = False,
) -> CheckResult:
    """Check ``candidate(bits, rows, cols, k) -> bool``: does the bitboard ``bits`` hold
    k stones in a row (vertically, horizontally or diagonally)?

    ``bits`` uses ``ConnectFour``'s layout: bit ``col * (rows + 1) + row``, row 0 at
    the bottom, one always-empty bit atop each column. The reference is
    ``ConnectFour(rows=rows, cols=cols, k=k).geometry.has_line``.
    """
    cases = [
        Case(
            args=(bits, rows, cols, k),
            label=(
                f", {cols}x{rows} board, k={k}, bits={bits}:\n"
                f"{_bitboard_picture(bits, rows, cols)}\n"
            ),
            expected=ConnectFour(rows=rows, cols=cols, k=k).geometry.has_line(bits),
        )
        for bits, rows, cols, k in _has_line_cases()
    ]
    return run_cases(
        "has_line", candidate, cases, _judge, noun="boards", time_limit=time_limit, strict=strict
    )
