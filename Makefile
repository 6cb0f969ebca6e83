# Starting Relationships — the two commands (see README.md).
#   make run    set everything up and serve the app with a Celery worker and scheduler
#   make test   set up what the tests need and run the whole suite, browser tests included
#   make lint   ruff check and ruff format --check

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed

.PHONY: run test lint setup browser format lock clean demo-reminders

setup: $(INSTALLED) $(NODE_INSTALLED)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

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

# The suite runs on TEST_WORKERS processes (pytest-xdist), each with its own test database.
TEST_WORKERS ?= 2

test: setup browser
	DJANGO_TESTING=1 $(PY) -m attachment_app.devservices test -- -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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
	rm -rf $(VENV) node_modules var/staticfiles
