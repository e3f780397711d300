//===- EmitObject.h - LLVM dialect to object code ---------------*- C++ -*-===//
//
// Part of whittle. In-process code generation through llvm::TargetMachine.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TARGET_OBJECT_EMITOBJECT_H
#define WHITTLE_TARGET_OBJECT_EMITOBJECT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace whittle {

struct TargetOptions {
  /// Short name (x86-64, aarch64, cortex-m4, cortex-m7, cortex-m33,
  /// riscv32, riscv64) or a full LLVM triple; empty means the host.
  std::string target;
  /// Overrides the CPU implied by `target` (-mcpu).
  std::string cpu;
  /// Extra target features, LLVM syntax (+avx2,-sse4.1).
  std::string features;
  unsigned optLevel = 2;
};

enum class OutputKind { LLVMIR, Assembly, Object };

/// Resolves `options.target` to a triple and CPU, or fails with a message.
mlir::LogicalResult resolveTarget(const TargetOptions &options,
                                  std::string &triple, std::string &cpu,
                                  std::string &features, std::string &error);

/// Translates an LLVM-dialect module, optimizes it at `optLevel` and writes
/// LLVM IR, assembly or an object file to `os`.
mlir::LogicalResult emitObject(mlir::ModuleOp module,
                               const TargetOptions &options, OutputKind kind,
                               llvm::raw_pwrite_stream &os);

} // namespace whittle

#endif // WHITTLE_TARGET_OBJECT_EMITOBJECT_H
