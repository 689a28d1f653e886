# Everything a contributor needs, from a fresh clone with Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help run demo node-packages plan test lint lint-workflows lint-site dast cloud-test bench clean

help:
	@echo "make run    - start all three systems offline (Ctrl-C stops; ARGS='--reset' starts from empty data)"
	@echo "make demo   - start everything offline, run the key flows over HTTP printing each step, stop"
	@echo "make test   - lint and run every test"
	@echo "make plan   - print each stack's offline resource plan, preflight findings and monthly cost estimate"
	@echo "             (STACKS='dev prod' to choose; ARGS=--json for the same figures as JSON)"
	@echo "make dast   - fuzz every system's API offline with schemathesis (ARGS='--max-examples 50' for more)"
	@echo "make cloud-test STACK=dev - deploy a throwaway copy of a stack, run the smoke flows and DAST on it, destroy it"
	@echo "             (needs the Pulumi CLI and AWS credentials; ARGS='--keep' leaves the stack up)"
	@echo "make bench  - measure stack synthesis and record it in BENCHMARKS.md"

$(STAMP): requirements-dev.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	@echo "-> creating $(VENV) and installing dependencies (first run takes about a minute)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

# The local console serves swagger-ui and mermaid from node_modules: installed once, when npm is there. Without them
# (no npm, or no registry) the runtime still starts, and the console's views say to run `npm ci`.
node-packages:
	@if [ ! -d node_modules/swagger-ui-dist ] || [ ! -d node_modules/mermaid ]; then \
	  if command -v npm >/dev/null; then \
	    echo "-> installing the console's node packages (npm ci)"; \
	    npm ci --silent --no-audit --no-fund || echo "-> npm ci failed: the console runs without its diagrams and API explorer"; \
	  else echo "-> npm not found: the console runs without its diagrams and API explorer"; fi; \
	fi

run: $(STAMP) node-packages
	$(BIN)/python -m local $(ARGS)

# Its own state folder and ports, so it runs beside a `make run`, from empty data every time.
demo: $(STAMP) node-packages
	$(BIN)/python -m local --demo --reset --state-dir .local/demo --base-port $${LOCAL_DEMO_BASE_PORT:-8800}

plan: $(STAMP)
	$(BIN)/python -m tools.plan $(ARGS) $(STACKS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy aws_systems architectures program tools handlers local

test: lint
	$(BIN)/python -m pytest

# Starts every system offline on free ports and runs schemathesis against their generated OpenAPI documents.
dast: $(STAMP)
	$(BIN)/python -m tools.dast $(ARGS)

# Needs the Pulumi CLI and AWS credentials (it says so and stops without them); never runs on prod.
cloud-test: $(STAMP)
	@[ -n "$(STACK)" ] || { echo "usage: make cloud-test STACK=dev [ARGS='--keep']"; exit 2; }
	$(BIN)/python -m tools.cloud_test $(STACK) $(ARGS)

# Needs Node.js and npm (CI has them); not part of `make test`, which needs only Python.
lint-workflows:
	npm ci --silent --no-audit --no-fund
	npm run --silent lint:workflows

# The web app's JavaScript as Prettier writes it (120 columns); after lint-workflows, which installs the Node tools.
lint-site:
	npm run --silent lint:site

bench: $(STAMP)
	$(BIN)/python -m bench.synthesis

clean:
	rm -rf $(VENV) .build .pytest_cache .ruff_cache node_modules
