# The README's quick-start commands and the everyday ones. Everything Python runs in a virtual environment
# (.venv): Debian's and Ubuntu's system Python refuses `pip install` (PEP 668). PYTHON picks the interpreter
# the environment is made from (default python3); PY is the environment's own.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

CHECKOV_VENV ?= .venv-checkov

.PHONY: system-packages install install-lesson lesson test lint checkov bench-spine bench-lesson dev

$(PY):
	./scripts/install-system-packages.sh lesson
	$(PYTHON) -m venv $(VENV)

system-packages:
	./scripts/install-system-packages.sh test

# What one offline lesson needs: no PostgreSQL, Java or Pub/Sub emulator.
install-lesson: $(PY)
	$(PY) -m pip install -q -e '.[voice]'

install: system-packages $(PY)
	$(PY) -m pip install -q -e '.[dev,voice]'
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

lesson: install-lesson
	$(PY) -m cli generate "Explain the water cycle: evaporation, condensation, precipitation" --grade 5 --minutes 2

# checkov lives in its own virtual environment: its pins must not move the project's.
checkov:
	test -x $(CHECKOV_VENV)/bin/checkov || ($(PYTHON) -m venv $(CHECKOV_VENV) && $(CHECKOV_VENV)/bin/pip install -q checkov==3.3.30)
	$(CHECKOV_VENV)/bin/checkov -d terraform --config-file terraform/.checkov.yaml --skip-download --quiet --compact --framework terraform

test: install checkov
	$(PY) -m ruff check .
	$(PY) -m mypy shared worker
	$(PY) -m pytest -q

lint:
	$(PY) -m ruff check . && $(PY) -m ruff format --check . && $(PY) -m mypy shared worker

dev: install
	$(PY) -m cli dev

bench-spine: install
	$(PY) benchmarks/spine_roundtrip.py

bench-lesson: install
	$(PY) benchmarks/lesson_offline.py
