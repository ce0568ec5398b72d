#!/usr/bin/env bash
# One device-machine session: configure + build the CUDA emulator targets, run the exactness
# self-check, then the benchmark. Logs go to $OUT (or ./gpu_out). The GPU machine has no
# GoogleTest, CLI11 or nlohmann_json, hence the CMake options. When the CMake build fails (e.g. a
# module of another engineer does not configure there), it falls back to plain nvcc lines.
# Usage (repository root): [MEMCHECK=1] bench/emulator_cuda/run_gpu.sh [benchmark args...]
set -u
OUT=${OUT:-gpu_out}
mkdir -p "$OUT"
B=build-gpu
{ nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu --format=csv; nvcc --version | tail -1; } > "$OUT/device.txt" 2>&1
cat "$OUT/device.txt"
T0=$(date +%s)
if cmake -S . -B $B -G Ninja -DAXX_BUILD_CLI=OFF -DAXX_BUILD_TESTS=OFF -DAXX_BUILD_BENCH=ON \
     -DCMAKE_CUDA_ARCHITECTURES="90-real;90-virtual" > "$OUT/build.log" 2>&1 &&
   cmake --build $B -j "$(nproc)" --target axx_cuda_selfcheck axx_bench_emulator_cuda >> "$OUT/build.log" 2>&1; then
  SELF=$B/bench/emulator_cuda/axx_cuda_selfcheck
  BENCH=$B/bench/emulator_cuda/axx_bench_emulator_cuda
else
  echo "CMake build failed (tail of $OUT/build.log below); building with nvcc directly"
  tail -20 "$OUT/build.log"
  mkdir -p $B-nvcc
  F="-std=c++17 -O3 -gencode arch=compute_90,code=sm_90 -I. -Icommon"
  for f in emulator/cuda/*.cu; do
    nvcc $F -c "$f" -o "$B-nvcc/$(basename "$f" .cu).o" >> "$OUT/build.log" 2>&1 &
  done
  nvcc $F -Xcompiler=-ffp-contract=off -c bench/emulator_cuda/cuda_selfcheck.cu -o $B-nvcc/selfcheck.o >> "$OUT/build.log" 2>&1 &
  nvcc $F -c bench/emulator_cuda/bench_emulator_cuda.cu -o $B-nvcc/bench.o >> "$OUT/build.log" 2>&1 &
  wait
  LIBS=$(ls $B-nvcc/*.o | grep -v -e selfcheck.o -e bench.o)
  nvcc -o $B-nvcc/axx_cuda_selfcheck $B-nvcc/selfcheck.o $LIBS -lcublas >> "$OUT/build.log" 2>&1
  nvcc -o $B-nvcc/axx_bench_emulator_cuda $B-nvcc/bench.o $LIBS -lcublas >> "$OUT/build.log" 2>&1
  SELF=$B-nvcc/axx_cuda_selfcheck
  BENCH=$B-nvcc/axx_bench_emulator_cuda
fi
echo "build: $(( $(date +%s) - T0 )) s"
grep -E "error|warning" "$OUT/build.log" | head -20
set -o pipefail
"$SELF" 2>&1 | tee "$OUT/selfcheck.log"
SC=$?
"$BENCH" "$@" 2>&1 | tee "$OUT/bench.log"
BC=$?
nvidia-smi --query-gpu=clocks.sm,temperature.gpu,power.draw --format=csv >> "$OUT/device.txt" 2>&1
# Optional: the self-check under compute-sanitizer's memcheck (out-of-bounds and misaligned
# accesses in every kernel), time-limited. MEMCHECK=1 to run it.
if [ "${MEMCHECK:-0}" = 1 ] && command -v compute-sanitizer > /dev/null; then
  timeout "${MEMCHECK_TIMEOUT:-240}" compute-sanitizer --tool memcheck --print-limit 20 "$SELF" \
    > "$OUT/memcheck.log" 2>&1
  echo "memcheck exit $? (124: timed out)"
  tail -4 "$OUT/memcheck.log"
fi
echo "selfcheck exit $SC, benchmark exit $BC"
exit $(( SC != 0 || BC != 0 ))
