# copps: every target sets up what it needs on a fresh machine.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/copps
PYTEST_ARGS ?=
# pytest-xdist workers: the suite shares a machine's two cores (each worker gets its own test database)
PYTEST_WORKERS ?= 2
# compiled translations (git-ignored): one .mo per locale/*/LC_MESSAGES/*.po
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
REPORT_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils

.PHONY: install browser-deps demo test test-sqlite test-postgres lint bench bench-import bench-public check-security mutation mutation-pipeline clean

install: $(STAMP) $(MO_FILES)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Translations of the public pages: msgfmt (Debian's gettext) compiles each .po when it changes.
%.mo: %.po
	@command -v msgfmt >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq gettext; }
	msgfmt --check-format -o $@ $<

## Debian's chromium for the browser tests (never a browser download of Playwright's own).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }
	@# WeasyPrint's libraries and fonts for the PDF reports; poppler-utils gives pdftotext to their tests
	@dpkg -s $(REPORT_DEBS) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $(REPORT_DEBS); }
	@# gettext's msgfmt compiles the translations (make install)
	@command -v msgfmt >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq gettext; }
	@# axe-core for the browser tests' accessibility checks (tests/browser/axe.py), pinned, from the npm
	@# registry at set-up (never from a CDN, never fetched by a test); reinstalled when the pin moves
	@grep -qs '"version": "4.14.1"' .cache/axe/node_modules/axe-core/package.json || \
	  { command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm; }; \
	    npm install --no-save --no-audit --no-fund --prefix .cache/axe axe-core@4.14.1; }

## The app on an embedded SQLite database with a synthetic city and demo users, and a background
## worker beside the app server (stopped with it: Ctrl-C stops both).
demo: install
	$(BIN)/copps demo --no-serve
	$(BIN)/copps worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(BIN)/copps serve

## The whole suite on SQLite, then on PostgreSQL (required: fails if unreachable).
test: install browser-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	$(MAKE) test-postgres

test-sqlite: install browser-deps
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## The PostgreSQL half: the tests that use the test database (tests/conftest.py leaves the others,
## which ran unchanged in the SQLite half, out and says how many).
test-postgres: install
	$(BIN)/python -m copps.dbcheck "$(PG_URL)"
	COPPS_DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not both_databases and not browser" --ignore=tests/analysis --ignore=tests/simulate $(PYTEST_ARGS)

## ruff over the whole tree (CI runs it after the tests)
lint: install
	$(BIN)/ruff check src tests bench

bench: install
	$(BIN)/python bench/analysis_all.py

bench-import: install
	$(BIN)/python bench/import_speed.py

## the public map and trend API against a trivial view (EVENTS=1000000 to scale down)
bench-public: install
	$(BIN)/python bench/public_api.py --events $(or $(EVENTS),10000000)

## Security checks (docs/security.md): `check --deploy` with production settings, pip-audit of every
## pinned dependency (fails when its vulnerability source cannot be reached, unless
## AUDIT_UNREACHABLE=warn, which CI sets: this machine kind cannot reach it), schemathesis on the APIs.
check-security: install
	@tmp=$$(mktemp -d) && COPPS_MODE=production COPPS_TLS=true COPPS_ALLOWED_HOSTS=copps.example.org \
	  COPPS_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  COPPS_DATABASE_URL=sqlite:///$$tmp/check.sqlite3 COPPS_STATIC_ROOT=$$tmp/static \
	  $(BIN)/copps check --deploy --fail-level WARNING; rc=$$?; rm -rf $$tmp; exit $$rc
	@$(BIN)/python tests/security/audit_pins.py; rc=$$?; \
	  if [ $$rc -eq 2 ] && [ "$(AUDIT_UNREACHABLE)" = "warn" ]; then \
	    echo "!!! WARNING: the dependencies were NOT audited (vulnerability source unreachable) !!!"; \
	  elif [ $$rc -ne 0 ]; then exit $$rc; fi
	$(BIN)/python -m pytest tests/security/test_schemathesis.py -q -p no:cacheprovider

## Mutation check, on demand and never in CI (slow: hours for the whole set): mutmut changes the
## analysis core and the privacy pipeline one small edit at a time ([tool.mutmut] in pyproject.toml)
## and runs the tests that reach each change; a surviving mutant is a change no test noticed.
## MUTATE='copps.analysis.trend*' narrows the run; `mutmut browse` shows each survivor's diff.
mutation: install
	@$(BIN)/python -c 'import mutmut' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	@# a pipeline-only run (below) left test statistics without the analysis tests: start afresh
	@test ! -e mutants/.pipeline-only || rm -rf mutants
	$(BIN)/mutmut run $(MUTATE)
	$(BIN)/mutmut results

## The privacy pipeline alone (publish/pipeline.py), against the publish tests that run it (tens of
## minutes, at low priority): the analysis tests are left out of mutmut's test statistics too.
mutation-pipeline: install
	@$(BIN)/python -c 'import mutmut' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	rm -rf mutants && mkdir mutants && touch mutants/.pipeline-only
	PYTEST_ADDOPTS='--ignore=tests/analysis' nice -n 19 $(BIN)/mutmut run 'copps.publish.pipeline*'
	$(BIN)/mutmut results

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache mutants
