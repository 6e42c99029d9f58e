# Two commands do all the set-up: `make run` (the app) and `make test` (the whole suite).
# Both install exactly what uv.lock pins, into .venv, with uv (itself pinned, installed by
# pip into .tools/ on first use). `make lock` re-resolves after a change to pyproject.toml;
# `make upgrade` moves every pin to the newest release.
PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8501

export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

.PHONY: run app-env dev-env test lint typecheck check lock lock-check exports upgrade benchmark foods clean

$(UV):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or make PYTHON=python3)"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The app alone (no test tools): --inexact keeps dev tools a `make test` installed.
app-env: $(UV)
	$(UV) sync --locked --no-dev --inexact --quiet

# Everything `make test` needs, exactly as locked.
dev-env: $(UV)
	$(UV) sync --locked --quiet

run: app-env
	$(BIN)/streamlit run app.py --server.headless true --browser.gatherUsageStats false \
		--server.address $(HOST) --server.port $(PORT)

test: lock-check dev-env
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: dev-env
	$(BIN)/ruff check .

typecheck: dev-env
	$(BIN)/mypy

# uv.lock is the lock; requirements.txt (with hashes, for pip) and pylock.toml (PEP 751) are
# exported from it, so tools that do not read uv.lock see the same pins.
EXPORT = $(UV) export --locked --quiet --no-header --format
exports: $(UV)
	$(EXPORT) requirements.txt -o requirements.txt
	$(EXPORT) pylock.toml -o pylock.toml

# Fails when uv.lock and pyproject.toml disagree, or an export is not uv.lock's.
lock-check: $(UV)
	$(UV) lock --check --quiet
	@tmp=$$(mktemp) && for f in requirements.txt pylock.toml; do \
	    $(EXPORT) $$f > $$tmp && cmp -s $$tmp $$f \
	    || { echo "$$f is not uv.lock's: run make exports"; rm -f $$tmp; exit 1; }; \
	done; rm -f $$tmp

lock: $(UV)
	$(UV) lock
	$(MAKE) exports

upgrade: $(UV)
	$(UV) lock --upgrade
	$(MAKE) exports

benchmark: dev-env
	$(BIN)/python benchmarks/bench_plan.py

foods: dev-env
	$(BIN)/python scripts/build_foods.py

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
