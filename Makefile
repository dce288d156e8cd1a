# FractionaX Support. `make run` serves the app; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# A local run is a development run unless told otherwise (see README, "Deployment").
DEBUG ?= true

.PHONY: run demo test test-quick test-sqlite fuzz lint bench bench-quick loadtest screenshots install install-dev install-browser migrate superuser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The stamp files make re-runs skip pip unless a requirements file changed.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

# The browser tests drive Debian's Chromium: installed when missing (as root, with apt-get),
# otherwise the script stops at once with the command to run.
install-browser:
	@scripts/install-browser

migrate: export DEBUG := $(DEBUG)
migrate: install
	$(BIN)/python manage.py migrate --noinput

superuser: export DEBUG := $(DEBUG)
superuser: migrate
	$(BIN)/python manage.py ensure_superuser

# The web server, plus a Celery worker with an embedded beat (integration syncs, SLA
# checks), run side by side by scripts/supervise.py: Ctrl-C or SIGTERM stops both within
# 10 s. REMAP_SIGTERM=SIGQUIT makes the worker's SIGTERM Celery's cold shutdown, which gives
# running tasks CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT and hands the rest back to the broker,
# instead of waiting for every task however long it takes. Without REDIS_URL the broker is
# a folder under var/.
run: export DEBUG := $(DEBUG)
run: export CELERY_WORKER_CONCURRENCY ?= 2
# The server and the worker write their /metrics counts to one folder, emptied at start.
run: export PROMETHEUS_MULTIPROC_DIR := $(CURDIR)/var/prometheus
run: superuser
	@mkdir -p var/celery-broker/processed
	@rm -rf var/prometheus && mkdir -p var/prometheus
	@echo "FractionaX Support on http://$(HOST):$(PORT)/  (API docs: /api/docs/, admin: /admin/)"
	exec $(BIN)/python scripts/supervise.py \
	  "env REMAP_SIGTERM=SIGQUIT $(BIN)/celery -A fractionax_support worker --beat --loglevel INFO --logfile var/celery.log" \
	  "$(BIN)/uvicorn fractionax_support.asgi:application --host $(HOST) --port $(PORT) --lifespan off --timeout-graceful-shutdown 3"

demo: export DEBUG := $(DEBUG)
demo: migrate
	$(BIN)/python manage.py seed_demo --count 200

# The schema fuzzing runs on its own (make fuzz): it takes minutes. `make test` runs the
# rest, `make test-quick` only the part that starts no process and is quick (not `slow`,
# see pyproject.toml): in well under a minute, for between edits.
test: install-dev install-browser
	$(BIN)/pytest -n 2 --dist loadfile -q -m "not fuzz"

test-quick: install-dev
	$(BIN)/pytest -n 2 --dist loadfile -q -m "not slow and not fuzz and not browser"

# Every API operation fuzzed from the OpenAPI schema (schemathesis), FUZZ_MAX_EXAMPLES
# generated requests per operation on top of its boundary cases; `timeout` is the backstop.
FUZZ_MAX_EXAMPLES ?= 30
fuzz: install-dev
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) timeout 1200 $(BIN)/pytest -n 2 --dist load -q -m fuzz

# The API contract once more on the embedded default: SQLite, no Redis.
test-sqlite: install-dev
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 REDIS_URL= $(BIN)/pytest -q tickets/tests/test_api*.py

# Benchmarks against PostgreSQL and Redis (database fx_bench, or BENCH_DATABASE_URL); see bench/.
bench: install-dev
	$(BIN)/python bench/run.py --count 1000000 --seconds 5 --repeat 3

bench-quick: install-dev
	$(BIN)/python bench/run.py --count 50000 --seconds 2 --sockets 200

# A bounded load test (loopback only, stops by itself): 50 clients for DURATION seconds, then
# every accepted write is counted in its database (fx_loadtest, or LOADTEST_DATABASE_URL).
DURATION ?= 60
loadtest: install-dev
	$(BIN)/python bench/loadtest.py --clients 50 --seconds $(DURATION)

# The same load and promise on what `make run` runs: an SQLite file, no Redis (filesystem
# broker), one uvicorn process and a Celery worker of two processes, in a temporary folder.
.PHONY: loadtest-sqlite
loadtest-sqlite: install-dev
	$(BIN)/python bench/loadtest.py --embedded --clients 50 --seconds $(DURATION)

# The README's screenshots, taken by the browser test from seed_demo data.
screenshots: install-dev install-browser
	SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -q tickets/tests/test_browser.py -k screenshots

lint: install-dev
	$(BIN)/ruff check .
	PYTHONPATH=$(CURDIR) $(BIN)/lint-imports
	DEBUG=true $(BIN)/mypy .

clean:
	rm -rf $(VENV) var staticfiles
