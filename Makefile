# The README's quick-start commands and the everyday ones. PY picks the interpreter (default python3).
PY ?= python3

CHECKOV_VENV ?= .venv-checkov

.PHONY: system-packages install lesson test lint checkov bench-spine bench-lesson dev

system-packages:
	./scripts/install-system-packages.sh

install: system-packages
	$(PY) -m pip install -q -e '.[dev,voice]'

lesson: install
	$(PY) -m cli generate "Explain the water cycle: evaporation, condensation, precipitation" --grade 5 --minutes 2

# checkov lives in its own virtual environment: its pins must not move the project's.
checkov:
	test -x $(CHECKOV_VENV)/bin/checkov || ($(PY) -m venv $(CHECKOV_VENV) && $(CHECKOV_VENV)/bin/pip install -q checkov==3.3.30)
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
