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
export MPLBACKEND := Agg

.PHONY: help book test serve lab notebooks clean distclean lint

help:
	@echo "make book       build the book into $(HTML) (executes every chapter)"
	@echo "make test       run every test: module, chapters, build, rendered pages"
	@echo "make serve      serve $(HTML) on http://127.0.0.1:8000"
	@echo "make lab        install JupyterLab and open the chapters as notebooks"
	@echo "make notebooks  write .ipynb copies of the chapters to $(BUILD)/notebooks"
	@echo "make clean      remove $(BUILD); make distclean also removes $(VENV)"

$(BIN)/.book-installed: requirements.txt code/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.test-installed: $(BIN)/.book-installed requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

# The execution cache only sees each notebook's own code, not the daopt
# module it imports: drop the cache whenever the module changes, and always
# in CI.
# Sphinx must then re-read every chapter too, so its saved state goes as well.
$(CACHE)/.module-stamp: $(wildcard code/daopt/*.py)
	rm -rf $(CACHE) $(BUILD)/.doctrees
	mkdir -p $(CACHE)
	touch $@

ifeq ($(CI),true)
.PHONY: $(CACHE)/.module-stamp
endif

book: $(BIN)/.book-installed $(CACHE)/.module-stamp
	$(BIN)/jupyter-book build . -W --keep-going
	@echo
	@echo "The book is at: $(abspath $(HTML))/index.html  (or run: make serve)"

# The tests of rendered pages (every page, and the play page's games) need the
# built book, so they run after the build.
# The chapter tests execute every chapter once and store the results in the
# execution cache, so the build that follows reuses them instead of running
# every chapter a second time.
test: $(BIN)/.test-installed
	rm -rf $(CACHE) $(BUILD)/.doctrees
	$(BIN)/ruff check code tests bench scripts
	$(BIN)/ruff format --check code tests bench scripts
	$(BIN)/pytest tests --ignore=tests/test_rendered.py --ignore=tests/test_play_page.py
	mkdir -p $(CACHE) && touch $(CACHE)/.module-stamp
	$(BIN)/jupyter-book build . -W --keep-going
	$(BIN)/pytest tests/test_rendered.py tests/test_play_page.py

lint: $(BIN)/.test-installed
	$(BIN)/ruff check code tests bench scripts
	$(BIN)/ruff format --check code tests bench scripts

serve:
	@test -f $(HTML)/index.html || { echo "Build the book first: make book"; exit 1; }
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops)"
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory $(HTML) 8000

$(BIN)/.lab-installed: $(BIN)/.book-installed requirements-lab.txt
	$(BIN)/python -m pip install --quiet -r requirements-lab.txt
	touch $@

# jupytext's JupyterLab extension opens the .md chapters as notebooks.
lab: $(BIN)/.lab-installed
	$(BIN)/jupyter lab --ip=127.0.0.1 --notebook-dir=chapters

notebooks: $(BIN)/.book-installed
	mkdir -p $(BUILD)/notebooks
	for chapter in $(NOTEBOOKS); do \
	  $(BIN)/jupytext --quiet --to ipynb --output $(BUILD)/notebooks/$$(basename $${chapter%.md}).ipynb $$chapter; \
	done
	@echo "Notebooks written to $(abspath $(BUILD))/notebooks"

clean:
	rm -rf $(BUILD)

distclean: clean
	rm -rf $(VENV)
