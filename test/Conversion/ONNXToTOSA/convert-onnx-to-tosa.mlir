// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// Regular conv: NCHW->NHWC transposes around an OHWI tosa.conv2d with the
// ONNX pads [top, left, bottom, right] reordered to [top, bottom, left, right].
// CHECK-LABEL: func @conv
// CHECK: %[[IN:.*]] = tosa.transpose %arg0 {perms = array<i32: 0, 2, 3, 1>}
// CHECK: %[[C:.*]] = tosa.conv2d %[[IN]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>} : {{.*}} -> tensor<1x4x4x4xf32>
// CHECK: tosa.transpose %[[C]] {perms = array<i32: 0, 3, 1, 2>}
// CHECK-NOT: onnx.
func.func @conv(%x: tensor<1x3x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %w = onnx.Constant dense<0.5> : tensor<4x3x3x3xf32>
  %0 = onnx.Conv %x, %w {pads = [0, 0, 1, 1], strides = [2, 2]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Depthwise conv (group == channels): HWCM weights, re-laid out at compile time.
// CHECK-LABEL: func @depthwise
// CHECK: tosa.const{{.*}}dense<{{\[\[\[\[}}1.000000e+00], [2.000000e+00{{\]\]\]\]}}> : tensor<1x1x2x1xf32>
// CHECK: tosa.depthwise_conv2d
func.func @depthwise(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %0 = onnx.Conv %x, %w {group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Grouped conv: one conv2d per group over channel slices, concatenated.
// CHECK-LABEL: func @grouped
// CHECK-COUNT-2: tosa.slice
// CHECK: tosa.concat %{{.*}}, %{{.*}} {axis = 3 : i32}
func.func @grouped(%x: tensor<1x4x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = onnx.Constant dense<1.0> : tensor<2x2x1x1xf32>
  %0 = onnx.Conv %x, %w {group = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// CHECK-LABEL: func @gemm
// CHECK: tosa.matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x2x4xf32>, tensor<1x4x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x3xf32>
// CHECK: tosa.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
func.func @gemm(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = onnx.Gemm %a, %b, %c {transB = 1 : i64} : (tensor<2x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @maxpool
// CHECK: tosa.max_pool2d %{{.*}} {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>}
func.func @maxpool(%x: tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32> {
  %0 = onnx.MaxPool %x {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Elementwise: ranks equalized by reshape; Relu is a clamp; Pow by 2 a product;
// Div and Sqrt go to linalg.generic (TOSA has no float division or sqrt).
// CHECK-LABEL: func @elementwise
// CHECK: tosa.reshape
// CHECK: tosa.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<1x3xf32>)
// CHECK: tosa.clamp %{{.*}} {max_val = 3.40282347E+38 : f32, min_val = 0.000000e+00 : f32}
// CHECK: tosa.mul
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: linalg.generic
// CHECK: math.sqrt
// CHECK: tosa.sigmoid
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %two = onnx.Constant dense<2.0> : tensor<f32>
  %0 = onnx.Add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = onnx.Relu %0 : tensor<2x3xf32>
  %2 = onnx.Pow %1, %two : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %3 = onnx.Div %2, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %4 = onnx.Sqrt %3 : tensor<2x3xf32>
  %5 = onnx.Sigmoid %4 : tensor<2x3xf32>
  return %5 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @reduce_mean
// CHECK: tosa.reduce_sum %{{.*}} {axis = 1 : i32}
// CHECK: tosa.mul
// CHECK: tosa.reshape
func.func @reduce_mean(%a: tensor<2x4xf32>) -> tensor<2xf32> {
  %0 = onnx.ReduceMean %a {axes = [-1], keepdims = 0 : i64} : (tensor<2x4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// CHECK-LABEL: func @shapes
// CHECK: tosa.reshape
// CHECK: tosa.transpose %{{.*}} {perms = array<i32: 1, 0>}
// CHECK: tosa.concat %{{.*}}, %{{.*}} {axis = 0 : i32}
func.func @shapes(%a: tensor<2x4xf32>) -> (tensor<8xf32>, tensor<4x2xf32>, tensor<4x4xf32>) {
  %s = onnx.Constant dense<[8]> : tensor<1xi64>
  %0 = onnx.Reshape %a, %s : (tensor<2x4xf32>, tensor<1xi64>) -> tensor<8xf32>
  %1 = onnx.Transpose %a : (tensor<2x4xf32>) -> tensor<4x2xf32>
  %2 = onnx.Concat %a, %a {axis = -2 : i64} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %0, %1, %2 : tensor<8xf32>, tensor<4x2xf32>, tensor<4x4xf32>
}

// -----

// Computed weights and bounds: re-laid out and applied with TOSA ops.
// CHECK-LABEL: func @computed
// CHECK: tosa.transpose %arg1 {perms = array<i32: 0, 2, 3, 1>}
// CHECK: tosa.conv2d
// CHECK: tosa.maximum
// CHECK: tosa.minimum
func.func @computed(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<1x3x4x4xf32> {
  %0 = onnx.Conv %x, %w : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %1 = onnx.Clip %0 min %lo : tensor<f32> max %hi : tensor<f32> : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %1 : tensor<1x3x4x4xf32>
}

// -----

// Constant transB weights are transposed at compile time, not in the arena.
// CHECK-LABEL: func @gemm_const
// CHECK-NOT: tosa.transpose
// CHECK: tosa.const{{.*}}dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00{{\]\]}}> : tensor<2x2xf32>
// CHECK: tosa.matmul
func.func @gemm_const(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %b = onnx.Constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = onnx.Gemm %a, %b {transB = 1 : i64} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// ConvTranspose: weights [C, M, kh, kw] re-laid out to [M, kh, kw, C]; ONNX
// begin pads become negative TOSA out_pad.
// CHECK-LABEL: func @conv_transpose
// CHECK: tosa.transpose_conv2d %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {acc_type = f32, out_pad = array<i64: -1, -1, -1, -1>, stride = array<i64: 2, 2>} : {{.*}} -> tensor<1x5x5x2xf32>
func.func @conv_transpose(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %w = onnx.Constant dense<1.0> : tensor<1x2x3x3xf32>
  %0 = onnx.ConvTranspose %x, %w {pads = [1, 1, 1, 1], strides = [2, 2]} : (tensor<1x1x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}
