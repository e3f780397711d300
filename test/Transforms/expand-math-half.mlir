// RUN: whittle-opt %s --whittle-expand-math | FileCheck %s

// f16 and bf16 conversions become integer code on the bit patterns (no
// __extendhfsf2 / __truncsfhf2 / __truncsfbf2 calls, no half type in C).

// f16 -> f32: sign, exponent rebias (+112), mantissa shift; subnormals as
// mantissa x 2^-24; exponent 31 keeps inf/NaN.
// CHECK-LABEL: func @extend_f16
// CHECK-DAG: arith.constant 112 : i32
// CHECK-DAG: arith.constant 5.96046448E-8 : f32
// CHECK: arith.bitcast %{{.*}} : f16 to i16
// CHECK: arith.extui
// CHECK: arith.sitofp
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK-NOT: arith.extf
func.func @extend_f16(%x: f16) -> f32 {
  %0 = arith.extf %x : f16 to f32
  return %0 : f32
}

// f32 -> f16, round to nearest even: overflow to inf, NaN to 0x7e00, the
// subnormal range through the 0.5 magic number.
// CHECK-LABEL: func @truncate_f16
// CHECK-DAG: arith.constant 32256 : i32
// CHECK-DAG: arith.constant 31744 : i32
// CHECK-DAG: arith.constant 1056964608 : i32
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: arith.addf
// CHECK: arith.trunci %{{.*}} : i32 to i16
// CHECK: arith.bitcast %{{.*}} : i16 to f16
// CHECK-NOT: arith.truncf
func.func @truncate_f16(%x: f32) -> f16 {
  %0 = arith.truncf %x : f32 to f16
  return %0 : f16
}

// f64 -> f16 directly (no double rounding through f32), in i64.
// CHECK-LABEL: func @truncate_f64_f16
// CHECK: arith.bitcast %{{.*}} : f64 to i64
// CHECK: arith.trunci %{{.*}} : i64 to i16
// CHECK-NOT: arith.truncf
func.func @truncate_f64_f16(%x: f64) -> f16 {
  %0 = arith.truncf %x : f64 to f16
  return %0 : f16
}

// bf16 <-> f32 on vectors: the upper half of the f32 bits, rounded.
// CHECK-LABEL: func @bf16_vector
// CHECK-DAG: arith.constant dense<32767> : vector<4xi32>
// CHECK: arith.shli %{{.*}} : vector<4xi32>
// CHECK: arith.addf %{{.*}} : vector<4xf32>
// CHECK: arith.bitcast %{{.*}} : vector<4xi16> to vector<4xbf16>
func.func @bf16_vector(%x: vector<4xbf16>) -> vector<4xbf16> {
  %0 = arith.extf %x : vector<4xbf16> to vector<4xf32>
  %1 = arith.addf %0, %0 : vector<4xf32>
  %2 = arith.truncf %1 : vector<4xf32> to vector<4xbf16>
  return %2 : vector<4xbf16>
}
