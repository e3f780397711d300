#!/usr/bin/env python3
"""Compiles a model for every --target preset (whittle --print-targets) to an
object and checks what it leaves undefined: nothing, except on FPU-less
presets the soft-float helpers of the target's ABI (the run-time support every
bare-metal toolchain ships: libgcc or compiler-rt). With --emit c, the one C
output is compiled for each preset's target by clang instead, at
-std=c99 -ffreestanding -Wall -Wextra -pedantic -Werror, and checked the
same way. Prints one line per preset and a closing 'N passed, N failed'
line.

    check_presets.py --whittle WHITTLE --model M.onnx --work DIR [--emit c]
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


# Armv6-M has no divide instruction: the RTABI's integer division helpers.
INT_DIVISION = re.compile(r"^__aeabi_u?idiv(mod)?$")

# clang's spelling of each preset's CPU, features and ABI (the C path).
CLANG_FLAGS = {
    "x86-64": ["-march=x86-64"],
    "native": ["-march=native"],
    "aarch64": [],
    "cortex-a53": ["-mcpu=cortex-a53"],
    "cortex-a72": ["-mcpu=cortex-a72"],
    "cortex-m0": ["-mcpu=cortex-m0", "-mfloat-abi=soft"],
    "cortex-m3": ["-mcpu=cortex-m3", "-mfloat-abi=soft"],
    "cortex-m4": ["-mcpu=cortex-m4", "-mfloat-abi=hard"],
    "cortex-m7": ["-mcpu=cortex-m7", "-mfloat-abi=hard"],
    "cortex-m33": ["-mcpu=cortex-m33", "-mfloat-abi=hard"],
    "cortex-m55": ["-mcpu=cortex-m55", "-mfloat-abi=hard"],
    "riscv32": ["-march=rv32imac", "-mabi=ilp32"],
    "riscv32f": ["-march=rv32imafc", "-mabi=ilp32f"],
    "riscv64": ["-march=rv64gc", "-mabi=lp64d"],
}
C_FLAGS = ["-std=c99", "-ffreestanding", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O2"]


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
    ap.add_argument("--emit", choices=["obj", "c"], default="obj")
    ap.add_argument("--clang", default="clang-22")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    if args.emit == "c":
        source = os.path.join(args.work, "model.c")
        subprocess.run([args.whittle, args.model, "-o", source], check=True)
    passed = failed = 0
    for name, triple, soft in presets(args.whittle):
        obj = os.path.join(args.work, name + ".o")
        if args.emit == "c":
            if triple == "(host)":
                triple = subprocess.run([args.clang, "-print-target-triple"], check=True,
                                        stdout=subprocess.PIPE, text=True).stdout.strip()
            cmd = [args.clang, "--target=" + triple] + CLANG_FLAGS[name] + C_FLAGS + \
                  ["-c", source, "-o", obj]
        else:
            cmd = [args.whittle, args.model, "-o", obj, "--target=" + name]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            print(f"FAIL {name}: {p.stdout.strip().splitlines()[-1:]}")
            failed += 1
            continue
        undefined = subprocess.run([args.nm, "-u", obj], check=True, stdout=subprocess.PIPE,
                                   text=True).stdout.split()
        undefined = sorted(s for s in undefined if s != "U")
        family = "arm" if triple.startswith("thumb") else "riscv" if triple.startswith("riscv") else None
        allowed = SOFT_FLOAT.get(family) if soft else None
        bad = [s for s in undefined if not (allowed and allowed.match(s)) and
               not (name == "cortex-m0" and INT_DIVISION.match(s))]
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
