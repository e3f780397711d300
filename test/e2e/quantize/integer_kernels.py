#!/usr/bin/python3
"""Checks that the integer kernels of a quantized model are integer-only.

Reads whittle's --emit=loops output and splits the model function into its
kernels (top-level loop nests). Every kernel that multiplies int8 data
(arith.muli on i32 after sign extension, of scalars or vectors, or the
target's dot-product intrinsics: convolutions and matrix products),
or int16 activations by int8 weights (on i48), must contain no
floating-point type. Prints one line per kernel kind and PASS or FAIL.

  integer_kernels.py LOOPS.mlir [--min-kernels N]
"""
import argparse
import re
import sys


def kernels(text):
    """Top-level scf.for nests of the first func.func, as text."""
    lines = text.splitlines()
    out, depth, cur, indent = [], 0, [], None
    for line in lines:
        if indent is None:
            # A reduction nest carrying its accumulators yields results.
            m = re.match(r"^(\s*)(%\S+ = )?scf\.for ", line)
            if m:
                indent = len(m.group(1))
                cur = [line]
            continue
        cur.append(line)
        if re.match(r"^\s{%d}\}" % indent, line) and len(line) - len(line.lstrip()) == indent:
            out.append("\n".join(cur))
            indent = None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("loops")
    ap.add_argument("--min-kernels", type=int, default=1)
    a = ap.parse_args()
    text = open(a.loops).read()
    count = {"int8": 0, "int16": 0}
    bad = 0
    for k in kernels(text):
        # The target's int8 dot-product instructions multiply too.
        dot = re.search(r'llvm\.call_intrinsic "llvm\.(x86\.\w+\.pmadd|x86\.avx512\.vpdpbusd|'
                        r'aarch64\.neon\.sdot|arm\.smlad)', k)
        if "arith.muli" not in k and not dot:
            continue
        # Scalars, or vectors (whittle-vectorize-kernels).
        if re.search(r"arith\.extsi %\S+ : (vector<\d+x)?i16>? to (vector<\d+x)?i48", k):
            kind = "int16"
        elif dot or re.search(r"arith\.extsi %\S+ : (vector<\d+x)?i8>? to (vector<\d+x)?i32", k):
            kind = "int8"
        else:
            continue
        count[kind] += 1
        floats = re.findall(r"\b(f16|bf16|f32|f64)\b", k)
        if floats:
            bad += 1
            print(f"kernel with {kind} products uses {sorted(set(floats))}:")
            print(k[:2000])
    print(f"int8 multiply kernels: {count['int8']}, int16 (x int8) multiply kernels: "
          f"{count['int16']}, with floating point: {bad}")
    ok = bad == 0 and count["int8"] + count["int16"] >= a.min_kernels
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
