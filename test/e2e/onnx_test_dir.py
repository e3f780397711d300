"""Writes an ONNX backend-test-style directory: OUT/model.onnx and
OUT/test_data_set_0/{input,output}_N.pb, as check_model.py --onnx-test
reads it."""
import os

import onnx
from onnx import numpy_helper


def save(out, model, inputs, outputs):
    """`model` is checked, then saved with `inputs` and `outputs` (lists of
    numpy arrays, in graph order)."""
    onnx.checker.check_model(model)
    os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(out, "model.onnx"))
    named = [(f"input_{i}", a) for i, a in enumerate(inputs)] + \
            [(f"output_{i}", a) for i, a in enumerate(outputs)]
    for name, arr in named:
        with open(os.path.join(out, "test_data_set_0", name + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(arr, name).SerializeToString())
