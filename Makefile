# The two commands of the README: `make run` and `make test`. Both install what is missing first.
SWIFT ?= swift
RELEASE_FLAGS = -c release

.PHONY: deps stamp run build static test lint bench bench-durability bench-ui bench-store bench-codecs fuzz generate clean

deps:
	@scripts/install-deps.sh build

# The git revision, branch, builder and date for --version and pushgateway_build_info (CBuildStamp/build_stamp.h,
# git-ignored; rewritten only when it changes, so only CBuildStamp is recompiled).
stamp:
	@scripts/build-stamp.sh

build: deps stamp
	$(SWIFT) build

# Starts the gateway on :9091 with a local persistence file (any extra flags: make run ARGS="--log.level=debug").
run: deps stamp
	$(SWIFT) build $(RELEASE_FLAGS) --product pushgateway
	exec .build/release/pushgateway --persistence.file=pushgateway.db $(ARGS)

test: deps lint stamp
	@echo "== stage: build (all targets and tests) =="
	$(SWIFT) build --build-tests
	@echo "== stage: tests (core, storage, server) =="
	$(SWIFT) test --skip-build --skip PushgatewayInteropTests
	@echo "== stage: interop peers (Go gateway, Prometheus, client_golang, prometheus_client, curl) =="
	@scripts/install-deps.sh interop
	scripts/build-peers.sh
	@echo "== stage: interop tests (real peers against .build/debug/pushgateway) =="
	PUSHGATEWAY_INTEROP=1 PUSHGATEWAY_BINARY=$$($(SWIFT) build --show-bin-path)/pushgateway \
		$(SWIFT) test --skip-build --filter PushgatewayInteropTests
	@echo "== stage: deploy (deploy/ against the built binary; a static release build run in an empty chroot) =="
	@scripts/install-deps.sh deploy
	$(SWIFT) build $(RELEASE_FLAGS) --static-swift-stdlib --product pushgateway --scratch-path .build-static
	PUSHGATEWAY_BINARY=$$($(SWIFT) build --show-bin-path)/pushgateway \
		STATIC_PUSHGATEWAY_BINARY=.build-static/release/pushgateway /usr/bin/python3 Tests/Deploy/deploy_tests.py
	@echo "== stage: ui (the web UI in headless Chromium, driven by Selenium; screenshots in .build/ui) =="
	@scripts/install-deps.sh ui
	PUSHGATEWAY_BINARY=$$($(SWIFT) build --show-bin-path)/pushgateway /usr/bin/python3 Tests/UI/browser_tests.py

lint:
	@echo "== stage: swift format lint =="
	$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks Package.swift

# The Go Pushgateway (Debian's prometheus-pushgateway) and ours side by side on loopback, the same workload
# against each; prints one markdown table (Go, ours, ratio, target). About 3 minutes on 2 cores; installs wrk
# and prometheus-pushgateway from Debian if missing. Raw results and gateway logs in .build/bench/gateway.
bench: deps stamp
	$(SWIFT) build $(RELEASE_FLAGS) --product pushgateway
	Benchmarks/gateway/bench.sh

# Durability (issue 11): push throughput of ours without persistence, with --persistence.sync=always and
# =interval, and of Go's with its persistence file (the wrk workload of `make bench`); the time from start to
# /-/ready with 1,000,000 series persisted (after SIGTERM and after kill -9); ours starting on Go's file. One
# markdown table, about 4 minutes; "n/a" where the binary lacks a flag or cannot read the file. Logs in
# .build/bench/durability.
bench-durability: deps stamp
	$(SWIFT) build $(RELEASE_FLAGS) --product pushgateway
	Benchmarks/durability/bench.sh

# The web UI's first paint in headless Chromium: ours at 300 and 10,000 groups × 100 series, Go's page at 300
# (loading Go to 10,000 groups would take hours). Prints one markdown table; about 3 minutes.
bench-ui: deps
	@scripts/install-deps.sh ui
	$(SWIFT) build $(RELEASE_FLAGS) --product pushgateway
	/usr/bin/python3 Benchmarks/ui/bench_ui.py

# A release binary that runs without Swift installed (the Swift runtime linked in; needs libprotobuf-c1 and
# Debian's C/C++ runtimes): .build-static/release/pushgateway. deploy/chroot-test.sh proves it.
static: deps stamp
	$(SWIFT) build $(RELEASE_FLAGS) --static-swift-stdlib --product pushgateway --scratch-path .build-static

# The store alone (no HTTP): one 100-series push with 300 and 10,000 groups stored, and a scrape.
bench-store: deps
	$(SWIFT) run $(RELEASE_FLAGS) StoreBenchmarks

# Codec throughput on a 100k-series input, release build; then protobuf-c alone on the same input, the
# ceiling for any codec that goes through it.
bench-codecs: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product CodecBenchmarks
	@mkdir -p .build/bench
	BENCH_DUMP=.build/bench .build/release/CodecBenchmarks
	@cc -O2 -ICProtobuf/include -o .build/bench/ceiling Benchmarks/protobuf-c-ceiling/ceiling.c \
		CProtobuf/CProtobuf.c CProtobuf/metrics.pb-c.c CProtobuf/google/protobuf/timestamp.pb-c.c -lprotobuf-c
	@echo
	@.build/bench/ceiling .build/bench/input.pb

# libFuzzer + AddressSanitizer on the codecs: make fuzz KIND=text|protobuf SECONDS=120 (crashes land in
# .build/fuzz/KIND).
fuzz: deps
	scripts/fuzz.sh $(or $(KIND),text) $(or $(SECONDS),120)

# Regenerates CProtobuf/ from Proto/ (needs protobuf-c-compiler and libprotobuf-dev).
generate:
	@scripts/install-deps.sh generate
	scripts/generate-protobuf-c.sh

clean:
	rm -rf .build
