#!/usr/bin/python3
"""Writes the seeded model for graph-passes.test: Pad -> Conv -> BN -> Relu
-> Pad -> AveragePool(count_include_pad) -> Flatten -> Gemm -> BN."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(42)


def const(name, a):
    return numpy_helper.from_array(np.asarray(a), name)


inits = [
    const("pads1", np.array([0, 0, 1, 2, 0, 0, 2, 1], np.int64)),
    const("w", (rng.standard_normal((6, 3, 3, 3)) * 0.3).astype(np.float32)),
    const("b", rng.standard_normal(6).astype(np.float32)),
    const("s", (rng.random(6) + 0.5).astype(np.float32)),
    const("beta", rng.standard_normal(6).astype(np.float32)),
    const("mean", rng.standard_normal(6).astype(np.float32)),
    const("var", (rng.random(6) + 0.2).astype(np.float32)),
    const("pads2", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)),
    const("gw", (rng.standard_normal((4, 6 * 9 * 8)) * 0.05).astype(np.float32)),
    const("gb", rng.standard_normal(4).astype(np.float32)),
    const("s2", (rng.random(4) + 0.5).astype(np.float32)),
    const("beta2", rng.standard_normal(4).astype(np.float32)),
    const("mean2", rng.standard_normal(4).astype(np.float32)),
    const("var2", (rng.random(4) + 0.2).astype(np.float32)),
]
nodes = [
    helper.make_node("Pad", ["x", "pads1"], ["p1"], name="pad1"),
    helper.make_node("Conv", ["p1", "w", "b"], ["c"], name="conv", kernel_shape=[3, 3]),
    helper.make_node("BatchNormalization", ["c", "s", "beta", "mean", "var"], ["n"], name="bn", epsilon=1e-3),
    helper.make_node("Relu", ["n"], ["r"], name="relu"),
    helper.make_node("Pad", ["r", "pads2"], ["p2"], name="pad2"),
    helper.make_node("AveragePool", ["p2"], ["a"], name="pool", kernel_shape=[3, 3], count_include_pad=1),
    helper.make_node("Flatten", ["a"], ["f"], name="flatten"),
    helper.make_node("Gemm", ["f", "gw", "gb"], ["g"], name="fc", transB=1),
    helper.make_node("BatchNormalization", ["g", "s2", "beta2", "mean2", "var2"], ["y"], name="bn2"),
]
graph = helper.make_graph(nodes, "graph_passes",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 7])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model, full_check=True)
onnx.save(model, sys.argv[1])
