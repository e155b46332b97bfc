# Segel: make targets for development and CI. `make` alone lists them.

GO       ?= go
PKG      ?= ./...
# go test flags added to `make test`, e.g. TESTFLAGS='-run TestSign -v'
TESTFLAGS ?=
# Per-package timeout of `make test`. go test's default (10m) is too tight on a
# loaded 2-core machine: verify took 9m26s there, cmd/segel 8m06s, and verify's
# TestHostileBounded once hit the 10m limit (docs/decisions.md, issue 15).
TESTTIMEOUT ?= 30m
# `make bench BENCH=Sign COUNT=6` (regexp of benchmarks, runs of each)
BENCH    ?= .
COUNT    ?= 1
# `make run RUNFLAGS='--listen 0.0.0.0:8080 --data /tmp/segel-dev'` (flags of segel serve --dev)
RUNFLAGS ?=
# `make fuzz FUZZTIME=2m FUZZ=Open` (time per target, regexp of target names)
FUZZTIME ?= 30s
FUZZ     ?= .
# Pinned linters (make lint-tools installs them into GOBIN).
STATICCHECK_VERSION ?= v0.8.2
GOVULNCHECK_VERSION ?= v1.9.0
GOBIN    ?= $(shell $(GO) env GOPATH)/bin
# `make soak SOAK=1m` (how long the soak's traffic runs)
SOAK     ?= 10m
# go test flags added to `make test-faults`, e.g. FAULTSFLAGS='-run TestTSA'
FAULTSFLAGS ?=
# A local copy of the Go vulnerability database (file:///…) for offline runs.
GOVULNDB ?=

.DEFAULT_GOAL := help
.PHONY: help run deps test test-faults soak bench bench-cli bench-http lint lint-tools fuzz build clean screenshots

help: ## list the targets
	@echo 'Segel make targets:'
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-7s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo 'Variables: PKG=$(PKG) TESTFLAGS=$(TESTFLAGS) BENCH=$(BENCH) COUNT=$(COUNT) FUZZTIME=$(FUZZTIME) FUZZ=$(FUZZ)'

run: ## run the service in dev mode (SQLite, development PKI in ./segel-dev) with the letter register on :8081; RUNFLAGS='--listen ADDR'
	$(GO) run ./cmd/segel serve --dev $(RUNFLAGS)

deps: ## check (as root: install) the Debian packages the tests need; SEGEL_SKIP_DEPS=1 to skip
	@sh .ci/deps

test: deps ## deps, then go test -race over every package (TESTTIMEOUT=30m per package)
	$(GO) test -race -timeout $(TESTTIMEOUT) $(TESTFLAGS) $(PKG)

test-faults: deps ## the fault matrix on the real binary (internal/faults, build tag faults; docs/faults.md); root for its tmpfs
	$(GO) test -tags faults -race -count=1 -timeout 30m $(FAULTSFLAGS) ./internal/faults/

soak: ## SOAK=10m of mixed sign/verify/page traffic at ~80 % of the capacity it measures; errors, RSS, goroutines
	SOAK=$(SOAK) $(GO) test -tags faults -count=1 -timeout 0 -run '^TestSoak$$' -v ./internal/faults/

bench: ## benchmarks (BENCH=regexp COUNT=n), no tests
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) $(PKG)

bench-http: ## the gateway under 64 concurrent clients of a separate load-generator process (req/s, p50, p99, CPU) beside the library's rate, and the ratios; COUNT=n
	@$(GO) test -run '^$$' -bench 'HTTPSign|LibrarySign' -benchtime 4000x -count $(COUNT) ./internal/httpapi/ 2>&1 | awk -f scripts/bench-http.awk

bench-cli: ## whole-process time and peak RSS of segel sign/verify on a generated 60 MB PDF
	@sh -c ./scripts/bench-cli.sh

lint-tools: ## install staticcheck and govulncheck at the pinned versions (STATICCHECK_VERSION, GOVULNCHECK_VERSION)
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)

lint: lint-tools ## gofmt, go vet, staticcheck, govulncheck (GOVULNDB=file:///mirror offline), golangci-lint when installed
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo 'gofmt -l: these files need gofmt -w:'; echo "$$out"; exit 1; fi
	$(GO) vet $(PKG)
	$(GO) vet -tags faults ./internal/faults/
	$(GOBIN)/staticcheck $(PKG)
	$(GOBIN)/staticcheck -tags faults ./internal/faults/
	@echo 'govulncheck $(PKG)'; \
	out=$$($(GOBIN)/govulncheck $(if $(GOVULNDB),-db $(GOVULNDB)) $(PKG) 2>&1); rc=$$?; \
	if [ $$rc -eq 0 ]; then \
		echo "$$out" | tail -n 3; \
	elif echo "$$out" | grep -q 'fetching vulnerabilities'; then \
		echo 'lint: WARNING: govulncheck could not reach the vulnerability database, so known'; \
		echo 'lint: vulnerabilities were NOT checked (offline?). Give a local mirror with'; \
		echo 'lint: GOVULNDB=file:///path/to/vulndb, or run where the database is reachable.'; \
		echo "$$out" | grep 'fetching vulnerabilities' | sed 's/^/lint:   /'; \
	else \
		echo "$$out"; exit $$rc; \
	fi
	@if command -v golangci-lint >/dev/null 2>&1; then \
		echo 'golangci-lint run $(PKG)'; golangci-lint run $(PKG); \
	else \
		echo 'lint: golangci-lint is not installed; skipped'; \
	fi

fuzz: ## every Fuzz target for FUZZTIME each (FUZZ=regexp of names)
	@set -e; \
	dirs=$$(grep -rlE --include='*_test.go' --exclude-dir=.git --exclude-dir=testdata \
		'^func Fuzz[A-Za-z0-9_]*\(' . | xargs -r -n1 dirname | sort -u); \
	if [ -z "$$dirs" ]; then echo 'fuzz: no Fuzz targets found'; exit 1; fi; \
	ran=0; \
	for d in $$dirs; do \
		for f in $$($(GO) test -list '^Fuzz' "$$d" | grep -E '^Fuzz' | grep -E -- '$(FUZZ)' || true); do \
			echo "== $$d $$f ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) "$$d"; \
			ran=$$((ran + 1)); \
		done; \
	done; \
	if [ "$$ran" -eq 0 ]; then echo 'fuzz: no Fuzz target matched FUZZ=$(FUZZ)'; exit 1; fi; \
	echo "fuzz: $$ran targets ran for $(FUZZTIME) each"

screenshots: ## drive the letter register and the citizens' page in headless Chromium; rewrite register/testdata/screenshots/*.png and docs/screenshots/citizen/*.png
	SEGEL_SCREENSHOTS=update $(GO) test -count=1 -run '^TestBrowser$$' ./register/
	SEGEL_SCREENSHOTS=update $(GO) test -count=1 -run '^TestVerdictScreenshots$$' ./internal/citizen/

build: ## build bin/segel
	$(GO) build -o bin/segel ./cmd/segel

clean: ## remove build and test outputs
	rm -rf bin coverage* *.test *.out
