# intvlm8r-go: build, test and run.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/intvlm8r/intvlm8r-go/internal/buildinfo.Version=$(VERSION)
BIN       := bin
TAGS      ?=
# Every binary is cmd/<name>, installed as intvlm8r-<name>.
CMDS      := $(notdir $(wildcard cmd/*))

.PHONY: all build test test-deps run bench dist fuzz mutants vet fmt clean

all: build

# build-deps.sh installs gcc, pkg-config, libgphoto2-dev and libjpeg-dev with
# apt when missing (as root or with sudo), or falls back to TAGS=nogphoto2.
build:
	@mkdir -p $(BIN)
	@tags='$(TAGS)'; [ -n "$$tags" ] || tags=$$(scripts/build-deps.sh) || exit 1; \
	for c in $(CMDS); do \
	  echo "go build $${tags:+-tags $$tags }-o $(BIN)/intvlm8r-$$c ./cmd/$$c"; \
	  $(GO) build -trimpath $${tags:+-tags $$tags} -ldflags '$(LDFLAGS)' -o $(BIN)/intvlm8r-$$c ./cmd/$$c || exit 1; \
	done

# test-deps installs what the tests need (apt, as root) when it is missing.
test-deps:
	@scripts/test-deps.sh

# The whole suite: unit, integration (real redis-server and the built
# binaries), browser (headless chromium), systemd unit checks and ShellCheck.
# (.ci/run also runs the install test in roots booted by systemd-nspawn and the qemu
# smoke test of `make dist`, which need root and more time.)
test: test-deps build
	$(GO) vet ./...
	INTVLM8R_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 12m ./...
	$(GO) test -count=1 -race ./internal/camera/...
	scripts/verify-units.sh
	scripts/lint-scripts.sh
	scripts/test-config-txt.sh >/dev/null
	scripts/test-build-deps.sh
	scripts/check-repo.sh

# run: Redis, web and worker with the simulated Arduino and camera.
run: build
	@scripts/dev-run.sh

# fuzz: every fuzz target for FUZZTIME (default 10000x) each.
fuzz:
	@scripts/fuzz-brief.sh

# mutants: mutation testing (gremlins) of the packages that hold the safety
# guards (fileutil, auth, heartbeat, cmd/web, cmd/heartbeat, web, view,
# photos, transfer); prints each package's efficacy. Slow: not part of `make test`.
# docs/mutants.md lists the mutants known to live, with the reason.
mutants:
	@scripts/mutants.sh

bench: build
	@scripts/bench

vet:
	$(GO) vet ./...

fmt:
	gofmt -w cmd internal templates static

clean:
	rm -rf $(BIN)

# dist: release archives for the Pi (linux/arm64 and linux/arm GOARM=6).
dist:
	@scripts/dist.sh
