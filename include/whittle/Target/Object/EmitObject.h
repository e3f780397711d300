//===- EmitObject.h - LLVM dialect to object code ---------------*- C++ -*-===//
//
// Part of whittle. In-process code generation through llvm::TargetMachine.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TARGET_OBJECT_EMITOBJECT_H
#define WHITTLE_TARGET_OBJECT_EMITOBJECT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/Timing.h"
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
  /// Section for the weights (constant globals), e.g. to place them in
  /// external flash; empty keeps the target's read-only data section.
  std::string weightsSection;
  /// Partitions an object is compiled in, on the MLIR context's threads;
  /// 0 chooses from the module's size, 1 compiles it whole. Any count gives
  /// the same program; the bytes depend on the count, not on the threads.
  /// LLVM's --time-passes compiles whole, so that its report sums one
  /// pipeline; ELF objects only (the partitions join by a relocatable link).
  unsigned partitions = 0;
};

/// What an emitted object is made of, for the report: flash is code plus
/// read-only data, RAM is the caller's arena plus `stackBytes`.
struct ObjectStats {
  std::string triple, cpu;
  int64_t codeBytes = 0;
  int64_t readOnlyBytes = 0;
  /// Writable data and bss: always 0 (all mutable state is in the arena),
  /// reported so that a test can hold the compiler to it.
  int64_t writableBytes = 0;
  /// Deepest stack use from NAME_run: the sum of the frames on its longest
  /// call chain within the object, as the code generator laid them out
  /// (soft-float helpers called on FPU-less targets not included).
  int64_t stackBytes = 0;
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

/// The SIMD registers the kernels are tiled for.
struct VectorUnit {
  /// Width of a vector register in bits; 0 when the target has no float
  /// vectors the kernels use (then they stay scalar loops).
  int64_t bits = 0;
  int64_t registers = 0;
  /// The int8 dot product of 4-byte groups the kernels may use at `bits`
  /// width: "x86-vnni" (vpdpbusd), "x86-madd" (vpmaddwd),
  /// "aarch64-sdot", or empty.
  std::string dot;
  /// A reciprocal estimate instruction at `bits` (AVX-512 vrcp14ps).
  bool reciprocal = false;
  /// Armv7E-M DSP instructions (sxtb16, smlad) for int8 kernels, on a
  /// target without vectors (bits 0).
  bool dsp = false;
  /// f32 floor, ceil and round-to-even in one instruction (x86 SSE4.1
  /// roundps, AArch64 frintm/frintp/frintn), not a libm call.
  bool rounding = false;
};

/// Vector registers of a resolved target, from its CPU and features: AVX-512
/// (512 bits x 32), AVX (256 x 16), SSE2 (128 x 16), AArch64 NEON (128 x 32).
VectorUnit vectorUnit(const ResolvedTarget &target);

/// Translates an LLVM-dialect module, optimizes it at `optLevel` and writes
/// LLVM IR, assembly or an object file to `os`.
/// With `stats`, an object's sizes and stack bound are measured too; with
/// `timing`, translation, optimization and code generation are timed under it.
mlir::LogicalResult emitObject(mlir::ModuleOp module,
                               const TargetOptions &options, OutputKind kind,
                               llvm::raw_pwrite_stream &os,
                               ObjectStats *stats = nullptr,
                               mlir::TimingScope *timing = nullptr);

} // namespace whittle

#endif // WHITTLE_TARGET_OBJECT_EMITOBJECT_H
