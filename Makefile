# Thin wrappers around dev.py, which needs nothing but Python 3.11 and pip.
PY ?= python3

.PHONY: run test lint bench-import bench-engine clean

run:
	$(PY) dev.py run

test:
	$(PY) dev.py test

lint:
	.venv/bin/ruff check src tests bench dev.py

bench-import:
	.venv/bin/python bench/import_bench.py

# The engine on 1e5 and 1e6 credits next to the per-row oracle (docs/benchmarks.md, "Engine");
# add 1e7 with: make bench-engine BENCH_ENGINE_ARGS="--sizes 10000000 --oracle-max 0"
BENCH_ENGINE_ARGS ?= --sizes 100000,1000000 --oracle-max 1000000
bench-engine:
	.venv/bin/python bench/engine_bench.py $(BENCH_ENGINE_ARGS)

clean:
	rm -rf .venv var test-artifacts
