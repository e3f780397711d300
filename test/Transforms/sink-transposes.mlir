// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(whittle-sink-transposes))' | FileCheck %s

// A residual block: both add operands come back from NHWC; the add, the
// clamp and the concat with a constant run in NHWC and the transpose pair
// into the next NHWC consumer cancels. One transpose is left for the NCHW
// graph output.
// CHECK-LABEL: func.func @residual
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x4x8xf32>, %[[B:.*]]: tensor<1x4x4x8xf32>)
// CHECK: %[[SUM:.*]] = tosa.add %[[A]], %[[B]] : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x8xf32>
// CHECK: %[[CL:.*]] = tosa.clamp %[[SUM]]
// CHECK: %[[CAT:.*]] = tosa.concat %[[CL]], %{{.*}} {axis = 3 : i32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x16xf32>
// CHECK: %[[NCHW:.*]] = tosa.transpose %[[CAT]] {perms = array<i32: 0, 3, 1, 2>}
// CHECK: return %[[CAT]], %[[NCHW]]
func.func @residual(%a: tensor<1x4x4x8xf32>, %b: tensor<1x4x4x8xf32>) -> (tensor<1x4x4x16xf32>, tensor<1x16x4x4xf32>) {
  %ta = tosa.transpose %a {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x8xf32>) -> tensor<1x8x4x4xf32>
  %tb = tosa.transpose %b {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x8xf32>) -> tensor<1x8x4x4xf32>
  %s = tosa.add %ta, %tb : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %c = tosa.clamp %s {max_val = 6.0 : f32, min_val = 0.0 : f32} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %z = "tosa.const"() {values = dense<0.0> : tensor<1x8x4x4xf32>} : () -> tensor<1x8x4x4xf32>
  %cat = tosa.concat %c, %z {axis = 1 : i32} : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x16x4x4xf32>
  %back = tosa.transpose %cat {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x16x4x4xf32>) -> tensor<1x4x4x16xf32>
  return %back, %cat : tensor<1x4x4x16xf32>, tensor<1x16x4x4xf32>
}

// -----

// A per-channel constant ([1,C,1,1]) is transposed with the layout
// ([1,1,1,C], folded at compile time); the mul's shift operand is not data
// and stays.
// CHECK-LABEL: func.func @bias
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, 2.000000e+00, {{.*}}]]]]> : tensor<1x1x1x8xf32>}>
// CHECK: %[[M:.*]] = tosa.mul %arg0, %[[C]], %{{.*}} : (tensor<1x4x4x8xf32>, tensor<1x1x1x8xf32>, tensor<1xi8>) -> tensor<1x4x4x8xf32>
// CHECK: tosa.transpose %[[M]] {perms = array<i32: 0, 3, 1, 2>}
func.func @bias(%a: tensor<1x4x4x8xf32>) -> tensor<1x8x4x4xf32> {
  %ta = tosa.transpose %a {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x8xf32>) -> tensor<1x8x4x4xf32>
  %k = "tosa.const"() {values = dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]], [[5.0]], [[6.0]], [[7.0]], [[8.0]]]]> : tensor<1x8x1x1xf32>} : () -> tensor<1x8x1x1xf32>
  %shift = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %m = tosa.mul %ta, %k, %shift : (tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>, tensor<1xi8>) -> tensor<1x8x4x4xf32>
  return %m : tensor<1x8x4x4xf32>
}

// -----

// Not moved: a non-constant operand in the other layout would need a new
// transpose, and a transpose with other users would not die.
// CHECK-LABEL: func.func @kept
// CHECK: %[[T:.*]] = tosa.transpose %arg0
// CHECK: tosa.add %[[T]], %arg1
// CHECK: tosa.abs %[[T]]
// CHECK: tosa.negate
func.func @kept(%a: tensor<1x4x4x8xf32>, %b: tensor<1x8x4x4xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) {
  %ta = tosa.transpose %a {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x8xf32>) -> tensor<1x8x4x4xf32>
  %s = tosa.add %ta, %b : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %n = tosa.abs %ta : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %z = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %neg = tosa.negate %n, %z, %z : (tensor<1x8x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x4x4xf32>
  return %s, %neg : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>
}

// -----

// A slice of a transposed tensor (the odd-size crop before a strided 1x1
// convolution) runs in the untransposed layout with permuted start and size.
// CHECK-LABEL: func.func @slice
// CHECK: %[[S:.*]] = tosa.slice %arg0, %{{.*}}, %{{.*}} : (tensor<1x6x6x8xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x5x5x8xf32>
// CHECK: %[[N:.*]] = tosa.negate %[[S]]
// CHECK-NOT: tosa.transpose
// CHECK: return %[[N]]
func.func @slice(%a: tensor<1x6x6x8xf32>) -> tensor<1x5x5x8xf32> {
  %t = tosa.transpose %a {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x6x6x8xf32>) -> tensor<1x8x6x6xf32>
  %start = tosa.const_shape {values = dense<[0, 0, 1, 0]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %size = tosa.const_shape {values = dense<[1, 8, 5, 5]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %s = tosa.slice %t, %start, %size : (tensor<1x8x6x6xf32>, !tosa.shape<4>, !tosa.shape<4>) -> tensor<1x8x5x5xf32>
  %z1 = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %z2 = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %n = tosa.negate %s, %z1, %z2 : (tensor<1x8x5x5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x5x5xf32>
  %back = tosa.transpose %n {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x8x5x5xf32>) -> tensor<1x5x5x8xf32>
  return %back : tensor<1x5x5x8xf32>
}

// -----

// Global pooling: the reductions move to the NHWC axes, and the transpose
// left on the 1x1x1xC result only moves unit dimensions, so it becomes a
// reshape (a view).
// CHECK-LABEL: func.func @global_pool
// CHECK: %[[R1:.*]] = tosa.reduce_sum %arg0 {axis = 1 : i32} : (tensor<1x4x4x8xf32>) -> tensor<1x1x4x8xf32>
// CHECK: %[[R2:.*]] = tosa.reduce_max %[[R1]] {axis = 2 : i32{{.*}}} : (tensor<1x1x4x8xf32>) -> tensor<1x1x1x8xf32>
// CHECK: %[[V:.*]] = tosa.reshape %[[R2]], %{{.*}} : (tensor<1x1x1x8xf32>, !tosa.shape<4>) -> tensor<1x8x1x1xf32>
// CHECK-NOT: tosa.transpose
// CHECK: return %[[V]]
func.func @global_pool(%a: tensor<1x4x4x8xf32>) -> tensor<1x8x1x1xf32> {
  %t = tosa.transpose %a {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x8xf32>) -> tensor<1x8x4x4xf32>
  %r1 = tosa.reduce_sum %t {axis = 2 : i32} : (tensor<1x8x4x4xf32>) -> tensor<1x8x1x4xf32>
  %r2 = tosa.reduce_max %r1 {axis = 3 : i32} : (tensor<1x8x1x4xf32>) -> tensor<1x8x1x1xf32>
  return %r2 : tensor<1x8x1x1xf32>
}

// -----

// A transpose that moves a non-unit dimension stays.
// CHECK-LABEL: func.func @real_transpose
// CHECK: tosa.transpose
func.func @real_transpose(%a: tensor<1x4x1x8xf32>) -> tensor<1x8x1x4xf32> {
  %t = tosa.transpose %a {perms = array<i32: 0, 3, 2, 1>} : (tensor<1x4x1x8xf32>) -> tensor<1x8x1x4xf32>
  return %t : tensor<1x8x1x4xf32>
}

// -----

// A quantized residual add: rescale to i32, add, rescale back. Rescales
// with one multiplier are elementwise: the whole chain runs in NHWC and
// the transposes cancel. A per-channel rescale (multipliers along the
// last dimension, which the transpose moves) keeps its transpose.
// CHECK-LABEL: func.func @rescale
// CHECK-SAME: (%[[A:.*]]: tensor<1x4x4x8xi8>, %[[B:.*]]: tensor<1x4x4x8xi8>)
// CHECK: %[[RA:.*]] = tosa.rescale %[[A]], {{.*}} -> tensor<1x4x4x8xi32>
// CHECK: %[[RB:.*]] = tosa.rescale %[[B]], {{.*}} -> tensor<1x4x4x8xi32>
// CHECK: %[[S:.*]] = tosa.add %[[RA]], %[[RB]] {{.*}} -> tensor<1x4x4x8xi32>
// CHECK: %[[Q:.*]] = tosa.rescale %[[S]], {{.*}} -> tensor<1x4x4x8xi8>
// CHECK: %[[T:.*]] = tosa.transpose %[[A]]
// CHECK: %[[P:.*]] = tosa.rescale %[[T]], {{.*}}per_channel = true{{.*}} -> tensor<1x8x4x4xi8>
// CHECK: return %[[Q]], %[[P]]
func.func @rescale(%a: tensor<1x4x4x8xi8>, %b: tensor<1x4x4x8xi8>) -> (tensor<1x4x4x8xi8>, tensor<1x8x4x4xi8>) {
  %m = "tosa.const"() {values = dense<1073741824> : tensor<1xi32>} : () -> tensor<1xi32>
  %m4 = "tosa.const"() {values = dense<1073741824> : tensor<4xi32>} : () -> tensor<4xi32>
  %sh = "tosa.const"() {values = dense<30> : tensor<1xi8>} : () -> tensor<1xi8>
  %sh4 = "tosa.const"() {values = dense<30> : tensor<4xi8>} : () -> tensor<4xi8>
  %z8 = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %z32 = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ta = tosa.transpose %a {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x8xi8>) -> tensor<1x8x4x4xi8>
  %tb = tosa.transpose %b {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x8xi8>) -> tensor<1x8x4x4xi8>
  %ra = tosa.rescale %ta, %m, %sh, %z8, %z32 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x8x4x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x8x4x4xi32>
  %rb = tosa.rescale %tb, %m, %sh, %z8, %z32 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x8x4x4xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x8x4x4xi32>
  %s = tosa.add %ra, %rb : (tensor<1x8x4x4xi32>, tensor<1x8x4x4xi32>) -> tensor<1x8x4x4xi32>
  %q = tosa.rescale %s, %m, %sh, %z32, %z8 {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x8x4x4xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x8x4x4xi8>
  %back = tosa.transpose %q {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x8x4x4xi8>) -> tensor<1x4x4x8xi8>
  %ta2 = tosa.transpose %a {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x8xi8>) -> tensor<1x8x4x4xi8>
  %p = tosa.rescale %ta2, %m4, %sh4, %z8, %z8 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x8x4x4xi8>, tensor<4xi32>, tensor<4xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x4x4xi8>
  return %back, %p : tensor<1x4x4x8xi8>, tensor<1x8x4x4xi8>
}

// -----

// An elementwise linalg.generic (QuantizeLinear's division, per channel
// along NCHW's C) runs in the untransposed NHWC layout: its per-channel
// operand ([1,C,1,1]) is transposed to [1,1,1,C] (folded) and indexed
// along the new last dimension, and the transpose pair around it cancels.
// CHECK: #[[BC:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, 0, 0, d3)>
// CHECK-LABEL: func.func @quantize
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x4x3xf32>)
// CHECK: %[[S:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}5.000000e-01, 2.500000e-01, 2.000000e+00]]]]> : tensor<1x1x1x3xf32>}>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x4x4x3xi8>
// CHECK: %[[Q:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[BC]], #{{.*}}]{{.*}} ins(%[[X]], %[[S]] : tensor<1x4x4x3xf32>, tensor<1x1x1x3xf32>) outs(%[[E]] : tensor<1x4x4x3xi8>)
// CHECK: arith.divf
// CHECK-NOT: tosa.transpose
// CHECK: return %[[Q]]
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#c4 = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, 0)>
func.func @quantize(%x: tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xi8> {
  %t = tosa.transpose %x {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x3xf32>) -> tensor<1x3x4x4xf32>
  %s = "tosa.const"() {values = dense<[[[[0.5]], [[0.25]], [[2.0]]]]> : tensor<1x3x1x1xf32>} : () -> tensor<1x3x1x1xf32>
  %e = tensor.empty() : tensor<1x3x4x4xi8>
  %q = linalg.generic {indexing_maps = [#id4, #c4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%t, %s : tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) outs(%e : tensor<1x3x4x4xi8>) {
  ^bb0(%a: f32, %b: f32, %o: i8):
    %d = arith.divf %a, %b : f32
    %i = arith.fptosi %d : f32 to i8
    linalg.yield %i : i8
  } -> tensor<1x3x4x4xi8>
  %back = tosa.transpose %q {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x3x4x4xi8>) -> tensor<1x4x4x3xi8>
  return %back : tensor<1x4x4x3xi8>
}
