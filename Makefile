# Thin wrappers around dev.py, which needs nothing but Python 3.11 and pip.
PY ?= python3

.PHONY: run test lint bench-import clean

run:
	$(PY) dev.py run

test:
	$(PY) dev.py test

lint:
	.venv/bin/ruff check src tests bench dev.py

bench-import:
	.venv/bin/python bench/import_bench.py

clean:
	rm -rf .venv var test-artifacts
