// RUN: whittle-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(onnx-decompose-conv))'

func.func @negative_rank(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x4x4xf32> {
  %w = onnx.Constant dense<0.25> : tensor<4x2x3x3xf32>
  // expected-error @+1 {{whittle.decompose_rank must be >= 0, got -1}}
  %y = onnx.Conv %x, %w {whittle.decompose_rank = -1 : i64} : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// An explicit per-layer rank on a convolution that cannot be rewritten is an
// error, not a silent no-op.
func.func @grouped(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x4x4xf32> {
  %w = onnx.Constant dense<0.25> : tensor<4x1x3x3xf32>
  // expected-error @+1 {{cannot decompose into depthwise-separable form: grouped convolution}}
  %y = onnx.Conv %x, %w {group = 2 : i64, whittle.decompose_rank = 2 : i64} : (tensor<1x2x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

func.func @pointwise(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = onnx.Constant dense<0.25> : tensor<4x2x1x1xf32>
  // expected-error @+1 {{cannot decompose into depthwise-separable form: 1x1 kernel}}
  %y = onnx.Conv %x, %w {whittle.decompose_rank = 1 : i64} : (tensor<1x2x6x6xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}
