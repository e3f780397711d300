"""Writes strnorm.onnx: StringNormalizer over 5 strings ([1, 5]) dropping
the stopwords "the" and "a" case-insensitively and raising case, declared
to keep 3 ([1, 3])."""
import os
import sys

import onnx
from onnx import TensorProto, helper

vi = helper.make_tensor_value_info
node = helper.make_node("StringNormalizer", ["x"], ["y"], name="norm",
                        case_change_action="UPPER", is_case_sensitive=0,
                        stopwords=["the", "a"])
g = helper.make_graph([node], "strnorm", [vi("x", TensorProto.STRING, [1, 5])],
                      [vi("y", TensorProto.STRING, [1, 3])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 8
onnx.save(m, os.path.join(sys.argv[1], "strnorm.onnx"))
