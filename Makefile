# 共治 gongzhi — the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test lint bench lock venv dev-venv clean-db demo worker

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "共治需要 Python 3.11 或更高版本")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

## make run: install, migrate, load the demo on first run, start the worker and the web server.
run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py collectstatic --noinput -v 0
	@bash scripts/run.sh $(HOST) $(PORT)

## make test: lint, the layer contracts, Django checks, migrations in step with models, the whole test suite.
test: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=config.test_settings $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make bench: speed and size figures (needs PostgreSQL; see bench/README.md).
bench: $(VENV)/.dev
	$(PY) bench/run.py

## make lock: re-pin requirements*.txt from requirements*.in.
lock:
	rm -rf /tmp/gongzhi-lock && $(PYTHON) -m venv /tmp/gongzhi-lock
	/tmp/gongzhi-lock/bin/pip install --quiet -r requirements.in
	(echo "# Pinned runtime dependencies (generated from requirements.in by 'make lock')."; /tmp/gongzhi-lock/bin/pip freeze) > requirements.txt
	/tmp/gongzhi-lock/bin/pip install --quiet -r requirements-dev.in
	(echo "# Pinned development dependencies (generated from requirements-dev.in by 'make lock')."; echo "-r requirements.txt"; /tmp/gongzhi-lock/bin/pip freeze | grep -vxF -f <(grep -v '^#' requirements.txt)) > requirements-dev.txt

worker: $(VENV)/.runtime
	$(PY) manage.py run_huey

clean-db:
	rm -f var/gongzhi.sqlite3* var/huey.sqlite3*
