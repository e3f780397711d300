// RUN: whittle-opt %s --whittle-expand-math | FileCheck %s --check-prefix=KEEP
// RUN: whittle-opt %s --whittle-expand-math=divide-i64 | FileCheck %s

// 64-bit targets divide in one instruction.
// KEEP-LABEL: func.func @div
// KEEP: arith.divsi
// KEEP: arith.remui

// 32-bit targets: i64 division and remainder are a 64-step shift-and-
// subtract loop (no __aeabi_ldivmod / __divdi3 call); signed ones work on
// magnitudes and fix the sign after. i32 division is left alone.
// CHECK-LABEL: func.func @div
// CHECK-NOT: arith.divsi %{{.*}} : i64
// CHECK: arith.cmpi slt
// CHECK: scf.for {{.*}} iter_args
// CHECK: arith.cmpi uge
// CHECK: scf.yield
// CHECK: arith.xori
// CHECK: scf.for
// CHECK-NOT: arith.remui %{{.*}} : i64
// CHECK: arith.divsi %{{.*}} : i32
// CHECK: return
func.func @div(%a: i64, %b: i64, %c: i32, %d: i32) -> (i64, i64, i32) {
  %q = arith.divsi %a, %b : i64
  %r = arith.remui %a, %b : i64
  %s = arith.divsi %c, %d : i32
  return %q, %r, %s : i64, i64, i32
}
