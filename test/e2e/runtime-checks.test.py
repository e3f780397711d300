"""Writes three models whose control data comes from inputs: a Gather with
input indices (gather.onnx), integer Div and Mod by an input divisor
(div.onnx), a Range of declared length 4 from input bounds (range.onnx),
a Loop whose trip count and condition are inputs while its scan output
is declared with 3 iterations (loop.onnx), and a sequence erase at an input
position (seq.onnx)."""
import os
import sys

import onnx
from onnx import TensorProto, helper

d = sys.argv[1]


def save(name, nodes, inputs, outputs):
    g = helper.make_graph(nodes, name, inputs, outputs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, os.path.join(d, name + ".onnx"))


vi = helper.make_tensor_value_info
save("gather", [helper.make_node("Gather", ["x", "i"], ["y"], name="gather")],
     [vi("x", TensorProto.FLOAT, [5, 3]), vi("i", TensorProto.INT64, [2])],
     [vi("y", TensorProto.FLOAT, [2, 3])])
save("div", [helper.make_node("Div", ["a", "b"], ["q"], name="div"),
             helper.make_node("Mod", ["a", "b"], ["r"], name="mod")],
     [vi("a", TensorProto.INT32, [4]), vi("b", TensorProto.INT32, [4])],
     [vi("q", TensorProto.INT32, [4]), vi("r", TensorProto.INT32, [4])])
save("range", [helper.make_node("Range", ["s", "l", "d"], ["y"], name="range")],
     [vi("s", TensorProto.INT32, []), vi("l", TensorProto.INT32, []),
      vi("d", TensorProto.INT32, [])],
     [vi("y", TensorProto.INT32, [4])])
body = helper.make_graph(
    [helper.make_node("Identity", ["c_in"], ["c_out"]),
     helper.make_node("Cast", ["i"], ["f"], to=TensorProto.FLOAT),
     helper.make_node("Add", ["y_in", "f"], ["y_out"]),
     helper.make_node("Identity", ["y_out"], ["scan"])],
    "body",
    [vi("i", TensorProto.INT64, []), vi("c_in", TensorProto.BOOL, []),
     vi("y_in", TensorProto.FLOAT, [1])],
    [vi("c_out", TensorProto.BOOL, []), vi("y_out", TensorProto.FLOAT, [1]),
     vi("scan", TensorProto.FLOAT, [1])])
save("loop", [helper.make_node("Loop", ["m", "c", "y"], ["res", "steps"],
                               name="loop", body=body)],
     [vi("m", TensorProto.INT64, []), vi("c", TensorProto.BOOL, []),
      vi("y", TensorProto.FLOAT, [1])],
     [vi("res", TensorProto.FLOAT, [1]), vi("steps", TensorProto.FLOAT, [3, 1])])
save("seq", [helper.make_node("SequenceConstruct", ["a", "b"], ["s"]),
             helper.make_node("SequenceErase", ["s", "p"], ["s2"]),
             helper.make_node("SequenceAt", ["s2", "zero"], ["kept"]),
             helper.make_node("Constant", [], ["zero"],
                              value=helper.make_tensor("z", TensorProto.INT64,
                                                       [], [0]))],
     [vi("a", TensorProto.FLOAT, [1]), vi("b", TensorProto.FLOAT, [1]),
      vi("p", TensorProto.INT64, [])],
     [vi("kept", TensorProto.FLOAT, [1])])
