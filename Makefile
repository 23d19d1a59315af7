# `make serve` sets up a virtualenv and runs the service; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
# The test suite runs on SQLite and on these local servers; set them empty to skip PostgreSQL / Redis.
export REPLYBASE_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export REPLYBASE_TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: setup serve test bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU torch first, so sentence-transformers does not pull a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

serve: setup
	$(VENV)/bin/replybase serve

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) bench/retrieval.py
	$(PY) bench/search_latency.py
