# Developer entry points. `make test` works from a clean clone: it creates .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Reinstall only when the dependencies change.
STAMP  := $(VENV)/.ntro-installed

.PHONY: install test lint clean jupyter-extensions labextension

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[dev,jupyter]'
	$(MAKE) --no-print-directory jupyter-extensions
	touch $(STAMP)

lint: install
	$(BIN)/ruff check ntro ntro_jupyter tests

test: install
	$(BIN)/ruff check ntro ntro_jupyter tests
	$(BIN)/pytest -q -m "not slow"

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# ── JupyterLab extension (labextension/, ntro_jupyter/_server/) ─────────────────────────────
# An editable install does not copy pyproject's data-files, so do what a wheel install does:
# put the committed labextension build and the server-extension switch inside $(VENV).
jupyter-extensions:
	mkdir -p $(VENV)/share/jupyter/labextensions $(VENV)/etc/jupyter/jupyter_server_config.d
	ln -sfn $(CURDIR)/ntro_jupyter/labextension $(VENV)/share/jupyter/labextensions/ntro-jupyter
	cp labextension/jupyter-config/jupyter_server_config.d/ntro_jupyter.json \
	   $(VENV)/etc/jupyter/jupyter_server_config.d/ntro_jupyter.json

# Rebuild the labextension after editing labextension/src (needs node and npm); commit the
# output in ntro_jupyter/labextension/ and labextension/build-hash.txt.
labextension: install
	cd labextension && npm ci --no-audit --no-fund && PATH=$(CURDIR)/$(BIN):$$PATH npm run build
