"""Writes the model for max-unpool.test: MaxPool with Indices then MaxUnpool,\nwith and without overlapping, padded windows."""
import sys
import onnx
from onnx import TensorProto, helper
vi = helper.make_tensor_value_info
F = TensorProto.FLOAT
nodes = [
    helper.make_node("MaxPool", ["x"], ["y", "i"], kernel_shape=[2, 2],
                     strides=[2, 2]),
    helper.make_node("MaxUnpool", ["y", "i"], ["u"], kernel_shape=[2, 2],
                     strides=[2, 2]),
    helper.make_node("MaxPool", ["x"], ["y3", "i3"], kernel_shape=[3, 2],
                     strides=[1, 2], pads=[1, 0, 1, 0]),
    helper.make_node("MaxUnpool", ["y3", "i3"], ["u3"], kernel_shape=[3, 2],
                     strides=[1, 2], pads=[1, 0, 1, 0]),
]
g = helper.make_graph(nodes, "unpool", [vi("x", F, [2, 3, 6, 6])],
                      [vi("u", F, [2, 3, 6, 6]), vi("u3", F, [2, 3, 6, 6])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
