# The two commands: `make run` (the whole system, with demo data) and `make test` (the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# A local run is a development run unless the environment says otherwise.
export DJANGO_DEBUG ?= 1

.PHONY: install run test lint format lock bench-load bench-admin messages

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Aduan needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	ADUAN_PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

lint:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Translations (see README): refresh every English catalog from the code and templates
# (complaints/, staff/, channels_intake/ and the project-level locale/ for templates/ and config/),
# then compile. The .mo files are committed. tests/test_translations.py runs makemessages with
# these same options, so change them only here.
MESSAGES_OPTIONS := --locale en --no-obsolete --add-location file --ignore var --ignore bench --ignore tests --ignore test-results --ignore templates/notifications

messages: install
	$(BIN)/python manage.py makemessages $(MESSAGES_OPTIONS)
	$(BIN)/python manage.py compilemessages --locale en --ignore '.*' --ignore var --ignore bench --ignore tests

# Benchmarks (see bench/README.md): load CASES cases into BENCH_DATABASE_URL, then measure.
CASES ?= 1000000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aduan_bench

bench-load: install
	$(BIN)/python bench/load_cases.py --cases $(CASES) --database-url $(BENCH_DATABASE_URL)

bench-admin: install
	$(BIN)/python bench/bench_admin.py --database-url $(BENCH_DATABASE_URL)

# Re-pin every dependency after changing pyproject.toml.
lock:
	$(PYTHON) -m venv var/lockenv
	var/lockenv/bin/python -m pip install --quiet --upgrade pip
	var/lockenv/bin/python -m pip install --quiet ".[dev]"
	var/lockenv/bin/python -m pip freeze --exclude aduan > requirements.lock
	rm -rf var/lockenv
