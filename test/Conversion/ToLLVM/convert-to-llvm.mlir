// RUN: whittle-opt %s --split-input-file --whittle-convert-to-llvm --reconcile-unrealized-casts --verify-diagnostics | FileCheck %s
// RUN: whittle-opt %s --split-input-file --whittle-convert-to-llvm=index-bitwidth=32 --reconcile-unrealized-casts --verify-diagnostics | FileCheck %s --check-prefix=I32

// One conversion lowers memref, math, arith, index, func and cf together;
// statically shaped memrefs cross function boundaries as bare pointers.
// CHECK-LABEL: llvm.func @kernel(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: memref.
// CHECK-NOT: arith.
// CHECK-NOT: cf.
// CHECK: llvm.cond_br
// CHECK: llvm.intr.fabs
// CHECK: llvm.return
// I32-LABEL: llvm.func @kernel
// I32: llvm.getelementptr inbounds|nuw %{{.*}}[%{{.*}}] : (!llvm.ptr, i32) -> !llvm.ptr, f32
func.func @kernel(%in: memref<4xf32>, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = index.constant 1
  %c4 = arith.constant 4 : index
  cf.br ^loop(%c0 : index)
^loop(%i: index):
  %done = arith.cmpi slt, %i, %c4 : index
  cf.cond_br %done, ^body, ^exit
^body:
  %x = memref.load %in[%i] : memref<4xf32>
  %y = math.absf %x : f32
  memref.store %y, %out[%i] : memref<4xf32>
  %next = index.add %i, %c1
  cf.br ^loop(%next : index)
^exit:
  return
}

// CHECK-LABEL: llvm.func @caller
// CHECK: llvm.call @kernel(%{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr) -> ()
func.func @caller(%a: memref<4xf32>, %b: memref<4xf32>) {
  call @kernel(%a, %b) : (memref<4xf32>, memref<4xf32>) -> ()
  return
}

// -----

// An operation no pattern lowers is an error, not a silent leftover: the
// generated code has no abort() for cf.assert.
func.func @assert(%c: i1) {
  // expected-error @+1 {{failed to legalize operation 'cf.assert'}}
  cf.assert %c, "unreachable"
  return
}
