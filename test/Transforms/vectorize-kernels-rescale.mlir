// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=256},canonicalize)" | FileCheck %s
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=128},canonicalize)" | FileCheck %s --check-prefix=NARROW

// The int8 requantization's fixed-point rescale on i32 lanes,
// trunc((sext(a) * sext(b) + R) >> S) with S in [32, 63], becomes two
// multiplies of the even and odd lanes viewed as i64 (vpmuldq on x86)
// merged with a shift and a mask, instead of widening every lane. The odd
// lanes move down by a shuffle, not by a shift of the i64 lanes, so that
// each multiply's operands are sign-extended low halves.
// CHECK-LABEL: func @rescale
// CHECK-NOT: arith.extsi
// CHECK: vector.bitcast %{{.*}} : vector<8xi32> to vector<4xi64>
// CHECK: arith.muli %{{.*}} : vector<4xi64>
// CHECK: vector.shuffle %[[A:.*]], %[[A]] [1, 1, 3, 3, 5, 5, 7, 7]
// CHECK: arith.muli %{{.*}} : vector<4xi64>
// CHECK-NOT: arith.shrui
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

// With the rounding term a multiple of 2^32 (2^(S-1), S = 35), the high
// halves of the products interleave into i32 lanes, which take the
// rounding (2^34 / 2^32 = 4) and the rest of the shift (35 - 32 = 3).
// CHECK-LABEL: func @rescale_high
// CHECK-DAG: %[[C3:.*]] = arith.constant dense<3> : vector<8xi32>
// CHECK-DAG: %[[C4:.*]] = arith.constant dense<4> : vector<8xi32>
// CHECK: %[[E:.*]] = arith.muli %{{.*}} : vector<4xi64>
// CHECK: %[[O:.*]] = arith.muli %{{.*}} : vector<4xi64>
// CHECK-DAG: %[[EV:.*]] = vector.bitcast %[[E]] : vector<4xi64> to vector<8xi32>
// CHECK-DAG: %[[OV:.*]] = vector.bitcast %[[O]] : vector<4xi64> to vector<8xi32>
// CHECK: %[[H:.*]] = vector.shuffle %[[EV]], %[[OV]] [1, 9, 3, 11, 5, 13, 7, 15]
// CHECK: %[[S:.*]] = arith.addi %[[H]], %[[C4]] : vector<8xi32>
// CHECK: %[[R:.*]] = arith.shrsi %[[S]], %[[C3]] : vector<8xi32>
// CHECK-NOT: arith.ori
// CHECK: return %[[R]]
func.func @rescale_high(%a: vector<8xi32>, %b: vector<8xi32>) -> vector<8xi32> {
  %r = arith.constant dense<17179869184> : vector<8xi64>
  %s = arith.constant dense<35> : vector<8xi64>
  %0 = arith.extsi %a : vector<8xi32> to vector<8xi64>
  %1 = arith.extsi %b : vector<8xi32> to vector<8xi64>
  %2 = arith.muli %0, %1 : vector<8xi64>
  %3 = arith.addi %2, %r : vector<8xi64>
  %4 = arith.shrsi %3, %s : vector<8xi64>
  %5 = arith.trunci %4 : vector<8xi64> to vector<8xi32>
  return %5 : vector<8xi32>
}

// A requantized int8 output read straight back as i32 (a fused quantized
// Add): the clamp to [-128, 127] makes the truncation and the sign
// extension an identity, so the consumer takes the clamped value itself.
// CHECK-LABEL: func @clamped_round_trip
// CHECK: %[[MAX:.*]] = arith.maxsi %arg0
// CHECK: %[[MIN:.*]] = arith.minsi %[[MAX]]
// CHECK-NOT: arith.trunci
// CHECK-NOT: arith.extsi
// CHECK: arith.muli %[[MIN]]
// NARROW-LABEL: func @clamped_round_trip
// NARROW-NOT: arith.extsi
func.func @clamped_round_trip(%x: vector<8xi32>) -> vector<8xi32> {
  %lo = arith.constant dense<-128> : vector<8xi32>
  %hi = arith.constant dense<127> : vector<8xi32>
  %m = arith.constant dense<3> : vector<8xi32>
  %0 = arith.maxsi %x, %lo : vector<8xi32>
  %1 = arith.minsi %0, %hi : vector<8xi32>
  %2 = arith.trunci %1 : vector<8xi32> to vector<8xi8>
  %3 = arith.extsi %2 : vector<8xi8> to vector<8xi32>
  %4 = arith.muli %3, %m : vector<8xi32>
  return %4 : vector<8xi32>
}

// Bounds the narrow type does not hold (255 wraps in i8): kept.
// CHECK-LABEL: func @clamped_wide
// CHECK: arith.trunci
// CHECK: arith.extsi
// NARROW-LABEL: func @clamped_wide
// NARROW: arith.extsi
func.func @clamped_wide(%x: i32) -> i32 {
  %lo = arith.constant 0 : i32
  %hi = arith.constant 255 : i32
  %0 = arith.minsi %x, %hi : i32
  %1 = arith.maxsi %0, %lo : i32
  %2 = arith.trunci %1 : i32 to i8
  %3 = arith.extsi %2 : i8 to i32
  return %3 : i32
}
