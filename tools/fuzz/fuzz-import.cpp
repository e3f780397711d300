//===- fuzz-import.cpp - libFuzzer target: bytes -> onnx dialect ----------===//
//
// Part of whittle. Any byte string goes through the importer (wire-format
// checks, protobuf, ONNX's checker and shape inference, onnx-dialect
// construction and verification). Errors are expected; crashes, hangs and
// sanitizer reports are bugs. External data resolves against a directory
// that does not exist, so no input can make the target read files.
//
//===----------------------------------------------------------------------===//

#include "whittle/Import/ONNXImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context per input: attributes uniqued by one input must not
  // make memory grow across the run.
  mlir::MLIRContext ctx(mlir::MLIRContext::Threading::DISABLED);
  ctx.getDiagEngine().registerHandler(
      [](mlir::Diagnostic &) { return mlir::success(); });
  whittle::ImportOptions options;
  // Keep legal-but-large shapes from exhausting the fuzzer's memory limit.
  options.maxTensorBytes = 64 << 20;
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  auto module = whittle::importONNXBytes(bytes, "/nonexistent/fuzz.onnx",
                                         &ctx, options);
  if (module && mlir::failed(mlir::verify(*module)))
    __builtin_trap(); // the importer returned an invalid module
  return 0;
}
