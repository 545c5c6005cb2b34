# The two commands users need: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint demo cluster cluster-down tools clean bench e2e image

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## lint: formatting, lint and strict typing of the package and tests
lint: $(STAMP)
	$(BIN)/ruff format --check operator tests hack benchmarks
	$(BIN)/ruff check operator tests hack benchmarks
	$(BIN)/mypy --strict

## tools: build the local control plane binaries (cached outside the repository)
tools:
	hack/build-tools.sh

## test: everything CI runs, from a fresh clone
test: lint tools
	$(BIN)/pytest

demo: $(STAMP) tools
	$(BIN)/python -m origin_ca_operator.demo

cluster: $(STAMP) tools
	$(BIN)/python -m origin_ca_operator.localcluster up --dir .cluster

cluster-down: $(STAMP)
	$(BIN)/python -m origin_ca_operator.localcluster down --dir .cluster

bench: $(STAMP) tools
	$(BIN)/python benchmarks/emulator_creates.py
	$(BIN)/python benchmarks/issuer_latency.py

## e2e: kind with real cert-manager (needs Docker, kind, kubectl; skips otherwise)
e2e: $(STAMP) tools
	$(BIN)/pytest -m kind tests/e2e

image:
	docker build -t ghcr.io/origin-ca-operator/origin-ca-operator:0.1.0 .

clean:
	rm -rf $(VENV) .cluster .demo .mypy_cache .ruff_cache .pytest_cache
