// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// An LSTM over 2 steps: one product of the whole input sequence with W^T,
// then per step one product of the hidden state with R^T, the four gate
// slices, sigmoid/tanh, and the new cell and hidden states. Only Y_h is
// asked for.
// CHECK-LABEL: func @lstm
// CHECK: tosa.transpose
// CHECK: tosa.matmul {{.*}} -> tensor<1x6x16xf32>
// CHECK: tosa.matmul {{.*}} -> tensor<1x3x16xf32>
// CHECK-COUNT-2: tosa.sigmoid
// CHECK: tosa.tanh
// CHECK: tosa.sigmoid
// CHECK: tosa.tanh
// CHECK-COUNT-2: tosa.sigmoid
// CHECK: tosa.tanh
// CHECK: tosa.sigmoid
// CHECK: tosa.tanh
// CHECK-NOT: tosa.sigmoid
// CHECK: return %{{.*}} : tensor<1x3x4xf32>
func.func @lstm(%x: tensor<2x3x5xf32>, %w: tensor<1x16x5xf32>, %r: tensor<1x16x4xf32>) -> tensor<1x3x4xf32> {
  %y_h = "onnx.LSTM"(%x, %w, %r) <{hidden_size = 4 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>, resultSegmentSizes = array<i32: 0, 1, 0>}> : (tensor<2x3x5xf32>, tensor<1x16x5xf32>, tensor<1x16x4xf32>) -> tensor<1x3x4xf32>
  return %y_h : tensor<1x3x4xf32>
}

// -----

// A bidirectional GRU in batch-major layout: the reverse direction walks the
// steps backwards, Y stacks both directions per step, then the layout's
// transpose.
// CHECK-LABEL: func @gru_bidirectional
// CHECK-COUNT-4: tosa.sigmoid
// CHECK: tosa.concat {{.*}} -> tensor<1x2x1x3xf32>
// CHECK: tosa.concat {{.*}} -> tensor<1x2x1x3xf32>
// CHECK: tosa.concat {{.*}} -> tensor<2x2x1x3xf32>
// CHECK: tosa.transpose {{.*}} -> tensor<1x2x2x3xf32>
func.func @gru_bidirectional(%x: tensor<1x2x2xf32>, %w: tensor<2x9x2xf32>, %r: tensor<2x9x3xf32>) -> tensor<1x2x2x3xf32> {
  %y = "onnx.GRU"(%x, %w, %r) <{hidden_size = 3 : i64, layout = 1 : i64, direction = "bidirectional", operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>, resultSegmentSizes = array<i32: 1, 0>}> : (tensor<1x2x2xf32>, tensor<2x9x2xf32>, tensor<2x9x3xf32>) -> tensor<1x2x2x3xf32>
  return %y : tensor<1x2x2x3xf32>
}

// -----

// sequence_lens masks the steps past each entry's length.
// CHECK-LABEL: func @rnn_seq_lens
// CHECK: tosa.greater
// CHECK: tosa.select
// CHECK: tosa.select
// CHECK: tosa.greater
func.func @rnn_seq_lens(%x: tensor<2x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %l: tensor<2xi32>) -> tensor<2x1x2x4xf32> {
  %y = "onnx.RNN"(%x, %w, %r, %l) <{hidden_size = 4 : i64, activations = ["Relu"], operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 0>, resultSegmentSizes = array<i32: 1, 0>}> : (tensor<2x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<2xi32>) -> tensor<2x1x2x4xf32>
  return %y : tensor<2x1x2x4xf32>
}
