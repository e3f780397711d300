#!/usr/bin/env python3
"""Writes onnx-node-slice.txt: the slice of the ONNX backend node tests that
run_onnx_tests.py --target runs under QEMU (test/e2e/targets/node-slice-*).

The rule, deterministic given the host's expected list and the test data:
every test in onnx-node-expected.txt (those that pass on the host) gets a key,
the operator of its graph's nodes (`Conv`), or for an `_expanded` test the
operator of its non-expanded sibling plus ` (expanded)`, or else the sorted
set of its operators; the slice takes the first two tests of every key in
alphabetical order and lists them by family. Rerun this when the expected list
changes, then the targets' expected lists with run_onnx_tests.py --update."""
import argparse
import os
import sys
from collections import defaultdict

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
PER_KEY = 2

FAMILIES = [
    ("elementwise math", "Abs Acos Acosh Add Asin Asinh Atan Atanh Ceil Cos Cosh Div Erf Exp "
     "Floor Log Max Mean Min Mod Mul Neg Pow Reciprocal Round Sign Sin Sinh Sqrt Sub Sum Tan"),
    ("activations", "Celu Clip Elu HardSigmoid HardSwish LeakyRelu PRelu Relu Selu Shrink "
     "Sigmoid Softplus Softsign Tanh ThresholdedRelu"),
    ("comparison and logic", "And Equal Greater GreaterOrEqual IsInf IsNaN Less LessOrEqual "
     "Not Or Where Xor"),
    ("reductions", "ArgMax ArgMin ReduceL1 ReduceL2 ReduceLogSum ReduceMax ReduceMean "
     "ReduceMin ReduceProd ReduceSumSquare"),
    ("softmax", "Hardmax LogSoftmax Softmax"),
    ("matmul and gemm", "Gemm MatMul"),
    ("conv and pool", "AveragePool Conv ConvTranspose GlobalAveragePool MaxPool"),
    ("normalization", "BatchNormalization InstanceNormalization LayerNormalization"),
    ("shape and data movement", "Concat Constant ConstantOfShape DepthToSpace Dropout Expand "
     "EyeLike Flatten Identity Reshape Shape Size SpaceToDepth Split Squeeze Tile Transpose "
     "Trilu Unsqueeze"),
    ("gather", "Gather GatherElements"),
    ("cast", "Cast CastLike"),
]
FAMILY_OF = {op: fam for fam, ops in FAMILIES for op in ops.split()}


def ops_of(test_dir):
    model = onnx.load(os.path.join(test_dir, "model.onnx"), load_external_data=False)
    return sorted({n.op_type for n in model.graph.node})


def key_of(data, name):
    ops = ops_of(os.path.join(data, name))
    if len(ops) == 1:
        return ops[0]
    sibling = os.path.join(data, name[:-len("_expanded")])
    if name.endswith("_expanded") and os.path.isfile(os.path.join(sibling, "model.onnx")):
        return " ".join(ops_of(sibling)) + " (expanded)"
    return "+".join(ops)


def family_of(key):
    if key.endswith(" (expanded)"):
        return "composite (expanded function bodies)"
    return FAMILY_OF.get(key, "other")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    ap.add_argument("--expected", default=os.path.join(HERE, "onnx-node-expected.txt"))
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "onnx-node-slice.txt"))
    args = ap.parse_args()

    names = sorted(l.strip() for l in open(args.expected) if l.strip() and not l.startswith("#"))
    by_key = defaultdict(list)
    for n in names:
        by_key[key_of(args.data, n)].append(n)
    by_family = defaultdict(list)
    for key, tests in by_key.items():
        by_family[family_of(key)] += tests[:PER_KEY]
    order = [f for f, _ in FAMILIES] + ["composite (expanded function bodies)", "other"]
    total = sum(len(v) for v in by_family.values())
    with open(args.output, "w") as f:
        f.write("# ONNX backend node tests run on the targets under QEMU (test/e2e/targets/\n"
                "# node-slice-*.test). Written by make_node_slice.py: the first two tests\n"
                "# (alphabetically) of every operator in onnx-node-expected.txt, by family.\n"
                f"# {total} tests.\n")
        for fam in order:
            if by_family.get(fam):
                f.write(f"\n# {fam} ({len(by_family[fam])})\n")
                f.writelines(n + "\n" for n in sorted(by_family[fam]))
    for fam in order:
        if by_family.get(fam):
            print(f"{fam}: {len(by_family[fam])}")
    print(f"total: {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
