// RUN: whittle-opt %s --split-input-file --whittle-plan-arena --verify-diagnostics

func.func @dynamic(%n: index) {
  // expected-error @+1 {{cannot place a dynamically shaped or non-identity buffer in the static arena}}
  %a = memref.alloc(%n) : memref<?xf32>
  return
}

// -----

func.func @escapes() -> memref<4xf32> {
  %a = memref.alloc() : memref<4xf32>
  // expected-error @+1 {{arena buffer escapes through return}}
  return %a : memref<4xf32>
}
