// RUN: whittle-opt %s --whittle-expand-math | FileCheck %s --check-prefix=FPU
// RUN: whittle-opt %s --whittle-expand-math=soft-float | FileCheck %s

// With an FPU, sqrt and IEEE max stay (one instruction each).
// FPU-LABEL: func.func @f
// FPU: math.sqrt
// FPU: arith.maximumf

// Without one, sqrt is a digit-by-digit root in i32 (26 steps of two
// radicand bits) and maximumf a NaN-propagating compare and select: no
// sqrtf or fmaximumf call can appear.
// CHECK-LABEL: func.func @f
// CHECK-NOT: math.sqrt
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: scf.for {{.*}} iter_args
// CHECK: arith.cmpi uge
// CHECK: scf.yield
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// CHECK-NOT: arith.maximumf
// CHECK: arith.cmpf
// CHECK: arith.select
// CHECK: return
func.func @f(%x: f32, %y: f32) -> (f32, f32) {
  %s = math.sqrt %x : f32
  %m = arith.maximumf %x, %y : f32
  return %s, %m : f32, f32
}
