#!/usr/bin/python3
"""Held-out accuracy of the digits CNN compiled by whittle, float versus
depthwise-separable.

Compiles digits_cnn.onnx twice to x86-64 objects (as is, and with the given
--decompose-conv flags and this directory's calibration images), links each
with the host harness, runs every held-out image through it in one batch,
and prints both accuracies, the drop, the convolution MACs before and after
(from whittle's --report) and a closing PASS or FAIL against --max-drop
(percentage points) and --min-mac-cut.

  evaluate.py --whittle build/tools/whittle/whittle --work /tmp/digits \\
      -- --decompose-conv=auto --decompose-error=0.3
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "..", "..", "runtime", "harness", "whittle_harness.c")


def compile_and_run(whittle, cc, work, name, flags, images, model=None):
    obj = os.path.join(work, name + ".o")
    model = model or os.path.join(HERE, "digits_cnn.onnx")
    subprocess.run([whittle, model, "-o", obj] + flags, check=True)
    exe = os.path.join(work, name)
    subprocess.run([cc, "-std=c99", "-O1", "-I", work, f'-DWHITTLE_HEADER="{name}.h"',
                    f"-DWHITTLE_NAME={name}", f"-DWHITTLE_UPPER={name.upper()}", HARNESS, obj,
                    "-o", exe], check=True)
    inp, out = os.path.join(work, "images.bin"), os.path.join(work, name + "-logits.bin")
    images.astype(np.float32).tofile(inp)
    subprocess.run([exe, inp, "--", out], check=True)
    return np.fromfile(out, dtype=np.float32).reshape(len(images), 10)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--whittle", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--max-drop", type=float, default=1.0, help="percentage points")
    ap.add_argument("--min-mac-cut", type=float, default=2.0)
    ap.add_argument("flags", nargs="*", help="whittle flags for the rewritten model (after --)")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    x = np.load(os.path.join(HERE, "heldout_x.npy"))
    y = np.load(os.path.join(HERE, "heldout_y.npy"))

    base = compile_and_run(a.whittle, a.cc, a.work, "digits_float", [], x)
    report = os.path.join(a.work, "report.json")
    flags = a.flags + ["--calibration=" + os.path.join(HERE, "calibration"), "--report=" + report]
    light = compile_and_run(a.whittle, a.cc, a.work, "digits_light", flags, x)
    subprocess.run([a.whittle, os.path.join(HERE, "digits_cnn.onnx"), "-o",
                    os.path.join(a.work, "report.o"), "--report=" + report[:-5] + ".md"] + flags[:-1],
                   check=True)

    acc_base = (base.argmax(1) == y).mean() * 100
    acc_light = (light.argmax(1) == y).mean() * 100
    drop = acc_base - acc_light
    total = json.load(open(report))["total"]
    cut = total["macs_before"] / total["macs_after"]
    print(f"held-out images: {len(y)}")
    print(f"float accuracy: {acc_base:.2f}%")
    print(f"rewritten accuracy: {acc_light:.2f}%")
    print(f"accuracy drop: {drop:.2f} points (limit {a.max_drop})")
    print(f"conv MACs: {total['macs_before']} -> {total['macs_after']} ({cut:.2f}x, need {a.min_mac_cut}x)")
    print(f"conv params: {total['params_before']} -> {total['params_after']}")
    ok = drop <= a.max_drop and cut >= a.min_mac_cut
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
