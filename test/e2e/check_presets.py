#!/usr/bin/env python3
"""Compiles a model for every --target preset (whittle --print-targets) to an
object and checks what it leaves undefined: nothing, except on FPU-less
presets the soft-float helpers of the target's ABI (the run-time support every
bare-metal toolchain ships: libgcc or compiler-rt). Prints one line per
preset and a closing 'N passed, N failed' line.

    check_presets.py --whittle WHITTLE --model M.onnx --work DIR
"""
import argparse
import os
import re
import subprocess
import sys

# Soft-float helpers by ABI: Arm's run-time ABI (RTABI) single-precision
# arithmetic, comparisons and conversions; RISC-V (libgcc names).
SOFT_FLOAT = {
    "arm": re.compile(r"^__aeabi_(f(add|sub|mul|div|cmp(eq|lt|le|ge|gt|un))|"
                      r"u?i2f|f2u?iz|f2d|d2f)$"),
    "riscv": re.compile(r"^__(add|sub|mul|div)sf3$|^__(eq|ne|lt|le|gt|ge|unord)sf2$|"
                        r"^__fix(uns)?sfsi$|^__float(un)?sisf$"),
}


def presets(whittle):
    out = subprocess.run([whittle, "--print-targets"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    rows = []
    for line in out.splitlines()[1:]:
        parts = line.split()
        rows.append((parts[0], parts[1], "soft float" in line))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--whittle", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--nm", default="llvm-nm-22")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    passed = failed = 0
    for name, triple, soft in presets(args.whittle):
        obj = os.path.join(args.work, name + ".o")
        p = subprocess.run([args.whittle, args.model, "-o", obj, "--target=" + name],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            print(f"FAIL {name}: {p.stdout.strip().splitlines()[-1:]}")
            failed += 1
            continue
        undefined = subprocess.run([args.nm, "-u", obj], check=True, stdout=subprocess.PIPE,
                                   text=True).stdout.split()
        undefined = sorted(s for s in undefined if s != "U")
        family = "arm" if triple.startswith("thumb") else "riscv" if triple.startswith("riscv") else None
        allowed = SOFT_FLOAT.get(family) if soft else None
        bad = [s for s in undefined if not (allowed and allowed.match(s))]
        status = "ok" if not bad else "FAIL"
        print(f"{status:4} {name:12} {os.path.getsize(obj):9} bytes  undefined: "
              + (" ".join(undefined) if undefined else "none")
              + (f"  NOT ALLOWED: {' '.join(bad)}" if bad else ""))
        passed += not bad
        failed += bool(bad)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
