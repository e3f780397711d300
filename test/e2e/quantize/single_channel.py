#!/usr/bin/python3
"""Writes a one-output-channel Conv with a negative bias (then Relu) to
argv[1]: with int16 activations its int48 bias is a splat constant, which
the C emitter must spell sign-extended."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
w = (rng.standard_normal((1, 3, 3, 3)) * 0.4).astype(np.float32)
b = np.array([-0.75], np.float32)
g = helper.make_graph(
    [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
     helper.make_node("Relu", ["c"], ["y"], name="relu")],
    "single_channel",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 8, 8])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
