//===- ONNXIndexingOps.td - Data-addressed ONNX operators --*- tablegen -*-===//
//
// Part of whittle. Operators whose reads or writes are addressed by tensor
// data or by computed coordinates: gathers and scatters, one-hot, ranges,
// prefix sums, Einstein summation and resampling. Parameters that ONNX
// passes as tensors but that fix a result shape (Range's limits, OneHot's
// depth, Resize's sizes) are taken from the static result type; when they
// are read at run time the lowering checks that they agree with it.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXINDEXINGOPS_TD
#define WHITTLE_DIALECT_ONNX_IR_ONNXINDEXINGOPS_TD

def ONNX_GatherNDOp : ONNX_Op<"GatherND", [Pure]> {
  let summary = "gather slices addressed by index tuples";
  let description = [{
    output[b..., i..., r...] = data[b..., indices[b..., i..., :], r...] with
    `batch_dims` leading batch dimensions b; each index tuple addresses the
    first indices.shape[-1] dimensions after them. Indices are clamped into
    range (negative ones count from the end) and checked at run time.
  }];
  let arguments = (ins ONNX_AnyTensor:$data, ONNX_I64Tensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_ScatterElementsOp : ONNX_Op<"ScatterElements", [Pure]> {
  let summary = "copy of data with elements along an axis replaced or combined";
  let description = [{
    output = data, then for every position p of indices:
    output[p with p[axis] = indices[p]] = updates[p] (reduction `none`), or
    combined with it by `add`, `mul`, `max` or `min`, in index order.
  }];
  let arguments = (ins ONNX_AnyTensor:$data, RankedTensorOf<[I32, I64]>:$indices,
                       ONNX_AnyTensor:$updates,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_MaxUnpoolOp : ONNX_Op<"MaxUnpool", [Pure]> {
  let summary = "zeros with each value of X placed at its flat index";
  let description = [{
    The inverse of MaxPool with Indices: Y starts as zeros, then
    Y.flat[I[i]] = X[i] for every element i of X, in order (a later index
    wins). Y's shape is `output_shape` when given, otherwise
    (in - 1) * stride - pads + kernel per spatial dimension. Indices
    outside Y are reported at run time.
  }];
  let arguments = (ins ONNX_FloatTensor:$X, ONNX_I64Tensor:$I,
                       Optional<ONNX_I64Tensor>:$output_shape,
                       I64ArrayAttr:$kernel_shape,
                       OptionalAttr<I64ArrayAttr>:$pads,
                       OptionalAttr<I64ArrayAttr>:$strides);
  let results = (outs ONNX_FloatTensor:$output);
  let assemblyFormat = "$X `,` $I (`,` $output_shape^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_ScatterNDOp : ONNX_Op<"ScatterND", [Pure]> {
  let summary = "copy of data with slices addressed by index tuples replaced";
  let description = [{
    output = data, then for every index tuple t = indices[i..., :]:
    output[t, r...] = updates[i..., r...] (reduction `none`), or combined
    with it by `add`, `mul`, `max` or `min`, in index order.
  }];
  let arguments = (ins ONNX_AnyTensor:$data, ONNX_I64Tensor:$indices,
                       ONNX_AnyTensor:$updates,
                       DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_OneHotOp : ONNX_Op<"OneHot", [Pure]> {
  let summary = "one-hot encoding along a new axis";
  let description = [{
    output[..., j, ...] = indices[...] == j ? values[1] : values[0], with
    j along the new dimension `axis` of size depth (from the result type;
    a run-time `depth` is checked against it). Negative indices count from
    the end; indices outside [-depth, depth) select no position.
  }];
  let arguments = (ins ONNX_AnyTensor:$indices, ONNX_AnyTensor:$depth,
                       ONNX_AnyTensor:$values,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$indices `,` $depth `,` $values attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_RangeOp : ONNX_Op<"Range", [Pure]> {
  let summary = "start + i * delta for i in [0, n)";
  let description = [{
    n = max(ceil((limit - start) / delta), 0) is the result's (static)
    length; run-time scalars are checked against it.
  }];
  let arguments = (ins ONNX_AnyTensor:$start, ONNX_AnyTensor:$limit,
                       ONNX_AnyTensor:$delta);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_CumSumOp : ONNX_Op<"CumSum", [Pure]> {
  let summary = "cumulative sum along an axis";
  let description = [{
    y[..., i, ...] = sum of x[..., j, ...] for j <= i (j < i when
    `exclusive`; j >= i, or j > i, when `reverse`) along `axis`, a scalar
    tensor that may be read at run time.
  }];
  let arguments = (ins ONNX_AnyTensor:$x, RankedTensorOf<[I32, I64]>:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$exclusive,
                       DefaultValuedAttr<I64Attr, "0">:$reverse);
  let results = (outs ONNX_AnyTensor:$y);
  let assemblyFormat = "$x `,` $axis attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_EinsumOp : ONNX_Op<"Einsum", [Pure]> {
  let summary = "Einstein summation";
  let description = [{
    `equation` names each operand's dimensions by letters ("bij,bjk->bik");
    `...` stands for the leading broadcast dimensions. Letters missing from
    the output (explicit after `->`, else the letters used once, sorted) are
    summed over; a letter repeated within an operand reads its diagonal.
  }];
  let arguments = (ins Variadic<ONNX_AnyTensor>:$Inputs, StrAttr:$equation);
  let results = (outs ONNX_AnyTensor:$Output);
  let assemblyFormat = "$Inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_ResizeOp : ONNX_Op<"Resize", [Pure, AttrSizedOperandSegments]> {
  let summary = "resample by nearest, linear or cubic interpolation";
  let description = [{
    Resizes every dimension to the result type's extent, one dimension at a
    time from the innermost (the ONNX reference's order), with the
    coordinate transformation, nearest rounding, cubic coefficient,
    exclude_outside and extrapolation semantics of opset 13. `scales` and
    `roi` may be read at run time; `sizes` must agree with the result type.
  }];
  let arguments = (ins ONNX_AnyTensor:$X, Optional<ONNX_FloatTensor>:$roi,
                       Optional<ONNX_FloatTensor>:$scales,
                       Optional<ONNX_I64Tensor>:$sizes,
                       DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
                       DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
                       DefaultValuedAttr<I64Attr, "0">:$exclude_outside,
                       DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value,
                       DefaultValuedStrAttr<StrAttr, "nearest">:$mode,
                       DefaultValuedStrAttr<StrAttr, "round_prefer_floor">:$nearest_mode);
  let results = (outs ONNX_AnyTensor:$Y);
  let assemblyFormat = [{
    $X (`roi` `(` $roi^ `:` type($roi) `)`)?
    (`scales` `(` $scales^ `:` type($scales) `)`)?
    (`sizes` `(` $sizes^ `:` type($sizes) `)`)? attr-dict `:` type($X) `->` type($Y)
  }];
  let hasVerifier = 1;
}

def ONNX_GridSampleOp : ONNX_Op<"GridSample", [Pure]> {
  let summary = "sample an image at the grid's normalized coordinates";
  let description = [{
    Y[n, c, h, w] samples X[n, c] at grid[n, h, w] = (x, y) in [-1, 1]
    (pixel corners with align_corners = 0, centres with 1): nearest (round
    half to even), bilinear or bicubic (A = -0.75), outside the image zeros,
    the border pixel or the reflection (PyTorch's grid_sample semantics).
  }];
  let arguments = (ins ONNX_FloatTensor:$X, ONNX_FloatTensor:$grid,
                       DefaultValuedAttr<I64Attr, "0">:$align_corners,
                       DefaultValuedStrAttr<StrAttr, "bilinear">:$mode,
                       DefaultValuedStrAttr<StrAttr, "zeros">:$padding_mode);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X `,` $grid attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_TopKOp : ONNX_Op<"TopK", [Pure]> {
  let summary = "the k largest (or smallest) elements along an axis";
  let description = [{
    Values and their int64 indices, sorted, equal elements in index order.
    k is the result extent along `axis`; a run-time K is checked against it.
    Each element's rank among its slice is counted, then each output
    position takes the element of its rank: no sort, no data-dependent
    control flow.
  }];
  let arguments = (ins ONNX_AnyTensor:$X, ONNX_I64Tensor:$K,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<I64Attr, "1">:$largest,
                       DefaultValuedAttr<I64Attr, "1">:$sorted);
  let results = (outs ONNX_AnyTensor:$Values, ONNX_I64Tensor:$Indices);
  let assemblyFormat = "$X `,` $K attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_ReverseSequenceOp : ONNX_Op<"ReverseSequence", [Pure]> {
  let summary = "reverse each batch entry's first sequence_lens[b] steps";
  let arguments = (ins ONNX_AnyTensor:$input, ONNX_I64Tensor:$sequence_lens,
                       DefaultValuedAttr<I64Attr, "1">:$batch_axis,
                       DefaultValuedAttr<I64Attr, "0">:$time_axis);
  let results = (outs ONNX_AnyTensor:$Y);
  let assemblyFormat = "$input `,` $sequence_lens attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

/// The window generators (opset 17): w[n] = a0 - a1 cos(2 pi n / N) +
/// a2 cos(4 pi n / N), N = size (periodic) or size - 1 (symmetric).
class ONNX_WindowOp<string mnemonic, string sum> : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum;
  let arguments = (ins RankedTensorOf<[I32, I64]>:$size,
                       DefaultValuedAttr<I64Attr, "1">:$output_datatype,
                       DefaultValuedAttr<I64Attr, "1">:$periodic);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$size attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}
def ONNX_HannWindowOp : ONNX_WindowOp<"HannWindow", "Hann window (0.5 - 0.5 cos)">;
def ONNX_HammingWindowOp : ONNX_WindowOp<"HammingWindow",
    "Hamming window (25/46 - 21/46 cos)">;
def ONNX_BlackmanWindowOp : ONNX_WindowOp<"BlackmanWindow",
    "Blackman window (0.42 - 0.5 cos + 0.08 cos 2x)">;

def ONNX_DetOp : ONNX_Op<"Det", [Pure]> {
  let summary = "determinant of each square matrix in the last two dimensions";
  let description = [{
    Gaussian elimination with partial pivoting, unrolled over the static
    matrix size (up to 8x8), one matrix per output element.
  }];
  let arguments = (ins ONNX_FloatTensor:$X);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_DFTOp : ONNX_Op<"DFT", [Pure]> {
  let summary = "discrete Fourier transform along one axis (opset 17)";
  let description = [{
    The input's last dimension holds 1 (real) or 2 (real, imaginary)
    components, the output's 2. A direct O(N^2) sum over compile-time
    twiddle tables; dft_length, when given, must be the signal length.
  }];
  let arguments = (ins ONNX_FloatTensor:$input,
                       Optional<ONNX_AnyTensor>:$dft_length,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$inverse,
                       DefaultValuedAttr<I64Attr, "0">:$onesided);
  let results = (outs ONNX_FloatTensor:$output);
}

def ONNX_MelWeightMatrixOp : ONNX_Op<"MelWeightMatrix", [Pure]> {
  let summary = "triangular mel filter bank (opset 17)";
  let description = [{
    [dft_length / 2 + 1, num_mel_bins] weights of triangular filters whose
    edges are spaced evenly on the mel scale between lower_edge_hertz and
    upper_edge_hertz, as the ONNX reference computes them (in f64). Sizes
    read at run time are checked against the compiled shape.
  }];
  let arguments = (ins ONNX_AnyTensor:$num_mel_bins,
                       ONNX_AnyTensor:$dft_length,
                       ONNX_AnyTensor:$sample_rate,
                       ONNX_FloatTensor:$lower_edge_hertz,
                       ONNX_FloatTensor:$upper_edge_hertz,
                       DefaultValuedAttr<I64Attr, "1">:$output_datatype);
  let results = (outs ONNX_AnyTensor:$output);
  let hasVerifier = 1;
}

def ONNX_STFTOp : ONNX_Op<"STFT", [Pure, AttrSizedOperandSegments]> {
  let summary = "short-time Fourier transform (opset 17)";
  let description = [{
    signal [batch, length, 1 or 2] is cut into frames of frame_length
    samples every frame_step samples; each frame, times the window, gets a
    DFT (onesided: frame_length / 2 + 1 bins). Output [batch, frames, bins,
    2]. The frame length comes from the window's length, a constant
    frame_length, or the result's bins; frame_step and a frame_length read
    at run time are checked against the compiled shape when the model runs.
  }];
  let arguments = (ins ONNX_FloatTensor:$signal, ONNX_AnyTensor:$frame_step,
                       Optional<ONNX_FloatTensor>:$window,
                       Optional<ONNX_AnyTensor>:$frame_length,
                       DefaultValuedAttr<I64Attr, "1">:$onesided);
  let results = (outs ONNX_FloatTensor:$output);
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Samples per frame (window, constant frame_length, or the bins).
    int64_t frameLength();
  }];
}

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXINDEXINGOPS_TD
