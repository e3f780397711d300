// RUN: whittle-opt %s | whittle-opt | FileCheck %s
// RUN: whittle-opt %s --mlir-print-op-generic | whittle-opt | FileCheck %s

// CHECK-LABEL: func @roundtrip
func.func @roundtrip(%x: tensor<1x3x8x8xf32>, %m: tensor<2x4xf32>) -> (tensor<1x4x4x4xf32>, tensor<2x3xf32>) {
  // CHECK: onnx.Constant dense<5.000000e-01> : tensor<4x3x3x3xf32>
  %w = onnx.Constant dense<0.5> : tensor<4x3x3x3xf32>
  %b = onnx.Constant dense<0.1> : tensor<4xf32>
  // CHECK: onnx.Conv %{{.*}}, %{{.*}}, %{{.*}} {pads = [1, 1, 1, 1]}
  %c = onnx.Conv %x, %w, %b {pads = [1, 1, 1, 1]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: onnx.Relu
  %r = onnx.Relu %c : tensor<1x4x8x8xf32>
  // CHECK: onnx.MaxPool %{{.*}} {kernel_shape = [2, 2], strides = [2, 2]}
  %p = onnx.MaxPool %r {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %k = onnx.Constant dense<1.0> : tensor<3x4xf32>
  %bias = onnx.Constant dense<1.0> : tensor<3xf32>
  // CHECK: onnx.Gemm %{{.*}}, %{{.*}}, %{{.*}} {transB = 1 : i64}
  %g = onnx.Gemm %m, %k, %bias {transB = 1 : i64} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %p, %g : tensor<1x4x4x4xf32>, tensor<2x3xf32>
}

// CHECK-LABEL: func @shapes
func.func @shapes(%x: tensor<1x4x2x2xf32>, %s: tensor<3xi64>) -> (tensor<1x16xf32>, tensor<1x2x2x4xf32>, tensor<1x8x2x2xf32>, tensor<4x2x2xf32>) {
  // CHECK: onnx.Flatten
  %f = onnx.Flatten %x : (tensor<1x4x2x2xf32>) -> tensor<1x16xf32>
  // CHECK: onnx.Transpose %{{.*}} {perm = [0, 2, 3, 1]}
  %t = onnx.Transpose %x {perm = [0, 2, 3, 1]} : (tensor<1x4x2x2xf32>) -> tensor<1x2x2x4xf32>
  // CHECK: onnx.Concat %{{.*}}, %{{.*}} {axis = 1 : i64}
  %c = onnx.Concat %x, %x {axis = 1 : i64} : (tensor<1x4x2x2xf32>, tensor<1x4x2x2xf32>) -> tensor<1x8x2x2xf32>
  // CHECK: onnx.Reshape
  %r = onnx.Reshape %x, %s : (tensor<1x4x2x2xf32>, tensor<3xi64>) -> tensor<4x2x2xf32>
  return %f, %t, %c, %r : tensor<1x16xf32>, tensor<1x2x2x4xf32>, tensor<1x8x2x2xf32>, tensor<4x2x2xf32>
}

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: onnx.Add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = onnx.Add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = onnx.Sub %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = onnx.Mul %1, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = onnx.Div %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = onnx.Pow %3, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = onnx.Sigmoid %4 : tensor<2x3xf32>
  %6 = onnx.Sqrt %5 : tensor<2x3xf32>
  // CHECK: onnx.Clip %{{.*}} min %{{.*}} : tensor<f32>
  %lo = onnx.Constant dense<0.0> : tensor<f32>
  %7 = onnx.Clip %6 min %lo : tensor<f32> : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %8 = onnx.ReduceMean %7 {axes = [-1], keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %9 = onnx.Softmax %7 {axis = 1 : i64} : tensor<2x3xf32>
  return %9 : tensor<2x3xf32>
}

// CHECK-LABEL: func @indexing
func.func @indexing(%d: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>, %t: tensor<2x1xi64>, %x: tensor<1x1x2x2xf32>) -> (tensor<3x3xf32>, tensor<2x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>, tensor<1x1x4x4xf32>) {
  // CHECK: onnx.ScatterElements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, reduction = "max"}
  %0 = onnx.ScatterElements %d, %i, %u {axis = 1 : i64, reduction = "max"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  // CHECK: onnx.GatherND %{{.*}}, %{{.*}} :
  %1 = onnx.GatherND %d, %t : (tensor<3x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
  // CHECK: onnx.Einsum %{{.*}}, %{{.*}} {equation = "ij,jk"}
  %2 = onnx.Einsum %d, %d {equation = "ij,jk"} : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  %a = onnx.Constant dense<0> : tensor<i64>
  // CHECK: onnx.CumSum %{{.*}}, %{{.*}} {reverse = 1 : i64}
  %3 = onnx.CumSum %d, %a {reverse = 1 : i64} : (tensor<3x3xf32>, tensor<i64>) -> tensor<3x3xf32>
  %s = onnx.Constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // CHECK: onnx.Resize %{{.*}} scales(%{{.*}} : tensor<4xf32>) {mode = "cubic"} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  %4 = onnx.Resize %x scales(%s : tensor<4xf32>) {mode = "cubic"} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0, %1, %2, %3, %4 : tensor<3x3xf32>, tensor<2x3xf32>, tensor<3x3xf32>, tensor<3x3xf32>, tensor<1x1x4x4xf32>
}

// The whittle-internal check op round-trips and survives canonicalization
// (it has no results but must not be removed).
// CHECK-LABEL: func @assume_equal
// CHECK: onnx.whittle.assume_equal %{{.*}} {expected = 3 : i64, message = "trip count"} : tensor<i64>
func.func @assume_equal(%m: tensor<i64>) {
  onnx.whittle.assume_equal %m {expected = 3 : i64, message = "trip count"} : tensor<i64>
  return
}
