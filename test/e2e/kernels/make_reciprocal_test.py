#!/usr/bin/env python3
"""Writes an ONNX backend-test-style directory (model.onnx,
test_data_set_0/{input,output}_0.pb) for Reciprocal and Sigmoid on 64
values including the edge cases of a reciprocal estimate: 0, -0, +-inf,
NaN, the largest and smallest normal floats, and sigmoid inputs far past
exp's range. Expected outputs come from numpy in float64, rounded to
float32.

  make_reciprocal_test.py OUTDIR
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import onnx_test_dir  # noqa: E402


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(11)
    edge = [0.0, -0.0, np.inf, -np.inf, np.nan, 3.4e38, -3.4e38, 1.2e-38, -1.2e-38,
            1.0, -1.0, 3.0, 1e-3, 1e3, -200.0, 200.0, -90.0, 90.0]
    x = np.concatenate([edge, rng.standard_normal(64 - len(edge)) * 10]).astype(np.float32)
    x = x.reshape(1, 64)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        x64 = x.astype(np.float64)
        rec = (1.0 / x64).astype(np.float32)
        sig = (1.0 / (1.0 + np.exp(-x64))).astype(np.float32)
    nodes = [helper.make_node("Reciprocal", ["x"], ["rec"], name="rec"),
             helper.make_node("Sigmoid", ["x"], ["sig"], name="sig")]
    g = helper.make_graph(nodes, "reciprocal",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
                          [helper.make_tensor_value_info("rec", TensorProto.FLOAT, [1, 64]),
                           helper.make_tensor_value_info("sig", TensorProto.FLOAT, [1, 64])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx_test_dir.save(out, m, [x], [rec, sig])


if __name__ == "__main__":
    main()
