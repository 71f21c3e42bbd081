# Two commands do everything: `make book` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BUILD := _build
HTML := $(BUILD)/html
CACHE := $(BUILD)/.jupyter_cache
NOTEBOOKS := $(sort $(wildcard chapters/[0-9][0-9]_*.md))

# Small networks train faster on one BLAS thread than on two that compete.
export OPENBLAS_NUM_THREADS := 1
# Never MPLBACKEND, not even one the caller set: the chapter kernels inherit
# this environment, and with MPLBACKEND set ipykernel does not install its
# inline backend, so every figure silently disappears from the book. Headless
# runs need nothing: matplotlib falls back to Agg when there is no display.
unexport MPLBACKEND

# The browser the rendered-page tests drive (Debian's package).
CHROMIUM ?= /usr/bin/chromium
export DAOPT_CHROMIUM := $(CHROMIUM)

.PHONY: help book test serve lab notebooks clean distclean lint

help:
	@echo "make book       build the book into $(HTML) (executes every chapter)"
	@echo "make test       run every test: module, chapters, build, rendered pages"
	@echo "make serve      serve $(HTML) on http://127.0.0.1:8000"
	@echo "make lab        install JupyterLab and open the chapters as notebooks"
	@echo "make notebooks  write .ipynb copies of the chapters to notebooks/"
	@echo "make clean      remove $(BUILD); make distclean also removes $(VENV)"

$(BIN)/.book-installed: requirements.txt code/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.test-installed: $(BIN)/.lab-installed requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

# The execution cache only sees each notebook's own code, not the daopt
# module it imports, the saved results it loads or the book's own Sphinx
# extension (_ext/, whose nodes Sphinx keeps pickled): a fingerprint of those
# inputs is kept beside the cache, and when it changes the cache goes (and
# Sphinx's saved state with it, so that every chapter is read again).
# A fresh clone (CI) has no cache, so it executes everything.
CACHE_INPUTS := code/daopt scripts/results _ext
cache_fingerprint = $$(find $(CACHE_INPUTS) -type f ! -path '*/__pycache__/*' -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)

.PHONY: execution-cache browser
execution-cache:
	@fingerprint=$(cache_fingerprint); \
	if [ "$$(cat $(CACHE)/.inputs 2>/dev/null)" != "$$fingerprint" ]; then \
	  echo "daopt or the saved results changed: executing every chapter afresh"; \
	  rm -rf $(CACHE) $(BUILD)/.doctrees; \
	  mkdir -p $(CACHE); \
	  echo "$$fingerprint" > $(CACHE)/.inputs; \
	fi

# `make book` and `make test` build through this one recipe.
book: $(BIN)/.book-installed execution-cache
	$(BIN)/jupyter-book build . -W --keep-going
	@echo
	@echo "The book is at: $(abspath $(HTML))/index.html  (or run: make serve)"

# The rendered-page tests need Debian's Chromium. Checked before anything
# else runs: installed when this user may install packages (root, or sudo
# without a password), otherwise one line says what to do.
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the rendered-page tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then \
	    echo "Installing Debian's chromium for the rendered-page tests"; \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  fi; \
	fi; \
	if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "make test needs Chromium at $(CHROMIUM): install it (Debian: sudo apt-get install chromium) or pass CHROMIUM=/path/to/chromium" >&2; \
	  exit 1; \
	fi

# The tests of rendered pages (every page, and the play page's games) need
# the built book, so they run after the build.
# Every chapter is executed once: the chapter tests store their executed
# notebooks in the execution cache, and the book build that follows (the
# same recipe as `make book`) reuses them.
test: browser $(BIN)/.test-installed
	rm -rf $(CACHE) $(BUILD)/.doctrees
	$(BIN)/ruff check code tests bench scripts _ext
	$(BIN)/ruff format --check code tests bench scripts _ext
	$(MAKE) --no-print-directory execution-cache
	$(BIN)/pytest tests --ignore=tests/test_rendered.py --ignore=tests/test_play_page.py
	$(MAKE) --no-print-directory book
	$(BIN)/pytest tests/test_rendered.py tests/test_play_page.py

lint: $(BIN)/.test-installed
	$(BIN)/ruff check code tests bench scripts _ext
	$(BIN)/ruff format --check code tests bench scripts _ext

serve:
	@test -f $(HTML)/index.html || { echo "Build the book first: make book"; exit 1; }
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops)"
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory $(HTML) 8000

# JupyterLab's defaults for this book (jupyter/overrides.json): a double
# click opens a chapter as a notebook (jupytext), JupyterLab asks no
# outside server for news or updates, and every cell of a notebook is
# rendered (not only those in view), so that jupyterlab-myst evaluates the
# numbers quoted in every sentence.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings

$(BIN)/.lab-installed: $(BIN)/.book-installed requirements-lab.txt jupyter/overrides.json
	$(BIN)/python -m pip install --quiet -r requirements-lab.txt
	mkdir -p $(LAB_SETTINGS)
	cp jupyter/overrides.json $(LAB_SETTINGS)/overrides.json
	touch $@

# jupytext opens the .md chapters as notebooks and jupyterlab-myst renders
# their MyST prose. The server's root is the repository, so that the
# notebooks of `make notebooks` are in reach; it opens on chapters/.
# JupyterLab refuses to run as root unless told (containers often are root).
LAB_AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(BIN)/.lab-installed
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=. \
	  --LabApp.default_url=/lab/tree/chapters $(LAB_AS_ROOT)

# Plain .ipynb copies, beside chapters/ so that their relative paths
# (../scripts/results) still hold.
notebooks: $(BIN)/.book-installed
	mkdir -p notebooks
	for chapter in $(NOTEBOOKS); do \
	  $(BIN)/jupytext --quiet --to ipynb --output notebooks/$$(basename $${chapter%.md}).ipynb $$chapter; \
	done
	@echo "Notebooks written to $(abspath notebooks) (open them with: make lab)"

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV) notebooks
