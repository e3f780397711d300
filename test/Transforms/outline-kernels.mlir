// RUN: whittle-opt %s --whittle-outline-kernels | FileCheck %s

// Each top-level loop nest of the planned model function becomes a private,
// internal, never-inlined function of the buffers it uses; the views and
// constants it reads are recomputed inside. The model calls them in order.
// CHECK: func.func private @model_k0(%arg0: memref<4xf32>, %arg1: memref<64xi8>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: %[[V:.*]] = memref.view %arg1
// CHECK: scf.for
// CHECK: memref.load %arg0
// CHECK: memref.store %{{.*}}, %[[V]]
// CHECK: func.func private @model_k1(%arg0: memref<64xi8>, %arg1: memref<4xf32>)
// CHECK-LABEL: func.func @model(
// CHECK: call @model_k0(%arg0, %arg2) : (memref<4xf32>, memref<64xi8>) -> ()
// CHECK: call @model_k1(%arg2, %arg1) : (memref<64xi8>, memref<4xf32>) -> ()
// A nest that reads a value computed by an op with memory effects stays.
// CHECK: %[[S:.*]] = memref.load %arg0
// CHECK: scf.for
// CHECK: memref.store %[[S]]
// CHECK: return
func.func @model(%in: memref<4xf32>, %out: memref<4xf32>, %arena: memref<64xi8>) attributes {whittle.arena_size = 64 : i64, whittle.num_inputs = 1 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %t = memref.view %arena[%c0][] : memref<64xi8> to memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %in[%i] : memref<4xf32>
    memref.store %x, %t[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %t[%i] : memref<4xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %out[%i] : memref<4xf32>
  }
  %s = memref.load %in[%c0] : memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %s, %out[%i] : memref<4xf32>
  }
  return
}
