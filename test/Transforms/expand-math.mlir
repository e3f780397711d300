// RUN: whittle-opt %s --whittle-expand-math | FileCheck %s

// Nothing that would become a libm call survives.
// CHECK-LABEL: func @transcendental
// CHECK-NOT: math.exp
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK-NOT: math.erf
// CHECK-NOT: math.fma
// CHECK-NOT: math.floor
// CHECK-NOT: math.powf
// CHECK: return
func.func @transcendental(%x: f32, %y: f32) -> (f32, f32, f32, f32, f32, f32) {
  %0 = math.exp %x : f32
  %1 = math.tanh %x : f32
  %2 = math.log %x : f32
  %3 = math.erf %x : f32
  %4 = math.powf %x, %y : f32
  %5 = math.floor %x : f32
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, f32, f32
}

// floor avoids undefined float->int conversions: large values pass through.
// CHECK-LABEL: func @floor
// CHECK: %[[ABS:.*]] = math.absf %arg0
// CHECK: %[[SMALL:.*]] = arith.cmpf olt, %[[ABS]]
// CHECK: arith.fptosi
// CHECK: arith.select %[[SMALL]], %{{.*}}, %arg0
func.func @floor(%x: f32) -> f32 {
  %0 = math.floor %x : f32
  return %0 : f32
}

// Vectors too (vectorized kernel epilogues): SSE2 has no rounding
// instruction, and LLVM would call floorf per lane.
// CHECK-LABEL: func @floor_vector
// CHECK: %[[ABS:.*]] = math.absf %arg0 : vector<4xf32>
// CHECK: arith.cmpf olt, %[[ABS]], %{{.*}} : vector<4xf32>
// CHECK: arith.fptosi %{{.*}} : vector<4xf32> to vector<4xi32>
// CHECK-NOT: math.floor
// CHECK-NOT: math.roundeven
// CHECK: return
func.func @floor_vector(%x: vector<4xf32>) -> (vector<4xf32>, vector<4xf32>) {
  %0 = math.floor %x : vector<4xf32>
  %1 = math.roundeven %x : vector<4xf32>
  return %0, %1 : vector<4xf32>, vector<4xf32>
}

// sqrt is one instruction on every FPU target: kept.
// CHECK-LABEL: func @sqrt
// CHECK: math.sqrt
func.func @sqrt(%x: f32) -> f32 {
  %0 = math.sqrt %x : f32
  return %0 : f32
}

// ceil and roundeven convert through i32, never i64 (which needs 64-bit
// conversion helpers on 32-bit targets), and keep x's sign (-0 results).
// CHECK-LABEL: func @rounding
// CHECK-NOT: math.ceil
// CHECK-NOT: math.roundeven
// CHECK-NOT: i64
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: math.copysign
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: math.copysign
// CHECK: return
func.func @rounding(%x: f32) -> (f32, f32) {
  %0 = math.ceil %x : f32
  %1 = math.roundeven %x : f32
  return %0, %1 : f32, f32
}

// IEEE maximum/minimum on f64 become compare and select (LLVM 22 cannot
// select llvm.maximum.f64 for Cortex-M FPUs); NaN in b is kept by the
// unordered self-compare.
// CHECK-LABEL: func @minmax_f64
// CHECK-NOT: arith.maximumf
// CHECK: %[[GT:.*]] = arith.cmpf ugt, %arg0, %arg1 : f64
// CHECK: %[[SEL:.*]] = arith.select %[[GT]], %arg0, %arg1
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %arg1, %arg1 : f64
// CHECK: arith.select %[[NAN]], %arg1, %[[SEL]]
// CHECK: arith.cmpf ult
// CHECK-NOT: arith.minimumf
// CHECK: return
func.func @minmax_f64(%a: f64, %b: f64) -> (f64, f64) {
  %0 = arith.maximumf %a, %b : f64
  %1 = arith.minimumf %a, %b : f64
  return %0, %1 : f64, f64
}

// roundeven of a value clamped by constants below 2^23 (a QuantizeLinear's
// saturation): no guard for large values or NaN, just truncate and step.
// CHECK-LABEL: func @roundeven_clamped
// CHECK-NOT: 8.388608e+06
// CHECK: arith.cmpf olt
// CHECK: %[[C:.*]] = arith.select %{{.*}} : vector<4xi1>, vector<4xf32>
// CHECK: %[[I:.*]] = arith.fptosi %[[C]] : vector<4xf32> to vector<4xi32>
// CHECK: %[[T:.*]] = arith.sitofp %[[I]]
// CHECK: arith.subf %[[C]], %[[T]]
// CHECK: %[[R:.*]] = arith.select %{{.*}} : vector<4xi1>, vector<4xf32>
// CHECK: %[[S:.*]] = math.copysign %[[R]], %[[C]]
// CHECK-NOT: arith.select
// CHECK: return %[[S]]
func.func @roundeven_clamped(%x: vector<4xf32>) -> vector<4xf32> {
  %lo = arith.constant dense<-125.0> : vector<4xf32>
  %hi = arith.constant dense<130.0> : vector<4xf32>
  %gt = arith.cmpf ogt, %x, %lo : vector<4xf32>
  %a = arith.select %gt, %x, %lo : vector<4xi1>, vector<4xf32>
  %lt = arith.cmpf olt, %a, %hi : vector<4xf32>
  %b = arith.select %lt, %a, %hi : vector<4xi1>, vector<4xf32>
  %r = math.roundeven %b : vector<4xf32>
  return %r : vector<4xf32>
}

// One-sided or unordered clamps keep the general expansion (its guard
// compares |x| with 2^23).
// CHECK-LABEL: func @roundeven_one_side
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: arith.fptosi
func.func @roundeven_one_side(%x: f32) -> f32 {
  %lo = arith.constant -125.0 : f32
  %gt = arith.cmpf ogt, %x, %lo : f32
  %a = arith.select %gt, %x, %lo : f32
  %r = math.roundeven %a : f32
  return %r : f32
}
