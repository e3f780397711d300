// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" --verify-diagnostics

func.func @qlinearconv_runtime_scale_grouped(%x: tensor<1x2x4x4xi8>, %s: tensor<f32>) -> tensor<1x2x4x4xi8> {
  %z = onnx.Constant dense<0> : tensor<i8>
  %w = onnx.Constant dense<1> : tensor<2x1x1x1xi8>
  // expected-error @+1 {{grouped QLinearConv with zero points or scales known only at run time is not supported yet}}
  %0 = onnx.QLinearConv %x, %s, %z, %w, %s, %z, %s, %z {group = 2 : i64} : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>, tensor<2x1x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  return %0 : tensor<1x2x4x4xi8>
}

// -----

func.func @qlinearmatmul_uint8(%a: tensor<2x2xui8>, %b: tensor<2x2xui8>) -> tensor<2x2xui8> {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %z = onnx.Constant dense<128> : tensor<ui8>
  // expected-error @+1 {{'QLinearMatMul' on unsigned integers is not supported yet (uint8 quantized tensors are compiled where nothing but quantization ops and data movement use them)}}
  %0 = onnx.QLinearMatMul %a, %s, %z, %b, %s, %z, %s, %z : (tensor<2x2xui8>, tensor<f32>, tensor<ui8>, tensor<2x2xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x2xui8>
  return %0 : tensor<2x2xui8>
}

// -----

func.func @qlinearconv_weight_zero_points(%x: tensor<1x2x4x4xi8>) -> tensor<1x2x4x4xi8> {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %ws = onnx.Constant dense<0.5> : tensor<2xf32>
  %z = onnx.Constant dense<0> : tensor<i8>
  %wz = onnx.Constant dense<[0, 1]> : tensor<2xi8>
  %w = onnx.Constant dense<1> : tensor<2x2x1x1xi8>
  // expected-error @+1 {{w_zero_point differs between channels; the integer kernels take one}}
  %0 = onnx.QLinearConv %x, %s, %z, %w, %ws, %wz, %s, %z : (tensor<1x2x4x4xi8>, tensor<f32>, tensor<i8>, tensor<2x2x1x1xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<i8>) -> tensor<1x2x4x4xi8>
  return %0 : tensor<1x2x4x4xi8>
}

// -----

func.func @qlinearmatmul_zero_scale(%a: tensor<2x2xi8>, %b: tensor<2x2xi8>) -> tensor<2x2xi8> {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %zero = onnx.Constant dense<0.0> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i8>
  // expected-error @+1 {{y_scale holds 0.000000e+00; quantization scales must be positive and finite}}
  %0 = onnx.QLinearMatMul %a, %s, %z, %b, %s, %z, %zero, %z : (tensor<2x2xi8>, tensor<f32>, tensor<i8>, tensor<2x2xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<2x2xi8>
  return %0 : tensor<2x2xi8>
}

// -----

func.func @qlinearconv_int16_zero_point(%x: tensor<1x1x4x4xi16>) -> tensor<1x1x4x4xi16> {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %z = onnx.Constant dense<3> : tensor<i16>
  %w = onnx.Constant dense<1> : tensor<1x1x1x1xi8>
  %wz = onnx.Constant dense<0> : tensor<i8>
  // expected-error @+1 {{x_zero_point must be 0 for int16 (the int16 kernels are symmetric)}}
  %0 = onnx.QLinearConv %x, %s, %z, %w, %s, %wz, %s, %z : (tensor<1x1x4x4xi16>, tensor<f32>, tensor<i16>, tensor<1x1x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i16>) -> tensor<1x1x4x4xi16>
  return %0 : tensor<1x1x4x4xi16>
}

// -----

func.func @qgemm_int16(%a: tensor<2x2xi16>) -> tensor<2x2xi8> {
  %s = onnx.Constant dense<0.5> : tensor<f32>
  %z = onnx.Constant dense<0> : tensor<i16>
  %b = onnx.Constant dense<1> : tensor<2x2xi8>
  %bz = onnx.Constant dense<0> : tensor<i8>
  // expected-error @+1 {{a is 'i16'; the integer kernels take int8 (uint8 only where nothing but quantization ops and data movement use it)}}
  %0 = onnx.QLinearMatMul %a, %s, %z, %b, %s, %bz, %s, %bz : (tensor<2x2xi16>, tensor<f32>, tensor<i16>, tensor<2x2xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<2x2xi8>
  return %0 : tensor<2x2xi8>
}

// -----

func.func @rnn_activation(%x: tensor<1x1x2xf32>, %w: tensor<1x3x2xf32>, %r: tensor<1x3x3xf32>) -> tensor<1x1x3xf32> {
  // expected-error @+1 {{activation 'Gelu' is not supported}}
  %y = "onnx.RNN"(%x, %w, %r) <{hidden_size = 3 : i64, activations = ["Gelu"], operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>, resultSegmentSizes = array<i32: 0, 1>}> : (tensor<1x1x2xf32>, tensor<1x3x2xf32>, tensor<1x3x3xf32>) -> tensor<1x1x3xf32>
  return %y : tensor<1x1x3xf32>
}

// -----

func.func @reduce_runtime_axes_no_keepdims(%x: tensor<3x2x2xf32>, %a: tensor<1xi64>) -> tensor<3x2xf32> {
  // expected-error @+1 {{reduction axes read at run time need keepdims = 1}}
  %0 = onnx.ReduceSum %x, %a : tensor<1xi64> {keepdims = 0 : i64} : (tensor<3x2x2xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @unsigned_reduce_max(%x: tensor<4xui16>) -> tensor<1xui16> {
  // expected-error @+1 {{'ReduceMax' on unsigned integers is not supported yet}}
  %0 = onnx.ReduceMax %x : (tensor<4xui16>) -> tensor<1xui16>
  return %0 : tensor<1xui16>
}

// -----

func.func @det_large(%x: tensor<9x9xf32>) -> tensor<f32> {
  // expected-error @+1 {{Det of 9x9 matrices is not supported yet (at most 8x8)}}
  %0 = onnx.Det %x : (tensor<9x9xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @dft_length(%x: tensor<1x4x1xf32>) -> tensor<1x8x2xf32> {
  %n = onnx.Constant dense<8> : tensor<i64>
  // expected-error @+1 {{DFT with a dft_length other than the signal length (4) is not supported yet}}
  %0 = "onnx.DFT"(%x, %n) : (tensor<1x4x1xf32>, tensor<i64>) -> tensor<1x8x2xf32>
  return %0 : tensor<1x8x2xf32>
}
