# Benchmarks (see Benchmarks/README.md). Data is written outside the repository.
BENCH_DATA ?= /tmp/lkq-bench
BENCH_ARGS ?=

.PHONY: bench-data bench

bench-data:
	python3 Benchmarks/generate.py --out $(BENCH_DATA)

bench: bench-data
	swift build -c release
	python3 Benchmarks/run.py --data $(BENCH_DATA) $(BENCH_ARGS)
