#!/usr/bin/env python3
"""End-to-end check of one model on another architecture, run under QEMU:
compile with whittle for the target (object, or C built by the target's gcc),
verify the result is dependency-free, link a harness, run it in QEMU and
compare every output with a reference, as check_model.py does on the host.

Targets (`--target`; whittle gets its preset of the same name):
  aarch64, riscv64   Linux user mode: the cross gcc links the host harness
                     (runtime/harness/whittle_harness.c), qemu-aarch64 /
                     qemu-riscv64 run it on the input files.
  cortex-m4/m7/m33   bare metal on QEMU's MPS2 boards (mps2-an386/an500/an505)
                     with runtime/baremetal/{harness.c,cortex-m/}, newlib's
                     rdimon for semihosting, hard-float gcc flags.
  cortex-m3          the same without an FPU (mps2-an385): libgcc's
                     soft-float helpers may stay undefined in the object.
  riscv32, riscv32f  bare metal on `qemu-system-riscv32 -M virt -bios none`
                     with runtime/baremetal/{harness.c,riscv/} and picolibc;
                     riscv32 is RV32IMAC (ilp32, soft float: libgcc's helpers
                     may stay undefined), riscv32f RV32IMAFC (ilp32f).
Bare-metal programs get the inputs linked in (a generated data.S that
.incbin's them), write each output to the host by semihosting and report the
instructions one inference took (QEMU runs with -icount shift=0).

References and metrics are check_model.py's: --ref-dir from
scripts/ort-reference.js or --onnx-test for an ONNX backend test directory."""
import argparse
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_model  # noqa: E402  (load_ort_refs, load_onnx_test, read_output, compare)

SRC = check_model.SRC
HOST_HARNESS = check_model.HARNESS
BAREMETAL = os.path.join(SRC, "runtime", "baremetal")
NM = "llvm-nm-22"

QEMU_SYSTEM = ["-display", "none", "-nodefaults",
               "-chardev", "stdio,id=out",
               "-semihosting-config", "enable=on,target=native,chardev=out",
               "-icount", "shift=0"]


def cortex_m(cpu, fpu, board, sysclk):
    float_flags = ["-mfloat-abi=hard", f"-mfpu={fpu}"] if fpu else ["-mfloat-abi=soft"]
    # No FPU: all float arithmetic is soft; a single-precision FPU: double.
    soft = "all" if not fpu else "double" if "-sp-" in fpu else None
    return dict(kind="cortex-m", cc="arm-none-eabi-gcc",
                flags=[f"-mcpu={cpu}", "-mthumb"] + float_flags,
                board=board, sysclk=sysclk, soft_float=soft,
                whittle=[f"--target={cpu}"],
                qemu=["qemu-system-arm", "-M", board] + QEMU_SYSTEM)


def riscv_virt(march, mabi, preset):
    # ISA spec 2.2 keeps the CSR instructions (the port reads instret) in the
    # base ISA: gcc 12 has no picolibc multilib for rv32imac_zicsr.
    return dict(kind="riscv-virt", cc="riscv64-unknown-elf-gcc",
                flags=[f"-march={march}", "-misa-spec=2.2", f"-mabi={mabi}"],
                soft_float={"ilp32": "all", "ilp32f": "double"}.get(mabi),
                whittle=[f"--target={preset}"],
                qemu=["qemu-system-riscv32", "-M", "virt", "-bios", "none"] + QEMU_SYSTEM)


TARGETS = {
    "aarch64": dict(kind="linux", cc="aarch64-linux-gnu-gcc", flags=[],
                    whittle=["--target=aarch64"],
                    qemu=["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]),
    "riscv64": dict(kind="linux", cc="riscv64-linux-gnu-gcc", flags=[],
                    whittle=["--target=riscv64"],
                    qemu=["qemu-riscv64", "-L", "/usr/riscv64-linux-gnu"]),
    # Armv6-M code on the AN385's Cortex-M3 (a superset of its instructions).
    # Armv6-M has no divide instruction: the RTABI's integer division
    # helpers are allowed too.
    "cortex-m0": dict(cortex_m("cortex-m0", None, "mps2-an385", 25000000),
                      int_division_helpers=True),
    "cortex-m3": cortex_m("cortex-m3", None, "mps2-an385", 25000000),
    "cortex-m4": cortex_m("cortex-m4", "fpv4-sp-d16", "mps2-an386", 25000000),
    "cortex-m7": cortex_m("cortex-m7", "fpv5-d16", "mps2-an500", 25000000),
    "cortex-m33": cortex_m("cortex-m33", "fpv5-sp-d16", "mps2-an505", 20000000),
    "riscv32": riscv_virt("rv32imac", "ilp32", "riscv32"),
    "riscv32f": riscv_virt("rv32imafc", "ilp32f", "riscv32f"),
}

# What a target without an FPU may leave undefined: libgcc's soft-float
# helpers (the Arm EABI names and the generic ones), nothing else; with a
# single-precision FPU, only the double-precision ones (f64 arithmetic and
# f32<->f64 conversion are soft there).
SOFT_FLOAT = {
    "all": re.compile(r"^__(aeabi_([fd][a-z0-9]*|u?[il]2[fd])"
                      r"|(add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord)[sd]f[23]"
                      r"|fix(uns)?[sd]f[sd]i|float(un)?[sd]i[sd]f|extendsfdf2|truncdfsf2)$"),
    "double": re.compile(r"^__(aeabi_(d[a-z0-9]*|f2d|u?[il]2d)"
                         r"|(add|sub|mul|div|neg|cmp|eq|ne|lt|le|gt|ge|unord)df[23]"
                         r"|fix(uns)?df[sd]i|float(un)?[sd]idf|extendsfdf2|truncdfsf2)$"),
}

# Arm RTABI integer division, for cores without a divide instruction.
INT_DIVISION = re.compile(r"^__aeabi_u?idiv(mod)?$")

run = check_model.run


def undefined_symbols(obj):
    return [line.split()[-1] for line in run([NM, "-u", obj]).splitlines() if line.strip()]


def write_data_s(path, inputs, prefix):
    """The bare-metal harness's inputs (.incbin'd) and host output prefix."""
    def quote(s):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    lines = ['  .section .rodata.whittle_inputs,"a"']
    for i, p in enumerate(inputs):
        lines += ["  .balign 64", f"whittle_input_{i}:", f"  .incbin {quote(os.path.abspath(p))}"]
    lines += ["  .balign 8", "  .global whittle_inputs", "whittle_inputs:"]
    lines += [f"  .dc.a whittle_input_{i}" for i in range(len(inputs))] or ["  .dc.a 0"]
    lines += ["  .global whittle_input_bytes", "whittle_input_bytes:"]
    lines += [f"  .dc.a {os.path.getsize(p)}" for p in inputs] or ["  .dc.a 0"]
    lines += ["  .global whittle_output_prefix", "whittle_output_prefix:",
              f"  .asciz {quote(os.path.abspath(prefix))}", ""]
    open(path, "w").write("\n".join(lines))


def link_baremetal(t, a, obj, data_s, elf):
    defs = ["-I", a.work, f'-DWHITTLE_HEADER="{a.name}.h"', f"-DWHITTLE_NAME={a.name}",
            f"-DWHITTLE_UPPER={a.name.upper()}", "-I", BAREMETAL]
    common = [t["cc"]] + t["flags"] + ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror",
                                       "-ffunction-sections", "-fdata-sections"] + defs
    if t["kind"] == "cortex-m":
        port = os.path.join(BAREMETAL, "cortex-m")
        cmd = common + [f"-DBM_SYSCLK_HZ={t['sysclk']}", "--specs=nano.specs",
                        "--specs=rdimon.specs", "-nostartfiles", "-L", port,
                        "-T", f"{t['board']}.ld", os.path.join(port, "startup.c")]
    else:
        port = os.path.join(BAREMETAL, "riscv")
        cmd = common + ["--specs=picolibc.specs", "--oslib=semihost", "--crt0=semihost",
                        "-T", os.path.join(port, "qemu-virt.ld"), os.path.join(port, "port.c")]
    cmd += [os.path.join(BAREMETAL, "harness.c"), data_s, obj, "-Wl,--gc-sections",
            "-Wl,--no-warn-execstack", "-Wl,-Map=" + elf + ".map", "-o", elf]
    run(cmd)


def run_qemu(cmd, timeout):
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"FAIL: {' '.join(cmd)} ran longer than {timeout} s")
    if p.returncode != 0:
        sys.stderr.write("$ " + " ".join(cmd) + "\n" + p.stdout + p.stderr)
        raise SystemExit(f"FAIL: the program exited with {p.returncode} under QEMU")
    return p.stdout


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--whittle", required=True)
    ap.add_argument("--target", required=True, choices=sorted(TARGETS))
    ap.add_argument("--model")
    ap.add_argument("--ref-dir")
    ap.add_argument("--onnx-test")
    ap.add_argument("--emit", choices=["obj", "c"], default="obj")
    ap.add_argument("--work", required=True)
    ap.add_argument("--name", default="model")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--metric", choices=["allclose", "range"], default="allclose")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per QEMU run")
    ap.add_argument("whittle_args", nargs="*", help="extra whittle arguments (after --)")
    a = ap.parse_args(argv)
    t = TARGETS[a.target]

    os.makedirs(a.work, exist_ok=True)
    if a.onnx_test:
        model = os.path.join(a.onnx_test, "model.onnx")
    else:
        model = a.model
        inputs, refs = check_model.load_ort_refs(a.ref_dir)

    ext = ".o" if a.emit == "obj" else ".c"
    out = os.path.join(a.work, a.name + ext)
    run([a.whittle, model, "-o", out, f"--name={a.name}"] + t["whittle"] + a.whittle_args)
    header = os.path.join(a.work, a.name + ".h")
    if not os.path.isfile(header):
        raise SystemExit(f"FAIL: {header} was not written")
    header_text = open(header).read()
    if a.onnx_test:  # string inputs take the header's slot size
        inputs, refs = check_model.load_onnx_test(a.onnx_test, a.work, header_text)
    if a.emit == "c":
        obj = check_model.compile_generated_c(out, a.name, [t["cc"]] + t["flags"])
    else:
        obj = out
    undef = undefined_symbols(obj)
    allowed = SOFT_FLOAT.get(t.get("soft_float"))
    helpers = [u for u in undef if (allowed and allowed.match(u)) or
               (t.get("int_division_helpers") and INT_DIVISION.match(u))]
    if len(helpers) != len(undef):
        raise SystemExit(f"FAIL: undefined symbols in {obj}: "
                         f"{[u for u in undef if u not in helpers]}")
    print(f"  target: {a.target} ({' '.join([t['cc']] + t['flags'])}; {t['qemu'][0]})")
    print(f"  undefined symbols: none{' but soft-float helpers' if helpers else ''}; "
          f"object bytes: {os.path.getsize(obj)}")
    arena = re.search(r"_ARENA_SIZE\s+(\d+)", open(header).read()).group(1)
    print(f"  arena bytes: {arena}")

    if t["kind"] == "linux":
        harness = os.path.join(a.work, "harness")
        run([t["cc"]] + t["flags"] + ["-std=c99", "-O1", "-Wall", "-Wextra", "-pedantic",
                                      "-Werror", "-I", a.work,
                                      f'-DWHITTLE_HEADER="{a.name}.h"',
                                      f"-DWHITTLE_NAME={a.name}",
                                      f"-DWHITTLE_UPPER={a.name.upper()}", HOST_HARNESS,
                                      obj, "-o", harness])

    ok = True
    for k, (ins, outs) in enumerate(zip(inputs, refs)):
        prefix = os.path.join(a.work, f"got_{k}_")
        paths = [f"{prefix}{i}.bin" for i in range(len(outs))]
        for p in paths:
            if os.path.exists(p):
                os.remove(p)
        if t["kind"] == "linux":
            run_qemu(t["qemu"] + [harness] + ins + ["--"] + paths, a.timeout)
        else:
            data_s = os.path.join(a.work, f"data_{k}.S")
            elf = os.path.join(a.work, f"harness_{k}.elf")
            write_data_s(data_s, ins, prefix)
            link_baremetal(t, a, obj, data_s, elf)
            if k == 0:
                size = run([t["cc"].replace("gcc", "size"), elf]).splitlines()[1].split()
                print(f"  image bytes: text {size[0]} data {size[1]} bss {size[2]}")
            log = run_qemu(t["qemu"] + ["-kernel", elf], a.timeout)
            insns = re.search(r"instructions per inference: (\d+) \(resolution (\d+)\)", log)
            if not insns or "guards intact" not in log:
                sys.stderr.write(log)
                raise SystemExit("FAIL: the harness did not finish")
            print(f"  instructions per inference: {insns.group(1)} (+-{insns.group(2)})")
            print("  arena and output guards: intact")
        for i, ((name, ref), path) in enumerate(zip(outs, paths)):
            got, ref = check_model.read_output(path, name, ref, header_text, i)
            ok &= check_model.compare(name, got, ref, a.rtol, a.atol, a.metric)
    print(("PASS" if ok else "FAIL") +
          f": {os.path.basename(model)} via {a.emit} on {a.target} (qemu)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
