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

// A tile clipped at a border has dynamic extents: the loop bounds are read
// off the source.
// CHECK-LABEL: func @dynamic
// CHECK-NOT: memref.copy
// CHECK: %[[N:.*]] = memref.dim %arg0, %c0
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]] step
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step
// CHECK: memref.load %arg0[%[[I]], %[[J]]]
func.func @dynamic(%a: memref<?x3xf32, strided<[3, 1], offset: ?>>, %b: memref<?x3xf32, strided<[8, 1], offset: ?>>) {
  memref.copy %a, %b : memref<?x3xf32, strided<[3, 1], offset: ?>> to memref<?x3xf32, strided<[8, 1], offset: ?>>
  return
}
