// RUN: whittle-opt %s --split-input-file --whittle-wrap-entry-point=name=net --verify-diagnostics | FileCheck %s

// CHECK-LABEL: llvm.func internal @main
// CHECK: llvm.func @net_run(%[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr, %[[ARENA:.*]]: !llvm.ptr) -> i32
// CHECK: %[[S0:.*]] = llvm.getelementptr %[[IN]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[I0:.*]] = llvm.load %[[S0]]
// CHECK: %[[S1:.*]] = llvm.getelementptr %[[OUT]][0]
// CHECK: %[[O0:.*]] = llvm.load %[[S1]]
// CHECK: %[[S2:.*]] = llvm.getelementptr %[[OUT]][1]
// CHECK: %[[O1:.*]] = llvm.load %[[S2]]
// CHECK: llvm.call @main(%[[I0]], %[[O0]], %[[O1]], %[[ARENA]])
// CHECK: llvm.return %{{.*}} : i32
llvm.func @main(%a: !llvm.ptr, %b: !llvm.ptr, %c: !llvm.ptr, %arena: !llvm.ptr) attributes {whittle.arena_size = 64 : i64, whittle.num_inputs = 1 : i64} {
  llvm.return
}

// -----

// expected-error @+1 {{no planned model function}}
module {
  llvm.func @f() {
    llvm.return
  }
}
