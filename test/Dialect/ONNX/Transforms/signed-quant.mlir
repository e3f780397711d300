// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-signed-quant))' | FileCheck %s

// uint8 input, weights and zero points become their int8 views (minus
// 128); the input's bytes are flipped on entry (x xor 0x80: table entry 0,
// for -128, is 0; entry 128, for 0, is -128), the uint8 output's on exit.
// CHECK-LABEL: func.func @qlinearconv
// CHECK-SAME: (%arg0: tensor<1x1x2x2xi8> {whittle.unsigned}) -> (tensor<1x1x2x2xi8> {whittle.unsigned})
// CHECK: %[[IN:.*]] = onnx.QLinearLookup %arg0 {table = dense<"0x00010203{{.*}}"> : tensor<256xi8>}
// CHECK-DAG: onnx.Constant dense<-28> : tensor<i8>
// CHECK-DAG: onnx.Constant dense<2> : tensor<1x1x1x1xi8>
// CHECK: %[[Y:.*]] = onnx.QLinearConv %[[IN]], {{.*}} -> tensor<1x1x2x2xi8>
// CHECK: %[[OUT:.*]] = onnx.QLinearLookup %[[Y]]
// CHECK: return %[[OUT]]
func.func @qlinearconv(%x: tensor<1x1x2x2xui8>) -> tensor<1x1x2x2xui8> {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %z = onnx.Constant dense<100> : tensor<ui8>
  %w = onnx.Constant dense<130> : tensor<1x1x1x1xui8>
  %y = onnx.QLinearConv %x, %s, %z, %w, %s, %z, %s, %z : (tensor<1x1x2x2xui8>, tensor<f32>, tensor<ui8>, tensor<1x1x1x1xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x2x2xui8>
  return %y : tensor<1x1x2x2xui8>
}

// -----

// QuantizeLinear to uint8 without a zero point: explicit -128.
// CHECK-LABEL: func.func @default_zero_point
// CHECK: %[[Z:.*]] = onnx.Constant dense<-128> : tensor<i8>
// CHECK: onnx.QuantizeLinear %arg0, %{{.*}}, %[[Z]] : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
func.func @default_zero_point(%x: tensor<4xf32>) -> tensor<4xui8> {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %q = onnx.QuantizeLinear %x, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xui8>
  return %q : tensor<4xui8>
}

// -----

// A uint8 tensor some other op reads: nothing changes.
// CHECK-LABEL: func.func @other_user
// CHECK: onnx.QuantizeLinear {{.*}} -> tensor<4xui8>
// CHECK-NOT: QLinearLookup
func.func @other_user(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %q = onnx.QuantizeLinear %x, %s : (tensor<4xf32>, tensor<f32>) -> tensor<4xui8>
  %d = onnx.Sub %q, %q : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %c = onnx.Cast %d {to = 1 : i64} : (tensor<4xui8>) -> tensor<4xf32>
  return %c : tensor<4xf32>
}

// -----

// DynamicQuantizeLinear's uint8 results in the signed view (y and the zero
// point 128 less, by the op's definition on int8), and float casts to and
// from uint8 adjusted by 128 (to uint8: truncated to int32 first, as the
// uint8 cast truncates, then shifted in integers).
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[Y:[a-z_0-9]+]], %[[S:[a-z_0-9]+]], %[[Z:[a-z_0-9]+]] = onnx.DynamicQuantizeLinear %arg0 : (tensor<4xf32>) -> (tensor<4xi8>, tensor<f32>, tensor<i8>)
// CHECK: %[[K:.*]] = onnx.Constant dense<1.280000e+02> : tensor<f32>
// CHECK: %[[F:.*]] = onnx.Cast %[[Z]] {to = 1 : i64} : (tensor<i8>) -> tensor<f32>
// CHECK: %[[A:.*]] = onnx.Add %[[F]], %[[K]]
// CHECK: %[[T:.*]] = onnx.Cast %[[A]] {to = 6 : i64} : (tensor<f32>) -> tensor<i32>
// CHECK: %[[K2:.*]] = onnx.Constant dense<128> : tensor<i32>
// CHECK: %[[SUB:.*]] = onnx.Sub %[[T]], %[[K2]]
// CHECK: %[[U:.*]] = onnx.Cast %[[SUB]] {to = 3 : i64} : (tensor<i32>) -> tensor<i8>
// CHECK: onnx.QuantizeLinear %arg0, %[[S]], %[[U]] : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
func.func @dynamic(%x: tensor<4xf32>) -> (tensor<4xui8>, tensor<4xui8>) {
  %y, %s, %z = onnx.DynamicQuantizeLinear %x : (tensor<4xf32>) -> (tensor<4xui8>, tensor<f32>, tensor<ui8>)
  %f = onnx.Cast %z {to = 1 : i64} : (tensor<ui8>) -> tensor<f32>
  %u = onnx.Cast %f {to = 2 : i64} : (tensor<f32>) -> tensor<ui8>
  %q = onnx.QuantizeLinear %x, %s, %u : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  return %y, %q : tensor<4xui8>, tensor<4xui8>
}
