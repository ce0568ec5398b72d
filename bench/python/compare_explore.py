#!/usr/bin/env python3
"""Compare two ``bench/python/explore_gpu.py`` results, one process against several.

    python3 bench/python/compare_explore.py explore_gpu_1.json explore_gpu_2.json

docs/distributed.md: under torchrun ``axx.explore`` returns exactly the one-process result. So
every field of the two JSON files must be equal -- the front (each point's assignment, accuracy
and energy), the reference accuracy, the evaluations, the products, the candidates and their
ranks -- except the timings and the process count, which differ by design. Prints the differing
fields and a verdict line. Exit status: 0 identical, 1 different (or not a 1- vs N-process pair),
2 a file missing or not JSON.
"""
from __future__ import annotations

import json
import sys

# measured, or the process count: expected to differ between the two runs
VARYING = {"world_size", "setup_seconds", "total_seconds", "evaluations_per_minute",
           "evaluations_per_minute_overall", "images_per_second"}


def differing(one: dict, two: dict) -> list[str]:
    return sorted(k for k in (set(one) | set(two)) - VARYING if one.get(k, KeyError) != two.get(k, KeyError))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print("usage: compare_explore.py ONE_PROCESS.json N_PROCESSES.json", file=sys.stderr)
        return 1
    try:
        one, two = (json.loads(open(p).read()) for p in argv)
    except (OSError, ValueError) as e:
        print(f"compare_explore.py: {e}", file=sys.stderr)
        print("VERDICT: NOT COMPARED (a result is missing: see the explore runs' logs)")
        return 2
    for label, r in (("1 process  ", one), ("N processes", two)):
        rate = r.get("evaluations_per_minute")
        print(f"{label}: world_size {r.get('world_size')}, {r.get('evaluations')} evaluations, "
              f"{len(r.get('front', []))} front points, "
              + (f"{rate:.1f} evaluations/minute after setup" if rate else "no rate"))
    if one.get("world_size") != 1 or not (two.get("world_size") or 0) > 1:
        print("VERDICT: NOT COMPARED (the first file must come from 1 process, the second from more)")
        return 1
    diff = differing(one, two)
    for k in diff:
        print(f"  {k}: 1 process   {json.dumps(one.get(k))[:400]}")
        print(f"  {k}: {two['world_size']} processes {json.dumps(two.get(k))[:400]}")
    if diff:
        print(f"VERDICT: DIFFERENT: {', '.join(diff)} (docs/distributed.md promises the one-process result)")
        return 1
    r1, r2 = one.get("evaluations_per_minute"), two.get("evaluations_per_minute")
    speed = f"; evaluations/minute x{r2 / r1:.2f}" if r1 and r2 else ""
    print(f"VERDICT: IDENTICAL: {two['world_size']} processes give the one-process front ({len(one.get('front', []))} "
          f"points: assignments, accuracies, energies), reference accuracy, evaluations and products{speed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
