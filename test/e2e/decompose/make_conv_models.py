#!/usr/bin/python3
"""Writes small seeded convolution models for the depthwise-separable rewrite
tests, with calibration inputs: OUT/<case>.onnx and OUT/<case>-calib/NNN.npy.

Cases cover 1-D and 2-D, stride, padding, dilation, bias and no bias, and a
chain of convolutions with ReLU in between."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

CASES = {
    # name: (input shape, [(cout, kernel, attrs, bias)])
    "conv1d_stride_pad_bias": ((1, 3, 20), [(8, (3,), dict(strides=[2], pads=[1, 1]), True)]),
    "conv2d_pad_bias": ((1, 4, 10, 10), [(16, (3, 3), dict(pads=[1, 1, 1, 1]), True)]),
    "conv2d_dilation_stride": ((1, 3, 13, 11), [(12, (3, 3), dict(dilations=[2, 2], strides=[2, 1]), False)]),
    "conv2d_5x5_same": ((1, 2, 9, 9), [(32, (5, 5), dict(auto_pad="SAME_UPPER"), True)]),
    "conv_chain": ((1, 3, 12, 12), [(16, (3, 3), dict(pads=[1, 1, 1, 1]), True),
                                    (24, (3, 3), dict(pads=[1, 1, 1, 1], strides=[2, 2]), True)]),
    # Filters of rank 2 per input channel plus 1% noise: auto mode finds r = 2.
    "conv2d_lowrank": ((1, 4, 10, 10), [(32, (3, 3), dict(pads=[1, 1, 1, 1], lowrank=2), True)]),
}


def make(name, in_shape, layers, rng):
    nodes, inits = [], []
    x = "x"
    c = in_shape[1]
    for i, (cout, kernel, attrs, bias) in enumerate(layers):
        attrs = dict(attrs)
        low = attrs.pop("lowrank", 0)
        k = int(np.prod(kernel))
        if low:
            w = np.stack([rng.standard_normal((cout, low)) @ rng.standard_normal((low, k))
                          for _ in range(c)], axis=1).reshape((cout, c) + kernel)
            w = w + 0.01 * np.abs(w).mean() * rng.standard_normal(w.shape)
        else:
            w = rng.standard_normal((cout, c) + kernel)
        w = (w / np.sqrt(c * k)).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        ins = [x, f"w{i}"]
        if bias:
            inits.append(numpy_helper.from_array(rng.standard_normal(cout).astype(np.float32) * 0.1, f"b{i}"))
            ins.append(f"b{i}")
        y = f"conv{i}_out"
        nodes.append(helper.make_node("Conv", ins, [y], name=f"conv{i}", **attrs))
        x = y
        if i + 1 < len(layers):
            nodes.append(helper.make_node("Relu", [x], [f"relu{i}"], name=f"relu{i}"))
            x = f"relu{i}"
        c = cout
    nodes.append(helper.make_node("Identity", [x], ["y"], name="out"))
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model)
    return model


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for n, (name, (shape, layers)) in enumerate(sorted(CASES.items())):
        rng = np.random.default_rng(1000 + n)
        onnx.save(make(name, shape, layers, rng), os.path.join(out, name + ".onnx"))
        calib = os.path.join(out, name + "-calib")
        os.makedirs(calib, exist_ok=True)
        for s in range(8):
            np.save(os.path.join(calib, f"{s:03d}.npy"), rng.standard_normal(shape).astype(np.float32))


if __name__ == "__main__":
    main()
