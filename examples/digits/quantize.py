#!/usr/bin/python3
"""int8 quantization of the digits CNN, side by side.

Held-out accuracy (all 360 images, each run through a compiled x86-64 object
and the host harness) of:

  float            whittle, float
  whittle int8     whittle --quantize=int8, calibrated on calibration/
  pytorch int8     PyTorch post-training static quantization (FX graph mode,
                   oneDNN backend, the same 100 calibration images), run by
                   PyTorch itself
  decomposed+int8  --decompose-conv=auto --decompose-error=0.15, then int8

plus the weight bytes of the float and int8 builds (--report). Then the
pre-quantized forms: from PyTorch's int8 parameters (per-channel int8
weights, int32 biases, per-tensor activation scales and zero points) the
script writes a QDQ model (QuantizeLinear/DequantizeLinear around float
ops) and a QOperator model (QLinearConv, QLinearMatMul) with python3-onnx;
whittle compiles each, and its predictions must equal ONNX Runtime's on
every held-out image.

Prints PASS when int8 is within --max-drop percentage points of float, not
below PyTorch int8, the weights are at most --max-weight-ratio of float's,
and both pre-quantized models agree with ONNX Runtime.

  quantize.py --whittle build/tools/whittle/whittle --work /tmp/q \\
      --node-path build/npm/node_modules
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
# Debian's PyTorch has the oneDNN and QNNPACK engines (not fbgemm/x86);
# oneDNN's default configuration is the x86 one: per-channel int8 weights,
# uint8 activations with histogram calibration.
ENGINE = "onednn"
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, HERE)
from evaluate import compile_and_run  # noqa: E402


def load_torch_model():
    """The float DigitsCNN with the ONNX model's weights."""
    import onnx
    import torch
    from onnx import numpy_helper
    from train_digits_cnn import DigitsCNN

    model = DigitsCNN()
    onnx_model = onnx.load(os.path.join(HERE, "digits_cnn.onnx"))
    state = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
             for i in onnx_model.graph.initializer}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), \
        (missing, unexpected)
    return model.eval()


def pytorch_ptq(calib):
    """PyTorch's own post-training static quantization (FX graph mode)."""
    import torch
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

    torch.manual_seed(0)
    torch.backends.quantized.engine = ENGINE
    model = load_torch_model()
    example = (torch.from_numpy(calib[:1]),)
    prepared = prepare_fx(model, get_default_qconfig_mapping(ENGINE), example)
    with torch.no_grad():
        for x in calib:
            prepared(torch.from_numpy(x[None]))
    return convert_fx(prepared)


def int8_params(qmodel):
    """PyTorch's int8 parameters as signed int8 (quint8 activations shift
    their zero point by -128, which changes no real value)."""
    import torch
    mods = dict(qmodel.named_modules())
    layers = []
    for name in ["features.0", "features.3", "features.7", "classifier.1"]:
        m = mods[name]
        w = m.weight()
        layers.append({
            "name": name,
            "w": w.int_repr().numpy().astype(np.int8),
            "w_scale": (w.q_per_channel_scales().numpy() if w.qscheme() == torch.per_channel_affine
                        else np.full(w.shape[0], w.q_scale())).astype(np.float32),
            "b": m.bias().detach().numpy().astype(np.float32),
            "y_scale": np.float32(m.scale),
            "y_zp": np.int8(int(m.zero_point) - 128),
        })
    def param(attr, zp=False):
        v = getattr(qmodel, attr)
        return np.int8(int(v) - 128) if zp else np.float32(float(v))
    # PyTorch quantizes the input, and the classifier's input again after its
    # float Flatten.
    return (param("features_0_input_scale_0"), param("features_0_input_zero_point_0", True),
            layers, param("classifier_0_scale_0"), param("classifier_0_zero_point_0", True))


def make_prequantized(path_qdq, path_qdq_u8, path_qop, in_scale, in_zp, layers, cls_scale, cls_zp,
                      calib):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def const(name, arr):
        return numpy_helper.from_array(np.asarray(arr), name)

    inits = [const("in_scale", in_scale), const("in_zp", in_zp),
             const("cls_s", cls_scale), const("cls_z", cls_zp)]
    for i, l in enumerate(layers):
        x_scale = in_scale if i == 0 else cls_scale if i == 3 else layers[i - 1]["y_scale"]
        inits += [
            const(f"w{i}", l["w"]), const(f"ws{i}", l["w_scale"]),
            const(f"wz{i}", np.zeros(len(l["w_scale"]), np.int8)),
            const(f"b{i}", np.round(l["b"] / (x_scale * l["w_scale"])).astype(np.int32)),
            const(f"bs{i}", (x_scale * l["w_scale"]).astype(np.float32)),
            const(f"ys{i}", l["y_scale"]), const(f"yz{i}", l["y_zp"]),
        ]
    shape_flat = const("flat", np.array([1, layers[3]["w"].shape[1]], np.int64))
    conv_attrs = {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}
    inp = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 8, 8])
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])

    # QDQ: every float op between DequantizeLinear and QuantizeLinear.
    n = []
    n.append(helper.make_node("QuantizeLinear", ["image", "in_scale", "in_zp"], ["q0"]))
    act, act_s, act_z = "q0", "in_scale", "in_zp"
    for i in range(3):
        n.append(helper.make_node("DequantizeLinear", [act, act_s, act_z], [f"x{i}"]))
        n.append(helper.make_node("DequantizeLinear", [f"w{i}", f"ws{i}", f"wz{i}"], [f"wf{i}"], axis=0))
        n.append(helper.make_node("DequantizeLinear", [f"b{i}", f"bs{i}"], [f"bf{i}"], axis=0))
        n.append(helper.make_node("Conv", [f"x{i}", f"wf{i}", f"bf{i}"], [f"c{i}"], **conv_attrs))
        n.append(helper.make_node("Relu", [f"c{i}"], [f"r{i}"]))
        n.append(helper.make_node("QuantizeLinear", [f"r{i}", f"ys{i}", f"yz{i}"], [f"q{i + 1}"]))
        act, act_s, act_z = f"q{i + 1}", f"ys{i}", f"yz{i}"
        if i == 1:
            n.append(helper.make_node("DequantizeLinear", [act, act_s, act_z], ["pd"]))
            n.append(helper.make_node("MaxPool", ["pd"], ["pf"], kernel_shape=[2, 2], strides=[2, 2]))
            n.append(helper.make_node("QuantizeLinear", ["pf", act_s, act_z], ["pq"]))
            act = "pq"
    n.append(helper.make_node("DequantizeLinear", [act, act_s, act_z], ["fd"]))
    n.append(helper.make_node("Reshape", ["fd", "flat"], ["ff"]))
    n.append(helper.make_node("QuantizeLinear", ["ff", "cls_s", "cls_z"], ["fq"]))
    n.append(helper.make_node("DequantizeLinear", ["fq", "cls_s", "cls_z"], ["fx"]))
    n.append(helper.make_node("DequantizeLinear", ["w3", "ws3", "wz3"], ["wf3"], axis=0))
    n.append(helper.make_node("DequantizeLinear", ["b3", "bs3"], ["bf3"], axis=0))
    n.append(helper.make_node("Gemm", ["fx", "wf3", "bf3"], ["g"], transB=1))
    n.append(helper.make_node("QuantizeLinear", ["g", "ys3", "yz3"], ["gq"]))
    n.append(helper.make_node("DequantizeLinear", ["gq", "ys3", "yz3"], ["logits"]))
    g = helper.make_graph(n, "digits_qdq", [inp], [out], inits + [shape_flat])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    onnx.save(m, path_qdq)
    # The same with uint8 activations (PyTorch's own quint8 zero points), as
    # ONNX Runtime's quantizer writes them.
    for init in m.graph.initializer:
        if init.name in ["in_zp", "cls_z"] + [f"yz{i}" for i in range(len(layers))]:
            z = int(numpy_helper.to_array(init)) + 128
            init.CopyFrom(numpy_helper.from_array(np.array(z, np.uint8), init.name))
    m.graph.name = "digits_qdq_uint8"
    onnx.checker.check_model(m)
    onnx.save(m, path_qdq_u8)

    # QOperator: QLinearConv, int8 MaxPool, QLinearMatMul (per-column
    # weight scales) whose output range comes from the calibration images,
    # then the float bias.
    n = []
    n.append(helper.make_node("QuantizeLinear", ["image", "in_scale", "in_zp"], ["q0"]))
    act, act_s, act_z = "q0", "in_scale", "in_zp"
    for i in range(3):
        n.append(helper.make_node(
            "QLinearConv", [act, act_s, act_z, f"w{i}", f"ws{i}", f"wz{i}", f"ys{i}", f"yz{i}", f"b{i}"],
            [f"q{i + 1}"], **conv_attrs))
        act, act_s, act_z = f"q{i + 1}", f"ys{i}", f"yz{i}"
        if i == 1:
            n.append(helper.make_node("MaxPool", [act], ["pq"], kernel_shape=[2, 2], strides=[2, 2]))
            act = "pq"
    n.append(helper.make_node("Reshape", [act, "flat"], ["fq"]))
    l = layers[3]
    feats = torch_features(calib)
    mm = feats @ (l["w"].astype(np.float32) * l["w_scale"][:, None]).T
    lo, hi = min(float(mm.min()), 0.0), max(float(mm.max()), 0.0)
    mm_scale = np.float32((hi - lo) / 255)
    mm_zp = np.int8(np.clip(np.round(-128 - lo / mm_scale), -128, 127))
    inits += [const("wt3", np.ascontiguousarray(l["w"].T)), const("mm_s", mm_scale),
              const("mm_z", mm_zp), const("bias3", l["b"])]
    n.append(helper.make_node(
        "QLinearMatMul", ["fq", act_s, act_z, "wt3", "ws3", "wz3", "mm_s", "mm_z"], ["mq"]))
    n.append(helper.make_node("DequantizeLinear", ["mq", "mm_s", "mm_z"], ["mf"]))
    n.append(helper.make_node("Add", ["mf", "bias3"], ["logits"]))
    g = helper.make_graph(n, "digits_qoperator", [inp], [out], inits + [shape_flat])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    onnx.save(m, path_qop)


def torch_features(calib):
    """The float model's classifier inputs on the calibration images."""
    import torch
    model = load_torch_model()
    with torch.no_grad():
        return model.features(torch.from_numpy(calib)).flatten(1).numpy()


def int8_io(a, x, q_flags, q_logits):
    import re
    name = "digits_io8"
    obj = os.path.join(a.work, name + ".o")
    subprocess.run([a.whittle, os.path.join(HERE, "digits_cnn.onnx"), "-o", obj, "--io=int8"] + q_flags,
                   check=True)
    header = open(os.path.join(a.work, name + ".h")).read()
    param = lambda key: float(re.search(rf"#define DIGITS_IO8_{key} (\S+?)f?\n", header).group(1))  # noqa: E731
    s_in, z_in = param("INPUT_0_SCALE"), param("INPUT_0_ZERO_POINT")
    s_out, z_out = param("OUTPUT_0_SCALE"), param("OUTPUT_0_ZERO_POINT")
    q = np.clip(np.rint(x / np.float32(s_in)) + z_in, -128, 127).astype(np.int8)
    exe = os.path.join(a.work, name)
    subprocess.run([a.cc, "-std=c99", "-O1", "-I", a.work, f'-DWHITTLE_HEADER="{name}.h"',
                    f"-DWHITTLE_NAME={name}", f"-DWHITTLE_UPPER={name.upper()}",
                    os.path.join(ROOT, "runtime", "harness", "whittle_harness.c"), obj, "-o", exe],
                   check=True)
    inp, out = os.path.join(a.work, "images-int8.bin"), os.path.join(a.work, "logits-int8.bin")
    q.tofile(inp)
    subprocess.run([exe, inp, "--", out], check=True)
    logits = (np.fromfile(out, dtype=np.int8).astype(np.float32) - z_out) * s_out
    return int((logits.reshape(len(x), 10).argmax(1) == q_logits.argmax(1)).sum())


def weight_bytes(report):
    with open(report) as f:
        return json.load(f)["model"]["weight_bytes"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--whittle", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cc", default="gcc")
    ap.add_argument("--node-path", required=True, help="node_modules holding onnxruntime-node")
    ap.add_argument("--max-drop", type=float, default=0.5, help="percentage points")
    ap.add_argument("--max-weight-ratio", type=float, default=0.27)
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    x = np.load(os.path.join(HERE, "heldout_x.npy")).astype(np.float32)
    y = np.load(os.path.join(HERE, "heldout_y.npy"))
    calib_dir = os.path.join(HERE, "calibration")
    calib = np.concatenate([np.load(os.path.join(calib_dir, f))
                            for f in sorted(os.listdir(calib_dir))]).astype(np.float32)
    model = os.path.join(HERE, "digits_cnn.onnx")
    acc = lambda logits: float((logits.argmax(1) == y).mean() * 100)  # noqa: E731

    def build(name, flags, model_path=model):
        report = os.path.join(a.work, name + ".json")
        logits = compile_and_run(a.whittle, a.cc, a.work, name, flags + ["--report=" + report], x,
                                 model_path)
        return logits, report

    f_logits, f_report = build("digits_float", [])
    q_flags = ["--quantize=int8", "--calibration=" + calib_dir]
    q_logits, q_report = build("digits_int8", q_flags)
    d_logits, _ = build("digits_dec_int8", ["--decompose-conv=auto", "--decompose-error=0.15"] + q_flags)
    subprocess.run([a.whittle, model, "-o", os.path.join(a.work, "report.o"),
                    "--report=" + os.path.join(a.work, "int8-report.md")] + q_flags, check=True)

    import torch
    qmodel = pytorch_ptq(calib)
    with torch.no_grad():
        t_logits = qmodel(torch.from_numpy(x)).numpy()

    fb, qb = weight_bytes(f_report), weight_bytes(q_report)
    rows = [("float (whittle)", acc(f_logits), fb), ("whittle int8", acc(q_logits), qb),
            ("pytorch int8 (FX, oneDNN)", acc(t_logits), None),
            ("decomposed + int8 (whittle)", acc(d_logits), None)]
    print(f"held-out images: {len(x)}")
    print("| build | accuracy | weight bytes |")
    print("|---|---:|---:|")
    for name, v, wb in rows:
        print(f"| {name} | {v:.2f}% | {wb if wb is not None else ''} |")
    ratio = qb / fb
    drop = acc(f_logits) - acc(q_logits)
    print(f"int8 drop: {drop:.2f} points; weights {ratio:.3f}x float")

    # Pre-quantized models from PyTorch's parameters: whittle vs ONNX Runtime.
    in_scale, in_zp, layers, cls_scale, cls_zp = int8_params(qmodel)
    paths = {k: os.path.join(a.work, f"digits_{k}.onnx") for k in ("qdq", "qdq_uint8", "qoperator")}
    make_prequantized(paths["qdq"], paths["qdq_uint8"], paths["qoperator"], in_scale, in_zp, layers,
                      cls_scale, cls_zp, calib)
    images = os.path.join(a.work, "images.bin")
    x.tofile(images)
    agree = {}
    for k, path in paths.items():
        w_logits, _ = build(f"digits_{k}", [], path)
        ort_out = os.path.join(a.work, f"ort-{k}.bin")
        # ORT's own graph rewrites are off: its fused u8 x s8 kernels on x86
        # without VNNI (vpmaddubsw) saturate pair sums at int16, so their
        # predictions change with the CPU; unfused, ORT computes what the
        # ONNX spec defines, on every machine.
        subprocess.run(["node", os.path.join(ROOT, "scripts", "ort-run.js"), path, images, ort_out,
                        "disabled"],
                       check=True, env=dict(os.environ, NODE_PATH=a.node_path))
        o_logits = np.fromfile(ort_out, dtype=np.float32).reshape(len(x), 10)
        same = int((w_logits.argmax(1) == o_logits.argmax(1)).sum())
        agree[k] = same
        print(f"{k}: whittle {acc(w_logits):.2f}%, onnxruntime {acc(o_logits):.2f}%, "
              f"same prediction on {same}/{len(x)}, max |logit diff| "
              f"{np.abs(w_logits - o_logits).max():.4f}")

    # --io=int8: the caller quantizes the images and dequantizes the logits
    # with the header's parameters; predictions equal the float-I/O build's.
    io_same = int8_io(a, x, q_flags, q_logits)
    print(f"int8 I/O: same prediction as float I/O on {io_same}/{len(x)}")

    ok = (drop <= a.max_drop and acc(q_logits) >= acc(t_logits) and ratio <= a.max_weight_ratio
          and all(v == len(x) for v in agree.values()) and io_same == len(x))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
