# The README's quick-start commands and the everyday ones. PY picks the interpreter (default python3).
PY ?= python3

.PHONY: system-packages install lesson test lint bench-spine bench-lesson dev

system-packages:
	./scripts/install-system-packages.sh

install: system-packages
	$(PY) -m pip install -q -e '.[dev]'

lesson: install
	$(PY) -m cli generate "Explain the water cycle: evaporation, condensation, precipitation" --grade 5 --minutes 2

test: install
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
