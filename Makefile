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

LINTED := ntro ntro_jupyter tests notebooks bench

lint: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy ntro ntro_jupyter

test: lint
	$(BIN)/pytest -q -m "not slow"

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

# ── The five-minute tour ─────────────────────────────────────────────────────────────────────
# The local Temporal dev server (SQLite file .ntro/temporal.db, gRPC on DEMO_PORT, Web UI on
# DEMO_UI_PORT; it keeps running after JupyterLab stops: `$(BIN)/ntro dev-server stop`), then
# JupyterLab on the review notebook. TEMPORAL_HOST points the JupyterLab inbox, and any notebook
# that connects with a plain `%ntro connect`, at that server; NTRO_DEV_DB, NTRO_DEV_PORT and
# NTRO_DEV_UI_PORT are where `%ntro connect dev` and notebook 3 find it (no second server on the
# same ports). Ctrl-C stops JupyterLab. Other ports: `make demo DEMO_PORT=7243 DEMO_UI_PORT=8243`.
DEMO_DB      := $(CURDIR)/.ntro/temporal.db
DEMO_PORT    ?= 7233
DEMO_UI_PORT ?= 8233
DEMO_ROOT    := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: demo
demo: install
	$(BIN)/ntro dev-server start --detach --db $(DEMO_DB) --port $(DEMO_PORT) --ui-port $(DEMO_UI_PORT)
	TEMPORAL_HOST=localhost:$(DEMO_PORT) NTRO_DEV_DB=$(DEMO_DB) \
	  NTRO_DEV_PORT=$(DEMO_PORT) NTRO_DEV_UI_PORT=$(DEMO_UI_PORT) \
	  $(BIN)/jupyter lab $(DEMO_ROOT) notebooks/02-review-an-extraction.ipynb

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
