// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(convert-onnx-to-tosa))' | FileCheck %s

// NegativeLogLikelihoodLoss, mean: per position the class weight (0 where
// the target is ignore_index) and -x[n, class, d] * weight, the class
// clamped into [0, C) so that no target reads outside the input; then
// sum(loss) / sum(weight).
// CHECK-LABEL: func.func @nll_mean
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<2x3xi64>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: arith.index_cast
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg2
// CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : i64
// CHECK: arith.select
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%arg1, %[[W]] : tensor<2x3xi64>, tensor<2x3xf32>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: tensor.extract %arg0
// CHECK: arith.negf
// CHECK: tosa.reduce_sum {{.*}} : (tensor<6xf32>) -> tensor<1xf32>
// CHECK: tosa.reduce_sum {{.*}} : (tensor<6xf32>) -> tensor<1xf32>
// CHECK: arith.divf
// CHECK: tosa.reshape {{.*}} -> tensor<f32>
func.func @nll_mean(%x: tensor<2x4x3xf32>, %t: tensor<2x3xi64>, %w: tensor<4xf32>) -> tensor<f32> {
  %0 = onnx.NegativeLogLikelihoodLoss %x, %t, %w {ignore_index = -1 : i64} : (tensor<2x4x3xf32>, tensor<2x3xi64>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// SoftmaxCrossEntropyLoss: LogSoftmax over the classes (axis 1), then the
// same loss, here per position; log_prob is the second result.
// CHECK-LABEL: func.func @sce_none
// CHECK: tosa.reduce_max %arg0 {axis = 1 : i32}
// CHECK: tosa.exp
// CHECK: tosa.log
// CHECK: %[[LP:.*]] = tosa.sub
// CHECK: linalg.generic
// CHECK: %[[L:.*]] = linalg.generic
// CHECK: tensor.extract %[[LP]]
// CHECK: return %[[L]], %[[LP]]
func.func @sce_none(%x: tensor<3x5xf32>, %t: tensor<3xi64>) -> (tensor<3xf32>, tensor<3x5xf32>) {
  %0, %1 = onnx.SoftmaxCrossEntropyLoss %x, %t {reduction = "none"} : (tensor<3x5xf32>, tensor<3xi64>) -> (tensor<3xf32>, tensor<3x5xf32>)
  return %0, %1 : tensor<3xf32>, tensor<3x5xf32>
}
