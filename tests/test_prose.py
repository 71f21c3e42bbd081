"""Numbers in the prose (daopt.prose and the book's {eval} role): the kernel's
``glued`` and the book's role print the same text, and bad input is refused."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st
from myst_nb.core.variables import format_plain_text

from daopt import prose

sys.path.insert(0, str(ROOT / "_ext"))
from book_extras import parse_glued

sys.path.remove(str(ROOT / "_ext"))


def test_glued_prints_what_the_book_prints(capsys: pytest.CaptureFixture[str]) -> None:
    prose.glue("test_rate", 0.754)
    prose.glue("test_count", 12345)
    prose.glue("test_word", "draw")
    assert prose.glued("test_rate", ".1%") == "75.4%"
    assert prose.glued("test_count", ",") == "12,345"
    assert prose.glued("test_word") == "draw"
    # Shown by the kernel without quotes, as the sentence reads.
    assert repr(prose.glued("test_word")) == "draw"


SPECS = [".1f", ".2%", ",.0f", ".3e", ""]


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(SPECS))
def test_glued_formats_like_glue_text(value: float, spec: str) -> None:
    prose.glue("test_value", value)
    assert prose.glued("test_value", spec) == format_plain_text(repr(value), spec)


def test_glued_before_glue_says_to_run_the_cells() -> None:
    with pytest.raises(LookupError, match=r"nothing is glued under 'never_glued'.*Run All"):
        prose.glued("never_glued")


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: prose.glue("bad name", 1.0), ValueError),
        (lambda: prose.glue("1st", 1.0), ValueError),
        (lambda: prose.glue(3, 1.0), TypeError),
        (lambda: prose.glue("none_value", None), ValueError),
        (lambda: prose.glue("x_flag", 1.0, display="no"), TypeError),
        (lambda: prose.glued("test_rate", 1), TypeError),
        (lambda: prose.glued("bad-name"), ValueError),
    ],
)
def test_bad_arguments_are_refused(call, error) -> None:
    prose.glue("test_rate", 0.754)
    with pytest.raises(error):
        call()


def test_a_format_that_does_not_fit_names_the_value() -> None:
    prose.glue("test_word", "draw")
    with pytest.raises(ValueError, match="cannot format 'test_word'"):
        prose.glued("test_word", ".1f")


@pytest.mark.parametrize(
    ("expression", "parsed"),
    [
        ('glued("rate", ".1%")', ("rate", ".1%")),
        ("glued('rate')", ("rate", "")),
        (' glued("n_games", ",") ', ("n_games", ",")),
    ],
)
def test_the_book_reads_the_same_name_and_format(expression: str, parsed: tuple) -> None:
    assert parse_glued(expression) == parsed


@pytest.mark.parametrize(
    "expression",
    [
        "rate",
        "glued(rate)",
        'glued("rate", spec=".1f")',
        'glued("rate", ".1f", "x")',
        'text("rate")',
        'glued("a b")',
        'glued("rate", "x:y")',
        "1 + 2",
        'glued("rate"',
    ],
)
def test_the_book_refuses_any_other_expression(expression: str) -> None:
    with pytest.raises(ValueError, match="glued"):
        parse_glued(expression)
