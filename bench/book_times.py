"""Measure how long the book takes to build: cold (every chapter executed),
and again with nothing changed; and each chapter's execution time.

Run from the repository root with the project's environment:

    .venv/bin/python bench/book_times.py

Targets (DESIGN.md): every chapter under 60 s, the whole book under 10
minutes cold on 2 cores, an unchanged rebuild under 30 s. This script
prints the measurements and the ratios to those targets; it asserts nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def build() -> float:
    """Run the book build with warnings as errors; return its wall time in seconds."""
    start = time.perf_counter()
    subprocess.run(
        [str(JUPYTER_BOOK), "build", str(ROOT), "-W", "--keep-going", "-q"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    for stale in (CACHE, BUILD / ".doctrees", BUILD / "html", BUILD / "jupyter_execute"):
        shutil.rmtree(stale, ignore_errors=True)
    cold = build()
    warm = build()
    print(
        f"cold build (every chapter executed): {cold:7.1f} s  "
        f"({cold / 600:.0%} of the 10 min target)"
    )
    print(
        f"rebuild with nothing changed:        {warm:7.1f} s  ({warm / 30:.0%} of the 30 s target)"
    )
    print("chapter execution (from the execution cache):")
    for record in sorted(get_cache(str(CACHE)).list_cache_records(), key=lambda r: r.uri):
        seconds = record.data.get("execution_seconds", float("nan"))
        name = Path(record.uri).name
        print(f"  {name:<28} {seconds:6.1f} s  ({seconds / 60:.0%} of the 60 s target)")


if __name__ == "__main__":
    main()
