// RUN: whittle-opt %s --split-input-file --pass-pipeline='builtin.module(onnx-fold-constants,cse)' | FileCheck %s

// A shape computation (Shape of a static tensor, Slice, Cast) and a
// computation on constants (Equal, Where, Mul) fold to constants; the ops
// on the run-time input stay.
// CHECK-LABEL: func.func @shape_chain
// CHECK-DAG: %[[SCALE:.*]] = onnx.Constant dense<[-2.000000e+00, -2.000000e+00, 4.000000e+00, -2.000000e+00, -2.000000e+00]> : tensor<5xf32>
// CHECK-NOT: onnx.Shape
// CHECK-NOT: onnx.Where
// CHECK: %[[Y:.*]] = onnx.Add %arg0, %[[SCALE]]
// CHECK: return %[[Y]]
func.func @shape_chain(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %st = onnx.Constant dense<0> : tensor<1xi64>
  %en = onnx.Constant dense<1> : tensor<1xi64>
  %s = onnx.Shape %x : (tensor<2x5xf32>) -> tensor<2xi64>
  %n = "onnx.Slice"(%s, %st, %en) {operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>} : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %nf = onnx.Cast %n {to = 1 : i64} : (tensor<1xi64>) -> tensor<1xf32>
  %rng = onnx.Constant dense<[0, 1, 2, 3, 4]> : tensor<5xi64>
  %two = onnx.Constant dense<2> : tensor<i64>
  %neg = onnx.Constant dense<-1.0> : tensor<f32>
  %rngf = onnx.Cast %rng {to = 1 : i64} : (tensor<5xi64>) -> tensor<5xf32>
  %eq = onnx.Equal %rng, %two : (tensor<5xi64>, tensor<i64>) -> tensor<5xi1>
  %sel = onnx.Where %eq, %rngf, %neg : (tensor<5xi1>, tensor<5xf32>, tensor<f32>) -> tensor<5xf32>
  %scaled = onnx.Mul %sel, %nf : (tensor<5xf32>, tensor<1xf32>) -> tensor<5xf32>
  %y = onnx.Add %x, %scaled : (tensor<2x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

// A weight stored transposed is transposed at compile time; a bool result
// used by the rest of the graph becomes a bool constant; Identity goes.
// CHECK-LABEL: func.func @weights
// CHECK-NOT: onnx.Transpose
// CHECK-NOT: onnx.Identity
// CHECK: %[[W:.*]] = onnx.Constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: %[[P:.*]] = onnx.MatMul %arg0, %[[W]]
// CHECK: %[[M:.*]] = onnx.Constant dense<[true, false]> : tensor<2xi1>
// CHECK: onnx.Where %[[M]], %[[P]], %{{.*}}
func.func @weights(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %wt = onnx.Constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %w = onnx.Transpose %wt {perm = [1, 0]} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %wi = onnx.Identity %w : tensor<3x2xf32>
  %p = onnx.MatMul %x, %wi : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %a = onnx.Constant dense<[1, 0]> : tensor<2xi64>
  %zero = onnx.Constant dense<0> : tensor<i64>
  %mask = onnx.Greater %a, %zero : (tensor<2xi64>, tensor<i64>) -> tensor<2xi1>
  %z = onnx.Constant dense<0.0> : tensor<f32>
  %y = onnx.Where %mask, %p, %z : (tensor<2xi1>, tensor<4x2xf32>, tensor<f32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Expanding a scalar to 32 KiB would grow the weights; it stays for run
// time, and so does its consumer.
// CHECK-LABEL: func.func @no_growth
// CHECK: onnx.Expand
// CHECK: onnx.ReduceSum
func.func @no_growth() -> tensor<f32> attributes {whittle.num_inputs = 0 : i64} {
  %one = onnx.Constant dense<1.0> : tensor<f32>
  %shape = onnx.Constant dense<[128, 64]> : tensor<2xi64>
  %big = onnx.Expand %one, %shape : (tensor<f32>, tensor<2xi64>) -> tensor<128x64xf32>
  %s = onnx.ReduceSum %big {keepdims = 0 : i64} : (tensor<128x64xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// A small Expand folds, and so does everything after it, up to a graph
// output computed entirely at compile time.
// CHECK-LABEL: func.func @all_constant
// CHECK: %[[C:.*]] = onnx.Constant dense<1.200000e+01> : tensor<f32>
// CHECK-NEXT: return %[[C]]
func.func @all_constant() -> tensor<f32> attributes {whittle.num_inputs = 0 : i64} {
  %one = onnx.Constant dense<1.0> : tensor<f32>
  %shape = onnx.Constant dense<[3, 4]> : tensor<2xi64>
  %e = onnx.Expand %one, %shape : (tensor<f32>, tensor<2xi64>) -> tensor<3x4xf32>
  %s = onnx.ReduceSum %e {keepdims = 0 : i64} : (tensor<3x4xf32>) -> tensor<f32>
  return %s : tensor<f32>
}
