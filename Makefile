# SecureDrop: the two commands a newcomer needs are `make run` and `make test`.
#
#   make run     install missing system packages, build (release), start the HTTPS server
#   make test    install missing system packages, build the tests, run them
#   make build   release build only          make deps    system packages only
#   make clean   remove build products (never touches certs/ or the data directory)
#
# System packages come from Debian's apt; Swift packages are resolved by SwiftPM.

# Swift lives in /opt/swift on the project's machines; a `swift` already on PATH wins.
SWIFT_BIN_DIR := /opt/swift/usr/bin
export PATH := $(PATH):$(SWIFT_BIN_DIR)

# Build and run: headers for OpenSSL 3, libargon2, SQLite, and pkg-config to find them.
# Tests also drive the openssl, curl, sslscan and python3 command-line tools, and the web UI's
# browser test runs headless Chromium through chromedriver.
APT_PACKAGES := libssl-dev libargon2-dev libsqlite3-dev zlib1g-dev unzip pkg-config ca-certificates curl openssl python3 python3-pip sslscan chromium chromium-driver
# Interoperability tests check our tokens, hashes and cookies with these Python libraries;
# Selenium drives the browser test.
PYTHON_MODULES := jwt argon2 requests selenium
PYTHON_PACKAGES := pyjwt argon2-cffi requests selenium

comma := ,
space := $(empty) $(empty)

# sudo only when we are not root already (CI and containers run as root).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build deps check-swift check-leaks clean

run: deps build
	@# On a first start the server creates its database and an administrator, and prints
	@# the password once.
	./.build/release/securedrop-server

test: deps check-swift
	swift build --build-tests
	swift test --skip-build

build: check-swift
	swift build -c release

# `dpkg -s` first, so a second run installs nothing and takes no time.
deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
		dpkg -s "$$package" >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing missing packages:$$missing"; \
		if [ -n "$(SUDO)" ] && ! command -v sudo >/dev/null; then \
			echo "Run as root, or install sudo, to install them."; exit 1; fi; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@python3 -c "import $(subst $(space),$(comma),$(PYTHON_MODULES))" 2>/dev/null || { \
		echo "Installing Python test libraries: $(PYTHON_PACKAGES)"; \
		python3 -m pip install --quiet $(PYTHON_PACKAGES) 2>/dev/null || \
		python3 -m pip install --quiet --break-system-packages $(PYTHON_PACKAGES); }

check-swift:
	@command -v swift >/dev/null || { \
		echo "Swift 6.1 or newer is required: none on PATH or in $(SWIFT_BIN_DIR) (see https://www.swift.org/install/linux/)."; \
		exit 1; }

## check-leaks: the TLS and shutdown suites under AddressSanitizer and LeakSanitizer
## (a separate build folder; suppressions cover the test runner's own allocations)
check-leaks: deps check-swift
	swift build --build-tests --scratch-path .build-asan -Xswiftc -sanitize=address
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp swift test --skip-build --scratch-path .build-asan \
		--filter 'TLS|Graceful|Interop'

clean:
	rm -rf .build .build-asan
