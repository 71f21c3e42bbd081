"""Argument checks shared by the public functions: clear errors that name the
bad value and say what was expected."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = [
    "as_array",
    "as_matrix",
    "as_vector",
    "discount_factor",
    "generator",
    "index_below",
    "is_integer",
    "is_real",
    "positive_float",
    "positive_int",
    "probability",
    "real_number",
    "returned_number",
]


def is_integer(value: Any) -> bool:
    """True for an int (Python or numpy), False for a bool or anything else."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def is_real(value: Any) -> bool:
    """True for a real number (int or float, Python or numpy), False for a bool, a
    string (even "1.5") or anything else."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _float_array(name: str, value: Any, expected: str) -> np.ndarray:
    """``value`` as a float array; TypeError for None, strings and arrays of strings
    (numpy would read ["1", "2"] as numbers)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    try:
        raw = np.asarray(value)
        if raw.dtype.kind in "USO" and any(isinstance(v, (str, bytes)) for v in raw.ravel()):
            raise TypeError("strings are not numbers")
        return raw.astype(float, copy=False)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be {expected}, got {value!r}") from error


def _finite_array(name: str, value: Any, ndim: int, shape: str) -> np.ndarray:
    """``value`` as a finite float array with ``ndim`` dimensions (``shape`` in messages)."""
    array = _float_array(name, value, f"a {ndim}-D array of numbers")
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D with shape {shape}, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


def as_array(name: str, value: Any, *, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite float array with ``ndim`` dimensions (None: any).

    Raises TypeError for non-numeric input and ValueError for a wrong number of
    dimensions or non-finite entries.
    """
    array = _float_array(name, value, "an array of numbers")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite")
    return array


def as_vector(name: str, value: Any, *, length: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite 1-D float array, shape (n,).

    Raises TypeError for non-numeric input and ValueError for a wrong shape,
    a wrong length or non-finite entries.
    """
    array = _finite_array(name, value, 1, "(n,)")
    if length is not None and array.shape[0] != length:
        raise ValueError(f"{name} must have length {length}, got length {array.shape[0]}")
    return array


def as_matrix(name: str, value: Any, *, columns: int | None = None) -> np.ndarray:
    """Return ``value`` as a finite 2-D float array, shape (n, columns)."""
    array = _finite_array(name, value, 2, "(n, d)")
    if columns is not None and array.shape[1] != columns:
        raise ValueError(f"{name} must have {columns} columns, got shape {array.shape}")
    return array


def positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum``; bools are rejected."""
    if not is_integer(value):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def positive_float(name: str, value: Any, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a finite float > 0 (or >= 0 with ``allow_zero``)."""
    if not is_real(value):
        raise TypeError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not np.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        expected = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {expected}, got {value!r}")
    return number


def generator(name: str, value: Any) -> np.random.Generator:
    """Require an explicit ``np.random.Generator`` (never a seed or None)."""
    if not isinstance(value, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (e.g. np.random.default_rng(0)), "
            f"got {value!r}"
        )
    return value


def real_number(name: str, value: Any, *, finite: bool = True) -> float:
    """Return ``value`` as a float if it is a real number (not a bool, not a string).

    Raises TypeError for anything else and, with ``finite`` (default), ValueError
    for NaN or an infinity.
    """
    if not is_real(value):
        raise TypeError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if finite and not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


def returned_number(name: str, value: Any, *, finite: bool = True) -> float:
    """What a caller's function returned, as a float: a real number or a 0-d numeric
    array (not a bool, a string, None or an array of several numbers)."""
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        value = value.item()
    return real_number(name, value, finite=finite)


def index_below(name: str, value: Any, size: int) -> int:
    """Return ``value`` as an int in 0..size-1 (no negative indices that wrap around)."""
    if not is_integer(value):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not 0 <= value < size:
        raise ValueError(f"{name} must be in 0..{size - 1}, got {value}")
    return int(value)


def probability(name: str, value: Any) -> float:
    """Return ``value`` as a float in [0, 1]."""
    p = positive_float(name, value, allow_zero=True)
    if p > 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return p


def discount_factor(value: Any, *, name: str = "discount") -> float:
    """Return a discount factor in [0, 1) (1 would let infinite sums diverge)."""
    discount = positive_float(name, value, allow_zero=True)
    if discount >= 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return discount
