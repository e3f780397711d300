// RUN: whittle-opt %s --whittle-expand-math=native-rounding=true | FileCheck %s
// RUN: whittle-opt %s --whittle-expand-math | FileCheck %s --check-prefix=EXPAND

// Targets that round in one instruction (x86 SSE4.1 roundps, AArch64 frint)
// keep floor, ceil and roundeven for LLVM; transcendental functions and
// round (half away from zero, which has no such instruction) are still
// expanded.
// CHECK-LABEL: func @rounding
// CHECK: math.floor %{{.*}} : vector<16xf32>
// CHECK: math.ceil %{{.*}} : f32
// CHECK: math.roundeven %{{.*}} : vector<16xf32>
// CHECK-NOT: math.round %
// CHECK-NOT: math.exp
// EXPAND-LABEL: func @rounding
// EXPAND-NOT: math.floor
// EXPAND-NOT: math.ceil
// EXPAND-NOT: math.round
func.func @rounding(%v: vector<16xf32>, %x: f32) -> (vector<16xf32>, f32, vector<16xf32>, f32, f32) {
  %0 = math.floor %v : vector<16xf32>
  %1 = math.ceil %x : f32
  %2 = math.roundeven %v : vector<16xf32>
  %3 = math.round %x : f32
  %4 = math.exp %x : f32
  return %0, %1, %2, %3, %4 : vector<16xf32>, f32, vector<16xf32>, f32, f32
}
