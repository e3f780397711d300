#!/usr/bin/env python3
"""End-to-end check of one model: compile with whittle (object or C), verify
the output is dependency-free, link the host harness, run, and compare every
output with a reference.

References come either from a directory written by scripts/ort-reference.js
(--model M.onnx --ref-dir DIR) or from an ONNX backend test directory
(--onnx-test DIR: DIR/model.onnx and DIR/test_data_set_*/{input,output}_*.pb).
Float outputs pass with --metric=allclose if every element satisfies
|a-b| <= atol + rtol*|b| (the ONNX backend-test rule; NaN matches NaN), and
with --metric=range if max|a-b| <= rtol * max|b| (error relative to the
output's range: the right measure against another implementation whose
accumulation order differs). Integer and bool outputs must be exact."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESS = os.path.join(SRC, "runtime", "harness", "whittle_harness.c")
STRICT_C = ["-std=c99", "-ffreestanding", "-Wall", "-Wextra", "-pedantic", "-Werror"]
# --sanitize: the generated C and the harness under ASan and UBSan, any report
# fatal (clang-22's runtimes, from libclang-rt-22-dev).
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g",
            "-fno-omit-frame-pointer"]


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        sys.stderr.write("$ " + " ".join(cmd) + "\n" + p.stdout + p.stderr)
        raise SystemExit(f"FAIL: command exited with {p.returncode}")
    return p.stdout


def compile_generated_c(source, name, cc, suffix=".c.o"):
    """Compiles whittle's C output `source` with the command `cc` (a list) at
    STRICT_C; fails if it includes anything but stdint.h, stddef.h and its
    own header. Returns the object's path."""
    src = open(source).read()
    includes = re.findall(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', src, re.M)
    extra = [i for i in includes if i not in ("stdint.h", "stddef.h", name + ".h")]
    if extra:
        raise SystemExit(f"FAIL: generated C includes {extra}")
    obj = os.path.splitext(source)[0] + suffix
    run(cc + STRICT_C + ["-O2", "-c", source, "-o", obj])
    return obj


def undefined_symbols(obj):
    return run(["nm", "-u", obj]).split()


def load_ort_refs(ref_dir):
    meta = json.load(open(os.path.join(ref_dir, "meta.json")))
    inputs = [os.path.join(ref_dir, f"input_{i}.bin") for i in range(len(meta["inputs"]))]
    outputs = []
    for i, o in enumerate(meta["outputs"]):
        data = np.fromfile(os.path.join(ref_dir, f"output_{i}.bin"), dtype=np.dtype(o["dtype"]
                           if o["dtype"] != "bool" else "bool"))
        outputs.append((o["name"], data.reshape(o["shape"])))
    return [inputs], [outputs]


def string_slots(header, kind, i):
    """Bytes per string of input/output i, from NAME_{kind}_{i}_STRING_BYTES
    in the generated header (None: not a string tensor)."""
    m = re.search(rf"_{kind}_{i}_STRING_BYTES (\d+)", header)
    return int(m.group(1)) if m else None


def to_slots(arr, width, what):
    """A string array as NUL-padded fixed-width byte slots."""
    data = [s.encode() if isinstance(s, str) else bytes(s) for s in arr.ravel()]
    for s in data:
        if len(s) > width:
            raise SystemExit(f"FAIL: {what} holds a {len(s)}-byte string; "
                             f"the slots have {width} bytes (--string-bytes)")
    return np.array(data, dtype=f"S{width}").reshape(arr.shape)


def read_output(path, name, ref, header, i):
    """Output i as written by the harness, and its reference; string
    references become the header's fixed-width slots."""
    if ref.dtype == object:
        width = string_slots(header, "OUTPUT", i)
        if width is None:
            raise SystemExit(f"FAIL: output '{name}' is not a string tensor")
        ref = to_slots(ref, width, f"reference output '{name}'")
    return np.fromfile(path, dtype=ref.dtype).reshape(ref.shape), ref


def load_onnx_test(test_dir, work, header):
    from onnx import TensorProto, numpy_helper
    sets = sorted(d for d in os.listdir(test_dir) if d.startswith("test_data_set_"))
    all_inputs, all_outputs = [], []
    for s in sets:
        d = os.path.join(test_dir, s)
        def tensors(prefix):
            files = sorted((f for f in os.listdir(d) if f.startswith(prefix) and f.endswith(".pb")),
                           key=lambda f: int(re.findall(r"\d+", f)[0]))
            out = []
            for f in files:
                t = TensorProto()
                t.ParseFromString(open(os.path.join(d, f), "rb").read())
                out.append((t.name, numpy_helper.to_array(t)))
            return out
        ins = []
        for i, (name, arr) in enumerate(tensors("input_")):
            if arr.dtype == object:
                arr = to_slots(arr, string_slots(header, "INPUT", i) or 0,
                               f"input '{name}'")
            path = os.path.join(work, f"{s}_input_{i}.bin")
            np.ascontiguousarray(arr).tofile(path)
            ins.append(path)
        all_inputs.append(ins)
        all_outputs.append(tensors("output_"))
    return all_inputs, all_outputs


def pin_dynamic_inputs(model_path, test_dir):
    """--input-shape flags for the model's inputs whose declared shape is not
    static, from the first test data set (as a user pins a dynamic model)."""
    import onnx
    from onnx import TensorProto
    model = onnx.load(model_path, load_external_data=False)
    inits = {t.name for t in model.graph.initializer}
    inputs = [v for v in model.graph.input if v.name not in inits]
    d = os.path.join(test_dir, "test_data_set_0")
    flags = []
    for i, v in enumerate(inputs):
        tt = v.type.tensor_type
        if not v.type.HasField("tensor_type") or not tt.HasField("shape"):
            continue
        if all(dim.HasField("dim_value") for dim in tt.shape.dim):
            continue
        path = os.path.join(d, f"input_{i}.pb")
        if not os.path.isfile(path):
            continue
        t = TensorProto()
        t.ParseFromString(open(path, "rb").read())
        flags.append(f"--input-shape={v.name}=" + ",".join(str(x) for x in t.dims))
    return flags


def compare(name, got, ref, rtol, atol, metric):
    if ref.dtype.kind in "iubS":  # integers, bools and string slots: exact
        bad = int(np.count_nonzero(got != ref))
        print(f"  output {name}: {ref.dtype}{list(ref.shape)} mismatches={bad}")
        return bad == 0
    g = got.astype(np.float64)
    r = ref.astype(np.float64)
    # NaN matches NaN, and an infinity the same infinity.
    both_nan = np.isnan(g) & np.isnan(r)
    with np.errstate(invalid="ignore"):
        diff = np.where(both_nan | (g == r), 0.0, np.abs(g - r))
    diff = np.where(np.isnan(diff), np.inf, diff)
    max_abs = float(diff.max()) if diff.size else 0.0
    scale = np.maximum(np.abs(r), 1e-30)
    max_rel = float((diff / scale).max()) if diff.size else 0.0
    ref_max = float(np.nanmax(np.abs(r))) if r.size and not np.all(np.isnan(r)) else 0.0
    range_rel = max_abs / ref_max if ref_max > 0 else max_abs
    if metric == "range":
        ok = max_abs <= rtol * ref_max + atol
    else:
        ok = bool(np.all(diff <= atol + rtol * np.abs(np.nan_to_num(r))))
    print(f"  output {name}: {ref.dtype}{list(ref.shape)} max_abs={max_abs:.3e} "
          f"max_rel={max_rel:.3e} range_rel={range_rel:.3e} ref_max={ref_max:.3e} "
          f"{'ok' if ok else 'MISMATCH'}")
    return ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--whittle", required=True)
    ap.add_argument("--model")
    ap.add_argument("--ref-dir")
    ap.add_argument("--onnx-test")
    ap.add_argument("--emit", choices=["obj", "c"], default="obj")
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--work", required=True)
    ap.add_argument("--name", default="model")
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--atol", type=float, default=1e-5)
    ap.add_argument("--metric", choices=["allclose", "range"], default="allclose")
    ap.add_argument("--check-deterministic", action="store_true",
                    help="(the default) compile again, single-threaded, from a "
                         "copy of the model elsewhere: .o/.c and .h must be "
                         "byte-identical")
    ap.add_argument("--no-determinism-check", dest="check_deterministic_off",
                    action="store_true")
    ap.add_argument("--sanitize", action="store_true",
                    help="run the generated C (--emit c) and the harness under "
                         "ASan+UBSan, built with clang-22")
    ap.add_argument("--guard", action="store_true", default=True,
                    help="(the default) harness with guard pages, read-only "
                         "inputs and two runs on differently poisoned arenas "
                         "(WHITTLE_GUARD)")
    ap.add_argument("--no-guard", dest="guard", action="store_false")
    ap.add_argument("whittle_args", nargs="*", help="extra whittle arguments (after --)")
    a = ap.parse_args(argv)

    os.makedirs(a.work, exist_ok=True)
    if a.onnx_test:
        model = os.path.join(a.onnx_test, "model.onnx")
        a.whittle_args = pin_dynamic_inputs(model, a.onnx_test) + a.whittle_args
    else:
        model = a.model
        inputs, refs = load_ort_refs(a.ref_dir)

    ext = ".o" if a.emit == "obj" else ".c"
    out = os.path.join(a.work, a.name + ext)
    cmd = [a.whittle, model, "-o", out, f"--name={a.name}"] + a.whittle_args
    run(cmd)
    header = os.path.join(a.work, a.name + ".h")
    if not os.path.isfile(header):
        raise SystemExit(f"FAIL: {header} was not written")
    header_text = open(header).read()
    if a.onnx_test:
        inputs, refs = load_onnx_test(a.onnx_test, a.work, header_text)
    if not a.check_deterministic_off:
        # Same flags, another directory, no threads: same bytes.
        other = os.path.join(a.work, "determinism")
        os.makedirs(other, exist_ok=True)
        copy = os.path.join(other, os.path.basename(model))
        shutil.copyfile(model, copy)
        for f in os.listdir(os.path.dirname(os.path.abspath(model))):
            if f.endswith((".bin", ".data")):  # external data beside it
                shutil.copyfile(os.path.join(os.path.dirname(os.path.abspath(model)), f),
                                os.path.join(other, f))
        out2 = os.path.join(other, a.name + ext)
        run([a.whittle, copy, "-o", out2, f"--name={a.name}",
             "--mlir-disable-threading"] + a.whittle_args)
        for mine, theirs in ((out, out2), (header, os.path.join(other, a.name + ".h"))):
            if open(mine, "rb").read() != open(theirs, "rb").read():
                raise SystemExit(f"FAIL: {os.path.basename(mine)} differs between "
                                 "two compilations (threads, directory)")
        print("  deterministic: yes")

    if a.emit == "c":
        obj = compile_generated_c(out, a.name, [a.cc])
    else:
        obj = out
    undef = undefined_symbols(obj)
    if undef:
        raise SystemExit(f"FAIL: undefined symbols in {obj}: {undef}")
    print(f"  undefined symbols: none; object bytes: {os.path.getsize(obj)}")
    arena = re.search(r"_ARENA_SIZE\s+(\d+)", open(header).read()).group(1)
    print(f"  arena bytes: {arena}")

    harness = os.path.join(a.work, "harness")
    cc = [a.cc]
    if a.sanitize:
        if a.emit != "c":
            raise SystemExit("FAIL: --sanitize instruments generated C: use --emit c")
        cc = ["clang-22"] + SANITIZE
        obj = compile_generated_c(out, a.name, cc, suffix=".san.o")
    run(cc + ["-std=c99", "-O1", "-Wall", "-Wextra", "-pedantic", "-Werror", "-I", a.work,
              f'-DWHITTLE_HEADER="{a.name}.h"', f"-DWHITTLE_NAME={a.name}",
              f"-DWHITTLE_UPPER={a.name.upper()}"] +
        (["-DWHITTLE_GUARD"] if a.guard else []) + [HARNESS, obj, "-o", harness])

    ok = True
    for k, (ins, outs) in enumerate(zip(inputs, refs)):
        paths = [os.path.join(a.work, f"got_{k}_{i}.bin") for i in range(len(outs))]
        run([harness] + ins + ["--"] + paths)
        for i, ((name, ref), path) in enumerate(zip(outs, paths)):
            got, ref = read_output(path, name, ref, header_text, i)
            ok &= compare(name, got, ref, a.rtol, a.atol, a.metric)
    mode = " ".join(["ASan+UBSan"] * a.sanitize + ["guarded"] * a.guard)
    print(("PASS" if ok else "FAIL") +
          f": {os.path.basename(model)} via {a.emit} ({cc[0]}{', ' + mode if mode else ''})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
