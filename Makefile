# LKQ: the two commands a new user needs are `make run` and `make test`.
# Both install what is missing (libedit-dev; libminizip-dev, libexpat1-dev and libxlsxwriter-dev for
# Excel workbooks) first.

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test deps build release data bench-data bench bench-results bench-db limits difftest difftest-run difftest-deps dist test-dist

## Start the lkq REPL on the built-in LKIP 2023 data.
run: release
	./.build/release/lkq

## Run the whole test suite. Every test is a Swift Testing test; XCTest has none to run, so
## it is left out rather than reporting "Executed 0 tests".
test: deps test-deps
	swift build --build-tests
	swift test --skip-build --disable-xctest
	$(MAKE) --no-print-directory test-embed
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

## The SQL differential test on Spark SQL (a local pyspark session on Debian's OpenJDK, both
## installed when missing): slow to start, so kept out of `make test`; .ci/run runs it.
.PHONY: test-spark
test-spark: deps
	@command -v java >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq openjdk-17-jre-headless; }
	swift build --build-tests
	LKQ_SPARK=1 swift test --skip-build --disable-xctest --filter sparkAgreesWithLKQ

## Install the system libraries LKQ needs (Debian/Ubuntu): libedit for the shell; minizip and
## expat to read .xlsx workbooks, libxlsxwriter to write them; libpq for `--db`; the PostgreSQL
## server that the SQL differential tests start on a private port (Tests/SQL/engine.py installs
## pip duckdb and python3-psycopg2 itself).
deps:
	@if [ ! -f /usr/include/histedit.h ] || [ ! -f /usr/include/minizip/unzip.h ] || \
	    [ ! -f /usr/include/expat.h ] || [ ! -f /usr/include/xlsxwriter.h ]; then \
		echo "Installing libedit-dev libminizip-dev libexpat1-dev libxlsxwriter-dev..."; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq libedit-dev libminizip-dev libexpat1-dev libxlsxwriter-dev pkg-config; \
	fi
	@if [ ! -f /usr/include/postgresql/libpq-fe.h ] || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "Installing libpq-dev and postgresql..."; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libpq-dev postgresql pkg-config; \
	fi

build: deps
	swift build

## The Swift runtime and Foundation linked in, as `make dist` has them: lkq then starts in about
## 13 ms instead of 27 (the dynamic loader no longer resolves some 18,000 symbols across 50
## libraries), which a question asked from a script or a web page pays every time.
release: deps
	swift build -c release --product lkq --static-swift-stdlib

## lkq for machines without Swift (README, "Installing"): a release build with the Swift runtime
## linked in, as dist/lkq-VERSION-linux-ARCH.tar.gz and dist/lkq_VERSION_ARCH.deb.
dist: deps
	Scripts/dist.sh

## Runs the dist binary (tarball and .deb) with the Swift toolchain hidden; as root.
test-dist: dist
	Scripts/test-dist.sh

## Regenerate the embedded copy of the built-in data after editing Sources/LKQ/Data/LKIP2023.
data:
	python3 Scripts/embed-data.py
	python3 Scripts/check-data.py

## Benchmarks (Benchmarks/README.md): synthetic national-scale data, written outside the repository.
BENCH_DATA ?= /tmp/lkq-bench
BENCH_ARGS ?=

bench-data:
	python3 Benchmarks/generate.py --out $(BENCH_DATA)

## Time lkq against DuckDB and polars (installs them when missing; sqlite3 and Miller with
## BENCH_ARGS='--tools lkq,sqlite3,duckdb,mlr,polars'). The report goes to Benchmarks/out/.
bench: release bench-data
	python3 Benchmarks/run.py --data $(BENCH_DATA) $(BENCH_ARGS)

## Issue 15, the committed figures: the six shapes and the earlier queries at 1M and 10M rows,
## LKQ cold and warm against DuckDB and polars in turns, every answer checked, and LKQ's cost at
## 1M, 2M, 5M and 10M rows. Rewrites Benchmarks/RESULTS.md, keeping the section bench-db
## writes. BENCH_RESULTS_ARGS overrides the runs (3 at each size by default).
BENCH_RESULTS_ARGS ?= --runs 3
bench-results: release bench-data
	python3 Benchmarks/run.py --data $(BENCH_DATA) --scaling --results Benchmarks/RESULTS.md \
		--label "make bench-results BENCH_RESULTS_ARGS='$(BENCH_RESULTS_ARGS)'" $(BENCH_RESULTS_ARGS)

## lkq in memory against lkq --db on one PostgreSQL and on three (a coordinator and two
## postgres_fdw shards, Benchmarks/pgcluster.py), on anggaran's 1M and 10M rows; writes the
## figures into Benchmarks/RESULTS.md. Only the anggaran files are generated.
bench-db: release
	python3 Benchmarks/generate.py --out $(BENCH_DATA) --only anggaran.csv,anggaran_10m.csv
	python3 Benchmarks/bench_db.py --data $(BENCH_DATA) $(BENCH_DB_ARGS)

## Inputs at the edges (a million statements, 10 MB statements, 10,000 nested levels) fed to
## the release build: each must end in a result or a located error.
limits: release
	python3 Scripts/limits.py ./.build/release/lkq

## Fuzzing (Fuzz/README.md): libFuzzer with Address Sanitizer, built by hand because SwiftPM
## cannot build a fuzz target. Each target is the LKQSyntax and LKQ sources plus one entry file, compiled as
## one module, with the C splitter of the CSV reader linked in. `make fuzz FUZZ_TIME=600` runs both targets that many seconds each; new inputs
## are kept in .build/fuzz/corpus/, crashing ones written to .build/fuzz/crashes/.
FUZZ_TIME ?= 60
FUZZ_DIR := .build/fuzz
FUZZ_SWIFTC := swiftc -sanitize=fuzzer,address -parse-as-library -module-name LKQ -swift-version 6 -O -g -use-ld=lld \
	-I Sources/CLKQScan/include
LKQ_SOURCES := $(sort $(shell find Sources/LKQSyntax Sources/LKQ -name '*.swift'))
# The CSV reader's C splitter, compiled with the same sanitizers for the fuzz targets to link.
SCAN_C := Sources/CLKQScan/scan.c Sources/CLKQScan/include/lkq_scan.h
$(FUZZ_DIR)/scan.o: $(SCAN_C)
	@mkdir -p $(FUZZ_DIR)
	clang -fsanitize=fuzzer-no-link,address -O2 -g -I Sources/CLKQScan/include -c Sources/CLKQScan/scan.c -o $@
# Leak reports that are not LKQ's are suppressed; Fuzz/lsan.supp gives the reason for each.
FUZZ_ENV := LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan.supp:print_suppressions=0
FUZZ_ARGS = -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -print_pcs=0

.PHONY: fuzz fuzz-lkq fuzz-csv fuzz-smoke fuzz-build fuzz-seeds

$(FUZZ_DIR)/lkq-fuzz: $(LKQ_SOURCES) Fuzz/LKQFuzz.swift $(FUZZ_DIR)/scan.o
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_SWIFTC) $(LKQ_SOURCES) Fuzz/LKQFuzz.swift $(FUZZ_DIR)/scan.o -o $@

$(FUZZ_DIR)/csv-fuzz: $(LKQ_SOURCES) Fuzz/CSVFuzz.swift $(FUZZ_DIR)/scan.o
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_SWIFTC) $(LKQ_SOURCES) Fuzz/CSVFuzz.swift $(FUZZ_DIR)/scan.o -o $@

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

## Embedding and editors (issue 16): the C library liblkqc.so (include/lkqc.h), its Python and
## PHP bindings (bindings/), and the language server `lkq lsp` (editors/). `make test` runs the
## quick checks through test-embed; lkqc-asan (1,000 cycles under AddressSanitizer) is CI's.
LKQC := .build/debug/liblkqc.so
LKQ_DEBUG := .build/debug/lkq
SWIFT_LIB := $(dir $(shell readlink -f $$(command -v swiftc)))../lib/swift/linux

.PHONY: test-deps test-embed lkqc check-header test-python test-php test-lsp test-grammar lkqc-asan lkqc-tsan

## PHP CLI with FFI, pytest and pytest-lsp, installed when missing.
test-deps:
	@command -v php >/dev/null || { echo "Installing php-cli..."; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq php-cli; }
	@php -m | grep -qx FFI || { echo "PHP has no FFI extension: install php-cli from Debian (it has FFI) or enable ffi in php.ini"; exit 1; }
	@python3 -c 'import pytest' 2>/dev/null || python3 -m pip install -q pytest 2>/dev/null || \
		python3 -m pip install -q --break-system-packages pytest
	@python3 -c 'import pytest_lsp' 2>/dev/null || python3 -m pip install -q pytest-lsp 2>/dev/null || \
		python3 -m pip install -q --break-system-packages pytest-lsp

## Everything test-embed needs is built by `swift build --build-tests` (liblkqc.so and lkq).
test-embed: check-header test-python test-php test-lsp test-grammar

lkqc: deps
	swift build --product lkqc

## include/lkqc.h against the library's exports and the prototypes Swift derives from Sources/LKQC.
check-header:
	python3 bindings/c/check-header.py $(LKQC)

test-python:
	cd bindings/python && LKQ_LIBRARY=$(CURDIR)/$(LKQC) LKQ_BIN=$(CURDIR)/$(LKQ_DEBUG) python3 -m pytest -q -p no:cacheprovider

## Once with the declarations from include/lkqc.h at run time (FFI::cdef, as the CLI may), once
## from ffi.preload (as a web server must).
test-php:
	LKQ_LIBRARY=$(CURDIR)/$(LKQC) LKQ_BIN=$(CURDIR)/$(LKQ_DEBUG) php bindings/php/tests/test.php
	@mkdir -p .build/php
	LKQ_LIBRARY=$(CURDIR)/$(LKQC) php bindings/php/preload-header.php > .build/php/lkq-ffi.h
	LKQ_EXPECT_PRELOAD=1 LKQ_BIN=$(CURDIR)/$(LKQ_DEBUG) php -d ffi.enable=preload -d ffi.preload=$(CURDIR)/.build/php/lkq-ffi.h bindings/php/tests/test.php

test-lsp:
	cd editors/tests && LKQ_BIN=$(CURDIR)/$(LKQ_DEBUG) python3 -m pytest -q -p no:cacheprovider

test-grammar:
	python3 editors/generate-grammar.py --check

## The C API from 4 threads, 1,000 open/run/free cycles, cancel, budget, CSV, under
## AddressSanitizer with LeakSanitizer (bindings/c/lsan.supp says why its one entry is no leak).
lkqc-asan: lkqc
	@mkdir -p .build/lkqc-asan
	gcc -g -O1 -fsanitize=address -fno-omit-frame-pointer -Iinclude bindings/c/lkqc_test.c \
		-L.build/debug -llkqc -Wl,-rpath,$(CURDIR)/.build/debug -lpthread -o .build/lkqc-asan/lkqc_test
	LSAN_OPTIONS=suppressions=$(CURDIR)/bindings/c/lsan.supp:print_suppressions=0 .build/lkqc-asan/lkqc_test 1000

## The same test under ThreadSanitizer, with the library itself built instrumented (its own build
## folder). The TSan runtime lives in the test program, so the library may leave its __tsan_
## symbols undefined (-z undefs), and the program links the toolchain's libdispatch, which the
## runtime's interceptors name.
LKQC_TSAN := .build/lkqc-tsan
lkqc-tsan: deps
	swift build --product lkqc --sanitize=thread --scratch-path $(LKQC_TSAN) -Xswiftc -use-ld=lld -Xlinker -z -Xlinker undefs
	@mkdir -p $(LKQC_TSAN)/test
	clang -g -O1 -fsanitize=thread -Iinclude bindings/c/lkqc_test.c -L$(LKQC_TSAN)/debug -llkqc \
		-Wl,-rpath,$(CURDIR)/$(LKQC_TSAN)/debug -L$(SWIFT_LIB) -ldispatch -lBlocksRuntime -Wl,-rpath,$(SWIFT_LIB) \
		-lpthread -o $(LKQC_TSAN)/test/lkqc_test
	TSAN_OPTIONS=halt_on_error=1 $(LKQC_TSAN)/test/lkqc_test 1000
