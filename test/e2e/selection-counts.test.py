"""Writes models whose output extent depends on the data, each declared
with a fixed extent: NonZero of 6 floats declared [1, 3] (nonzero.onnx),
Compress of 5 rows declared to keep 2 (compress.onnx), Unique of 6 ints
declared to hold 3 values (unique.onnx), and NonMaxSuppression of 4 boxes
in 1 class declared to select 2 (nms.onnx)."""
import os
import sys

import onnx
from onnx import TensorProto, helper

d = sys.argv[1]
vi = helper.make_tensor_value_info


def save(name, node, inputs, outputs, opset=13):
    g = helper.make_graph([node], name, inputs, outputs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    onnx.save(m, os.path.join(d, name + ".onnx"))


save("nonzero", helper.make_node("NonZero", ["x"], ["y"], name="nz"),
     [vi("x", TensorProto.FLOAT, [6])], [vi("y", TensorProto.INT64, [1, 3])])
save("compress",
     helper.make_node("Compress", ["x", "c"], ["y"], axis=0, name="keep"),
     [vi("x", TensorProto.FLOAT, [5, 2]), vi("c", TensorProto.BOOL, [5])],
     [vi("y", TensorProto.FLOAT, [2, 2])])
save("unique",
     helper.make_node("Unique", ["x"], ["y", "idx", "inv", "cnt"], sorted=1,
                      name="uniq"),
     [vi("x", TensorProto.INT32, [6])],
     [vi("y", TensorProto.INT32, [3]), vi("idx", TensorProto.INT64, [3]),
      vi("inv", TensorProto.INT64, [6]), vi("cnt", TensorProto.INT64, [3])],
     opset=11)
save("nms",
     helper.make_node("NonMaxSuppression", ["b", "s", "m", "iou", "thr"],
                      ["sel"], name="nms"),
     [vi("b", TensorProto.FLOAT, [1, 4, 4]), vi("s", TensorProto.FLOAT, [1, 1, 4]),
      vi("m", TensorProto.INT64, [1]), vi("iou", TensorProto.FLOAT, [1]),
      vi("thr", TensorProto.FLOAT, [1])],
     [vi("sel", TensorProto.INT64, [2, 3])], opset=11)
