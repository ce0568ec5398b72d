# Thin wrapper over CMake and pip. `make demo` and `make test` work on a fresh Debian 12 machine:
# they install missing Debian packages, create the project's venv, build, and run.
SHELL := /bin/bash
BUILD ?= build
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
JOBS ?= $(shell nproc)
OUT ?= demo_out
APT_PACKAGES := cmake g++ make pkg-config libpng-dev yosys iverilog verilator libcli11-dev \
  nlohmann-json3-dev libgtest-dev dataset-fashion-mnist bc time
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CMAKE_FLAGS ?=

.PHONY: all deps venv build python test test-cpp test-python test-asan test-all demo bench bench-gpu bench-cpu-device mutate fuzz fuzz-build fuzz-smoke clean

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "make deps: installing$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; fi

$(VENV)/.stamp: requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

venv: $(VENV)/.stamp

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

# The compiled module axx._C, installed editable into the venv (scikit-build-core).
python: deps venv
	$(PIP) install -q --no-build-isolation -e .

test-cpp: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-python: python
	$(PY) -m pytest -q tests/python

test: test-cpp test-python

# The C++ tests built with AddressSanitizer and UndefinedBehaviorSanitizer (docs/testing.md#sanitizers),
# in their own build folder; any finding fails the test that meets it. float-cast-overflow is named
# because GCC's `undefined` leaves it out.
ASAN_BUILD ?= build-asan
SANITIZE ?= address,undefined,float-cast-overflow
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXX_CUDA=OFF -DAXX_BUILD_BENCH=OFF \
	  -DAXX_SANITIZE=$(SANITIZE) $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

# Everything, the long checks included: the tests, the sanitizer build's tests, fuzzing
# (FUZZ_SECONDS per target), the mutation pass.
test-all: test test-asan fuzz mutate

demo: build python
	./scripts/demo.sh $(OUT)

# CPU benchmarks with their in-run baselines (figures: docs/benchmarks.md).
bench: build
	$(BUILD)/bench/axx_bench_emulator_cpu
	BUILD=$(BUILD) bench/netlist/bench_netlist.sh

# On the GPU machine (no venv there; its python3 holds torch): kernels, then ViT-B/16 end to end.
bench-gpu:
	bash bench/emulator_cuda/run_gpu.sh
	python3 -m pip install -q --no-build-isolation --no-deps .
	python3 bench/python/vit_b16_gpu.py

# GoogleTest sources for the GPU machine (it has no installed GTest): carried there by the device
# tool as the git-ignored .deps/googletest; bench/emulator_cpu/run_device.sh builds them in-tree.
.deps/googletest:
	mkdir -p .deps && cp -r /usr/src/googletest .deps/googletest

# On the GPU machine (AVX-512 VNNI/VBMI + AMX-INT8 Xeon): CPU emulator tests + benchmark.
bench-cpu-device:
	bash bench/emulator_cpu/run_device.sh

# Mutation pass over chosen emulator and lutgen functions (docs/testing.md): each mutant is built and
# tested in a copy of the tree under MUTATE_DIR.
MUTATE_DIR ?= /tmp/axx-mutate
mutate:
	MUTANTS_PER_FILE=$${MUTANTS_PER_FILE:-4} scripts/mutate.sh $(MUTATE_DIR)

# libFuzzer targets of the input readers (docs/testing.md, "Fuzzing"): clang-14 with ASan+UBSan in
# FUZZ_BUILD; FUZZ_SECONDS per target; findings (crash/leak/timeout/oom inputs) in FUZZ_FINDINGS,
# non-zero exit when there are any. FUZZ_TARGETS: a subset, e.g. "blif_fuzz json_fuzz".
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_FINDINGS ?= $(FUZZ_BUILD)/findings
FUZZ_TARGETS ?=
FUZZ_CC ?= clang-14
FUZZ_CXX ?= clang++-14
fuzz-build:
	$(MAKE) deps EXTRA_APT="clang-14 libclang-rt-14-dev"
	CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAXX_FUZZ=ON \
	  -DAXX_CUDA=OFF -DAXX_BUILD_TESTS=OFF -DAXX_BUILD_CLI=OFF -DAXX_BUILD_BENCH=OFF -DAXX_BUILD_PYTHON=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target axx_fuzz_targets

fuzz: fuzz-build
	tests/fuzz/run_fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_FINDINGS) $(FUZZ_TARGETS)

# A short bounded pass (5 s per target) for CI.
fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=5

clean:
	rm -rf $(BUILD) $(OUT)
