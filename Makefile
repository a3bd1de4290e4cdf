# One command sets up and runs the baseline: `make run`; one sets up and runs the tests: `make test`.
# Both install the exact versions of constraints.txt (`make lock` updates them), so that every machine runs
# the same package versions: the condition of bit-identical results.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := constraints.txt
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
LINT_STAMP := $(VENV)/.installed-lint
PIP := $(BIN)/pip install --quiet -c $(CONSTRAINTS)

.PHONY: setup run test lint bench bench-short lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "yreb needs Python 3.12 or newer; found " + sys.version.split()[0] + " (set PYTHON=python3.12)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# running needs only the package and its dependencies (no test or development tools)
$(RUN_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) -e .
	touch $@

# the tests add the extras (dask, maps, app, netcdf, notebook) and the test tools
$(TEST_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(RUN_STAMP)

setup: $(TEST_STAMP)

run: $(RUN_STAMP)
	$(BIN)/yreb run baseline --force

# one pytest worker per logical CPU (pytest-xdist); a file's tests stay on one worker (its fixtures run once)
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -n logical --dist loadfile

# style: ruff (the version of constraints.txt), configured in pyproject.toml; CI runs it after the tests
$(LINT_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) ruff
	touch $@

lint: $(LINT_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(RUN_STAMP)
	$(BIN)/python benchmarks/run.py

bench-short: $(RUN_STAMP)
	$(BIN)/python benchmarks/run.py --short

# newest versions that satisfy pyproject.toml, resolved in fresh venvs, written to constraints.txt and (the extra
# iamc, whose pyam caps numpy/matplotlib/pandas lower) constraints-iamc.txt; ixmp4, which pyam needs, does not
# work with SQLAlchemy 2.1 yet
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e '.[dev]'
	.venv-lock/bin/python tools/lock.py --write
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet '.[iamc]' 'sqlalchemy<2.1'
	.venv-lock/bin/python tools/lock.py --extras iamc --file constraints-iamc.txt --write
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) .venv-lock build dist *.egg-info
