// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-int8-io{warn-float}))' --verify-diagnostics | FileCheck %s

// The input's QuantizeLinear and the output's DequantizeLinear go; their
// parameters become attributes of the int8 argument and result.
// CHECK-LABEL: func.func @edges
// CHECK-SAME: (%arg0: tensor<1x4xi8> {whittle.name = "x", whittle.scale = 5.000000e-01 : f64, whittle.zero_point = -3 : i64})
// CHECK-SAME: -> (tensor<1x4xi8> {whittle.name = "y", whittle.scale = 2.500000e-01 : f64, whittle.zero_point = 7 : i64})
// CHECK-NOT: onnx.QuantizeLinear
// CHECK-NOT: onnx.DequantizeLinear
// CHECK: %[[T:.*]] = onnx.QLinearLookup %arg0
// CHECK: return %[[T]]
func.func @edges(%x: tensor<1x4xf32> {whittle.name = "x"}) -> (tensor<1x4xf32> {whittle.name = "y"}) {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %z = onnx.Constant dense<-3> : tensor<i8>
  %q = onnx.QuantizeLinear %x, %s, %z : (tensor<1x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x4xi8>
  %t = onnx.QLinearLookup %q {table = dense<1> : tensor<256xi8>} : (tensor<1x4xi8>) -> tensor<1x4xi8>
  %s2 = onnx.Constant dense<0.25> : tensor<f32>
  %z2 = onnx.Constant dense<7> : tensor<i8>
  %d = onnx.DequantizeLinear %t, %s2, %z2 : (tensor<1x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}

// -----

// An input also read as float, and a float output, stay float.
// CHECK-LABEL: func.func @mixed
// CHECK-SAME: (%arg0: tensor<4xf32>) -> tensor<4xf32>
// expected-warning @+2 {{input 0 stays float: not every use of it is quantized to int8 with one scale}}
// expected-warning @+1 {{output 0 stays float: it is not dequantized from int8 with one scale}}
func.func @mixed(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i8>
  %q = onnx.QuantizeLinear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
  %d = onnx.DequantizeLinear %q, %s, %z : (tensor<4xi8>, tensor<f32>, tensor<i8>) -> tensor<4xf32>
  %a = onnx.Add %d, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %a : tensor<4xf32>
}
