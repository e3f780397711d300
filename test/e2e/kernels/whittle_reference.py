#!/usr/bin/env python3
"""Reference outputs from whittle's own C output, for kernels whose exact
result is whittle's (int8 convolutions: ONNX Runtime requantizes in float,
whittle in fixed point).

Reads the inputs of REF_DIR (scripts/ort-reference.js' layout), compiles
MODEL to portable C with the extra whittle arguments (scalar loops, no
vector kernels), runs it on those inputs with the host harness, and writes
OUT_DIR in the same layout with whittle's outputs. With --calibration DIR
it first writes seeded standard-normal calibration samples for MODEL's
inputs there (one .npy per sample for a single input, else one
subdirectory per sample with `<input name>.npy` each).

  whittle_reference.py --whittle W --model M --ref-dir R --out O --work D
                       [--calibration DIR] -- [whittle args]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "..", "..", "..", "runtime", "harness", "whittle_harness.c")


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("$ " + " ".join(cmd) + "\n" + p.stdout + p.stderr +
                 f"FAIL: command exited with {p.returncode}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--whittle", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--ref-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--calibration")
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("whittle_args", nargs="*")
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.ref_dir, "meta.json")))
    if a.calibration:
        rng = np.random.default_rng(20261125)
        os.makedirs(a.calibration, exist_ok=True)
        for s in range(a.samples):
            for i in meta["inputs"]:
                x = rng.standard_normal(i["shape"]).astype(i["dtype"])
                if len(meta["inputs"]) == 1:  # one file per sample
                    np.save(os.path.join(a.calibration, f"{s:03d}.npy"), x)
                    continue
                d = os.path.join(a.calibration, f"{s:03d}")
                os.makedirs(d, exist_ok=True)
                np.save(os.path.join(d, i["name"] + ".npy"), x)

    os.makedirs(a.work, exist_ok=True)
    src = os.path.join(a.work, "ref.c")
    run([a.whittle, a.model, "-o", src, "--name=ref"] + a.whittle_args)
    exe = os.path.join(a.work, "ref")
    run(["gcc", "-std=c99", "-O1", "-I", a.work, '-DWHITTLE_HEADER="ref.h"',
         "-DWHITTLE_NAME=ref", "-DWHITTLE_UPPER=REF", HARNESS, src, "-o", exe])

    os.makedirs(a.out, exist_ok=True)
    ins = []
    for i in range(len(meta["inputs"])):
        name = f"input_{i}.bin"
        shutil.copyfile(os.path.join(a.ref_dir, name), os.path.join(a.out, name))
        ins.append(os.path.join(a.out, name))
    outs = [os.path.join(a.out, f"output_{i}.bin") for i in range(len(meta["outputs"]))]
    run([exe] + ins + ["--"] + outs)
    with open(os.path.join(a.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"wrote {len(outs)} outputs of {os.path.basename(a.model)} to {a.out}")


if __name__ == "__main__":
    main()
