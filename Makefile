# One command sets up and runs the baseline: `make run`; one sets up and runs the tests: `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test bench bench-short clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "yreb needs Python 3.12 or newer; found " + sys.version.split()[0] + " (set PYTHON=python3.12)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/yreb run scenarios/baseline.toml --force

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

bench-short: $(STAMP)
	$(BIN)/python benchmarks/run.py --short

clean:
	rm -rf $(VENV) build *.egg-info
