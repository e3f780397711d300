// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-decompose-conv{rank=1}))' | FileCheck %s
// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-decompose-conv{rank=1 skip=keep}))' | FileCheck %s --check-prefix=SKIP
// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-decompose-conv))' | FileCheck %s --check-prefix=OFF

// A rank-1 filter (row 2 = 2 x row 1) factors exactly: the depthwise filter
// is the unit right singular vector [1,2,3]/sqrt(14) and the pointwise
// weights are M v = sqrt(14) * [1, 2]. Stride, padding and dilation stay on
// the depthwise conv; the bias moves to the pointwise one.
// CHECK-LABEL: func.func @rank1_1d
// CHECK: %[[DW:.*]] = onnx.Constant dense<{{\[\[\[}}0.267261{{[0-9]*}}, 0.534522{{[0-9]*}}, 0.80178{{[0-9]*}}]]]> : tensor<1x1x3xf32>
// CHECK: %[[D:.*]] = onnx.Conv %arg0, %[[DW]] {dilations = [2], pads = [2, 2], strides = [2]} : (tensor<1x1x9xf32>, tensor<1x1x3xf32>) -> tensor<1x1x5xf32>
// CHECK: %[[PW:.*]] = onnx.Constant dense<{{\[\[\[}}3.74165{{[0-9]*}}]], {{\[\[}}7.48331{{[0-9]*}}]]]> : tensor<2x1x1xf32>
// CHECK: %[[P:.*]] = onnx.Conv %[[D]], %[[PW]], %{{.*}} : (tensor<1x1x5xf32>, tensor<2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x5xf32>
// CHECK: return %[[P]]
// OFF-LABEL: func.func @rank1_1d
// OFF: onnx.Conv %arg0, %{{.*}}, %{{.*}} {dilations = [2], pads = [2, 2], strides = [2]}
// OFF-NEXT: return
func.func @rank1_1d(%x: tensor<1x1x9xf32>) -> tensor<1x2x5xf32> {
  %w = onnx.Constant dense<[[[1.0, 2.0, 3.0]], [[2.0, 4.0, 6.0]]]> : tensor<2x1x3xf32>
  %b = onnx.Constant dense<[0.5, -0.5]> : tensor<2xf32>
  %y = onnx.Conv %x, %w, %b {dilations = [2], pads = [2, 2], strides = [2]} : (tensor<1x1x9xf32>, tensor<2x1x3xf32>, tensor<2xf32>) -> tensor<1x2x5xf32>
  return %y : tensor<1x2x5xf32>
}

// -----

// 2-D, two input channels at rank 1: the depthwise conv has group = Cin and
// Cin * r filters; the pointwise conv maps Cin * r -> Cout.
// CHECK-LABEL: func.func @conv2d
// CHECK: %[[D:.*]] = onnx.Conv %arg0, %{{.*}} {group = 2 : i64, pads = [1, 1, 1, 1]} : (tensor<1x2x6x6xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
// CHECK: onnx.Conv %[[D]], %{{.*}} : (tensor<1x2x6x6xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x6x6xf32>
func.func @conv2d(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = onnx.Constant dense<0.25> : tensor<4x2x3x3xf32>
  %y = onnx.Conv %x, %w {pads = [1, 1, 1, 1]} : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

// Not rewritten: 1x1 kernels, grouped convolutions, computed weights.
// CHECK-LABEL: func.func @ineligible
// CHECK-COUNT-3: onnx.Conv
// CHECK-NOT: onnx.Conv
func.func @ineligible(%x: tensor<1x2x6x6xf32>, %wx: tensor<4x2x3x3xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %w1 = onnx.Constant dense<0.25> : tensor<4x2x1x1xf32>
  %a = onnx.Conv %x, %w1 : (tensor<1x2x6x6xf32>, tensor<4x2x1x1xf32>) -> tensor<1x4x6x6xf32>
  %wg = onnx.Constant dense<0.25> : tensor<4x1x3x3xf32>
  %b = onnx.Conv %x, %wg {group = 2 : i64} : (tensor<1x2x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  %c = onnx.Conv %x, %wx : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %a, %b, %c : tensor<1x4x6x6xf32>, tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}

// -----

// A per-layer rank attribute wins over the global option (0 keeps the conv);
// skip names the ONNX node from the location.
// CHECK-LABEL: func.func @per_layer
// CHECK: onnx.Conv %arg0, %{{.*}} {whittle.decompose_rank = 0 : i64}
// CHECK: onnx.Conv %arg0, %{{.*}} {group = 2 : i64}
// CHECK: onnx.Conv
// CHECK-NEXT: return
// SKIP-LABEL: func.func @per_layer
// SKIP: onnx.Conv %arg0, %{{.*}} {whittle.decompose_rank = 0 : i64}
// SKIP-NEXT: onnx.Conv %arg0, %{{.*}} : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>)
// SKIP-NEXT: return
func.func @per_layer(%x: tensor<1x2x6x6xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %w = onnx.Constant dense<0.25> : tensor<4x2x3x3xf32>
  %a = onnx.Conv %x, %w {whittle.decompose_rank = 0 : i64} : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32>
  %b = onnx.Conv %x, %w : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32> loc(fused["keep", "m.onnx":0:0])
  return %a, %b : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}
