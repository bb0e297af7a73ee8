# The two commands of the README: `make demo` and `make test`. Both create .venv/ on first use,
# install dyad into it and register the `dyad` Jupyter kernel; later runs skip what is done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.stamp-runtime
STAMP_DEV := $(VENV)/.stamp-dev
export GX_ANALYTICS_ENABLED := False
export PYTHONHASHSEED := 0

.PHONY: demo test setup setup-dev lab clean

demo: $(STAMP_RUN)
	$(BIN)/dyad demo

test: $(STAMP_DEV)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-headless-shell >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); } || \
	  echo "note: Chromium is not installed and could not be; the browser tests will be skipped"
	@command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null); } || \
	  echo "note: the MariaDB server is not installed and could not be; the MariaDB import tests will be skipped"
	$(BIN)/python -m pytest -q -n auto

setup: $(STAMP_RUN)
setup-dev: $(STAMP_DEV)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "dyad needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name dyad --display-name "Python (dyad)" > /dev/null
	@touch $@

$(STAMP_DEV): pyproject.toml $(STAMP_RUN)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

# Optional: JupyterLab for editing notebooks (kept out of the report runtime, see README).
lab: $(STAMP_RUN)
	$(BIN)/python -m pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) .dyad-cache
