#!/usr/bin/env bash
# One device-machine run: configure + build the CUDA emulator targets, run the CUDA GoogleTest suite
# (tests/emulator/emulator_cuda_test.cc) and the exactness self-check
# (tests/emulator/emulator_cuda_selfcheck.cu), then the benchmark (whose last section fits the
# cost model of emulator/cuda/cost_model.h). Logs go to $OUT (or
# ./gpu_out). The GPU machine has no installed GoogleTest, CLI11 or nlohmann_json: GoogleTest's
# sources travel in the git-ignored .deps/googletest (`make .deps/googletest`) and build in-tree.
# Usage (repository root, through the device tool with carry [".deps/googletest"]):
#   [SANITIZE=1 | MEMCHECK=1] [RACECHECK_LUT_VARIANTS="i j ..."] [SKIP_BENCH=1] \
#     bash bench/emulator_cuda/run_gpu.sh [benchmark args...]
set -u
if [ ! -f .deps/googletest/CMakeLists.txt ]; then
  echo "run_gpu.sh: .deps/googletest is missing: run 'make .deps/googletest' and carry .deps/googletest" >&2
  exit 2
fi
OUT=${OUT:-gpu_out}
mkdir -p "$OUT"
B=build-gpu
{ nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu --format=csv; nvcc --version | tail -1; } > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"
T0=$(date +%s)
cmake -S . -B $B -G Ninja -DAXX_CUDA=ON -DAXX_BUILD_CLI=OFF -DAXX_BUILD_TESTS=ON \
  -DAXX_GTEST_SOURCE_DIR="$PWD/.deps/googletest" -DAXX_BUILD_BENCH=ON > "$OUT/build.log" 2>&1 &&
  cmake --build $B -j "$(nproc)" --target emulator_cuda_test emulator_cuda_selfcheck axx_bench_emulator_cuda \
    >> "$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 2; }
echo "build: $(( $(date +%s) - T0 )) s"
SELF=$B/tests/emulator/emulator_cuda_selfcheck
BENCH=$B/bench/emulator_cuda/axx_bench_emulator_cuda
set -o pipefail
$B/tests/emulator/emulator_cuda_test > "$OUT/cuda_test.log" 2>&1
TC=$?
grep -E "^\[  (PASSED|FAILED) |^\[  FAILED" "$OUT/cuda_test.log"
"$SELF" 2>&1 | tee "$OUT/selfcheck.log"
SC=$?
BC=0
if [ "${SKIP_BENCH:-0}" != 1 ]; then  # SKIP_BENCH=1: tests and sanitizers only
  "$BENCH" "$@" 2>&1 | tee "$OUT/bench.log"
  BC=$?
fi
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,power.draw --format=csv >> "$OUT/device.txt" 2>&1
# Optional: the self-check under compute-sanitizer (SANITIZE=1): memcheck (out-of-bounds and
# misaligned accesses), initcheck (reads of uninitialised device memory), synccheck (barrier
# misuse) over all cases, and racecheck (shared-memory hazards) one case at a time (LutTilings only
# with RACECHECK_ALL=1: LutWalks covers its tilings on small shapes), each run
# time-limited (SANITIZE_TIMEOUT seconds, default 240; exit 124 = timed out). MEMCHECK=1 runs
# memcheck alone.
SAN=0
if [ "${SANITIZE:-0}" = 1 ] || [ "${MEMCHECK:-0}" = 1 ]; then
  if command -v compute-sanitizer > /dev/null; then
    TOOLS=memcheck; [ "${SANITIZE:-0}" = 1 ] && TOOLS="memcheck initcheck synccheck racecheck"
    for tool in $TOOLS; do
      if [ "$tool" = racecheck ]; then
        CASES=$("$SELF" | sed -n 's/^\([A-Za-z0-9_]*\) .*/\1/p' | grep -v '^cuda_selfcheck$')
        # LutTilings' large shapes take racecheck many minutes; LutWalks runs every tiling's
        # cross-tile paths on small shapes instead. RACECHECK_ALL=1 keeps LutTilings too.
        [ "${RACECHECK_ALL:-0}" = 1 ] || CASES=$(echo "$CASES" | grep -v '^LutTilings$')
      else
        CASES=""
      fi
      for c in ${CASES:-all}; do
        [ "$c" = all ] && ONLY="" || ONLY="$c"
        AXX_SELFCHECK_ONLY="$ONLY" timeout "${SANITIZE_TIMEOUT:-240}" compute-sanitizer --tool "$tool" \
          --print-limit 20 "$SELF" > "$OUT/$tool.log" 2>&1
        rc=$?
        echo "$tool ${ONLY:-all cases}: exit $rc, $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$OUT/$tool.log" | tail -1)"
        [ $rc -ne 0 ] && SAN=1 && cp "$OUT/$tool.log" "$OUT/$tool-${ONLY:-all}.fail.log"
      done
    done
  else
    echo "compute-sanitizer not found"; SAN=1
  fi
fi
# RACECHECK_LUT_VARIANTS="i j ...": racecheck of LutWalks one LUT tiling at a time, on its light
# shapes (AXX_SELFCHECK_LUT_WALKS_LIGHT=1: racecheck tracks every block's 129 KiB table load and
# every lookup, and the full case takes minutes per tiling; RACECHECK_FULL=1 runs the full case),
# each within SANITIZE_TIMEOUT seconds; logs racecheck-lut-<i>.log.
for v in ${RACECHECK_LUT_VARIANTS:-}; do
  AXX_SELFCHECK_ONLY=LutWalks AXX_SELFCHECK_LUT_VARIANTS=$v \
    AXX_SELFCHECK_LUT_WALKS_LIGHT=$([ "${RACECHECK_FULL:-0}" = 1 ] && echo 0 || echo 1) timeout "${SANITIZE_TIMEOUT:-240}" \
    compute-sanitizer --tool racecheck --print-limit 20 "$SELF" > "$OUT/racecheck-lut-$v.log" 2>&1
  rc=$?
  echo "racecheck LutWalks tiling $v: exit $rc, $(grep -E 'RACECHECK SUMMARY' "$OUT/racecheck-lut-$v.log" | tail -1)"
  [ $rc -ne 0 ] && SAN=1
done
echo "cuda tests exit $TC, selfcheck exit $SC, benchmark exit $BC, sanitizers $SAN"
exit $(( TC != 0 || SC != 0 || BC != 0 || SAN != 0 ))
