"""The chapters as a reader meets them in JupyterLab: `make lab`'s pinned
JupyterLab, started on 127.0.0.1 with a token, driven in headless Chromium.

For each chapter below, the test opens the ``.md`` file the way a double click
does (as a jupytext notebook, by the defaults in ``jupyter/overrides.json``),
runs every cell and checks that

1. no cell raised, and the chapter's figures were drawn (the kernels that
   JupyterLab starts keep their inline backend);
2. the MyST prose is rendered, not shown as raw markup, and every sentence
   that quotes a computed number shows it (``{eval}`glued(...)` ``, evaluated
   by jupyterlab-myst in the kernel), the same text the book prints;
3. saving the notebook leaves the chapter's file byte for byte as it was, so
   the chapters still diff cleanly after a reader opens them;
4. no request left the machine;

and clicks the chapter's widget: a legal move gets the agent's answer, an
illegal one the reason. The server runs in a scratch folder that holds copies
of the chapters (and a link to ``scripts/``, whose saved results they load),
and it is stopped whatever happens.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import CHAPTERS, ROOT
from myst_nb.core.variables import format_plain_text
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

sys.path.insert(0, str(ROOT / "_ext"))
from book_extras import parse_glued

sys.path.remove(str(ROOT / "_ext"))

JUPYTER = Path(sys.executable).parent / "jupyter"
LAB_CHAPTERS = ["01_two_ways", "02_games", "03_exhaustive_search", "04_mcts", "09_hybrid"]
START_TIMEOUT_S = 90
RUN_TIMEOUT_MS = 240_000
# Markup that jupyterlab-myst renders; seen raw, the reader meets MyST syntax.
RAW_MYST = (":::{", "```{", "{ref}`", "{cite}`", ":pyobject:", "(ch-")


@dataclass
class Lab:
    """A running JupyterLab: its base URL, token and the folder it serves."""

    url: str
    token: str
    root: Path
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    if not JUPYTER.is_file():
        pytest.fail(f"No JupyterLab at {JUPYTER}: install requirements-lab.txt (`make test` does)")
    root = tmp_path_factory.mktemp("lab")
    (root / "chapters").mkdir()
    for name in LAB_CHAPTERS:
        shutil.copy2(CHAPTERS / f"{name}.md", root / "chapters" / f"{name}.md")
    (root / "scripts").symlink_to(ROOT / "scripts")
    token = secrets.token_hex(16)
    port = free_port()
    log = root / "server.log"
    command = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        # A reader's own workspace and settings stay out of the test.
        f"--LabApp.workspaces_dir={root / '.workspaces'}",
        f"--LabApp.user_settings_dir={root / '.settings'}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")  # as `make lab` does
    with log.open("w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_up(url, token, server, log)
        yield Lab(url, token, root, log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@dataclass
class Session:
    """A chapter open in JupyterLab, and what the page asked of the network."""

    page: Page
    outside_requests: list[str] = field(default_factory=list)

    def run(self, script: str, argument: object = None) -> object:
        return self.page.evaluate(script, argument)


def open_chapter(browser: Browser, lab: Lab, name: str) -> Session:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    session = Session(page)

    def on_request(request) -> None:
        if not request.url.startswith((lab.url, "data:", "blob:")):
            session.outside_requests.append(request.url)

    page.on("request", on_request)
    # A workspace of its own, reset: no tab of an earlier chapter is restored.
    page.goto(f"{lab.url}lab/workspaces/{name}?reset&token={lab.token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
    page.evaluate(
        "async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }"
    )
    # With the default viewer, as a double click in the file browser opens it.
    opened = session.run(
        """async (path) => {
            const app = window.jupyterapp;
            const factory = app.docRegistry.defaultWidgetFactory(path).name;
            const widget = await app.commands.execute('docmanager:open', {path});
            await widget.context.ready;
            const cells = widget.content && widget.content.model && widget.content.model.cells;
            return {factory, notebook: !!cells};
        }""",
        f"chapters/{name}.md",
    )
    assert opened == {"factory": "Jupytext Notebook", "notebook": True}, (
        f"{name}.md does not open as a notebook by default: {opened}"
    )
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel; }"
    )
    return session


def run_all_cells(session: Session) -> list[dict]:
    """Run every cell; wait until each code cell ran and the kernel is idle."""
    session.run(
        "async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
    )
    session.page.wait_for_function(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            const kernel = w.sessionContext.session.kernel;
            const cells = [...w.content.model.cells];
            const code = cells.filter((c) => c.type === 'code');
            return code.length > 0 && kernel.status === 'idle'
                && code.every((c) => c.executionCount !== null);
        }""",
        timeout=RUN_TIMEOUT_MS,
        polling=500,
    )
    return session.run(
        "() => [...window.jupyterapp.shell.currentWidget.content.model.cells]"
        ".map((cell) => cell.toJSON())"
    )


def check_quoted_numbers(session: Session, name: str, cells: list[dict]) -> None:
    """Every ``{eval}`` sentence shows the number the book shows for it.

    jupyterlab-myst stores each evaluated expression's result in the markdown
    cell's ``user_expressions`` metadata; the book formats the glue record with
    MyST-NB's ``format_plain_text``. Both must agree, expression by expression.
    """
    quoting = [i for i, cell in enumerate(cells) if cell["cell_type"] == "markdown"
               and "{eval}`" in "".join(cell["source"])]  # fmt: skip
    assert quoting, f"{name} quotes no computed number in its prose"
    try:
        session.page.wait_for_function(
            """(indices) => {
                const cells = [...window.jupyterapp.shell.currentWidget.content.model.cells];
                return indices.every((i) => cells[i].getMetadata('user_expressions'));
            }""",
            arg=quoting,
            timeout=60_000,
        )
    except PlaywrightTimeoutError:
        missing = session.run(
            """(indices) => {
                const cells = [...window.jupyterapp.shell.currentWidget.content.model.cells];
                return indices.filter((i) => !cells[i].getMetadata('user_expressions'));
            }""",
            quoting,
        )
        pytest.fail(f"{name}: jupyterlab-myst never evaluated the numbers of cells {missing}")
    cells = session.run(
        "() => [...window.jupyterapp.shell.currentWidget.content.model.cells]"
        ".map((cell) => cell.toJSON())"
    )
    plain = {
        output["metadata"]["scrapbook"]["name"]: next(
            v for k, v in output["data"].items() if k.endswith("text/plain")
        )
        for cell in cells if cell["cell_type"] == "code"
        for output in cell.get("outputs", []) if "scrapbook" in output.get("metadata", {})
    }  # fmt: skip
    shown = [
        (expression["expression"], expression["result"])
        for i in quoting
        for expression in cells[i]["metadata"]["user_expressions"]
    ]
    assert shown, f"{name}: jupyterlab-myst evaluated no sentence"
    wrong = []
    for expression, result in shown:
        key, spec = parse_glued(expression)
        book = format_plain_text(plain[key], spec)
        text = result.get("data", {}).get("text/plain")
        if result.get("status") != "ok" or text != book:
            wrong.append(f"{expression}: JupyterLab {result.get('evalue', text)!r}, book {book!r}")
    assert not wrong, f"{name}: sentences JupyterLab shows differently: {wrong}"
    # The prose re-renders a moment after the results arrive.
    raw_text = (
        "() => [...window.jupyterapp.shell.currentWidget.node"
        ".querySelectorAll('.jp-MarkdownCell .myst')].map((e) => e.textContent)"
        ".filter((t) => t.includes('glued(')).map((t) => t.slice(t.indexOf('glued(') - 60,"
        " t.indexOf('glued(') + 40))"
    )
    try:
        session.page.wait_for_function(f"() => ({raw_text})().length === 0", timeout=30_000)
    except PlaywrightTimeoutError:
        pass
    text = "\n".join(session.run(raw_text))
    assert not text, f"{name}: sentences show their expression, not their number: {text}"


STATUS = ".widget-html b"  # the play widget's status line


def widget_status(page: Page) -> str:
    return page.locator(STATUS).first.text_content() or ""


def check_connect_four_widget(page: Page) -> None:
    """Chapter 2's play widget: Connect Four against the random agent."""
    buttons = page.locator(".jupyter-widgets button")
    assert buttons.count() > 0, "the play widget is not on the page"
    buttons.first.scroll_into_view_if_needed()
    assert widget_status(page).startswith("Your move"), widget_status(page)

    def click_column(column: str) -> str:
        before = widget_status(page)
        buttons.filter(has_text=column).first.click()
        # The widget first says the agent is thinking, then gives its answer.
        page.wait_for_function(
            "([selector, before]) => { const text = document.querySelector(selector).textContent;"
            " return text !== before && !text.startsWith('The agent is thinking'); }",
            arg=[STATUS, before],
        )
        return widget_status(page)

    assert click_column("4").startswith("The agent played column")
    # Keep dropping stones in column 1 until a click there is refused: the
    # column fills, or the game ends (four in a row up column 1 wins against
    # a random player) and the next click is refused.
    statuses = []
    for _ in range(10):
        statuses.append(click_column("1"))
        if statuses[-1].startswith(("Column 1 is full", "The game is over")):
            break
    assert statuses[-1].startswith(("Column 1 is full", "The game is over")), statuses


def column_button(root, column: int):
    """The button above Connect Four column ``column`` (1-based) inside ``root``."""
    return root.locator("button").filter(has_text=re.compile(rf"^{column}$"))


def fill_column_one(root, status) -> list[str]:
    """Drop stones in column 1 until a click there is refused (the column is
    full or the game is over); the statuses seen, the refusal last."""
    statuses = []
    for _ in range(10):
        before = status.text_content()
        column_button(root, 1).click()
        expect(status).not_to_have_text(before or "", timeout=60_000)
        expect(status).not_to_contain_text("thinking", timeout=60_000)
        statuses.append(status.text_content() or "")
        if statuses[-1].startswith(("Column 1 is full", "The game is over")):
            break
    return statuses


def check_mcts_widget(page: Page) -> None:
    """Chapter 4's widget: MCTS at a budget chosen with the slider, its root
    visits shown, clicks refused while it thinks and on a full column."""
    root = page.locator(".daopt-mcts")
    assert root.count() == 1, "the MCTS widget is not on the page"
    root.scroll_into_view_if_needed()
    status = root.locator(".widget-html b").first
    expect(status).to_have_text("Your move: you play X.")
    readout = root.locator(".daopt-budget .widget-readout")
    handle = root.locator(".daopt-budget .noUi-handle")
    expect(readout).to_have_text("1,000")

    def set_budget(key: str, shown: str) -> None:
        handle.focus()
        handle.press(key)
        expect(readout).to_have_text(shown)
        expect(status).to_contain_text(f"The agent now searches {shown} simulations a move.")

    set_budget("ArrowLeft", "300")
    set_budget("ArrowLeft", "100")
    column_button(root, 4).click()
    expect(status).to_have_text(
        re.compile(r"^The agent played column \d \(\d+ of its 100 simulations\)\. Your move")
    )
    counts = [
        int(t.replace(",", ""))
        for t in root.locator(".daopt-visits .visits").all_text_contents()
        if t
    ]
    assert len(counts) == 7 and sum(counts) == 100, counts
    expect(root.locator(".widget-html small").filter(has_text="agent's last move")).to_contain_text(
        "simulations 100"
    )
    # The largest budget runs long enough to click during the search: the
    # kernel handles that click between chunks, and refuses it.
    set_budget("End", "10,000")
    column_button(root, 4).click()
    expect(status).to_contain_text("The agent is thinking")
    column_button(root, 5).click()
    # Read the refusal as soon as it shows (it lasts until the search ends, with the
    # count so far): the click was refused part-way through the search. Then the
    # progress bar must move past that count while the search goes on. Expecting the
    # bar to read "searching" at one instant would race the search's end.
    refusal = re.compile(
        r"Wait: the agent is thinking \(([\d,]+) of 10,000 simulations\); "
        r"your click on column 5 was ignored\."
    )
    deadline = time.monotonic() + 10  # s: the click was answered between chunks
    while not (match := refusal.search(status.text_content() or "")):
        assert time.monotonic() < deadline, f"no refusal shown: {status.text_content()!r}"
        page.wait_for_timeout(20)
    refused_at = int(match.group(1).replace(",", ""))
    assert refused_at < 10_000, refused_at
    progress = root.locator(".daopt-progress")
    deadline = time.monotonic() + 120
    while True:
        reading = (progress.text_content() or "").strip()
        searching = re.fullmatch(r"searching: ([\d,]+) / 10,000", reading)
        if reading == "done: 10,000 simulations" or (
            searching and int(searching.group(1).replace(",", "")) > refused_at
        ):
            break
        assert searching and time.monotonic() < deadline, (reading, refused_at)
        page.wait_for_timeout(20)
    expect(status).to_have_text(re.compile(r"^The agent played column"), timeout=120_000)
    counts = [
        int(t.replace(",", ""))
        for t in root.locator(".daopt-visits .visits").all_text_contents()
        if t
    ]
    assert sum(counts) == 10_000, counts
    expect(progress).to_have_text("done: 10,000 simulations")
    # The move refused during the search was not played: 2 stones each.
    assert root.locator('div[title="X"]').count() == 2
    set_budget("Home", "10")
    statuses = fill_column_one(root, status)
    assert statuses[-1].startswith(("Column 1 is full", "The game is over")), statuses


def check_gated_widget(page: Page) -> None:
    """Chapter 9's widget: the gated agent answers with how it chose (planned or
    from the policy, or a forced move) and the move's cost, and a running total."""
    root = page.locator(".daopt-gated")
    assert root.count() == 1, "the gated agent's widget is not on the page"
    root.scroll_into_view_if_needed()
    status = root.locator(".widget-html b").first
    expect(status).to_have_text("Your move: you play X.")
    column_button(root, 3).click()
    how = r"(planned \(ran PUCT\)|acted from the policy|forced \(a one-move tactical check\))"
    expect(status).to_have_text(
        re.compile(rf"^The agent played column \d: {how}, cost .*seconds [\d.e-]+\. Your move")
    )
    answer = status.text_content() or ""
    if "planned" in answer:
        assert "simulations" in answer and "network passes" in answer, answer
    elif "policy" in answer:
        assert "network passes" in answer and "simulations" not in answer, answer
    expect(root.locator(".daopt-log tr.agent-move")).to_have_count(1)
    expect(root.locator(".daopt-total")).to_contain_text(re.compile(r"^This game: 1 agent move \("))
    statuses = fill_column_one(root, status)
    assert statuses[-1].startswith(("Column 1 is full", "The game is over")), statuses
    moves = root.locator(".daopt-log tr.agent-move").count()
    assert moves >= 2
    expect(root.locator(".daopt-total")).to_contain_text(f"This game: {moves} agent moves (")


def wait_for_new_text(locator: Locator, before: str, *, timeout_s: float = 60) -> str:
    """``locator``'s text once it differs from ``before`` and the agent is not
    thinking (the kernel has answered). The locator is looked up afresh each
    time: an HTML widget replaces its nodes when its value changes."""
    deadline = time.monotonic() + timeout_s
    text = before
    while time.monotonic() < deadline:
        text = locator.text_content() or ""
        if text != before and not text.startswith("The agent is thinking"):
            return text
        time.sleep(0.2)
    pytest.fail(f"the widget did not answer within {timeout_s:.0f} s; it still shows {text!r}")


def check_two_ways_widget(page: Page) -> None:
    """Chapter 1's knobs: one step of the K slider changes the numbers and the figure."""
    widget = page.locator(".daopt-two-ways")
    assert widget.count() == 1, "chapter 1's slider widget is not on the page"
    widget.scroll_into_view_if_needed()
    readout = widget.locator(".widget-html-content").first
    image = widget.locator("img").first
    before, picture = readout.text_content() or "", image.get_attribute("src")
    assert "K = 30" in before and "N* = " in before, before
    handle = widget.locator(".widget-slider").nth(1).locator(".noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowRight")  # K = 31: the slider as a reader's keyboard moves it
    after = wait_for_new_text(readout, before)
    assert "K = 31" in after and "K = 30" not in after, after
    deadline = time.monotonic() + 60
    while image.get_attribute("src") == picture:
        assert time.monotonic() < deadline, "the figure was not redrawn"
        time.sleep(0.2)


def check_move_values_widget(page: Page) -> None:
    """Chapter 3's board: a legal click gets the solver's reply and new values,
    a click on a taken cell the reason."""
    widget = page.locator(".daopt-values")
    assert widget.count() == 1, "chapter 3's board of move values is not on the page"
    widget.scroll_into_view_if_needed()
    status = widget.locator(".widget-html-content").first

    def cell(number: int) -> Locator:
        return widget.locator(f'button[title="cell {number}"]')

    assert (status.text_content() or "").startswith("Your move"), status.text_content()
    assert [cell(n).text_content() for n in range(9)] == ["0"] * 9  # every opening draws
    before = status.text_content() or ""
    cell(1).click()  # an edge: the solver answers in the corner, cell 0
    after = wait_for_new_text(status, before)
    assert after.startswith("The agent played cell 0. Your move"), after
    shown = [cell(n).text_content() for n in range(9)]
    assert shown == ["O", "X", "−1", "0", "0", "−1", "0", "−1", "0"], shown
    cell(1).click()
    refused = wait_for_new_text(status, after)
    assert refused.startswith("Cell 1 is taken."), refused
    assert [cell(n).text_content() for n in range(9)] == shown


# The widget each chapter's test clicks after the checks above.
WIDGET_CHECKS = {
    "01_two_ways": check_two_ways_widget,
    "02_games": check_connect_four_widget,
    "03_exhaustive_search": check_move_values_widget,
    "04_mcts": check_mcts_widget,
    "09_hybrid": check_gated_widget,
}


@pytest.mark.parametrize("name", LAB_CHAPTERS)
def test_chapter_runs_renders_saves_and_plays_in_jupyterlab(
    lab: Lab, browser: Browser, name: str
) -> None:
    session = open_chapter(browser, lab, name)
    page = session.page
    try:
        cells = run_all_cells(session)
        code = [cell for cell in cells if cell["cell_type"] == "code"]
        assert code, f"{name} opened with no code cell"
        errors = [
            f"cell {index}: {output.get('ename')}: {output.get('evalue')}"
            for index, cell in enumerate(code)
            for output in cell.get("outputs", [])
            if output.get("output_type") == "error"
        ]
        assert not errors, f"{name} raised in JupyterLab: {errors}"
        images = sum(
            "image/png" in output.get("data", {})
            for cell in code
            for output in cell.get("outputs", [])
        )
        assert images > 0, f"{name} drew no figure in JupyterLab's kernel"

        # jupyterlab-myst renders each markdown cell into a ".myst" block.
        prose = page.locator(".jp-MarkdownCell .myst")
        assert prose.count() > 0, "no prose rendered by jupyterlab-myst"
        text = "\n".join(prose.all_text_contents())
        raw = [marker for marker in RAW_MYST if marker in text]
        assert not raw, f"MyST markup shown raw in {name}: {raw}"
        assert page.locator(".jp-MarkdownCell aside.myst-admonition").count() > 0, (
            "the chapter's opening admonition is not rendered as one"
        )

        check_quoted_numbers(session, name, cells)
        WIDGET_CHECKS[name](page)  # a legal click gets an answer, an illegal one the reason

        session.run("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty")
        saved = (lab.root / "chapters" / f"{name}.md").read_bytes()
        assert saved == (CHAPTERS / f"{name}.md").read_bytes(), (
            f"opening and saving {name}.md in JupyterLab rewrote it"
        )
        assert not session.outside_requests, (
            f"requests left the machine: {session.outside_requests}"
        )
    finally:
        page.screenshot(path=str(lab.root / f"{name}.png"), full_page=False)
        page.close()
