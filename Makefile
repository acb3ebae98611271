# copps: every target sets up what it needs on a fresh machine.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/copps
PYTEST_ARGS ?=

.PHONY: install browser-deps demo test test-sqlite test-postgres lint bench bench-import clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Debian's chromium for the browser tests (never a browser download of Playwright's own).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

## The app on an embedded SQLite database with a synthetic city and demo users.
demo: install
	$(BIN)/copps demo

## The whole suite on SQLite, then on PostgreSQL (required: fails if unreachable).
test: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(MAKE) test-postgres

test-sqlite: install browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	$(BIN)/python -m copps.dbcheck "$(PG_URL)"
	COPPS_DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -m "not both_databases and not browser" --ignore=tests/analysis --ignore=tests/simulate $(PYTEST_ARGS)

## ruff over the whole tree (CI runs it after the tests)
lint: install
	$(BIN)/ruff check src tests bench

bench: install
	$(BIN)/python bench/analysis_all.py

bench-import: install
	$(BIN)/python bench/import_speed.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
