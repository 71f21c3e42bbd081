"""Small Sphinx additions for this book (loaded through `_config.yml`).

- Every chapter page offers its executed notebook (with outputs) as ``.ipynb``
  in the download menu, beside the ``.md`` source. The book theme does this
  only when a launch button (Binder, Colab, ...) is configured, and this book
  has none: it reads offline.
- ``{exercise-index}`` lists every exercise of the book, chapter by chapter,
  each linked to where it stands.
- A sentence quotes a computed number as ``{eval}`glued("name", ".1%")` ``
  (see ``daopt.prose``). JupyterLab (jupyterlab-myst) evaluates that in the
  kernel; here the role reads the same name and format from the glue record
  MyST-NB keeps of the executed notebook, exactly as ``{glue:text}`name:.1%` ``
  would, so the book needs no running kernel and keeps its execution cache.
  Any other ``{eval}`` expression is refused with a warning (an error under
  ``-W``).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import nbformat
from docutils import nodes
from jupyter_cache import get_cache
from myst_nb.core.variables import create_warning
from myst_nb.ext.glue.roles import PasteTextRole
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def offer_executed_notebook(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Put the page's executed notebook, outputs included, next to its source for the
    download menu.

    MyST-NB writes the notebook it rendered to ``jupyter_execute/``, but when the
    outputs came from the execution cache that copy holds none; the cache's record
    is merged in then, so the download always has what the page shows.
    """
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if doctree is None or not executed.is_file():
        return
    notebook = nbformat.read(executed, as_version=4)
    if not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"):
        config = getattr(app.env, "mystnb_config", None)
        cache = Path(app.srcdir, config.execution_cache_path) if config else None
        if cache is not None and cache.is_dir():
            try:
                _, notebook = get_cache(str(cache)).merge_match_into_notebook(notebook)
            except KeyError:  # not in the cache: the page shows no outputs either
                pass
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


class ExerciseIndexNode(nodes.General, nodes.Element):
    """Where the list of every exercise goes, filled in once all pages are read."""


class ExerciseIndex(SphinxDirective):
    """``{exercise-index}``: every exercise of the book, grouped by chapter."""

    def run(self) -> list[nodes.Node]:
        return [ExerciseIndexNode()]


def fill_exercise_index(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace each index placeholder with links to every exercise, in book order."""
    placeholders = list(doctree.findall(ExerciseIndexNode))
    if not placeholders:
        return
    env = app.env
    registry = getattr(env, "sphinx_exercise_registry", {})
    order = {name: index for index, name in enumerate(_book_order(app))}
    by_chapter: dict[str, list[tuple[str, str]]] = {}
    for label, entry in registry.items():
        if entry["type"] == "exercise":
            title = entry["node"].get("title") or label
            by_chapter.setdefault(entry["docname"], []).append((label, title))
    listing = nodes.bullet_list()
    for chapter in sorted(by_chapter, key=lambda name: (order.get(name, len(order)), name)):
        title = env.titles[chapter].astext() if chapter in env.titles else chapter
        item = nodes.list_item()
        item += nodes.paragraph(text=title)
        exercises = nodes.bullet_list()
        for label, text in by_chapter[chapter]:
            uri = app.builder.get_relative_uri(docname, chapter) + "#" + label
            reference = nodes.reference("", text, internal=True, refuri=uri)
            exercises += nodes.list_item("", nodes.paragraph("", "", reference))
        item += exercises
        listing += item
    if not by_chapter:
        listing = nodes.paragraph(text="No exercises yet.")
    for placeholder in placeholders:
        placeholder.replace_self(listing.deepcopy())


def _book_order(app: Sphinx) -> list[str]:
    """Documents in reading order: the root, then the table of contents."""
    env = app.env
    ordered: list[str] = []

    def walk(docname: str) -> None:
        if docname in ordered:
            return
        ordered.append(docname)
        for child in env.toctree_includes.get(docname, []):
            walk(child)

    walk(env.config.root_doc)
    return ordered


GLUED_FORM = 'glued("name") or glued("name", "format")'


def parse_glued(expression: str) -> tuple[str, str]:
    """``glued("name", "spec")`` as (name, spec); ValueError for anything else."""
    try:
        call = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        call = None
    if (
        not isinstance(call, ast.Call)
        or not isinstance(call.func, ast.Name)
        or call.func.id != "glued"
        or call.keywords
        or not 1 <= len(call.args) <= 2
        or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args)
    ):
        raise ValueError(f"{{eval}} in this book takes {GLUED_FORM}, got {expression!r}")
    name = call.args[0].value
    spec = call.args[1].value if len(call.args) == 2 else ""
    if not name.isidentifier() or ":" in spec:
        raise ValueError(f"not a glued name and format: {expression!r}")
    return name, spec


class GluedTextRole(PasteTextRole):
    """``{eval}`glued("name", "spec")` `` rendered from the glue record, as
    ``{glue:text}`name:spec` `` is."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        try:
            name, spec = parse_glued(self.text)
        except ValueError as error:
            return [], [create_warning(str(error), self.document, self.line, subtype="eval")]
        self.text = f"{name}:{spec}" if spec else name
        return super().run()


def setup(app: Sphinx) -> dict[str, Any]:
    # Before the book theme builds its download menu (priority 501).
    app.connect("html-page-context", offer_executed_notebook, priority=500)
    app.add_node(ExerciseIndexNode)
    app.add_directive("exercise-index", ExerciseIndex)
    app.connect("doctree-resolved", fill_exercise_index)
    # MyST-NB's own {eval} needs a kernel at build time (inline execution).
    app.add_role("eval", GluedTextRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
