# PhotoShare: `make run` serves on the embedded defaults, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
N      ?= 100000
# uv installs exactly what uv.lock pins (the versions the tests passed with); pip only brings uv.
UV_VERSION := 0.13.9
UV     := UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv
# What ruff checks and formats; mypy's own list is `files` in pyproject.toml.
PY_SOURCES := src tests migrations bench scripts

.DEFAULT_GOAL := help
.PHONY: help install lock run migrate lint format test test-unit test-integration test-contract test-browser browser-deps screenshots seed bench bench-search bench-upload clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(BIN)/uv:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "PhotoShare needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

$(STAMP): pyproject.toml uv.lock $(BIN)/uv
	$(UV) sync --locked --extra dev --inexact --quiet
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install exactly the locked versions (uv.lock), with the dev tools

lock: $(BIN)/uv ## re-resolve uv.lock after changing pyproject.toml (`make lock ARGS=--upgrade` for new releases)
	$(UV) lock $(ARGS)

run: install ## migrate and serve on http://127.0.0.1:8000 (embedded PostgreSQL unless configured)
	$(BIN)/photoshare serve

migrate: install ## bring the database schema to head
	$(BIN)/photoshare migrate

lint: install ## layering contract, ruff and mypy
	$(BIN)/lint-imports
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)
	$(BIN)/mypy

format: install ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix $(PY_SOURCES)
	$(BIN)/ruff format $(PY_SOURCES)

test: lint browser-deps ## lint, then every test: unit, contract, integration, security, faults, e2e, browser
	$(BIN)/pytest --ignore=tests/browser
	# Playwright's sync API keeps its own event loop running: the browser tests get a process of their own.
	$(BIN)/pytest tests/browser

browser-deps: ## Debian's chromium for the browser tests (apt-get, only when /usr/bin/chromium is missing)
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium; }

test-browser: install browser-deps ## the web client in chromium (tests/browser)
	$(BIN)/pytest tests/browser

screenshots: install browser-deps ## PNGs of the web client's main pages into docs/screenshots/
	$(BIN)/python scripts/screenshots.py

test-unit: install ## unit tests only (no infrastructure)
	$(BIN)/pytest tests/unit

test-integration: install ## integration tests (embedded PostgreSQL, valkey-server, stubs)
	$(BIN)/pytest tests/integration

test-contract: install ## the same port contract on every fake and its SQL (and Valkey) adapter
	$(BIN)/pytest tests/contract

seed: install ## fill the database with N realistic photos (default 100000; `make seed N=1000000`) by COPY
	$(BIN)/python scripts/seed.py --photos $(N)

# `make bench-search` knobs (search.py reads them from the environment): the sizes seeded,
# requests per query and size, and the seconds each query may take per size.
SIZES    ?= 10000,100000,1000000
REQUESTS ?= 200

bench-search: install ## search latency p50/p95 at 10k, 100k and 1M photos; JSON under bench/results/
	SIZES=$(SIZES) REQUESTS=$(REQUESTS) $(BIN)/python bench/search.py

# `make bench` knobs; pinning and worker count are parameters so a bigger machine runs it unchanged.
WORKERS     ?= 1
SERVER_CPUS ?= 0
LOAD_CPUS   ?= 1
# CONNECTIONS may list several counts: `make bench CONNECTIONS=64,256` adds a table at 256
# with each scenario's rps as a share of its 64-connection rps. SCENARIOS="get photo,..." runs
# only the named scenarios (names as in bench/scenarios.py).
CONNECTIONS ?= 64
SCENARIOS   ?=
DURATION    ?= 10s
RUNS        ?= 3

bench: install ## load-test the real service (seeded with N photos) against a bare-app ceiling
	WORKERS=$(WORKERS) SERVER_CPUS=$(SERVER_CPUS) LOAD_CPUS=$(LOAD_CPUS) CONNECTIONS=$(CONNECTIONS) \
	DURATION=$(DURATION) N=$(N) RUNS=$(RUNS) SCENARIOS="$(SCENARIOS)" $(BIN)/python bench/run.py

clean: ## remove caches (keeps .venv and var/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache bench/work

UPLOAD_RUNS ?= 10
UPLOAD_MIB  ?= 10

bench-upload: install ## a 10 MiB JPEG upload with jobs on (median, p95) and its time until ready, vs the first release
	$(BIN)/python bench/upload.py --runs $(UPLOAD_RUNS) --mib $(UPLOAD_MIB)
