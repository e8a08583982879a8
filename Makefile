# Two commands on a fresh machine with Python 3.11+ and make: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test unit lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("tutorhub needs Python 3.11+") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tutorhub db upgrade
	$(BIN)/tutorhub serve

demo: $(STAMP)
	$(BIN)/tutorhub db upgrade
	$(BIN)/tutorhub seed-demo

test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build src/*.egg-info
