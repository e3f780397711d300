// RUN: whittle-opt %s --split-input-file --verify-diagnostics

func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{group 3 does not divide 4 input channels}}
  %0 = onnx.Conv %x, %w {group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_shape(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{result shape [1, 4, 8, 8] does not match inferred shape [1, 4, 6, 6]}}
  %0 = onnx.Conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{weight has 2 channels per group, expected 3}}
  %0 = onnx.Conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @pool_window(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error @+1 {{window of extent 3 does not fit padded input of 2}}
  %0 = onnx.MaxPool %x {kernel_shape = [3, 3]} : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
  return %0 : tensor<1x1x1x1xf32>
}

// -----

func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes [2, 3] and [4] are not broadcast-compatible}}
  %0 = onnx.Add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gemm(%a: tensor<2x4xf32>, %b: tensor<5x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{inner dimensions differ: 4 vs 5}}
  %0 = onnx.Gemm %a, %b : (tensor<2x4xf32>, tensor<5x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul(%a: tensor<2x4xf32>, %b: tensor<3x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{inner dimensions differ: 4 vs 3}}
  %0 = onnx.MatMul %a, %b : (tensor<2x4xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reshape(%a: tensor<2x4xf32>, %s: tensor<2xi64>) -> tensor<3x3xf32> {
  // expected-error @+1 {{cannot reshape [2, 4] (8 elements) to [3, 3]}}
  %0 = onnx.Reshape %a, %s : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @transpose(%a: tensor<2x4xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{perm is not a permutation of 0..1}}
  %0 = onnx.Transpose %a {perm = [0, 0]} : (tensor<2x4xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

func.func @concat(%a: tensor<2x4xf32>, %b: tensor<3x3xf32>) -> tensor<5x4xf32> {
  // expected-error @+1 {{input shape [3, 3] differs from [2, 4] outside axis 0}}
  %0 = onnx.Concat %a, %b {axis = 0 : i64} : (tensor<2x4xf32>, tensor<3x3xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @flatten(%a: tensor<2x4x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{result shape [2, 4] does not match inferred shape [2, 12]}}
  %0 = onnx.Flatten %a : (tensor<2x4x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @constant() -> tensor<2xf32> {
  // expected-error @+1 {{failed to verify that all of {value, output} have same type}}
  %0 = "onnx.Constant"() {value = dense<1.0> : tensor<3xf32>} : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  // expected-error @+1 {{weight has 3 input channels, X has 2}}
  %0 = onnx.ConvTranspose %x, %w : (tensor<1x2x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %0 : tensor<1x2x5x5xf32>
}

// -----

func.func @gather_constant_index(%x: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %i = onnx.Constant dense<[0, 7]> : tensor<2xi64>
  // expected-error @+1 {{index 7 is out of range for axis 0 of size 5}}
  %0 = onnx.Gather %x, %i : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gather_elements_constant_index(%x: tensor<5x3xf32>) -> tensor<1x2xf32> {
  %i = onnx.Constant dense<[[0, -4]]> : tensor<1x2xi64>
  // expected-error @+1 {{index -4 is out of range for axis 1 of size 3}}
  %0 = onnx.GatherElements %x, %i {axis = 1 : i64} : (tensor<5x3xf32>, tensor<1x2xi64>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @quantize_scale_shape(%x: tensor<2x3xf32>, %s: tensor<2xf32>, %z: tensor<2xi8>) -> tensor<2x3xi8> {
  // expected-error @+1 {{y_scale must be a scalar or have 3 elements, got 'tensor<2xf32>'}}
  %0 = onnx.QuantizeLinear %x, %s, %z : (tensor<2x3xf32>, tensor<2xf32>, tensor<2xi8>) -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @dequantize_zp_type(%x: tensor<4xi8>, %s: tensor<f32>, %z: tensor<ui8>) -> tensor<4xf32> {
  // expected-error @+1 {{x_zero_point has type 'ui8', expected 'i8'}}
  %0 = onnx.DequantizeLinear %x, %s, %z : (tensor<4xi8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @dequantize_blocked(%x: tensor<4xi8>, %s: tensor<f32>) -> tensor<4xf32> {
  // expected-error @+1 {{blocked quantization (block_size 2) is not supported}}
  %0 = onnx.DequantizeLinear %x, %s {block_size = 2 : i64} : (tensor<4xi8>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @qlinearconv_wscale(%x: tensor<1x1x4x4xi8>, %w: tensor<2x1x3x3xi8>, %s: tensor<f32>, %ws: tensor<3xf32>, %z: tensor<i8>, %wz: tensor<3xi8>) -> tensor<1x2x2x2xi8> {
  // expected-error @+1 {{w_scale must be a scalar or have 2 elements, got 'tensor<3xf32>'}}
  %0 = onnx.QLinearConv %x, %s, %z, %w, %ws, %wz, %s, %z : (tensor<1x1x4x4xi8>, tensor<f32>, tensor<i8>, tensor<2x1x3x3xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x2x2xi8>
  return %0 : tensor<1x2x2x2xi8>
}

// -----

func.func @qlinearconv_shape(%x: tensor<1x1x4x4xi8>, %w: tensor<2x1x3x3xi8>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<1x2x4x4xi8> {
  // expected-error @+1 {{result shape [1, 2, 4, 4] does not match inferred shape [1, 2, 2, 2]}}
  %0 = onnx.QLinearConv %x, %s, %z, %w, %s, %z, %s, %z : (tensor<1x1x4x4xi8>, tensor<f32>, tensor<i8>, tensor<2x1x3x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  return %0 : tensor<1x2x4x4xi8>
}

// -----

func.func @qlinearmatmul_inner(%a: tensor<2x3xi8>, %b: tensor<4x5xi8>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<2x5xi8> {
  // expected-error @+1 {{inner dimensions differ: 3 vs 4}}
  %0 = onnx.QLinearMatMul %a, %s, %z, %b, %s, %z, %s, %z : (tensor<2x3xi8>, tensor<f32>, tensor<i8>, tensor<4x5xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<2x5xi8>
  return %0 : tensor<2x5xi8>
}

// -----

func.func @lookup_table(%x: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{table must hold 256 elements of the result type}}
  %0 = onnx.QLinearLookup %x {table = dense<0> : tensor<128xi8>} : (tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @lookup_int16(%x: tensor<4xi16>) -> tensor<4xi8> {
  // expected-error @+1 {{input must be 8-bit, got 'i16'}}
  %0 = onnx.QLinearLookup %x {table = dense<0> : tensor<256xi8>} : (tensor<4xi16>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @dynamic_quantize_types(%x: tensor<4xf32>) -> tensor<4xui8> {
  // expected-error @+1 {{y_zero_point must have y's type 'ui8'}}
  %y, %s, %z = onnx.DynamicQuantizeLinear %x : (tensor<4xf32>) -> (tensor<4xui8>, tensor<f32>, tensor<i8>)
  return %y : tensor<4xui8>
}

// -----

func.func @matmulinteger_zero_point_shape(%a: tensor<4x3xi8>, %b: tensor<3x2xi8>, %bz: tensor<3xi8>) -> tensor<4x2xi32> {
  // expected-error @+1 {{zero points must be scalars of the operand's type or have one per column of B (2)}}
  %y = onnx.MatMulInteger %a, %b, %bz {operandSegmentSizes = array<i32: 1, 1, 0, 1>} : (tensor<4x3xi8>, tensor<3x2xi8>, tensor<3xi8>) -> tensor<4x2xi32>
  return %y : tensor<4x2xi32>
}

// -----

func.func @nll_reduction(%x: tensor<2x4xf32>, %t: tensor<2xi64>) -> tensor<f32> {
  // expected-error @+1 {{reduction must be none, sum or mean, got 'avg'}}
  %0 = onnx.NegativeLogLikelihoodLoss %x, %t {reduction = "avg"} : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nll_target_shape(%x: tensor<2x4x3xf32>, %t: tensor<2x4xi64>) -> tensor<f32> {
  // expected-error @+1 {{target shape [2, 4] must be [2, 3]}}
  %0 = onnx.NegativeLogLikelihoodLoss %x, %t : (tensor<2x4x3xf32>, tensor<2x4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @einsum_terms(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{equation 'ij,jk->ki' has 2 operand terms for 1 operands}}
  %0 = onnx.Einsum %x {equation = "ij,jk->ki"} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @einsum_extent(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{dimension 0 of operand 1 has extent 2, elsewhere 3}}
  %0 = onnx.Einsum %x, %y {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @einsum_result(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result label 'k' names no operand dimension}}
  %0 = onnx.Einsum %x {equation = "ij->k"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @scatter_reduction(%d: tensor<3xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{reduction must be none, add, mul, max or min, got 'sub'}}
  %0 = onnx.ScatterElements %d, %i, %u {reduction = "sub"} : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @scatter_constant_index(%d: tensor<3xf32>, %u: tensor<2xf32>) -> tensor<3xf32> {
  %i = onnx.Constant dense<[0, 3]> : tensor<2xi64>
  // expected-error @+1 {{index 3 is out of range for axis 0 of size 3}}
  %0 = onnx.ScatterElements %d, %i, %u : (tensor<3xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @scatter_nd_updates(%d: tensor<4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{updates have shape [2, 3], expected [2, 4]}}
  %0 = onnx.ScatterND %d, %i, %u : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @gather_nd_tuple(%d: tensor<2x2xf32>, %i: tensor<1x3xi64>) -> tensor<1xf32> {
  // expected-error @+1 {{index tuples of length 3 for 2 addressable dimensions}}
  %0 = onnx.GatherND %d, %i : (tensor<2x2xf32>, tensor<1x3xi64>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @one_hot_depth(%i: tensor<3xi64>, %v: tensor<2xf32>) -> tensor<3x10xf32> {
  %depth = onnx.Constant dense<12> : tensor<i64>
  // expected-error @+1 {{depth 12 does not match the result's 10}}
  %0 = onnx.OneHot %i, %depth, %v : (tensor<3xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x10xf32>
  return %0 : tensor<3x10xf32>
}

// -----

func.func @range_length() -> tensor<3xi64> {
  %s = onnx.Constant dense<0> : tensor<i64>
  %l = onnx.Constant dense<10> : tensor<i64>
  %d = onnx.Constant dense<3> : tensor<i64>
  // expected-error @+1 {{result shape [3] does not match inferred shape [4]}}
  %0 = onnx.Range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

func.func @range_zero_delta() -> tensor<4xi64> {
  %s = onnx.Constant dense<0> : tensor<i64>
  %l = onnx.Constant dense<10> : tensor<i64>
  %d = onnx.Constant dense<0> : tensor<i64>
  // expected-error @+1 {{delta must not be 0}}
  %0 = onnx.Range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

func.func @cumsum_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = onnx.Constant dense<2> : tensor<i64>
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %0 = onnx.CumSum %x, %a : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @resize_sizes(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %s = onnx.Constant dense<[1, 1, 4, 5]> : tensor<4xi64>
  // expected-error @+1 {{sizes [1, 1, 4, 5] do not match the result shape [1, 1, 4, 4]}}
  %0 = onnx.Resize %x sizes(%s : tensor<4xi64>) : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @resize_scale(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %s = onnx.Constant dense<[1.0, 1.0, 2.0, 3.0]> : tensor<4xf32>
  // expected-error @+1 {{scale 3.000000e+00 of dimension 3 does not give its extent 4}}
  %0 = onnx.Resize %x scales(%s : tensor<4xf32>) : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @resize_mode(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %s = onnx.Constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // expected-error @+1 {{mode must be nearest, linear or cubic, got 'area'}}
  %0 = onnx.Resize %x scales(%s : tensor<4xf32>) {mode = "area"} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

func.func @lrn_size(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32> {
  // expected-error @+1 {{size must be positive, got 0}}
  %0 = onnx.LRN %x {size = 0 : i64} : tensor<1x3x2x2xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

func.func @lstm_weights(%x: tensor<2x3x5xf32>, %w: tensor<1x12x5xf32>, %r: tensor<1x16x4xf32>) -> tensor<1x3x4xf32> {
  // expected-error @+1 {{W has shape [1, 12, 5], expected [1, 16, 5]}}
  %y_h = "onnx.LSTM"(%x, %w, %r) <{hidden_size = 4 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>, resultSegmentSizes = array<i32: 0, 1, 0>}> : (tensor<2x3x5xf32>, tensor<1x12x5xf32>, tensor<1x16x4xf32>) -> tensor<1x3x4xf32>
  return %y_h : tensor<1x3x4xf32>
}

// -----

func.func @gru_direction(%x: tensor<1x1x2xf32>, %w: tensor<1x9x2xf32>, %r: tensor<1x9x3xf32>) -> tensor<1x1x3xf32> {
  // expected-error @+1 {{direction must be forward, reverse or bidirectional, got 'both'}}
  %y = "onnx.GRU"(%x, %w, %r) <{hidden_size = 3 : i64, direction = "both", operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>, resultSegmentSizes = array<i32: 0, 1>}> : (tensor<1x1x2xf32>, tensor<1x9x2xf32>, tensor<1x9x3xf32>) -> tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}

// -----

func.func @grid_sample_mode(%x: tensor<1x1x3x2xf32>, %g: tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32> {
  // expected-error @+1 {{mode must be bilinear, nearest or bicubic, got 'area'}}
  %0 = onnx.GridSample %x, %g {mode = "area"} : (tensor<1x1x3x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

func.func @window_size() -> tensor<10xf32> {
  %n = onnx.Constant dense<8> : tensor<i32>
  // expected-error @+1 {{result shape [10] does not match inferred shape [8]}}
  %0 = onnx.HannWindow %n : (tensor<i32>) -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

func.func @top_k_constant(%x: tensor<3x4xf32>) -> (tensor<3x3xf32>, tensor<3x3xi64>) {
  %k = onnx.Constant dense<2> : tensor<1xi64>
  // expected-error @+1 {{K = 2 does not match the result's 3}}
  %0:2 = onnx.TopK %x, %k : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x3xf32>, tensor<3x3xi64>)
  return %0#0, %0#1 : tensor<3x3xf32>, tensor<3x3xi64>
}

// -----

func.func @reverse_sequence_axes(%x: tensor<4x4xf32>, %l: tensor<4xi64>) -> tensor<4x4xf32> {
  // expected-error @+1 {{expects rank >= 2 and batch_axis, time_axis a permutation of 0 and 1}}
  %0 = onnx.ReverseSequence %x, %l {batch_axis = 1 : i64, time_axis = 1 : i64} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @bitshift_direction(%x: tensor<3xui8>, %y: tensor<3xui8>) -> tensor<3xui8> {
  // expected-error @+1 {{direction must be LEFT or RIGHT, got 'UP'}}
  %0 = onnx.BitShift %x, %y {direction = "UP"} : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %0 : tensor<3xui8>
}

// -----

func.func @bitshift_signed(%x: tensor<3xi8>, %y: tensor<3xi8>) -> tensor<3xi8> {
  // expected-error @+1 {{shifts unsigned integers, got 'i8'}}
  %0 = onnx.BitShift %x, %y {direction = "LEFT"} : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  return %0 : tensor<3xi8>
}

// -----

func.func @adam_groups(%r: tensor<f32>, %t: tensor<i64>, %x: tensor<2xf32>, %g: tensor<2xf32>, %v: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  // expected-error @+1 {{expects 4 inputs per optimized tensor after R and T, got 3}}
  %0:2 = "onnx.Adam"(%r, %t, %x, %g, %v) : (tensor<f32>, tensor<i64>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2xf32>
}

// -----

func.func @momentum_mode(%r: tensor<f32>, %t: tensor<i64>, %x: tensor<2xf32>, %g: tensor<2xf32>, %v: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  // expected-error @+1 {{mode must be 'standard' or 'nesterov', got 'heavy'}}
  %0:2 = "onnx.Momentum"(%r, %t, %x, %g, %v) {alpha = 0.9 : f32, beta = 0.1 : f32, mode = "heavy", norm_coefficient = 0.0 : f32} : (tensor<f32>, tensor<i64>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2xf32>
}

// -----

func.func @adagrad_state_type(%r: tensor<f32>, %t: tensor<i64>, %x: tensor<2xf32>, %g: tensor<2xf32>, %h: tensor<3xf32>) -> (tensor<2xf32>, tensor<3xf32>) {
  // expected-error @+1 {{input 4 must have X_1's type 'tensor<2xf32>'}}
  %0:2 = "onnx.Adagrad"(%r, %t, %x, %g, %h) : (tensor<f32>, tensor<i64>, tensor<2xf32>, tensor<2xf32>, tensor<3xf32>) -> (tensor<2xf32>, tensor<3xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<3xf32>
}

// -----

func.func @det_square(%x: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+1 {{expects square matrices in the last two dimensions, got 'tensor<2x3xf32>'}}
  %0 = onnx.Det %x : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A constant that breaks an unrolled loop's assumption fails at compile time.
func.func @assume_equal_constant() {
  %m = onnx.Constant dense<4> : tensor<i64>
  // expected-error @+1 {{Loop trip count differs from 5 (the value is 4)}}
  onnx.whittle.assume_equal %m {expected = 5 : i64, message = "Loop trip count differs from 5"} : tensor<i64>
  return
}

// -----

func.func @assume_equal_false() {
  %c = onnx.Constant dense<false> : tensor<i1>
  // expected-error @+1 {{Loop condition is false on entry (the value is 0)}}
  onnx.whittle.assume_equal %c {expected = 1 : i64, message = "Loop condition is false on entry"} : tensor<i1>
  return
}

// -----

func.func @batchnorm_one_stat(%x: tensor<2x3xf32>, %p: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{returns both running statistics (mean and variance) or neither, got 1 extra results}}
  %y, %m = onnx.BatchNormalization %x, %p, %p, %p, %p {training_mode = 1 : i64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>)
  return %m : tensor<3xf32>
}

// -----

func.func @batchnorm_stats_inference(%x: tensor<2x3xf32>, %p: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{returns running statistics only in training_mode}}
  %y, %s:2 = onnx.BatchNormalization %x, %p, %p, %p, %p : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %s#0 : tensor<3xf32>
}

// -----

func.func @maxpool_storage_order(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{storage_order must be 0 or 1, got 2}}
  %y = onnx.MaxPool %x {kernel_shape = [2, 2], strides = [2, 2], storage_order = 2 : i64} : (tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

func.func @maxpool_indices_shape(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xi64> {
  // expected-error @+1 {{Indices must have the shape of Y}}
  %y, %i = onnx.MaxPool %x {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x1x4x4xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x3x3xi64>)
  return %i : tensor<1x1x3x3xi64>
}

// -----

func.func @max_unpool_shape(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) -> tensor<1x1x5x5xf32> {
  // expected-error @+1 {{result shape [1, 1, 5, 5] does not match inferred shape [1, 1, 4, 4]}}
  %y = onnx.MaxUnpool %x, %i {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) -> tensor<1x1x5x5xf32>
  return %y : tensor<1x1x5x5xf32>
}

// -----

func.func @max_unpool_smaller(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>, %s: tensor<4xi64>) -> tensor<1x1x3x3xf32> {
  // expected-error @+1 {{result shape [1, 1, 3, 3] is smaller than the unpooled [1, 1, 4, 4]}}
  %y = onnx.MaxUnpool %x, %i, %s {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<4xi64>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// -----

func.func @max_unpool_indices(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x1xi64>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{I must have the shape of X}}
  %y = onnx.MaxUnpool %x, %i {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x1x2x2xf32>, tensor<1x1x2x1xi64>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// -----

func.func @stft_bins(%x: tensor<1x64x1xf32>, %w: tensor<16xf32>) -> tensor<1x7x8x2xf32> {
  %s = onnx.Constant dense<8> : tensor<i64>
  // expected-error @+1 {{result has 8 bins, a frame of 16 gives 9}}
  %y = "onnx.STFT"(%x, %s, %w) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> : (tensor<1x64x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<1x7x8x2xf32>
  return %y : tensor<1x7x8x2xf32>
}

// -----

func.func @stft_frames(%x: tensor<1x64x1xf32>, %w: tensor<16xf32>) -> tensor<1x8x9x2xf32> {
  %s = onnx.Constant dense<8> : tensor<i64>
  // expected-error @+1 {{result has 8 frames, the signal gives 7}}
  %y = "onnx.STFT"(%x, %s, %w) <{operandSegmentSizes = array<i32: 1, 1, 1, 0>}> : (tensor<1x64x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<1x8x9x2xf32>
  return %y : tensor<1x8x9x2xf32>
}

// -----

func.func @mel_rows(%lo: tensor<f32>, %hi: tensor<f32>) -> tensor<9x8xf32> {
  %bins = onnx.Constant dense<8> : tensor<i64>
  %dft = onnx.Constant dense<20> : tensor<i64>
  %rate = onnx.Constant dense<8000> : tensor<i64>
  // expected-error @+1 {{dft_length 20 does not match the result's 9 rows}}
  %m = "onnx.MelWeightMatrix"(%bins, %dft, %rate, %lo, %hi) : (tensor<i64>, tensor<i64>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>
  return %m : tensor<9x8xf32>
}

// -----

func.func @nonzero_rows(%x: tensor<2x3xf32>) -> tensor<1x3xi64> {
  // expected-error @+1 {{result must be [2, count], got [1, 3]}}
  %0 = onnx.NonZero %x : (tensor<2x3xf32>) -> tensor<1x3xi64>
  return %0 : tensor<1x3xi64>
}

// -----

func.func @nonzero_too_many(%x: tensor<4xf32>) -> tensor<1x5xi64> {
  // expected-error @+1 {{result extent 5 exceeds the 4 input elements}}
  %0 = onnx.NonZero %x : (tensor<4xf32>) -> tensor<1x5xi64>
  return %0 : tensor<1x5xi64>
}

// -----

func.func @compress_long_condition(%x: tensor<3x2xf32>, %c: tensor<4xi1>) -> tensor<2x2xf32> {
  // expected-error @+1 {{condition has 4 entries for an axis of 3}}
  %0 = onnx.Compress %x, %c {axis = 0 : i64} : (tensor<3x2xf32>, tensor<4xi1>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @compress_keeps_too_many(%x: tensor<3x2xf32>, %c: tensor<2xi1>) -> tensor<3x2xf32> {
  // expected-error @+1 {{result keeps 3 slices of 2 conditions}}
  %0 = onnx.Compress %x, %c {axis = 0 : i64} : (tensor<3x2xf32>, tensor<2xi1>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @unique_axis(%x: tensor<3x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %0 = "onnx.Unique"(%x) {axis = 2 : i64, resultSegmentSizes = array<i32: 1, 0, 0, 0>} : (tensor<3x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @unique_inverse(%x: tensor<6xi32>) -> (tensor<3xi32>, tensor<3xi64>) {
  // expected-error @+1 {{indices and counts must be [3], inverse_indices [6]}}
  %0:2 = "onnx.Unique"(%x) {resultSegmentSizes = array<i32: 1, 0, 1, 0>} : (tensor<6xi32>) -> (tensor<3xi32>, tensor<3xi64>)
  return %0#0, %0#1 : tensor<3xi32>, tensor<3xi64>
}

// -----

func.func @nms_scores(%b: tensor<1x6x4xf32>, %s: tensor<1x2x5xf32>) -> tensor<2x3xi64> {
  // expected-error @+1 {{expects boxes [N, boxes, 4] and scores [N, classes, boxes], got [1, 6, 4] and [1, 2, 5]}}
  %0 = "onnx.NonMaxSuppression"(%b, %s) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0>} : (tensor<1x6x4xf32>, tensor<1x2x5xf32>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

func.func @nms_rows(%b: tensor<1x2x4xf32>, %s: tensor<1x1x2xf32>) -> tensor<3x3xi64> {
  // expected-error @+1 {{result must be [count, 3] with count at most 2, got [3, 3]}}
  %0 = "onnx.NonMaxSuppression"(%b, %s) {operandSegmentSizes = array<i32: 1, 1, 0, 0, 0>} : (tensor<1x2x4xf32>, tensor<1x1x2xf32>) -> tensor<3x3xi64>
  return %0 : tensor<3x3xi64>
}

// -----

func.func @roi_align_mode(%x: tensor<1x3x8x8xf32>, %r: tensor<2x4xf32>, %i: tensor<2xi64>) -> tensor<2x3x1x1xf32> {
  // expected-error @+1 {{mode must be avg or max, got 'min'}}
  %0 = onnx.RoiAlign %x, %r, %i {mode = "min"} : (tensor<1x3x8x8xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

func.func @roi_align_shape(%x: tensor<1x3x8x8xf32>, %r: tensor<2x4xf32>, %i: tensor<2xi64>) -> tensor<2x3x2x2xf32> {
  // expected-error @+1 {{result shape [2, 3, 2, 2] does not match inferred shape [2, 3, 1, 1]}}
  %0 = onnx.RoiAlign %x, %r, %i : (tensor<1x3x8x8xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x3x2x2xf32>
  return %0 : tensor<2x3x2x2xf32>
}

// -----

func.func @tfidf_strings(%x: tensor<6xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{string pools are not supported (whittle has no string tensors); use pool_int64s}}
  %0 = onnx.TfIdfVectorizer %x {max_gram_length = 1 : i64, min_gram_length = 1 : i64, max_skip_count = 0 : i64, mode = "TF", ngram_counts = [0], ngram_indexes = [0], pool_strings = ["a"]} : (tensor<6xi32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @tfidf_split(%x: tensor<6xi32>) -> tensor<2xf32> {
  // expected-error @+1 {{ngram_counts entry 1 does not split the pool into 2-grams}}
  %0 = onnx.TfIdfVectorizer %x {max_gram_length = 2 : i64, min_gram_length = 1 : i64, max_skip_count = 0 : i64, mode = "TF", ngram_counts = [0, 1], ngram_indexes = [0, 1], pool_int64s = [1, 2, 3, 4]} : (tensor<6xi32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @tfidf_mode(%x: tensor<6xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{mode must be TF, IDF or TFIDF, got 'BM25'}}
  %0 = onnx.TfIdfVectorizer %x {max_gram_length = 1 : i64, min_gram_length = 1 : i64, max_skip_count = 0 : i64, mode = "BM25", ngram_counts = [0], ngram_indexes = [0], pool_int64s = [3]} : (tensor<6xi32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @string_normalizer_action(%x: tensor<3x8xi8>) -> tensor<3x8xi8> {
  // expected-error @+1 {{case_change_action must be NONE, LOWER or UPPER, got 'TITLE'}}
  %0 = onnx.StringNormalizer %x {case_change_action = "TITLE"} : (tensor<3x8xi8>) -> tensor<3x8xi8>
  return %0 : tensor<3x8xi8>
}

// -----

func.func @string_normalizer_width(%x: tensor<3x8xi8>) -> tensor<2x4xi8> {
  // expected-error @+1 {{result must hold at most the input's strings, of its width, got [2, 4] for [3, 8]}}
  %0 = onnx.StringNormalizer %x : (tensor<3x8xi8>) -> tensor<2x4xi8>
  return %0 : tensor<2x4xi8>
}
