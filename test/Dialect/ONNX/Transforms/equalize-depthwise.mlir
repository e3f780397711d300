// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-equalize-depthwise))' | FileCheck %s

// Channel 0: depthwise range 4, next layer's column range 1 -> s = 2: the
// filter and bias halve, the column doubles. Channel 1: ranges 1 and 4 ->
// s = 1/2. Both pairs end at range 2.
// CHECK-LABEL: func.func @pair
// CHECK-DAG: onnx.Constant dense<2.000000e+00> : tensor<2x1x1x1xf32>
// CHECK-DAG: onnx.Constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: onnx.Constant dense<2.000000e+00> : tensor<1x2x1x1xf32>
func.func @pair(%x: tensor<1x2x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = onnx.Constant dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %b = onnx.Constant dense<[1.0, 1.0]> : tensor<2xf32>
  %d = onnx.Conv %x, %w, %b {group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = onnx.Relu %d : tensor<1x2x4x4xf32>
  %w2 = onnx.Constant dense<[[[[1.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %y = onnx.Conv %r, %w2 : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

// A Clip between the layers (not positively homogeneous) blocks it.
// CHECK-LABEL: func.func @clip
// CHECK: onnx.Constant dense<{{\[\[\[\[}}4.000000e+00]]], {{\[\[\[}}1.000000e+00]]]]>
func.func @clip(%x: tensor<1x2x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = onnx.Constant dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>
  %d = onnx.Conv %x, %w {group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %lo = onnx.Constant dense<0.0> : tensor<f32>
  %hi = onnx.Constant dense<6.0> : tensor<f32>
  %c = onnx.Clip %d min %lo : tensor<f32> max %hi : tensor<f32> : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %w2 = onnx.Constant dense<[[[[1.0]], [[4.0]]]]> : tensor<1x2x1x1xf32>
  %y = onnx.Conv %c, %w2 : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}
