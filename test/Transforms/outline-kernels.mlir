// RUN: whittle-opt %s --whittle-outline-kernels | FileCheck %s
// RUN: whittle-opt %s --whittle-outline-kernels | FileCheck %s --check-prefix=SHARED

// Each top-level loop nest of the planned model function becomes a private,
// internal, never-inlined function of the buffers it uses (model arguments,
// views, globals); the constants it reads are recomputed inside. Nests with
// equal bodies share one function. The model calls them in order.
// CHECK: func.func private @model_k0(%arg0: memref<4xf32>, %arg1: memref<4xf32>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[C4]]
// CHECK: memref.load %arg0[%[[I]]]
// CHECK: memref.store %{{.*}}, %arg1[%[[I]]]
// CHECK: func.func private @model_k1(%arg0: memref<4xf32>, %arg1: memref<4xf32>, %arg2: memref<4xf32>)
// CHECK: arith.addf
// The nest that reads a global gets it as an argument, like a view.
// CHECK: func.func private @model_k3(%arg0: memref<4xf32>, %arg1: memref<4xf32>, %arg2: memref<4xf32>)
// CHECK-NOT: memref.get_global
// CHECK: arith.mulf
// CHECK-LABEL: func.func @model(
// CHECK: %[[T:.*]] = memref.view %arg2
// CHECK: %[[U:.*]] = memref.view %arg2
// CHECK: call @model_k0(%arg0, %[[T]])
// CHECK: call @model_k1(%[[T]], %arg0, %[[U]])
// The third nest is the second's body on other buffers: it calls model_k1.
// CHECK: call @model_k1(%[[U]], %[[T]], %arg1)
// CHECK: %[[G:.*]] = memref.get_global @weights
// CHECK: call @model_k3(%[[T]], %[[G]], %[[U]])
// The fifth is the first's.
// CHECK: call @model_k0(%[[U]], %arg1)
// A nest that reads a value computed by an op with memory effects stays.
// CHECK: %[[S:.*]] = memref.load %arg0
// CHECK: scf.for
// CHECK: memref.store %[[S]]
// CHECK: return
// No function is left for the nests that share one.
// SHARED-NOT: @model_k{{2|4}}
memref.global "private" constant @weights : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @model(%in: memref<4xf32>, %out: memref<4xf32>, %arena: memref<64xi8>) attributes {whittle.arena_size = 64 : i64, whittle.num_inputs = 1 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %t = memref.view %arena[%c0][] : memref<64xi8> to memref<4xf32>
  %u = memref.view %arena[%c16][] : memref<64xi8> to memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %in[%i] : memref<4xf32>
    memref.store %x, %t[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %t[%i] : memref<4xf32>
    %y = memref.load %in[%i] : memref<4xf32>
    %z = arith.addf %x, %y : f32
    memref.store %z, %u[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %u[%i] : memref<4xf32>
    %y = memref.load %t[%i] : memref<4xf32>
    %z = arith.addf %x, %y : f32
    memref.store %z, %out[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %w = memref.get_global @weights : memref<4xf32>
    %x = memref.load %t[%i] : memref<4xf32>
    %y = memref.load %w[%i] : memref<4xf32>
    %z = arith.mulf %x, %y : f32
    memref.store %z, %u[%i] : memref<4xf32>
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %u[%i] : memref<4xf32>
    memref.store %x, %out[%i] : memref<4xf32>
  }
  %s = memref.load %in[%c0] : memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %s, %out[%i] : memref<4xf32>
  }
  return
}
