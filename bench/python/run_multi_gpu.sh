#!/usr/bin/env bash
# One run on a machine with 2 GPUs of one host. Installs axx with the CUDA ops, then
#   1. data-parallel fine-tuning throughput, 1 vs 2 GPUs (bench/python/train_scaling.py; it checks
#      that the first step's loss of 2 processes equals that of 1 to rtol 1e-5);
#   2. axx.explore on 1 process and on 2 under torchrun (bench/python/explore_gpu.py) and the
#      comparison of the two results (bench/python/compare_explore.py: docs/distributed.md says
#      2 processes give exactly the one-process front);
#   3. data-parallel evaluation scaling on a small synthetic folder (bench/python/evaluate_scaling.py).
# Each step runs under `timeout`, logs to $OUT/<step>.log (also shown), and the next step runs
# whatever happened. Each step's limit is cut to what is left of BUDGET seconds (default 570), so
# the summary comes before a 10-minute limit. NCCL_NVLS_ENABLE=0 unless set.
#
# Usage (repository root):   OUT=dir bash bench/python/run_multi_gpu.sh
#   SKIP_INSTALL=1: use the axx already installed; INSTALL_LIMIT: seconds for the install (300).
#   CPU_CHECK=1: no install, every step in its CPU mode (tiny models, gloo): a check of this script.
# Exit status: 0 when every step passed, 1 otherwise, 2 when the install failed (nothing ran).
set -u
OUT=${OUT:-gpu_out}
BUDGET=${BUDGET:-570}
IMAGES=${IMAGES:-512}
CPU_CHECK=${CPU_CHECK:-0}
SKIP_INSTALL=${SKIP_INSTALL:-$CPU_CHECK}
INSTALL_LIMIT=${INSTALL_LIMIT:-300}
PY=${PYTHON:-python3}
export NCCL_NVLS_ENABLE=${NCCL_NVLS_ENABLE:-0}
mkdir -p "$OUT"
START=$(date +%s)
SUMMARY=()
FAILED=0

if [ "$CPU_CHECK" = 1 ]; then
    TRAIN_ARGS=(--device cpu --tiny --procs 1,2)
    EXPLORE_ARGS=(--device cpu --tiny --threads 1)
    EVAL_ARGS=(--device cpu --model vit_tiny_patch16_224 --model-kwargs '{"img_size": 32, "depth": 1}'
               --image-size 32 --images 40 --procs 1,2 --threads 1 --work "$OUT/evaluate_scaling_work")
else
    TRAIN_ARGS=(--timeout 180)      # per launch (1 GPU, then 2): a hung first launch leaves time for the second
    EXPLORE_ARGS=()
    EVAL_ARGS=(--images "$IMAGES")      # images and weights under the temp dir: not brought back
fi

# run NAME LIMIT CMD...: CMD under timeout (LIMIT seconds, or what is left of BUDGET), output to
# $OUT/NAME.log and the terminal; records "NAME: ok | FAILED | TIMED OUT | skipped".
run() {
    local name=$1 limit=$2
    shift 2
    local left=$((BUDGET - ($(date +%s) - START) - 10))
    if ((left < 20)); then
        SUMMARY+=("$name: skipped (time budget of $BUDGET s spent)")
        FAILED=1
        return 1
    fi
    if ((limit > left)); then limit=$left; fi
    echo "=== $name (limit ${limit} s): $*"
    local t0 rc
    t0=$(date +%s)
    timeout -k 15 "$limit" "$@" < /dev/null 2>&1 | tee "$OUT/$name.log"
    rc=${PIPESTATUS[0]}
    local t=$(($(date +%s) - t0))
    if ((rc == 0)); then
        SUMMARY+=("$name: ok (${t} s)")
    elif ((rc == 124 || rc == 137)); then
        SUMMARY+=("$name: TIMED OUT after ${limit} s (see $OUT/$name.log)")
        FAILED=1
    else
        SUMMARY+=("$name: FAILED, exit status $rc (${t} s; see $OUT/$name.log)")
        FAILED=1
    fi
    return "$rc"
}

summary() {
    echo
    echo "=== summary ($(($(date +%s) - START)) s in all; logs and JSON in $OUT)"
    printf '  %s\n' "${SUMMARY[@]}"
    # the verdict lines of the steps, again, for a reader of the last lines only
    grep -h "^VERDICT\|first-step losses\|^FAILED" "$OUT"/*.log 2>/dev/null | sed 's/^/  /'
    if [ -s "$OUT/train_scaling.log" ]; then
        echo "  train_scaling table:"
        sed -n '/^config /,/^wrote /p' "$OUT/train_scaling.log" | sed 's/^/    /'
    fi
}

"$PY" -c 'import torch; print("torch", torch.__version__, "GPUs", torch.cuda.device_count())' 2>&1 | tee "$OUT/env.log"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader >> "$OUT/env.log" 2>&1 || true
if [ "$SKIP_INSTALL" != 1 ]; then
    if ! run install "$INSTALL_LIMIT" env TORCH_CUDA_ARCH_LIST=9.0 "$PY" -m pip install -q --no-build-isolation --no-deps .; then
        tail -30 "$OUT/install.log"
        summary
        exit 2
    fi
fi
"$PY" -c 'import axx; print("axx", axx.__file__, "CUDA kernels:", axx.cuda_available())' 2>&1 | tee -a "$OUT/env.log"

# 1. fine-tuning throughput, 1 vs 2 GPUs (exit 1 when the first-step losses disagree)
run train_scaling 360 "$PY" bench/python/train_scaling.py ${TRAIN_ARGS[@]+"${TRAIN_ARGS[@]}"} --json "$OUT/train_scaling.json"

# 2. exploration: 1 process, 2 processes, the same result
rm -f "$OUT/explore_gpu_1.json" "$OUT/explore_gpu_2.json"
run explore_1 120 "$PY" bench/python/explore_gpu.py ${EXPLORE_ARGS[@]+"${EXPLORE_ARGS[@]}"} --json "$OUT/explore_gpu_1.json"
run explore_2 150 "$PY" -m torch.distributed.run --standalone --nproc_per_node 2 \
    bench/python/explore_gpu.py ${EXPLORE_ARGS[@]+"${EXPLORE_ARGS[@]}"} --json "$OUT/explore_gpu_2.json"
run explore_compare 30 "$PY" bench/python/compare_explore.py "$OUT/explore_gpu_1.json" "$OUT/explore_gpu_2.json"

# 3. evaluation scaling on a small synthetic folder (last: the budget goes to the above first)
run evaluate_scaling 240 "$PY" bench/python/evaluate_scaling.py ${EVAL_ARGS[@]+"${EVAL_ARGS[@]}"} --json "$OUT/evaluate_scaling.json"
rm -rf "$OUT/evaluate_scaling_work"

summary
exit "$FAILED"
