"""daopt.checks.check_has_line accepts right k-in-a-row tests and explains wrong ones."""

from __future__ import annotations

import re

import pytest

from daopt import checks
from daopt.games import ConnectFour


def linear_has_line(bits: int, rows: int, cols: int, k: int) -> bool:
    """k - 1 shifts per direction, the plainest correct version."""
    height = rows + 1
    for shift in (1, height, height - 1, height + 1):
        run = bits
        for i in range(1, k):
            run &= bits >> (i * shift)
        if run:
            return True
    return False


def doubling_has_line(bits: int, rows: int, cols: int, k: int) -> bool:
    height = rows + 1
    for shift in (1, height, height - 1, height + 1):
        run, length = bits, 1
        while length < k:
            grow = min(length, k - length)
            run &= run >> (grow * shift)
            length += grow
        if run:
            return True
    return False


def no_diagonals(bits: int, rows: int, cols: int, k: int) -> bool:
    height = rows + 1
    return any(_run(bits, shift, k) for shift in (1, height))  # forgets height - 1 and height + 1


def one_diagonal(bits: int, rows: int, cols: int, k: int) -> bool:
    height = rows + 1
    return any(_run(bits, shift, k) for shift in (1, height, height + 1))


def no_spare_bit(bits: int, rows: int, cols: int, k: int) -> bool:
    """Uses rows, not rows + 1, bits per column: the wrong layout."""
    return any(_run(bits, shift, k) for shift in (1, rows, rows - 1, rows + 1))


def one_short(bits: int, rows: int, cols: int, k: int) -> bool:
    height = rows + 1
    return any(_run(bits, shift, k - 1) for shift in (1, height, height - 1, height + 1))


def _run(bits: int, shift: int, k: int) -> bool:
    run = bits
    for i in range(1, k):
        run &= bits >> (i * shift)
    return bool(run)


def test_right_answers_pass() -> None:
    for candidate in (linear_has_line, doubling_has_line):
        result = checks.check_has_line(candidate)
        assert result.passed and bool(result), result.message
        assert result.message.startswith("✓ has_line: all")


def test_the_reference_is_the_module() -> None:
    def module(bits: int, rows: int, cols: int, k: int) -> bool:
        return ConnectFour(rows=rows, cols=cols, k=k).geometry.has_line(bits)

    assert checks.check_has_line(module).passed


def test_cases_hold_both_answers_on_every_board_size() -> None:
    cases = checks.games._has_line_cases()
    sizes = {(rows, cols, k) for _, rows, cols, k in cases}
    assert len(sizes) >= 6
    for size in sizes:
        answers = {linear_has_line(bits, *size) for bits, *rest in cases if tuple(rest) == size}
        assert answers == {True, False}, size


@pytest.mark.parametrize(
    "candidate",
    [no_diagonals, one_diagonal, no_spare_bit, one_short, lambda bits, rows, cols, k: False],
    ids=["no-diagonals", "one-diagonal", "no-spare-bit", "one-short", "always-false"],
)
def test_wrong_answers_fail_naming_the_board(candidate) -> None:
    result = checks.check_has_line(candidate)
    assert not result.passed and not bool(result)
    message = result.message
    assert message.startswith("✗ has_line: case ")
    found = re.search(r"bits=(\d+):\n", message)
    assert found, message
    # The board in the message is the one on which the candidate is wrong.
    bits = int(found.group(1))
    size = re.search(r"(\d+)x(\d+) board, k=(\d+)", message)
    assert size
    cols, rows, k = (int(g) for g in size.groups())
    assert bool(candidate(bits, rows, cols, k)) != linear_has_line(bits, rows, cols, k)
    assert re.search(r"expected (True|False), got (True|False)$", message)
    assert "\n1 2 3" in message  # the picture's column numbers


def test_bad_return_values_and_errors_are_reported() -> None:
    result = checks.check_has_line(lambda bits, rows, cols, k: "yes")
    assert not result.passed and "returned 'yes', expected a bool" in result.message
    result = checks.check_has_line(lambda bits, rows, cols, k: 2)
    assert not result.passed and "returned 2, expected a bool" in result.message

    def broken(bits: int, rows: int, cols: int, k: int) -> bool:
        raise RuntimeError("not written yet")

    result = checks.check_has_line(broken)
    assert not result.passed
    assert "case 1 of" in result.message
    assert "raised RuntimeError: not written yet" in result.message


def test_numpy_and_integer_answers_are_accepted() -> None:
    import numpy as np

    assert checks.check_has_line(lambda *a: np.bool_(linear_has_line(*a))).passed
    assert checks.check_has_line(lambda *a: int(linear_has_line(*a))).passed


def test_not_a_function() -> None:
    with pytest.raises(TypeError, match="expected your function for 'has_line'"):
        checks.check_has_line("has_line")  # type: ignore[arg-type]
