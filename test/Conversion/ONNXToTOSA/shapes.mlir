// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// Shape and Size are constants; Unsqueeze/Squeeze are reshapes.
// CHECK-LABEL: func @static_shape
// CHECK-DAG: tosa.const{{.*}}dense<[3, 4]> : tensor<2xi64>
// CHECK-DAG: tosa.const{{.*}}dense<24> : tensor<i64>
// CHECK: tosa.reshape %arg0, %{{.*}} : (tensor<2x3x4xf32>, !tosa.shape<4>) -> tensor<2x1x3x4xf32>
func.func @static_shape(%x: tensor<2x3x4xf32>) -> (tensor<2xi64>, tensor<i64>, tensor<2x1x3x4xf32>) {
  %0 = onnx.Shape %x {start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2xi64>
  %1 = onnx.Size %x : (tensor<2x3x4xf32>) -> tensor<i64>
  %axes = onnx.Constant dense<[1]> : tensor<1xi64>
  %2 = onnx.Unsqueeze %x, %axes : tensor<1xi64> : (tensor<2x3x4xf32>) -> tensor<2x1x3x4xf32>
  return %0, %1, %2 : tensor<2xi64>, tensor<i64>, tensor<2x1x3x4xf32>
}

// -----

// Positive steps are one extract_slice; negative ones add a reversing generic.
// CHECK-DAG: #[[REV:.*]] = affine_map<(d0, d1) -> (d0, -d1 + 3)>
// CHECK-LABEL: func @slice
// CHECK: tensor.extract_slice %arg0[1, 0] [1, 4] [1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[REV]]
func.func @slice(%x: tensor<2x4xf32>) -> tensor<1x4xf32> {
  %starts = onnx.Constant dense<[1, -1]> : tensor<2xi64>
  %ends = onnx.Constant dense<[2, -100]> : tensor<2xi64>
  %steps = onnx.Constant dense<[1, -1]> : tensor<2xi64>
  %0 = "onnx.Slice"(%x, %starts, %ends, %steps) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 1>} : (tensor<2x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}

// -----

// Dropout at inference: the data passes through, the mask is all true.
// CHECK-LABEL: func @dropout
// CHECK: %[[MASK:.*]] = "tosa.const"() <{values = dense<true> : tensor<4xi1>}>
// CHECK: return %arg0, %[[MASK]]
func.func @dropout(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {
  %0, %1 = "onnx.Dropout"(%x) {operandSegmentSizes = array<i32: 1, 0, 0>} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>)
  return %0, %1 : tensor<4xf32>, tensor<4xi1>
}
