"""Every chapter executes top to bottom (jupytext + nbclient), with no error
output and at least one glued number. Each chapter's key results are asserted
in its own file, tests/test_chapter_NN.py (a back-matter notebook such as the
play page: tests/test_NAME_page.py)."""

from __future__ import annotations

import pytest
from conftest import ROOT, ExecutedChapter, chapter_notebooks

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


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_chapter_is_in_the_toc_and_has_a_key_result_test(name: str) -> None:
    toc = (ROOT / "_toc.yml").read_text()
    assert f"chapters/{name}" in toc, f"chapters/{name}.md is not listed in _toc.yml"
    # Numbered chapters: test_chapter_NN.py; back-matter notebooks: test_NAME_page.py.
    stem = f"chapter_{name[:2]}" if name[:2].isdigit() else f"{name}_page"
    key_tests = ROOT / "tests" / f"test_{stem}.py"
    assert key_tests.is_file(), f"{name} has no key-result test file {key_tests.name}"
    assert f'"{name}"' in key_tests.read_text(), f"{key_tests.name} does not execute {name}"
