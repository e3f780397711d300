// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=256},canonicalize)" | FileCheck %s
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=128},canonicalize)" | FileCheck %s --check-prefix=NARROW

// The int8 requantization's fixed-point rescale on i32 lanes,
// trunc((sext(a) * sext(b) + R) >> S) with S in [32, 63], becomes two
// multiplies of the even and odd lanes viewed as i64 (vpmuldq on x86)
// merged with a shift and a mask, instead of widening every lane.
// CHECK-LABEL: func @rescale
// CHECK-NOT: arith.extsi
// CHECK: vector.bitcast %{{.*}} : vector<8xi32> to vector<4xi64>
// CHECK: arith.muli %{{.*}} : vector<4xi64>
// CHECK: arith.muli %{{.*}} : vector<4xi64>
// CHECK: arith.ori
// CHECK: vector.bitcast %{{.*}} : vector<4xi64> to vector<8xi32>
// CHECK-NOT: arith.trunci
// NARROW-LABEL: func @rescale
// NARROW: arith.extsi
// NARROW: arith.trunci
func.func @rescale(%a: vector<8xi32>, %b: vector<8xi32>) -> vector<8xi32> {
  %r = arith.constant dense<1073741824> : vector<8xi64>
  %s = arith.constant dense<35> : vector<8xi64>
  %0 = arith.extsi %a : vector<8xi32> to vector<8xi64>
  %1 = arith.extsi %b : vector<8xi32> to vector<8xi64>
  %2 = arith.muli %0, %1 : vector<8xi64>
  %3 = arith.addi %2, %r : vector<8xi64>
  %4 = arith.shrsi %3, %s : vector<8xi64>
  %5 = arith.trunci %4 : vector<8xi64> to vector<8xi32>
  return %5 : vector<8xi32>
}
