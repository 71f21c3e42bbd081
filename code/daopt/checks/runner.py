"""The one case runner every checker uses: call the reader's function on each
seeded case, within a time limit, on fresh copies of the inputs, and report the
first case where it goes wrong and how.

What it catches before the checker compares answers: a function that raises,
does not return within the time limit, modifies its inputs in place (unless the
exercise allows it), or returns None. ``CheckResult`` is the verdict.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from daopt.validation import is_real

__all__ = [
    "TIME_LIMIT",
    "Case",
    "CheckResult",
    "array_difference",
    "as_number",
    "as_numbers",
    "judge_arrays",
    "run_cases",
    "short",
]

#: Seconds a reader's function may take on one case before it is reported.
TIME_LIMIT = 10.0


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a checker: ``passed`` and a message saying why.

    Truthy when the reader's function is right. ``str`` is the message; ``repr``
    starts with the verdict, so a REPL shows it at a glance; ``raise_if_failed()``
    (or a checker's ``strict=True``) turns a failure into an ``AssertionError``
    for plain scripts, where a returned value is never shown.
    """

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"CheckResult({'PASSED' if self.passed else 'FAILED'}) {self.message}"

    def raise_if_failed(self) -> CheckResult:
        """Raise ``AssertionError`` with the message if the check failed; else return self."""
        if not self.passed:
            raise AssertionError(self.message)
        return self


@dataclass(frozen=True)
class Case:
    """One call of the reader's function: ``candidate(*args, **kwargs)``.

    ``label`` follows "case i of n" in messages (start it with " (" or ", ";
    end it with a newline if it holds a picture); ``expected`` is the reference
    answer, handed to the checker's judge with the case.
    """

    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    expected: Any = None


#: ``judge(got, case) -> None`` if ``got`` is right, else the message's tail
#: (e.g. ": expected 1, got 0"), which follows "✗ exercise: case i of n (...)".
Judge = Callable[[Any, Case], "str | None"]


class _TimeUp(BaseException):
    """Raised into a reader's function that ran out of time (a BaseException, so
    that the reader's own ``except Exception`` does not swallow it)."""


def _call(candidate: Callable[..., Any], case: Case, args: tuple, kwargs: dict, limit: float):
    """Call the candidate, raising ``_TimeUp`` if it takes longer than ``limit`` seconds."""
    main = threading.current_thread() is threading.main_thread()
    if main and hasattr(signal, "setitimer"):

        def time_up(signum: int, frame: object) -> None:
            raise _TimeUp

        previous = signal.signal(signal.SIGALRM, time_up)
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            return candidate(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    # Off the main thread no signal can interrupt it: run it in a daemon thread
    # and stop waiting after the limit (the thread is abandoned, not killed).
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = candidate(*args, **kwargs)
        except BaseException as error:  # handed back to the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        raise _TimeUp
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _fresh(value: Any) -> Any:
    """A copy of the mutable containers in ``value`` (arrays, lists, dicts, sets)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_fresh(v) for v in value)
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, set):
        return set(value)
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        )
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a is b or a == b


def _modified(case: Case, args: tuple, kwargs: dict, may_modify: Iterable[str]) -> list[str]:
    """The names (or positions) of the inputs the call changed."""
    allowed = set(may_modify)
    changed = [
        f"argument {i + 1}"
        for i, (before, after) in enumerate(zip(case.args, args, strict=True))
        if str(i) not in allowed and not _same(before, after)
    ]
    changed += [
        f"'{name}'"
        for name, before in case.kwargs.items()
        if name not in allowed and not _same(before, kwargs[name])
    ]
    return changed


def run_cases(
    exercise: str,
    candidate: Callable[..., Any],
    cases: Sequence[Case],
    judge: Judge,
    *,
    noun: str = "cases",
    may_modify: Iterable[str] = (),
    time_limit: float = TIME_LIMIT,
    strict: bool = False,
    hint: Callable[[Case], str] = lambda case: "",
) -> CheckResult:
    """Run ``candidate`` on every case and judge each answer; stop at the first wrong one.

    Args:
        exercise: the exercise's name, which starts every message.
        candidate: the reader's function.
        cases: the seeded cases, each called on fresh copies of its inputs.
        judge: says whether an answer is right (see ``Judge``).
        noun: what the success message counts ("cases", "positions", ...).
        may_modify: argument names (or positions as "0", "1", ...) the exercise
            allows the function to change in place.
        time_limit: seconds allowed per case (> 0).
        strict: raise ``AssertionError`` on failure instead of returning it.
        hint: extra words for a failure on a case (e.g. what is special about it).
    """
    if not callable(candidate):
        raise TypeError(f"expected your function for '{exercise}', got {candidate!r}")
    if not is_real(time_limit):
        raise TypeError(f"time_limit must be a number of seconds, got {time_limit!r}")
    if not 0 < time_limit < math.inf:
        raise ValueError(f"time_limit must be > 0 seconds and finite, got {time_limit!r}")
    if not isinstance(strict, bool):
        raise TypeError(f"strict must be True or False, got {strict!r}")
    cases = list(cases)

    def verdict(passed: bool, message: str) -> CheckResult:
        result = CheckResult(passed, message)
        return result.raise_if_failed() if strict else result

    for number, case in enumerate(cases, start=1):
        where = f"case {number} of {len(cases)}{case.label}"
        gap = "" if where.endswith("\n") else " "
        fail = f"✗ {exercise}: {where}"
        args, kwargs = _fresh(case.args), _fresh(case.kwargs)
        try:
            got = _call(candidate, case, args, kwargs, float(time_limit))
        except _TimeUp:
            return verdict(
                False,
                f"{fail}{gap}did not return within {time_limit:g} s "
                "(an endless loop, or far more work than the exercise needs?)",
            )
        except Exception as error:  # the reader's bug, reported, not raised
            return verdict(False, f"{fail}{gap}raised {type(error).__name__}: {error}{hint(case)}")
        changed = _modified(case, args, kwargs, may_modify)
        if changed:
            return verdict(
                False,
                f"{fail}{gap}modified its input {', '.join(changed)} in place; "
                "work on a copy instead (e.g. y = np.array(y0, dtype=float))",
            )
        if got is None and case.expected is not None:
            return verdict(False, f"{fail}{gap}returned None: is a return statement missing?")
        tail = judge(got, case)
        if tail is not None:
            return verdict(False, f"{fail}{tail}{hint(case)}")
    return verdict(True, f"✓ {exercise}: all {len(cases)} {noun} match the reference")


# -- reading answers -----------------------------------------------------------------------


def as_numbers(value: Any) -> np.ndarray | None:
    """``value`` as a float array, or None if it is not numbers (strings are not numbers)."""
    if isinstance(value, (str, bytes)) or value is None:
        return None
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if raw.dtype.kind not in "biuf":
        if raw.dtype.kind != "O" or not all(is_real(v) for v in raw.ravel()):
            return None
    try:
        return raw.astype(float)
    except (TypeError, ValueError):
        return None


def as_number(value: Any) -> float | None:
    """``value`` as a float if it is one real number (not a string, not a bool), else None."""
    return float(value) if is_real(value) else None


def short(value: Any) -> str:
    """A one-line picture of an array for a message."""
    return np.array2string(np.asarray(value), precision=4, threshold=8, max_line_width=200)


def array_difference(what: str, got: Any, want: np.ndarray) -> str | None:
    """A message naming the first entry where ``got`` differs from ``want`` (any shape),
    or None if they match (to 1e-8 absolute, 1e-6 relative)."""
    got_arr = as_numbers(got)
    if got_arr is None:
        return f"{what} is {got!r}, expected an array of numbers"
    if got_arr.shape != want.shape:
        return f"{what} has shape {got_arr.shape}, expected shape {want.shape}"
    wrong = ~np.isclose(got_arr, want, atol=1e-8, rtol=1e-6)
    if not np.any(wrong):
        return None
    index = np.unravel_index(int(np.argmax(wrong)), want.shape)
    return (
        f"{what} differs in {int(wrong.sum())} of {wrong.size} entries; first at index "
        f"{tuple(int(j) for j in index)}: expected {want[index]:.6g}, got {got_arr[index]:.6g}"
    )


def judge_arrays(names: tuple[str, ...]) -> Judge:
    """A judge for answers that are a tuple of arrays, one per name in ``names``,
    compared with ``case.expected`` (a tuple of arrays) by ``array_difference``."""

    def judge(got: Any, case: Case) -> str | None:
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            return f" returned {type(got).__name__}, expected a tuple ({', '.join(names)})"
        for name, part, want in zip(names, got, case.expected, strict=True):
            failure = array_difference(name, part, want)
            if failure is not None:
                return f": {failure}"
        return None

    return judge
