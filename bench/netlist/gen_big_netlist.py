#!/usr/bin/env python3
"""Writes a large netlist with 8x8 operands a, b and a 16-bit output y, as BLIF or structural Verilog.

  gen_big_netlist.py SHAPE GATES OUT.{blif,v} [SEED]

SHAPE: chain  -- one long chain of 2-input gates, each reading the previous gate and an operand bit
                 (depth = GATES); y is taken from the last 16 gates.
       dag    -- a random DAG: each gate reads two nets drawn from the operand bits and the 4096
                 gates before it (so the live set stays bounded, as in real netlists), with a
                 random AND/OR/XOR/NAND/NOR/XNOR function; y is the last 16 gates.
Used by hostile_scale.sh to check that reading scales linearly (10^5 vs 10^6 gates).
"""
import random
import sys

OPS = ["and", "or", "xor", "nand", "nor", "xnor"]
COVERS = {"and": "11 1", "or": "1- 1\n-1 1", "xor": "10 1\n01 1",
          "nand": "11 0", "nor": "1- 0\n-1 0", "xnor": "10 0\n01 0"}
VOPS = {"and": "{} & {}", "or": "{} | {}", "xor": "{} ^ {}",
        "nand": "~({} & {})", "nor": "~({} | {})", "xnor": "~({} ^ {})"}


def gates(shape, n, rng):
    """Yields (op, in0, in1) with inputs as ('a'|'b', bit) or ('n', index)."""
    for i in range(n):
        if shape == "chain":
            prev = ("n", i - 1) if i else ("a", 0)
            yield ("xor" if i % 2 else "and"), prev, ("ab"[i % 2], (i // 2) % 8)
        else:
            def pick():
                k = rng.randrange(16 + min(i, 4096))
                if k < 16:
                    return ("ab"[k // 8], k % 8)
                return ("n", i - 1 - (k - 16))
            yield rng.choice(OPS), pick(), pick()


def main():
    shape, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    if shape not in ("chain", "dag") or n < 16:
        sys.exit("usage: gen_big_netlist.py chain|dag GATES(>=16) OUT.{blif,v} [SEED]")
    blif = out.endswith(".blif")
    with open(out, "w") as f:
        w = f.write
        if blif:
            def name(t):
                return f"{t[0]}[{t[1]}]" if t[0] != "n" else f"n{t[1]}"
            w(".model big\n.inputs " + " ".join(f"a[{i}]" for i in range(8)) + " " +
              " ".join(f"b[{i}]" for i in range(8)) + "\n.outputs " + " ".join(f"y[{i}]" for i in range(16)) + "\n")
            for i, (op, x, y) in enumerate(gates(shape, n, rng)):
                w(f".names {name(x)} {name(y)} n{i}\n{COVERS[op]}\n")
            for k in range(16):
                w(f".names n{n - 16 + k} y[{k}]\n1 1\n")
            w(".end\n")
        else:
            def name(t):
                return f"{t[0]}[{t[1]}]" if t[0] != "n" else f"n{t[1]}"
            w("module big(input [7:0] a, input [7:0] b, output [15:0] y);\n")
            for i in range(0, n, 64):
                w("  wire " + ", ".join(f"n{j}" for j in range(i, min(n, i + 64))) + ";\n")
            for i, (op, x, y) in enumerate(gates(shape, n, rng)):
                w(f"  assign n{i} = " + VOPS[op].format(name(x), name(y)) + ";\n")
            w("  assign y = {" + ", ".join(f"n{n - 1 - k}" for k in range(16)) + "};\nendmodule\n")


if __name__ == "__main__":
    main()
