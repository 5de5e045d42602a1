# One entry point for people and CI: every target creates the virtualenv it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: run test bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

## make run: local stack (embedded DynamoDB + API) on PORT (8000) and DYNAMODB_PORT (8001)
run: $(STAMP)
	exec $(PY) run_local.py

## make test: the whole suite (pytest exits non-zero on failures and when no test ran)
test: $(STAMP)
	$(PY) -m pytest

## make bench: DynamoDB call counts and overhead ratios -> bench/results.json
bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache
