# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
PORT ?= 8080
# Branch coverage of service/ and emulator/ (the servers the tests start included).
COVERAGE_FLOOR := 94
EMULATOR_PORT ?= 8081
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
# The pinned TypeScript toolchain the client tests generate and compile with (npm registry).
TS_CLIENT := clients/typescript
TS_TOOLCHAIN := $(TS_CLIENT)/node_modules/.package-lock.json

.PHONY: setup lock redis-server bench-tools chromium ts-toolchain run run-emulator test lint typecheck bench openapi clean

## The runtime (with the embedded store) for `make run`; the test toolchain on top for the rest.
setup: $(DEV)

$(RUNTIME): requirements.lock requirements-embedded.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements.lock -r requirements-embedded.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(RUNTIME)

$(DEV): $(RUNTIME) requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-dev.lock
	touch $(DEV)

## Run the proxy on embedded defaults, wired to a local emulator (`make run PORT=9080 EMULATOR_PORT=9081`).
run: $(RUNTIME)
	$(BIN)/netflix-proxy demo --port $(PORT) --emulator-port $(EMULATOR_PORT)

## Run the Netflix API v1 emulator alone.
run-emulator: $(RUNTIME)
	$(BIN)/python -m emulator

## The tests start private redis-servers; install the binary when it is missing (Debian, as root).
redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "redis-server is missing: installing it with apt-get"; \
	  apt-get update -qq && apt-get install -y -qq redis-server; }

## The browser test drives Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "chromium is missing: installing it with apt-get"; \
	  apt-get update -qq && apt-get install -y -qq chromium; }

## openapi-typescript, openapi-fetch and tsc at the versions of the lock file (Node 20 and npm).
ts-toolchain: $(TS_TOOLCHAIN)

$(TS_TOOLCHAIN): $(TS_CLIENT)/package.json $(TS_CLIENT)/package-lock.json
	cd $(TS_CLIENT) && npm ci --no-audit --no-fund

## The whole suite: lint, types, and every test (a private redis-server is started by the tests).
test: setup redis-server chromium ts-toolchain
	$(BIN)/ruff check service emulator tests bench
	$(BIN)/ruff format --check service emulator tests bench
	$(BIN)/mypy
	rm -rf .coverage-data
	$(BIN)/python -m pytest --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)

## Regenerate the three lock files, with hashes, from pyproject.toml: one resolution for all of
## them (the current pins are kept unless pyproject.toml asks otherwise), split into the runtime
## (the image), the embedded store (`make run`) and the test toolchain (`make test`).
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11.7 --no-header --no-annotate
NO_EMIT = $$(sed -n 's/^\([A-Za-z0-9_.-]*\)==.*/--no-emit-package \1/p' $(1))
lock: $(DEV)
	$(LOCK) --extra embedded --extra dev -c requirements.lock -c requirements-embedded.lock \
	  -c requirements-dev.lock pyproject.toml -o .lock-all.txt
	$(LOCK) -c .lock-all.txt pyproject.toml -o requirements.lock.new
	$(LOCK) -c .lock-all.txt --extra embedded pyproject.toml \
	  $(call NO_EMIT,requirements.lock.new) -o requirements-embedded.lock.new
	$(LOCK) -c .lock-all.txt --extra embedded --extra dev pyproject.toml \
	  $(call NO_EMIT,requirements.lock.new) $(call NO_EMIT,requirements-embedded.lock.new) \
	  -o requirements-dev.lock
	mv requirements.lock.new requirements.lock
	mv requirements-embedded.lock.new requirements-embedded.lock
	rm -f .lock-all.txt

lint: setup
	$(BIN)/ruff check service emulator tests bench
	$(BIN)/ruff format --check service emulator tests bench

typecheck: setup
	$(BIN)/mypy

## The benchmark compares with nginx and drives load with wrk: install them when missing (Debian, as root).
bench-tools:
	@{ command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx; } && command -v wrk >/dev/null 2>&1 || { \
	  echo "nginx or wrk is missing: installing them with apt-get"; \
	  apt-get update -qq && apt-get install -y -qq nginx-light wrk; }

## The TCP benchmark (about five minutes; `make bench BENCH_FLAGS=--quick` for a smoke run).
bench: setup redis-server bench-tools
	$(BIN)/python -m bench $(BENCH_FLAGS)

openapi: setup
	$(BIN)/python -m service.openapi_export > openapi/openapi.json

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache $(TS_CLIENT)/node_modules
