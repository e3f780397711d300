// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// Gather reads data through tensor.extract at an index made non-negative and
// clamped into range, so no input can make the code read out of bounds.
// Indices from an input are also checked: a reduction of -5 <= i < 5 over
// them feeds a cf.assert that whittle-lower-checks turns into status 1.
// CHECK-LABEL: func @gather
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK: arith.cmpi sge
// CHECK: arith.cmpi slt
// CHECK: arith.andi
// CHECK: %[[OK:.*]] = tensor.extract
// CHECK: cf.assert %[[OK]], "index out of range" {whittle.status = 1 : i32}
// CHECK: linalg.generic
// CHECK: linalg.index
// CHECK: arith.index_cast
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @gather(%d: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = onnx.Gather %d, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @trilu
// CHECK: arith.subi
// CHECK: arith.cmpi sle
// CHECK: arith.select
func.func @trilu(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = onnx.Trilu %x {upper = 0 : i64} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Tile reads its input modulo the input extent.
// CHECK-DAG: #[[TILE:.*]] = affine_map<(d0, d1) -> (d0, d1 mod 2)>
// CHECK-LABEL: func @tile
// CHECK: linalg.generic {indexing_maps = [#[[TILE]]
func.func @tile(%x: tensor<2x2xf32>) -> tensor<2x6xf32> {
  %r = onnx.Constant dense<[1, 3]> : tensor<2xi64>
  %0 = onnx.Tile %x, %r : (tensor<2x2xf32>, tensor<2xi64>) -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

// -----

// Split: one extract_slice per output, extents from the result types.
// CHECK-LABEL: func @split
// CHECK: tensor.extract_slice %arg0[0, 0] [2, 1] [1, 1]
// CHECK: tensor.extract_slice %arg0[0, 1] [2, 3] [1, 1]
func.func @split(%x: tensor<2x4xf32>) -> (tensor<2x1xf32>, tensor<2x3xf32>) {
  %s = onnx.Constant dense<[1, 3]> : tensor<2xi64>
  %0:2 = "onnx.Split"(%x, %s) {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2xi64>) -> (tensor<2x1xf32>, tensor<2x3xf32>)
  return %0#0, %0#1 : tensor<2x1xf32>, tensor<2x3xf32>
}

// -----

// Integer Mod guards division by zero and follows the divisor's sign.
// CHECK-LABEL: func @mod
// CHECK: arith.cmpi eq
// CHECK: arith.remsi
// CHECK: arith.addi
func.func @mod(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = onnx.Mod %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// DepthToSpace (DCR) is reshape, transpose, reshape.
// CHECK-LABEL: func @depth_to_space
// CHECK: tosa.reshape %arg0, %{{.*}} -> tensor<1x2x2x2x2x3xf32>
// CHECK: tosa.transpose %{{.*}} {perms = array<i32: 0, 3, 4, 1, 5, 2>}
// CHECK: tosa.reshape %{{.*}} -> tensor<1x2x4x6xf32>
func.func @depth_to_space(%x: tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32> {
  %0 = onnx.DepthToSpace %x {blocksize = 2 : i64} : (tensor<1x8x2x3xf32>) -> tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

// Hardmax: 1 where the index equals tosa.argmax along the axis.
// CHECK-LABEL: func @hardmax
// CHECK: tosa.argmax %arg0 {axis = 1 : i32}
// CHECK: linalg.generic
// CHECK: arith.cmpi eq
func.func @hardmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = onnx.Hardmax %x {axis = 1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Constant indices were checked by the verifier: no run-time check.
// CHECK-LABEL: func @gather_constant
// CHECK-NOT: cf.assert
func.func @gather_constant(%d: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %i = onnx.Constant dense<[0, 4]> : tensor<2xi64>
  %0 = onnx.Gather %d, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Integer Div by an input: divisors of 0 (and MIN / -1) become 1 in the
// division, and a check reports zeros as status 2.
// CHECK-LABEL: func @div_int
// CHECK: arith.cmpi ne
// CHECK: cf.assert %{{.*}}, "integer division by zero" {whittle.status = 2 : i32}
// CHECK: arith.select
// CHECK: arith.divsi
func.func @div_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = onnx.Div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}
