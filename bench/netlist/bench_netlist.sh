#!/usr/bin/env bash
# Whole-process "8x8 signed multiplier netlist -> table + metrics" with axx, an Icarus Verilog
# testbench and Verilator (build + run), in one run, with ratios; then exhaustive metrics of a
# 16x16 signed multiplier (2^32 pairs) with peak memory from /usr/bin/time -v.
#
#   bench/netlist/bench_netlist.sh            # BUILD=build by default; REPS=5; SKIP16=1 skips 16x16
#
# The netlists come from Yosys once (not timed). axx is `$BUILD/converter/axx metrics FILE --json`
# when the CLI is built, else the netlist_sim driver $BUILD/bench/netlist/axx_bench_netlist (same
# simulator, plus the table written as text like the testbenches write theirs).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${BUILD:-$ROOT/build}" && pwd)  # absolute: the script works in a temporary folder
REPS=${REPS:-5}
WORK=$(mktemp -d /tmp/axx-bench-netlist-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

for tool in yosys iverilog vvp verilator /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench_netlist: $tool is missing" >&2; exit 3; }
done
CLI="$BUILD/converter/axx"
DRIVER="$BUILD/bench/netlist/axx_bench_netlist"
if [ ! -x "$DRIVER" ]; then cmake --build "$BUILD" --target axx_bench_netlist >/dev/null; fi

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
# min over REPS runs of a command, seconds
time_min() {
  local best="" t0 t1 d
  for _ in $(seq "$REPS"); do
    t0=$(now); "$@" >/dev/null; t1=$(now)
    d=$(elapsed "$t0" "$t1")
    if [ -z "$best" ] || [ "$(echo "$d < $best" | bc -l)" = 1 ]; then best=$d; fi
  done
  echo "$best"
}

# ---- netlists (not timed)
cat > mul8s.v <<'V'
module mul8s(input [7:0] a, input [7:0] b, output [15:0] p);
  assign p = $signed(a) * $signed(b);
endmodule
V
cat > mul16s.v <<'V'
module mul16s(input [15:0] a, input [15:0] b, output [31:0] p);
  assign p = $signed(a) * $signed(b);
endmodule
V
SYN="synth -flatten; abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX; opt_clean"
yosys -q -p "read_verilog mul8s.v; $SYN; write_blif mul8s.blif; write_verilog -noattr mul8s_syn.v"
GATES=$(grep -c '^\.names' mul8s.blif)
echo "8x8 signed multiplier from yosys: $GATES .names covers ($(yosys -V))"

# ---- axx
if [ -x "$CLI" ]; then
  AXX_WHAT="$CLI metrics mul8s.blif --signed --json"
  AXX=("$CLI" metrics mul8s.blif --signed --json)
else
  AXX_WHAT="$DRIVER mul8s.blif --table table_axx.txt (axx CLI not built)"
  AXX=("$DRIVER" mul8s.blif --table table_axx.txt)
fi
"$DRIVER" mul8s.blif --table table_axx.txt > metrics_axx.json
T_AXX=$(time_min "${AXX[@]}")

# ---- Icarus Verilog: compile + run an exhaustive testbench on the synthesised netlist
cat > tb_icarus.v <<'V'
module tb;
  reg [7:0] a, b;
  wire [15:0] p;
  integer i, f;
  mul8s u(.a(a), .b(b), .p(p));
  initial begin
    f = $fopen("table_icarus.txt", "w");
    for (i = 0; i < 65536; i = i + 1) begin
      a = i >> 8; b = i; #1 $fwrite(f, "%0d\n", $signed(p));
    end
    $fclose(f);
    $finish;
  end
endmodule
V
icarus() { iverilog -o tb_icarus.vvp mul8s_syn.v tb_icarus.v && vvp -n tb_icarus.vvp; }
T_ICARUS=$(time_min icarus)

# ---- Verilator: build + run (one rep: the build dominates)
cat > tb_verilator.cpp <<'C'
#include <cstdint>
#include <cstdio>
#include "Vmul8s.h"
#include "verilated.h"
int main(int argc, char** argv) {
  VerilatedContext ctx;
  ctx.commandArgs(argc, argv);
  Vmul8s m(&ctx);
  std::FILE* f = std::fopen("table_verilator.txt", "w");
  for (int i = 0; i < 65536; ++i) {
    m.a = i >> 8;
    m.b = i & 255;
    m.eval();
    std::fprintf(f, "%d\n", int(std::int16_t(m.p)));
  }
  std::fclose(f);
  return 0;
}
C
t0=$(now)
verilator --cc --exe --build -j "$(nproc)" -Wno-fatal -Wno-lint --top-module mul8s mul8s_syn.v tb_verilator.cpp -Mdir obj_dir >verilator.log 2>&1
t1=$(now)
./obj_dir/Vmul8s >/dev/null
t2=$(now)
T_VBUILD=$(elapsed "$t0" "$t1"); T_VRUN=$(elapsed "$t1" "$t2"); T_VER=$(elapsed "$t0" "$t2")

# ---- all three tables must agree
cmp -s table_axx.txt table_icarus.txt || { echo "MISMATCH: axx vs Icarus table" >&2; exit 1; }
cmp -s table_axx.txt table_verilator.txt || { echo "MISMATCH: axx vs Verilator table" >&2; exit 1; }

echo
echo "8x8 signed netlist -> table + metrics, whole process (min of $REPS runs; Verilator 1 run), $(nproc) cores:"
printf '  %-34s %9.4f s\n' "axx" "$T_AXX"
printf '  %-34s %9.4f s   (axx %6.1fx faster)\n' "Icarus Verilog (compile + run)" "$T_ICARUS" "$(echo "$T_ICARUS / $T_AXX" | bc -l)"
printf '  %-34s %9.4f s   (axx %6.1fx faster; build %.2f s + run %.4f s)\n' "Verilator (build + run)" "$T_VER" \
  "$(echo "$T_VER / $T_AXX" | bc -l)" "$T_VBUILD" "$T_VRUN"
echo "  axx command: $AXX_WHAT"
echo "  tables identical across axx, Icarus, Verilator; metrics: $(cat metrics_axx.json)"

# ---- 16x16 exhaustive metrics, streaming
if [ "${SKIP16:-0}" != 1 ]; then
  yosys -q -p "read_verilog mul16s.v; $SYN; write_blif mul16s.blif"
  if [ -x "$CLI" ]; then CMD16=("$CLI" metrics mul16s.blif --signed --json); else CMD16=("$DRIVER" mul16s.blif); fi
  echo
  echo "16x16 signed, exhaustive metrics over 2^32 pairs: ${CMD16[*]}"
  /usr/bin/time -v "${CMD16[@]}" > metrics16.json 2> time16.txt
  cat metrics16.json
  wall=$(grep 'Elapsed (wall clock)' time16.txt | awk '{print $NF}')
  user=$(grep 'User time' time16.txt | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' time16.txt | awk '{print $NF}')
  printf '  wall %s (m:ss), user CPU %s s, peak RSS %.1f MiB (goal: < 60 s, < 1 GiB)\n' "$wall" "$user" "$(echo "$rss / 1024" | bc -l)"
  # The simulator alone (no metrics sink), for the split between simulation and the sink's work.
  /usr/bin/time -v "$DRIVER" mul16s.blif --sim-only > /dev/null 2> time16s.txt
  printf '  simulator alone (%s --sim-only): wall %s (m:ss), user CPU %s s\n' "$(basename "$DRIVER")" \
    "$(grep 'Elapsed (wall clock)' time16s.txt | awk '{print $NF}')" "$(grep 'User time' time16s.txt | awk '{print $NF}')"
fi
echo
echo "load average at the end of the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
