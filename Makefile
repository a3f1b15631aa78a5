# proclab: `make lab` runs the standard lab, `make test` the tests. Both
# need only Go (with cgo and a C compiler), which fetch everything else
# through the Go module proxy.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
export CGO_ENABLED := 1

BIN := bin/proclab

.PHONY: all build lab test fmt-check vet staticcheck unit fuzz stress bench docs clean

all: build

# The version `proclab version` prints: git describe of this tree.
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS := $(if $(VERSION),-X github.com/proclab/proclab/lab.buildVersion=$(VERSION))

# proclab is linked statically: an exec'd worker (spawn, fork-exec, exec)
# then starts without the dynamic loader (no libc.so to map and relocate:
# ~0.3 ms of its ~2 ms start here), and the lab forks with ~10 fewer
# mappings. netgo and osusergo keep glibc's NSS (which static glibc cannot
# load) out. Results record it (binary_linking). The unit tests link the
# same way.
STATIC := -tags netgo,osusergo
STATIC_LD := -linkmode external -extldflags "-static"

build:
	$(GO) build $(STATIC) -ldflags '$(STATIC_LD) $(LDFLAGS)' -o $(BIN) ./cmd/proclab

# The main job: the whole lab on this machine, written to results/<timestamp>/.
lab: build
	./scripts/lab.sh $(LAB_ARGS)

# The tests CI runs: format, vet, staticcheck, race-enabled unit tests on
# real processes, and every fuzz target for FUZZTIME each. The fuzz stage
# runs whatever the unit stage did; make test fails if either failed.
test: fmt-check vet staticcheck
	@status=0; \
	$(MAKE) --no-print-directory unit || status=1; \
	$(MAKE) --no-print-directory fuzz || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see unit and fuzz above)"; fi; \
	exit $$status

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) tool staticcheck ./...

# Tests run in a random order (every test must hold in any order); the
# seed is printed so a failing order can be rerun: make unit SHUFFLE=<seed>.
ifndef SHUFFLE
SHUFFLE := $(shell echo $$RANDOM$$RANDOM)
endif
# -timeout 30m: the command's package runs real labs under the race
# detector; beside stress-ng --cpu 2 it took 9-10 minutes, past go test's
# default 10-minute limit.
unit:
	@echo "unit: go test -race -count=1 -timeout 30m -shuffle=$(SHUFFLE) (static) ./..."
	$(GO) test -race -count=1 -timeout 30m -shuffle=$(SHUFFLE) $(STATIC) -ldflags '$(STATIC_LD)' ./...

# Fidelity and speed: proclab against this machine's floor, benchmarks,
# scale; writes docs/PERFORMANCE.md (about 10 minutes; see the script).
bench: build
	./scripts/bench.sh

# Each fuzz target (func FuzzX in any package) runs for a bounded time; its
# committed seed corpus (testdata/fuzz/FuzzX) also runs in `unit`. Every
# target runs even if one before it failed; the stage fails if any did
# (scripts/fuzz.sh: Go 1.26's bare deadline race at -fuzztime is retried).
FUZZTIME ?= 10s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

# Not part of CI: 10,000 fork tasks in waves, repeated interrupts, a killed
# lab and a killed forkserver, each followed by a scan for zombies and
# orphans (scripts/stress.sh).
stress: build
	./scripts/stress.sh

# The command-line reference (docs/cli.md, docs/man/) from the commands'
# own help; a test fails when the two differ.
docs: build
	rm -rf docs/man
	$(BIN) docs docs >/dev/null

clean:
	rm -rf bin
