# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv on first use; with DATABASE_URL unset they start an embedded
# PostgreSQL whose data lives under .data/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test schema bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,test]'
	touch $(STAMP)

run: $(STAMP)
	LOG_FORMAT=$${LOG_FORMAT:-human} $(BIN)/campaign-service serve

test: $(STAMP)
	$(BIN)/python -m pytest

# The benchmark suite (see bench/run.py for its knobs); wrk comes from Debian's packages.
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

schema: $(STAMP)
	$(BIN)/campaign-service export-schema

clean:
	rm -rf $(VENV) .pytest_cache
