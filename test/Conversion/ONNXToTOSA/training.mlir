// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(convert-onnx-to-tosa))" | FileCheck %s

// Adagrad over two tensors: one elementwise generic per output and tensor
// (X_new then H_new), reading the scalars R and T.
// CHECK-LABEL: func @adagrad
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @adagrad(%r: tensor<f32>, %t: tensor<i64>, %x1: tensor<2xf32>, %x2: tensor<3xf32>,
                   %g1: tensor<2xf32>, %g2: tensor<3xf32>, %h1: tensor<2xf32>, %h2: tensor<3xf32>)
    -> (tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>) {
  %0:4 = "onnx.Adagrad"(%r, %t, %x1, %x2, %g1, %g2, %h1, %h2) {decay_factor = 0.1 : f32, epsilon = 1.0e-5 : f32, norm_coefficient = 1.0e-3 : f32}
    : (tensor<f32>, tensor<i64>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>)
    -> (tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>
}

// -----

// Nesterov momentum: beta applies from the first step on (T > 0).
// CHECK-LABEL: func @nesterov
// CHECK: linalg.generic
// CHECK: arith.cmpi sgt
// CHECK: arith.select
// CHECK: linalg.generic
func.func @nesterov(%r: tensor<f32>, %t: tensor<i64>, %x: tensor<2xf32>, %g: tensor<2xf32>, %v: tensor<2xf32>)
    -> (tensor<2xf32>, tensor<2xf32>) {
  %0:2 = "onnx.Momentum"(%r, %t, %x, %g, %v) {alpha = 0.95 : f32, beta = 1.0 : f32, mode = "nesterov", norm_coefficient = 0.01 : f32}
    : (tensor<f32>, tensor<i64>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return %0#0, %0#1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// Adam: the bias correction raises alpha and beta to the step count.
// CHECK-LABEL: func @adam
// CHECK: linalg.generic
// CHECK: arith.sitofp
// CHECK: math.powf
// CHECK: math.sqrt
// CHECK-COUNT-2: linalg.generic
func.func @adam(%r: tensor<f32>, %t: tensor<i64>, %x: tensor<2xf32>, %g: tensor<2xf32>, %v: tensor<2xf32>, %h: tensor<2xf32>)
    -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %0:3 = "onnx.Adam"(%r, %t, %x, %g, %v, %h) {alpha = 0.95 : f32, beta = 0.85 : f32}
    : (tensor<f32>, tensor<i64>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>)
  return %0#0, %0#1, %0#2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// BatchNormalization in training mode: the batch mean and population
// variance over N and the spatial axes normalize x; the running statistics
// become input * momentum + batch * (1 - momentum).
// CHECK-LABEL: func @batchnorm_training
// CHECK: tosa.reduce_sum %arg0 {axis = 0 : i32}
// CHECK: %[[SUM:.*]] = tosa.reduce_sum %{{.*}} {axis = 2 : i32} : (tensor<1x3x4xf32>) -> tensor<1x3x1xf32>
// CHECK: %[[MEAN:.*]] = tosa.mul %[[SUM]]
// CHECK: %[[D:.*]] = tosa.sub %arg0, %[[MEAN]]
// CHECK: tosa.mul %[[D]], %[[D]]
// CHECK: %[[VAR:.*]] = tosa.mul
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[D]], %[[VAR]],
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: %[[M3:.*]] = tosa.reshape %[[MEAN]]
// CHECK: %[[RM:.*]] = linalg.generic {{.*}} ins(%arg3, %[[M3]] :
// CHECK: %[[MOM:.*]] = arith.constant 7.500000e-01 : f32
// CHECK: arith.mulf %{{.*}}, %[[MOM]]
// CHECK: %[[REST:.*]] = arith.constant 2.500000e-01 : f32
// CHECK: arith.mulf %{{.*}}, %[[REST]]
// CHECK: %[[V3:.*]] = tosa.reshape %[[VAR]]
// CHECK: %[[RV:.*]] = linalg.generic {{.*}} ins(%arg4, %[[V3]] :
// CHECK: return %[[Y]], %[[RM]], %[[RV]]
func.func @batchnorm_training(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %stats:2 = onnx.BatchNormalization %x, %s, %b, %m, %v {training_mode = 1 : i64, momentum = 0.75 : f32} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y, %stats#0, %stats#1 : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>
}
