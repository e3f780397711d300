"""Writes an ONNX backend-style test (model.onnx, test_data_set_0) of the
training preview's Gradient operator: y = exp(-(sigmoid(relu((a + b) * a / b
- tanh(a))) @ w)) with b broadcast along a's rows, differentiated with
respect to a, b, w and an input z that y does not read. The references
are PyTorch autograd's gradients of sum(y)."""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

d = sys.argv[1]
vi = helper.make_tensor_value_info
nodes = [
    helper.make_node("Add", ["a", "b"], ["c"], name="add"),
    helper.make_node("Mul", ["c", "a"], ["d"], name="mul"),
    helper.make_node("Div", ["d", "b"], ["e"], name="div"),
    helper.make_node("Tanh", ["a"], ["t"], name="tanh"),
    helper.make_node("Sub", ["e", "t"], ["f"], name="sub"),
    helper.make_node("Relu", ["f"], ["g"], name="relu"),
    helper.make_node("Sigmoid", ["g"], ["h"], name="sigmoid"),
    helper.make_node("MatMul", ["h", "w"], ["m"], name="matmul"),
    helper.make_node("Neg", ["m"], ["n"], name="neg"),
    helper.make_node("Exp", ["n"], ["y"], name="exp"),
    helper.make_node("Gradient", ["a", "b", "w", "z"],
                     ["da", "db", "dw", "dz"], name="grad",
                     domain="ai.onnx.preview.training",
                     xs=["a", "b", "w", "z"], y="y"),
]
g = helper.make_graph(
    nodes, "gradient",
    [vi("a", TensorProto.FLOAT, [2, 3]), vi("b", TensorProto.FLOAT, [3]),
     vi("w", TensorProto.FLOAT, [3, 4]), vi("z", TensorProto.FLOAT, [2])],
    [vi("y", TensorProto.FLOAT, [2, 4]), vi("da", TensorProto.FLOAT, [2, 3]),
     vi("db", TensorProto.FLOAT, [3]), vi("dw", TensorProto.FLOAT, [3, 4]),
     vi("dz", TensorProto.FLOAT, [2])])
m = helper.make_model(g, opset_imports=[
    helper.make_opsetid("", 13),
    helper.make_opsetid("ai.onnx.preview.training", 1)])
m.ir_version = 8
os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
onnx.save(m, os.path.join(d, "model.onnx"))

rng = np.random.default_rng(7)
inputs = {
    "a": rng.uniform(-1.5, 1.5, (2, 3)).astype(np.float32),
    "b": rng.uniform(0.5, 1.5, (3,)).astype(np.float32),
    "w": rng.uniform(-1, 1, (3, 4)).astype(np.float32),
    "z": rng.uniform(-1, 1, (2,)).astype(np.float32),
}
t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
     for k, v in inputs.items()}
a, b, w = t["a"], t["b"], t["w"]
f = (a + b) * a / b - torch.tanh(a)
y = torch.exp(-(torch.sigmoid(torch.relu(f)) @ w))
y.sum().backward()
outputs = [y.detach(), a.grad, b.grad, w.grad, torch.zeros(2)]
for i, name in enumerate(["a", "b", "w", "z"]):
    p = os.path.join(d, "test_data_set_0", f"input_{i}.pb")
    with open(p, "wb") as fp:
        fp.write(numpy_helper.from_array(inputs[name], name).SerializeToString())
for i, (name, v) in enumerate(zip(["y", "da", "db", "dw", "dz"], outputs)):
    p = os.path.join(d, "test_data_set_0", f"output_{i}.pb")
    arr = v.numpy().astype(np.float32)
    with open(p, "wb") as fp:
        fp.write(numpy_helper.from_array(arr, name).SerializeToString())
