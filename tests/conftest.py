"""Shared fixtures: the repository layout and chapters executed once per session."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jupytext
import matplotlib
import nbformat
import pytest
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from nbclient import NotebookClient
from playwright.sync_api import Browser, sync_playwright

# The test process itself draws no window. Set here, never in the environment:
# the chapter kernels must keep ipykernel's inline backend (see the Makefile).
matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"
BUILD = ROOT / "_build"
# Must match `execute.cache` in _config.yml: the book build reuses what the
# tests executed instead of executing every chapter again.
EXECUTION_CACHE = BUILD / ".jupyter_cache"
EXECUTED = BUILD / "executed"

# Debian's Chromium, as the browser tests drive it (the Makefile passes CHROMIUM).
CHROMIUM = os.environ.get("DAOPT_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SCRIPTS = ROOT / "scripts"
RESULTS = SCRIPTS / "results"


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``scripts/<name>`` with ``args`` as a reader would, BLAS on one thread."""
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )


def saved(name: str) -> dict:
    """A script's saved result, ``scripts/results/<name>``."""
    return json.loads((RESULTS / name).read_text())


def chapter_notebooks() -> list[Path]:
    """Every chapter written as a notebook (a MyST file with a kernelspec)."""
    notebooks = []
    for path in sorted(CHAPTERS.glob("*.md")):
        text = path.read_text()
        front_matter = text.split("---", 2)[1] if text.startswith("---") else ""
        if "kernelspec:" in front_matter:
            notebooks.append(path)
    return notebooks


# Calls in a code cell that put a figure on the page.
DRAWING_CALL = re.compile(r"\b(?:plt\.|plots\.figure\(|board_figure\(|\.imshow\(|\.plot\()")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
HIDDEN_OUTPUT_TAGS = {"remove-output", "remove-cell"}


def draws_figures(path: Path) -> bool:
    """True if a code cell of the MyST chapter at ``path`` makes a figure."""
    notebook = jupytext.read(path)
    return any(
        cell.cell_type == "code" and DRAWING_CALL.search(cell.source) for cell in notebook.cells
    )


def shown_images(notebook: nbformat.NotebookNode) -> int:
    """Image outputs an executed notebook shows in place on its page.

    Outputs of cells tagged ``remove-output``/``remove-cell`` are not shown;
    glued outputs (scrapbook metadata) appear only where the prose asks for
    them, and these chapters glue numbers, not figures.
    """
    count = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if HIDDEN_OUTPUT_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            if "scrapbook" in output.get("metadata", {}):
                continue
            if any(kind in output.get("data", {}) for kind in IMAGE_TYPES):
                count += 1
    return count


@dataclass
class ExecutedChapter:
    """A chapter executed top to bottom: the notebook with outputs and its wall time."""

    name: str
    notebook: nbformat.NotebookNode
    seconds: float

    def glued(self) -> dict[str, Any]:
        """Every value the chapter glued into its prose, by name."""
        values: dict[str, Any] = {}
        for cell in self.notebook.cells:
            for output in cell.get("outputs", []):
                name = output.get("metadata", {}).get("scrapbook", {}).get("name")
                if name is None:
                    continue
                text = next(v for k, v in output["data"].items() if k.endswith("text/plain"))
                values[name] = ast.literal_eval(text)
        return values

    def glued_text(self) -> dict[str, str]:
        """The text/plain display of every glued value, by name (what the book formats)."""
        return {
            output["metadata"]["scrapbook"]["name"]: next(
                v for k, v in output["data"].items() if k.endswith("text/plain")
            )
            for cell in self.notebook.cells
            for output in cell.get("outputs", [])
            if "scrapbook" in output.get("metadata", {})
        }


def execute_chapter(path: Path) -> ExecutedChapter:
    """Execute ``path`` in its own folder (as the book build does) and cache the result."""
    notebook = jupytext.read(path)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        record_timing=False,  # timing metadata would change the cache key
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, EXECUTED / f"{path.stem}.ipynb")
    get_cache(str(EXECUTION_CACHE)).cache_notebook_bundle(
        CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds}),
        check_validity=False,
        overwrite=True,
    )
    return ExecutedChapter(path.stem, notebook, seconds)


_executed: dict[str, ExecutedChapter] = {}


@pytest.fixture(scope="session")
def executed_chapters() -> dict[str, ExecutedChapter]:
    """A session-wide memo: each chapter runs once, however many tests read it."""
    return _executed


@pytest.fixture
def chapter(request: pytest.FixtureRequest, executed_chapters: dict[str, ExecutedChapter]):
    """The executed chapter named by the test's ``chapter_name`` parameter."""
    name: str = request.param
    if name not in executed_chapters:
        executed_chapters[name] = execute_chapter(CHAPTERS / f"{name}.md")
    return executed_chapters[name]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print each executed chapter's wall time (speed is reported, never asserted)."""
    if not _executed:
        return
    terminalreporter.section("chapter execution times")
    for name, executed in sorted(_executed.items()):
        terminalreporter.write_line(f"{name:<32} {executed.seconds:6.1f} s")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium (Debian's) for a test module's pages."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: install Debian's chromium (`make test` does it "
            "where it can) or set DAOPT_CHROMIUM"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
