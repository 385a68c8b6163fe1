# talentmatch: the two commands of the README are `make demo` and `make test`.
# Both set everything up from nothing but Python 3.11+ (a private uv in .uv/, the project in .venv/).

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
RUN := $(UV) run --frozen
DEMO_CANDIDATES ?= 3000
DEMO_REQUIREMENTS ?= 24

.PHONY: setup demo test lint typecheck pytest bench clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	touch $@

setup: .venv/.synced

demo: setup
	$(RUN) talentmatch demo --candidates $(DEMO_CANDIDATES) --requirements $(DEMO_REQUIREMENTS)

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: setup
	$(RUN) mypy

pytest: setup
	$(RUN) pytest

test: lint typecheck pytest

bench: setup
	$(RUN) python -m bench

clean:
	rm -rf .venv .uv var artifacts .pytest_cache .mypy_cache .ruff_cache
