# The front door of the coffee bar kiosk. `make help` lists the targets.

GO      ?= go
NPM     ?= npm
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/coffeebar/kiosk/version.Version=$(VERSION)
export CGO_ENABLED := 0

# make run: everything in the working tree, the demo menu, the shop open.
DATA          ?= data
HTTP          ?= :8080
MQTT          ?= :1883
DEMO_PASSWORD ?= barista-demo

UI_SOURCES := $(shell find ui/src ui/scripts -type f 2>/dev/null) ui/index.html ui/barista/index.html \
	ui/display/index.html ui/admin/index.html ui/journey/index.html ui/vite.config.ts ui/tsconfig.json ui/package.json
RELEASES   := linux/amd64 linux/arm64 linux/arm/7 linux/arm/6

CORE_PACKAGES := ./clock ./storage ./events ./shop ./qr ./order ./text ./auth

BENCH_FLAGS ?= --quick

FUZZTIME ?= 8s
FUZZ_TARGETS := ./api:FuzzOrderBodies ./events:FuzzReadEnvelopes ./booth:FuzzLoad \
	./hardware/escpos:FuzzEncodeText ./hardware/escpos:FuzzPreview

DEB_ARCHES := amd64 arm64 armhf

.PHONY: help run build ui test test-go faults test-ui test-browser test-arm fuzz bench vet fmt-check verify-units release clean \
	deb deb-amd64 deb-arm64 deb-armhf test-deb image

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: build ## Build everything and start the kiosk here (data in ./data, demo menu, shop open).
	./bin/kiosk --data $(DATA) --http $(HTTP) --mqtt $(MQTT) --open --admin-password $(DEMO_PASSWORD)

build: ui ## Build the web apps and the kiosk binary into bin/.
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/kiosk ./cmd/kiosk

ui: ui/dist/index.html ## Build the web apps (embedded into the binary by `make build`).

ui/node_modules/.installed: ui/package.json ui/package-lock.json
	cd ui && $(NPM) ci --no-audit --no-fund
	touch $@

ui/dist/index.html: ui/node_modules/.installed $(UI_SOURCES)
	cd ui && $(NPM) run build

test: fmt-check vet test-go fuzz faults test-ui test-browser verify-units test-arm deb-arm64 ## Run every test.

test-go: ## Go tests with the race detector (cgo is needed for -race).
	CGO_ENABLED=1 $(GO) test -race -count=1 ./...

fuzz: ## Each fuzz target for a short time (FUZZTIME); their seed corpora also run in test-go.
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; echo "fuzz $$pkg $$name"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

KILLS ?= 20
faults: ## The slow fault tests: the kiosk killed KILLS times at random moments under the robot's load.
	KIOSK_FAULTS=1 KIOSK_KILLS=$(KILLS) $(GO) test -count=1 -timeout 20m -run '^TestKilledAtRandomMomentsUnderLoad$$' ./e2e

test-ui: ui/node_modules/.installed ## The web apps' unit tests and type check.
	cd ui && $(NPM) test && $(NPM) run typecheck

test-browser: build ## The apps end to end in headless Chromium against the real binary.
	cd ui && $(NPM) run test:e2e

test-arm: ## Cross-build for arm64 and armv7, self-check both and run the core's tests on arm64, under qemu-user.
	@command -v qemu-aarch64-static >/dev/null || { echo "test-arm needs qemu-user-static (apt-get install qemu-user-static)"; exit 1; }
	@mkdir -p bin
	GOOS=linux GOARCH=arm64 $(GO) build -trimpath -o bin/kiosk-arm64 ./cmd/kiosk
	GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -o bin/kiosk-armv7 ./cmd/kiosk
	qemu-aarch64-static bin/kiosk-arm64 selfcheck
	qemu-arm-static bin/kiosk-armv7 selfcheck
	# The crash tests re-run the test binary as a child, which needs binfmt_misc; they run natively above.
	GOOS=linux GOARCH=arm64 $(GO) test -count=1 -exec qemu-aarch64-static -skip 'Killed' $(CORE_PACKAGES)

bench: ## Benchmarks against the real binary, with mosquitto beside it (quick; BENCH_FLAGS= for the full run).
	@command -v mosquitto >/dev/null || { echo "make bench needs mosquitto (apt-get install mosquitto)"; exit 1; }
	$(GO) run ./cmd/kioskbench $(BENCH_FLAGS) --out bin/bench

vet: ## go vet.
	$(GO) vet ./...

fmt-check: ## Fail if any Go file is not gofmt-formatted.
	@out=$$(gofmt -l $$(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

verify-units: ## Check the systemd units offline (needs systemd-analyze).
	bash systemd/verify.sh

release: ui ## Static binaries for every target, with .sha256, into dist/.
	@mkdir -p dist
	@set -e; for t in $(RELEASES); do \
		os=$$(echo $$t | cut -d/ -f1); arch=$$(echo $$t | cut -d/ -f2); arm=$$(echo $$t | cut -d/ -f3); \
		name=kiosk-$(VERSION)-$$os-$$arch$${arm:+v$$arm}; \
		echo "build $$name"; \
		GOOS=$$os GOARCH=$$arch GOARM=$$arm $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o dist/$$name ./cmd/kiosk; \
		(cd dist && sha256sum $$name > $$name.sha256); \
	done

deb: $(addprefix deb-,$(DEB_ARCHES)) ## The .deb for every architecture into dist/, each inspected.

deb-amd64 deb-arm64 deb-armhf: deb-%: ui ## One architecture's .deb into dist/, inspected (e.g. make deb-arm64).
	@mkdir -p bin dist
	@set -e; case $* in armhf) goarch=arm; goarm=6 ;; *) goarch=$*; goarm= ;; esac; \
	for prog in kiosk kiosk-setup; do \
		echo "build $$prog for $*"; \
		GOOS=linux GOARCH=$$goarch GOARM=$$goarm $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/$$prog-deb-$* ./cmd/$$prog; \
	done; \
	deb=$$(packaging/build-deb.sh '$(VERSION)' $* bin/kiosk-deb-$* dist); \
	packaging/inspect-deb.sh "$$deb"

test-deb: ## Build and inspect the amd64 and arm64 packages, with negative controls (needs dpkg-deb).
	KIOSK_TEST_DEB=1 CGO_ENABLED=1 $(GO) test -count=1 -v -run TestDebs ./packaging

image: deb-arm64 ## The SD-card image for a Pi 3/4/Zero 2 W into build/image/ (root, slow; packaging/image/README.md).
	packaging/image/build-image.sh "$$(ls -t dist/kiosk_*_arm64.deb | head -n1)" build/image

clean: ## Remove build outputs (not the data directory).
	rm -rf bin dist ui/dist/assets ui/dist/*.html ui/dist/barista ui/dist/display ui/dist/admin
