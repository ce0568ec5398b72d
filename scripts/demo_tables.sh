#!/usr/bin/env bash
# Turns every bundled multiplier source (multipliers/src/: C, structural and behavioural Verilog,
# BLIF) and every built-in design into tables with the axx CLI, then prints and writes their
# error metrics.
#
# Usage: scripts/demo_tables.sh OUTDIR
#   OUTDIR/tables/NAME.h and NAME.npy   one pair per input
#   OUTDIR/metrics.md, OUTDIR/metrics.json
# AXX_BIN names the CLI (default build/converter/axx in the repository). Exits non-zero if anything fails.
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 1
fi
out="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
axx="${AXX_BIN:-$root/build/converter/axx}"
if [[ ! -x "$axx" ]]; then
  echo "demo_tables.sh: $axx not found; build it first (make build) or set AXX_BIN" >&2
  exit 1
fi
mkdir -p "$out/tables"

# One input -> OUTDIR/tables/NAME.{h,npy}. Extra arguments are input options. The .npy is made
# from the written header (it carries name and signedness), so yosys and cc run once per input.
table() {
  local input="$1" name="$2"
  shift 2
  "$axx" lut "$input" --name "$name" "$@" -o "$out/tables/$name.h"
  "$axx" lut "$out/tables/$name.h" -o "$out/tables/$name.npy"
  echo "  ${input#"$root"/} -> tables/$name.{h,npy}"
}

echo "== built-in multipliers"
names=$(sed -n 's/^AXX_DESIGN(\([A-Za-z0-9_]*\),.*/\1/p' "$root/multipliers/builtins.def")
headers=()
for name in $names; do
  table "builtin:$name" "$name"
  headers+=("$out/tables/$name.h")
done

echo "== bundled sources (multipliers/src)"
shopt -s nullglob
for src in "$root"/multipliers/src/*.c "$root"/multipliers/src/*.v "$root"/multipliers/src/*.blif; do
  base="$(basename "$src")"
  name="${base//./_}"  # mul8s_bam_h1v6_struct.v -> mul8s_bam_h1v6_struct_v: one table per form
  # Signedness: a C function's parameter types declare it (int8_t / uint8_t), so C files get no
  # flag. BLIF says nothing and neither does a plain Verilog port, so netlists get the library's
  # naming convention (mul8u_* unsigned, the rest signed), which agrees with the `signed` ports
  # the mul8s Verilog declares; axx stops with a usage error where a flag is missing or disagrees.
  sign=()
  if [[ "$base" != *.c ]]; then
    sign=(--signed)
    [[ "$base" == mul8u_* ]] && sign=(--unsigned)
  fi
  table "$src" "$name" "${sign[@]}"
  headers+=("$out/tables/$name.h")
done

# Every form of one design must give the same table: compare the .npy files of the bundled
# sources with the builtin of the same name (mul8s_bam_h1v6_struct_v.npy vs mul8s_bam_h1v6.npy).
echo
echo "== forms of one design give identical tables"
for src in "$root"/multipliers/src/*.c "$root"/multipliers/src/*.v "$root"/multipliers/src/*.blif; do
  base="$(basename "$src")"
  design="${base%%.*}"
  design="${design%_struct}"
  design="${design%_behav}"
  [[ -f "$out/tables/$design.npy" ]] || continue
  if cmp -s "$out/tables/${base//./_}.npy" "$out/tables/$design.npy"; then
    echo "  ${base} == builtin:$design"
  else
    echo "demo_tables.sh: ${base} gives a different table than builtin:$design" >&2
    exit 1
  fi
done

# The metrics read the written headers back: each carries its name and signedness, so one call
# covers signed and unsigned tables alike.
"$axx" metrics "${headers[@]}" --json > "$out/metrics.json"
"$axx" metrics "${headers[@]}" --markdown > "$out/metrics.md"
echo
echo "== error metrics ($out/metrics.md, $out/metrics.json)"
cat "$out/metrics.md"
