#!/usr/bin/env bash
# The `make demo` job, run after the C++ build and the Python install:
#   1. scripts/demo_tables.sh OUT   every bundled multiplier -> table + error metrics (axx CLI)
#   2. python -m axx.demo --out OUT the shipped ViT on Fashion-MNIST with every multiplier,
#                                   fine-tuning under the worst one, OUT/report.md + plots
# Usage: scripts/demo.sh [OUT]   (default demo_out). PYTHON names the interpreter (default .venv/bin/python).
set -euo pipefail
out="${1:-demo_out}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
if [[ ! -x "$python" ]]; then
  echo "demo.sh: $python not found; create the venv first (make python) or set PYTHON" >&2
  exit 1
fi
mkdir -p "$out"
start=$(date +%s)
"$root/scripts/demo_tables.sh" "$out"
echo
"$python" -m axx.demo --out "$out" --multipliers "$root/multipliers/src"
echo "demo.sh: done in $(( $(date +%s) - start )) s; open $out/report.md"
