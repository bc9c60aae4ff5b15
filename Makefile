# Byline's two commands: `make run` and `make test` (CI calls `make test` too).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `serve` runs its web workers with -OO (byline/ops/serve.py); their bytecode is compiled at
# install, so that the first start after one does not compile some 1,900 modules per worker.
COMPILE_FOR_SERVE = $(BIN)/python -OO -m compileall -q -j 0 $(VENV)/lib byline >/dev/null
PORT ?= 8000
export PORT

.PHONY: install install-dev run test lint format bench clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The locked runtime dependencies and Byline itself; redone when a lock file changes.
install: $(VENV)/.installed
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	$(COMPILE_FOR_SERVE)
	touch $@

# The same plus the test and lint tools.
install-dev: $(VENV)/.installed-dev
$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	$(COMPILE_FOR_SERVE)
	touch $@ $(VENV)/.installed

run: install
	$(BIN)/byline migrate --noinput
	$(BIN)/byline collectstatic --noinput --verbosity 0
	$(BIN)/byline demo
	@echo
	@echo "  Byline: http://127.0.0.1:$(PORT)/"
	@echo "  Admin:  http://127.0.0.1:$(PORT)/admin/  user 'admin', password in var/admin-password"
	@echo
	$(BIN)/byline serve --port $(PORT)

# Tests run on every core (pytest-xdist). `--dist loadgroup` (like `load` for ungrouped
# tests, one worker per xdist_group) keeps pytest-django's order within
# each worker (transactional tests, which flush the database, after all the others);
# `loadfile` would run a file's transactional tests before other files' ordinary ones.
# PYTEST_ARGS adds or overrides options.
test: install-dev lint
	$(BIN)/pytest -n auto --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# PNGs of the main reader pages at 1280 and 390 px wide, from a demo site built in a
# temporary folder (tests/browser/screenshots.py), into docs/screenshots/.
screenshots: install-dev
	$(BIN)/python -m tests.browser.screenshots docs/screenshots

clean:
	rm -rf $(VENV) var
