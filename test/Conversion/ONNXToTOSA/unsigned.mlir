// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// Unsigned integers become signless; the model's inputs and outputs keep
// their type through whittle.unsigned, and the ops that depend on the sign
// take unsigned arithmetic.
// CHECK-LABEL: func @max_div_mod
// CHECK-SAME: (%{{.*}}: tensor<4xi32> {whittle.unsigned}, %{{.*}}: tensor<4xi32> {whittle.unsigned})
// CHECK-SAME: -> (tensor<4xi32> {whittle.unsigned}, tensor<4xi32> {whittle.unsigned}, tensor<4xi32> {whittle.unsigned})
// CHECK: arith.maxui
// CHECK: arith.divui
// CHECK-NOT: arith.divsi
// CHECK: arith.remui
// CHECK-NOT: arith.remsi
func.func @max_div_mod(%a: tensor<4xui32>, %b: tensor<4xui32>) -> (tensor<4xui32>, tensor<4xui32>, tensor<4xui32>) {
  %0 = onnx.Max %a, %b : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %1 = onnx.Div %a, %b : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  %2 = onnx.Mod %a, %b : (tensor<4xui32>, tensor<4xui32>) -> tensor<4xui32>
  return %0, %1, %2 : tensor<4xui32>, tensor<4xui32>, tensor<4xui32>
}

// -----

// Comparisons and conversions: unsigned predicates, zero extension, and
// uitofp; uint8 addition wraps in eight bits as scalar code.
// CHECK-LABEL: func @compare_cast
// CHECK: arith.cmpi ult
// CHECK: arith.extui {{.*}} : i8 to i64
// CHECK: arith.uitofp {{.*}} : i8 to f32
// CHECK: arith.addi {{.*}} : i8
func.func @compare_cast(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xi1>, tensor<4xi64>, tensor<4xf32>, tensor<4xui8>) {
  %0 = onnx.Less %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xi1>
  %1 = onnx.Cast %a {to = 7 : i64} : (tensor<4xui8>) -> tensor<4xi64>
  %2 = onnx.Cast %a {to = 1 : i64} : (tensor<4xui8>) -> tensor<4xf32>
  %3 = onnx.Add %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi64>, tensor<4xf32>, tensor<4xui8>
}

// -----

// BitShift: logical shifts; a shift by the width or more gives 0.
// CHECK-LABEL: func @bitshift
// CHECK: arith.cmpi ult, %{{.*}}, %c16_i16
// CHECK: arith.shrui
// CHECK: arith.select
func.func @bitshift(%a: tensor<3xui16>, %b: tensor<3xui16>) -> tensor<3xui16> {
  %0 = onnx.BitShift %a, %b {direction = "RIGHT"} : (tensor<3xui16>, tensor<3xui16>) -> tensor<3xui16>
  return %0 : tensor<3xui16>
}

// -----

// Unsigned constants keep their bits (255 reads -1 as i8).
// CHECK-LABEL: func @constant
// CHECK: dense<[-1, 1]> : tensor<2xi8>
// CHECK: arith.minui
// CHECK-NOT: ui8
func.func @constant(%a: tensor<2xui8>) -> tensor<2xui8> {
  %c = onnx.Constant dense<[255, 1]> : tensor<2xui8>
  %0 = onnx.Min %a, %c : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  return %0 : tensor<2xui8>
}
