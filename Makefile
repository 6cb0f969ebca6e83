# Starting Relationships — the two commands (see README.md).
#   make run    set everything up and serve the app with a Celery worker and scheduler
#   make test   set up what the tests need and run the whole suite, browser tests included
#   make mutate mutation testing of the rule modules (many minutes; docs/testing.md)
#   make lint   ruff check, ruff format --check, mypy and djLint (templates)
#   make bench  time the pages, writes and background work at two sizes of data (many minutes)

# The Python .venv is made with: PYTHON when set, otherwise the first of python3.13, python3.12,
# python3.11 and python3 on PATH that is 3.11 to 3.13 (scripts/find-python says what it needs).
PYTHON ?=
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed

.PHONY: run test test-fast mutate lint setup browser format lock clean demo-reminders bench

setup: $(INSTALLED) $(NODE_INSTALLED)

$(PY):
	@python="$$(PYTHON='$(PYTHON)' scripts/find-python)" \
		&& echo "Making $(VENV) with $$python ($$("$$python" --version))" \
		&& "$$python" -m venv $(VENV)

$(INSTALLED): requirements-dev.lock | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

$(NODE_INSTALLED): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: setup
	$(PY) -m attachment_app.devservices run

browser:
	@scripts/ensure-chromium

# While `make run` is running: make the demo's reminders due now and sweep (see README).
demo-reminders: $(INSTALLED)
	$(PY) -m attachment_app.devservices manage reminders_bring_forward --days 14 --sweep

# The suite in two runs against the same servers: the tests without a browser on TEST_WORKERS
# processes (pytest-xdist, each with its own test database), then the browser tests on
# BROWSER_WORKERS. Both must pass. PYTEST_ARGS goes to both runs.
TEST_WORKERS ?= 2
BROWSER_WORKERS ?= 2

test: setup browser
	DJANGO_TESTING=1 $(PY) -m attachment_app.devservices test --workers $(TEST_WORKERS) \
		--browser-workers $(BROWSER_WORKERS) -- $(PYTEST_ARGS)

# For local runs while working: the tests without a browser, keeping the test databases between
# runs (--reuse-db; add PYTEST_ARGS=--create-db after changing a migration).
test-fast: setup
	DJANGO_TESTING=1 $(PY) -m attachment_app.devservices test --workers $(TEST_WORKERS) \
		-- -m "not browser" --reuse-db $(PYTEST_ARGS)

# Mutation testing (docs/testing.md): does each rule module's own suite notice a changed rule?
# Many minutes, so not part of `make test`. MUTATE_ARGS, e.g. "--module engine" or "--no-fail".
mutate: setup
	DJANGO_TESTING=1 $(PY) scripts/mutate $(MUTATE_ARGS)

# The benchmark (docs/performance.md, scripts/bench/): seeds S and L (or reuses them), serves
# both under gunicorn with the production settings and times them; many minutes, so not part of
# `make test`, which runs its --quick version. BENCH_ARGS, e.g. "--quick" or "--sizes S".
bench: setup
	$(PY) -m scripts.bench $(BENCH_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/djlint templates --lint

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-pin the Python packages after changing pyproject.toml: runtime (the production image)
# and runtime plus development (make run, make test).
lock: $(INSTALLED)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes \
		--python-version 3.11 --universal --quiet -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes \
		--python-version 3.11 --universal --quiet -o requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules var/staticfiles mutants
