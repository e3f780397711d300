#!/usr/bin/env python3
"""Writes ONNX models whose convolutions cover the shapes of
whittle-vectorize-kernels' register tiles: channel counts below, at and
between vector widths (1, 5, 16, 33, 70 outputs), pixel counts that leave
remainders, 1x1 / 3x3 / 5x5 windows (2x2 and 4x4 depthwise), strides, dilations, padding, batch 2,
depthwise convolutions (multiplier 1 vectorized, multiplier 2 not), a
convolution with a run-time filter, and fused bias + activation epilogues.

  make_conv_models.py OUTDIR   -> OUTDIR/{regular,depthwise}.onnx
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)


def const(name, shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.3, name)


def conv(nodes, inits, x, c, f, k, out, stride=1, dil=1, pad=0, group=1, bias=True, act=None):
    w = const(out + "_w", [f, c // group, k, k])
    inits.append(w)
    ins = [x, w.name]
    if bias:
        b = const(out + "_b", [f])
        inits.append(b)
        ins.append(b.name)
    y = out if act is None else out + "_pre"
    nodes.append(helper.make_node("Conv", ins, [y], name=out, kernel_shape=[k, k],
                                  strides=[stride, stride], dilations=[dil, dil],
                                  pads=[pad] * 4, group=group))
    if act:
        nodes.append(helper.make_node(act, [y], [out], name=out + "_" + act))


def model(name, inputs, nodes, inits, outputs):
    g = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs],
        inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    m = onnx.shape_inference.infer_shapes(m)
    onnx.checker.check_model(m)
    return m


def regular():
    nodes, inits = [], []
    conv(nodes, inits, "x", 17, 70, 3, "f70_3x3", pad=1, act="Relu")
    conv(nodes, inits, "x", 17, 5, 1, "f5_1x1", bias=False)
    conv(nodes, inits, "x", 17, 33, 5, "f33_5x5_s2", stride=2, pad=2)
    conv(nodes, inits, "x", 17, 1, 3, "f1_3x3_d2", dil=2)
    conv(nodes, inits, "x", 17, 16, 3, "f16_3x3_s2", stride=2, act="Sigmoid")
    conv(nodes, inits, "b", 3, 24, 3, "batch2_f24", pad=1)
    # A filter computed at run time (not a constant) keeps the scalar loops.
    nodes.append(helper.make_node("Conv", ["x", "wx"], ["runtime_filter"],
                                  name="runtime_filter", kernel_shape=[1, 1]))
    outs = ["f70_3x3", "f5_1x1", "f33_5x5_s2", "f1_3x3_d2", "f16_3x3_s2",
            "batch2_f24", "runtime_filter"]
    return model("regular", [("x", [1, 17, 13, 11]), ("b", [2, 3, 7, 9]),
                             ("wx", [6, 17, 1, 1])], nodes, inits, outs)


def depthwise():
    nodes, inits = [], []
    conv(nodes, inits, "x", 40, 40, 3, "dw40_3x3", pad=1, group=40, act="Relu")
    conv(nodes, inits, "x", 40, 40, 5, "dw40_5x5_s2", stride=2, pad=2, group=40)
    conv(nodes, inits, "x", 40, 40, 3, "dw40_d2", dil=2, group=40)
    conv(nodes, inits, "x", 40, 40, 2, "dw40_2x2_s2", stride=2, group=40)
    conv(nodes, inits, "x", 40, 40, 4, "dw40_4x4", pad=1, group=40)
    conv(nodes, inits, "y", 7, 7, 3, "dw7_3x3_s2", stride=2, pad=1, group=7)
    conv(nodes, inits, "y", 7, 14, 3, "dw7_m2", pad=1, group=7)
    conv(nodes, inits, "dw40_3x3", 40, 19, 1, "pointwise19")
    outs = ["dw40_5x5_s2", "dw40_d2", "dw40_2x2_s2", "dw40_4x4", "dw7_3x3_s2", "dw7_m2",
            "pointwise19"]
    return model("depthwise", [("x", [1, 40, 9, 10]), ("y", [1, 7, 11, 13])],
                 nodes, inits, outs)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    onnx.save(regular(), os.path.join(out, "regular.onnx"))
    onnx.save(depthwise(), os.path.join(out, "depthwise.onnx"))


if __name__ == "__main__":
    main()
