// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// NonZero: one pass over the elements; coordinates of a non-zero element
// are written while the count is below the compiled extent (3), and the
// count is checked against it afterwards.
// CHECK-LABEL: func @nonzero
// CHECK: %[[R:.*]]:2 = scf.for {{.*}} iter_args({{.*}}) -> (tensor<2x3xi64>, index)
// CHECK: arith.cmpf une
// CHECK: arith.cmpi slt, %{{.*}}, %c3
// CHECK: scf.if
// CHECK: arith.remsi
// CHECK: tensor.insert
// CHECK: arith.divsi
// CHECK: tensor.insert
// CHECK: arith.cmpi eq, %[[R]]#1, %c3
// CHECK: cf.assert {{.*}}"NonZero found a different number of non-zero elements than the compiled extent" {whittle.status = 3 : i32}
// CHECK: return %[[R]]#0
func.func @nonzero(%x: tensor<2x3xf32>) -> tensor<2x3xi64> {
  %0 = onnx.NonZero %x : (tensor<2x3xf32>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// Compress: the positions of the true conditions, then a gather of those
// slices along the axis.
// CHECK-LABEL: func @compress
// CHECK: %[[P:.*]]:2 = scf.for {{.*}} -> (tensor<2xi64>, index)
// CHECK: cf.assert {{.*}}"Compress kept a different number of slices than the compiled extent" {whittle.status = 3 : i32}
// CHECK: linalg.generic
// CHECK: tensor.extract %[[P]]#0
// CHECK: tensor.extract %arg0
func.func @compress(%x: tensor<3x4xf32>, %c: tensor<4xi1>) -> tensor<3x2xf32> {
  %0 = onnx.Compress %x, %c {axis = -1 : i64} : (tensor<3x4xf32>, tensor<4xi1>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Unique: each element's first equal element, ranks of the first ones in
// sorted order, the first element of each rank; the count is checked.
// CHECK-LABEL: func @unique
// CHECK: scf.for {{.*}} -> (tensor<5xi64>)
// CHECK: %[[RANK:.*]]:2 = scf.for {{.*}} -> (tensor<5xi64>, index)
// CHECK: arith.cmpi slt
// CHECK: cf.assert {{.*}}"Unique found a different number of distinct values than the compiled extent" {whittle.status = 3 : i32}
// CHECK: %[[POS:.*]] = scf.for {{.*}} -> (tensor<3xi64>)
// CHECK: linalg.generic
// CHECK: tensor.extract %[[POS]]
// CHECK: linalg.generic
// CHECK: scf.for {{.*}} -> (tensor<3xi64>)
// CHECK: return {{.*}}, %[[POS]], {{.*}} : tensor<3xi32>, tensor<3xi64>, tensor<5xi64>, tensor<3xi64>
func.func @unique(%x: tensor<5xi32>) -> (tensor<3xi32>, tensor<3xi64>, tensor<5xi64>, tensor<3xi64>) {
  %0:4 = "onnx.Unique"(%x) {resultSegmentSizes = array<i32: 1, 1, 1, 1>} : (tensor<5xi32>) -> (tensor<3xi32>, tensor<3xi64>, tensor<5xi64>, tensor<3xi64>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<3xi32>, tensor<3xi64>, tensor<5xi64>, tensor<3xi64>
}

// -----

// NonMaxSuppression: per batch and class, boxes ranked by score, then
// visited in rank order against the kept boxes (IoU > threshold
// suppresses); rows past the compiled extent are not written.
// CHECK-LABEL: func @nms
// CHECK: %[[MAX:.*]] = arith.index_cast
// CHECK: %[[DONE:.*]]:4 = scf.for
// CHECK: scf.for
// CHECK: arith.cmpf ogt
// CHECK: tensor.insert
// CHECK: scf.for
// CHECK: arith.cmpf ogt, %{{.*}}, %{{.*}} : f32
// CHECK: scf.if
// CHECK: arith.divf
// CHECK: arith.cmpi sge, %{{.*}}, %[[MAX]]
// CHECK: arith.cmpi slt, %{{.*}}, %c4
// CHECK: arith.cmpi eq, %[[DONE]]#3, %c4
// CHECK: cf.assert {{.*}}"NonMaxSuppression selected a different number of boxes than the compiled extent" {whittle.status = 3 : i32}
// CHECK: return %[[DONE]]#0
func.func @nms(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>, %m: tensor<1xi64>, %iou: tensor<1xf32>, %thr: tensor<1xf32>) -> tensor<4x3xi64> {
  %0 = "onnx.NonMaxSuppression"(%b, %s, %m, %iou, %thr) {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3xi64>
  return %0 : tensor<4x3xi64>
}

// -----

// RoiAlign with an adaptive sampling grid: ceil(bin extent) samples per
// bin, read at run time; batch indices are checked.
// CHECK-LABEL: func @roi_align
// CHECK: cf.assert {{.*}}"RoiAlign batch index out of range" {whittle.status = 1 : i32}
// CHECK: linalg.generic
// CHECK: math.ceil
// CHECK: arith.fptosi
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract %arg0
// CHECK: arith.divf
func.func @roi_align(%x: tensor<2x3x8x8xf32>, %r: tensor<4x4xf32>, %i: tensor<4xi64>) -> tensor<4x3x2x2xf32> {
  %0 = onnx.RoiAlign %x, %r, %i {output_height = 2 : i64, output_width = 2 : i64, spatial_scale = 0.5 : f32} : (tensor<2x3x8x8xf32>, tensor<4x4xf32>, tensor<4xi64>) -> tensor<4x3x2x2xf32>
  return %0 : tensor<4x3x2x2xf32>
}

// -----

// TfIdfVectorizer: compile-time tables (column starts, gram lengths and
// offsets, pool) and per output element loops over the column's grams,
// skip distances, starts and gram items. Unigram 7 is not counted
// (min_gram_length 2); bigrams (1, 2) and (3, 4) go to columns 1 and 0.
// CHECK-LABEL: func @tfidf
// CHECK-DAG: arith.constant dense<[0, 1, 2]> : tensor<3xi64>
// CHECK-DAG: arith.constant dense<2> : tensor<2xi64>
// CHECK-DAG: arith.constant dense<[3, 1]> : tensor<2xi64>
// CHECK-DAG: arith.constant dense<[7, 1, 2, 3, 4]> : tensor<5xi64>
// CHECK-DAG: arith.constant dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.extsi
// CHECK: arith.cmpi eq
// CHECK: arith.mulf
func.func @tfidf(%x: tensor<2x6xi32>) -> tensor<2x2xf32> {
  %0 = onnx.TfIdfVectorizer %x {max_gram_length = 2 : i64, min_gram_length = 2 : i64, max_skip_count = 1 : i64, mode = "TFIDF", ngram_counts = [0, 1], ngram_indexes = [1, 1, 0], pool_int64s = [7, 1, 2, 3, 4], weights = [0.5 : f32, 2.0 : f32, 1.0 : f32]} : (tensor<2x6xi32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// StringNormalizer on 8-byte slots: each string against the stopword table
// (lowered: matching ignores case) up to its NUL, the kept ones gathered,
// bytes raised and zeroed past the end; no strings kept is one empty
// string when the result holds one.
// CHECK-LABEL: func @string_normalizer
// CHECK: %[[STOP:.*]] = arith.constant dense<{{\[\[}}116, 104, 101, 0, 0, 0, 0, 0]]> : tensor<1x8xi8>
// CHECK: %[[KEEP:.*]] = linalg.generic
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tensor.extract %[[STOP]]
// CHECK: %[[POS:.*]]:2 = scf.for {{.*}} -> (tensor<1xi64>, index)
// CHECK: %[[NONE:.*]] = arith.cmpi eq, %[[POS]]#1, %c0
// CHECK: %[[FITS:.*]] = arith.cmpi eq, %[[POS]]#1, %c1
// CHECK: %[[OK:.*]] = arith.ori %[[FITS]], %[[NONE]]
// CHECK: cf.assert %[[OK]], "StringNormalizer kept a different number of strings than the compiled extent" {whittle.status = 3 : i32}
// CHECK: linalg.generic
// CHECK: tensor.extract %[[POS]]#0
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[NONE]])
// CHECK: arith.subi
// CHECK: arith.select
func.func @string_normalizer(%x: tensor<3x8xi8>) -> tensor<1x8xi8> {
  %0 = onnx.StringNormalizer %x {case_change_action = "UPPER", stopwords = ["The"]} : (tensor<3x8xi8>) -> tensor<1x8xi8>
  return %0 : tensor<1x8xi8>
}
