// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=512 registers=32 reciprocal=true},canonicalize,cse)" | FileCheck %s
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=512 registers=32})" | FileCheck %s --check-prefix=DIV

// 1 / (1 + x) on 16 lanes: an estimate r0, one Newton step
// r0 + r0 (1 - d r0), and r0 where the step gives NaN (d = 0 or inf).
// CHECK-LABEL: func.func @sigmoid_like
// CHECK: %[[D:.*]] = arith.addf %{{.*}} : vector<16xf32>
// CHECK: %[[R0:.*]] = llvm.call_intrinsic "llvm.x86.avx512.rcp14.ps.512"(%[[D]], %[[ONE:.*]], %{{.*}}) : (vector<16xf32>, vector<16xf32>, i16) -> vector<16xf32>
// CHECK: %[[N:.*]] = arith.negf %[[D]]
// CHECK: %[[E:.*]] = vector.fma %[[N]], %[[R0]], %[[ONE]]
// CHECK: %[[R1:.*]] = vector.fma %[[R0]], %[[E]], %[[R0]]
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[R1]], %[[R1]]
// CHECK: arith.select %[[NAN]], %[[R0]], %[[R1]]
// CHECK-NOT: arith.divf
// A division by anything but 1 stays one.
// CHECK-LABEL: func.func @ratio
// CHECK: arith.divf
// DIV-LABEL: func.func @sigmoid_like
// DIV: arith.divf
// DIV-NOT: rcp14
#id = affine_map<(d0) -> (d0)>
func.func @sigmoid_like(%x: memref<32xf32>, %y: memref<32xf32>) {
  %one = arith.constant 1.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : memref<32xf32>) outs(%y : memref<32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.addf %a, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  }
  return
}
func.func @ratio(%x: memref<32xf32>, %y: memref<32xf32>) {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%x : memref<32xf32>) outs(%y : memref<32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.divf %two, %a : f32
    linalg.yield %r : f32
  }
  return
}
