# talentmatch: the two commands of the README are `make demo` and `make test`.
# Both set everything up from nothing but Python 3.11+ (a private uv in .uv/, the project in .venv/).

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
RUN := $(UV) run --frozen
DEMO_CANDIDATES ?= 3000
DEMO_REQUIREMENTS ?= 24

#: pytest's options: two workers (one per core; each with its own PostgreSQL database and Redis DB)
#: in random order; pytest-randomly prints the seed in the header, and
#: `make pytest PYTEST_ARGS="-n 2 -p randomly --randomly-seed=N"` replays it.
PYTEST_ARGS ?= -n 2
#: The tests whose outcome depends on the business date (seeding, re-matching, shortlists and the
#: browser flows on seeded data, the generator, the demo), run again with "today" a year ahead and
#: a year back. The UI's sign-in, session and form-field tests hold no business date: not repeated.
DATE_TESTS := tests/tasks tests/services tests/index/test_index_snapshot.py tests/ui/test_ui_browser.py \
	tests/ui/test_ui_pipeline_browser.py tests/ui/test_ui_placements_browser.py tests/api/test_api_shortlist_read.py \
	tests/fixtures_gen tests/test_demo.py
DATES := 2027-12-01 2025-12-01

.PHONY: setup demo test lint typecheck pytest test-dates bench clean

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
	$(RUN) pytest $(PYTEST_ARGS)

test-dates: setup
	for day in $(DATES); do TALENTMATCH_TEST_TODAY=$$day $(RUN) pytest $(PYTEST_ARGS) $(DATE_TESTS) || exit 1; done

test: lint typecheck pytest test-dates

bench: setup
	$(RUN) python -m bench

clean:
	rm -rf .venv .uv var artifacts .pytest_cache .mypy_cache .ruff_cache
