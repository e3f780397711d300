// RUN: whittle-opt %s --split-input-file --whittle-plan-arena --cse | FileCheck %s
// RUN: whittle-opt %s --split-input-file --whittle-plan-arena=alignment=16 | FileCheck %s --check-prefix=ALIGN16

// %a and %b are live at the same time and need disjoint bytes; %c starts after
// %a's last use and reuses its bytes. Buffers of 64 bytes and more are
// 64-byte aligned; the arena ends with the last buffer (no rounding up).
// CHECK-LABEL: func @reuse
// CHECK-SAME: %[[ARENA:[^:]*]]: memref<1824xi8>) attributes {whittle.arena_lower_bound = 1824 : i64, whittle.arena_size = 1824 : i64}
// CHECK-NOT: memref.alloc
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[ARENA]][%[[C0]]][] : memref<1824xi8> to memref<256xf32>
// CHECK: %[[C1024:.*]] = arith.constant 1024 : index
// CHECK: memref.view %[[ARENA]][%[[C1024]]][] : memref<1824xi8> to memref<200xf32>
// CHECK: memref.view %[[ARENA]][%[[C0]]][] : memref<1824xi8> to memref<100xf32>
// CHECK-NOT: memref.dealloc
// ALIGN16-LABEL: func @reuse
// ALIGN16-SAME: memref<1824xi8>
func.func @reuse(%in: memref<256xf32>, %out: memref<100xf32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<256xf32>
  %b = memref.alloc() : memref<200xf32>
  memref.copy %in, %a : memref<256xf32> to memref<256xf32>
  %v = memref.load %a[%c0] : memref<256xf32>
  memref.store %v, %b[%c0] : memref<200xf32>
  memref.dealloc %a : memref<256xf32>
  %c = memref.alloc() : memref<100xf32>
  %w = memref.load %b[%c0] : memref<200xf32>
  memref.store %w, %c[%c0] : memref<100xf32>
  memref.copy %c, %out : memref<100xf32> to memref<100xf32>
  return
}

// -----

// A use through a view keeps the whole allocation alive. Buffers smaller
// than 64 bytes are aligned to their size (rounded up to a power of two):
// two 16-byte buffers take 32 bytes, not 80.
// CHECK-LABEL: func @through_views
// CHECK-SAME: memref<32xi8>
func.func @through_views(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<2x2xf32>
  %flat = memref.collapse_shape %a [[0, 1]] : memref<2x2xf32> into memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %v = memref.load %flat[%c0] : memref<4xf32>
  memref.store %v, %b[%c0] : memref<4xf32>
  memref.copy %b, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// No intermediates: the arena is empty but the argument is still added, so
// every model has the same ABI.
// CHECK-LABEL: func @empty
// CHECK-SAME: memref<0xi8>) attributes {whittle.arena_lower_bound = 0 : i64, whittle.arena_size = 0 : i64}
func.func @empty(%in: memref<4xf32>, %out: memref<4xf32>) {
  memref.copy %in, %out : memref<4xf32> to memref<4xf32>
  return
}
