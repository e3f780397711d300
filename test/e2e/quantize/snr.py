#!/usr/bin/python3
"""Output SNR of a whittle int8 build against its float build.

Compiles MODEL twice to host objects (float, and --quantize=int8 with the
calibration samples this script writes), runs the held-out samples through
both with the host harness, and prints per output
SNR = 10 log10(sum ref^2 / sum (int8 - ref)^2) in dB, the weight bytes of
both builds, then PASS if every output reaches --min-snr.

Inputs (single-input float models):
  --images   crops of python3-skimage's colour sample images, scaled to
             [-1, 1]; calibration and held-out crops come from disjoint
             images (NHWC or NCHW, from the model's input shape)
  --random   seeded standard-normal tensors

  snr.py --whittle whittle --model m.onnx --work DIR --images [--min-snr 20]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HARNESS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                       "runtime", "harness", "whittle_harness.c")

# Colour images bundled with python3-skimage (no download).
CALIBRATION_IMAGES = ["astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry",
                      "hubble_deep_field"]
HELD_OUT_IMAGES = ["cat", "colorwheel", "retina"]


def input_shape(model):
    import onnx
    m = onnx.load(model)
    inits = {i.name for i in m.graph.initializer}
    ins = [i for i in m.graph.input if i.name not in inits]
    if len(ins) != 1:
        sys.exit(f"{model}: expected one input, found {len(ins)}")
    return [d.dim_value for d in ins[0].type.tensor_type.shape.dim]


def crops(names, shape, per_image, rng):
    """Random square crops resized to the model's spatial size, [-1, 1]."""
    import skimage.data
    from skimage.transform import resize
    nhwc = shape[-1] == 3
    h, w = (shape[1], shape[2]) if nhwc else (shape[2], shape[3])
    out = []
    for name in names:
        img = getattr(skimage.data, name)().astype(np.float32)
        img = img[..., :3] / (255.0 if img.max() > 1 else 1.0)
        for _ in range(per_image):
            side = int(min(img.shape[:2]) * rng.uniform(0.4, 1.0))
            y = rng.integers(0, img.shape[0] - side + 1)
            x = rng.integers(0, img.shape[1] - side + 1)
            c = resize(img[y:y + side, x:x + side], (h, w), anti_aliasing=True)
            c = c * 2 - 1
            out.append(c if nhwc else c.transpose(2, 0, 1))
    return np.stack(out).astype(np.float32)


def build_and_run(whittle, cc, work, name, model, flags, samples, emit="o"):
    obj = os.path.join(work, f"{name}.{emit}")
    report = os.path.join(work, name + ".json")
    subprocess.run([whittle, model, "-o", obj, "--report=" + report] + flags, check=True)
    exe = os.path.join(work, name)
    # Generated C must build warning-free.
    warn = ["-Wall", "-Wextra", "-pedantic", "-Werror"] if emit == "c" else []
    subprocess.run([cc, "-std=c99", "-O1"] + warn + ["-I", work, f'-DWHITTLE_HEADER="{name}.h"',
                    f"-DWHITTLE_NAME={name}", f"-DWHITTLE_UPPER={name.upper()}", HARNESS, obj, "-o",
                    exe], check=True)
    header = open(os.path.join(work, name + ".h")).read()
    import re
    n_out = int(re.search(r"_NUM_OUTPUTS (\d+)", header).group(1))
    inp = os.path.join(work, "samples.bin")
    samples.tofile(inp)
    outs = [os.path.join(work, f"{name}-out{i}.bin") for i in range(max(n_out, 1))]
    subprocess.run([exe, inp, "--"] + outs, check=True)
    with open(report) as f:
        rep = json.load(f)
    return [np.fromfile(o, dtype=np.float32) for o in outs], rep


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--whittle", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cc", default="gcc")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--images", action="store_true")
    src.add_argument("--random", action="store_true")
    ap.add_argument("--calibration-samples", type=int, default=24)
    ap.add_argument("--held-out-samples", type=int, default=12)
    ap.add_argument("--min-snr", type=float, default=None)
    ap.add_argument("--check-c", action="store_true",
                    help="also build the quantized model as C; its outputs must equal the object's")
    ap.add_argument("flags", nargs="*", help="extra whittle flags for the int8 build (after --)")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    shape = input_shape(a.model)
    rng = np.random.default_rng(20261124)
    if a.images:
        calib = crops(CALIBRATION_IMAGES, shape, -(-a.calibration_samples // len(CALIBRATION_IMAGES)), rng)
        held = crops(HELD_OUT_IMAGES, shape, -(-a.held_out_samples // len(HELD_OUT_IMAGES)), rng)
    else:
        calib = rng.standard_normal((a.calibration_samples, *shape[1:])).astype(np.float32)
        held = rng.standard_normal((a.held_out_samples, *shape[1:])).astype(np.float32)
    cdir = os.path.join(a.work, "calibration")
    os.makedirs(cdir, exist_ok=True)
    for i, c in enumerate(calib):
        np.save(os.path.join(cdir, f"{i:03d}.npy"), c[None])

    ref, frep = build_and_run(a.whittle, a.cc, a.work, "float_build", a.model, [], held)
    got, qrep = build_and_run(a.whittle, a.cc, a.work, "int8_build", a.model,
                              ["--quantize=int8", "--calibration=" + cdir] + a.flags, held)
    q = qrep["quantization"]
    count = {p: sum(1 for l in q["layers"] if l["precision"] == p)
             for p in ("int8", "int16", "float")}
    print(f"model: {os.path.basename(a.model)}; calibration samples: {len(calib)}, "
          f"held-out samples: {len(held)}")
    print(f"layers int8: {count['int8']} of {len(q['layers'])}; int16 activations: "
          f"{count['int16']}; float: {count['float']}")
    print(f"weight bytes: float {frep['model']['weight_bytes']}, int8 {qrep['model']['weight_bytes']} "
          f"({qrep['model']['weight_bytes'] / frep['model']['weight_bytes']:.3f}x)")
    ok = True
    names = [o["name"] for o in q["outputs"]]
    for i, (r, g) in enumerate(zip(ref, got)):
        noise = float(((g.astype(np.float64) - r) ** 2).sum())
        snr = 10 * np.log10(float((r.astype(np.float64) ** 2).sum()) / noise) if noise > 0 else float("inf")
        name = names[i] if i < len(names) else f"output {i}"
        print(f"output {name}: held-out SNR {snr:.1f} dB")
        if a.min_snr is not None and not snr >= a.min_snr:
            ok = False
    if a.check_c:
        got_c, _ = build_and_run(a.whittle, a.cc, a.work, "int8_c", a.model,
                                 ["--quantize=int8", "--calibration=" + cdir] + a.flags, held,
                                 emit="c")
        same = all(np.array_equal(x, y) for x, y in zip(got, got_c))
        print(f"C path: outputs {'equal' if same else 'DIFFER from'} the object's")
        ok = ok and same
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
