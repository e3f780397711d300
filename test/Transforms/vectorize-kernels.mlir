// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=128 registers=16},canonicalize,cse)" | FileCheck %s
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=0})" | FileCheck %s --check-prefix=OFF

// Off (the C path): every convolution stays a linalg op.
// OFF-COUNT-6: linalg.{{(depthwise_)?}}conv_2d
// OFF: linalg.batch_matmul

// A 1x1 convolution with 2 output channels: one block of width 2 (a
// 2-lane vector, narrower than the target's 4), 7 pixels in one tile. The
// filter is repacked [F/FT][KH][KW][C][FT] = c-major pairs (1,4), (2,5),
// (3,6), and the original global is erased.
// CHECK-NOT: memref.global "private" constant @w :
// CHECK-LABEL: func.func @conv1x1
// CHECK: %[[P:.*]] = memref.get_global @w_packed4 : memref<6xf32>
// CHECK-COUNT-7: vector.load %arg1{{.*}} vector<2xf32>
// CHECK: scf.for %[[C:.*]] = %c0 to %c3 step %c1 iter_args
// CHECK: %[[W:.*]] = vector.load %[[P]][%{{.*}}] : memref<6xf32>, vector<2xf32>
// CHECK: %[[X:.*]] = memref.load %arg0[%c0, %c0, %c0, %[[C]]]
// CHECK: %[[B:.*]] = vector.broadcast %[[X]] : f32 to vector<2xf32>
// CHECK: vector.fma %[[B]], %[[W]], %{{.*}} : vector<2xf32>
// CHECK-COUNT-6: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-7: vector.store {{.*}} vector<2xf32>
// CHECK-NOT: linalg.conv
memref.global "private" constant @w : memref<2x1x1x3xf32> = dense<[[[[1.0, 2.0, 3.0]]], [[[4.0, 5.0, 6.0]]]]> {alignment = 64 : i64}
func.func @conv1x1(%in: memref<1x1x7x3xf32>, %out: memref<1x1x7x2xf32>) {
  %w = memref.get_global @w : memref<2x1x1x3xf32>
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x1x7x3xf32>, memref<2x1x1x3xf32>) outs(%out : memref<1x1x7x2xf32>)
  return
}

// 3x3, stride 2, 12 output channels over a strided output view: tiles of 6
// pixels x 2 vectors of 4 (FT = 8) in a loop over the full channel block,
// then the pixel remainder (1 pixel), then the channel remainder (4
// channels, block width 4): one vector, so its tiles take up to 14 pixels,
// here all 7 at once, not 6 and 1.
// CHECK-LABEL: func.func @conv3x3
// CHECK: memref.get_global @w2_packed8 : memref<324xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK-COUNT-2: vector.load {{.*}} : memref<324xf32>, vector<4xf32>
// CHECK-COUNT-12: vector.fma
// CHECK-COUNT-12: vector.store
// CHECK: -> (vector<4xf32>, vector<4xf32>)
// CHECK-COUNT-2: vector.store
// CHECK: -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK-COUNT-7: vector.store {{.*}}, %c8]
// CHECK-NOT: vector.store
// CHECK: return
memref.global "private" constant @w2 : memref<12x3x3x3xf32> = dense<1.0> {alignment = 64 : i64}
func.func @conv3x3(%in: memref<1x3x15x3xf32>, %out: memref<1x1x7x12xf32, strided<[1000, 100, 12, 1], offset: ?>>) {
  %w = memref.get_global @w2 : memref<12x3x3x3xf32>
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%in, %w : memref<1x3x15x3xf32>, memref<12x3x3x3xf32>) outs(%out : memref<1x1x7x12xf32, strided<[1000, 100, 12, 1], offset: ?>>)
  return
}

// A filter that is not a constant (a function argument) cannot be packed:
// the op is left to convert-linalg-to-loops.
// CHECK-LABEL: func.func @runtime_filter
// CHECK: linalg.conv_2d_nhwc_fhwc
func.func @runtime_filter(%in: memref<1x3x9x3xf32>, %w: memref<4x3x3x3xf32>, %out: memref<1x1x7x4xf32>) {
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x3x9x3xf32>, memref<4x3x3x3xf32>) outs(%out : memref<1x1x7x4xf32>)
  return
}

// Depthwise, multiplier 1, 10 channels, one output pixel, dilation 2:
// vectors along channels (2 x 4 lanes, then a 2-lane remainder), input and
// filter both read as vectors, the unit multiplier dimension collapsed.
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[F:.*]] = memref.collapse_shape %arg1 {{\[\[}}0], [1], [2, 3]] : memref<3x3x10x1xf32> into memref<3x3x10xf32>
// CHECK: %[[O:.*]] = memref.collapse_shape %arg2 {{\[\[}}0], [1], [2], [3, 4]]
// CHECK: scf.for %[[I:.*]] = %c0 to %c3 step %c1 iter_args({{.*}}) -> (vector<4xf32>, vector<4xf32>)
// CHECK: scf.for %[[J:.*]] = %c0 to %c3 step %c1 iter_args({{.*}}) -> (vector<4xf32>, vector<4xf32>)
// CHECK: %[[W:.*]] = vector.load %[[F]][%[[I]], %[[J]], %c0] : memref<3x3x10xf32>, vector<4xf32>
// CHECK: vector.load %[[F]][%[[I]], %[[J]], %c4]
// CHECK: %[[X:.*]] = vector.load %arg0[%c0, %{{.*}}, %{{.*}}, %c0] : memref<1x5x5x10xf32>, vector<4xf32>
// CHECK: vector.fma %[[X]], %[[W]]
// CHECK: vector.store %{{.*}}, %[[O]]
// CHECK: -> (vector<2xf32>)
// CHECK: vector.load %[[F]][%{{.*}}, %{{.*}}, %c8] : memref<3x3x10xf32>, vector<2xf32>
// CHECK-NOT: linalg.depthwise
func.func @depthwise(%in: memref<1x5x5x10xf32>, %w: memref<3x3x10x1xf32>, %out: memref<1x1x1x10x1xf32>) {
  linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x5x5x10xf32>, memref<3x3x10x1xf32>) outs(%out : memref<1x1x1x10x1xf32>)
  return
}

// A row of a fused layer as bufferization leaves it: bias broadcast into a
// row buffer, the convolution, then bias-free epilogue (residual add and
// ReLU6) into the output. The accumulators start from the bias vectors,
// the epilogue runs on them in registers (the constants broadcast), and
// the row buffer is gone.
// CHECK-LABEL: func.func @fused
// CHECK-NOT: memref.alloc
// CHECK-NOT: linalg.
// CHECK: %[[B:.*]] = vector.load %arg2[%c0] : memref<4xf32>, vector<4xf32>
// CHECK: scf.for
// CHECK: vector.fma
// CHECK: %[[R:.*]] = vector.load %arg3[%c0, %c0, %c0, %c0] : memref<1x1x3x4xf32>, vector<4xf32>
// CHECK: %[[S:.*]] = arith.addf %{{.*}}, %[[R]] : vector<4xf32>
// CHECK: %[[M:.*]] = arith.minimumf %[[S]], %{{.*}} : vector<4xf32>
// CHECK: %[[Y:.*]] = arith.maximumf %[[M]], %{{.*}} : vector<4xf32>
// CHECK: vector.store %[[Y]], %arg4[%c0, %c0, %c0, %c0] : memref<1x1x3x4xf32, strided<[100, 40, 4, 1], offset: ?>>, vector<4xf32>
// CHECK-NOT: memref.dealloc
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
memref.global "private" constant @w3 : memref<4x1x1x2xf32> = dense<0.5> {alignment = 64 : i64}
func.func @fused(%in: memref<1x1x3x2xf32>, %unused: memref<4xf32>, %bias: memref<4xf32>, %res: memref<1x1x3x4xf32>, %out: memref<1x1x3x4xf32, strided<[100, 40, 4, 1], offset: ?>>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x1x3x4xf32>
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bias : memref<4xf32>) outs(%acc : memref<1x1x3x4xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  %w = memref.get_global @w3 : memref<4x1x1x2xf32>
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x1x3x2xf32>, memref<4x1x1x2xf32>) outs(%acc : memref<1x1x3x4xf32>)
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc, %res : memref<1x1x3x4xf32>, memref<1x1x3x4xf32>) outs(%out : memref<1x1x3x4xf32, strided<[100, 40, 4, 1], offset: ?>>) {
  ^bb0(%a: f32, %r: f32, %o: f32):
    %s = arith.addf %a, %r : f32
    %m = arith.minimumf %s, %six : f32
    %y = arith.maximumf %m, %zero : f32
    linalg.yield %y : f32
  }
  memref.dealloc %acc : memref<1x1x3x4xf32>
  return
}

// The accumulator buffer is read again after the epilogue: the epilogue
// is not fused, and the kernel stores into the buffer. The fill still is
// (the tile starts at zero: it wrote all of the buffer right before the
// convolution). The epilogue becomes a vector loop of its own.
// CHECK-LABEL: func.func @not_fused
// CHECK: %[[ACC:.*]] = memref.alloc
// CHECK-NOT: vector.store
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO:cst[_0-9]*]],
// CHECK: vector.fma
// CHECK: vector.store {{.*}}, %[[ACC]]
// CHECK: scf.for
// CHECK-NEXT: vector.load %[[ACC]]
// CHECK-NEXT: arith.maximumf
// CHECK-NEXT: vector.store %{{.*}}, %arg1
// CHECK: scf.for
// CHECK-NEXT: %[[V:.*]] = vector.load %[[ACC]]
// CHECK-NEXT: vector.store %[[V]], %arg2
// CHECK-NOT: memref.copy
memref.global "private" constant @w4 : memref<4x1x1x2xf32> = dense<0.5> {alignment = 64 : i64}
func.func @not_fused(%in: memref<1x1x3x2xf32>, %out: memref<1x1x3x4xf32>, %copy: memref<1x1x3x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %acc = memref.alloc() {alignment = 64 : i64} : memref<1x1x3x4xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<1x1x3x4xf32>)
  %w = memref.get_global @w4 : memref<4x1x1x2xf32>
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : memref<1x1x3x2xf32>, memref<4x1x1x2xf32>) outs(%acc : memref<1x1x3x4xf32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc : memref<1x1x3x4xf32>) outs(%out : memref<1x1x3x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = arith.maximumf %a, %zero : f32
    linalg.yield %y : f32
  }
  memref.copy %acc, %copy : memref<1x1x3x4xf32> to memref<1x1x3x4xf32>
  return
}

// Other linalg ops vectorize along the output's innermost dimension. A
// matrix product with a 10-column B: k innermost, carrying 2 full vectors
// and a 2-lane remainder, A broadcast, B rows read as vectors.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for %[[M:.*]] = %c0 to %c3
// CHECK: vector.load %arg2[%c0, %[[M]], %c0] : memref<1x3x10xf32>, vector<4xf32>
// CHECK: vector.load %arg2[%c0, %[[M]], %c4] : memref<1x3x10xf32>, vector<4xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c5 step %c1 iter_args
// CHECK: %[[A:.*]] = memref.load %arg0[%c0, %[[M]], %[[K]]]
// CHECK-DAG: %[[AB:.*]] = vector.broadcast %[[A]] : f32 to vector<4xf32>
// CHECK-DAG: %[[B:.*]] = vector.load %arg1[%c0, %[[K]], %c0] : memref<1x5x10xf32>, vector<4xf32>
// CHECK: arith.mulf %[[AB]], %[[B]] fastmath<contract> : vector<4xf32>
// CHECK: arith.addf {{.*}} fastmath<contract>
// CHECK: vector<2xf32>
// CHECK-NOT: linalg.batch_matmul
func.func @matmul(%a: memref<1x3x5xf32>, %b: memref<1x5x10xf32>, %c: memref<1x3x10xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<1x3x5xf32>, memref<1x5x10xf32>) outs(%c : memref<1x3x10xf32>)
  return
}

// A transpose moves the innermost dimension: left to the scalar lowering.
// So is anything on i1 or i48 (a vector of them is packed bits, the buffer
// bytes or 8-byte slots).
// CHECK-LABEL: func.func @left_alone
// CHECK: linalg.generic
// CHECK: linalg.transpose
// CHECK: linalg.generic
func.func @left_alone(%a: memref<4x8xf32>, %b: memref<8x4xf32>, %p: memref<8xi1>, %q: memref<8xi1>, %r: memref<8xi48>, %s: memref<8xi48>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%r : memref<8xi48>) outs(%s : memref<8xi48>) {
  ^bb0(%x: i48, %y: i48):
    %n = arith.addi %x, %x : i48
    linalg.yield %n : i48
  }
  linalg.transpose ins(%a : memref<4x8xf32>) outs(%b : memref<8x4xf32>) permutation = [1, 0]
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%p : memref<8xi1>) outs(%q : memref<8xi1>) {
  ^bb0(%x: i1, %y: i1):
    %n = arith.xori %x, %x : i1
    linalg.yield %n : i1
  }
  return
}

// Copies vectorize too, with dynamic extents in the outer dimensions (a
// row tile clipped at the border): those loops run to memref.dim.
// CHECK-LABEL: func.func @copy
// CHECK: %[[N:.*]] = memref.dim %arg0, %c1
// CHECK: scf.for %[[R:.*]] = %c0 to %[[N]] step %c1
// CHECK: scf.for %[[W:.*]] = %c0 to %c5 step %c1
// CHECK: %[[V:.*]] = vector.load %arg0[%c0, %[[R]], %[[W]], %c0] : memref<1x?x5x6xf32, strided<[300, 30, 6, 1], offset: ?>>, vector<4xf32>
// CHECK: vector.store %[[V]], %arg1[%c0, %[[R]], %[[W]], %c0]
// CHECK: vector<2xf32>
// CHECK-NOT: memref.copy
func.func @copy(%a: memref<1x?x5x6xf32, strided<[300, 30, 6, 1], offset: ?>>, %b: memref<1x?x5x6xf32, strided<[420, 42, 6, 1], offset: ?>>) {
  memref.copy %a, %b : memref<1x?x5x6xf32, strided<[300, 30, 6, 1], offset: ?>> to memref<1x?x5x6xf32, strided<[420, 42, 6, 1], offset: ?>>
  return
}

// An innermost dimension narrower than a vector (3 channels): the trailing
// dimensions every operand holds contiguously merge, and the vectors run
// along whole rows: 384 bytes of a padding copy, all 1965 of a fill. Int8
// data movement uses full registers (16 x i8 at 128 bits).
// CHECK-LABEL: func.func @narrow_copy
// CHECK: %[[A:.*]] = memref.collapse_shape %arg0 {{\[\[}}0], [1], [2, 3]] {{.*}} into memref<1x?x384xi8, strided<[49152, 384, 1], offset: ?>>
// CHECK: %[[B:.*]] = memref.collapse_shape %arg1 {{\[\[}}0], [1], [2, 3]] {{.*}} into memref<1x?x384xi8, strided<[1965, 393, 1], offset: ?>>
// CHECK: %[[V:.*]] = vector.load %[[A]]{{.*}} vector<16xi8>
// CHECK: vector.store %[[V]], %[[B]]
func.func @narrow_copy(%a: memref<1x?x128x3xi8, strided<[49152, 384, 3, 1], offset: ?>>, %b: memref<1x?x128x3xi8, strided<[1965, 393, 3, 1], offset: ?>>) {
  memref.copy %a, %b : memref<1x?x128x3xi8, strided<[49152, 384, 3, 1], offset: ?>> to memref<1x?x128x3xi8, strided<[1965, 393, 3, 1], offset: ?>>
  return
}

// CHECK-LABEL: func.func @narrow_fill
// CHECK: %[[F:.*]] = memref.collapse_shape %arg0 {{\[\[}}0, 1, 2, 3]] : memref<1x5x131x3xi8> into memref<1965xi8>
// CHECK: scf.for
// CHECK: vector.store %{{.*}}, %[[F]][%{{.*}}] : memref<1965xi8>, vector<16xi8>
func.func @narrow_fill(%a: memref<1x5x131x3xi8>) {
  %c = arith.constant -128 : i8
  linalg.fill ins(%c : i8) outs(%a : memref<1x5x131x3xi8>)
  return
}



// A tile of one pixel and one vector has a single chain of dependent FMAs
// (latency-bound); it keeps 4 sets of accumulators for consecutive input
// channels (16 / 4 = 4 steps), the last three starting at zero, summed in
// order after the reduction.
// CHECK-LABEL: func.func @conv_one_pixel
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK: %[[INIT:.*]] = vector.load %arg1
// CHECK: %[[R:.*]]:4 = scf.for %{{.*}} = %c0 to %c4 step %c1 iter_args(%[[A0:.*]] = %[[INIT]], %[[A1:.*]] = %[[Z]], %[[A2:.*]] = %[[Z]], %[[A3:.*]] = %[[Z]])
// CHECK: vector.fma %{{.*}}, %{{.*}}, %[[A0]]
// CHECK: vector.fma %{{.*}}, %{{.*}}, %[[A1]]
// CHECK: vector.fma %{{.*}}, %{{.*}}, %[[A2]]
// CHECK: vector.fma %{{.*}}, %{{.*}}, %[[A3]]
// CHECK: %[[S1:.*]] = arith.addf %[[R]]#0, %[[R]]#1
// CHECK: %[[S2:.*]] = arith.addf %[[S1]], %[[R]]#2
// CHECK: %[[S3:.*]] = arith.addf %[[S2]], %[[R]]#3
// CHECK: vector.store %[[S3]], %arg1
memref.global "private" constant @w16 : memref<4x1x1x16xf32> = dense<0.5>
func.func @conv_one_pixel(%x: memref<1x1x1x16xf32>, %y: memref<1x1x1x4xf32>) {
  %w = memref.get_global @w16 : memref<4x1x1x16xf32>
  linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
    ins(%x, %w : memref<1x1x1x16xf32>, memref<4x1x1x16xf32>) outs(%y : memref<1x1x1x4xf32>)
  return
}

// The packed values, c-major pairs: 1, 4, 2, 5, 3, 6.
// CHECK: w_packed4: "0x080000000000803F00008040000000400000A040000040400000C040"
