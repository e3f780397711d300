#!/usr/bin/python3
"""Writes the model for training-outputs.test: MaxPool with Indices (padded
and dilated, row-major; column-major with storage_order 1; 3-D) and
BatchNormalization in training mode with its running statistics."""
import sys
import onnx
from onnx import TensorProto, helper
vi = helper.make_tensor_value_info
F = TensorProto.FLOAT
I = TensorProto.INT64
nodes = [
    helper.make_node("MaxPool", ["x"], ["y_row", "i_row"], name="pool_row",
                     kernel_shape=[3, 2], strides=[2, 1], pads=[1, 0, 1, 1],
                     dilations=[1, 2]),
    helper.make_node("MaxPool", ["x"], ["y_col", "i_col"], name="pool_col",
                     kernel_shape=[2, 3], strides=[1, 2], pads=[0, 1, 1, 0],
                     storage_order=1),
    helper.make_node("MaxPool", ["v"], ["y3", "i3"], name="pool_3d",
                     kernel_shape=[2, 2, 2], strides=[2, 1, 2]),
    helper.make_node("BatchNormalization", ["x", "s", "b", "m", "var"],
                     ["bn", "running_mean", "running_var"], name="bn",
                     training_mode=1, momentum=0.8, epsilon=1e-3),
]
g = helper.make_graph(
    nodes, "pool_bn",
    [vi("x", F, [2, 3, 7, 6]), vi("v", F, [1, 2, 4, 3, 5]), vi("s", F, [3]),
     vi("b", F, [3]), vi("m", F, [3]), vi("var", F, [3])],
    [vi("y_row", F, [2, 3, 4, 5]), vi("i_row", I, [2, 3, 4, 5]),
     vi("y_col", F, [2, 3, 7, 3]), vi("i_col", I, [2, 3, 7, 3]),
     vi("y3", F, [1, 2, 2, 2, 2]), vi("i3", I, [1, 2, 2, 2, 2]),
     vi("bn", F, [2, 3, 7, 6]), vi("running_mean", F, [3]),
     vi("running_var", F, [3])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 15)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
