"""Writes a Conv model whose weights ONNX's writer stores as external data
in w.bin, plus an ONNX-test-style reference computed with numpy."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

d = sys.argv[1]
rng = np.random.default_rng(7)
w = rng.standard_normal((4, 2, 3, 3)).astype(np.float32)
b = rng.standard_normal(4).astype(np.float32)
x = rng.standard_normal((1, 2, 6, 6)).astype(np.float32)
g = helper.make_graph(
    [helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv")], "g",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 6, 6])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 4, 4])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 8
onnx.save_model(m, os.path.join(d, "model.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="w.bin",
                size_threshold=0)
y = np.zeros((1, 4, 4, 4), np.float32)
for o in range(4):
    for i in range(4):
        for j in range(4):
            y[0, o, i, j] = (x[0, :, i:i + 3, j:j + 3] * w[o]).sum() + b[o]
s = os.path.join(d, "test_data_set_0")
os.makedirs(s)
for name, arr in (("input_0.pb", x), ("output_0.pb", y)):
    with open(os.path.join(s, name), "wb") as f:
        f.write(numpy_helper.from_array(arr, name[:-5]).SerializeToString())
