#!/usr/bin/python3
"""Writes the model for conv-transpose.test: ConvTranspose cases outside
TOSA's transpose_conv2d (grouped, dilated, 3-D, with strides, pads and
output_padding) on seeded weights."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(5)
vi = helper.make_tensor_value_info
F = TensorProto.FLOAT


def w(name, shape):
    return numpy_helper.from_array(
        (rng.standard_normal(shape) * 0.5).astype(np.float32), name)


inits = [w("w_group", [4, 3, 3, 3]), w("b_group", [6]),
         w("w_dil", [4, 2, 2, 3]), w("w_3d", [2, 3, 2, 3, 2]),
         w("b_3d", [3]), w("w_1d", [4, 2, 3])]
nodes = [
    # 2 groups of 2 input channels, 3 outputs each; stride 2, pads, extra row.
    helper.make_node("ConvTranspose", ["x", "w_group", "b_group"], ["y_group"],
                     group=2, strides=[2, 2], pads=[1, 0, 1, 1],
                     output_padding=[1, 0]),
    # dilated and strided.
    helper.make_node("ConvTranspose", ["x", "w_dil"], ["y_dil"],
                     dilations=[2, 3], strides=[1, 2]),
    # 3-D with stride and padding.
    helper.make_node("ConvTranspose", ["v", "w_3d", "b_3d"], ["y_3d"],
                     strides=[2, 1, 2], pads=[0, 1, 1, 1, 0, 0]),
    # 1-D, grouped and dilated.
    helper.make_node("ConvTranspose", ["s", "w_1d"], ["y_1d"], group=2,
                     dilations=[2], strides=[3]),
]
g = helper.make_graph(
    nodes, "conv_transpose",
    [vi("x", F, [2, 4, 5, 4]), vi("v", F, [1, 2, 3, 4, 3]),
     vi("s", F, [1, 4, 6])],
    [vi("y_group", F, None), vi("y_dil", F, None), vi("y_3d", F, None),
     vi("y_1d", F, None)], initializer=inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 8
m = onnx.shape_inference.infer_shapes(m)
for o in m.graph.output:
    for v in m.graph.value_info:
        if v.name == o.name:
            o.CopyFrom(v)
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
