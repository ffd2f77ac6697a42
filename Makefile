# Two commands for a newcomer: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
RUN := $(UV) run --frozen

.PHONY: demo test lint types pytest env chromium clean

demo: env
	$(RUN) tandem db upgrade
	$(RUN) tandem demo
	$(RUN) tandem serve

test: env chromium lint types pytest

env: .venv/.synced

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

lint: env
	$(RUN) ruff check src tests benchmarks
	$(RUN) ruff format --check src tests benchmarks

types: env
	$(RUN) mypy

# The whole suite on SQLite, then every database test again on PostgreSQL.
pytest: env
	TANDEM_TEST_DB=sqlite $(RUN) pytest
	TANDEM_TEST_DB=postgresql $(RUN) pytest -m db

# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
chromium:
	@command -v chromium >/dev/null || { SUDO=$$(command -v sudo || true); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache
