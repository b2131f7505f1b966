# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv on first use, installing the exact versions locked in
# requirements-dev.txt; with DATABASE_URL unset they start an embedded
# PostgreSQL whose data lives under .data/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP := $(BIN)/python -m pip --disable-pip-version-check
# The lock is made with pip-tools, kept in its own venv so it never leaks into the service's.
LOCK_TOOLS := .data/tools/pip-tools
PIP_COMPILE := $(LOCK_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test schema documents bench bench-codes bench-sql upgrade clean

# Every package comes from the lock with its hash checked; the project itself
# is installed without dependencies or build isolation, so nothing unpinned
# is ever fetched.
$(STAMP): requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes --no-deps -r requirements-dev.txt
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	LOG_FORMAT=$${LOG_FORMAT:-human} $(BIN)/campaign-service serve

test: $(STAMP)
	$(BIN)/python -m pytest

# The benchmark suite (see bench/run.py for its knobs); wrk comes from Debian's packages.
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

# The apply's own statements under pgbench: the database's ceiling per campaign (docs/scaling.md).
bench-sql: $(STAMP)
	$(BIN)/python bench/sql_ceiling.py

# Coupon codes at scale: 100,000 generated in one call, then exported.
bench-codes: $(STAMP)
	$(BIN)/python bench/codes.py

schema: $(STAMP)
	$(BIN)/campaign-service export-schema

# The trusted documents: the shared operations, and the TypeScript client's codegen output.
documents: $(STAMP)
	$(BIN)/campaign-service documents examples/operations \
		--merge examples/typescript-client/src/generated/persisted-documents.json

# Re-resolve the locks to the newest releases pyproject.toml's ranges allow.
# Run `make test` afterwards, and raise an upper bound only once it passes there.
upgrade:
	test -x $(LOCK_TOOLS)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/python -m pip install --quiet 'pip-tools==7.6.2')
	$(PIP_COMPILE) --upgrade -o requirements.txt pyproject.toml
	$(PIP_COMPILE) --upgrade --all-build-deps --extra embedded --extra test --extra bench \
		-o requirements-dev.txt pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache
