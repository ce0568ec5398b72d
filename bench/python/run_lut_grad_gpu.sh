#!/usr/bin/env bash
# One GPU-machine run for the table-gradient kernels (grad="lut"): install axx with the CUDA ops,
# run the table-gradient and layer tests (their [cuda-...] cases run there), the kernel benchmark
# (bench/python/lut_grad_gpu.py) and ViT-B/16 end to end with the training rows
# (bench/python/vit_b16_gpu.py). Logs and JSON go to $OUT (or ./gpu_out); exit status: the tests'.
# Usage (repository root): bash bench/python/run_lut_grad_gpu.sh
set -u
OUT=${OUT:-gpu_out}
mkdir -p "$OUT"
TORCH_CUDA_ARCH_LIST=9.0 python3 -m pip install -q --no-build-isolation --no-deps . > "$OUT/pip.log" 2>&1 ||
  { tail -30 "$OUT/pip.log"; exit 2; }
python3 -m pytest -q -p no:cacheprovider tests/python/test_lut_grad.py tests/python/test_nn.py 2>&1 |
  tee "$OUT/pytest.log" | tail -15
TESTS=${PIPESTATUS[0]}
python3 bench/python/lut_grad_gpu.py --json "$OUT/lut_grad_gpu.json" 2>&1 | tee "$OUT/lut_grad_gpu.log"
python3 bench/python/vit_b16_gpu.py --json "$OUT/vit_b16_gpu.json" 2>&1 | tee "$OUT/vit_b16_gpu.log"
echo "tests: exit $TESTS"
exit "$TESTS"
