// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-fold-batchnorm))' | FileCheck %s

// s = scale / sqrt(var + eps) = [2, 0.5]; W rows scale by s; the bias
// becomes s * (b - mean) + beta = [2 * (1 - 1) + 3, 0.5 * (0 - 2) + 0].
// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[W:.*]] = onnx.Constant dense<{{\[\[\[\[}}2.000000e+00]]], {{\[\[\[}}5.000000e-01]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = onnx.Constant dense<[3.000000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = onnx.Conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: onnx.BatchNormalization
// CHECK: return %[[Y]]
func.func @conv(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant dense<1.0> : tensor<2x1x1x1xf32>
  %b = onnx.Constant dense<[1.0, 0.0]> : tensor<2xf32>
  %scale = onnx.Constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = onnx.Constant dense<[3.0, 0.0]> : tensor<2xf32>
  %mean = onnx.Constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = onnx.Constant dense<[1.0, 4.0]> : tensor<2xf32>
  %c = onnx.Conv %x, %w, %b : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %y = onnx.BatchNormalization %c, %scale, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// A conv without a bias gets one; a Gemm (transB) scales rows of B and
// gets C = s * beta_gemm * C + shift with beta reset to 1.
// CHECK-LABEL: func.func @gemm_and_nobias
// CHECK: onnx.Conv %arg0, %{{.*}}, %{{.*}} :
// CHECK: %[[C:.*]] = onnx.Constant dense<[3.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK: onnx.Gemm %arg1, %{{.*}}, %[[C]] {transB = 1 : i64}
// CHECK-NOT: onnx.BatchNormalization
func.func @gemm_and_nobias(%x: tensor<1x1x4x4xf32>, %a: tensor<3x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<3x2xf32>) {
  %w = onnx.Constant dense<1.0> : tensor<2x1x1x1xf32>
  %scale = onnx.Constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = onnx.Constant dense<[3.0, 0.0]> : tensor<2xf32>
  %mean = onnx.Constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = onnx.Constant dense<[1.0, 4.0]> : tensor<2xf32>
  %c = onnx.Conv %x, %w : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = onnx.BatchNormalization %c, %scale, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %gw = onnx.Constant dense<1.0> : tensor<2x4xf32>
  %gc = onnx.Constant dense<[0.5, 2.0]> : tensor<2xf32>
  %g = onnx.Gemm %a, %gw, %gc {beta = 2.0 : f32, transB = 1 : i64} : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %z = onnx.BatchNormalization %g, %scale, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y, %z : tensor<1x2x4x4xf32>, tensor<3x2xf32>
}

// -----

// Standalone (the input is a graph input) or a producer with other users:
// a per-channel Mul and Add by [C, 1, 1] constants.
// CHECK-LABEL: func.func @standalone
// CHECK: %[[S:.*]] = onnx.Constant dense<{{\[\[\[}}2.000000e+00]], {{\[\[}}5.000000e-01]]]> : tensor<2x1x1xf32>
// CHECK: %[[T:.*]] = onnx.Constant dense<{{\[\[\[}}1.000000e+00]], {{\[\[}}-1.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK: %[[M:.*]] = onnx.Mul %arg0, %[[S]]
// CHECK: onnx.Add %[[M]], %[[T]]
// CHECK-NOT: onnx.BatchNormalization
func.func @standalone(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %scale = onnx.Constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = onnx.Constant dense<[3.0, 0.0]> : tensor<2xf32>
  %mean = onnx.Constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = onnx.Constant dense<[1.0, 4.0]> : tensor<2xf32>
  %y = onnx.BatchNormalization %x, %scale, %beta, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// Statistics computed at run time: left alone.
// CHECK-LABEL: func.func @runtime_stats
// CHECK: onnx.BatchNormalization
func.func @runtime_stats(%x: tensor<1x2x4x4xf32>, %var: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %scale = onnx.Constant dense<[2.0, 1.0]> : tensor<2xf32>
  %beta = onnx.Constant dense<[3.0, 0.0]> : tensor<2xf32>
  %mean = onnx.Constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = onnx.BatchNormalization %x, %scale, %beta, %mean, %var : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
