// RUN: whittle-opt %s --split-input-file --verify-diagnostics

func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{group 3 does not divide 4 input channels}}
  %0 = onnx.Conv %x, %w {group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{result shape [1, 4, 8, 8] does not match inferred shape [1, 4, 6, 6]}}
  %0 = onnx.Conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{weight has 2 channels per group, expected 3}}
  %0 = onnx.Conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @pool_window(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error @+1 {{window of extent 3 does not fit padded input of 2}}
  %0 = onnx.MaxPool %x {kernel_shape = [3, 3]} : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes [2, 3] and [4] are not broadcast-compatible}}
  %0 = onnx.Add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gemm(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{inner dimensions differ: 4 vs 5}}
  %0 = onnx.Gemm %a, %b : (tensor<2x4xf32>, tensor<5x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul(%a: tensor<2x4xf32>, %b: tensor<3x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{inner dimensions differ: 4 vs 3}}
  %0 = onnx.MatMul %a, %b : (tensor<2x4xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape(%a: tensor<2x4xf32>, %s: tensor<2xi64>) -> tensor<3x3xf32> {
  // expected-error @+1 {{cannot reshape [2, 4] (8 elements) to [3, 3]}}
  %0 = onnx.Reshape %a, %s : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @transpose(%a: tensor<2x4xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{perm is not a permutation of 0..1}}
  %0 = onnx.Transpose %a {perm = [0, 0]} : (tensor<2x4xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @concat(%a: tensor<2x4xf32>, %b: tensor<3x3xf32>) -> tensor<5x4xf32> {
  // expected-error @+1 {{input shape [3, 3] differs from [2, 4] outside axis 0}}
  %0 = onnx.Concat %a, %b {axis = 0 : i64} : (tensor<2x4xf32>, tensor<3x3xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @flatten(%a: tensor<2x4x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result shape [2, 4] does not match inferred shape [2, 12]}}
  %0 = onnx.Flatten %a : (tensor<2x4x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @constant() -> tensor<2xf32> {
  // expected-error @+1 {{failed to verify that all of {value, output} have same type}}
  %0 = "onnx.Constant"() {value = dense<1.0> : tensor<3xf32>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  // expected-error @+1 {{weight has 3 input channels, X has 2}}
  %0 = onnx.ConvTranspose %x, %w : (tensor<1x2x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

func.func @gather_constant_index(%x: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %i = onnx.Constant dense<[0, 7]> : tensor<2xi64>
  // expected-error @+1 {{index 7 is out of range for axis 0 of size 5}}
  %0 = onnx.Gather %x, %i : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gather_elements_constant_index(%x: tensor<5x3xf32>) -> tensor<1x2xf32> {
  %i = onnx.Constant dense<[[0, -4]]> : tensor<1x2xi64>
  // expected-error @+1 {{index -4 is out of range for axis 1 of size 3}}
  %0 = onnx.GatherElements %x, %i {axis = 1 : i64} : (tensor<5x3xf32>, tensor<1x2xi64>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
