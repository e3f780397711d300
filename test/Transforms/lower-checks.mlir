// RUN: whittle-opt %s --split-input-file --verify-diagnostics --whittle-lower-checks | FileCheck %s

// Two checks: the first that fails decides the status, which the model
// function now returns.
// CHECK-LABEL: func @two_checks
// CHECK-SAME: -> i32
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NOT: cf.assert
// CHECK: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK: arith.cmpi eq, %[[ZERO]], %[[ZERO]]
// CHECK: %[[S1:.*]] = arith.select %{{.*}}, %[[ONE]], %[[ZERO]]
// CHECK: %[[TWO:.*]] = arith.constant 2 : i32
// CHECK: arith.cmpi eq, %[[S1]], %[[ZERO]]
// CHECK: %[[S2:.*]] = arith.select %{{.*}}, %[[TWO]], %[[S1]]
// CHECK: return %[[S2]] : i32
func.func @two_checks(%a: memref<i1>, %b: memref<i1>) {
  %0 = memref.load %a[] : memref<i1>
  cf.assert %0, "index out of range" {whittle.status = 1 : i32}
  %1 = memref.load %b[] : memref<i1>
  cf.assert %1, "integer division by zero" {whittle.status = 2 : i32}
  return
}

// -----

// Without checks the function keeps returning nothing; plain asserts are
// not checks.
// CHECK-LABEL: func @no_checks
// CHECK-SAME: (%{{.*}}: memref<i1>) {
// CHECK: cf.assert
func.func @no_checks(%a: memref<i1>) {
  %0 = memref.load %a[] : memref<i1>
  cf.assert %0, "not a whittle check"
  return
}

// -----

func.func @nested(%a: memref<4xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %0 = memref.load %a[%i] : memref<4xi1>
    // expected-error @+1 {{run-time check inside a loop or branch}}
    cf.assert %0, "index out of range" {whittle.status = 1 : i32}
  }
  return
}
