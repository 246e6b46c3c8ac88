# Innovation Atlas NL. `make run` and `make test` each set up what they need first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup run test build info bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: setup
	$(VENV)/bin/atlas build

run: build
	$(VENV)/bin/atlas serve

test: setup
	$(PY) -m pytest

info: setup
	$(VENV)/bin/atlas info

bench: setup
	$(PY) bench/api_latency.py
	$(PY) bench/tiles.py

clean:
	rm -rf .cache $(VENV)
