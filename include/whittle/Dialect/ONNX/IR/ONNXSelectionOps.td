//===- ONNXSelectionOps.td - Data-selected ONNX operators --*- tablegen -*-===//
//
// Part of whittle. Operators whose result extent depends on the data:
// NonZero, Compress, Unique and NonMaxSuppression, plus the detection and
// text operators that go with them (RoiAlign, TfIdfVectorizer). Whittle's
// shapes are static, so the extent comes from the model's declared output
// shape (or shape inference); the generated code counts what the data
// selects, writes no further than the compiled extent, and returns the
// shape-mismatch status when the count differs from it.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXSELECTIONOPS_TD
#define WHITTLE_DIALECT_ONNX_IR_ONNXSELECTIONOPS_TD

def ONNX_NonZeroOp : ONNX_Op<"NonZero", [Pure]> {
  let summary = "coordinates of the non-zero elements, in row-major order";
  let description = [{
    Y[d, k] is coordinate d of the k-th non-zero element of X (NaN counts as
    non-zero). The number of non-zero elements must equal Y's second extent.
  }];
  let arguments = (ins ONNX_AnyTensor:$X);
  let results = (outs ONNX_I64Tensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_CompressOp : ONNX_Op<"Compress", [Pure]> {
  let summary = "the slices along an axis whose condition is true";
  let description = [{
    Keeps slice i of `input` along `axis` (of the flattened input without
    one) where condition[i] is true; a condition shorter than the axis
    drops the remaining slices. The number of true values must equal the
    output's extent along the axis.
  }];
  let arguments = (ins ONNX_AnyTensor:$input, RankedTensorOf<[I1]>:$condition,
                       OptionalAttr<I64Attr>:$axis);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input `,` $condition attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_NonMaxSuppressionOp : ONNX_Op<"NonMaxSuppression",
                                       [Pure, AttrSizedOperandSegments]> {
  let summary = "greedy non-maximum suppression of boxes, per batch and class";
  let description = [{
    For each batch entry and class, boxes are visited by descending score
    (ties: lower index first), skipping scores not above score_threshold; a
    box is kept unless its IoU with a box already kept exceeds
    iou_threshold, up to max_output_boxes_per_class (absent or 0: none).
    Rows [batch, class, box] in that order; their number must equal the
    result's first extent. Boxes are [y1, x1, y2, x2] with either diagonal
    (center_point_box = 0) or [x_center, y_center, width, height] (1).
  }];
  let arguments = (ins ONNX_FloatTensor:$boxes, ONNX_FloatTensor:$scores,
                       Optional<ONNX_I64Tensor>:$max_output_boxes_per_class,
                       Optional<ONNX_FloatTensor>:$iou_threshold,
                       Optional<ONNX_FloatTensor>:$score_threshold,
                       DefaultValuedAttr<I64Attr, "0">:$center_point_box);
  let results = (outs ONNX_I64Tensor:$selected_indices);
  let hasVerifier = 1;
}

def ONNX_RoiAlignOp : ONNX_Op<"RoiAlign", [Pure]> {
  let summary = "bilinearly sampled pooling of regions of interest";
  let description = [{
    Y[r, c, ph, pw] averages (or takes the maximum of) bilinear samples of
    X[batch_indices[r], c] on a regular grid inside bin (ph, pw) of roi r
    ([x1, y1, x2, y2] scaled by spatial_scale). sampling_ratio = 0 takes
    ceil(roi extent / output extent) samples per bin, read at run time.
  }];
  let arguments = (ins ONNX_FloatTensor:$X, ONNX_FloatTensor:$rois,
                       ONNX_I64Tensor:$batch_indices,
                       DefaultValuedStrAttr<StrAttr, "half_pixel">:$coordinate_transformation_mode,
                       DefaultValuedStrAttr<StrAttr, "avg">:$mode,
                       DefaultValuedAttr<I64Attr, "1">:$output_height,
                       DefaultValuedAttr<I64Attr, "1">:$output_width,
                       DefaultValuedAttr<I64Attr, "0">:$sampling_ratio,
                       DefaultValuedAttr<F32Attr, "1.0">:$spatial_scale);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X `,` $rois `,` $batch_indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_TfIdfVectorizerOp : ONNX_Op<"TfIdfVectorizer", [Pure]> {
  let summary = "n-gram counts of integer token rows (TF, IDF or TF-IDF)";
  let description = [{
    Y[b, j] counts the n-grams of the pool mapped to column j that occur in
    row b, n in [min_gram_length, max_gram_length], with up to
    max_skip_count tokens skipped between consecutive items (unigrams are
    counted once). TF gives the count, IDF the weight where the count is
    not 0, TFIDF count * weight (weights default to 1). The pool is
    compiled into the kernel as constant tables.
  }];
  let arguments = (ins RankedTensorOf<[I32, I64]>:$X,
                       I64Attr:$max_gram_length, I64Attr:$min_gram_length,
                       I64Attr:$max_skip_count, StrAttr:$mode,
                       I64ArrayAttr:$ngram_counts, I64ArrayAttr:$ngram_indexes,
                       OptionalAttr<I64ArrayAttr>:$pool_int64s,
                       OptionalAttr<StrArrayAttr>:$pool_strings,
                       OptionalAttr<F32ArrayAttr>:$weights);
  let results = (outs RankedTensorOf<[F32]>:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_UniqueOp : ONNX_Op<"Unique", [Pure, AttrSizedResultSegments]> {
  let summary = "the distinct elements (or slices along an axis)";
  let description = [{
    Y holds the distinct slices of X along `axis` (elements of the flattened
    X without one), sorted ascending or in order of first occurrence;
    indices their first positions, inverse_indices each position's entry in
    Y, counts their multiplicities. The number of distinct slices must equal
    Y's extent along the axis.
  }];
  let arguments = (ins ONNX_AnyTensor:$X, OptionalAttr<I64Attr>:$axis,
                       DefaultValuedAttr<I64Attr, "1">:$sorted);
  let results = (outs ONNX_AnyTensor:$Y, Optional<ONNX_I64Tensor>:$indices,
                      Optional<ONNX_I64Tensor>:$inverse_indices,
                      Optional<ONNX_I64Tensor>:$counts);
  let hasVerifier = 1;
}

def ONNX_StringNormalizerOp : ONNX_Op<"StringNormalizer", [Pure]> {
  let summary = "drop stopwords from strings and change their case";
  let description = [{
    Strings are fixed-width NUL-padded byte slots: X is [C, W] or [1, C, W]
    i8 (W = --string-bytes). Strings equal to a stopword (ASCII
    case-insensitively unless is_case_sensitive) are dropped, the rest keep
    their order and get their ASCII letters lowered or raised
    (case_change_action LOWER, UPPER or NONE; other bytes are unchanged).
    The number kept must equal Y's string extent, or be 0 with an extent of
    1: ONNX then outputs one empty string.
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$X,
                       DefaultValuedStrAttr<StrAttr, "NONE">:$case_change_action,
                       DefaultValuedAttr<I64Attr, "0">:$is_case_sensitive,
                       OptionalAttr<StrAttr>:$locale,
                       OptionalAttr<StrArrayAttr>:$stopwords);
  let results = (outs RankedTensorOf<[I8]>:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXSELECTIONOPS_TD
