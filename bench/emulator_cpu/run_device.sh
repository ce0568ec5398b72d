#!/usr/bin/env bash
# The CPU emulator's tests and benchmark on the GPU machine's host CPU (a Xeon with AVX-512 VNNI,
# VBMI and AMX-INT8, which this project's own machines lack). That machine has no installed
# GoogleTest, so its sources travel in the git-ignored .deps/googletest (a copy of Debian's
# /usr/src/googletest: `make .deps/googletest`) and build in-tree. Logs go to $OUT.
# Usage (repository root, through the device tool with carry [".deps/googletest"]):
#   OUT=$OUT bash bench/emulator_cpu/run_device.sh [--no-bench]
set -u
OUT=${OUT:-cpu_out}
mkdir -p "$OUT"
B=build-cpu-device
{ lscpu | grep -E 'Model name|^CPU\(s\)'; g++ --version | head -1; } | tee "$OUT/device.txt"
T0=$(date +%s)
cmake -S . -B $B -G Ninja -DAXX_CUDA=OFF -DAXX_BUILD_CLI=OFF -DAXX_BUILD_TESTS=ON \
  -DAXX_BUILD_BENCH=ON -DAXX_GTEST_SOURCE_DIR="$PWD/.deps/googletest" > "$OUT/build.log" 2>&1 &&
  cmake --build $B -j "$(nproc)" --target emulator_cpu_test emulator_decompose_test \
    axx_bench_emulator_cpu >> "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 2; }
echo "build: $(( $(date +%s) - T0 )) s"
set -o pipefail
rc=0
for t in emulator_cpu_test emulator_decompose_test; do
  $B/tests/emulator/$t 2>&1 | tee "$OUT/$t.log" | grep -E "variants|FAILED|PASSED|Failure|Expected|Which|path" | head -40 || rc=1
done
if [ "${1:-}" != "--no-bench" ]; then
  $B/bench/axx_bench_emulator_cpu 2>&1 | tee "$OUT/bench_cpu.txt" || rc=1
fi
exit $rc
