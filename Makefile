# LKQ: the two commands a new user needs are `make run` and `make test`.
# Both install what is missing (libedit-dev) first.

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build release data bench-data bench limits difftest difftest-run difftest-deps

## Start the lkq REPL on the built-in LKIP 2023 data.
run: release
	./.build/release/lkq

## Run the whole test suite. Every test is a Swift Testing test; XCTest has none to run, so
## it is left out rather than reporting "Executed 0 tests".
test: deps
	swift build --build-tests
	swift test --skip-build --disable-xctest
	$(MAKE) difftest-run DIFFTEST_LKQ=.build/debug/lkq

## LKQ against DuckDB on generated tables and queries (Tests/Differential/README.md): fixed
## seeds, a few hundred queries, on the release build. DIFFTEST_ARGS overrides (.ci/run:
## --seed-random --queries 10000). make test runs the same on the debug build it has just
## made, rather than compiling a release build too.
DIFFTEST_ARGS ?= --seeds 1,42,44 --queries 200
DIFFTEST_LKQ ?= .build/release/lkq

difftest: release difftest-run

difftest-run: difftest-deps
	python3 Tests/Differential/difftest.py --self-test
	python3 Tests/Differential/difftest.py --lkq $(DIFFTEST_LKQ) $(DIFFTEST_ARGS)

## The Python package duckdb. pip refuses to install into a Debian-managed Python (PEP 668)
## unless told to; as root on a fresh machine that is the Python the tests run with.
difftest-deps:
	@if ! python3 -c 'import duckdb' 2>/dev/null; then \
		echo "Installing the Python package duckdb..."; \
		python3 -m pip install -q duckdb 2>/dev/null || \
			python3 -m pip install -q --break-system-packages duckdb; \
	fi

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

## Fuzzing (Fuzz/README.md): libFuzzer with Address Sanitizer, built by hand because SwiftPM
## cannot build a fuzz target. Each target is the LKQSyntax and LKQ sources plus one entry file, compiled as
## one module. `make fuzz FUZZ_TIME=600` runs both targets that many seconds each; new inputs
## are kept in .build/fuzz/corpus/, crashing ones written to .build/fuzz/crashes/.
FUZZ_TIME ?= 60
FUZZ_DIR := .build/fuzz
FUZZ_SWIFTC := swiftc -sanitize=fuzzer,address -parse-as-library -module-name LKQ -swift-version 6 -O -g -use-ld=lld
LKQ_SOURCES := $(sort $(shell find Sources/LKQSyntax Sources/LKQ -name '*.swift'))
# Leak reports that are not LKQ's are suppressed; Fuzz/lsan.supp gives the reason for each.
FUZZ_ENV := LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan.supp:print_suppressions=0
FUZZ_ARGS = -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -print_pcs=0

.PHONY: fuzz fuzz-lkq fuzz-csv fuzz-smoke fuzz-build fuzz-seeds

$(FUZZ_DIR)/lkq-fuzz: $(LKQ_SOURCES) Fuzz/LKQFuzz.swift
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_SWIFTC) $(LKQ_SOURCES) Fuzz/LKQFuzz.swift -o $@

$(FUZZ_DIR)/csv-fuzz: $(LKQ_SOURCES) Fuzz/CSVFuzz.swift
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_SWIFTC) $(LKQ_SOURCES) Fuzz/CSVFuzz.swift -o $@

fuzz-build: $(FUZZ_DIR)/lkq-fuzz $(FUZZ_DIR)/csv-fuzz

fuzz-seeds:
	python3 Fuzz/make-corpus.py $(FUZZ_DIR)/seeds
	@mkdir -p $(FUZZ_DIR)/corpus/lkq $(FUZZ_DIR)/corpus/csv $(FUZZ_DIR)/crashes

## Both targets, FUZZ_TIME seconds each.
fuzz: fuzz-lkq fuzz-csv

## LKQ text over the built-in data: every statement run, every result rendered in every format.
fuzz-lkq: $(FUZZ_DIR)/lkq-fuzz fuzz-seeds
	$(FUZZ_ENV) $(FUZZ_DIR)/lkq-fuzz $(FUZZ_ARGS) -max_len=4096 -dict=Fuzz/lkq.dict \
		-artifact_prefix=$(FUZZ_DIR)/crashes/lkq- $(FUZZ_DIR)/corpus/lkq $(FUZZ_DIR)/seeds/lkq

## Bytes as a CSV file: opened three ways, then counted, grouped and sorted.
fuzz-csv: $(FUZZ_DIR)/csv-fuzz fuzz-seeds
	$(FUZZ_ENV) $(FUZZ_DIR)/csv-fuzz $(FUZZ_ARGS) -max_len=8192 -dict=Fuzz/csv.dict \
		-artifact_prefix=$(FUZZ_DIR)/crashes/csv- $(FUZZ_DIR)/corpus/csv $(FUZZ_DIR)/seeds/csv

## What CI can afford: one minute per target.
fuzz-smoke:
	$(MAKE) fuzz FUZZ_TIME=60

## Sanitizers: the whole test suite (the `lkq` the command tests start included) under Address
## Sanitizer with LeakSanitizer, then under Thread Sanitizer, each in a build folder of its own.
## Fuzz/lsan.supp names the leak reports that are not LKQ's, with the reason for each.
SAN_BUILD := swift build --build-tests -Xswiftc -use-ld=lld
SAN_ENV := LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan.supp:print_suppressions=0

.PHONY: sanitize sanitize-address sanitize-thread

sanitize: sanitize-address sanitize-thread

sanitize-address: deps
	$(SAN_BUILD) --sanitize=address --scratch-path .build/asan
	$(SAN_ENV) swift test --skip-build --disable-xctest --scratch-path .build/asan

sanitize-thread: deps
	$(SAN_BUILD) --sanitize=thread --scratch-path .build/tsan
	swift test --skip-build --disable-xctest --scratch-path .build/tsan
