//===- EmitObject.h - LLVM dialect to object code ---------------*- C++ -*-===//
//
// Part of whittle. In-process code generation through llvm::TargetMachine.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TARGET_OBJECT_EMITOBJECT_H
#define WHITTLE_TARGET_OBJECT_EMITOBJECT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace whittle {

struct TargetOptions {
  /// A preset name (see targetPresets()), `native`, or a full LLVM triple;
  /// empty means the host.
  std::string target;
  /// Overrides the CPU implied by `target` (-mcpu).
  std::string cpu;
  /// Extra target features, LLVM syntax (+avx2,-sse4.1).
  std::string features;
  unsigned optLevel = 2;
};

/// A named target as embedded engineers know it.
struct TargetPreset {
  const char *name;
  const char *triple;
  const char *cpu;
  const char *features;
  /// Calling-convention ABI name where the triple does not fix it (RISC-V).
  const char *abi;
  /// No floating-point unit: float arithmetic becomes the ABI's soft-float
  /// helper calls, and the pipeline must avoid what would call libm.
  bool softFloat;
  const char *description;
};

llvm::ArrayRef<TargetPreset> targetPresets();

/// What `TargetOptions` resolve to.
struct ResolvedTarget {
  std::string triple, cpu, features, abi;
  bool softFloat = false;
};

enum class OutputKind { LLVMIR, Assembly, Object };

/// Resolves `options.target` to a triple, CPU and features, or fails with a
/// message.
mlir::FailureOr<ResolvedTarget> resolveTarget(const TargetOptions &options,
                                              std::string &error);

/// Translates an LLVM-dialect module, optimizes it at `optLevel` and writes
/// LLVM IR, assembly or an object file to `os`.
mlir::LogicalResult emitObject(mlir::ModuleOp module,
                               const TargetOptions &options, OutputKind kind,
                               llvm::raw_pwrite_stream &os);

} // namespace whittle

#endif // WHITTLE_TARGET_OBJECT_EMITOBJECT_H
