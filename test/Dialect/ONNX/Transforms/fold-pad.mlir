// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-fold-pad))' | FileCheck %s

// The spatial pads (ONNX order: begins then ends) add to the conv's.
// CHECK-LABEL: func.func @conv
// CHECK-NOT: onnx.Pad
// CHECK: onnx.Conv %arg0, %{{.*}} {pads = [2, 1, 3, 1]} : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x9x6xf32>
func.func @conv(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x9x6xf32> {
  %pads = onnx.Constant dense<[0, 0, 1, 0, 0, 0, 2, 0]> : tensor<8xi64>
  %p = "onnx.Pad"(%x, %pads) {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<1x2x6x6xf32>, tensor<8xi64>) -> tensor<1x2x9x6xf32>
  %w = onnx.Constant dense<0.5> : tensor<4x2x3x3xf32>
  %y = onnx.Conv %p, %w {pads = [1, 1, 1, 1]} : (tensor<1x2x9x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x9x6xf32>
  return %y : tensor<1x4x9x6xf32>
}

// -----

// Average pooling that counts padding absorbs it too.
// CHECK-LABEL: func.func @avgpool
// CHECK-NOT: onnx.Pad
// CHECK: onnx.AveragePool %arg0 {count_include_pad = 1 : i64, kernel_shape = [3, 3], pads = [1, 1, 1, 1]}
func.func @avgpool(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  %pads = onnx.Constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  %zero = onnx.Constant dense<0.0> : tensor<f32>
  %p = "onnx.Pad"(%x, %pads, %zero) {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<1x2x6x6xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x2x8x8xf32>
  %y = onnx.AveragePool %p {count_include_pad = 1 : i64, kernel_shape = [3, 3]} : (tensor<1x2x8x8xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

// Kept: a non-zero pad value, channel padding, reflect mode, a pool that
// does not count padding, a pad with two users.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-5: onnx.Pad
func.func @kept(%x: tensor<1x2x6x6xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x2x6x6xf32>, tensor<1x2x8x8xf32>) {
  %w = onnx.Constant dense<0.5> : tensor<4x2x3x3xf32>
  %w3 = onnx.Constant dense<0.5> : tensor<4x3x3x3xf32>
  %sp = onnx.Constant dense<[0, 0, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  %cp = onnx.Constant dense<[0, 1, 1, 1, 0, 0, 1, 1]> : tensor<8xi64>
  %one = onnx.Constant dense<1.0> : tensor<f32>
  %p1 = "onnx.Pad"(%x, %sp, %one) {operandSegmentSizes = array<i32: 1, 1, 1, 0>} : (tensor<1x2x6x6xf32>, tensor<8xi64>, tensor<f32>) -> tensor<1x2x8x8xf32>
  %y1 = onnx.Conv %p1, %w : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  %p2 = "onnx.Pad"(%x, %cp) {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<1x2x6x6xf32>, tensor<8xi64>) -> tensor<1x3x8x8xf32>
  %y2 = onnx.Conv %p2, %w3 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %p3 = "onnx.Pad"(%x, %sp) {mode = "reflect", operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<1x2x6x6xf32>, tensor<8xi64>) -> tensor<1x2x8x8xf32>
  %y3 = onnx.Conv %p3, %w : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  %p4 = "onnx.Pad"(%x, %sp) {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<1x2x6x6xf32>, tensor<8xi64>) -> tensor<1x2x8x8xf32>
  %y4 = onnx.AveragePool %p4 {kernel_shape = [3, 3]} : (tensor<1x2x8x8xf32>) -> tensor<1x2x6x6xf32>
  %p5 = "onnx.Pad"(%x, %sp) {operandSegmentSizes = array<i32: 1, 1, 0, 0>} : (tensor<1x2x6x6xf32>, tensor<8xi64>) -> tensor<1x2x8x8xf32>
  %y5 = onnx.Conv %p5, %w : (tensor<1x2x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y1, %y2, %y3, %y4, %p5 : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x2x6x6xf32>, tensor<1x2x8x8xf32>
}
