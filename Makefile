# The two commands of the README: `make run` and `make test`. Both install what is missing first.
SWIFT ?= swift
RELEASE_FLAGS = -c release

.PHONY: deps run build test bench-codecs generate clean

deps:
	@scripts/install-deps.sh build

build: deps
	$(SWIFT) build

# Starts the gateway on :9091 with a local persistence file (until the server exists, this builds only).
run: deps
	$(SWIFT) build $(RELEASE_FLAGS)
	@if [ -x .build/release/pushgateway ]; then \
		exec .build/release/pushgateway --persistence.file=pushgateway.db; \
	else \
		echo "the pushgateway executable does not exist yet: built the core only"; \
	fi

test: deps
	@echo "== stage: unit tests (PushgatewayCore) =="
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Codec throughput on a 100k-series input, release build.
bench-codecs: deps
	$(SWIFT) run $(RELEASE_FLAGS) CodecBenchmarks

# Regenerates CProtobuf/ from Proto/ (needs protobuf-c-compiler and libprotobuf-dev).
generate:
	@scripts/install-deps.sh generate
	scripts/generate-protobuf-c.sh

clean:
	rm -rf .build
