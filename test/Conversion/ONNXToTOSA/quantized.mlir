// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(convert-onnx-to-tosa))' | FileCheck %s

// int8 x int8 accumulates in int32 (zero points as operands), then one
// per-channel rescale: multiplier * 2^-shift = x_scale * w_scale[c] /
// y_scale = 0.5 * [0.25, 0.5] / 0.1 = [1.25, 2.5], on one shift (the
// smaller, 29; both multipliers keep over 24 bits): 2^29 * 1.25 and
// 2^29 * 2.5 (671088630 and 1342177260: y_scale is the f32 nearest 0.1).
// CHECK-LABEL: func.func @qlinearconv
// CHECK: %[[ACC:.*]] = tosa.conv2d %{{.*}} {acc_type = i32, {{.*}}} : (tensor<1x4x4x1xi8>, tensor<2x3x3x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<[671088630, 1342177260]> : tensor<2xi32>}>
// CHECK-DAG: %[[S:.*]] = "tosa.const"() <{values = dense<29> : tensor<2xi8>}>
// CHECK: tosa.rescale %[[ACC]], %[[M]], %[[S]], %{{.*}}, %{{.*}} {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x4x4x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x2xi8>
func.func @qlinearconv(%x: tensor<1x1x4x4xi8>) -> tensor<1x2x4x4xi8> {
  %xs = onnx.Constant dense<0.5> : tensor<f32>
  %xz = onnx.Constant dense<1> : tensor<i8>
  %w = onnx.Constant dense<3> : tensor<2x1x3x3xi8>
  %ws = onnx.Constant dense<[0.25, 0.5]> : tensor<2xf32>
  %wz = onnx.Constant dense<0> : tensor<2xi8>
  %ys = onnx.Constant dense<0.1> : tensor<f32>
  %yz = onnx.Constant dense<-5> : tensor<i8>
  %b = onnx.Constant dense<[8, -4]> : tensor<2xi32>
  %y = onnx.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b {pads = [1, 1, 1, 1]} : (tensor<1x1x4x4xi8>, tensor<f32>, tensor<i8>, tensor<2x1x3x3xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<i8>, tensor<2xi32>) -> tensor<1x2x4x4xi8>
  return %y : tensor<1x2x4x4xi8>
}

// -----

// Channel scales 2^11 apart: one shift would leave the small channel's
// multiplier under 24 bits, so each keeps its own (30 and 41).
// CHECK-LABEL: func.func @qlinearconv_shifts
// CHECK: "tosa.const"() <{values = dense<[30, 41]> : tensor<2xi8>}>
func.func @qlinearconv_shifts(%x: tensor<1x1x4x4xi8>) -> tensor<1x2x4x4xi8> {
  %xs = onnx.Constant dense<0.5> : tensor<f32>
  %xz = onnx.Constant dense<0> : tensor<i8>
  %w = onnx.Constant dense<3> : tensor<2x1x3x3xi8>
  %ws = onnx.Constant dense<[0.25, 0.0001]> : tensor<2xf32>
  %wz = onnx.Constant dense<0> : tensor<2xi8>
  %ys = onnx.Constant dense<0.1> : tensor<f32>
  %yz = onnx.Constant dense<0> : tensor<i8>
  %y = onnx.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz {pads = [1, 1, 1, 1]} : (tensor<1x1x4x4xi8>, tensor<f32>, tensor<i8>, tensor<2x1x3x3xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  return %y : tensor<1x2x4x4xi8>
}

// -----

// int8 Add: 32-bit fixed point with one rounding. Ma, Mb = sa/sc, sb/sc
// = 0.5, 0.2 times 2^22 (the largest power keeping 255 * (Ma + Mb) +
// 2^21 + 128 * 2^22 within int32); 2^21 rounds, the zero points fold into
// it (all 0 here); then >> 22, clamp, narrow.
// CHECK-LABEL: func.func @qlinearadd
// CHECK: %[[A:.*]] = tosa.cast %arg0 : (tensor<1x8xi8>) -> tensor<1x8xi32>
// CHECK: %[[MA:.*]] = "tosa.const"() <{values = dense<2097152> : tensor<1x1xi32>}>
// CHECK: %[[PA:.*]] = tosa.mul %[[A]], %[[MA]]
// CHECK: %[[B:.*]] = tosa.cast %arg1 : (tensor<1x8xi8>) -> tensor<1x8xi32>
// CHECK: %[[MB:.*]] = "tosa.const"() <{values = dense<838861> : tensor<1x1xi32>}>
// CHECK: %[[PB:.*]] = tosa.mul %[[B]], %[[MB]]
// CHECK: %[[S:.*]] = tosa.add %[[PA]], %[[PB]] : (tensor<1x8xi32>, tensor<1x8xi32>) -> tensor<1x8xi32>
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<2097152> : tensor<1x1xi32>}>
// CHECK: %[[R:.*]] = tosa.add %[[S]], %[[C]]
// CHECK: %[[K:.*]] = "tosa.const"() <{values = dense<22> : tensor<1x1xi32>}>
// CHECK: %[[SH:.*]] = tosa.arithmetic_right_shift %[[R]], %[[K]] {round = false}
// CHECK: %[[CL:.*]] = tosa.clamp %[[SH]] {max_val = 127 : i32, min_val = -128 : i32}
// CHECK: tosa.cast %[[CL]] : (tensor<1x8xi32>) -> tensor<1x8xi8>
func.func @qlinearadd(%a: tensor<1x8xi8>, %b: tensor<1x8xi8>) -> tensor<1x8xi8> {
  %s1 = onnx.Constant dense<0.05> : tensor<f32>
  %s2 = onnx.Constant dense<0.02> : tensor<f32>
  %s3 = onnx.Constant dense<0.1> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i8>
  %y = onnx.QLinearAdd %a, %s1, %z, %b, %s2, %z, %s3, %z : (tensor<1x8xi8>, tensor<f32>, tensor<i8>, tensor<1x8xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<1x8xi8>
  return %y : tensor<1x8xi8>
}

// -----

// Zero points fold into the rounding constant: 2^(k-1) - za*Ma - zb*Mb +
// zc*2^k with k = 21 (sa/sc = 2, sb/sc = 1: Ma = 2^22, Mb = 2^21), za = 3,
// zb = -2, zc = 5: 2^20 - 3*2^22 + 2*2^21 + 5*2^21 = 3145728.
// CHECK-LABEL: func.func @qlinearadd_zero_points
// CHECK-DAG: "tosa.const"() <{values = dense<4194304> : tensor<1x1xi32>}>
// CHECK-DAG: "tosa.const"() <{values = dense<3145728> : tensor<1x1xi32>}>
// CHECK-DAG: "tosa.const"() <{values = dense<21> : tensor<1x1xi32>}>
// CHECK: tosa.arithmetic_right_shift
func.func @qlinearadd_zero_points(%a: tensor<1x8xi8>, %b: tensor<1x8xi8>) -> tensor<1x8xi8> {
  %sa = onnx.Constant dense<0.5> : tensor<f32>
  %sb = onnx.Constant dense<0.25> : tensor<f32>
  %sc = onnx.Constant dense<0.25> : tensor<f32>
  %za = onnx.Constant dense<3> : tensor<i8>
  %zb = onnx.Constant dense<-2> : tensor<i8>
  %zc = onnx.Constant dense<5> : tensor<i8>
  %y = onnx.QLinearAdd %a, %sa, %za, %b, %sb, %zb, %sc, %zc : (tensor<1x8xi8>, tensor<f32>, tensor<i8>, tensor<1x8xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<1x8xi8>
  return %y : tensor<1x8xi8>
}

// -----

// QGemm with constant weights: a 1x1 convolution over A's rows (so that
// fully connected layers get the convolution kernels), the int32 bias in
// it, then the per-column rescale. transB weights [N, K] are already the
// convolution's [N, 1, 1, K]. The table lookup is tosa.table.
// CHECK-LABEL: func.func @qgemm_lookup
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[}}[{{\[}}[1, 2]]], {{\[}}[{{\[}}3, 4]]], {{\[}}[{{\[}}5, 6]]]]> : tensor<3x1x1x2xi8>}>
// CHECK: %[[X:.*]] = tosa.reshape %arg0, %{{.*}} : (tensor<1x2xi8>, !tosa.shape<4>) -> tensor<1x1x1x2xi8>
// CHECK: %[[C:.*]] = tosa.conv2d %[[X]], %[[W]], %{{.*}} : (tensor<1x1x1x2xi8>, tensor<3x1x1x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x1x3xi32>
// CHECK: %[[R:.*]] = tosa.rescale %[[C]], {{.*}}per_channel = true{{.*}} -> tensor<1x1x1x3xi8>
// CHECK: %[[Y:.*]] = tosa.reshape %[[R]], %{{.*}} -> tensor<1x3xi8>
// CHECK: tosa.table %[[Y]], %{{.*}} : (tensor<1x3xi8>, tensor<256xi8>) -> tensor<1x3xi8>
func.func @qgemm_lookup(%a: tensor<1x2xi8>) -> tensor<1x3xi8> {
  %s = onnx.Constant dense<0.05> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i8>
  %w = onnx.Constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %ws = onnx.Constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %wz = onnx.Constant dense<0> : tensor<3xi8>
  %c = onnx.Constant dense<[1, 2, 3]> : tensor<3xi32>
  %g = onnx.QGemm %a, %s, %z, %w, %ws, %wz, %s, %z, %c {transB = 1 : i64} : (tensor<1x2xi8>, tensor<f32>, tensor<i8>, tensor<3x2xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<i8>, tensor<3xi32>) -> tensor<1x3xi8>
  %t = onnx.QLinearLookup %g {table = dense<7> : tensor<256xi8>} : (tensor<1x3xi8>) -> tensor<1x3xi8>
  return %t : tensor<1x3xi8>
}

// -----

// The model's edges: round half to even, saturate to int8; and back. The
// saturation comes first, on x / scale against [-128 - zp, 127 - zp]
// (compare and select: NaN saturates too), so that the rounding sees a
// bounded value.
// CHECK-LABEL: func.func @edges
// CHECK: linalg.generic
// CHECK: %[[D:.*]] = arith.divf
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[D]], %[[LO:.*]] : f32
// CHECK: %[[M:.*]] = arith.select %[[GT]], %[[D]], %[[LO]] : f32
// CHECK: %[[LT:.*]] = arith.cmpf olt, %[[M]], %[[HI:.*]] : f32
// CHECK: %[[C:.*]] = arith.select %[[LT]], %[[M]], %[[HI]] : f32
// CHECK: math.roundeven %[[C]]
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK: linalg.generic
// CHECK: arith.sitofp %{{.*}} : i8 to f32
func.func @edges(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = onnx.Constant dense<0.05> : tensor<f32>
  %z = onnx.Constant dense<3> : tensor<i8>
  %q = onnx.QuantizeLinear %x, %s, %z : (tensor<4xf32>, tensor<f32>, tensor<i8>) -> tensor<4xi8>
  %d = onnx.DequantizeLinear %q, %s, %z : (tensor<4xi8>, tensor<f32>, tensor<i8>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// int16 x int8 (A16W8) accumulates in int48 (TOSA's width; the int32 bias
// widened), then rescales from int48 to int16 with a 16-bit multiplier (TOSA
// allows no other on int48): 0.001 * 0.01 / 0.0002 = 0.05 ~ 26214 * 2^-19.
// CHECK-LABEL: func.func @qlinearconv_a16
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[50000, -50000]> : tensor<2xi48>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %{{.*}}, %{{.*}}, %[[B]], %{{.*}}, %{{.*}} {acc_type = i48, {{.*}}} : (tensor<1x4x4x1xi16>, tensor<2x1x1x1xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x4x4x2xi48>
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<26214> : tensor<2xi16>}>
// CHECK-DAG: %[[S:.*]] = "tosa.const"() <{values = dense<19> : tensor<2xi8>}>
// CHECK: tosa.rescale %[[ACC]], %[[M]], %[[S]], {{.*}} scale32 = false} : (tensor<1x4x4x2xi48>, tensor<2xi16>, tensor<2xi8>, tensor<1xi48>, tensor<1xi16>) -> tensor<1x4x4x2xi16>
func.func @qlinearconv_a16(%x: tensor<1x1x4x4xi16>) -> tensor<1x2x4x4xi16> {
  %w = onnx.Constant dense<[[[[64]]], [[[-127]]]]> : tensor<2x1x1x1xi8>
  %ys = onnx.Constant dense<2.000000e-04> : tensor<f32>
  %yz = onnx.Constant dense<0> : tensor<i16>
  %b = onnx.Constant dense<[50000, -50000]> : tensor<2xi32>
  %xs = onnx.Constant dense<1.000000e-03> : tensor<f32>
  %xz = onnx.Constant dense<0> : tensor<i16>
  %ws = onnx.Constant dense<0.00999999977> : tensor<f32>
  %wz = onnx.Constant dense<0> : tensor<i8>
  %y = onnx.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b : (tensor<1x1x4x4xi16>, tensor<f32>, tensor<i16>, tensor<2x1x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i16>, tensor<2xi32>) -> tensor<1x2x4x4xi16>
  return %y : tensor<1x2x4x4xi16>
}

// -----

// Requantization between widths is one rescale: int8 zero point 3 in,
// 0.05 / 0.0004 = 125 ~ 2097152084 * 2^-24 (f32 scales).
// CHECK-LABEL: func.func @requantize
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<2097152084> : tensor<1xi32>}>
// CHECK-DAG: %[[S:.*]] = "tosa.const"() <{values = dense<24> : tensor<1xi8>}>
// CHECK-DAG: %[[IZ:.*]] = "tosa.const"() <{values = dense<3> : tensor<1xi8>}>
// CHECK: tosa.rescale %arg0, %[[M]], %[[S]], %[[IZ]], %{{.*}} {{.*}} : (tensor<1x8xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi16>) -> tensor<1x8xi16>
func.func @requantize(%x: tensor<1x8xi8>) -> tensor<1x8xi16> {
  %xs = onnx.Constant dense<5.000000e-02> : tensor<f32>
  %xz = onnx.Constant dense<3> : tensor<i8>
  %ys = onnx.Constant dense<4.000000e-04> : tensor<f32>
  %yz = onnx.Constant dense<0> : tensor<i16>
  %y = onnx.QLinearRequantize %x, %xs, %xz, %ys, %yz : (tensor<1x8xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i16>) -> tensor<1x8xi16>
  return %y : tensor<1x8xi16>
}

// -----

// Scales and zero points known only at run time (graph inputs): the
// operands minus their zero points in int32, an int32 linalg convolution,
// the int32 bias, then the requantization in f32 (x_scale * w_scale /
// y_scale, round half to even, saturate).
// CHECK-LABEL: func.func @qlinearconv_runtime
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x4x4xi8>, tensor<1x1x1x1xi8>) outs(%{{.*}} : tensor<1x1x4x4xi32>)
// CHECK: arith.extsi
// CHECK: arith.subi
// CHECK: %[[ACC:.*]] = linalg.conv_2d_nhwc_fhwc {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x4x1xi32>, tensor<2x1x1x1xi32>) outs(%{{.*}} : tensor<1x4x4x2xi32>)
// CHECK: %[[B:.*]] = tosa.add %[[ACC]]
// CHECK: linalg.generic {{.*}} ins(%[[B]], {{.*}} : tensor<1x4x4x2xi32>, tensor<1x1x1x1xf32>, tensor<1x1x1x2xf32>, tensor<1x1x1x1xf32>, tensor<1x1x1x1xi8>) outs(%{{.*}} : tensor<1x4x4x2xi8>)
// CHECK: arith.divf
// CHECK: math.roundeven
// CHECK: arith.fptosi {{.*}} : f32 to i8
func.func @qlinearconv_runtime(%x: tensor<1x1x4x4xi8>, %xs: tensor<f32>, %xz: tensor<i8>, %w: tensor<2x1x1x1xi8>, %ws: tensor<2xf32>, %wz: tensor<2xi8>, %ys: tensor<f32>, %yz: tensor<i8>) -> tensor<1x2x4x4xi8> {
  %b = onnx.Constant dense<[8, -4]> : tensor<2xi32>
  %y = onnx.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b : (tensor<1x1x4x4xi8>, tensor<f32>, tensor<i8>, tensor<2x1x1x1xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<i8>, tensor<2xi32>) -> tensor<1x2x4x4xi8>
  return %y : tensor<1x2x4x4xi8>
}

// -----

// MatMulInteger with run-time zero points: int32 operands, linalg matmul.
// CHECK-LABEL: func.func @matmulinteger_runtime
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<1x4x3xi32>, tensor<1x3x2xi32>) outs(%{{.*}} : tensor<1x4x2xi32>)
func.func @matmulinteger_runtime(%a: tensor<4x3xi8>, %b: tensor<3x2xi8>, %az: tensor<1xi8>, %bz: tensor<1xi8>) -> tensor<4x2xi32> {
  %y = onnx.MatMulInteger %a, %b, %az, %bz {operandSegmentSizes = array<i32: 1, 1, 1, 1>} : (tensor<4x3xi8>, tensor<3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<4x2xi32>
  return %y : tensor<4x2xi32>
}

// -----

// DynamicQuantizeLinear on the int8 view: the range from reductions (and
// 0), scale = range / 255, then elementwise quantization.
// CHECK-LABEL: func.func @dynamic
// CHECK-DAG: tosa.reduce_min %{{.*}} {axis = 0 : i32} : (tensor<6xf32>) -> tensor<1xf32>
// CHECK-DAG: tosa.reduce_max %{{.*}} {axis = 0 : i32} : (tensor<6xf32>) -> tensor<1xf32>
// CHECK: arith.constant 2.550000e+02 : f32
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1xi8>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<6xi8>)
func.func @dynamic(%x: tensor<6xf32>) -> (tensor<6xi8>, tensor<f32>, tensor<i8>) {
  %y, %s, %z = onnx.DynamicQuantizeLinear %x : (tensor<6xf32>) -> (tensor<6xi8>, tensor<f32>, tensor<i8>)
  return %y, %s, %z : tensor<6xi8>, tensor<f32>, tensor<i8>
}

// -----

// QLinearGlobalAveragePool: the int8 values widened by a cast and summed
// one spatial axis at a time in int32 (rank kept, so that layout transposes
// sink through the sums), minus count x zp = 12 x 3, then one rescale by
// x_scale / (y_scale x count) = 0.5 / (0.25 x 12) = 1/6 = 1431655765 x 2^-33.
// CHECK-LABEL: func.func @qlinear_global_average_pool
// CHECK: %[[X:.*]] = tosa.cast %{{.*}} : (tensor<1x2x3x4xi8>) -> tensor<1x2x3x4xi32>
// CHECK: %[[H:.*]] = tosa.reduce_sum %[[X]] {axis = 2 : i32} : (tensor<1x2x3x4xi32>) -> tensor<1x2x1x4xi32>
// CHECK: %[[W:.*]] = tosa.reduce_sum %[[H]] {axis = 3 : i32} : (tensor<1x2x1x4xi32>) -> tensor<1x2x1x1xi32>
// CHECK: %[[ZP:.*]] = "tosa.const"() <{values = dense<36> : tensor<1x1x1x1xi32>}>
// CHECK: %[[S:.*]] = tosa.sub %[[W]], %[[ZP]]
// CHECK-DAG: %[[M:.*]] = "tosa.const"() <{values = dense<1431655765> : tensor<1xi32>}>
// CHECK-DAG: %[[SH:.*]] = "tosa.const"() <{values = dense<33> : tensor<1xi8>}>
// CHECK: tosa.rescale %[[S]], %[[M]], %[[SH]], {{.*}} -> tensor<1x2x1x1xi8>
// CHECK-NOT: tosa.reshape
func.func @qlinear_global_average_pool(%x: tensor<1x2x3x4xi8>) -> tensor<1x2x1x1xi8> {
  %xs = onnx.Constant dense<0.5> : tensor<f32>
  %xz = onnx.Constant dense<3> : tensor<i8>
  %ys = onnx.Constant dense<0.25> : tensor<f32>
  %yz = onnx.Constant dense<-2> : tensor<i8>
  %y = onnx.QLinearGlobalAveragePool %x, %xs, %xz, %ys, %yz : (tensor<1x2x3x4xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<1x2x1x1xi8>
  return %y : tensor<1x2x1x1xi8>
}

// -----

// QLinearMatMul of a [2, 3, 4] input by constant [4, 2] weights: the
// weights' transpose as a 1x1 convolution over the input's 6 rows.
// CHECK-LABEL: func.func @qmatmul_constant_weights
// CHECK-NOT: tosa.matmul
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[}}[{{\[}}[1, 3, 5, 7]]], {{\[}}[{{\[}}2, 4, 6, 8]]]]> : tensor<2x1x1x4xi8>}>
// CHECK-DAG: %[[AZ:.*]] = "tosa.const"() <{values = dense<1> : tensor<1xi8>}>
// CHECK-DAG: %[[X:.*]] = tosa.reshape %arg0, %{{.*}} : (tensor<2x3x4xi8>, !tosa.shape<4>) -> tensor<1x1x6x4xi8>
// CHECK: tosa.conv2d %[[X]], %[[W]], %{{.*}}, %[[AZ]], %{{.*}} -> tensor<1x1x6x2xi32>
// CHECK: tosa.rescale {{.*}} -> tensor<1x1x6x2xi8>
// CHECK: tosa.reshape {{.*}} -> tensor<2x3x2xi8>
// CHECK-NOT: tosa.matmul
func.func @qmatmul_constant_weights(%a: tensor<2x3x4xi8>) -> tensor<2x3x2xi8> {
  %s = onnx.Constant dense<0.05> : tensor<f32>
  %z = onnx.Constant dense<1> : tensor<i8>
  %w = onnx.Constant dense<[[1, 2], [3, 4], [5, 6], [7, 8]]> : tensor<4x2xi8>
  %wz = onnx.Constant dense<0> : tensor<i8>
  %y = onnx.QLinearMatMul %a, %s, %z, %w, %s, %wz, %s, %z : (tensor<2x3x4xi8>, tensor<f32>, tensor<i8>, tensor<4x2xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<2x3x2xi8>
  return %y : tensor<2x3x2xi8>
}

// -----

// A QGemm bias that varies by row is no convolution bias: the product
// stays a tosa.matmul and the bias an add.
// CHECK-LABEL: func.func @qgemm_row_bias
// CHECK: tosa.matmul
// CHECK: tosa.add %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
// CHECK-NOT: tosa.conv2d
func.func @qgemm_row_bias(%a: tensor<2x2xi8>) -> tensor<2x3xi8> {
  %s = onnx.Constant dense<0.05> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i8>
  %w = onnx.Constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>
  %c = onnx.Constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %g = onnx.QGemm %a, %s, %z, %w, %s, %z, %s, %z, %c : (tensor<2x2xi8>, tensor<f32>, tensor<i8>, tensor<2x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>, tensor<2x3xi32>) -> tensor<2x3xi8>
  return %g : tensor<2x3xi8>
}

// -----

// QGemm without transB: [K, N] weights re-laid out as [N, 1, 1, K]; a
// [1, N] bias is the convolution's; A's zero point (5) is the input's.
// CHECK-LABEL: func.func @qgemm_column_bias
// CHECK-DAG: %[[B:.*]] = "tosa.const"() <{values = dense<[7, 9]> : tensor<2xi32>}>
// CHECK-DAG: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[}}[{{\[}}[1, 3, 5]]], {{\[}}[{{\[}}2, 4, 6]]]]> : tensor<2x1x1x3xi8>}>
// CHECK-DAG: %[[AZ:.*]] = "tosa.const"() <{values = dense<5> : tensor<1xi8>}>
// CHECK: tosa.conv2d %{{.*}}, %[[W]], %[[B]], %[[AZ]], %{{.*}} -> tensor<1x1x2x2xi32>
func.func @qgemm_column_bias(%a: tensor<2x3xi8>) -> tensor<2x2xi8> {
  %s = onnx.Constant dense<0.05> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i8>
  %az = onnx.Constant dense<5> : tensor<i8>
  %w = onnx.Constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %c = onnx.Constant dense<[[7, 9]]> : tensor<1x2xi32>
  %g = onnx.QGemm %a, %s, %az, %w, %s, %z, %s, %z, %c : (tensor<2x3xi8>, tensor<f32>, tensor<i8>, tensor<3x2xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>, tensor<1x2xi32>) -> tensor<2x2xi8>
  return %g : tensor<2x2xi8>
}

// -----

// A [M, 1] bias with M = N has N elements but one per row: it stays an
// add after the matmul, broadcast along the columns.
// CHECK-LABEL: func.func @qgemm_bias_per_row
// CHECK: tosa.matmul
// CHECK: tosa.add %{{.*}}, %{{.*}} : (tensor<2x2xi32>, tensor<2x1xi32>) -> tensor<2x2xi32>
// CHECK-NOT: tosa.conv2d
func.func @qgemm_bias_per_row(%a: tensor<2x3xi8>) -> tensor<2x2xi8> {
  %s = onnx.Constant dense<0.05> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i8>
  %w = onnx.Constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %c = onnx.Constant dense<[[7], [9]]> : tensor<2x1xi32>
  %g = onnx.QGemm %a, %s, %z, %w, %s, %z, %s, %z, %c : (tensor<2x3xi8>, tensor<f32>, tensor<i8>, tensor<3x2xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>, tensor<2x1xi32>) -> tensor<2x2xi8>
  return %g : tensor<2x2xi8>
}
