#!/usr/bin/python3
"""The malformed-model corpus: builds one broken or hostile model, compiles
it with whittle and checks the contract for bad input.

    malformed.py CASE WORKDIR WHITTLE [EXTRA_ARGS...]
    malformed.py --list
    malformed.py --write-all DIR     (every case's model, e.g. fuzz seeds)

Each case writes WORKDIR/model.onnx (plus any side files) from python3-onnx
helpers or raw protobuf bytes, never from a checked-in binary. Then
`WHITTLE WORKDIR/model.onnx -o WORKDIR/out/m.o` runs and, for an error case,
must exit 1 with exactly one `error:` line, write nothing into WORKDIR/out
(no object, header or temporary) and show no crash or sanitizer report.
whittle's stderr is echoed for the test's FileCheck lines. Cases named
`ok-*` must compile (exit 0) and, where they emit C, the C must build with
-Wall -Wextra -pedantic -Werror.
"""

import os
import struct
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
CASES = {}


def case(fn):
    CASES[fn.__name__.replace("_", "-")] = fn
    return fn


def model(nodes, inputs, outputs, inits=(), opset=13, ir=8, vi=()):
    g = helper.make_graph(nodes, "g", inputs, outputs, list(inits),
                          value_info=list(vi))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir
    return m


def vinfo(name, shape, elt=F):
    """A value_info; an int `shape` is a rank with unknown dimensions."""
    if isinstance(shape, int):
        shape = [f"d{i}" for i in range(shape)]
    return helper.make_tensor_value_info(name, elt, shape)


def raw_tensor(name, dims, data, elt=F):
    """A TensorProto as given, however inconsistent (helper checks it)."""
    t = TensorProto()
    t.name, t.data_type = name, elt
    t.dims.extend(dims)
    t.raw_data = data
    return t


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def relu_model():
    return model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                 [vinfo("x", [1, 4])], [vinfo("y", [1, 4])])


def conv_model(w_shape=(4, 3, 3, 3), x_shape=(1, 3, 8, 8), **attrs):
    w = np.ones(w_shape, np.float32)
    return model([helper.make_node("Conv", ["x", "w"], ["y"], name="conv",
                                   **attrs)],
                 [vinfo("x", list(x_shape))], [vinfo("y", 4)],
                 [const("w", w)])


def save(m, d, name="model.onnx"):
    with open(os.path.join(d, name), "wb") as f:
        f.write(m.SerializeToString())


def write(d, data, name="model.onnx"):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def field(number, payload):
    """A length-delimited protobuf field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


# --- Files that are not ONNX models ----------------------------------------

@case
def not_protobuf(d):
    write(d, b"\xff\xff\xff\xff this is not a protobuf \x00\x01")


@case
def empty_file(d):
    write(d, b"")


@case
def truncated(d):
    m = conv_model()
    data = m.SerializeToString()
    write(d, data[: len(data) - 40])


@case
def two_graph_fields(d):
    m = relu_model()
    extra = helper.make_graph([helper.make_node("Neg", ["x"], ["z"])], "h",
                              [vinfo("x", [1, 4])], [vinfo("z", [1, 4])])
    write(d, m.SerializeToString() + field(7, extra.SerializeToString()))


@case
def unknown_field(d):
    write(d, relu_model().SerializeToString() + field(99, b"surprise"))


@case
def deep_nesting(d):
    # A chain of If nodes, each then_branch holding the next: deeper than any
    # sane model and than protobuf's own recursion limit.
    inner = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])],
                              "leaf", [], [vinfo("y", [1])])
    data = inner.SerializeToString()
    for _ in range(200):
        # NodeProto{op_type=4, attribute=5}; AttributeProto{name=1, g=6,
        # type=20 (GRAPH=5)}.
        node = field(4, b"If") + field(5, field(1, b"then_branch") +
                                       field(6, data) +
                                       varint(20 << 3) + varint(5))
        data = field(1, node)  # GraphProto.node
    write(d, field(7, data) + field(8, field(1, b"") + varint(2 << 3) +
                                    varint(13)) + varint(1 << 3) + varint(8))


@case
def huge_file(d):
    # Sparse: 3 GiB on paper, no disk used. Refused before it is read.
    p = os.path.join(d, "model.onnx")
    with open(p, "wb") as f:
        f.truncate(3 << 30)


# --- Graph structure ---------------------------------------------------------

@case
def no_graph(d):
    m = onnx.ModelProto()
    m.ir_version = 8
    m.opset_import.add().version = 13
    save(m, d)


@case
def no_outputs(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", [1, 4])], []), d)


@case
def undefined_input(d):
    save(model([helper.make_node("Add", ["x", "ghost"], ["y"], name="add")],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 4])]), d)


@case
def cycle(d):
    save(model([helper.make_node("Add", ["x", "b"], ["a"], name="first"),
                helper.make_node("Relu", ["a"], ["b"], name="second")],
               [vinfo("x", [1, 4])], [vinfo("b", [1, 4])]), d)


@case
def duplicate_tensor_names(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="one"),
                helper.make_node("Neg", ["x"], ["y"], name="two")],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 4])]), d)


@case
def duplicate_graph_inputs(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", [1, 4]), vinfo("x", [1, 4])],
               [vinfo("y", [1, 4])]), d)


@case
def output_not_produced(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 4]), vinfo("z", [1, 4])]),
         d)


@case
def input_without_type(d):
    m = relu_model()
    m.graph.input[0].ClearField("type")
    save(m, d)


@case
def empty_op_type(d):
    save(model([helper.make_node("", ["x"], ["y"], name="blank")],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 4])]), d)


# --- Versions and domains ----------------------------------------------------

@case
def no_ir_version(d):
    m = relu_model()
    m.ir_version = 0
    save(m, d)


@case
def ir_version_too_new(d):
    m = relu_model()
    m.ir_version = 99
    save(m, d)


@case
def opset_too_new(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 4])], opset=99), d)


@case
def no_default_opset(d):
    m = relu_model()
    m.opset_import[0].domain = "com.example"
    save(m, d)


@case
def unknown_domain(d):
    m = model([helper.make_node("Frob", ["x"], ["y"], name="frob",
                                domain="com.example")],
              [vinfo("x", [1, 4])], [vinfo("y", [1, 4])])
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    save(m, d)


@case
def domain_not_imported(d):
    save(model([helper.make_node("Frob", ["x"], ["y"], name="frob",
                                 domain="com.example")],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 4])]), d)


@case
def unknown_op(d):
    save(model([helper.make_node("Frobnicate", ["x"], ["y"], name="frob")],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 4])]), d)


# --- Attributes --------------------------------------------------------------

@case
def attribute_wrong_type(d):
    save(conv_model(strides=[1.5, 1.5]), d)


@case
def missing_required_attribute(d):
    save(model([helper.make_node("Concat", ["x", "x"], ["y"], name="cat")],
               [vinfo("x", [1, 4])], [vinfo("y", 2)]), d)


@case
def unknown_attribute(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu",
                                 slope=0.5)],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 4])]), d)


@case
def too_many_inputs(d):
    save(model([helper.make_node("Relu", ["x", "x"], ["y"], name="relu")],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 4])]), d)


# --- Types and shapes --------------------------------------------------------

@case
def string_tensor(d):
    # String tensors exist only as inputs and outputs (fixed-width slots):
    # a string constant has no representation.
    words = helper.make_tensor("w", TensorProto.STRING, [2], [b"a", b"b"])
    save(model([helper.make_node("Identity", ["w"], ["y"], name="id")],
               [], [vinfo("y", [2], TensorProto.STRING)], [words]), d)


@case
def complex_tensor(d):
    save(model([helper.make_node("Identity", ["x"], ["y"], name="id")],
               [vinfo("x", [2], TensorProto.COMPLEX64)],
               [vinfo("y", [2], TensorProto.COMPLEX64)]), d)


@case
def negative_dimension(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", [1, -4])], [vinfo("y", [1, -4])]), d)


@case
def zero_dimension(d):
    # An empty tensor is fine where its result is empty too; a product of
    # empty factors is a non-empty result computed from no data.
    save(model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
               [vinfo("x", [2, 0]), vinfo("w", [0, 3])], [vinfo("y", [2, 3])]), d)


@case
def absurd_dimension(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", [1, 1 << 40])], [vinfo("y", [1, 1 << 40])]), d)


@case
def overflowing_element_count(d):
    big = [1 << 31, 1 << 31, 1 << 31]
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", big)], [vinfo("y", big)]), d)


@case
def initializer_overflowing_dims(d):
    t = raw_tensor("w", [1 << 32, 1 << 32], b"")
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [vinfo("x", [1])], [vinfo("y", 2)], [t]), d)


@case
def initializer_negative_dims(d):
    t = raw_tensor("w", [-2, 2], b"")
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [vinfo("x", [1])], [vinfo("y", 2)], [t]), d)


@case
def raw_data_length(d):
    t = raw_tensor("w", [2, 2], b"\0" * 12)
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [vinfo("x", [2, 2])], [vinfo("y", [2, 2])], [t]), d)


@case
def typed_data_length(d):
    t = TensorProto()
    t.name, t.data_type = "w", F
    t.dims.extend([2, 2])
    t.float_data.extend([1.0, 2.0, 3.0])
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [vinfo("x", [2, 2])], [vinfo("y", [2, 2])], [t]), d)


@case
def initializer_without_name(d):
    t = const("", np.ones(4, np.float32))
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", [4])], [vinfo("y", [4])], [t]), d)


@case
def declared_type_conflict(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", [1, 4])], [vinfo("y", [1, 5])]), d)


@case
def dynamic_input(d):
    save(model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
               [vinfo("x", ["batch", 4])], [vinfo("y", ["batch", 4])]), d)


@case
def sparse_initializer(d):
    m = relu_model()
    sp = helper.make_sparse_tensor(const("v", np.ones(1, np.float32)),
                                   const("i", np.zeros(1, np.int64)), [4])
    m.graph.sparse_initializer.append(sp)
    save(m, d)


# --- Operator semantics ------------------------------------------------------

@case
def conv_group(d):
    save(conv_model(w_shape=(4, 1, 3, 3), x_shape=(1, 4, 8, 8), group=3), d)


@case
def conv_weight_rank(d):
    save(conv_model(w_shape=(4, 27)), d)


@case
def conv_kernel_too_large(d):
    save(conv_model(w_shape=(4, 3, 9, 9), x_shape=(1, 3, 4, 4),
                    pads=[1, 1, 1, 1]), d)


@case
def conv_channel_mismatch(d):
    save(conv_model(w_shape=(4, 5, 3, 3)), d)


@case
def pool_zero_stride(d):
    # Found by whittle-fuzz-import: ONNX 1.12's shape inference divides by
    # the stride.
    save(model([helper.make_node("MaxPool", ["x"], ["y"], name="pool",
                                 kernel_shape=[2, 2], strides=[0, 1])],
               [vinfo("x", [1, 1, 4, 4])], [vinfo("y", 4)]), d)


@case
def conv_zero_group(d):
    save(conv_model(group=0), d)


@case
def conv_negative_pads(d):
    save(conv_model(pads=[0, -1, 0, 0]), d)


@case
def subgraph_zero_dilation(d):
    body = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["z"], name="inner",
                          dilations=[0, 1])],
        "then", [], [vinfo("z", 4)])
    els = helper.make_graph([helper.make_node("Identity", ["x"], ["e"])],
                            "else", [], [vinfo("e", 4)])
    save(model([helper.make_node("If", ["c"], ["y"], name="branch",
                                 then_branch=body, else_branch=els)],
               [vinfo("x", [1, 3, 8, 8]), vinfo("c", [], TensorProto.BOOL)],
               [vinfo("y", 4)], [const("w", np.ones((4, 3, 3, 3), np.float32))]),
         d)


@case
def conv_weight_rank_no_kernel_shape(d):
    # ONNX 1.12 takes the kernel from W's dims and indexes past its arrays
    # when W's rank differs from X's (fixed upstream in ONNX 1.17).
    save(conv_model(w_shape=(4, 3, 3)), d)


@case
def conv_attribute_length(d):
    save(conv_model(strides=[1, 1, 1]), d)


@case
def gemm_vector(d):
    # ONNX 1.12's Gemm-6 inference reads dim 1 of A unchecked.
    save(model([helper.make_node("Gemm", ["a", "b", "c"], ["y"], name="gemm")],
               [vinfo("a", [4]), vinfo("b", [4, 2]), vinfo("c", [2])],
               [vinfo("y", 2)], opset=6), d)


@case
def layernorm_axis(d):
    # Found by whittle-fuzz-compile: ONNX 1.12's LayerNormalization
    # inference indexes the shape with an unchecked axis.
    save(model([helper.make_node("LayerNormalization", ["x", "w", "b"], ["y"],
                                 name="norm", axis=-33)],
               [vinfo("x", [3, 4])], [vinfo("y", 2)],
               [const("w", np.ones(4, np.float32)),
                const("b", np.zeros(4, np.float32))], opset=17), d)


@case
def model_local_function(d):
    m = relu_model()
    f = m.functions.add()
    f.name, f.domain = "Loop", "local"
    f.node.add().CopyFrom(helper.make_node("Loop", ["x"], ["y"], domain="local"))
    save(m, d)


@case
def external_data_aliased(d):
    # Five 2 GiB tensors naming the same bytes: bounded in total.
    n = 1 << 29
    with open(os.path.join(d, "weights.bin"), "wb") as f:
        f.truncate(n * 4)
    ts = []
    for i in range(5):
        t = TensorProto()
        t.name, t.data_type = f"w{i}", F
        t.dims.append(n)
        t.data_location = TensorProto.EXTERNAL
        e = t.external_data.add()
        e.key, e.value = "location", "weights.bin"
        ts.append(t)
    save(model([helper.make_node("Sum", [t.name for t in ts], ["y"],
                                 name="sum")],
               [], [vinfo("y", [n])], ts), d)


@case
def gather_index_out_of_range(d):
    save(model([helper.make_node("Gather", ["x", "i"], ["y"], name="gather")],
               [vinfo("x", [5, 3])], [vinfo("y", 2)],
               [const("i", np.array([0, 7], np.int64))]), d)


@case
def slice_axis_out_of_range(d):
    save(model([helper.make_node("Slice", ["x", "s", "e", "a"], ["y"],
                                 name="slice")],
               [vinfo("x", [5, 3])], [vinfo("y", 2)],
               [const("s", np.array([0], np.int64)),
                const("e", np.array([2], np.int64)),
                const("a", np.array([4], np.int64))]), d)


@case
def pad_negative_past_size(d):
    save(model([helper.make_node("Pad", ["x", "p"], ["y"], name="pad")],
               [vinfo("x", [1, 4])], [vinfo("y", 2)],
               [const("p", np.array([0, -3, 0, -3], np.int64))]), d)


@case
def reshape_two_minus_ones(d):
    save(model([helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape")],
               [vinfo("x", [2, 6])], [vinfo("y", 2)],
               [const("s", np.array([-1, -1], np.int64))]), d)


@case
def reshape_count_mismatch(d):
    save(model([helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape")],
               [vinfo("x", [2, 6])], [vinfo("y", 2)],
               [const("s", np.array([5, 5], np.int64))]), d)


@case
def transpose_bad_perm(d):
    save(model([helper.make_node("Transpose", ["x"], ["y"], name="transpose",
                                 perm=[0, 0])],
               [vinfo("x", [2, 6])], [vinfo("y", 2)]), d)


@case
def concat_axis_out_of_range(d):
    save(model([helper.make_node("Concat", ["x", "x"], ["y"], name="cat",
                                 axis=5)],
               [vinfo("x", [2, 6])], [vinfo("y", 2)]), d)


@case
def matmul_shape_mismatch(d):
    save(model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
               [vinfo("x", [2, 6])], [vinfo("y", 2)],
               [const("w", np.ones((5, 3), np.float32))]), d)


@case
def split_sizes_mismatch(d):
    save(model([helper.make_node("Split", ["x", "s"], ["a", "b"],
                                 name="split", axis=1)],
               [vinfo("x", [2, 6])], [vinfo("a", 2), vinfo("b", 2)],
               [const("s", np.array([2, 2], np.int64))]), d)


@case
def cast_to_string(d):
    save(model([helper.make_node("Cast", ["x"], ["y"], name="cast",
                                 to=TensorProto.STRING)],
               [vinfo("x", [2])], [vinfo("y", 1, TensorProto.STRING)]), d)


# --- Constant-folding bombs: refused from shapes, never allocated -----------

@case
def constant_of_shape_bomb(d):
    save(model([helper.make_node("ConstantOfShape", ["s"], ["y"], name="bomb")],
               [], [vinfo("y", 2)],
               [const("s", np.array([1000000, 1000000], np.int64))]), d)


@case
def expand_bomb(d):
    save(model([helper.make_node("Expand", ["c", "s"], ["y"], name="bomb")],
               [], [vinfo("y", 2)],
               [const("c", np.ones(1, np.float32)),
                const("s", np.array([1000000, 1000000], np.int64))]), d)


@case
def tile_bomb(d):
    save(model([helper.make_node("Tile", ["c", "r"], ["y"], name="bomb")],
               [], [vinfo("y", 2)],
               [const("c", np.ones((1, 1), np.float32)),
                const("r", np.array([1000000, 1000000], np.int64))]), d)


@case
def range_bomb(d):
    save(model([helper.make_node("Range", ["a", "b", "s"], ["y"], name="bomb")],
               [], [vinfo("y", 1, TensorProto.INT64)],
               [const("a", np.array(0, np.int64)),
                const("b", np.array(10 ** 12, np.int64)),
                const("s", np.array(1, np.int64))]), d)


# --- External data -----------------------------------------------------------

def external_model(d, location, offset=None, length=None, n=4):
    t = TensorProto()
    t.name = "w"
    t.data_type = F
    t.dims.append(n)
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", location), ("offset", offset),
                 ("length", length)):
        if v is not None:
            e = t.external_data.add()
            e.key, e.value = k, str(v)
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [vinfo("x", [n])], [vinfo("y", [n])], [t]), d)


@case
def external_data_parent_dir(d):
    external_model(d, "../../etc/passwd")


@case
def external_data_absolute(d):
    external_model(d, "/etc/passwd")


@case
def external_data_symlink(d):
    os.symlink("/etc/passwd", os.path.join(d, "weights.bin"))
    external_model(d, "weights.bin")


@case
def external_data_missing(d):
    external_model(d, "weights.bin")


@case
def external_data_past_end(d):
    write(d, b"\0" * 16, "weights.bin")
    external_model(d, "weights.bin", offset=8)


@case
def external_data_bad_length(d):
    write(d, b"\0" * 64, "weights.bin")
    external_model(d, "weights.bin", length=12)


@case
def external_data_bad_offset(d):
    write(d, b"\0" * 16, "weights.bin")
    external_model(d, "weights.bin", offset="-8")


@case
def weights_exceed_address_space(d):
    # Three 1.5 GiB tensors in a sparse file: more than a 32-bit target can
    # address, refused before a byte of it is read.
    n = 3 << 27
    p = os.path.join(d, "weights.bin")
    with open(p, "wb") as f:
        f.truncate(3 * n * 4)
    ts = []
    for i in range(3):
        t = TensorProto()
        t.name, t.data_type = f"w{i}", F
        t.dims.append(n)
        t.data_location = TensorProto.EXTERNAL
        for k, v in (("location", "weights.bin"), ("offset", i * n * 4),
                     ("length", n * 4)):
            e = t.external_data.add()
            e.key, e.value = k, str(v)
        ts.append(t)
    save(model([helper.make_node("Sum", ["w0", "w1", "w2"], ["y"],
                                 name="sum")],
               [], [vinfo("y", [n])], ts), d)
    return ["--target=cortex-m4"]


# --- Quantization parameters -------------------------------------------------

def quantize_model(d, scale, zero_point, zp_type=np.int8, axis=None,
                   x_shape=(1, 3)):
    attrs = {} if axis is None else {"axis": axis}
    save(model([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                                 name="quant", **attrs)],
               [vinfo("x", list(x_shape))], [vinfo("y", 2, TensorProto.INT8)],
               [const("s", np.array(scale, np.float32)),
                const("z", np.array(zero_point, zp_type))]), d)


@case
def quant_scale_zero(d):
    quantize_model(d, 0.0, 0)


@case
def quant_scale_negative(d):
    quantize_model(d, -0.5, 0)


@case
def quant_scale_nan(d):
    quantize_model(d, float("nan"), 0)


@case
def quant_zero_point_type(d):
    quantize_model(d, 0.5, 3, zp_type=np.int32)


@case
def quant_zero_point_range(d):
    z = TensorProto()
    z.name, z.data_type = "z", TensorProto.UINT8
    z.int32_data.append(300)
    save(model([helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"],
                                 name="quant")],
               [vinfo("x", [1, 3])], [vinfo("y", 2, TensorProto.UINT8)],
               [const("s", np.array(0.5, np.float32)), z]), d)


@case
def quant_axis_scale_count(d):
    quantize_model(d, [0.5, 0.25], [0, 0], axis=1)


# --- Calibration data --------------------------------------------------------

def calibration_case(d, array):
    save(conv_model(), d)
    os.makedirs(os.path.join(d, "calib"))
    np.save(os.path.join(d, "calib", "0.npy"), array)
    return ["--decompose-conv=auto", "--calibration=" + os.path.join(d, "calib")]


@case
def calibration_wrong_shape(d):
    return calibration_case(d, np.zeros((1, 3, 4, 4), np.float32))


@case
def calibration_wrong_dtype(d):
    return calibration_case(d, np.zeros((1, 3, 8, 8), np.float64))


# --- Inputs that must compile ------------------------------------------------

@case
def ok_nan_weights(d):
    w = np.array([1.0, np.nan, np.inf, -np.inf], np.float32)
    save(model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
               [vinfo("x", [4])], [vinfo("y", [4])], [const("w", w)]), d)


def names_model(d, names):
    """A chain of Relus whose input, intermediates and output use `names`."""
    nodes = [helper.make_node("Relu", [names[i]], [names[i + 1]],
                              name=names[i + 1])
             for i in range(len(names) - 1)]
    save(model(nodes, [vinfo(names[0], [2])], [vinfo(names[-1], [2])]), d)


@case
def ok_c_keyword_names(d):
    names_model(d, ["int", "return", "static"])


@case
def ok_comment_breaking_names(d):
    names_model(d, ["x */ int evil; /*", "a\nb", 'q"uote\\', "*/"])


@case
def ok_invalid_utf8_names(d):
    names_model(d, ["in", "mid", "out"])
    with open(os.path.join(d, "model.onnx"), "rb") as f:
        data = f.read()
    # Same length, so the protobuf framing stays intact.
    write(d, data.replace(b"mid", b"m\xff\xfe"))


@case
def ok_colliding_names(d):
    save(model([helper.make_node("Add", ["a.b", "a_b"], ["y"], name="add"),
                helper.make_node("Neg", ["y"], ["y."], name="neg")],
               [vinfo("a.b", [2]), vinfo("a_b", [2])],
               [vinfo("y", [2]), vinfo("y.", [2])]), d)


# --- Driver ------------------------------------------------------------------

CRASH_MARKERS = ("Stack dump", "Assertion", "PLEASE submit", "Sanitizer",
                 "runtime error:", "terminate called", "Segmentation")


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(sorted(CASES)))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "--write-all":
        for name, fn in sorted(CASES.items()):
            d = os.path.join(sys.argv[2], name)
            os.makedirs(d, exist_ok=True)
            fn(d)
        return 0
    name, work, whittle = sys.argv[1:4]
    extra = sys.argv[4:]
    os.makedirs(work, exist_ok=True)
    for f in os.listdir(work):
        p = os.path.join(work, f)
        if os.path.isdir(p) and not os.path.islink(p):
            subprocess.run(["rm", "-rf", p], check=True)
        else:
            os.remove(p)
    out = os.path.join(work, "out")
    os.makedirs(out)
    more = CASES[name](work) or []
    expect_ok = name.startswith("ok-")
    target = os.path.join(out, "m.c" if expect_ok else "m.o")
    cmd = [whittle, os.path.join(work, "model.onnx"), "-o", target]
    r = subprocess.run(cmd + more + extra, capture_output=True, text=True,
                       errors="replace")
    sys.stdout.write(r.stderr)
    problems = []
    if any(m in r.stderr for m in CRASH_MARKERS) or r.returncode < 0:
        problems.append(f"crashed (exit {r.returncode})")
    if expect_ok:
        if r.returncode != 0:
            problems.append(f"exit {r.returncode}, expected 0")
        else:
            cc = [os.environ.get("CC", "cc"), "-std=c99", "-Wall", "-Wextra",
                  "-pedantic", "-Werror", "-c", target, "-o",
                  os.path.join(out, "m_c.o")]
            c = subprocess.run(cc, capture_output=True, text=True)
            if c.returncode != 0:
                problems.append("generated C does not compile:\n" + c.stderr)
    else:
        if r.returncode != 1:
            problems.append(f"exit {r.returncode}, expected 1")
        errors = [l for l in r.stderr.splitlines() if "error:" in l]
        if len(errors) != 1:
            problems.append(f"{len(errors)} error lines, expected 1")
        left = os.listdir(out)
        if left:
            problems.append(f"left output behind: {left}")
    for p in problems:
        print(f"malformed.py: {name}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
