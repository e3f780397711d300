#!/usr/bin/python3
"""Writes the model for mel-weight-matrix.test: two constant-parameter mel
filter banks (one a typical 16 kHz front end, one with narrow bins that
produce one-point peaks) scaled by an input, so the matrix feeds a
computation."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

vi = helper.make_tensor_value_info


def c(name, v, t):
    return numpy_helper.from_array(np.asarray(v, t), name)


inits = [c("bins", 10, np.int32), c("dft", 64, np.int32),
         c("rate", 16000, np.int32), c("lo", 20.0, np.float32),
         c("hi", 7600.0, np.float32), c("bins2", 12, np.int64),
         c("dft2", 31, np.int64), c("rate2", 8000, np.int64),
         c("lo2", 0.0, np.float32), c("hi2", 600.0, np.float32)]
nodes = [
    helper.make_node("MelWeightMatrix", ["bins", "dft", "rate", "lo", "hi"],
                     ["m1"]),
    helper.make_node("MelWeightMatrix", ["bins2", "dft2", "rate2", "lo2",
                                         "hi2"], ["m2"]),
    helper.make_node("Mul", ["m1", "s"], ["y1"]),
    helper.make_node("Mul", ["m2", "s"], ["y2"]),
]
g = helper.make_graph(
    nodes, "mel", [vi("s", TensorProto.FLOAT, [1])],
    [vi("y1", TensorProto.FLOAT, [33, 10]), vi("y2", TensorProto.FLOAT, [16, 12])],
    initializer=inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
