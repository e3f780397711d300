// RUN: whittle-opt %s --pass-pipeline="builtin.module(func.func(whittle-lower-memref-copy))" | FileCheck %s

// CHECK-LABEL: func @strided
// CHECK-NOT: memref.copy
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[V:.*]] = memref.load %arg0[%[[I]], %[[J]]]
// CHECK: memref.store %[[V]], %arg1[%[[I]], %[[J]]]
func.func @strided(%a: memref<2x3xf32>, %b: memref<2x3xf32, strided<[8, 1], offset: 4>>) {
  memref.copy %a, %b : memref<2x3xf32> to memref<2x3xf32, strided<[8, 1], offset: 4>>
  return
}
