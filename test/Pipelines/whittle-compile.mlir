// RUN: whittle-opt %s --whittle-compile=name=tiny | FileCheck %s
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-onnx-to-tosa,whittle-tosa-to-linalg,whittle-linalg-to-loops)" | FileCheck %s --check-prefix=LOOPS

// The whole pipeline: nothing but the LLVM dialect is left, the model function
// is internal and NAME_run is the only export.
// CHECK-NOT: onnx.
// CHECK-NOT: tosa.
// CHECK-NOT: memref.alloc
// CHECK: llvm.mlir.global private constant
// CHECK: llvm.func internal @main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: llvm.call @malloc
// CHECK-NOT: llvm.call @memrefCopy
// CHECK: llvm.func @tiny_run(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32

// The shared loop level: one arena argument, scf loops, no allocations.
// LOOPS-LABEL: func.func @main
// LOOPS-SAME: memref<1x3x8x8xf32>, %{{.*}}: memref<1x4x4x4xf32>, %{{.*}}: memref<{{[0-9]+}}xi8>)
// LOOPS-SAME: whittle.arena_size
// LOOPS-NOT: memref.alloc
// LOOPS-NOT: math.exp
// LOOPS: scf.for
func.func @main(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x4x4xf32> attributes {whittle.num_inputs = 1 : i64} {
  %w = onnx.Constant dense<0.5> : tensor<4x3x3x3xf32>
  %b = onnx.Constant dense<0.1> : tensor<4xf32>
  %c = onnx.Conv %x, %w, %b {pads = [1, 1, 1, 1]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %r = onnx.Relu %c : tensor<1x4x8x8xf32>
  %s = onnx.Sigmoid %r : tensor<1x4x8x8xf32>
  %p = onnx.MaxPool %s {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return %p : tensor<1x4x4x4xf32>
}
