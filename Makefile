# Developer entry points. `make test` works from a clean clone: it creates .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Reinstall only when the dependencies change.
STAMP  := $(VENV)/.ntro-installed

.PHONY: install test lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[dev,jupyter]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check ntro ntro_jupyter tests

test: install
	$(BIN)/ruff check ntro ntro_jupyter tests
	$(BIN)/pytest -q -m "not slow"

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
