"""Numbers in the prose: one sentence, the same number in the book and in Jupyter.

A chapter computes a value in a code cell and glues it under a name,
``glue("policy_rate", rate)``; a sentence quotes it as
``{eval}`glued("policy_rate", ".1%")` ``. The two readers of that sentence
get the same text from the same record:

- in JupyterLab, jupyterlab-myst evaluates ``glued(...)`` in the kernel once
  the cells have run;
- in the built book, the book's Sphinx extension (``_ext/book_extras.py``)
  reads the same name and format from the glue record that MyST-NB keeps of
  the executed notebook, so the book needs no running kernel and its
  execution cache still works.

Both format the value's ``text/plain`` display with MyST-NB's own
``format_plain_text``, the function behind ``{glue:text}``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["glue", "glued"]

# The names the book's role accepts; kept simple so that a sentence's source
# stays readable and a typo cannot pass for a name.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# What this kernel has glued so far: name -> the value's text/plain display.
_PLAIN: dict[str, str] = {}


class _Text(str):
    """A string that displays without quotes, as the sentence should read."""

    def __repr__(self) -> str:
        return str(self)


def _check_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'policy_rate', got {name!r}")
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"name must be letters, digits and underscores, not starting with a digit, got {name!r}"
        )
    return name


def glue(name: str, value: Any, display: bool = False) -> None:
    """Record ``value`` under ``name`` for the prose: MyST-NB's glue (which the
    book and the tests read) plus this kernel's own record (which ``glued``
    reads). ``display=True`` also shows the value below the cell."""
    _check_name(name)
    if value is None:
        raise ValueError(f"nothing to glue under {name!r}: the value is None")
    if not isinstance(display, bool):
        raise TypeError(f"display must be True or False, got {display!r}")
    from IPython.core.formatters import format_display_data
    from myst_nb import glue as myst_glue

    bundle, _ = format_display_data(value)
    if "text/plain" not in bundle:
        raise TypeError(f"{name!r}: {type(value).__name__} has no text display to quote")
    myst_glue(name, value, display=display)
    _PLAIN[name] = bundle["text/plain"]


def glued(name: str, spec: str = "") -> str:
    """The text a sentence shows for the value glued under ``name``, formatted
    by the format ``spec`` (e.g. ``".1%"``, ``",.0f"``; "" shows it as it is)."""
    _check_name(name)
    if not isinstance(spec, str):
        raise TypeError(f"spec must be a format string such as '.1%', got {spec!r}")
    if name not in _PLAIN:
        raise LookupError(
            f"nothing is glued under {name!r} yet: run the cells that compute it "
            f"(Run All), then this sentence again"
        )
    from myst_nb.core.variables import format_plain_text

    try:
        return _Text(format_plain_text(_PLAIN[name], spec))
    except (TypeError, ValueError) as error:
        shown = _PLAIN[name]
        raise ValueError(f"cannot format {name!r} = {shown} with {spec!r}: {error}") from None
