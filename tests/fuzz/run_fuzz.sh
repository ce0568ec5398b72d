#!/usr/bin/env bash
# Runs every fuzz target of BUILD_DIR (built with -DAXX_FUZZ=ON) for SECONDS each, from the seed
# corpus tests/fuzz/corpus/<target>/ (read only) plus a working corpus under BUILD_DIR that grows
# from run to run. Crashes, leaks, timeouts and out-of-memory inputs go to FINDINGS/<target>/.
# Exit status 1 when any target found something (docs/testing.md, "Fuzzing").
# Usage: run_fuzz.sh BUILD_DIR SECONDS FINDINGS [TARGET...]
set -u
build=$1 seconds=$2 findings=$3
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(blif_fuzz verilog_fuzz header_fuzz npy_fuzz json_fuzz c_signature_fuzz)
failed=()
for t in "${targets[@]}"; do
  name=${t%_fuzz}
  work=$build/fuzz-corpus/$name
  mkdir -p "$work" "$findings/$name"
  log=$findings/$name/fuzz.log
  dict=()
  [ -f "$root/tests/fuzz/$name.dict" ] && dict=(-dict="$root/tests/fuzz/$name.dict")
  "$build/tests/fuzz/$t" "$work" "$root/tests/fuzz/corpus/$name" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/$name/" >"$log" 2>&1
  status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
  rate=$([ -n "$secs" ] && [ "$secs" -gt 0 ] && echo $((runs / secs)) || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  if [ $status -eq 0 ]; then
    echo "fuzz $name: ok, ${runs:-?} runs in ${secs:-?} s (${rate} exec/s), $cov, corpus $(ls "$work" | wc -l) files"
  else
    echo "fuzz $name: FOUND SOMETHING (status $status); input and log in $findings/$name/"
    grep -m3 -E 'ERROR|SUMMARY|axx fuzz:|runtime error' "$log" | sed 's/^/  /'
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}"
  exit 1
fi
