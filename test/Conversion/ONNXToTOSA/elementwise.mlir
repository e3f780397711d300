// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// Ops without a TOSA equivalent become one linalg.generic with a scalar body.
// CHECK-LABEL: func @scalar_bodies
// CHECK: linalg.generic
// CHECK: math.floor
// CHECK: linalg.generic
// CHECK: math.erf
// CHECK: linalg.generic
// CHECK: math.expm1
// CHECK: arith.select
// CHECK: linalg.generic
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK-NOT: onnx.
func.func @scalar_bodies(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) {
  %0 = onnx.Floor %x : tensor<4xf32>
  %1 = onnx.Erf %x : tensor<4xf32>
  %2 = onnx.Elu %x {alpha = 0.5 : f32} : tensor<4xf32>
  %3 = onnx.Cast %x {to = 6 : i64} : (tensor<4xf32>) -> tensor<4xi32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// Comparisons and logic produce i1 with numpy broadcasting in the maps.
// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func @compare
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BCAST]], #{{.*}}]
// CHECK: arith.cmpf ogt
// CHECK: -> tensor<2x3xi1>
// CHECK: arith.select
func.func @compare(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = onnx.Greater %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %1 = onnx.Where %0, %a, %b : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @variadic
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK: arith.maximumf
func.func @variadic(%a: tensor<3xf32>, %b: tensor<3xf32>, %c: tensor<1xf32>) -> tensor<3xf32> {
  %0 = onnx.Max %a, %b, %c : (tensor<3xf32>, tensor<3xf32>, tensor<1xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Inverse trigonometric and hyperbolic functions stay math ops here;
// whittle-expand-math approximates them later.
// CHECK-LABEL: func @trig
// CHECK: math.asin
// CHECK: math.atanh
// CHECK: arith.cmpf uno
func.func @trig(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi1>) {
  %0 = onnx.Asin %x : tensor<4xf32>
  %1 = onnx.Atanh %x : tensor<4xf32>
  %2 = onnx.IsNaN %x : (tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xi1>
}

// -----

// Pow with an integer exponent: binary exponentiation over the exponent's
// bits in the base's float type (exact for integral powers, no exp/log).
// CHECK-LABEL: func @pow_float_int
// CHECK: linalg.generic
// CHECK-COUNT-32: arith.shrui
// CHECK: arith.divf
// CHECK-NOT: math.log
func.func @pow_float_int(%x: tensor<4xf32>, %e: tensor<4xi32>) -> tensor<4xf32> {
  %0 = onnx.Pow %x, %e : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An integer base with a float exponent: exp(y * log|x|) in f32 with the
// sign fixed for odd integral y, converted back to the base's type.
// CHECK-LABEL: func @pow_int_float
// CHECK: linalg.generic
// CHECK: arith.sitofp
// CHECK: math.log
// CHECK: math.exp
// CHECK: arith.fptosi
func.func @pow_int_float(%x: tensor<3xi64>, %e: tensor<3xf32>) -> tensor<3xi64> {
  %0 = onnx.Pow %x, %e : (tensor<3xi64>, tensor<3xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// Integers: binary exponentiation in i64, wrapped to the base's width.
// CHECK-LABEL: func @pow_int_int
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: arith.trunci
func.func @pow_int_int(%x: tensor<3xi32>, %e: tensor<3xi32>) -> tensor<3xi32> {
  %0 = onnx.Pow %x, %e : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// Integer Clip with a bound read at run time: max then min in a generic.
// CHECK-LABEL: func @clip_int_runtime
// CHECK: linalg.generic
// CHECK: arith.maxsi
// CHECK-NOT: arith.minsi
func.func @clip_int_runtime(%x: tensor<3x4xi8>, %lo: tensor<i8>) -> tensor<3x4xi8> {
  %0 = onnx.Clip %x min %lo : tensor<i8> : (tensor<3x4xi8>) -> tensor<3x4xi8>
  return %0 : tensor<3x4xi8>
}
