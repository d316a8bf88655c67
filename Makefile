# LKQ: the two commands a new user needs are `make run` and `make test`.
# Both install what is missing (libedit-dev) first.

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build release data bench-data bench limits

## Start the lkq REPL on the built-in LKIP 2023 data.
run: release
	./.build/release/lkq

## Run the whole test suite. Every test is a Swift Testing test; XCTest has none to run, so
## it is left out rather than reporting "Executed 0 tests".
test: deps
	swift build --build-tests
	swift test --skip-build --disable-xctest

## Install the system libraries LKQ needs (Debian/Ubuntu).
deps:
	@if [ ! -f /usr/include/histedit.h ]; then \
		echo "Installing libedit-dev..."; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libedit-dev pkg-config; \
	fi

build: deps
	swift build

release: deps
	swift build -c release --product lkq

## Regenerate the embedded copy of the built-in data after editing Sources/LKQ/Data/LKIP2023.
data:
	python3 Scripts/embed-data.py
	python3 Scripts/check-data.py

## Benchmarks (Benchmarks/README.md): synthetic national-scale data, written outside the repository.
BENCH_DATA ?= /tmp/lkq-bench
BENCH_ARGS ?=

bench-data:
	python3 Benchmarks/generate.py --out $(BENCH_DATA)

## Time lkq against sqlite3, DuckDB, Miller and polars (installs peers when missing).
bench: release bench-data
	python3 Benchmarks/run.py --data $(BENCH_DATA) $(BENCH_ARGS)

## Inputs at the edges (a million statements, 10 MB statements, 10,000 nested levels) fed to
## the release build: each must end in a result or a located error.
limits: release
	python3 Scripts/limits.py ./.build/release/lkq
