//===- JitModel.cpp - Running an onnx-level module in-process -------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Jit/JitModel.h"
#include "whittle/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Support/TargetSelect.h"

using namespace mlir;

namespace whittle {

JitModel::~JitModel() = default;

std::unique_ptr<JitModel> JitModel::compile(ModuleOp onnxModule,
                                           bool optimize) {
  static const bool nativeReady = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)nativeReady;

  MLIRContext *ctx = onnxModule.getContext();
  registerBuiltinDialectTranslation(*ctx);
  registerLLVMDialectTranslation(*ctx);
  OwningOpRef<ModuleOp> module = onnxModule.clone();
  auto main = module->lookupSymbol<func::FuncOp>("main");
  if (!main) {
    emitError(onnxModule.getLoc()) << "no @main function to run";
    return nullptr;
  }
  std::unique_ptr<JitModel> jit(new JitModel());
  auto described = describeModel(main);
  if (failed(described))
    return nullptr;
  jit->model = *described;

  // The registered pipeline, by name: this library needs no link-time
  // dependency on the passes (one of which, onnx-fold-constants, uses it).
  PassManager pm(ctx);
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(kJitPipeline, pm, errorStream))) {
    emitError(onnxModule.getLoc())
        << "internal: cannot build the JIT pipeline: " << error;
    return nullptr;
  }
  // Verified once at the end, not after every pass (see whittle's
  // --verify-each): calibration compiles the model again and again.
  pm.enableVerifier(false);
  if (failed(pm.run(*module)))
    return nullptr;
  if (failed(verify(*module))) {
    emitError(onnxModule.getLoc())
        << "internal: the JIT pipeline produced invalid IR";
    return nullptr;
  }
  int64_t arenaSize = -1;
  module->walk([&](Operation *op) {
    if (auto a = op->getAttrOfType<IntegerAttr>(kArenaSizeAttr))
      arenaSize = a.getInt();
  });
  if (arenaSize < 0) {
    emitError(onnxModule.getLoc()) << "internal: no planned arena";
    return nullptr;
  }
  jit->model.arenaSize = arenaSize;

  auto transformer = makeOptimizingTransformer(/*optLevel=*/optimize ? 2 : 0,
                                               /*sizeLevel=*/0, nullptr);
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = optimize ? llvm::CodeGenOptLevel::Default
                                              : llvm::CodeGenOptLevel::None;
  engineOptions.enableGDBNotificationListener = false;
  engineOptions.enablePerfNotificationListener = false;
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine) {
    emitError(onnxModule.getLoc())
        << "cannot JIT-compile the model: " << toString(engine.takeError());
    return nullptr;
  }
  jit->engine = std::move(*engine);
  jit->engine->initialize();
  auto sym = jit->engine->lookup("whittle_jit_run");
  if (!sym) {
    emitError(onnxModule.getLoc())
        << "internal: no JIT entry point: " << toString(sym.takeError());
    return nullptr;
  }
  jit->entry =
      reinterpret_cast<int32_t (*)(const void *const *, void *const *, void *)>(
          *sym);
  jit->arena.assign((arenaSize + 64) / 8 + 8, 0);
  auto base = reinterpret_cast<uintptr_t>(jit->arena.data());
  jit->arenaBase = reinterpret_cast<char *>((base + 63) & ~uintptr_t(63));
  return jit;
}

LogicalResult JitModel::run(ArrayRef<const void *> inputs,
                            ArrayRef<void *> outputs) {
  if (inputs.size() != model.inputs.size() ||
      outputs.size() != model.outputs.size())
    return failure();
  return success(entry(inputs.data(), outputs.data(), arenaBase) == 0);
}

} // namespace whittle
