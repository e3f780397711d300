// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-quantize))' | FileCheck %s
// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-quantize{skip=conv}))' | FileCheck %s --check-prefix=SKIP

// Conv + Relu is one layer: the input gets a shared Q/DQ pair from its range
// (asymmetric: [-1, 1] -> scale 2/255, zero point 0 after rounding), the
// weights become int8 per output channel (max|w| -> 127), the bias int32
// with scale x_scale * w_scale, and the Relu's output is quantized with
// [0, 2] -> zero point -128.
// CHECK-LABEL: func.func @conv_relu
// CHECK-DAG: %[[XS:.*]] = onnx.Constant dense<0.00784313772> : tensor<f32>
// CHECK: %[[XQ:.*]] = onnx.QuantizeLinear %arg0, %[[XS]], %{{.*}} : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
// CHECK: %[[XD:.*]] = onnx.DequantizeLinear %[[XQ]], %[[XS]]
// CHECK-DAG: %[[W8:.*]] = onnx.Constant dense<{{\[\[\[\[}}127]], {{\[\[}}-64]]], {{\[\[\[}}127]], {{\[\[}}0]]], {{\[\[\[}}-127]], {{\[\[}}21]]]]> : tensor<3x2x1x1xi8>
// CHECK-DAG: %[[WS:.*]] = onnx.Constant dense<[0.00393700786, 0.00787401571, 0.00590551179]> : tensor<3xf32>
// CHECK: %[[WD:.*]] = onnx.DequantizeLinear %[[W8]], %[[WS]], %{{.*}} {axis = 0 : i64} : (tensor<3x2x1x1xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x2x1x1xf32>
// CHECK: %[[B32:.*]] = onnx.Constant dense<[3238, -3238, 6477]> : tensor<3xi32>
// CHECK: %[[BD:.*]] = onnx.DequantizeLinear %[[B32]], %{{.*}} {axis = 0 : i64} : (tensor<3xi32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: %[[Y:.*]] = onnx.Conv %[[XD]], %[[WD]], %[[BD]]
// CHECK: %[[R:.*]] = onnx.Relu %[[Y]]
// CHECK-DAG: %[[YZ:.*]] = onnx.Constant dense<-128> : tensor<i8>
// CHECK: %[[YQ:.*]] = onnx.QuantizeLinear %[[R]], %{{.*}}, %[[YZ]]
// CHECK: %[[YD:.*]] = onnx.DequantizeLinear %[[YQ]]
// CHECK: return %[[YD]]
// SKIP-LABEL: func.func @conv_relu
// SKIP-NOT: onnx.QuantizeLinear
func.func @conv_relu(%x: tensor<1x2x4x4xf32> {whittle.range = array<f64: -1.0, 1.0>}) -> tensor<1x3x4x4xf32> {
  %w = onnx.Constant dense<[[[[0.5]],[[-0.25]]],[[[1.0]],[[0.0]]],[[[-0.75]],[[0.125]]]]> : tensor<3x2x1x1xf32>
  %b = onnx.Constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32>
  %y = onnx.Conv %x, %w, %b {whittle.range = array<f64: -2.0, 2.0>} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32> loc("conv")
  %r = onnx.Relu %y {whittle.range = array<f64: 0.0, 2.0>} : tensor<1x3x4x4xf32>
  return %r : tensor<1x3x4x4xf32>
}

// -----

// MaxPool and Flatten of an int8 tensor keep its parameters; Gemm weights
// are per output column (transB = 1: axis 0); Softmax has no int8 kernel
// and reads a DequantizeLinear.
// CHECK-LABEL: func.func @pool_gemm_softmax
// SKIP-LABEL: func.func @pool_gemm_softmax
// CHECK: %[[P:.*]] = onnx.MaxPool
// CHECK-NEXT: %[[S:.*]] = onnx.Constant dense<5.000000e-02> : tensor<f32>
// CHECK-NEXT: %[[Z:.*]] = onnx.Constant dense<3> : tensor<i8>
// CHECK-NEXT: onnx.QuantizeLinear %[[P]], %[[S]], %[[Z]] :
// CHECK: %[[F:.*]] = onnx.Flatten
// CHECK-NEXT: onnx.Constant dense<5.000000e-02> : tensor<f32>
// CHECK-NEXT: onnx.Constant dense<3> : tensor<i8>
// CHECK-NEXT: onnx.QuantizeLinear %[[F]]
// CHECK: onnx.DequantizeLinear %{{.*}} {axis = 0 : i64} : (tensor<3x8xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x8xf32>
// CHECK: %[[G:.*]] = onnx.Gemm
// CHECK: onnx.QuantizeLinear %[[G]]
// CHECK: %[[GD:.*]] = onnx.DequantizeLinear
// CHECK: onnx.Softmax %[[GD]]
func.func @pool_gemm_softmax(%x: tensor<1x2x4x4xi8>) -> tensor<1x3xf32> {
  %s = onnx.Constant dense<0.05> : tensor<f32>
  %z = onnx.Constant dense<3> : tensor<i8>
  %d = onnx.DequantizeLinear %x, %s, %z : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  %p = onnx.MaxPool %d {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %f = onnx.Flatten %p : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
  %w = onnx.Constant dense<0.25> : tensor<3x8xf32>
  %g = onnx.Gemm %f, %w {transB = 1 : i64, whittle.range = array<f64: -4.0, 4.0>} : (tensor<1x8xf32>, tensor<3x8xf32>) -> tensor<1x3xf32>
  %sm = onnx.Softmax %g {whittle.range = array<f64: 0.0, 1.0>} : tensor<1x3xf32>
  return %sm : tensor<1x3xf32>
}

// -----

// Without a calibrated range nothing is quantized.
// CHECK-LABEL: func.func @no_range
// CHECK-NOT: onnx.QuantizeLinear
func.func @no_range(%x: tensor<1x2xf32>, %y: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %a = onnx.Add %x, %y : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x2xf32>
  return %a : tensor<1x2xf32>
}
