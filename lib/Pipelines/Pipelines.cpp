//===- Pipelines.cpp - whittle compilation pipelines ----------------------===//
//
// Part of whittle. Upstream passes are added through their textual pipeline
// spelling: the same strings users can paste into whittle-opt.
//
//===----------------------------------------------------------------------===//

#include "whittle/Pipelines/Pipelines.h"
#include "whittle/Conversion/Passes.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"
#include "whittle/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace whittle {

std::optional<Phase> parsePhase(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("onnx", Phase::ONNX)
      .Case("tosa", Phase::TOSA)
      .Case("linalg", Phase::Linalg)
      .Case("loops", Phase::Loops)
      .Case("llvm-mlir", Phase::LLVM)
      .Default(std::nullopt);
}

static LogicalResult addText(OpPassManager &pm, StringRef pipeline) {
  return parsePassPipeline(pipeline, pm);
}

void buildGraphCleanupPipeline(OpPassManager &pm,
                               const PipelineOptions &options) {
  // Shape computations must fold for the conversion (static shapes), so
  // constant folding runs even without the other graph optimizations.
  if (options.foldConstants) {
    pm.addPass(createFoldConstantsPass());
    pm.addPass(createCSEPass());
  }
  if (!options.graphOptimizations)
    return;
  pm.addNestedPass<func::FuncOp>(createFoldBatchNormPass());
  pm.addNestedPass<func::FuncOp>(createFoldPadPass());
}

static LogicalResult addPhase(OpPassManager &pm, Phase phase,
                              const PipelineOptions &options) {
  switch (phase) {
  case Phase::ONNX:
    return success();
  case Phase::TOSA: {
    // Graph passes on the onnx dialect, then the conversion.
    buildGraphCleanupPipeline(pm, options);
    DecomposeConvPassOptions decompose;
    decompose.rank = options.decomposeRank;
    decompose.skip.assign(options.decomposeSkip.begin(),
                          options.decomposeSkip.end());
    pm.addNestedPass<func::FuncOp>(createDecomposeConvPass(decompose));
    // Quantized (QDQ) models: integer operators on int8. A no-op on float
    // models.
    pm.addNestedPass<func::FuncOp>(createSignedQuantPass());
    pm.addNestedPass<func::FuncOp>(createFuseQDQPass());
    pm.addNestedPass<func::FuncOp>(createConvertONNXToTOSAPass());
    if (failed(addText(pm, "canonicalize,func.func(tosa-reduce-transposes),"
                           "canonicalize")))
      return failure();
    if (options.graphOptimizations)
      pm.addNestedPass<func::FuncOp>(createSinkTransposesPass());
    return addText(pm, "canonicalize,cse");
  }
  case Phase::Linalg:
    if (failed(addText(
        pm, "func.func(tosa-optional-decompositions),canonicalize,"
            "func.func(tosa-infer-shapes,tosa-make-broadcastable,"
            "tosa-to-linalg-named,tosa-layerwise-constant-fold,tosa-to-linalg,"
            "tosa-to-arith{include-apply-rescale},tosa-to-tensor),canonicalize,"
            "func.func(whittle-fuse-elementwise),canonicalize,cse")))
      return failure();
    if (!options.graphOptimizations)
      return success();
    pm.addNestedPass<func::FuncOp>(createFuseEpiloguesPass());
    if (failed(addText(pm, "canonicalize,cse")))
      return failure();
    pm.addNestedPass<func::FuncOp>(createElementwiseInPlacePass());
    return success();
  case Phase::Loops: {
    pm.addNestedPass<func::FuncOp>(createDistinctResultsPass());
    if (failed(addText(
            pm, "one-shot-bufferize{bufferize-function-boundaries "
                "function-boundary-type-conversion=identity-layout-map},"
                "buffer-results-to-out-params{hoist-static-allocs modify-public-functions},"
                "canonicalize")))
      return failure();
    pm.addNestedPass<func::FuncOp>(createElideOutputCopiesPass());
    if (failed(addText(pm, "canonicalize")))
      return failure();
    if (options.vectorBits || options.dsp) {
      VectorizeKernelsPassOptions vk;
      vk.vectorBits = options.vectorBits;
      vk.registers = options.vectorRegisters;
      vk.dot = options.dot;
      vk.reciprocal = options.reciprocal;
      vk.dsp = options.dsp;
      pm.addPass(createVectorizeKernelsPass(vk));
    }
    if (failed(addText(pm, "func.func(convert-linalg-to-loops)")))
      return failure();
    pm.addNestedPass<func::FuncOp>(createLowerMemRefCopyPass());
    pm.addPass(createLowerChecksPass());
    // Half-float arithmetic in f32 (numpy's and ONNX Runtime's result up to
    // the final rounding): the conversions then become integer code in
    // whittle-expand-math, so no target needs half-float instructions or
    // compiler-rt's helpers.
    if (failed(addText(pm, "arith-emulate-unsupported-floats{source-types=f16,bf16 "
                           "target-type=f32},math-extend-to-supported-types{"
                           "target-type=f32}")))
      return failure();
    ExpandMathPassOptions math;
    math.softFloat = options.softFloat;
    math.nativeRounding = options.nativeRounding;
    math.divideI64 = options.divideI64;
    pm.addPass(createExpandMathPass(math));
    if (failed(addText(pm, "lower-affine,canonicalize,cse")))
      return failure();
    pm.addPass(createPlanArenaPass());
    return addText(pm, "canonicalize,cse");
  }
  case Phase::LLVM: {
    // Index arithmetic in the target's pointer width: 64-bit indices on a
    // 32-bit core cost register pairs and multiply helper calls.
    std::string w = options.indexBitwidth
                        ? "{index-bitwidth=" +
                              std::to_string(options.indexBitwidth) + "}"
                        : "";
    pm.addPass(createOutlineKernelsPass());
    // Function by function, on the context's threads, once the kernels are
    // functions of their own; only the signatures need the whole module.
    if (failed(addText(pm, "func.func(convert-vector-to-scf,convert-scf-to-cf,"
                           "expand-strided-metadata,lower-affine,"
                           "convert-vector-to-llvm),whittle-convert-to-llvm" +
                               w + ",reconcile-unrealized-casts")))
      return failure();
    WrapEntryPointPassOptions wrap;
    wrap.entryName = options.name;
    pm.addPass(createWrapEntryPointPass(wrap));
    return success();
  }
  }
  return failure();
}

LogicalResult buildPipeline(OpPassManager &pm, Phase from, Phase to,
                            const PipelineOptions &options) {
  for (int p = static_cast<int>(from) + 1; p <= static_cast<int>(to); ++p)
    if (failed(addPhase(pm, static_cast<Phase>(p), options)))
      return failure();
  return success();
}

namespace {
struct CompileOptions : public PassPipelineOptions<CompileOptions> {
  Option<std::string> name{*this, "name",
                           llvm::cl::desc("Prefix of the entry point"),
                           llvm::cl::init("model")};
  Option<int64_t> decomposeRank{
      *this, "decompose-rank",
      llvm::cl::desc("onnx-decompose-conv rank for every eligible Conv"),
      llvm::cl::init(0)};
  Option<bool> softFloat{
      *this, "soft-float",
      llvm::cl::desc("The target has no FPU (whittle-expand-math{soft-float})"),
      llvm::cl::init(false)};
  Option<unsigned> indexBitwidth{
      *this, "index-bitwidth",
      llvm::cl::desc("Width of index arithmetic in the LLVM dialect "
                     "(0: 64; 32 for 32-bit targets)"),
      llvm::cl::init(0)};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("whittle-vectorize-kernels register width (0: off)"),
      llvm::cl::init(0)};
  Option<int64_t> vectorRegisters{
      *this, "vector-registers",
      llvm::cl::desc("whittle-vectorize-kernels register count"),
      llvm::cl::init(16)};
  Option<std::string> dot{
      *this, "dot",
      llvm::cl::desc("whittle-vectorize-kernels int8 dot product "
                     "(x86-vnni, x86-madd, aarch64-sdot or empty)"),
      llvm::cl::init("")};
  Option<bool> reciprocal{
      *this, "reciprocal",
      llvm::cl::desc("whittle-vectorize-kernels AVX-512 reciprocal estimates"),
      llvm::cl::init(false)};
  Option<bool> dsp{
      *this, "dsp",
      llvm::cl::desc("whittle-vectorize-kernels Armv7E-M DSP int8 kernels"),
      llvm::cl::init(false)};
  Option<bool> nativeRounding{
      *this, "native-rounding",
      llvm::cl::desc("whittle-expand-math keeps floor, ceil and roundeven"),
      llvm::cl::init(false)};
  Option<bool> foldConstants{
      *this, "fold-constants",
      llvm::cl::desc("Run onnx-fold-constants (off inside the JIT it uses)"),
      llvm::cl::init(true)};
};
} // namespace

void registerPipelines() {
  auto reg = [](StringRef arg, StringRef desc, Phase from, Phase to) {
    PassPipelineRegistration<CompileOptions>(
        arg, desc, [from, to](OpPassManager &pm, const CompileOptions &o) {
          PipelineOptions options;
          options.name = o.name;
          options.decomposeRank = o.decomposeRank;
          options.foldConstants = o.foldConstants;
          options.softFloat = o.softFloat;
          options.indexBitwidth = o.indexBitwidth;
          options.vectorBits = o.vectorBits;
          options.vectorRegisters = o.vectorRegisters;
          options.dot = o.dot;
          options.reciprocal = o.reciprocal;
          options.dsp = o.dsp;
          options.nativeRounding = o.nativeRounding;
          options.divideI64 = o.indexBitwidth == 32;
          (void)buildPipeline(pm, from, to, options);
        });
  };
  reg("whittle-onnx-to-tosa", "onnx dialect to TOSA", Phase::ONNX,
      Phase::TOSA);
  reg("whittle-tosa-to-linalg", "TOSA to linalg on tensors", Phase::TOSA,
      Phase::Linalg);
  reg("whittle-linalg-to-loops",
      "linalg on tensors to loops over one planned arena", Phase::Linalg,
      Phase::Loops);
  reg("whittle-loops-to-llvm", "loops to the LLVM dialect with the C entry point",
      Phase::Loops, Phase::LLVM);
  reg("whittle-compile", "onnx dialect to the LLVM dialect", Phase::ONNX,
      Phase::LLVM);
}

} // namespace whittle
