# Community Voice. `make` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# PostgreSQL for the second run of the suite; CI sets its own. Each run makes <name>_tpl and one <name>_gwN
# database per worker beside the named one, and drops them at the end.
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Redis for the PostgreSQL run's background jobs, which a real RQ worker runs (one per pytest worker, each on
# a queue of its own). The SQLite run has no REDIS_URL, so there jobs run in the request as under `make run`.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
# One worker per core; worksteal evens out the few long tests (a 10,000-row import, the browser journeys).
PYTEST := $(BIN)/python -m pytest -n auto --dist worksteal

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/dist/main.css: node_modules/.package-lock.json $(wildcard static/src/*) scripts/build-frontend.mjs
	npm run --silent build

.PHONY: install
install: $(BIN)/activate static/dist/main.css ## Install Python and npm packages and build the front end

.PHONY: db
db: install ## Apply migrations and load demo data into the SQLite database in instance/
	$(FLASK) db upgrade
	$(FLASK) crm seed-demo

.PHONY: run
run: db ## Set everything up and serve the app at http://127.0.0.1:5000
	$(FLASK) run --host 127.0.0.1 --port 5000

.PHONY: lint
lint: install ## Check the code with ruff, and that imports go one way (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

.PHONY: format
format: install ## Reformat the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: chromium
chromium: ## Install Debian's Chromium for the browser tests if /usr/bin/chromium is missing (as root)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "The browser tests need Debian's chromium: run 'sudo apt-get install chromium'." >&2; exit 1; \
	  fi; \
	  export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium; \
	fi

.PHONY: test
test: lint chromium ## Lint, then run the whole suite on SQLite and on PostgreSQL with Redis (browser tests there)
	env -u TEST_DATABASE_URL -u REDIS_URL $(PYTEST)
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PYTEST)


.PHONY: worker
worker: install ## Run background jobs (big imports and exports) from the queue in REDIS_URL
	$(FLASK) crm worker

# PostgreSQL for `make benchmark`, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench (unset: a quick
# report on SQLite). Its volumes, and a 10,000-item copy named <name>_small, are built once and reused.
# BENCH_ARGS passes options through, e.g. BENCH_ARGS="--rebuild" or BENCH_ARGS="--only pages --runs 10".
BENCH_DATABASE_URL ?=
BENCH_ARGS ?=

.PHONY: benchmark
benchmark: install ## Pages, exports and the public form at scale, against their SQL floor (a report)
	$(if $(BENCH_DATABASE_URL),BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)') $(BIN)/python scripts/benchmark.py $(BENCH_ARGS)
