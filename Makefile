# SecureDrop: the two commands a newcomer needs are `make run` and `make test`.
#
# System packages come from Debian's apt; Swift packages are resolved by SwiftPM.

SWIFT_BIN_DIR := /opt/swift/usr/bin
export PATH := $(PATH):$(SWIFT_BIN_DIR)

# Headers and tools the build and the tests need, by Debian package name.
APT_PACKAGES := libssl-dev libargon2-dev libsqlite3-dev pkg-config openssl curl ca-certificates python3

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build deps check-swift clean

## run: install what is missing, build in release mode, start the server on https://127.0.0.1:8443/
run: deps build
	./.build/release/securedrop-server

## test: install what is missing, build, run the whole test suite
test: deps
	swift build --build-tests
	swift test --skip-build

## build: release build of the server, the admin tool and the client
build: check-swift
	swift build -c release

## deps: install missing Debian packages (instant when nothing is missing)
deps: check-swift
	@missing=""; for package in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

check-swift:
	@command -v swift >/dev/null || { echo "Swift 6.1 or newer is required (https://www.swift.org/install/linux/); none found on PATH or in $(SWIFT_BIN_DIR)."; exit 1; }

clean:
	rm -rf .build
