#!/usr/bin/env bash
# Reading and simulating 10^5- and 10^6-gate netlists (a chain and a random DAG, BLIF and
# structural Verilog, 8x8 operands): wall time and peak memory of `axx lut` from /usr/bin/time -v,
# one line per netlist. The ratio of the 10^6 to the 10^5 time shows whether reading scales
# linearly (docs/testing.md, "Hostile netlists").
#
#   bench/netlist/hostile_scale.sh            # BUILD=build by default; SIZES="100000 1000000"
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${BUILD:-$ROOT/build}" && pwd)
SIZES=${SIZES:-"100000 1000000"}
AXX="$BUILD/converter/axx"
[ -x "$AXX" ] || { echo "hostile_scale: build the axx target first ($AXX)" >&2; exit 3; }
WORK=$(mktemp -d /tmp/axx-hostile-scale-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# cpu_s (user + system) is what to compare on a loaded machine; wall_s includes waiting for a core.
printf '%-8s %-5s %9s %10s %10s %10s %10s\n' shape fmt gates file_MB cpu_s wall_s peak_MB
for shape in chain dag; do
  for n in $SIZES; do
    for ext in blif v; do
      f="$WORK/$shape$n.$ext"
      python3 "$ROOT/bench/netlist/gen_big_netlist.py" "$shape" "$n" "$f"
      /usr/bin/time -v "$AXX" lut "$f" --unsigned -o "$WORK/t.npy" 2> "$WORK/time.txt" >/dev/null
      wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt" |
             awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
      kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
      user=$(sed -n 's/.*User time (seconds): //p' "$WORK/time.txt")
      sys=$(sed -n 's/.*System time (seconds): //p' "$WORK/time.txt")
      printf '%-8s %-5s %9d %10.1f %10.2f %10.2f %10.1f\n' "$shape" "$ext" "$n" \
        "$(echo "$(stat -c %s "$f") / 1048576" | bc -l)" "$(echo "$user + $sys" | bc -l)" "$wall" "$(echo "$kb / 1024" | bc -l)"
      rm -f "$f"
    done
  done
done
