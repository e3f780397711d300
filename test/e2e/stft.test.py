#!/usr/bin/python3
"""Writes the model for stft.test: STFT of a real signal with a Hann window
(onesided) and of a complex signal without one (two-sided), constant frame
steps and lengths."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

vi = helper.make_tensor_value_info
F = TensorProto.FLOAT


def const(name, v, t=np.int64):
    return numpy_helper.from_array(np.asarray(v, t), name)


window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(12) / 12)).astype(np.float32)
inits = [const("step5", 5), const("step3", 3), const("len8", 8),
         numpy_helper.from_array(window, "hann")]
nodes = [
    helper.make_node("STFT", ["real", "step5", "hann"], ["spec"], onesided=1),
    helper.make_node("STFT", ["cplx", "step3", "", "len8"], ["spec2"],
                     onesided=0),
]
g = helper.make_graph(
    nodes, "stft", [vi("real", F, [2, 62, 1]), vi("cplx", F, [1, 20, 2])],
    [vi("spec", F, [2, 11, 7, 2]), vi("spec2", F, [1, 5, 8, 2])],
    initializer=inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
