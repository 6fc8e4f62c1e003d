# hccrt: two commands from a fresh clone (python3, make and git are all it needs).
#   make demo   set up, load the five reference trials, serve http://127.0.0.1:8000
#   make test   the whole suite (SQLite; PostgreSQL too when HCCRT_TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP_RUNTIME := $(VENV)/.installed-runtime
STAMP_DEV     := $(VENV)/.installed-dev

.PHONY: demo test lint bench clean help

help:
	@echo "make demo  - install, migrate, load the five trials and serve the web app"
	@echo "make test  - install with the dev extra and run the whole test suite"
	@echo "make lint  - ruff"
	@echo "make bench - run the benchmarks and rewrite benchmarks/RESULTS.md"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# lifelines without its pandas<3 pin (its other requirements are in the dev extra)
	$(BIN)/python -m pip install --quiet --no-deps "lifelines>=0.29"
	@touch $@ $(STAMP_RUNTIME)

demo: $(STAMP_RUNTIME)
	$(BIN)/hccrt demo

test: $(STAMP_DEV)
	env -u HCCRT_DATABASE_URL $(BIN)/python -m pytest
	@if [ -n "$$HCCRT_TEST_DATABASE_URL" ]; then \
		echo "== database tests again on $$HCCRT_TEST_DATABASE_URL =="; \
		HCCRT_DATABASE_URL="$$HCCRT_TEST_DATABASE_URL" $(BIN)/python -m pytest -m database; \
	fi

lint: $(STAMP_DEV)
	$(BIN)/ruff check .

bench: $(STAMP_DEV)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache
