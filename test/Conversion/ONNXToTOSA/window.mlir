// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// A 3-D convolution is one generic over N, M, D, H, W (parallel) and the
// input channels and kernel (reductions); the padded input is read at
// o * stride + k * dilation, and grouped channels through floordiv.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, (d1 floordiv 2) * 2 + d5, d2 * 2 + d6 * 2, d3 + d7, d4 + d8)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d1, d5, d6, d7, d8)>
// CHECK-LABEL: func @conv3d
// CHECK: tosa.pad
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tosa.add
func.func @conv3d(%x: tensor<1x4x5x5x5xf32>, %w: tensor<4x2x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x2x5x5xf32> {
  %0 = onnx.Conv %x, %w, %b {group = 2 : i64, strides = [2, 1, 1], dilations = [2, 1, 1], pads = [0, 1, 1, 0, 1, 1]} : (tensor<1x4x5x5x5xf32>, tensor<4x2x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x2x5x5xf32>
  return %0 : tensor<1x4x2x5x5xf32>
}

// -----

// Dilated max pooling (TOSA pools have no dilation): -inf padding and a
// maximum over the window loops, whose extents a dummy operand gives.
// CHECK-LABEL: func @dilated_max_pool
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.maximumf
func.func @dilated_max_pool(%x: tensor<1x1x8x8xf32>) -> tensor<1x1x6x6xf32> {
  %0 = onnx.MaxPool %x {kernel_shape = [2, 2], dilations = [2, 2]} : (tensor<1x1x8x8xf32>) -> tensor<1x1x6x6xf32>
  return %0 : tensor<1x1x6x6xf32>
}

// -----

// 3-D average pooling with padding not counted: the sum divided by a
// constant tensor of per-output window sizes (2 at the padded edge, 3
// inside along each axis here).
// CHECK-LABEL: func @avg_pool_3d
// CHECK: tosa.pad
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK: tosa.const{{.*}}8.000000e+00, 1.200000e+01
// CHECK: arith.divf
func.func @avg_pool_3d(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x2x2x2xf32> {
  %0 = onnx.AveragePool %x {kernel_shape = [3, 3, 3], strides = [2, 2, 2], pads = [1, 1, 1, 0, 0, 0]} : (tensor<1x1x4x4x4xf32>) -> tensor<1x1x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2xf32>
}

// -----

// MaxPool with Indices: one generic with two results keeps the maximum and
// the flat input position of the first one in window order; padding taps
// never win. storage_order 1 lays the spatial dimensions out column-major
// (w * H + h) within the (n * C + c) * H * W plane offset.
// CHECK-LABEL: func @maxpool_indices
// CHECK: %[[IDX:.*]]:2 = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
// CHECK: %[[H:.*]] = arith.subi
// CHECK: %[[W:.*]] = arith.subi
// CHECK: %[[WH:.*]] = arith.addi %{{.*}}, %[[W]]
// CHECK: %[[WHH:.*]] = arith.muli %[[WH]], %c5
// CHECK: arith.addi %[[WHH]], %[[H]]
// CHECK: arith.muli %{{.*}}, %c25
// CHECK: arith.index_cast {{.*}} : index to i64
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: arith.select
// CHECK: return %[[IDX]]#0, %[[IDX]]#1
func.func @maxpool_indices(%x: tensor<1x2x5x5xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>) {
  %y, %i = onnx.MaxPool %x {kernel_shape = [2, 2], strides = [2, 2], storage_order = 1 : i64} : (tensor<1x2x5x5xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>)
  return %y, %i : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>
}

// -----

// A grouped, dilated ConvTranspose is one generic over the output with the
// input channels of the group and the kernel as reductions (a dummy operand
// names them); the weight is read through (m / 3) * 2 + c, m mod 3, and x
// at (o + begin - k * dilation) / stride when that divides and lands in x.
// CHECK-DAG: #[[WMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> ((d1 floordiv 3) * 2 + d4, d1 mod 3, d5, d6)>
// CHECK-LABEL: func @conv_transpose_grouped_dilated
// CHECK: linalg.generic {{.*}}#[[WMAP]]{{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK-SAME: ins(%{{.*}}, %arg1 : tensor<2x2x2xi8>, tensor<4x3x2x2xf32>)
// CHECK: arith.remui
// CHECK: arith.cmpi ult
// CHECK: tensor.extract %arg0
// CHECK: arith.mulf
// CHECK: arith.select
// CHECK: arith.addf
func.func @conv_transpose_grouped_dilated(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x2x2xf32>) -> tensor<1x6x7x5xf32> {
  %y = onnx.ConvTranspose %x, %w {group = 2 : i64, dilations = [2, 1], strides = [2, 2]} : (tensor<1x4x3x3xf32>, tensor<4x3x2x2xf32>) -> tensor<1x6x7x5xf32>
  return %y : tensor<1x6x7x5xf32>
}
