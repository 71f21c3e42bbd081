"""Every chapter executes top to bottom (jupytext + nbclient), with no error
output and at least one glued number. Each chapter's key results are asserted
in its own file, tests/test_chapter_NN.py (a back-matter notebook such as the
play page: tests/test_NAME_page.py)."""

from __future__ import annotations

import re
import sys

import pytest
import yaml
from conftest import CHAPTERS, ROOT, ExecutedChapter, chapter_notebooks, draws_figures, shown_images

NOTEBOOKS = [path.stem for path in chapter_notebooks()]


def test_there_are_chapters() -> None:
    assert "01_two_ways" in NOTEBOOKS, NOTEBOOKS


@pytest.mark.parametrize("chapter", NOTEBOOKS, indirect=True)
def test_chapter_executes(chapter: ExecutedChapter) -> None:
    errors = [
        output
        for cell in chapter.notebook.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors
    assert chapter.glued(), f"{chapter.name} glues no number into its prose"


@pytest.mark.parametrize("chapter", NOTEBOOKS, indirect=True)
def test_chapter_that_draws_shows_its_figures(chapter: ExecutedChapter) -> None:
    """A kernel without its inline backend (MPLBACKEND set) draws nothing, silently."""
    if not draws_figures(CHAPTERS / f"{chapter.name}.md"):
        pytest.skip(f"{chapter.name} draws no figure")
    assert shown_images(chapter.notebook) > 0, (
        f"{chapter.name} draws figures but its executed notebook holds no image: "
        "is MPLBACKEND set in the kernel's environment?"
    )


def test_the_figure_detector_finds_figures() -> None:
    drawing = [name for name in NOTEBOOKS if draws_figures(CHAPTERS / f"{name}.md")]
    assert len(drawing) >= len(NOTEBOOKS) - 1, f"only {drawing} draw figures"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_is_in_the_toc_and_has_a_key_result_test(name: str) -> None:
    toc = (ROOT / "_toc.yml").read_text()
    assert f"chapters/{name}" in toc, f"chapters/{name}.md is not listed in _toc.yml"
    # Numbered chapters: test_chapter_NN.py; back-matter notebooks: test_NAME_page.py.
    stem = f"chapter_{name[:2]}" if name[:2].isdigit() else f"{name}_page"
    key_tests = ROOT / "tests" / f"test_{stem}.py"
    assert key_tests.is_file(), f"{name} has no key-result test file {key_tests.name}"
    assert f'"{name}"' in key_tests.read_text(), f"{key_tests.name} does not execute {name}"


# The header JupyterLab writes back when it saves a chapter (kernelspec keys
# in its order, ipykernel's display name). Any other header is rewritten as
# soon as a reader opens the chapter there (tests/test_lab.py shows it).
STABLE_KERNELSPEC = """kernelspec:
  name: python3
  display_name: Python 3 (ipykernel)
  language: python
---
"""


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_header_survives_a_save_in_jupyterlab(name: str) -> None:
    front_matter = (CHAPTERS / f"{name}.md").read_text().split("---", 2)[1]
    assert f"{front_matter}---\n".endswith(STABLE_KERNELSPEC), (
        f"{name}.md's kernelspec differs from what JupyterLab writes back: use\n{STABLE_KERNELSPEC}"
    )


def test_every_part_with_chapters_is_numbered() -> None:
    """A part without its own ``numbered`` leaves its chapters unnumbered, and their
    exercises numbered across the book instead of per chapter."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    parts = [
        part
        for part in toc["parts"]
        if any(entry["file"].split("/")[-1][:2].isdigit() for entry in part["chapters"])
    ]
    assert parts, "no part holds a numbered chapter"
    unnumbered = [part["caption"] for part in parts if not part.get("numbered")]
    assert not unnumbered, f"parts without `numbered: 1` in _toc.yml: {unnumbered}"


def test_every_bibliography_entry_parses_on_its_own() -> None:
    """An entry left open swallows the next one without an error from the build."""
    from pybtex.database import parse_file

    path = ROOT / "chapters" / "references.bib"
    starts = re.findall(r"^@\w+\{([^,]+),", path.read_text(), flags=re.MULTILINE)
    assert starts, "no entries in references.bib"
    parsed = parse_file(str(path)).entries
    assert sorted(parsed) == sorted(starts), set(starts) ^ set(parsed)
    for key, entry in parsed.items():
        assert all("@" not in value for value in entry.fields.values()), f"{key} runs on"


# A sentence quotes a number as {eval}`glued("name", "spec")` (daopt.prose):
# the book renders it from the glue record, JupyterLab evaluates it in the kernel.
EVAL_ROLE = re.compile(r"\{eval\}`([^`]*)`")


def _parse_glued():
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        from book_extras import parse_glued
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    return parse_glued


@pytest.mark.parametrize("chapter", NOTEBOOKS, indirect=True)
def test_every_quoted_number_is_glued_and_formats(chapter: ExecutedChapter) -> None:
    from myst_nb.core.variables import format_plain_text

    text = (CHAPTERS / f"{chapter.name}.md").read_text()
    assert "{glue:" not in text, (
        f"{chapter.name} quotes with {{glue:...}}, which JupyterLab shows raw: "
        'use {eval}`glued("name", "spec")`'
    )
    expressions = EVAL_ROLE.findall(text)
    assert expressions, f"{chapter.name} quotes no computed number in its prose"
    parse_glued = _parse_glued()
    plain = chapter.glued_text()
    problems = []
    for expression in expressions:
        try:
            name, spec = parse_glued(expression)
            format_plain_text(plain[name], spec)
        except (ValueError, TypeError, KeyError) as error:
            problems.append(f"{expression}: {type(error).__name__} {error}")
    assert not problems, f"{chapter.name}: sentences that cannot show their number: {problems}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_saving_in_jupyterlab_keeps_evaluated_sentences_out_of_the_file(name: str) -> None:
    front_matter = (CHAPTERS / f"{name}.md").read_text().split("---", 2)[1]
    jupytext_settings = yaml.safe_load(front_matter)["jupytext"]
    assert "-user_expressions" in jupytext_settings.get("cell_metadata_filter", ""), (
        f"{name}.md: add `cell_metadata_filter: -user_expressions` under `jupytext:`"
    )
