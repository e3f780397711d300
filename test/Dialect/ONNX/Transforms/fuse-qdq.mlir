// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(onnx-fuse-qdq))' | FileCheck %s

// Conv between DequantizeLinear and QuantizeLinear: QLinearConv with the
// float bias requantized to x_scale * w_scale = 0.5 * [0.25, 0.5] and a
// Relu whose bound the output zero point (0) does not imply: an int8 Clip
// at the zero point.
// CHECK-LABEL: func.func @conv_relu
// CHECK-NOT: onnx.Conv
// CHECK: %[[B:.*]] = onnx.Constant dense<[8, -4]> : tensor<2xi32>
// CHECK: %[[Y:.*]] = onnx.QLinearConv %arg0, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[B]] {pads = [1, 1, 1, 1]} : (tensor<1x1x4x4xi8>, tensor<f32>, tensor<i8>, tensor<2x1x3x3xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<i8>, tensor<2xi32>) -> tensor<1x2x4x4xi8>
// CHECK: %[[C:.*]] = onnx.Clip %[[Y]] min %{{.*}} : tensor<i8> max %{{.*}} : tensor<i8>
// CHECK-NOT: onnx.Relu
// CHECK: %[[D:.*]] = onnx.DequantizeLinear %[[C]]
// CHECK: return %[[D]]
func.func @conv_relu(%x: tensor<1x1x4x4xi8>) -> tensor<1x2x4x4xf32> {
  %xs = onnx.Constant dense<0.5> : tensor<f32>
  %xz = onnx.Constant dense<1> : tensor<i8>
  %xd = onnx.DequantizeLinear %x, %xs, %xz : (tensor<1x1x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x1x4x4xf32>
  %w = onnx.Constant dense<3> : tensor<2x1x3x3xi8>
  %ws = onnx.Constant dense<[0.25, 0.5]> : tensor<2xf32>
  %wz = onnx.Constant dense<0> : tensor<2xi8>
  %wd = onnx.DequantizeLinear %w, %ws, %wz {axis = 0 : i64} : (tensor<2x1x3x3xi8>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x1x3x3xf32>
  %b = onnx.Constant dense<[1.0, -1.0]> : tensor<2xf32>
  %y = onnx.Conv %xd, %wd, %b {pads = [1, 1, 1, 1]} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = onnx.Relu %y : tensor<1x2x4x4xf32>
  %ys = onnx.Constant dense<0.1> : tensor<f32>
  %yz = onnx.Constant dense<0> : tensor<i8>
  %q = onnx.QuantizeLinear %r, %ys, %yz : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  %d = onnx.DequantizeLinear %q, %ys, %yz : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  return %d : tensor<1x2x4x4xf32>
}

// -----

// Residual Add, then a Sigmoid on int8 (a 256-entry table), a reshape moved
// to the int8 side, and Q(DQ(x)) on equal parameters cancelled.
// CHECK-LABEL: func.func @add_sigmoid
// CHECK: %[[A:.*]] = onnx.QLinearAdd %arg0, %{{.*}}, %{{.*}}, %arg1, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8xi8>, tensor<f32>, tensor<i8>, tensor<1x8xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<1x8xi8>
// CHECK: %[[S:.*]] = onnx.QLinearLookup %[[A]] {table = dense<{{.*}}> : tensor<256xi8>} : (tensor<1x8xi8>) -> tensor<1x8xi8>
// CHECK: %[[R:.*]] = onnx.Reshape %[[S]], %{{.*}} : (tensor<1x8xi8>, tensor<2xi64>) -> tensor<2x4xi8>
// CHECK-NOT: onnx.QuantizeLinear
// CHECK: return %[[R]]
func.func @add_sigmoid(%a: tensor<1x8xi8>, %b: tensor<1x8xi8>) -> tensor<2x4xi8> {
  %s1 = onnx.Constant dense<0.05> : tensor<f32>
  %s2 = onnx.Constant dense<0.02> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i8>
  %ad = onnx.DequantizeLinear %a, %s1, %z : (tensor<1x8xi8>, tensor<f32>, tensor<i8>) -> tensor<1x8xf32>
  %bd = onnx.DequantizeLinear %b, %s2, %z : (tensor<1x8xi8>, tensor<f32>, tensor<i8>) -> tensor<1x8xf32>
  %sum = onnx.Add %ad, %bd : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<1x8xf32>
  %s3 = onnx.Constant dense<0.1> : tensor<f32>
  %q1 = onnx.QuantizeLinear %sum, %s3, %z : (tensor<1x8xf32>, tensor<f32>, tensor<i8>) -> tensor<1x8xi8>
  %d1 = onnx.DequantizeLinear %q1, %s3, %z : (tensor<1x8xi8>, tensor<f32>, tensor<i8>) -> tensor<1x8xf32>
  %sig = onnx.Sigmoid %d1 : tensor<1x8xf32>
  %s4 = onnx.Constant dense<0.00390625> : tensor<f32>
  %z4 = onnx.Constant dense<-128> : tensor<i8>
  %q2 = onnx.QuantizeLinear %sig, %s4, %z4 : (tensor<1x8xf32>, tensor<f32>, tensor<i8>) -> tensor<1x8xi8>
  %d2 = onnx.DequantizeLinear %q2, %s4, %z4 : (tensor<1x8xi8>, tensor<f32>, tensor<i8>) -> tensor<1x8xf32>
  %shape = onnx.Constant dense<[2, 4]> : tensor<2xi64>
  %r = onnx.Reshape %d2, %shape : (tensor<1x8xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  %q3 = onnx.QuantizeLinear %r, %s4, %z4 : (tensor<2x4xf32>, tensor<f32>, tensor<i8>) -> tensor<2x4xi8>
  return %q3 : tensor<2x4xi8>
}

// -----

// Gemm with a per-column int8 B and float bias: QGemm; MaxPool on equal
// parameters runs on int8.
// CHECK-LABEL: func.func @pool_gemm
// CHECK: %[[P:.*]] = onnx.MaxPool %arg0 {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x2x2x2xi8>) -> tensor<1x2x1x1xi8>
// CHECK: %[[F:.*]] = onnx.Flatten %[[P]] : (tensor<1x2x1x1xi8>) -> tensor<1x2xi8>
// CHECK: onnx.QGemm %[[F]], {{.*}} {transB = 1 : i64} : (tensor<1x2xi8>, tensor<f32>, tensor<i8>, tensor<3x2xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<i8>, tensor<3xi32>) -> tensor<1x3xi8>
func.func @pool_gemm(%x: tensor<1x2x2x2xi8>) -> tensor<1x3xf32> {
  %s = onnx.Constant dense<0.05> : tensor<f32>
  %z = onnx.Constant dense<-10> : tensor<i8>
  %xd = onnx.DequantizeLinear %x, %s, %z : (tensor<1x2x2x2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x2x2xf32>
  %p = onnx.MaxPool %xd {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  %pq = onnx.QuantizeLinear %p, %s, %z : (tensor<1x2x1x1xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2x1x1xi8>
  %pd = onnx.DequantizeLinear %pq, %s, %z : (tensor<1x2x1x1xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x1x1xf32>
  %f = onnx.Flatten %pd : (tensor<1x2x1x1xf32>) -> tensor<1x2xf32>
  %w = onnx.Constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %ws = onnx.Constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %wz = onnx.Constant dense<0> : tensor<3xi8>
  %wd = onnx.DequantizeLinear %w, %ws, %wz {axis = 0 : i64} : (tensor<3x2xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<3x2xf32>
  %c = onnx.Constant dense<[0.5, 0.25, 1.0]> : tensor<3xf32>
  %g = onnx.Gemm %f, %wd, %c {transB = 1 : i64} : (tensor<1x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %ys = onnx.Constant dense<0.2> : tensor<f32>
  %gq = onnx.QuantizeLinear %g, %ys, %z : (tensor<1x3xf32>, tensor<f32>, tensor<i8>) -> tensor<1x3xi8>
  %gd = onnx.DequantizeLinear %gq, %ys, %z : (tensor<1x3xi8>, tensor<f32>, tensor<i8>) -> tensor<1x3xf32>
  return %gd : tensor<1x3xf32>
}

// -----

// MatMul + Relu is one integer layer; a Gemm with a negative alpha (no
// positive fixed-point multiplier) stays float.
// CHECK-LABEL: func.func @matmul_relu_negative_alpha
// CHECK: %[[M:.*]] = onnx.QLinearMatMul %arg0
// CHECK-NOT: onnx.Relu
// CHECK: onnx.Gemm %{{.*}} {alpha = -1.000000e+00 : f32}
// CHECK-NOT: onnx.QGemm
func.func @matmul_relu_negative_alpha(%x: tensor<1x2xi8>) -> tensor<1x2xf32> {
  %s = onnx.Constant dense<0.05> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i8>
  %xd = onnx.DequantizeLinear %x, %s, %z : (tensor<1x2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2xf32>
  %w = onnx.Constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %wd = onnx.DequantizeLinear %w, %s, %z : (tensor<2x2xi8>, tensor<f32>, tensor<i8>) -> tensor<2x2xf32>
  %m = onnx.MatMul %xd, %wd : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %r = onnx.Relu %m : tensor<1x2xf32>
  %q = onnx.QuantizeLinear %r, %s, %z : (tensor<1x2xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2xi8>
  %d = onnx.DequantizeLinear %q, %s, %z : (tensor<1x2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2xf32>
  %g = onnx.Gemm %d, %wd {alpha = -1.0 : f32} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %gq = onnx.QuantizeLinear %g, %s, %z : (tensor<1x2xf32>, tensor<f32>, tensor<i8>) -> tensor<1x2xi8>
  %gd = onnx.DequantizeLinear %gq, %s, %z : (tensor<1x2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2xf32>
  return %gd : tensor<1x2xf32>
}

// -----

// int16 activations (A16W8): QLinearConv from int16 to int16 (its bias
// int64: the step x_scale * w_scale is too fine for int32) with the Relu as
// an int16 Clip at zero point 0; Concat of it with an int8 tensor
// rescales both to the int16 output (QLinearRequantize); a Sigmoid of int16
// has no 256-entry table and stays float.
// CHECK-LABEL: func.func @a16
// CHECK: %[[Y:.*]] = onnx.QLinearConv %arg0, {{.*}} : (tensor<1x1x4x4xi16>, tensor<f32>, tensor<i16>, tensor<2x1x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i16>, tensor<2xi64>) -> tensor<1x2x4x4xi16>
// CHECK: %[[C:.*]] = onnx.Clip %[[Y]] min %{{.*}} : tensor<i16> max %{{.*}} : tensor<i16>
// CHECK: %[[R0:.*]] = onnx.QLinearRequantize %[[C]], {{.*}} : (tensor<1x2x4x4xi16>, tensor<f32>, tensor<i16>, tensor<f32>, tensor<i16>) -> tensor<1x2x4x4xi16>
// CHECK: %[[R1:.*]] = onnx.QLinearRequantize %arg1, {{.*}} : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i16>) -> tensor<1x2x4x4xi16>
// CHECK: %[[CAT:.*]] = onnx.Concat %[[R0]], %[[R1]] {axis = 1 : i64} : (tensor<1x2x4x4xi16>, tensor<1x2x4x4xi16>) -> tensor<1x4x4x4xi16>
// CHECK: %[[D:.*]] = onnx.DequantizeLinear %[[CAT]]
// CHECK: onnx.Sigmoid %[[D]]
// CHECK-NOT: onnx.QLinearLookup
func.func @a16(%x: tensor<1x1x4x4xi16>, %z: tensor<1x2x4x4xi8>) -> tensor<1x4x4x4xf32> {
  %xs = onnx.Constant dense<0.001> : tensor<f32>
  %xz = onnx.Constant dense<0> : tensor<i16>
  %xd = onnx.DequantizeLinear %x, %xs, %xz : (tensor<1x1x4x4xi16>, tensor<f32>, tensor<i16>) -> tensor<1x1x4x4xf32>
  %w = onnx.Constant dense<[[[[64]]], [[[-127]]]]> : tensor<2x1x1x1xi8>
  %ws = onnx.Constant dense<0.01> : tensor<f32>
  %wz = onnx.Constant dense<0> : tensor<i8>
  %wd = onnx.DequantizeLinear %w, %ws, %wz : (tensor<2x1x1x1xi8>, tensor<f32>, tensor<i8>) -> tensor<2x1x1x1xf32>
  %b = onnx.Constant dense<[0.5, -0.5]> : tensor<2xf32>
  %y = onnx.Conv %xd, %wd, %b : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = onnx.Relu %y : tensor<1x2x4x4xf32>
  %ys = onnx.Constant dense<0.0002> : tensor<f32>
  %yz = onnx.Constant dense<0> : tensor<i16>
  %q = onnx.QuantizeLinear %r, %ys, %yz : (tensor<1x2x4x4xf32>, tensor<f32>, tensor<i16>) -> tensor<1x2x4x4xi16>
  %d = onnx.DequantizeLinear %q, %ys, %yz : (tensor<1x2x4x4xi16>, tensor<f32>, tensor<i16>) -> tensor<1x2x4x4xf32>
  %zs = onnx.Constant dense<0.05> : tensor<f32>
  %zz = onnx.Constant dense<3> : tensor<i8>
  %zd = onnx.DequantizeLinear %z, %zs, %zz : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xf32>
  %cat = onnx.Concat %d, %zd {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %cs = onnx.Constant dense<0.0004> : tensor<f32>
  %cz = onnx.Constant dense<0> : tensor<i16>
  %cq = onnx.QuantizeLinear %cat, %cs, %cz : (tensor<1x4x4x4xf32>, tensor<f32>, tensor<i16>) -> tensor<1x4x4x4xi16>
  %cd = onnx.DequantizeLinear %cq, %cs, %cz : (tensor<1x4x4x4xi16>, tensor<f32>, tensor<i16>) -> tensor<1x4x4x4xf32>
  %s = onnx.Sigmoid %cd : tensor<1x4x4x4xf32>
  return %s : tensor<1x4x4x4xf32>
}

// -----

// Q(DQ(x)) on other parameters or another width is one requantization.
// CHECK-LABEL: func.func @narrow
// CHECK: %[[R:.*]] = onnx.QLinearRequantize %arg0, {{.*}} : (tensor<1x32xi16>, tensor<f32>, tensor<i16>, tensor<f32>, tensor<i8>) -> tensor<1x32xi8>
// CHECK: return %[[R]]
func.func @narrow(%x: tensor<1x32xi16>) -> tensor<1x32xi8> {
  %s = onnx.Constant dense<7.6e-5> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i16>
  %d = onnx.DequantizeLinear %x, %s, %z : (tensor<1x32xi16>, tensor<f32>, tensor<i16>) -> tensor<1x32xf32>
  %s8 = onnx.Constant dense<0.0137> : tensor<f32>
  %z8 = onnx.Constant dense<-55> : tensor<i8>
  %q = onnx.QuantizeLinear %d, %s8, %z8 : (tensor<1x32xf32>, tensor<f32>, tensor<i8>) -> tensor<1x32xi8>
  return %q : tensor<1x32xi8>
}
