// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// Axes from the constant input (ReduceSum, opset 13) or the attribute.
// CHECK-LABEL: func @reduce
// CHECK: tosa.reduce_sum %{{.*}} {axis = 1 : i32}
// CHECK: tosa.reshape
// CHECK: tosa.reduce_max %{{.*}} {axis = 0 : i32}
// CHECK: tosa.reduce_max %{{.*}} {axis = 1 : i32}
func.func @reduce(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<1x1xf32>) {
  %axes = onnx.Constant dense<[-1]> : tensor<1xi64>
  %0 = onnx.ReduceSum %x, %axes : tensor<1xi64> {keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = onnx.ReduceMax %x : (tensor<2x3xf32>) -> tensor<1x1xf32>
  return %0, %1 : tensor<2xf32>, tensor<1x1xf32>
}

// -----

// ArgMin is ArgMax of the negation; indices widen to i64.
// CHECK-LABEL: func @argmin
// CHECK: tosa.negate
// CHECK: tosa.argmax %{{.*}} {axis = 1 : i32} : (tensor<2x3xf32>) -> tensor<2xi32>
// CHECK: tosa.cast %{{.*}} : (tensor<2xi32>) -> tensor<2xi64>
// CHECK: tosa.reshape
func.func @argmin(%x: tensor<2x3xf32>) -> tensor<2x1xi64> {
  %0 = onnx.ArgMin %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// CHECK-LABEL: func @log_softmax
// CHECK: tosa.reduce_max
// CHECK: tosa.sub
// CHECK: tosa.exp
// CHECK: tosa.reduce_sum
// CHECK: tosa.log
// CHECK: tosa.sub
func.func @log_softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = onnx.LogSoftmax %x {axis = 1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @layer_norm
// CHECK: tosa.reduce_sum
// CHECK: tosa.rsqrt
// CHECK: tosa.mul
// CHECK: tosa.add
func.func @layer_norm(%x: tensor<2x4xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = "onnx.LayerNormalization"(%x, %s, %b) {axis = 1 : i64, epsilon = 1.0e-5 : f32, resultSegmentSizes = array<i32: 1, 0, 0>} : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
