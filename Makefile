# A thin front end over CMake + Ninja.
#
#   make            configure and build the library and tools into build/ (bin/snr-server,
#                   bin/snr-client, libsnr.a)
#   make demo       install missing packages, build, run scripts/demo.sh
#   make test       install missing packages, build, run every test (ctest)
#   make install    install headers, library and tools under $(PREFIX)
#   make deps       install the missing Debian packages only
#   make clean      remove build/
#
# Variables: BUILD_DIR (build), PREFIX (/usr/local), WERROR=1 (warnings are errors),
# CXX (compiler, e.g. CXX=clang++), GENERATOR (Ninja), BUILD_TYPE (RelWithDebInfo),
# JOBS (parallel jobs, default: CPU count), CCACHE=0 (do not use ccache), CMAKE_ARGS (more -D...).

BUILD_DIR ?= build
PREFIX ?= /usr/local
GENERATOR ?= Ninja
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
WERROR ?=
CCACHE ?= 1
CMAKE_ARGS ?=

CMAKE_FLAGS := -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
  -DSNR_WERROR=$(if $(filter 1 ON on yes,$(WERROR)),ON,OFF)
# Only a CXX given on the command line or in the environment is passed on; make's built-in
# default (g++) is not, so CMake's own choice stands.
ifneq ($(filter environment command line,$(origin CXX)),)
CMAKE_FLAGS += -DCMAKE_CXX_COMPILER=$(CXX)
endif
ifeq ($(CCACHE),1)
ifneq ($(shell command -v ccache 2>/dev/null),)
CMAKE_FLAGS += -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
endif
endif
CMAKE_FLAGS += $(CMAKE_ARGS)

# What `make` and `make install` need; `make test` builds everything (tests too).
PRODUCT_TARGETS := snr snr-server snr-client

.PHONY: all configure build build-all demo test install deps clean

all: build

# Configuring every time is cheap (a second) and keeps WERROR/CXX changes in effect.
configure:
	cmake -S . -B "$(BUILD_DIR)" $(CMAKE_FLAGS)

build: configure
	cmake --build "$(BUILD_DIR)" --parallel $(JOBS) --target $(PRODUCT_TARGETS)

build-all: configure
	cmake --build "$(BUILD_DIR)" --parallel $(JOBS)

demo:
	scripts/deps.sh build peers
	$(MAKE) --no-print-directory build
	scripts/demo.sh "$(BUILD_DIR)/bin"

test:
	scripts/deps.sh build peers
	$(MAKE) --no-print-directory build-all
	cd "$(BUILD_DIR)" && ctest --output-on-failure -j $(JOBS)

install: build
	DESTDIR="$(DESTDIR)" cmake --install "$(BUILD_DIR)" --prefix "$(PREFIX)"

deps:
	scripts/deps.sh all

clean:
	rm -rf "$(BUILD_DIR)"

# make bench        build, then the timed benchmark: snr vs OpenSSL libssl vs GnuTLS in one
#                   process, medians of 5 (a few minutes; bench/README.md)
# make bench-quick  the same scenarios, one smaller repetition (under a minute)
.PHONY: bench bench-quick

bench:
	scripts/deps.sh build
	$(MAKE) --no-print-directory build-all
	"$(BUILD_DIR)/bin/snr-bench"

bench-quick:
	scripts/deps.sh build
	$(MAKE) --no-print-directory build-all
	"$(BUILD_DIR)/bin/snr-bench" --quick

# make fuzz         build the libFuzzer targets of tests/fuzz (clang++, ASan+UBSan, in
#                   build-fuzz/) and run each for FUZZ_SECONDS seconds (default 60) on its
#                   corpus; prints executions and coverage per target (tests/fuzz/README.md)
FUZZ_SECONDS ?= 60
.PHONY: fuzz

fuzz:
	scripts/deps.sh build ci
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/fuzz.sh
