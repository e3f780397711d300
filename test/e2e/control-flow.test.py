#!/usr/bin/python3
"""Writes the model for control-flow.test: a Loop of 4 iterations whose body
holds an If on a data-dependent condition (both branches read outer-scope
values), a Scan over two inputs with a reversed input and a reversed output
stacked along axis 1, an If on an input condition, and nested Loops whose
bodies reuse input names (the inner ones shadow the outer)."""
import sys

import onnx
from onnx import TensorProto, helper

vi = helper.make_tensor_value_info
F = TensorProto.FLOAT

then_g = helper.make_graph(
    [helper.make_node("Mul", ["acc", "w"], ["t_out"])], "then",
    [], [vi("t_out", F, [4])])
else_g = helper.make_graph(
    [helper.make_node("Sub", ["acc", "fi"], ["e_out"])], "else",
    [], [vi("e_out", F, [4])])
loop_body = helper.make_graph(
    [helper.make_node("Identity", ["c_in"], ["c_out"]),
     helper.make_node("Cast", ["i"], ["fi"], to=F),
     helper.make_node("ReduceSum", ["acc"], ["s"], keepdims=0),
     helper.make_node("Greater", ["s", "fi"], ["pos"]),
     helper.make_node("If", ["pos"], ["nxt"], then_branch=then_g,
                      else_branch=else_g),
     helper.make_node("Tanh", ["nxt"], ["acc_out"]),
     helper.make_node("Identity", ["acc_out"], ["trace"])],
    "loop_body",
    [vi("i", TensorProto.INT64, []), vi("c_in", TensorProto.BOOL, []),
     vi("acc", F, [4])],
    [vi("c_out", TensorProto.BOOL, []), vi("acc_out", F, [4]),
     vi("trace", F, [4])])
scan_body = helper.make_graph(
    [helper.make_node("Mul", ["a", "b"], ["ab"]),
     helper.make_node("Add", ["state", "ab"], ["state_out"]),
     helper.make_node("Sigmoid", ["state_out"], ["y"])],
    "scan_body",
    [vi("state", F, [4]), vi("a", F, [4]), vi("b", F, [4])],
    [vi("state_out", F, [4]), vi("y", F, [4])])
# Nested loops whose bodies reuse the names i and c: the inner body's own
# inputs shadow the outer ones (3 outer x inner 0 + 1 = 3, not 0+2+4).
inner = helper.make_graph(
    [helper.make_node("Identity", ["c"], ["c_o"]),
     helper.make_node("Cast", ["i"], ["fi2"], to=F),
     helper.make_node("Add", ["a", "fi2"], ["a_o"])],
    "inner",
    [vi("i", TensorProto.INT64, []), vi("c", TensorProto.BOOL, []),
     vi("a", F, [4])],
    [vi("c_o", TensorProto.BOOL, []), vi("a_o", F, [4])])
outer = helper.make_graph(
    [helper.make_node("Identity", ["c"], ["c_out2"]),
     helper.make_node("Constant", [], ["two"],
                      value=helper.make_tensor("two_v", TensorProto.INT64, [],
                                               [2])),
     helper.make_node("Loop", ["two", "", "acc2"], ["acc2_out"], body=inner)],
    "outer",
    [vi("i", TensorProto.INT64, []), vi("c", TensorProto.BOOL, []),
     vi("acc2", F, [4])],
    [vi("c_out2", TensorProto.BOOL, []), vi("acc2_out", F, [4])])
nodes = [
    helper.make_node("Constant", [], ["three"],
                     value=helper.make_tensor("t3", TensorProto.INT64, [], [3])),
    helper.make_node("Loop", ["three", "", "x"], ["nested"], name="nested",
                     body=outer),
    helper.make_node("Constant", [], ["trip"],
                     value=helper.make_tensor("t", TensorProto.INT64, [], [4])),
    helper.make_node("Loop", ["trip", "", "x"], ["acc_final", "traces"],
                     name="loop", body=loop_body),
    helper.make_node("Scan", ["x", "xs", "ys"], ["state_final", "ys_out"],
                     name="scan", body=scan_body, num_scan_inputs=2,
                     scan_input_directions=[0, 1], scan_input_axes=[0, 1],
                     scan_output_directions=[1], scan_output_axes=[1]),
    helper.make_node(
        "If", ["c"], ["picked"], name="pick",
        then_branch=helper.make_graph(
            [helper.make_node("Relu", ["state_final"], ["p1"])], "pt", [],
            [vi("p1", F, [4])]),
        else_branch=helper.make_graph(
            [helper.make_node("Neg", ["acc_final"], ["p2"])], "pe", [],
            [vi("p2", F, [4])])),
]
g = helper.make_graph(
    nodes, "control_flow",
    [vi("x", F, [4]), vi("w", F, [4]), vi("xs", F, [3, 4]),
     vi("ys", F, [4, 3]), vi("c", TensorProto.BOOL, [])],
    [vi("acc_final", F, [4]), vi("traces", F, [4, 4]),
     vi("state_final", F, [4]), vi("ys_out", F, [4, 3]),
     vi("picked", F, [4]), vi("nested", F, [4])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
