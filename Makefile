# Kluis. `make run` to try it on this machine, `make test` for everything CI checks.
# Needs Python >= 3.12 (3.13 preferred, see .python-version); nothing else for install/run.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.NOTPARALLEL:
MAKEFLAGS += --no-builtin-rules --no-print-directory

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEPS_STAMP := $(VENV)/.kluis-deps-installed
NODE_STAMP := node_modules/.kluis-assets-installed
VENDOR := kluis/web/static/vendor
VENDOR_FILES := $(VENDOR)/htmx.min.js $(VENDOR)/pico.min.css
# The Zapier app (integrations/zapier/): its own package.json and lock, same Node.js.
ZAPIER := integrations/zapier
ZAPIER_STAMP := $(ZAPIER)/node_modules/.kluis-zapier-installed

# No .venv yet: find the Python to make it with now, so a machine without a suitable one
# gets one clear line (from scripts/find-python.sh) instead of a failing recipe.
ifeq ($(wildcard $(PY)),)
ifneq ($(filter-out help clean,$(or $(MAKECMDGOALS),$(.DEFAULT_GOAL))),)
VENV_PYTHON := $(shell sh scripts/find-python.sh 2>/dev/null)
ifeq ($(VENV_PYTHON),)
$(error $(shell sh scripts/find-python.sh 2>&1 >/dev/null))
endif
endif
endif

# pytest-xdist workers for the SQLite and PostgreSQL runs ("auto" = one per core).
PYTEST_WORKERS ?= auto
# pytest-xdist workers for the end-to-end run: each starts its own Kluis server (own port,
# own data directory) and its own Chromium; the tests of one file stay on one worker.
E2E_WORKERS ?= auto
# Extra arguments for every pytest run, e.g. make test PYTEST_ARGS="-x -k audit".
PYTEST_ARGS ?=

.PHONY: help install run test lint test-sqlite test-postgres test-e2e test-zapier test-e2e-all system-packages bench lock clean

help:
	@echo "make run      install what is missing, then start Kluis (kluis up)"
	@echo "make test     lint, tests on SQLite and PostgreSQL, end-to-end tests in Chromium, Zapier app"
	@echo "make lint     ruff check, ruff format --check, mypy, the migration linter"
	@echo "make install  .venv with the locked dependencies, the front-end assets, the Zapier app's"
	@echo "make bench    run the benchmarks in bench/"
	@echo "make lock     re-pin requirements.lock (with hashes) after changing pyproject.toml"
	@echo "make clean    remove .venv, node_modules, vendored assets and caches (keeps var/)"

# --- install ---------------------------------------------------------------------------
install: $(DEPS_STAMP) $(VENDOR_FILES) $(ZAPIER_STAMP)
	@echo "==> Kluis is installed in $(VENV) (the kluis command is $(BIN)/kluis)"

$(PY):
	@sh scripts/make-venv.sh $(VENV) $(VENV_PYTHON)

$(DEPS_STAMP): requirements.lock pyproject.toml | $(PY)
	@echo "==> Installing Python dependencies (first run takes a minute)"
	@$(PY) -m pip install --progress-bar off --require-hashes -r requirements.lock
	@echo "==> Installing Kluis itself (editable, gives the kluis command)"
	@$(PY) -m pip install --quiet --progress-bar off --no-deps -e .
	@touch $@

$(NODE_STAMP): package.json package-lock.json | $(DEPS_STAMP)
	@echo "==> Installing front-end assets (npm ci, with the Node.js from .venv)"
	@$(BIN)/npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(ZAPIER_STAMP): $(ZAPIER)/package.json $(ZAPIER)/package-lock.json | $(DEPS_STAMP)
	@echo "==> Installing the Zapier app's dependencies (npm ci in $(ZAPIER), Node.js from .venv)"
	@$(BIN)/npm ci --prefix $(ZAPIER) --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(VENDOR)/htmx.min.js: $(NODE_STAMP)
	@mkdir -p $(VENDOR)
	@cp node_modules/htmx.org/dist/htmx.min.js $@

$(VENDOR)/pico.min.css: $(NODE_STAMP)
	@mkdir -p $(VENDOR)
	@cp node_modules/@picocss/pico/css/pico.min.css $@

# --- run -------------------------------------------------------------------------------
run: install
	@$(BIN)/kluis up

# --- test ------------------------------------------------------------------------------
# Each step prints its time; any step failing (or pytest collecting no test) fails the run.
test: install system-packages lint test-sqlite test-postgres test-e2e-all
	@echo "==> All checks passed"

system-packages:
	@bash scripts/ensure-system-packages.sh

lint: install
	@echo "==> Lint: ruff check, ruff format --check, mypy, backward-compatible migrations"
	@start=$$SECONDS; failed=""; \
	$(BIN)/ruff check . || failed="$$failed ruff-check"; \
	$(BIN)/ruff format --check . || failed="$$failed ruff-format"; \
	$(BIN)/mypy kluis || failed="$$failed mypy"; \
	env -u KLUIS_DATABASE_URL $(PY) scripts/lint-migrations.py || failed="$$failed migrations"; \
	if [ -n "$$failed" ]; then echo "==> Lint failed:$$failed"; exit 1; fi; \
	echo "==> Lint passed in $$((SECONDS - start))s"

# Every pytest run's logs are checked for personal data and secrets (scripts/run-pytest.sh).
test-sqlite test-postgres test-e2e test-zapier test-e2e-all: export KLUIS_CHECK_LOGS := 1

test-sqlite: install
	@echo "==> Tests on SQLite"
	@start=$$SECONDS; \
	env -u KLUIS_DATABASE_URL bash scripts/run-pytest.sh -m "not e2e" -n $(PYTEST_WORKERS) $(PYTEST_ARGS); \
	echo "==> SQLite tests passed in $$((SECONDS - start))s"

# Every test but those of the kluis command against its own SQLite data directory
# (marker own_sqlite): they never touch the stage's database, so here they would run the
# very same thing as in the SQLite stage; and those whose outcome cannot depend on the
# database engine (marker engine_independent: Redis, S3, the broker's settings). The
# several-node tests (tests/multinode/) run on one worker, with the one cluster they share
# (--dist loadgroup with the scheduler of tests/multinode/scheduling.py).
test-postgres: install system-packages
	@echo "==> Tests on PostgreSQL (a throw-away server, see scripts/with_postgres.py)"
	@start=$$SECONDS; \
	$(PY) scripts/with_postgres.py -- bash scripts/run-pytest.sh -m "not e2e and not own_sqlite and not engine_independent" -n $(PYTEST_WORKERS) --dist loadgroup -p tests.multinode.scheduling $(PYTEST_ARGS); \
	echo "==> PostgreSQL tests passed in $$((SECONDS - start))s"

# One Kluis server per xdist worker (see tests/e2e/conftest.py); --dist loadfile keeps each
# file's tests, and the servers its module fixtures start, on one worker, in file order.
test-e2e: install system-packages
	@echo "==> End-to-end tests (granian over HTTPS, headless Chromium)"
	@start=$$SECONDS; \
	env -u KLUIS_DATABASE_URL bash scripts/run-pytest.sh -m e2e -n $(E2E_WORKERS) --dist loadfile \
		--ignore=tests/integrations/zapier $(PYTEST_ARGS); \
	echo "==> End-to-end tests passed in $$((SECONDS - start))s"

# The Zapier app's own suite (node --test, zapier-platform-core's createAppTester) against a
# Kluis and a webhook worker on loopback, started by tests/integrations/zapier/.
test-zapier: install
	@echo "==> Zapier app tests (integrations/zapier against Kluis on loopback)"
	@start=$$SECONDS; \
	env -u KLUIS_DATABASE_URL bash scripts/run-pytest.sh tests/integrations/zapier -m e2e \
		-p no:xdist $(PYTEST_ARGS); \
	echo "==> Zapier app tests passed in $$((SECONDS - start))s"

# What `make test` runs: test-e2e and test-zapier in one pytest run, so that the Zapier
# app's tests run on one worker while the browser tests run on the others.
test-e2e-all: install system-packages
	@echo "==> End-to-end tests (granian over HTTPS, headless Chromium) and the Zapier app's tests"
	@start=$$SECONDS; \
	env -u KLUIS_DATABASE_URL bash scripts/run-pytest.sh -m e2e -n $(E2E_WORKERS) --dist loadfile \
		$(PYTEST_ARGS); \
	echo "==> End-to-end and Zapier app tests passed in $$((SECONDS - start))s"

# --- bench -----------------------------------------------------------------------------
# bench/_*.py are shared helpers (seeding, the floor app), not benchmarks.
bench: install
	@shopt -s nullglob; benches=(bench/[!_]*.py); \
	if [ $${#benches[@]} -eq 0 ]; then echo "==> No benchmarks in bench/ yet"; exit 0; fi; \
	for bench in "$${benches[@]}"; do \
		echo "==> $$bench"; \
		env -u KLUIS_DATABASE_URL $(PY) "$$bench"; \
	done

# --- lock ------------------------------------------------------------------------------
# Re-pin every Python dependency with hashes after changing pyproject.toml.
lock: $(DEPS_STAMP)
	@echo "==> Re-locking requirements.lock from pyproject.toml"
	@$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --extra dev --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# --- clean -----------------------------------------------------------------------------
# var/ holds the data of `make run` and is never removed here.
clean:
	rm -rf $(VENV) node_modules $(ZAPIER)/node_modules $(VENDOR) build dist test-results *.egg-info \
		.pytest_cache .mypy_cache .ruff_cache
	find . -path ./var -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
