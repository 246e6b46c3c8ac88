# Innovation Atlas NL. `make run` and `make test` each set up what they need first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup browser run test build info bench clean

setup: $(STAMP) $(WEB_STAMP)

# Front-end packages (Leaflet) from the npm registry, exactly as locked; served locally by the atlas.
$(WEB_STAMP): web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund
	touch $(WEB_STAMP)

# Debian's Chromium for the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: setup
	$(VENV)/bin/atlas build

run: build
	$(VENV)/bin/atlas serve

test: setup browser
	$(PY) -m pytest

info: setup
	$(VENV)/bin/atlas info

bench: setup
	$(PY) bench/api_latency.py
	$(PY) bench/tiles.py
	$(PY) bench/load.py

clean:
	rm -rf .cache $(VENV) web/node_modules screenshots
