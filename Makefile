# Innovation Atlas NL. `make run` and `make test` each set up what they need first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
WEB_STAMP := web/node_modules/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup browser qgis run test test-build test-fast lint lock build info bench clean

setup: $(STAMP) $(WEB_STAMP)

# Front-end packages (Leaflet, Swagger UI, ReDoc) from the npm registry, exactly as locked; served locally by the atlas.
$(WEB_STAMP): web/package.json web/package-lock.json web/.npmrc
	npm ci --prefix web --no-audit --no-fund
	touch $(WEB_STAMP)

# Debian's Chromium for the browser tests (never a downloaded browser), without the recommended packages.
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; }

# Debian's QGIS 3.22 and GDAL Python bindings for the QGIS client tests (tests/qgis), run by /usr/bin/python3.
qgis:
	@/usr/bin/python3 -c "import qgis.core, osgeo.gdal" 2>/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-qgis python3-gdal; }

# Python packages at the versions in requirements.lock (a constraints file: it pins, the extras choose).
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(STAMP)

# Re-resolve requirements.lock after changing dependencies in pyproject.toml. Pins already in the lock are kept;
# `make lock UPGRADE=--upgrade` moves every package to its newest release. Commit the lock with the change.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --python-version 3.11 --universal --quiet \
		--custom-compile-command "make lock" -o requirements.lock $(UPGRADE)

build: setup
	$(VENV)/bin/atlas build

# The server loads the cache when its fingerprint matches the data and code, and builds it only otherwise.
run: setup
	$(VENV)/bin/atlas serve

lint: setup
	$(VENV)/bin/ruff check atlas api tests bench
	$(VENV)/bin/mypy atlas api tests bench

# Two pytest workers (one per core here), each test file kept on one worker so its server and browser start
# once; half the suite waits on servers, browsers and pip, so the second worker fills that time. The schema
# fuzzing runs after, in one process: under xdist schemathesis would collapse its 57 operations into one no-op.
TEST_WORKERS ?= 2
# The cache is built once, before pytest, and each worker and run starts from a copy of it
# (tests/conftest.py); it is rebuilt only when the data or the core's code changed.
TEST_BUILD := .cache/test-build
PYTEST := ATLAS_TEST_PREBUILT=$(TEST_BUILD) $(PY) -m pytest
test-build: setup
	ATLAS_CACHE_DIR=$(TEST_BUILD) $(VENV)/bin/atlas build --if-changed

test: setup browser qgis lint test-build
	$(PYTEST) -n $(TEST_WORKERS) --dist loadfile -m "not fuzz"
	$(PYTEST) -m fuzz

test-fast: setup lint test-build
	$(PYTEST) -m "not browser and not container and not fuzz and not qgis and not flood"

info: setup
	$(VENV)/bin/atlas info

bench: setup
	$(PY) bench/api_latency.py
	$(PY) bench/tiles.py
	$(PY) bench/load.py
	$(PY) bench/analysis.py
	$(PY) bench/imports.py
	$(PY) bench/pyramid.py

clean:
	rm -rf .cache $(VENV) web/node_modules screenshots build
