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

// sqrt is one instruction on every FPU target: kept.
// CHECK-LABEL: func @sqrt
// CHECK: math.sqrt
func.func @sqrt(%x: f32) -> f32 {
  %0 = math.sqrt %x : f32
  return %0 : f32
}
