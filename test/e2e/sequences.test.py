#!/usr/bin/python3
"""Writes backend-test-style directories for sequences.test: one model whose
sequence positions are inputs (erase, insert and at, negative ones too),
with ConcatFromSequence and SplitToSequence, and its expected outputs from
numpy for several position triples: OUT/case_<i>/."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_test_dir  # noqa: E402

vi = helper.make_tensor_value_info
F = TensorProto.FLOAT
nodes = [
    helper.make_node("SequenceConstruct", ["x", "y", "z"], ["s"]),
    helper.make_node("SequenceErase", ["s", "pe"], ["s2"]),
    helper.make_node("SequenceInsert", ["s2", "w", "pi"], ["s3"]),
    helper.make_node("SequenceAt", ["s3", "pa"], ["at"]),
    helper.make_node("ConcatFromSequence", ["s3"], ["all"], axis=1),
    helper.make_node("SplitToSequence", ["x"], ["rows"], axis=0, keepdims=0),
    helper.make_node("ConcatFromSequence", ["rows"], ["cols"], axis=0,
                     new_axis=1),
]
graph = helper.make_graph(
    nodes, "sequences",
    [vi("x", F, [2, 3]), vi("y", F, [2, 3]), vi("z", F, [2, 3]),
     vi("w", F, [2, 3]), vi("pe", TensorProto.INT64, []),
     vi("pi", TensorProto.INT32, []), vi("pa", TensorProto.INT64, [])],
    [vi("at", F, [2, 3]), vi("all", F, [2, 9]), vi("cols", F, [2, 3])])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8

rng = np.random.default_rng(7)
x, y, z, w = (rng.standard_normal((2, 3)).astype(np.float32) for _ in range(4))
for i, (pe, pi, pa) in enumerate([(0, 0, 0), (1, 2, -1), (-1, -2, 1),
                                  (-3, 1, -3), (2, -1, 2)]):
    seq = [x, y, z]
    del seq[pe]
    seq.insert(pi if pi >= 0 else pi + len(seq), w)
    outs = [seq[pa], np.concatenate(seq, axis=1), np.stack(list(x), axis=0)]
    ins = [x, y, z, w, np.array(pe, np.int64), np.array(pi, np.int32),
           np.array(pa, np.int64)]
    onnx_test_dir.save(os.path.join(sys.argv[1], f"case_{i}"), model, ins,
                       outs)
