# Launchbook: `make run` sets up and runs the product, `make test` sets up and runs the suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite runs on every core (pytest-xdist); PYTEST_ARGS=-n0 runs it in one process. Keep the
# default "load" distribution: schemathesis' cases share one node id, and the scope- and
# group-based schedulers (loadscope, loadfile, loadgroup) keep only one test per node id.
PYTEST_ARGS ?= -n auto

.PHONY: install run test lint bench migrate demo clean messages

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Compiled to bytecode as they install: a process that may not write it (PYTHONDONTWRITEBYTECODE)
# would otherwise compile every module it imports at each start (5.3 s instead of 1.5 s for the web
# application here), in each web worker, Celery worker and test process.
$(VENV)/.installed: requirements.lock $(BIN)/uv
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	touch $@

# The message catalogs: each locale/<lang>/LC_MESSAGES/*.po compiled to its .mo (not committed),
# with the standard library only (no GNU gettext needed), whenever the .po changed.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

%.mo: %.po scripts/compile_messages.py
	$(PYTHON) scripts/compile_messages.py $<

messages: $(MO_FILES)

install: $(VENV)/.installed $(MO_FILES)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	bash scripts/bench.sh

# Re-resolve the pinned dependency set after editing pyproject.toml.
lock: $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var staticfiles
