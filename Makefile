# The two quick-start commands of the README, and the rest of the everyday ones.
PY ?= python3

.PHONY: install lesson test lint bench-spine bench-lesson

install:
	$(PY) -m pip install -q -e '.[dev]'

lesson: install
	vividly generate "Explain the water cycle: evaporation, condensation, precipitation" --grade 5 --minutes 2

test: install
	ruff check .
	$(PY) -m pytest -q

lint:
	ruff check . && ruff format --check . && mypy shared worker

bench-spine: install
	$(PY) benchmarks/spine_roundtrip.py

bench-lesson: install
	$(PY) benchmarks/lesson_offline.py
