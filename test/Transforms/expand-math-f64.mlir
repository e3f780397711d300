// RUN: whittle-opt %s --whittle-expand-math | FileCheck %s
// RUN: whittle-opt %s --whittle-expand-math=native-rounding | FileCheck %s --check-prefix=NATIVE

// f64 exp, log and floor become arithmetic on the IEEE fields (no libm
// exp/log/floor calls, no f64<->i64 conversion helpers).

// exp: k = floor(x / ln2 + 1/2), r = x - k ln2 in two parts, a degree-13
// polynomial, and 2^k built in the exponent field in two halves.
// CHECK-LABEL: func @exp
// CHECK-DAG: arith.constant 1.4426950408889634 : f64
// CHECK-DAG: arith.constant 1023 : i64
// CHECK-DAG: arith.constant 52 : i64
// CHECK: arith.fptosi {{.*}} : f64 to i32
// CHECK: arith.shli
// CHECK-NOT: math.
// NATIVE-LABEL: func @exp
// NATIVE: math.floor
// NATIVE-NOT: math.exp
func.func @exp(%x: f64) -> f64 {
  %0 = math.exp %x : f64
  return %0 : f64
}

// log: exponent and mantissa from the bits (subnormals scaled by 2^54),
// mantissa folded into [sqrt(1/2), sqrt(2)), atanh series.
// CHECK-LABEL: func @log
// CHECK-DAG: arith.constant 0x4350000000000000 : f64
// CHECK-DAG: arith.constant 1.4142135623730951 : f64
// CHECK: arith.bitcast %{{.*}} : f64 to i64
// CHECK: arith.divf
// CHECK-NOT: math.
func.func @log(%x: f64) -> f64 {
  %0 = math.log %x : f64
  return %0 : f64
}

// floor: the fraction bits below the exponent are cleared; negative values
// with a fraction step down by one.
// CHECK-LABEL: func @floor
// CHECK: arith.constant 4503599627370495 : i64
// CHECK: arith.shrui
// CHECK: arith.xori
// CHECK-NOT: math.floor
// NATIVE-LABEL: func @floor
// NATIVE: math.floor
func.func @floor(%x: f64) -> f64 {
  %0 = math.floor %x : f64
  return %0 : f64
}
