//===- ONNXImporter.h - ONNX model to onnx dialect --------------*- C++ -*-===//
//
// Part of whittle. The only header that knows about ONNX's protobuf; it
// exposes nothing of it.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_IMPORT_ONNXIMPORTER_H
#define WHITTLE_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>
#include <vector>

namespace whittle {

struct ImportOptions {
  /// Pins graph input shapes: name -> dims (replaces symbolic/unknown dims).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Models with an older default-domain opset are converted to this one.
  int64_t targetOpset = 13;
  /// Largest tensor, in bytes, the importer accepts (weights, inputs and
  /// every inferred intermediate): bounds what constant folding allocates.
  uint64_t maxTensorBytes = uint64_t(1) << 31;
  /// Pointer width of the target: all weights together must fit its
  /// address space.
  unsigned addressBits = 64;
  /// Bytes each element of a string tensor occupies: strings are stored
  /// NUL-padded in fixed-width slots (a string of this many bytes has no
  /// terminating NUL).
  int64_t stringBytes = 64;
};

/// Imports the ONNX model at `path` into a module with one `func.func @main`
/// of onnx ops. Errors are reported through the context's diagnostic engine,
/// located at the file or at the offending node; returns null on error.
mlir::OwningOpRef<mlir::ModuleOp> importONNXFile(llvm::StringRef path,
                                                 mlir::MLIRContext *context,
                                                 const ImportOptions &options);

/// Same, from the bytes of a serialized ModelProto; `path` names it in
/// diagnostics.
mlir::OwningOpRef<mlir::ModuleOp> importONNXBytes(llvm::StringRef bytes,
                                                  llvm::StringRef path,
                                                  mlir::MLIRContext *context,
                                                  const ImportOptions &options);

/// Parses ONNX's textual model syntax (onnx/defs/parser.h) and imports it.
mlir::OwningOpRef<mlir::ModuleOp> importONNXText(llvm::StringRef text,
                                                 llvm::StringRef path,
                                                 mlir::MLIRContext *context,
                                                 const ImportOptions &options);

} // namespace whittle

#endif // WHITTLE_IMPORT_ONNXIMPORTER_H
