# Two commands on a fresh machine: `make run` and `make test`.
# Both create .venv on first use; with DATABASE_URL unset they start an embedded
# PostgreSQL whose data lives under .data/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test schema clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,test]'
	touch $(STAMP)

run: $(STAMP)
	LOG_FORMAT=$${LOG_FORMAT:-human} $(BIN)/campaign-service serve

test: $(STAMP)
	$(BIN)/python -m pytest

schema: $(STAMP)
	$(BIN)/campaign-service export-schema

clean:
	rm -rf $(VENV) .pytest_cache
