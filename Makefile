# The two commands of README.md: `make run` and `make test`. Everything else is their plumbing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := run
.PHONY: run test install messages lint format security check-deploy clean

# A virtualenv with the pinned dependencies; redone only when pyproject.toml changes.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Compiled translation catalogues (.mo) are built here, not committed.
messages: install
	$(BIN)/python manage.py compilemessages --ignore '.venv' -v 0

run: messages
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: messages
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Static security analysis: bandit fails on any medium or high finding (tests and bench aside).
security: install
	$(BIN)/bandit -c pyproject.toml -r . -ll -q

check-deploy: install
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64 | tr -d '\n') ALLOWED_HOSTS=loopdesk.example \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf var
