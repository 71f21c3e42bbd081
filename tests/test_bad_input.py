"""Bad input, generated: public functions fed wrong types, bools, strings (numeric ones
too), NaN and infinities, negative or out-of-range numbers and wrong shapes raise a
TypeError or ValueError from daopt itself, never a silent result or an error from deep
inside numpy. The module counts the bad-input cases it tries and reports the number."""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daopt import arena, direct, envs, features, games, nn, planning, search, validation
from daopt.problems import ShiftedQuadratic

TRIED: Counter[str] = Counter()


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# --- bad values, by kind --------------------------------------------------------------------

WRONG_TYPES = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.sampled_from(["1", "2.5", "nan", "-3"]),  # numeric strings are still strings
    st.booleans(),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.just(object()),
    st.just(b"7"),
)
NON_FINITE = st.sampled_from([float("nan"), float("inf"), -float("inf"), np.nan, np.float64("inf")])
NOT_POSITIVE = st.one_of(st.integers(-(10**6), 0), st.floats(-1e6, 0.0), NON_FINITE)
NOT_INTEGER = st.floats(0.1, 1e3).filter(lambda v: v != int(v))

BAD_POSITIVE_INT = st.one_of(WRONG_TYPES, st.integers(-(10**6), 0), NOT_INTEGER, NON_FINITE)
BAD_POSITIVE_FLOAT = st.one_of(WRONG_TYPES, NOT_POSITIVE)


def bad_arrays(shape: tuple[int, ...]) -> st.SearchStrategy[Any]:
    """Arrays that should be refused where one of ``shape`` is expected: the wrong
    number of dimensions or sizes, NaN/inf entries, strings, or not an array at all."""
    wrong_shape = st.lists(st.integers(1, 4), min_size=0, max_size=3).filter(
        lambda s: tuple(s) != shape and len(s) != len(shape)
    )
    size = int(np.prod(shape))
    with_nan = st.tuples(st.integers(0, size - 1), NON_FINITE).map(
        lambda t: np.put(a := np.ones(shape), t[0], t[1]) or a
    )
    return st.one_of(
        WRONG_TYPES,
        wrong_shape.map(lambda s: np.ones(tuple(s))),
        with_nan,
        st.just(np.full(shape, "1")),  # an array of numeric strings
        st.just(np.ones(shape).tolist()).map(lambda v: [v, "x"]),
    )


# --- the calls: (name, argument, kind, call with the bad value) -------------------------------


def quadratic() -> ShiftedQuadratic:
    return ShiftedQuadratic()


X5 = np.linspace(-1, 1, 5)
SCALAR_CALLS: dict[str, tuple[st.SearchStrategy[Any], Callable[[Any], Any]]] = {
    "MLP sizes": (BAD_POSITIVE_INT, lambda v: nn.MLP([2, v, 1], rng())),
    "Adam learning_rate": (
        BAD_POSITIVE_FLOAT,
        lambda v: nn.Adam(nn.MLP([2, 1], rng()).params, learning_rate=v),
    ),
    "SGD momentum": (
        st.one_of(WRONG_TYPES, NON_FINITE, st.floats(1.0, 10.0), st.floats(-10.0, -0.01)),
        lambda v: nn.SGD(nn.MLP([2, 1], rng()).params, momentum=v),
    ),
    "gradient_descent step": (
        BAD_POSITIVE_FLOAT,
        lambda v: direct.gradient_descent(quadratic(), X5, X5, step=v, n_steps=3),
    ),
    "gradient_descent n_steps": (
        st.one_of(WRONG_TYPES, st.integers(-100, -1), NOT_INTEGER, NON_FINITE),
        lambda v: direct.gradient_descent(quadratic(), X5, X5, step=0.1, n_steps=v),
    ),
    "sample_positions n": (
        BAD_POSITIVE_INT,
        lambda v: arena.sample_positions(games.TicTacToe(), v, rng()),
    ),
    "minimax max_nodes": (
        BAD_POSITIVE_INT,
        lambda v: search.minimax(games.TicTacToe.from_cells("XXOOX...."), max_nodes=v),
    ),
    "alphabeta max_nodes": (
        BAD_POSITIVE_INT,
        lambda v: search.alphabeta(games.TicTacToe.from_cells("XXOOX...."), max_nodes=v),
    ),
    "random_shooting horizon": (
        BAD_POSITIVE_INT,
        lambda v: planning.random_shooting(
            envs.PointMass(1).step, envs.PointMass(1).reward, [0.0, 0.0], horizon=v,
            samples=4, rng=rng(), action_low=[-1.0], action_high=[1.0],
        ),
    ),
    "value_iteration tol": (
        BAD_POSITIVE_FLOAT,
        lambda v: planning.value_iteration(np.ones((1, 1, 1)), np.zeros((1, 1)), 0.5, tol=v),
    ),
    "value_iteration discount": (
        st.one_of(WRONG_TYPES, NON_FINITE, st.floats(1.0, 10.0), st.floats(-10.0, -0.01)),
        lambda v: planning.value_iteration(np.ones((1, 1, 1)), np.zeros((1, 1)), v),
    ),
    "PointMass dim": (BAD_POSITIVE_INT, lambda v: envs.PointMass(v)),
    "PointMass dt": (BAD_POSITIVE_FLOAT, lambda v: envs.PointMass(1, dt=v)),
    "ConnectFour can_play": (
        st.one_of(WRONG_TYPES, NOT_INTEGER, NON_FINITE),
        lambda v: games.ConnectFour().can_play(v),
    ),
    "TicTacToe play": (
        st.one_of(WRONG_TYPES, NOT_INTEGER, NON_FINITE, st.integers(-100, -1), st.integers(9, 99)),
        lambda v: games.TicTacToe().play(v),
    ),
    "probability": (
        st.one_of(WRONG_TYPES, NON_FINITE, st.floats(1.0001, 1e6), st.floats(-1e6, -1e-6)),
        lambda v: validation.probability("p", v),
    ),
}  # fmt: skip

SCORES = np.arange(6.0).reshape(2, 3)
MASKS = np.array([[True, False, True], [True, True, False]])
ARRAY_CALLS: dict[str, tuple[tuple[int, ...], Callable[[Any], Any]]] = {
    "gradient_descent x": ((5,), lambda v: direct.gradient_descent(quadratic(), v, X5, step=0.1,
                                                                    n_steps=2)),
    "gradient_descent y0": ((5,), lambda v: direct.gradient_descent(quadratic(), X5, v, step=0.1,
                                                                     n_steps=2)),
    "grid_search grid": ((4,), lambda v: direct.grid_search(quadratic(), X5, v)),
    "mse pred": ((3, 2), lambda v: nn.mse(v, np.ones((3, 2)))),
    "masked_softmax logits": ((2, 3), lambda v: nn.masked_softmax(v, MASKS)),
    "masked_argmax scores": ((2, 3), lambda v: features.masked_argmax(v, MASKS)),
    "MLP forward inputs": ((4, 2), lambda v: nn.MLP([2, 3, 1], rng()).forward(v)),
    "lqr_gain A": ((2, 2), lambda v: planning.lqr_gain(v, np.eye(2), np.eye(2), np.eye(2))),
    "lqr_gain R": ((2, 2), lambda v: planning.lqr_gain(np.eye(2), np.eye(2), np.eye(2), v)),
    "cem_update samples": ((4, 2), lambda v: planning.cem_update(v, np.arange(4.0), 2)),
    "PointMass step states": ((3, 2), lambda v: envs.PointMass(1).step(v, np.zeros((3, 1)))),
    "PointMass goal": ((2,), lambda v: envs.PointMass(2, goal=v)),
    "as_vector": ((3,), lambda v: validation.as_vector("v", v)),
}  # fmt: skip
#: Arguments where None is a valid value (it selects the default).
NONE_MEANS_DEFAULT = {"PointMass goal"}


def assert_refused_by_daopt(name: str, call: Callable[[], Any]) -> None:
    """``call`` raises TypeError/ValueError from inside daopt (its last frame in the
    package); it never returns a result."""
    TRIED[name] += 1
    try:
        result = call()
    except (TypeError, ValueError) as error:
        last = traceback.extract_tb(error.__traceback__)[-1]
        assert "/daopt/" in last.filename.replace("\\", "/"), (
            f"{name}: {type(error).__name__} raised outside daopt, in {last.filename}:"
            f"{last.lineno}: {error}"
        )
        return
    pytest.fail(f"{name}: bad input was accepted and gave {result!r}")


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", sorted(SCALAR_CALLS))
@given(data=st.data())
@SETTINGS
def test_bad_scalars_are_refused(name: str, data: st.DataObject) -> None:
    strategy, call = SCALAR_CALLS[name]
    bad = data.draw(strategy, label="bad value")
    assert_refused_by_daopt(name, lambda: call(bad))


@pytest.mark.parametrize("name", sorted(ARRAY_CALLS))
@given(data=st.data())
@SETTINGS
def test_bad_arrays_are_refused(name: str, data: st.DataObject) -> None:
    shape, call = ARRAY_CALLS[name]
    strategy = bad_arrays(shape)
    if name in NONE_MEANS_DEFAULT:
        strategy = strategy.filter(lambda v: v is not None)
    bad = data.draw(strategy, label="bad array")
    assert_refused_by_daopt(name, lambda: call(bad))


def test_good_values_pass_through_the_same_calls() -> None:
    # The bad-input tests mean something only if the same calls accept good values.
    good_scalars = {
        "MLP sizes": 3, "Adam learning_rate": 0.01, "SGD momentum": 0.5,
        "gradient_descent step": 0.1, "gradient_descent n_steps": 2,
        "sample_positions n": 3, "minimax max_nodes": 100, "alphabeta max_nodes": 100,
        "random_shooting horizon": 2, "value_iteration tol": 1e-6,
        "value_iteration discount": 0.5, "PointMass dim": 2, "PointMass dt": 0.05,
        "ConnectFour can_play": 3, "TicTacToe play": 4, "probability": 0.5,
    }  # fmt: skip
    assert set(good_scalars) == set(SCALAR_CALLS)
    for name, value in good_scalars.items():
        SCALAR_CALLS[name][1](value)
    for name, (shape, call) in ARRAY_CALLS.items():
        good = np.eye(2) if name.startswith("lqr") else np.ones(shape)
        call(good)


def test_cases_were_tried(capsys: pytest.CaptureFixture[str]) -> None:
    # Runs last in this module (pytest keeps the file's order): something was counted.
    if not TRIED:
        pytest.skip("run with the whole module to count the cases")
    total = sum(TRIED.values())
    with capsys.disabled():
        print(f"\ntest_bad_input: {total} bad-input cases tried over {len(TRIED)} arguments")
    assert set(TRIED) == set(SCALAR_CALLS) | set(ARRAY_CALLS)
    assert total >= 20 * len(TRIED)
