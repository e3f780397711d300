#!/usr/bin/env python3
"""Writes an ONNX backend-test-style directory for Exp, Log and Floor on
float64 (whittle-expand-math's f64 expansions) over edge cases: zeros,
infinities, NaN, subnormals, the extreme normals, exp's overflow and
underflow thresholds, exact and non-integral values near 2^52, plus random
values over many magnitudes. References are numpy's.

  make_f64_math_test.py OUTDIR
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import onnx_test_dir  # noqa: E402


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(5)
    edge = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 2.2e-308,
            1.7976931348623157e308, -1.7976931348623157e308, 709.78, 709.79,
            -745.0, -745.2, -708.4, 1.0, -1.0, 0.5, -0.5, 2.0**52 - 0.5,
            -(2.0**52) + 0.5, 2.0**52 + 1, 4503599627370495.5, -3.0, 1e-300,
            0.6931471805599453, 1.4142135623730951, 0.7071067811865476]
    rand = rng.standard_normal(128 - len(edge)) * 10.0 ** rng.integers(-5, 3, 128 - len(edge))
    x = np.concatenate([edge, rand]).astype(np.float64).reshape(2, 64)
    with np.errstate(all="ignore"):
        outs = [np.exp(x), np.log(x), np.floor(x)]
    names = ["exp", "log", "floor"]
    nodes = [helper.make_node(op, ["x"], [n], name=n)
             for op, n in zip(["Exp", "Log", "Floor"], names)]
    g = helper.make_graph(
        nodes, "f64_math",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [2, 64])],
        [helper.make_tensor_value_info(n, TensorProto.DOUBLE, [2, 64]) for n in names])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx_test_dir.save(out, m, [x], outs)


if __name__ == "__main__":
    main()
