// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// GatherND reads each component of an index tuple, made non-negative and
// clamped into its dimension; input indices are checked per component.
// CHECK-LABEL: func @gather_nd
// CHECK-COUNT-2: cf.assert {{.*}}"index out of range" {whittle.status = 1 : i32}
// CHECK: linalg.generic
// CHECK: tensor.extract %arg1
// CHECK: arith.minsi
// CHECK: tensor.extract %arg1
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @gather_nd(%d: tensor<2x3x4xf32>, %i: tensor<5x2xi64>) -> tensor<5x4xf32> {
  %0 = onnx.GatherND %d, %i : (tensor<2x3x4xf32>, tensor<5x2xi64>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// ScatterElements starts from data and looks, for every output element, at
// the updates along the axis (a reduction loop) whose index lands on it.
// CHECK-LABEL: func @scatter_elements
// CHECK: cf.assert {{.*}}{whittle.status = 1 : i32}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} outs(%arg0
// CHECK: arith.cmpi eq
// CHECK: arith.addf
// CHECK: arith.select
func.func @scatter_elements(%d: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>) -> tensor<3x3xf32> {
  %0 = onnx.ScatterElements %d, %i, %u {reduction = "add"} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// ScatterND: a reduction over the index tuples, last match wins.
// CHECK-LABEL: func @scatter_nd
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} outs(%arg0
// CHECK: arith.cmpi eq
// CHECK: tensor.extract %arg2
// CHECK-NOT: arith.mulf
// CHECK: arith.select
func.func @scatter_nd(%d: tensor<4x4x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4x4xf32>) -> tensor<4x4x4xf32> {
  %0 = onnx.ScatterND %d, %i, %u : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
  return %0 : tensor<4x4x4xf32>
}

// -----

// OneHot compares each index (negative ones shifted by the depth) with the
// position along the new axis; a run-time depth is checked against the
// compiled one (status 3).
// CHECK-LABEL: func @one_hot
// CHECK: arith.fptosi
// CHECK: cf.assert {{.*}}"OneHot depth differs from the compiled depth" {whittle.status = 3 : i32}
// CHECK: linalg.generic
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @one_hot(%i: tensor<2x2xi64>, %depth: tensor<f32>, %v: tensor<2xf32>) -> tensor<2x10x2xf32> {
  %0 = onnx.OneHot %i, %depth, %v {axis = 1 : i64} : (tensor<2x2xi64>, tensor<f32>, tensor<2xf32>) -> tensor<2x10x2xf32>
  return %0 : tensor<2x10x2xf32>
}

// -----

// Range from run-time bounds: its length is the result's, checked without
// division (before < limit <= last, or the falling mirror).
// CHECK-LABEL: func @range
// CHECK: arith.extsi
// CHECK: cf.assert {{.*}}"Range length differs from the compiled length" {whittle.status = 3 : i32}
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: arith.addi
func.func @range(%s: tensor<i32>, %l: tensor<i32>, %d: tensor<i32>) -> tensor<4xi32> {
  %0 = onnx.Range %s, %l, %d : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Constant bounds need no check.
// CHECK-LABEL: func @range_const
// CHECK-NOT: cf.assert
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @range_const() -> tensor<3xf32> {
  %s = onnx.Constant dense<1.0> : tensor<f32>
  %l = onnx.Constant dense<2.5> : tensor<f32>
  %d = onnx.Constant dense<0.5> : tensor<f32>
  %0 = onnx.Range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CumSum along a constant axis: the summed position is a reduction loop
// that reads x there; exclusive and reverse are a strict, reversed
// comparison with the output position.
// CHECK-LABEL: func @cumsum
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpi sgt
// CHECK: tensor.extract %arg0
// CHECK: arith.addf
func.func @cumsum(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %a = onnx.Constant dense<1> : tensor<i64>
  %0 = onnx.CumSum %x, %a {exclusive = 1 : i64, reverse = 1 : i64} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A run-time axis: checked, and every dimension's index selected by it.
// CHECK-LABEL: func @cumsum_runtime_axis
// CHECK: cf.assert {{.*}}{whittle.status = 1 : i32}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.select
// CHECK: arith.cmpi sle
func.func @cumsum_runtime_axis(%x: tensor<2x3xi32>, %a: tensor<i32>) -> tensor<2x3xi32> {
  %0 = onnx.CumSum %x, %a : (tensor<2x3xi32>, tensor<i32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// Einsum is one generic: result labels parallel, summed labels reductions,
// a repeated label reads the diagonal.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[D:.*]] = affine_map<(d0, d1) -> (d0, d1, d1)>
// CHECK-LABEL: func @einsum
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[D]], {{.*}}], iterator_types = ["parallel", "parallel"]
func.func @einsum(%x: tensor<5x2x3xf32>, %y: tensor<5x3x4xf32>, %z: tensor<3x5x5xf32>) -> (tensor<5x2x4xf32>, tensor<3x5xf32>) {
  %0 = onnx.Einsum %x, %y {equation = "bij, bjk -> bik"} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  %1 = onnx.Einsum %z {equation = "...ii->...i"} : (tensor<3x5x5xf32>) -> tensor<3x5xf32>
  return %0, %1 : tensor<5x2x4xf32>, tensor<3x5xf32>
}

// -----

// Resize with constant scales: one pass per resampled dimension, innermost
// first; N and C at scale 1 are left alone. Linear reads two neighbours.
// CHECK-LABEL: func @resize_linear
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x2x8xf32>)
// CHECK: math.floor
// CHECK-COUNT-2: tensor.extract %arg0
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4x8xf32>)
// CHECK-NOT: linalg.generic
func.func @resize_linear(%x: tensor<1x1x2x4xf32>) -> tensor<1x1x4x8xf32> {
  %s = onnx.Constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  %0 = onnx.Resize %x scales(%s : tensor<4xf32>) {mode = "linear"} : tensor<1x1x2x4xf32> -> tensor<1x1x4x8xf32>
  return %0 : tensor<1x1x4x8xf32>
}

// -----

// Run-time scales: every dimension is resampled, and the scales are checked
// to give the compiled shape (status 3). Cubic reads four neighbours.
// CHECK-LABEL: func @resize_cubic_runtime
// CHECK: cf.assert {{.*}}"Resize scales or sizes do not give the compiled shape" {whittle.status = 3 : i32}
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4x3xf32>)
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK-COUNT-3: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x3x3xf32>)
func.func @resize_cubic_runtime(%x: tensor<1x1x4x4xf32>, %s: tensor<4xf32>) -> tensor<1x1x3x3xf32> {
  %0 = onnx.Resize %x scales(%s : tensor<4xf32>) {mode = "cubic"} : tensor<1x1x4x4xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Nearest reads one neighbour, chosen by the rounding mode.
// CHECK-LABEL: func @resize_nearest
// CHECK: linalg.generic
// CHECK: arith.cmpf oge
// CHECK-COUNT-1: tensor.extract %arg0
// CHECK: linalg.generic
func.func @resize_nearest(%x: tensor<1x1x2x2xi8>) -> tensor<1x1x4x6xi8> {
  %s = onnx.Constant dense<[1, 1, 4, 6]> : tensor<4xi64>
  %0 = onnx.Resize %x sizes(%s : tensor<4xi64>) {nearest_mode = "round_prefer_ceil"} : tensor<1x1x2x2xi8> -> tensor<1x1x4x6xi8>
  return %0 : tensor<1x1x4x6xi8>
}

// -----

// Trilu with k read at run time compares against the extracted scalar.
// CHECK-LABEL: func @trilu_runtime_k
// CHECK: %[[K:.*]] = tensor.extract %arg1[]
// CHECK: linalg.generic
// CHECK: arith.cmpi sge, %{{.*}}, %[[K]]
func.func @trilu_runtime_k(%x: tensor<3x4xf32>, %k: tensor<i64>) -> tensor<3x4xf32> {
  %0 = onnx.Trilu %x, %k : tensor<i64> : (tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// LRN sums the squares of `size` channel-shifted slices of a padded copy.
// CHECK-LABEL: func @lrn
// CHECK: tosa.pad
// CHECK-COUNT-3: tosa.slice
// CHECK: math.log
// CHECK: math.exp
func.func @lrn(%x: tensor<1x5x2x2xf32>) -> tensor<1x5x2x2xf32> {
  %0 = onnx.LRN %x {size = 3 : i64} : tensor<1x5x2x2xf32>
  return %0 : tensor<1x5x2x2xf32>
}

// -----

// CHECK-LABEL: func @global_max_pool
// CHECK: tosa.reduce_max {{.*}}axis = 2
// CHECK: tosa.reduce_max {{.*}}axis = 3
func.func @global_max_pool(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf32> {
  %0 = onnx.GlobalMaxPool %x : (tensor<1x3x5x5xf32>) -> tensor<1x3x1x1xf32>
  return %0 : tensor<1x3x1x1xf32>
}

// -----

// MeanVarianceNormalization divides by sqrt(var) + 1e-9, as ONNX's body.
// CHECK-LABEL: func @mvn
// CHECK: tosa.reduce_sum
// CHECK: math.sqrt
// CHECK: arith.addf
// CHECK: arith.divf
func.func @mvn(%x: tensor<3x3x3x1xf32>) -> tensor<3x3x3x1xf32> {
  %0 = onnx.MeanVarianceNormalization %x : tensor<3x3x3x1xf32>
  return %0 : tensor<3x3x3x1xf32>
}

// -----

// Slice with run-time starts, ends, axes and steps: each dimension's start,
// end and step resolved in scalar code (negative positions from the end,
// clamped by direction), the lengths checked against the result shape.
// CHECK-LABEL: func @slice_runtime
// CHECK: tensor.extract %arg3
// CHECK: arith.divsi
// CHECK: cf.assert {{.*}}"Slice parameters do not give the compiled shape" {whittle.status = 3 : i32}
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: tensor.extract %arg0
func.func @slice_runtime(%x: tensor<20x10x5xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>, %a: tensor<2xi64>, %st: tensor<2xi64>) -> tensor<3x10x5xf32> {
  %0 = "onnx.Slice"(%x, %s, %e, %a, %st) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>}> : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<3x10x5xf32>
  return %0 : tensor<3x10x5xf32>
}

// -----

// Pad with run-time pads: the leading pads become the index offsets, and
// leading + trailing + extent is checked against the result.
// CHECK-LABEL: func @pad_runtime
// CHECK: cf.assert {{.*}}"Pad pads do not give the compiled shape" {whittle.status = 3 : i32}
// CHECK: linalg.generic
// CHECK: arith.subi
// CHECK: tensor.extract %arg0
func.func @pad_runtime(%x: tensor<1x3x4x5xf32>, %p: tensor<8xi64>) -> tensor<1x3x6x7xf32> {
  %0 = "onnx.Pad"(%x, %p) <{mode = "edge", operandSegmentSizes = array<i32: 1, 1, 0, 0>}> : (tensor<1x3x4x5xf32>, tensor<8xi64>) -> tensor<1x3x6x7xf32>
  return %0 : tensor<1x3x6x7xf32>
}

// -----

// ReduceSum with run-time axes and keepdims: the result shape says which
// dimensions are reduced; a check confirms the axes name exactly those.
// CHECK-LABEL: func @reduce_sum_runtime_axes
// CHECK: cf.assert {{.*}}"reduction axes do not give the compiled shape" {whittle.status = 3 : i32}
// CHECK: tosa.reduce_sum {{.*}}axis = 1
// CHECK-NOT: tosa.reduce_sum
func.func @reduce_sum_runtime_axes(%x: tensor<3x2x2xf32>, %a: tensor<1xi64>) -> tensor<3x1x2xf32> {
  %0 = onnx.ReduceSum %x, %a : tensor<1xi64> : (tensor<3x2x2xf32>) -> tensor<3x1x2xf32>
  return %0 : tensor<3x1x2xf32>
}

// -----

// Window generators: a0 - a1 cos(x) + a2 cos(2x), x = 2 pi n / N, with a
// run-time size checked against the compiled length.
// CHECK-LABEL: func @blackman
// CHECK: cf.assert {{.*}}"window size differs from the compiled length" {whittle.status = 3 : i32}
// CHECK: linalg.generic
// CHECK: math.cos
// CHECK: math.cos
func.func @blackman(%n: tensor<i32>) -> tensor<10xf32> {
  %0 = onnx.BlackmanWindow %n {periodic = 0 : i64} : (tensor<i32>) -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// GridSample: one generic over the output reading the grid point and the
// four bilinear neighbours (zero outside the image).
// CHECK-LABEL: func @grid_sample
// CHECK: linalg.generic
// CHECK-COUNT-2: tensor.extract %arg1
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %arg0
func.func @grid_sample(%x: tensor<1x1x3x2xf32>, %g: tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32> {
  %0 = onnx.GridSample %x, %g : (tensor<1x1x3x2xf32>, tensor<1x2x4x2xf32>) -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

// TopK: ranks by counting the elements that beat each one (larger, or equal
// at a lower index), then values and indices gathered by rank in one
// generic with two results.
// CHECK-LABEL: func @top_k
// CHECK: cf.assert {{.*}}"TopK K differs from the compiled k" {whittle.status = 3 : i32}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} outs(%{{.*}}, %{{.*}} : tensor<3x3xf32>, tensor<3x3xi64>)
func.func @top_k(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x3xf32>, tensor<3x3xi64>) {
  %0:2 = onnx.TopK %x, %k : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x3xf32>, tensor<3x3xi64>)
  return %0#0, %0#1 : tensor<3x3xf32>, tensor<3x3xi64>
}

// -----

// ReverseSequence: steps before each entry's length read mirrored.
// CHECK-LABEL: func @reverse_sequence
// CHECK: cf.assert {{.*}}"sequence length out of range"
// CHECK: linalg.generic
// CHECK: tensor.extract %arg1
// CHECK: arith.cmpi slt
// CHECK: tensor.extract %arg0
func.func @reverse_sequence(%x: tensor<4x4xf32>, %l: tensor<4xi64>) -> tensor<4x4xf32> {
  %0 = onnx.ReverseSequence %x, %l {batch_axis = 0 : i64, time_axis = 1 : i64} : (tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

// Det: one 3x3 matrix per batch element read into scalars, two pivot
// compare-and-swap rounds (select), elimination, and the pivots' product.
// CHECK-LABEL: func @det
// CHECK: linalg.generic
// CHECK-COUNT-9: tensor.extract %arg0
// CHECK: math.absf
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: arith.divf
// CHECK: linalg.yield
func.func @det(%x: tensor<2x3x3xf32>) -> tensor<2xf32> {
  %0 = onnx.Det %x : (tensor<2x3x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// DFT of a real signal along axis 1: a reduction over the 4 samples with
// 4x4 cos and sin tables (compile-time constants), the output's last index
// choosing the real or imaginary sum.
// CHECK-LABEL: func @dft
// CHECK: tosa.const{{.*}}tensor<4x4xf32>
// CHECK: tosa.const{{.*}}tensor<4x4xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: tensor.extract %arg0
// CHECK: arith.select
// CHECK: arith.addf
func.func @dft(%x: tensor<1x4x3x1xf32>) -> tensor<1x4x3x2xf32> {
  %0 = "onnx.DFT"(%x) {axis = 1 : i64} : (tensor<1x4x3x1xf32>) -> tensor<1x4x3x2xf32>
  return %0 : tensor<1x4x3x2xf32>
}

// -----

// A value unrolled control flow assumed (a Loop's trip count, its entry
// condition) is compared with the expected value when the model runs
// (status 3); the check op itself leaves nothing behind.
// CHECK-LABEL: func @assume_equal
// CHECK: arith.constant 5 : i64
// CHECK: arith.cmpi eq
// CHECK: cf.assert {{.*}}"trip count differs" {whittle.status = 3 : i32}
// CHECK: arith.constant true
// CHECK: arith.cmpi eq
// CHECK: cf.assert {{.*}}"condition is false" {whittle.status = 3 : i32}
// CHECK-NOT: onnx.
// CHECK: return
func.func @assume_equal(%m: tensor<i64>, %c: tensor<i1>) {
  onnx.whittle.assume_equal %m {expected = 5 : i64, message = "trip count differs"} : tensor<i64>
  onnx.whittle.assume_equal %c {expected = 1 : i64, message = "condition is false"} : tensor<i1>
  return
}

// -----

// MaxUnpool: every output element looks for the last X element whose index
// is its flat position in the default 1x2x4x4 layout (rows 4 and columns 4
// of the 5x5 output are padding); a run-time output_shape is compared with
// the compiled one, and indices outside the layout are reported (status 1).
// CHECK-LABEL: func @max_unpool
// CHECK-COUNT-4: cf.assert {{.*}}"MaxUnpool output_shape differs from the compiled shape" {whittle.status = 3 : i32}
// CHECK: arith.cmpi slt, %{{.*}}, %c32_i64
// CHECK: cf.assert {{.*}}"MaxUnpool index out of range" {whittle.status = 1 : i32}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<1x2x5x5xf32>)
// CHECK: arith.cmpi slt, %{{.*}}, %c4
// CHECK: arith.cmpi slt, %{{.*}}, %c4
// CHECK: %[[I:.*]] = tensor.extract %arg1
// CHECK: %[[IDX:.*]] = arith.index_cast %[[I]] : i64 to index
// CHECK: arith.cmpi eq, %[[IDX]]
// CHECK: %[[X:.*]] = tensor.extract %arg0
// CHECK: arith.select %{{.*}}, %[[X]]
func.func @max_unpool(%x: tensor<1x2x2x2xf32>, %i: tensor<1x2x2x2xi64>, %s: tensor<4xi64>) -> tensor<1x2x5x5xf32> {
  %y = onnx.MaxUnpool %x, %i, %s {kernel_shape = [2, 2], strides = [2, 2]} : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi64>, tensor<4xi64>) -> tensor<1x2x5x5xf32>
  return %y : tensor<1x2x5x5xf32>
}

// -----

// STFT: one reduction over the frame's samples per (batch, frame, bin,
// component), with compile-time twiddle tables; a run-time frame_step must
// give the compiled frame count and a run-time frame_length the compiled
// length (status 3).
// CHECK-LABEL: func @stft
// CHECK: arith.divsi
// CHECK: cf.assert {{.*}}"STFT frame_step gives another frame count than the compiled one" {whittle.status = 3 : i32}
// CHECK: cf.assert {{.*}}"STFT frame_length differs from the compiled one" {whittle.status = 3 : i32}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.muli
// CHECK: tensor.extract %arg0
// CHECK: arith.mulf
// CHECK: arith.select
func.func @stft(%x: tensor<1x128x1xf32>, %step: tensor<i64>, %len: tensor<i64>) -> tensor<1x15x9x2xf32> {
  %y = "onnx.STFT"(%x, %step, %len) <{operandSegmentSizes = array<i32: 1, 1, 0, 1>}> : (tensor<1x128x1xf32>, tensor<i64>, tensor<i64>) -> tensor<1x15x9x2xf32>
  return %y : tensor<1x15x9x2xf32>
}

// -----

// MelWeightMatrix: sizes read at run time are checked; each element
// computes its column's three mel edges in f64 (log and exp) and the
// triangle's rising or falling value.
// CHECK-LABEL: func @mel_weight_matrix
// CHECK: cf.assert {{.*}}"MelWeightMatrix num_mel_bins differs from the compiled one" {whittle.status = 3 : i32}
// CHECK: cf.assert {{.*}}"MelWeightMatrix dft_length differs from the compiled one" {whittle.status = 3 : i32}
// CHECK: linalg.generic
// CHECK: math.log {{.*}} : f64
// CHECK: math.exp {{.*}} : f64
// CHECK: math.floor {{.*}} : f64
// CHECK: arith.select
// CHECK: arith.truncf {{.*}} f64 to f32
func.func @mel_weight_matrix(%bins: tensor<i32>, %dft: tensor<i32>, %rate: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<9x8xf32> {
  %m = "onnx.MelWeightMatrix"(%bins, %dft, %rate, %lo, %hi) : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<9x8xf32>
  return %m : tensor<9x8xf32>
}
