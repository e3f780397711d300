// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(whittle-fuse-epilogues),canonicalize,cse)' | FileCheck %s

#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A residual block's convolution: padding, bias initialization, the
// convolution and its epilogue (residual add + ReLU6) become one loop over
// output rows. The padded input exists a tile at a time (no guard branch),
// and the result is written over the residual, which dies here.
// CHECK-LABEL: func.func @conv_epilogue
// CHECK-NOT: tensor.pad
// CHECK: %[[RES:.*]] = linalg.generic
// CHECK: %[[LOOP:.*]] = scf.for %{{.*}} iter_args(%[[ACC:.*]] = %[[RES]])
// CHECK-NOT: scf.if
// CHECK: tensor.pad
// CHECK: linalg.generic {{.*}} ins(%cst{{.*}} : tensor<4xf32>)
// CHECK: %[[CONV:.*]] = linalg.conv_2d_nhwc_fhwc
// CHECK: %[[OUT:.*]] = tensor.extract_slice %[[ACC]]
// CHECK: linalg.generic {{.*}} ins(%[[CONV]], %[[OUT]] : tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>) outs(%[[OUT]] : tensor<1x1x8x4xf32>)
// CHECK: tensor.insert_slice {{.*}} into %[[ACC]]
// CHECK: return %[[LOOP]]
func.func @conv_epilogue(%x: tensor<1x8x8x4xf32>, %skip: tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<1x8x8x4xf32>
  %res = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%skip : tensor<1x8x8x4xf32>) outs(%e0 : tensor<1x8x8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<1x8x8x4xf32>
  %six = arith.constant 6.0 : f32
  %w = arith.constant dense<0.5> : tensor<4x3x3x4xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %padded = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x8x8x4xf32> to tensor<1x10x10x4xf32>
  %e = tensor.empty() : tensor<1x8x8x4xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<4xf32>) outs(%e : tensor<1x8x8x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x8x8x4xf32>
  %conv = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%padded, %w : tensor<1x10x10x4xf32>, tensor<4x3x3x4xf32>) outs(%init : tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
  %e2 = tensor.empty() : tensor<1x8x8x4xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%conv, %res : tensor<1x8x8x4xf32>, tensor<1x8x8x4xf32>) outs(%e2 : tensor<1x8x8x4xf32>) {
  ^bb0(%c: f32, %r: f32, %out: f32):
    %s = arith.addf %c, %r : f32
    %lo = arith.maximumf %s, %zero : f32
    %hi = arith.minimumf %lo, %six : f32
    linalg.yield %hi : f32
  } -> tensor<1x8x8x4xf32>
  return %y : tensor<1x8x8x4xf32>
}

// -----

// A pool with no epilogue still takes its fill into its own row loop; its
// padding (few operations per input element) stays a whole-tensor copy.
// CHECK-LABEL: func.func @pool
// CHECK: tensor.pad
// CHECK: scf.for
// CHECK-NOT: tensor.pad
// CHECK: linalg.fill
// CHECK: linalg.pooling_nhwc_max
// CHECK: tensor.insert_slice
func.func @pool(%x: tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32> {
  %ninf = arith.constant -3.40282347E+38 : f32
  %padded = tensor.pad %x low[0, 1, 1, 0] high[0, 0, 0, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %ninf : f32
  } : tensor<1x8x8x4xf32> to tensor<1x9x9x4xf32>
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %k = tensor.empty() : tensor<3x3xf32>
  %y = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%padded, %k : tensor<1x9x9x4xf32>, tensor<3x3xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// A matmul whose result is also returned is not recomputed per tile: its
// epilogue stays separate.
// CHECK-LABEL: func.func @shared
// CHECK: linalg.matmul
// CHECK-NOT: scf.for
// CHECK: linalg.generic
func.func @shared(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %acc: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %m = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  %e = tensor.empty() : tensor<4x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4x4xf32>
  return %m, %y : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// An int8 convolution: i32 accumulators, an i8 requantized output. Each
// tile's accumulator is a tile-sized empty of its own (not a slice of a
// whole 1x8x8x4xi32 tensor, which would bufferize to one buffer written
// once per tile).
// CHECK-LABEL: func.func @int8_accumulator
// CHECK-NOT: tensor.empty() : tensor<1x8x8x4xi32>
// CHECK: scf.for
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x1x8x4xi32>
// CHECK: %[[B:.*]] = linalg.generic {{.*}} outs(%[[E]] : tensor<1x1x8x4xi32>)
// CHECK: %[[C:.*]] = linalg.conv_2d_nhwc_fhwc_q {{.*}} outs(%[[B]] : tensor<1x1x8x4xi32>)
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<1x1x8x4xi32>) outs(%{{.*}} : tensor<1x1x8x4xi8>)
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @int8_accumulator(%x: tensor<1x10x10x4xi8>) -> tensor<1x8x8x4xi8> {
  %w = arith.constant dense<1> : tensor<4x3x3x4xi8>
  %b = arith.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %zp = arith.constant -128 : i32
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x8x8x4xi32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<4xi32>) outs(%e : tensor<1x8x8x4xi32>) {
  ^bb0(%in: i32, %out: i32):
    linalg.yield %in : i32
  } -> tensor<1x8x8x4xi32>
  %conv = linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %zp, %c0 : tensor<1x10x10x4xi8>, tensor<4x3x3x4xi8>, i32, i32) outs(%init : tensor<1x8x8x4xi32>) -> tensor<1x8x8x4xi32>
  %e8 = tensor.empty() : tensor<1x8x8x4xi8>
  %q = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%conv : tensor<1x8x8x4xi32>) outs(%e8 : tensor<1x8x8x4xi8>) {
  ^bb0(%in: i32, %out: i8):
    %s = arith.shrsi %in, %c0 : i32
    %t = arith.trunci %s : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x8x8x4xi8>
  return %q : tensor<1x8x8x4xi8>
}

// -----

// Two depthwise convolutions of one shape share their zero fill (one op
// after CSE). Each still recomputes it per tile: a fill is cheap, and a
// fused one leaves the accumulator to the kernel's registers.
// CHECK-LABEL: func.func @shared_fill
// CHECK: scf.for
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<1x1x4x4x1xi32>
// CHECK: %[[F1:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%[[E1]] : tensor<1x1x4x4x1xi32>)
// CHECK: linalg.depthwise_conv_2d_nhwc_hwcm_q {{.*}} outs(%[[F1]] : tensor<1x1x4x4x1xi32>)
// CHECK: scf.for
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<1x1x4x4x1xi32>
// CHECK: %[[F2:.*]] = linalg.fill ins(%{{.*}} : i32) outs(%[[E2]] : tensor<1x1x4x4x1xi32>)
// CHECK: linalg.depthwise_conv_2d_nhwc_hwcm_q {{.*}} outs(%[[F2]] : tensor<1x1x4x4x1xi32>)
// CHECK-NOT: tensor<1x4x4x4x1xi32>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
func.func @shared_fill(%x: tensor<1x6x6x4xi8>, %y: tensor<1x6x6x4xi8>) -> (tensor<1x4x4x4x1xi8>, tensor<1x4x4x4x1xi8>) {
  %w = arith.constant dense<1> : tensor<3x3x4x1xi8>
  %zp = arith.constant -128 : i32
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x4x4x4x1xi32>
  %fill = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x4x4x4x1xi32>) -> tensor<1x4x4x4x1xi32>
  %a = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %w, %zp, %c0 : tensor<1x6x6x4xi8>, tensor<3x3x4x1xi8>, i32, i32) outs(%fill : tensor<1x4x4x4x1xi32>) -> tensor<1x4x4x4x1xi32>
  %b = linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%y, %w, %zp, %c0 : tensor<1x6x6x4xi8>, tensor<3x3x4x1xi8>, i32, i32) outs(%fill : tensor<1x4x4x4x1xi32>) -> tensor<1x4x4x4x1xi32>
  %e8 = tensor.empty() : tensor<1x4x4x4x1xi8>
  %qa = linalg.generic {indexing_maps = [#id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%a : tensor<1x4x4x4x1xi32>) outs(%e8 : tensor<1x4x4x4x1xi8>) {
  ^bb0(%in: i32, %out: i8):
    %t = arith.trunci %in : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x4x4x4x1xi8>
  %qb = linalg.generic {indexing_maps = [#id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<1x4x4x4x1xi32>) outs(%e8 : tensor<1x4x4x4x1xi8>) {
  ^bb0(%in: i32, %out: i8):
    %t = arith.trunci %in : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x4x4x4x1xi8>
  return %qa, %qb : tensor<1x4x4x4x1xi8>, tensor<1x4x4x4x1xi8>
}
