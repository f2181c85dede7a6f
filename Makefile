# Liaison: `make run` serves the demo, `make test` runs every test. Both set up .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
# The editable install builds with these, without build isolation: no download per install.
BUILD_TOOLS := setuptools==80.9.0

.PHONY: run test lint bench lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(BUILD_TOOLS) -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Safe to repeat: the demo loads unless it is already whole (a load that stopped half-way is
# finished), and the server says what it serves.
run: $(STAMP)
	$(BIN)/liaison init
	$(BIN)/liaison demo --unless-loaded
	$(BIN)/liaison serve

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check liaison tests bench
	$(BIN)/ruff format --check liaison tests bench
	$(BIN)/mypy liaison

# The reference tools (nomenklatura, Splink) are heavy and only the benchmarks need them.
$(BENCH_STAMP): $(STAMP) requirements-bench.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.lock
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python bench/import.py
	$(BIN)/python bench/names.py
	$(BIN)/python bench/screening.py
	$(BIN)/python bench/screening_scale.py
	$(BIN)/python bench/manifest.py
	$(BIN)/python bench/ioc.py
	$(BIN)/python bench/taxii.py
	$(BIN)/python bench/trends.py
	$(BIN)/python bench/linkage.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/index_lag.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/network.py
	$(BIN)/python bench/network.py --demo
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/federation.py

# Regenerate the lock files from fresh environments of pyproject's pins and extras:
# requirements.lock for the application and its tests, requirements-bench.lock for what
# the benchmarks add.
lock:
	rm -rf /tmp/liaison-lock && $(PYTHON) -m venv /tmp/liaison-lock
	/tmp/liaison-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	/tmp/liaison-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e' | sort > requirements.lock
	/tmp/liaison-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	/tmp/liaison-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e' | sort \
		| comm -23 - requirements.lock > requirements-bench.lock

clean:
	rm -rf $(VENV) liaison.db liaison.db-wal liaison.db-shm
