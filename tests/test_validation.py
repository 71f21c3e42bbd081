"""daopt.validation: the shared argument checks behind every public function."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from daopt import validation as v


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=0, max_size=10))
def test_as_vector_accepts_finite_lists(values: list[float]) -> None:
    array = v.as_vector("x", values)
    assert array.dtype == float and array.shape == (len(values),)


@pytest.mark.parametrize(
    ("value", "error", "fragment"),
    [
        ("abc", TypeError, "x must be a 1-D array of numbers, got 'abc'"),
        (None, TypeError, "got None"),
        ([["a"]], TypeError, "1-D array of numbers"),
        (np.zeros((2, 2)), ValueError, "shape (2, 2)"),
        (3.0, ValueError, "shape ()"),
        ([1.0, np.inf], ValueError, "finite"),
    ],
)
def test_as_vector_rejects(value, error, fragment) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        v.as_vector("x", value)


def test_as_vector_length_and_as_matrix_columns() -> None:
    with pytest.raises(ValueError, match="x must have length 3, got length 2"):
        v.as_vector("x", [1.0, 2.0], length=3)
    with pytest.raises(ValueError, match="m must have 3 columns"):
        v.as_matrix("m", np.zeros((2, 2)), columns=3)
    with pytest.raises(ValueError, match="m must be 2-D"):
        v.as_matrix("m", np.zeros(2))
    with pytest.raises(TypeError, match="m must be a 2-D array"):
        v.as_matrix("m", "no")


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: v.positive_int("k", True), TypeError, "k must be an integer, got True"),
        (lambda: v.positive_int("k", 2.0), TypeError, "k must be an integer, got 2.0"),
        (lambda: v.positive_int("k", 0), ValueError, "k must be >= 1, got 0"),
        (lambda: v.positive_float("eta", "0.1"), TypeError, "eta must be a number, got '0.1'"),
        (lambda: v.positive_float("eta", float("nan")), ValueError, "eta must be finite and > 0"),
        (lambda: v.positive_float("eta", 0.0), ValueError, "eta must be finite and > 0, got 0.0"),
        (
            lambda: v.positive_float("c", -1, allow_zero=True),
            ValueError,
            "c must be finite and >= 0",
        ),
        (lambda: v.generator("rng", 0), TypeError, "rng must be a numpy.random.Generator"),
    ],
)
def test_scalar_checks_reject(call, error, fragment) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        call()


def test_scalar_checks_accept() -> None:
    assert v.positive_int("k", np.int64(3)) == 3
    assert v.positive_int("k", 0, minimum=0) == 0
    assert v.positive_float("c", 0, allow_zero=True) == 0.0
    rng = np.random.default_rng(0)
    assert v.generator("rng", rng) is rng


def test_as_array_checks_type_dimensions_and_finiteness() -> None:
    assert v.as_array("a", [[1, 2]], ndim=2).shape == (1, 2)
    assert v.as_array("a", 3.0).shape == ()
    with pytest.raises(TypeError, match="a must be an array of numbers, got 'x'"):
        v.as_array("a", "x")
    with pytest.raises(ValueError, match=re.escape("a must have 3 dimensions, got shape (2,)")):
        v.as_array("a", [1.0, 2.0], ndim=3)
    with pytest.raises(ValueError, match="a must be finite"):
        v.as_array("a", [np.nan])


@pytest.mark.parametrize("check", [v.as_array, v.as_vector, v.as_matrix])
@pytest.mark.parametrize("bad", [["1", "2"], [["1.5", "2"]], "12", b"1", None])
def test_strings_that_look_like_numbers_are_refused(check, bad) -> None:
    with pytest.raises(TypeError, match="numbers"):
        check("x", bad)


def test_the_shared_predicates() -> None:
    assert v.is_integer(3) and v.is_integer(np.int64(3))
    assert not v.is_integer(True) and not v.is_integer(np.bool_(True)) and not v.is_integer(3.0)
    assert v.is_real(1.5) and v.is_real(2) and v.is_real(np.float32(1))
    assert not v.is_real("1.5") and not v.is_real(False) and not v.is_real(None)
    assert v.real_number("r", 2) == 2.0
    with pytest.raises(TypeError, match="r must be a number"):
        v.real_number("r", "2")
    with pytest.raises(ValueError, match="finite"):
        v.real_number("r", math.nan)
    assert v.index_below("i", 2, 3) == 2
    with pytest.raises(ValueError, match=r"0\.\.2"):
        v.index_below("i", -1, 3)
    assert v.probability("p", 1) == 1.0 and v.discount_factor(0.5) == 0.5
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        v.discount_factor(1.0)
