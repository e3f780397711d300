// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" --verify-diagnostics

func.func @conv3d(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x4x4x4xf32> {
  %w = onnx.Constant dense<1.0> : tensor<1x1x1x1x1xf32>
  // expected-error @+1 {{Conv with 3 spatial dimensions is not supported yet}}
  %0 = onnx.Conv %x, %w : (tensor<1x1x4x4x4xf32>, tensor<1x1x1x1x1xf32>) -> tensor<1x1x4x4x4xf32>
  return %0 : tensor<1x1x4x4x4xf32>
}

// -----

func.func @dilated_pool(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x6x6xf32> {
  // expected-error @+1 {{dilated pooling is not supported yet}}
  %0 = onnx.MaxPool %x {kernel_shape = [2, 2], dilations = [2, 2]} : (tensor<1x1x8x8xf32>) -> tensor<1x1x6x6xf32>
  return %0 : tensor<1x1x6x6xf32>
}
// -----

func.func @pow_mixed(%x: tensor<4xf32>, %e: tensor<4xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{Pow with mixed element types is not supported yet}}
  %0 = onnx.Pow %x, %e : (tensor<4xf32>, tensor<4xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
