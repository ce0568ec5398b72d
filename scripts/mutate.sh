#!/usr/bin/env bash
# Mutation pass over chosen functions of the emulator and lutgen (docs/testing.md, "Mutation
# testing"): one mutant at a time (an operator flipped, a statement deleted, a boolean return
# inverted), an incremental rebuild of one test binary, its tests under a timeout. A mutant the
# tests fail on is killed; one they pass survived; one that does not compile is not counted.
#
# It works on a copy of the tracked tree (your tree and its build/ stay untouched):
#   scripts/mutate.sh [WORKDIR]          default WORKDIR: /tmp/axx-mutate
# Environment: MUTANTS_PER_FILE (default 8), JOBS (default 2), CMAKE_FLAGS (extra configure flags),
# ONLY=<substring of a source path> to run one target, DRY=1 to list the mutants only. Results: WORKDIR/results.tsv and a summary.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/axx-mutate}
JOBS=${JOBS:-2}
export MUTANTS_PER_FILE=${MUTANTS_PER_FILE:-8}
export AXX_SKIP_SLOW=1  # the 2^32-pair metrics case: the 2^28-pair one covers the same code

mkdir -p "$WORK/src"
# Tracked and untracked-but-not-ignored files, as git sees them now.
(cd "$ROOT" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) | tar --keep-newer-files -xf - -C "$WORK/src" 2>/dev/null
# (--keep-newer-files: a file restored after a mutant is newer than its object, so a second run
# over the same WORKDIR rebuilds it rather than trusting an object compiled from a mutant.)
# -O1: each mutant recompiles one file; the tests still run quickly.
[ -n "${DRY:-}" ] || cmake -S "$WORK/src" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O1 \
  -DAXX_CUDA=OFF -DAXX_BUILD_BENCH=OFF -DAXX_BUILD_PYTHON=OFF \
  ${CMAKE_FLAGS:-} > "$WORK/configure.log"

exec python3 - "$WORK" "$JOBS" <<'PY'
import os, re, signal, subprocess, sys, time

# Stopped from outside (SIGTERM, or SIGINT where a background job ignores it): unwind, so the
# `finally` below puts the mutated file back.
signal.signal(signal.SIGTERM, signal.default_int_handler)
signal.signal(signal.SIGINT, signal.default_int_handler)

work, jobs = sys.argv[1], sys.argv[2]
src, build = f"{work}/src", f"{work}/build"
per_file = int(os.environ["MUTANTS_PER_FILE"])
only = os.environ.get("ONLY", "")

# source file, functions to mutate, test target, test command (relative to build/)
TARGETS = [
    ("emulator/cpu/lut_gemm_cpu.cc", ["lut_gemm_column_tables", "lut_gemm"], "emulator_cpu_test",
     "tests/emulator/emulator_cpu_test"),
    ("emulator/common/lowrank_encoding.cc", ["parts_needed", "plan_term", "fits_int16", "encode_bytes",
                                             "plan_slices"], "emulator_cpu_test",
     "tests/emulator/emulator_cpu_test"),
    ("lutgen/metrics.cc", ["metrics_of_stream", "number", "compute_metrics", "metrics_json", "Part"],
     "lutgen_metrics_test", "tests/lutgen/lutgen_metrics_test"),
    ("lutgen/decompose.cc", ["row_basis", "invert_mod_p", "solve_with_rows", "verify", "candidate_orders",
                             "decompose"], "emulator_decompose_test",
     "tests/emulator/emulator_decompose_test"),
    ("lutgen/writer_header.cc", ["append_int", "render_header"], "lutgen_writers_test",
     "tests/lutgen/lutgen_writers_test"),
    ("lutgen/writer_registry.cc", ["writer_for_path", "fits_int16", "c_identifier", "comment_safe",
                                   "metrics_comment"], "lutgen_writers_test",
     "tests/lutgen/lutgen_writers_test"),
    ("lutgen/writer_npy.cc", ["render_npy"], "lutgen_writers_test", "tests/lutgen/lutgen_writers_test"),
    ("lutgen/writer_transaxx.cc", ["render_transaxx"], "lutgen_writers_test",
     "tests/lutgen/lutgen_writers_test"),
]

FLIPS = [(" < ", " <= "), (" <= ", " < "), (" > ", " >= "), (" >= ", " > "), (" == ", " != "),
         (" != ", " == "), (" + ", " - "), (" - ", " + "), (" * ", " / "), (" && ", " || "),
         (" || ", " && "), (" += ", " -= "), ("++", "--"), (" << ", " >> "), (" >> ", " << "),
         ("return true;", "return false;"), ("return false;", "return true;"), (" 1;", " 0;"),
         (" 0;", " 1;"), ("(0)", "(1)"), (" & ", " | ")]
DECL = re.compile(r"^(const |constexpr |static |auto |bool |int |char |double |float |unsigned |long |"
                  r"std::|using |typedef |struct |class |template|return |if |for |while |else|case |"
                  r"switch|namespace|#|//|\}|\{|[A-Z][A-Za-z0-9_:<>]* [a-z_]+[ ;=({])")


def bodies(lines, names):
    """Line ranges [start, end) of the bodies of the named functions (brace matching)."""
    out = []
    for i, line in enumerate(lines):
        if line.startswith((" ", "\t", "//", "#")):
            continue
        if not any(re.search(r"\b%s\b\s*[({]" % re.escape(n), line) for n in names):
            continue
        depth, opened, j = 0, False, i
        while j < len(lines):
            code = lines[j].split("//")[0]
            depth += code.count("{") - code.count("}")
            opened = opened or "{" in code
            j += 1
            if opened and depth == 0:
                break
        out.append((i + 1, j))
    return out


def mutants_of(path, names):
    lines = open(f"{src}/{path}").read().split("\n")
    cands = []
    for start, end in bodies(lines, names):
        for k in range(start, end):
            code = lines[k].split("//")[0]
            if '"' in code or not code.strip():
                continue
            for a, b in FLIPS:
                pos = code.find(a)
                if pos >= 0 and not (a == " < " and re.search(r"\w<", code)):
                    cands.append((k, lines[k][:pos] + b + lines[k][pos + len(a):], f"'{a.strip()}' -> '{b.strip()}'"))
            s = code.strip()
            prev = lines[k - 1].split("//")[0].rstrip()
            if s.endswith(";") and not DECL.match(s) and prev.endswith((";", "{", "}")):
                cands.append((k, "", "statement deleted"))
    if len(cands) <= per_file:
        return lines, cands
    step = len(cands) / per_file  # an even spread over the functions, the same on every run
    return lines, [cands[int(i * step)] for i in range(per_file)]


def run(cmd, timeout):
    try:
        return subprocess.run(cmd, shell=True, cwd=build, timeout=timeout, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode
    except subprocess.TimeoutExpired:
        return 124


if os.environ.get("DRY"):
    for path, names, _, _ in TARGETS:
        lines, cands = mutants_of(path, names)
        for k, new, what in cands:
            print(f"{path}:{k + 1}  {what}  {lines[k].strip()}")
    sys.exit(0)

results = []
built = set()
for path, names, target, test in TARGETS:
    if only and only not in path:
        continue
    if target not in built:
        print(f"building {target} (unmutated)", flush=True)
        if run(f"cmake --build . -j{jobs} --target {target}", 3600) != 0:
            sys.exit(f"mutate.sh: {target} does not build unmutated")
        if run(test, 600) != 0:
            sys.exit(f"mutate.sh: {test} fails unmutated; fix that first")
        built.add(target)
    lines, cands = mutants_of(path, names)
    original = "\n".join(lines)
    for k, new, what in cands:
        mutated = lines[:k] + ([new] if new else ["/* mutant: deleted */"]) + lines[k + 1:]
        t0 = time.time()
        with open(f"{src}/{path}", "w") as f:
            f.write("\n".join(mutated))
        try:
            if run(f"cmake --build . -j{jobs} --target {target}", 900) != 0:
                status = "uncompilable"
            else:
                status = "killed" if run(test, 300) != 0 else "SURVIVED"
        finally:
            with open(f"{src}/{path}", "w") as f:
                f.write(original)
        row = (path, k + 1, what, status, lines[k].strip())
        results.append(row)
        print(f"{status:12s} {path}:{k + 1} {what}  [{time.time() - t0:.0f}s]  {lines[k].strip()}", flush=True)

with open(f"{work}/results.tsv", "w") as f:
    f.write("file\tline\tmutation\tstatus\toriginal\n")
    for r in results:
        f.write("\t".join(map(str, r)) + "\n")
counted = [r for r in results if r[3] != "uncompilable"]
killed = sum(r[3] == "killed" for r in counted)
print(f"\n{killed} of {len(counted)} compiled mutants killed "
      f"({len(results) - len(counted)} did not compile); survivors:")
for r in counted:
    if r[3] == "SURVIVED":
        print(f"  {r[0]}:{r[1]}  {r[2]}  {r[4]}")
PY
