#!/usr/bin/python3
"""Writes a synthetic model with N nodes (default 10,000) for compile-time
scaling: B parallel branches over one input, each a chain of elementwise
ops with their own small constants, joined by one Concat. Wide (B live
tensors) and deep (N/B ops per chain), so a pass or the arena planner with
quadratic behaviour shows.

    make-wide-graph.py OUT.onnx [NODES] [BRANCHES]
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
nodes = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
branches = int(sys.argv[3]) if len(sys.argv) > 3 else 100
depth = -(-(nodes - 1) // branches)
rng = np.random.default_rng(0)
ops = ["Add", "Mul", "Relu", "Sub", "Tanh"]
graph_nodes, inits, ends = [], [], []
for b in range(branches):
    cur = "x"
    for d in range(depth):
        op = ops[(b + d) % len(ops)]
        name = f"b{b}_n{d}"
        if op in ("Relu", "Tanh"):
            graph_nodes.append(helper.make_node(op, [cur], [name], name=name))
        else:
            c = f"c{b}_{d}"
            inits.append(numpy_helper.from_array(
                rng.uniform(0.5, 1.0, (1, 16)).astype(np.float32), c))
            graph_nodes.append(helper.make_node(op, [cur, c], [name], name=name))
        cur = name
    ends.append(cur)
graph_nodes.append(helper.make_node("Concat", ends, ["y"], name="join", axis=0))
g = helper.make_graph(
    graph_nodes, "wide",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [branches, 16])],
    inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 8
onnx.save(m, out)
print(f"{out}: {len(graph_nodes)} nodes, {len(inits)} initializers")
