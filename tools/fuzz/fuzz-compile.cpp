//===- fuzz-compile.cpp - libFuzzer target: model -> C --------------------===//
//
// Part of whittle. Takes (mutated) models through the whole pipeline to C,
// as `whittle model.onnx -o m.c` does. Seeded with valid models, the
// mutations that still import exercise the graph passes, the lowering, the
// arena planner and the C emitter. Pass failures are expected (with a
// diagnostic); crashes and sanitizer reports are bugs.
//
//===----------------------------------------------------------------------===//

#include "whittle/Import/ONNXImporter.h"
#include "whittle/InitAll.h"
#include "whittle/Pipelines/Pipelines.h"
#include "whittle/Target/C/CEmitter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  whittle::registerAllPasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::DialectRegistry registry;
  whittle::registerAllDialects(registry);
  mlir::MLIRContext ctx(registry, mlir::MLIRContext::Threading::DISABLED);
  ctx.loadAllAvailableDialects();
  ctx.printOpOnDiagnostic(false);
  ctx.getDiagEngine().registerHandler(
      [](mlir::Diagnostic &) { return mlir::success(); });
  whittle::ImportOptions importOptions;
  // Small models only: each input must compile in milliseconds.
  importOptions.maxTensorBytes = 1 << 20;
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  auto module = whittle::importONNXBytes(bytes, "/nonexistent/fuzz.onnx",
                                         &ctx, importOptions);
  if (!module)
    return 0;
  whittle::PipelineOptions options;
  options.name = "fuzz";
  mlir::PassManager pm(&ctx);
  if (mlir::failed(whittle::buildPipeline(pm, whittle::Phase::ONNX,
                                          whittle::Phase::Loops, options)) ||
      mlir::failed(pm.run(*module)))
    return 0;
  std::string c;
  llvm::raw_string_ostream os(c);
  whittle::CEmitOptions cOptions;
  cOptions.name = "fuzz";
  (void)whittle::translateToC(*module, cOptions, os);
  return 0;
}
