// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-quantize{int16=all}))' | FileCheck %s
// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-quantize{int16=conv}))' | FileCheck %s --check-prefix=ONE

// int16 activations (A16W8): symmetric, scale max|range| / 32767, zero point
// 0, on the input Q/DQ pair the layer inserts and on its output; weights
// stay int8 and the bias float (onnx-fuse-qdq makes it int64). Add follows its layer's width; Gemm has
// int8 kernels only: its int16 input is narrowed to int8 on the tensor's
// calibrated range (onnx-fuse-qdq requantizes).
// CHECK-LABEL: func.func @a16
// CHECK-DAG: %[[XS:.*]] = onnx.Constant dense<3.05185094E-5> : tensor<f32>
// CHECK-DAG: %[[XZ:.*]] = onnx.Constant dense<0> : tensor<i16>
// CHECK: %[[XQ:.*]] = onnx.QuantizeLinear %arg0, %[[XS]], %[[XZ]] : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i16>) -> tensor<1x2x4x4xi16>
// CHECK: onnx.DequantizeLinear %{{.*}} {axis = 0 : i64} : (tensor<2x2x1x1xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x2x1x1xf32>
// CHECK-NOT: tensor<2xi32>
// CHECK: %[[Y:.*]] = onnx.Conv {{.*}} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>)
// CHECK: %[[R:.*]] = onnx.Relu %[[Y]]
// CHECK-DAG: %[[YS:.*]] = onnx.Constant dense<6.10370189E-5> : tensor<f32>
// CHECK: onnx.QuantizeLinear %[[R]], %[[YS]], %{{.*}} : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i16>) -> tensor<1x2x4x4xi16>
// CHECK: %[[A:.*]] = onnx.Add
// CHECK: onnx.QuantizeLinear %[[A]], %{{.*}}, %{{.*}} : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i16>) -> tensor<1x2x4x4xi16>
// CHECK: %[[F:.*]] = onnx.Flatten
// CHECK: onnx.QuantizeLinear %[[F]], %{{.*}}, %{{.*}} : (tensor<1x32xf32>, tensor<f32>, tensor<i16>) -> tensor<1x32xi16>
// CHECK: %[[FD:.*]] = onnx.DequantizeLinear {{.*}} : (tensor<1x32xi16>, tensor<f32>, tensor<i16>) -> tensor<1x32xf32>
// CHECK: %[[N:.*]] = onnx.QuantizeLinear %[[FD]], {{.*}} : (tensor<1x32xf32>, tensor<f32>, tensor<i8>) -> tensor<1x32xi8>
// CHECK: %[[ND:.*]] = onnx.DequantizeLinear %[[N]]
// CHECK: onnx.Gemm %[[ND]]
// CHECK: onnx.QuantizeLinear {{.*}} -> tensor<1x3xi8>

// Only the conv int16: the Add reads the int16 pair on %x the conv made
// and the conv's int16 output, and is int8 itself, as is the Gemm.
// ONE-LABEL: func.func @a16
// ONE: onnx.QuantizeLinear %arg0, %{{.*}}, %{{.*}} : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i16>) -> tensor<1x2x4x4xi16>
// ONE: onnx.QuantizeLinear %{{.*}} : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i16>) -> tensor<1x2x4x4xi16>
// ONE: %[[A:.*]] = onnx.Add %{{.*}}, %{{.*}} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
// ONE: onnx.QuantizeLinear %[[A]], %{{.*}}, %{{.*}} : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
// ONE: onnx.DequantizeLinear %{{.*}} : (tensor<32x3xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<32x3xf32>
// ONE: onnx.Gemm
// ONE: onnx.QuantizeLinear %{{.*}} : (tensor<1x3xf32>, tensor<f32>, tensor<i8>) -> tensor<1x3xi8>
func.func @a16(%x: tensor<1x2x4x4xf32> {whittle.range = array<f64: -1.0, 0.5>}) -> tensor<1x3xf32> {
  %w = onnx.Constant dense<[[[[0.5]],[[-0.25]]],[[[1.0]],[[0.0]]]]> : tensor<2x2x1x1xf32>
  %b = onnx.Constant dense<[0.1, -0.2]> : tensor<2xf32>
  %y = onnx.Conv %x, %w, %b {whittle.range = array<f64: -2.0, 2.0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv")
  %r = onnx.Relu %y {whittle.range = array<f64: 0.0, 2.0>} : tensor<1x2x4x4xf32>
  %a = onnx.Add %r, %x {whittle.range = array<f64: -1.0, 2.5>} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> loc("add")
  %f = onnx.Flatten %a {whittle.range = array<f64: -1.0, 2.5>} : (tensor<1x2x4x4xf32>) -> tensor<1x32xf32>
  %gw = onnx.Constant dense<0.125> : tensor<32x3xf32>
  %g = onnx.Gemm %f, %gw {whittle.range = array<f64: -4.0, 4.0>} : (tensor<1x32xf32>, tensor<32x3xf32>) -> tensor<1x3xf32> loc("gemm")
  return %g : tensor<1x3xf32>
}
