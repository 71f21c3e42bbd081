"""The built book, opened in a real browser (Chromium driven by Playwright).

Every page of ``_build/html/chapters/`` and the root ``index.html`` (a redirect
to the introduction) is loaded from a local HTTP server and checked for:

1. no console error and no uncaught page error;
2. no request to any host but the local server (``data:`` and ``blob:`` URLs
   are allowed), no failed request, no local response with status >= 400;
3. typeset math: no raw ``$$``, ``\\[``, ``\\(`` or ``\\begin{`` in the text of
   the page's main content (code blocks excepted), and every Sphinx ``.math``
   element rendered by MathJax into an ``mjx-container``;
4. every ``<img>`` loaded (forced eager, then ``complete`` with a non-zero
   natural width), and as many of them in the page's main content as the
   executed notebook behind the page has image outputs to show; a chapter
   whose code draws figures must show at least one;
5. every exercise with a solution folded by default that links back to it,
   and the page's first solution opening on a click;
6. every number a sentence quotes (``{eval}`glued(...)` ``) shown as text: as
   many pasted numbers on the page as the source quotes, and no expression
   left in the text;

Every check that counts things also checks that there was something to count:
a page whose source has math, figures or exercises must show them, so that an
empty page cannot pass.
7. a full-page screenshot, saved to ``<build>/screenshots/<page>.png``
   (``_build/screenshots/`` for the normal build).

Build the book first (``make book``); the tests fail if it is missing.

Environment variables:

``DAOPT_HTML_DIR``
    Serve this directory instead of ``_build/html`` (for example a scratch
    copy with a deliberately broken page, to see a check fail). Screenshots
    then go to ``screenshots/`` next to that directory; the executed notebooks
    are the ones the pages offer for download, under its ``_sources/``.
``DAOPT_CHROMIUM``
    The Chromium to drive (default ``/usr/bin/chromium``; the Makefile passes
    its ``CHROMIUM``).
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import jupytext
import nbformat
import pytest

# CHROMIUM and CHROMIUM_ARGS stay importable from here for the other browser tests.
from conftest import CHROMIUM, CHROMIUM_ARGS, draws_figures, shown_images  # noqa: F401
from PIL import Image
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
)
from playwright.sync_api import (
    Error as PlaywrightError,
)

ROOT = Path(__file__).resolve().parent.parent
HTML_DIR = Path(os.environ.get("DAOPT_HTML_DIR") or ROOT / "_build" / "html").resolve()
SCREENSHOTS = HTML_DIR.parent / "screenshots"
# The executed notebooks as the book offers them for download (outputs included).
EXECUTED_NOTEBOOKS = HTML_DIR / "_sources"
BUILD_HINT = "run the book build first: `make book`"

VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000
RAW_MATH = ("$$", "\\[", "\\(", "\\begin{")
MISSING_CHAPTERS = "<missing chapters directory>"


def rendered_pages() -> list[str]:
    """Every chapter page plus the root redirect, as paths relative to the build."""
    chapters = HTML_DIR / "chapters"
    if chapters.is_dir():
        pages = sorted(p.relative_to(HTML_DIR).as_posix() for p in chapters.glob("*.html"))
    else:
        pages = [MISSING_CHAPTERS]
    return [*pages, "index.html"]


@dataclass(frozen=True)
class Expected:
    """What a page must show, read from its source and its executed notebook."""

    images: int
    draws: bool
    math: bool
    exercises: int
    quoted: int


# Inline or display math in MyST prose: $...$, $$...$$, {math}, \begin{...}.
MATH_SOURCE = re.compile(r"\$[^$\n]+\$|\{math\}|\\begin\{")
EXERCISE_SOURCE = re.compile(r"^`{3,}\{exercise\}", flags=re.MULTILINE)
QUOTED_SOURCE = re.compile(r"\{eval\}`glued\(")


def source_of(page: str) -> Path:
    """The MyST file a page was built from (the root redirects to the preface)."""
    if page == "index.html":
        return ROOT / "chapters" / "intro.md"
    return (ROOT / page).with_suffix(".md")


def expected(page: str) -> Expected:
    """Images, math and exercises the page's source says it must show."""
    source = source_of(page)
    notebook = jupytext.read(source)
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    executed = EXECUTED_NOTEBOOKS / source.relative_to(ROOT).with_suffix(".ipynb")
    images = shown_images(nbformat.read(executed, as_version=4)) if executed.is_file() else 0
    return Expected(
        images=images + len(re.findall(r"!\[[^\]]*\]\(", prose)),
        draws=draws_figures(source),
        math=bool(MATH_SOURCE.search(prose)),
        exercises=len(EXERCISE_SOURCE.findall(source.read_text())),
        quoted=len(QUOTED_SOURCE.findall(source.read_text())),
    )


def screenshot_name(page: str) -> str:
    """``chapters/01_two_ways.html`` -> ``chapters_01_two_ways.png``."""
    return page.removesuffix(".html").replace("/", "_") + ".png"


class QuietHandler(SimpleHTTPRequestHandler):
    """A static file handler that does not log every request to stderr."""

    def log_message(self, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """Serve the built HTML on 127.0.0.1 and a free port; yield the base URL."""
    handler = partial(QuietHandler, directory=str(HTML_DIR))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    try:
        yield f"http://{host}:{port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@dataclass
class PageLog:
    """What the browser reported while a page loaded, as readable problems."""

    base: str
    problems: list[str] = field(default_factory=list)

    def local(self, url: str) -> bool:
        """True for the local server's URLs and for ``data:``/``blob:`` URLs."""
        parts, base = urlsplit(url), urlsplit(self.base)
        if parts.scheme in {"data", "blob"}:
            return True
        return (parts.scheme, parts.netloc) == (base.scheme, base.netloc)

    def on_console(self, message: ConsoleMessage) -> None:
        """Record console errors."""
        if message.type == "error":
            where = message.location.get("url", "")
            self.problems.append(f"console error: {message.text} ({where})")

    def on_pageerror(self, error: PlaywrightError) -> None:
        """Record uncaught exceptions."""
        self.problems.append(f"page error: {error}")

    def on_request(self, request: Request) -> None:
        """Record every request that leaves the local server."""
        if not self.local(request.url):
            self.problems.append(f"request to another host: {request.url}")

    def on_requestfailed(self, request: Request) -> None:
        """Record local requests that failed."""
        if self.local(request.url):  # other hosts are reported (and blocked) above
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def on_response(self, response: Response) -> None:
        """Record local responses with an error status."""
        if self.local(response.url) and response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")


def redirect_target(page_path: str) -> str | None:
    """The relative URL a ``<meta http-equiv="Refresh">`` page sends the reader to."""
    text = (HTML_DIR / page_path).read_text(errors="replace")
    for tag in re.findall(r"<meta\b[^>]*>", text, flags=re.IGNORECASE):
        if re.search(r"http-equiv\s*=\s*[\"']?refresh", tag, flags=re.IGNORECASE):
            url = re.search(r"url\s*=\s*([^\"'\s>]+)", tag, flags=re.IGNORECASE)
            return url.group(1) if url else None
    return None


def wait_for_mathjax(page: Page, problems: list[str]) -> None:
    """Wait for MathJax (if the page loads it) to finish its first typesetting."""
    outcome = page.evaluate(
        """async (timeout) => {
            if (!window.MathJax) return "absent";
            const deadline = Date.now() + timeout;
            while (!(MathJax.startup && MathJax.startup.promise)) {
                if (Date.now() > deadline) return "MathJax never started";
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            const timer = new Promise((resolve) =>
                setTimeout(() => resolve("timed out"), deadline - Date.now()));
            const done = MathJax.startup.promise.then(
                () => "done", (e) => "failed: " + e);
            return Promise.race([done, timer]);
        }""",
        TIMEOUT_MS,
    )
    if outcome not in {"absent", "done"}:
        problems.append(f"MathJax typesetting: {outcome}")


def check_math(page: Page, problems: list[str], *, has_math: bool) -> None:
    """No raw LaTeX in the visible prose; every ``.math`` element typeset, and
    some typeset math on a page whose source has math."""
    # innerText of <main> with code hidden: code may legitimately show LaTeX.
    text = page.evaluate(
        """() => {
            const style = document.createElement("style");
            style.textContent = "pre, code { display: none !important; }";
            document.head.appendChild(style);
            const text = (document.querySelector("main") || document.body).innerText;
            style.remove();
            return text;
        }"""
    )
    for raw in RAW_MATH:
        at = text.find(raw)
        if at >= 0:
            context = " ".join(text[max(0, at - 40) : at + 40].split())
            problems.append(f"raw math {raw!r} in the page text: ...{context}...")
    math = page.evaluate(
        """() => {
            const all = [...document.querySelectorAll(".math")];
            const raw = all.filter((el) => !el.querySelector("mjx-container"));
            return {
                count: all.length,
                containers: document.querySelectorAll("mjx-container").length,
                raw: raw.slice(0, 3).map((el) => el.textContent.trim().slice(0, 60)),
                rawCount: raw.length,
            };
        }"""
    )
    if has_math and not math["containers"]:
        problems.append("the source has math but the page shows no typeset math")
    if math["count"] and not math["containers"]:
        problems.append(f"{math['count']} math elements but no mjx-container: MathJax did not run")
    elif math["rawCount"]:
        problems.append(f"{math['rawCount']} math elements not typeset, e.g. {math['raw']}")


def check_images(page: Page, problems: list[str], *, expected: Expected) -> None:
    """Force every image to load now, then check that each one decoded, and
    that the main content shows every image the executed notebook holds."""
    page.evaluate(
        """() => document.querySelectorAll("img").forEach((img) => {
            img.loading = "eager";
        })"""
    )
    try:
        page.wait_for_function(
            "() => [...document.images].every((img) => img.complete)",
            timeout=TIMEOUT_MS,
        )
    except PlaywrightError:
        pass  # the incomplete ones are reported below
    broken = page.evaluate(
        """() => [...document.images]
            .filter((img) => !(img.complete && img.naturalWidth > 0))
            .map((img) => img.getAttribute("src"))"""
    )
    problems.extend(f"image did not load: {src}" for src in broken)
    shown = page.evaluate("() => document.querySelectorAll('main img').length")
    if shown != expected.images:
        problems.append(
            f"{shown} images in the main content, but the executed notebook shows {expected.images}"
        )
    if expected.draws and expected.images == 0:
        problems.append("the chapter's code draws figures but its executed notebook has none")


def check_solutions(page: Page, problems: list[str], *, exercises_in_source: int) -> None:
    """Every exercise of the source is on the page, with a folded solution that
    links to it; the first solution opens on a click."""
    found = page.evaluate(
        """() => {
            const exercises = [...document.querySelectorAll(".exercise")];
            const solutions = [...document.querySelectorAll(".solution")].map((el) => {
                const link = el.querySelector(".admonition-title a[href^='#']");
                const href = link && link.getAttribute("href");
                const target = href && decodeURIComponent(href.slice(1));
                const linked = target && document.getElementById(target);
                return {
                    id: el.id,
                    dropdown: el.classList.contains("dropdown"),
                    target: target,
                    targetIsExercise:
                        !!(linked && linked.classList.contains("exercise")),
                };
            });
            return {exercises: exercises.map((el) => el.id), solutions: solutions};
        }"""
    )
    exercises: list[str] = found["exercises"]
    solutions: list[dict[str, Any]] = found["solutions"]
    if len(exercises) != exercises_in_source:
        problems.append(
            f"{len(exercises)} exercises on the page, but the source has {exercises_in_source}"
        )
    if len(solutions) < len(exercises):
        problems.append(f"{len(exercises)} exercises but only {len(solutions)} solutions")
    for solution in solutions:
        if not solution["dropdown"]:
            problems.append(f"solution {solution['id']} is not a dropdown")
        if not solution["targetIsExercise"]:
            problems.append(
                f"solution {solution['id']} links to {solution['target']!r}, "
                "which is no exercise on this page"
            )
    linked = {solution["target"] for solution in solutions}
    problems.extend(f"exercise {ex} has no solution" for ex in exercises if ex not in linked)

    boxes = page.locator(".solution")
    for index in range(boxes.count()):
        box = boxes.nth(index)
        body = solution_body(box)
        if body.count() == 0:
            problems.append(f"solution {index + 1} has no content below its title")
        elif any(body.nth(i).is_visible() for i in range(body.count())):
            problems.append(f"solution {index + 1} is not folded: its content shows on load")
    if boxes.count():
        open_first_solution(page, boxes.first, problems)


def solution_body(box: Locator) -> Locator:
    """The part of a solution that folding hides (everything below its title)."""
    return box.locator(":scope > :not(.admonition-title)")


def open_first_solution(page: Page, box: Locator, problems: list[str]) -> None:
    """Click a folded solution open and check that its content then shows."""
    content = box.locator(".cell_output")
    if content.count() == 0:
        content = solution_body(box)
    toggle = box.locator(".toggle-button")
    try:
        (toggle if toggle.count() else box.locator(".admonition-title")).first.click()
        content.first.wait_for(state="visible", timeout=5_000)
    except PlaywrightError as error:
        first_line = str(error).splitlines()[0]
        problems.append(f"first solution does not open on a click: {first_line}")


def check_quoted_numbers(page: Page, problems: list[str], quoted_in_source: int) -> None:
    """Each ``{eval}`glued(...)` `` of the source is a pasted number on the page."""
    shown = page.evaluate(
        """() => {
            const main = document.querySelector("main") || document.body;
            return {pasted: main.querySelectorAll(".pasted-text").length,
                    text: main.innerText};
        }"""
    )
    if shown["pasted"] != quoted_in_source:
        problems.append(
            f"{shown['pasted']} quoted numbers on the page, "
            f"but the source quotes {quoted_in_source}"
        )
    for raw in ("glued(", "{eval}"):
        at = shown["text"].find(raw)
        if at >= 0:
            context = shown["text"][at - 40 : at + 40]
            problems.append(f"an expression shown instead of its number: ...{context}...")


@pytest.mark.parametrize("page_path", rendered_pages())
def test_page_renders(browser: Browser, server: str, page_path: str) -> None:
    """The page loads cleanly and offline, with math, images and folded solutions."""
    if not (HTML_DIR / "index.html").is_file():
        pytest.fail(f"No built book at {HTML_DIR}: {BUILD_HINT}")
    if page_path == MISSING_CHAPTERS:
        pytest.fail(f"No chapters directory in {HTML_DIR}: {BUILD_HINT}")

    shows = expected(page_path)
    page, log = guarded_page(browser, server)
    context = page.context
    problems = log.problems
    try:
        url = urljoin(server, page_path)
        response = page.goto(url, wait_until="networkidle")
        if response is None or response.status >= 400:
            status = response.status if response else "no response"
            pytest.fail(f"{page_path} could not be opened ({status})")
        target = redirect_target(page_path)
        if target is not None:
            page.wait_for_url(urljoin(url, target))
            page.wait_for_load_state("networkidle")
        wait_for_mathjax(page, problems)
        check_math(page, problems, has_math=shows.math)
        check_images(page, problems, expected=shows)
        check_quoted_numbers(page, problems, quoted_in_source=shows.quoted)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / screenshot_name(page_path), full_page=True)
        check_solutions(page, problems, exercises_in_source=shows.exercises)
    finally:
        context.close()

    listing = "\n".join(f"  - {problem}" for problem in problems)
    assert not problems, f"{page_path}: {len(problems)} problem(s):\n{listing}"


def test_every_page_of_the_toc_was_built() -> None:
    """An empty or partial build cannot pass by having fewer pages to inspect."""
    toc = (ROOT / "_toc.yml").read_text()
    files = re.findall(r"^\s*(?:root|- file):\s*(\S+)", toc, flags=re.MULTILINE)
    assert len(files) >= 10, f"only {files} found in _toc.yml"
    missing = [name for name in files if not (HTML_DIR / f"{name}.html").is_file()]
    assert not missing, f"pages of the toc missing from {HTML_DIR}: {missing} ({BUILD_HINT})"


def guarded_page(browser: Browser, base: str) -> tuple[Page, PageLog]:
    """A fresh tab whose console errors, page errors, failed or outside requests and
    error responses are logged as problems. Requests to other hosts are recorded,
    then blocked, so a page never waits on the network."""
    log = PageLog(base)
    context = browser.new_context(viewport=VIEWPORT)
    context.route(
        "**/*",
        lambda route: route.continue_() if log.local(route.request.url) else route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", log.on_console)
    page.on("pageerror", log.on_pageerror)
    page.on("request", log.on_request)
    page.on("requestfailed", log.on_requestfailed)
    page.on("response", log.on_response)
    return page, log


def open_page(browser: Browser, url: str) -> tuple[Page, PageLog]:
    """``guarded_page`` at ``url``, loaded."""
    page, log = guarded_page(browser, url)
    page.goto(url, wait_until="networkidle")
    return page, log


def test_chapter_offers_its_executed_notebook(browser: Browser, server: str) -> None:
    """The download menu has the chapter as .ipynb, with the outputs the page shows."""
    page, log = open_page(browser, urljoin(server, "chapters/01_two_ways.html"))
    try:
        links = page.locator("a[href$='.ipynb']")
        assert links.count() == 1, "no .ipynb download on chapter 1"
        href = links.first.get_attribute("href")
        response = page.request.get(urljoin(page.url, href))
        assert response.ok, f"{href}: HTTP {response.status}"
        notebook = nbformat.reads(response.text(), as_version=4)
        assert shown_images(notebook) == expected("chapters/01_two_ways.html").images > 0
        assert not log.problems, log.problems
    finally:
        page.context.close()


def test_exercises_page_links_every_exercise(browser: Browser, server: str) -> None:
    """The back matter lists every exercise of every chapter, and the links land."""
    in_sources = sum(
        len(EXERCISE_SOURCE.findall(path.read_text()))
        for path in sorted((ROOT / "chapters").glob("*.md"))
    )
    page, log = open_page(browser, urljoin(server, "chapters/exercises.html"))
    try:
        links = page.locator("main a.reference.internal[href*='#']")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        hrefs = [href for href in hrefs if "exercises.html" not in href]
        assert in_sources > 0 and len(hrefs) == in_sources, (
            f"{len(hrefs)} exercise links for {in_sources} exercises in the chapters"
        )
        for href in (hrefs[0], hrefs[-1]):
            page.goto(urljoin(page.url, href), wait_until="networkidle")
            anchor = href.split("#", 1)[1]
            target = page.locator(f"[id='{anchor}']")
            assert target.count() == 1 and "exercise" in (target.get_attribute("class") or "")
            page.go_back(wait_until="networkidle")
        assert not log.problems, log.problems
    finally:
        page.context.close()


def test_search_works_offline(browser: Browser, server: str) -> None:
    """Sphinx's search finds a term of the book and a hit opens its page."""
    page, log = open_page(browser, urljoin(server, "search.html?q=amortisation+gap"))
    try:
        hits = page.locator("#search-results li a")
        hits.first.wait_for(state="visible")
        assert hits.count() > 0
        hits.first.click()
        page.wait_for_load_state("networkidle")
        assert "/chapters/" in page.url, page.url
        assert "amortisation" in page.locator("main").inner_text().lower()
        assert not log.problems, log.problems
    finally:
        page.context.close()


def test_figures_keep_their_white_ground_in_dark_mode(browser: Browser, server: str) -> None:
    """In the theme's dark mode the figures are not dimmed: their corners stay white."""
    url = urljoin(server, "chapters/01_two_ways.html")
    page, log = open_page(browser, url)
    try:
        page.evaluate("() => localStorage.setItem('mode', 'dark')")
        page.reload(wait_until="networkidle")
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        figures = page.locator("main .cell_output img")
        assert figures.count() > 0, "no figure to look at"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "dark_chapters_01_two_ways.png", full_page=True)
        for index in range(figures.count()):
            figure = figures.nth(index)
            figure.scroll_into_view_if_needed()
            picture = Image.open(io.BytesIO(figure.screenshot())).convert("RGB")
            corner = picture.getpixel((2, 2))
            assert min(corner) >= 245, f"figure {index + 1}'s corner is {corner} in dark mode"
        assert not log.problems, log.problems
    finally:
        page.context.close()
