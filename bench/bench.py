#!/usr/bin/python3
"""Latency, FLOP rate, memory and compile time of whittle against ONNX Runtime.

For each model, in one run on this machine:
  - whittle compiles it to an object (--target=native, -O2; compile time is
    the median wall time of --compiles runs of that command, so that the
    first run's loading of LLVM's libraries from disk does not count) and
    bench_harness.c times it;
  - ONNX Runtime (onnxruntime-node, one intra-op and one inter-op thread,
    graph optimization 'all') times it on the same input (bench/ort-bench.js);
  - the two alternate for --rounds rounds of --runs calls each; each side's
    result is the median of its per-round medians.
It prints per model both medians, the ratio whittle/ORT, the achieved
GFLOP/s (2 x the multiply-accumulates of Conv, ConvTranspose, Gemm and
MatMul) and its fraction of this core's FMA peak (bench/peak_fma.c, measured
in the same run), the arena against its liveness lower bound for the chosen
execution order, ONNX Runtime's resident-set growth (an estimate of its
working memory), and compile time; then the geometric mean of the ratios.
With --int8 the models that have calibration data are also built with
--quantize=int8 and timed against whittle's own float build, and the core's
rate of exact int8 multiply-accumulates (bench/peak_int8.c) is printed
against its FMA rate: the bound on int8's speed-up where multiply-adds
dominate.

Ratios, not absolute times, are the result: machines are shared and noisy.

  bench/bench.py [--models a,b,...] [--rounds 5] [--runs 20] [--int8]
                 [--compiles 3] [--work DIR]        (after scripts/build.sh,
                                      scripts/fetch-models.sh build/models)
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WHITTLE = os.path.join(ROOT, "build", "tools", "whittle", "whittle")
NODE_PATH = os.path.join(ROOT, "build", "npm", "node_modules")
ZOO = ["mobilenet_v2", "mobilenet_v3_small", "resnet18", "squeezenet1_1",
       "shufflenet_v2_x0_5", "efficientnet_b0"]
MODELS = ["blazeface_front", "blazeface_back", "hello_deepa"] + ZOO + ["digits_cnn"]
# Models quantized with --int8: calibration from skimage crops (BlazeFace),
# the digits set, or standard-normal inputs.
INT8 = ["mobilenet_v2", "blazeface_front", "digits_cnn"]


def model_path(name, work):
    if name == "digits_cnn":
        return os.path.join(ROOT, "examples", "digits", "digits_cnn.onnx")
    if name in ZOO:
        path = os.path.join(work, "zoo", name + ".onnx")
        if not os.path.exists(path):
            subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts", "make-zoo.py"),
                            os.path.join(work, "zoo"), name], check=True,
                           stdout=subprocess.DEVNULL)
        return path
    path = os.path.join(ROOT, "build", "models", name + ".onnx")
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: run scripts/fetch-models.sh build/models")
    return path


def flops(path):
    """2 x multiply-accumulates of the model's Conv/ConvTranspose/Gemm/MatMul."""
    import onnx
    from onnx import shape_inference
    m = shape_inference.infer_shapes(onnx.load(path))
    g = m.graph
    shapes = {}
    for vi in list(g.value_info) + list(g.input) + list(g.output):
        shapes[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    for t in g.initializer:
        shapes[t.name] = list(t.dims)
    total = 0
    for n in g.node:
        ins = [shapes.get(i) for i in n.input]
        out = shapes.get(n.output[0]) if n.output else None
        if not out or any(d <= 0 for d in out):
            continue
        prod = math.prod
        if n.op_type in ("Conv", "ConvTranspose") and ins[1]:
            w = ins[1]
            if n.op_type == "Conv":
                total += prod(out) * prod(w[1:])
            else:  # each input element meets a [M/g, k...] filter slice
                total += prod(ins[0]) * prod(w[1:])
        elif n.op_type == "Gemm" and ins[0]:
            trans_a = any(a.name == "transA" and a.i for a in n.attribute)
            total += prod(out) * (ins[0][0] if trans_a else ins[0][1])
        elif n.op_type == "MatMul" and ins[0]:
            total += prod(out) * ins[0][-1]
    return 2 * total


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def build(path, name, work, flags, compiles):
    obj = os.path.join(work, name + ".o")
    report = os.path.join(work, name + ".json")
    times = []
    for _ in range(compiles):
        t0 = time.monotonic()
        sh([WHITTLE, path, "-o", obj, "--target=native", "-O2", "--report=" + report] + flags)
        times.append(time.monotonic() - t0)
    compile_s = median(times)
    exe = os.path.join(work, name)
    sh(["cc", "-std=c99", "-O2", "-I", work, f'-DWHITTLE_HEADER="{name}.h"',
        f"-DWHITTLE_NAME={name}", f"-DWHITTLE_UPPER={name.upper()}",
        os.path.join(ROOT, "bench", "bench_harness.c"), obj, "-o", exe])
    with open(report) as f:
        model = json.load(f)["model"]
    return exe, compile_s, model


def time_whittle(exe, runs):
    out = sh([exe, str(runs)]).split()
    return float(out[out.index("median_us") + 1])


class Ort:
    def __init__(self, path):
        env = dict(os.environ, NODE_PATH=NODE_PATH)
        self.p = subprocess.Popen(["node", os.path.join(ROOT, "bench", "ort-bench.js"), path],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  env=env)
        first = self.p.stdout.readline().split()
        if len(first) != 2:
            raise RuntimeError(f"ONNX Runtime failed on {path}")
        self.rss = int(first[1])

    def time(self, runs):
        self.p.stdin.write(f"{runs}\n")
        self.p.stdin.flush()
        out = self.p.stdout.readline().split()
        return float(out[1])

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def median(v):
    v = sorted(v)
    return v[len(v) // 2]


def calibration(name, path, work):
    """A calibration directory for --int8 builds."""
    if name == "digits_cnn":
        return os.path.join(ROOT, "examples", "digits", "calibration")
    import numpy as np
    import onnx
    d = os.path.join(work, "cal-" + name)
    if os.path.isdir(d):
        return d
    os.makedirs(d)
    m = onnx.load(path)
    inits = {i.name for i in m.graph.initializer}
    inp = [i for i in m.graph.input if i.name not in inits][0]
    shape = [x.dim_value for x in inp.type.tensor_type.shape.dim]
    rng = np.random.default_rng(20261124)
    for i in range(8):
        x = rng.standard_normal(shape).astype(np.float32)
        if name.startswith("blazeface"):
            x = np.clip(x * 0.5, -1, 1)
        np.save(os.path.join(d, f"{i:03d}.npy"), x)
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--int8", action="store_true")
    ap.add_argument("--compiles", type=int, default=3,
                    help="compile time is the median of this many compiles")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)

    peak_exe = os.path.join(a.work, "peak_fma")
    sh(["cc", "-O2", "-march=native", "-ffp-contract=fast",
        os.path.join(ROOT, "bench", "peak_fma.c"), "-o", peak_exe])
    peak = float(sh([peak_exe]).split()[1])
    print(f"single-core FMA peak: {peak:.1f} GFLOP/s")
    if a.int8:
        # The exact int8 multiply-accumulate whittle uses on this core
        # (vpdpbusd with VNNI, else vpmaddwd + vpaddd): its rate over float's
        # FMA rate bounds how much faster int8 can be where multiply-adds
        # dominate.
        int8_exe = os.path.join(a.work, "peak_int8")
        sh(["cc", "-O2", "-march=native", os.path.join(ROOT, "bench", "peak_int8.c"),
            "-o", int8_exe])
        out = sh([int8_exe]).split()
        gmacs = float(out[1])
        if gmacs > 0:
            print(f"single-core int8 multiply-accumulate peak ({out[3]}): {gmacs:.1f} GMAC/s, "
                  f"{gmacs / (peak / 2):.2f}x float's FMA rate: int8 code bound by "
                  f"multiply-adds takes at least {peak / 2 / gmacs:.2f} of float's time")
    print()
    cols = ("model", "whittle us", "ORT us", "ratio", "GFLOP/s", "% peak", "arena B",
            "lower bound", "arena/lb", "ORT rss B", "compile s")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    ratios, int8_rows = [], []
    for name in a.models.split(","):
        path = model_path(name, a.work)
        exe, compile_s, model = build(path, name, a.work, [], a.compiles)
        ort = Ort(path)
        w, o = [], []
        for _ in range(a.rounds):
            w.append(time_whittle(exe, a.runs))
            o.append(ort.time(a.runs))
        ort.close()
        wm, om = median(w), median(o)
        ratios.append(wm / om)
        f = flops(path)
        gf = f / (wm * 1e3)
        arena = model["arena_bytes"]
        lb = model.get("arena_lower_bound", 0)
        print(f"| {name} | {wm:.0f} | {om:.0f} | {wm / om:.2f} | {gf:.1f} | {100 * gf / peak:.0f}% | "
              f"{arena} | {lb} | {arena / lb if lb else float('nan'):.3f} | {ort.rss} | "
              f"{compile_s:.2f} |", flush=True)
        if a.int8 and name in INT8:
            cal = calibration(name, path, a.work)
            qexe, qcompile, _ = build(path, name + "_int8", a.work,
                                      ["--quantize=int8", "--calibration=" + cal],
                                      a.compiles)
            fw, qw = [], []
            for _ in range(a.rounds):
                fw.append(time_whittle(exe, a.runs))
                qw.append(time_whittle(qexe, a.runs))
            int8_rows.append((name, median(fw), median(qw), qcompile))
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print()
    print(f"geometric mean whittle/ORT: {geo:.2f} over {len(ratios)} models "
          f"(worst {max(ratios):.2f})")
    if int8_rows:
        print()
        print("| model | float us | int8 us | int8/float | int8 compile s |")
        print("|---|---|---|---|---|")
        for name, fm, qm, qc in int8_rows:
            print(f"| {name} | {fm:.0f} | {qm:.0f} | {qm / fm:.2f} | {qc:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
