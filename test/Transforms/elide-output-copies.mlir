// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(whittle-elide-output-copies))' | FileCheck %s

// A flattened result: the kernel writes through an expand_shape view of the
// out-parameter and the copy is gone.
// CHECK-LABEL: func.func @flatten
// CHECK-SAME: (%[[IN:.*]]: memref<1x2x3xf32>, %[[OUT:.*]]: memref<1x6xf32>)
// CHECK-NOT: memref.alloc
// CHECK: %[[V:.*]] = memref.expand_shape %[[OUT]] {{\[\[}}0], [1, 2]] output_shape [1, 2, 3]
// CHECK: linalg.copy ins(%[[IN]] : memref<1x2x3xf32>) outs(%[[V]] : memref<1x2x3xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @flatten(%in: memref<1x2x3xf32>, %out: memref<1x6xf32>) {
  %a = memref.alloc() : memref<1x2x3xf32>
  linalg.copy ins(%in : memref<1x2x3xf32>) outs(%a : memref<1x2x3xf32>)
  %c = memref.collapse_shape %a [[0], [1, 2]] : memref<1x2x3xf32> into memref<1x6xf32>
  memref.copy %c, %out : memref<1x6xf32> to memref<1x6xf32>
  return
}

// -----

// Two reshapes (expand then collapse) are undone in reverse order.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: %[[OUT:[^:]*]]: memref<6xf32>
// CHECK: %[[E:.*]] = memref.expand_shape %[[OUT]] {{\[\[}}0, 1, 2]] output_shape [1, 2, 3]
// CHECK: %[[C:.*]] = memref.collapse_shape %[[E]] {{\[\[}}0, 1], [2]] : memref<1x2x3xf32> into memref<2x3xf32>
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32>) outs(%[[C]] : memref<2x3xf32>)
// CHECK-NOT: memref.copy
func.func @chain(%in: memref<2x3xf32>, %out: memref<6xf32>) {
  %a = memref.alloc() : memref<2x3xf32>
  linalg.copy ins(%in : memref<2x3xf32>) outs(%a : memref<2x3xf32>)
  %x = memref.expand_shape %a [[0, 1], [2]] output_shape [1, 2, 3] : memref<2x3xf32> into memref<1x2x3xf32>
  %c = memref.collapse_shape %x [[0, 1, 2]] : memref<1x2x3xf32> into memref<6xf32>
  memref.copy %c, %out : memref<6xf32> to memref<6xf32>
  return
}

// -----

// Kept: the allocation is written after the copy (the output must hold the
// value at the time of the copy), and a second copy reads another
// out-parameter's source that is a function argument.
// CHECK-LABEL: func.func @kept
// CHECK: memref.alloc
// CHECK: memref.copy
// CHECK: linalg.fill
// CHECK: memref.copy
func.func @kept(%in: memref<1x2x3xf32>, %out: memref<1x6xf32>, %out2: memref<1x6xf32>) {
  %cst = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<1x2x3xf32>
  linalg.copy ins(%in : memref<1x2x3xf32>) outs(%a : memref<1x2x3xf32>)
  %c = memref.collapse_shape %a [[0], [1, 2]] : memref<1x2x3xf32> into memref<1x6xf32>
  memref.copy %c, %out : memref<1x6xf32> to memref<1x6xf32>
  linalg.fill ins(%cst : f32) outs(%a : memref<1x2x3xf32>)
  %c2 = memref.collapse_shape %in [[0], [1, 2]] : memref<1x2x3xf32> into memref<1x6xf32>
  memref.copy %c2, %out2 : memref<1x6xf32> to memref<1x6xf32>
  return
}
