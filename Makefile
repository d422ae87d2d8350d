# Sociaal Rendement: `make run` serves the demo site, `make test` runs the whole suite.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export FLASK_APP := marketplace:create_app

.PHONY: run serve test lint format worker bench e2e translations compile-translations install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) compile-translations

compile-translations: $(STAMP)
	$(BIN)/pybabel compile -d marketplace/translations

## make run: venv, install, migrate, demo data, serve http://127.0.0.1:5000 (SQLite, jobs in-process)
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## make serve: the production stack on this machine against DATABASE_URL (PostgreSQL) and
## REDIS_URL: migrations, then the Procfile's processes: gunicorn (gunicorn.conf.py, port $$PORT
## or 8000), one worker and the scheduler; Ctrl-C stops them all.
serve: install
	@if [ -z "$$DATABASE_URL" ] || [ -z "$$REDIS_URL" ]; then \
	  echo "make serve needs DATABASE_URL and REDIS_URL, e.g."; \
	  echo "  DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/sociaalrendement REDIS_URL=redis://127.0.0.1:6379/0 make serve"; \
	  exit 2; fi
	$(BIN)/flask db upgrade
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python tools/procfile.py Procfile

node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --silent
	touch $@

/usr/bin/chromium:
	apt-get install -y chromium || (apt-get update && apt-get install -y chromium)

test-deps: install node_modules/axe-core/axe.min.js /usr/bin/chromium

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make test: lint, then the suite on SQLite, then again on PostgreSQL + Redis when
## TEST_DATABASE_URL / TEST_REDIS_URL are set (.ci/run sets them).
test: test-deps lint
	$(BIN)/pytest -q -n 2 -p no:cacheprovider tests
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$TEST_DATABASE_URL) and Redis ($$TEST_REDIS_URL) =="; \
	  TEST_BACKEND=postgresql $(BIN)/pytest -q -n 2 -p no:cacheprovider \
	    --ignore=tests/unit --ignore=tests/e2e tests; \
	else echo "TEST_DATABASE_URL not set: PostgreSQL/Redis variants skipped"; fi

e2e: test-deps
	$(BIN)/pytest -q tests/e2e

## make worker: one RQ worker (`make serve` also runs the scheduler: python -m worker --scheduler)
worker: install
	$(BIN)/python -m worker

bench: install
	$(BIN)/python -m bench

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o marketplace/translations/messages.pot .
	$(BIN)/pybabel update -i marketplace/translations/messages.pot -d marketplace/translations

clean:
	rm -rf $(VENV) node_modules instance
