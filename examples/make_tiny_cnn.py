#!/usr/bin/env python3
"""Builds examples/tiny_cnn.onnx: a small, deterministic image classifier
(conv, depthwise conv, pooling, dense layer, softmax) used by the README's
example. Run with /usr/bin/python3 (Debian's python3-onnx and python3-numpy)."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.RandomState(0)


def init(name, shape, scale=0.5):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


inits = [
    init("conv1.w", (8, 1, 3, 3)), init("conv1.b", (8,), 0.1),
    init("dw.w", (8, 1, 3, 3)), init("dw.b", (8,), 0.1),
    init("pw.w", (16, 8, 1, 1)), init("pw.b", (16,), 0.1),
    init("fc.w", (3, 16 * 4 * 4), 0.1), init("fc.b", (3,), 0.1),
]
nodes = [
    helper.make_node("Conv", ["image", "conv1.w", "conv1.b"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
    helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p1", "dw.w", "dw.b"], ["c2"], name="depthwise", group=8, pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
    helper.make_node("Conv", ["r2", "pw.w", "pw.b"], ["c3"], name="pointwise"),
    helper.make_node("Relu", ["c3"], ["r3"], name="relu3"),
    helper.make_node("MaxPool", ["r3"], ["p3"], name="pool2", kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Flatten", ["p3"], ["f"], name="flatten"),
    helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["logits"], name="fc", transB=1),
    helper.make_node("Softmax", ["logits"], ["probs"], name="softmax", axis=1),
]
graph = helper.make_graph(
    nodes, "tiny_cnn",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 16, 16])],
    [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 3])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                          producer_name="whittle-example")
model.ir_version = 8
onnx.checker.check_model(model)
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "tiny_cnn.onnx")
onnx.save(model, out)
print(out)
