# The front door. `make help` lists the targets.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/coffeebar/kiosk/version.Version=$(VERSION)
export CGO_ENABLED := 0

.PHONY: help test test-go vet fmt-check

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

test: fmt-check vet test-go ## Run every test.

test-go: ## Go tests with the race detector (needs cgo for -race).
	CGO_ENABLED=1 $(GO) test -race -count=1 ./...

vet: ## go vet.
	$(GO) vet ./...

fmt-check: ## Fail if any Go file is not gofmt-formatted.
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null; git ls-files --others --exclude-standard '*.go' 2>/dev/null)); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
