//===- Validate.h - reject malformed ONNX models early ----------*- C++ -*-===//
//
// Part of whittle. Internal to lib/Import. A model file is untrusted input;
// protobuf and ONNX's checker accept more than they should (duplicate
// singular fields are merged, unknown fields kept, external data paths
// followed anywhere). These checks run before either and report one clear
// error each.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_LIB_IMPORT_VALIDATE_H
#define WHITTLE_LIB_IMPORT_VALIDATE_H

#include "mlir/IR/Location.h"
#include "llvm/ADT/StringRef.h"

#include "onnx/onnx_pb.h"

#include <functional>

namespace whittle {

/// Messages may nest this deep (ModelProto is level 0; a subgraph adds 3).
constexpr int kMaxProtoDepth = 64;

/// Walks the protobuf wire format of a serialized ModelProto against ONNX's
/// schema: every field number known, every singular field present at most
/// once, wire types as declared, nesting bounded.
mlir::LogicalResult checkWireFormat(llvm::StringRef bytes,
                                    mlir::Location fileLoc);

/// "3.0 GiB", "12 bytes": sizes in messages.
std::string formatBytes(uint64_t bytes);

/// Element count of `dims` times `eltBytes`, or nullopt if a dimension is
/// negative or the product overflows 64 bits.
std::optional<uint64_t> tensorByteSize(llvm::ArrayRef<int64_t> dims,
                                       uint64_t eltBytes);

/// Structure of the main graph before ONNX's checker sees it: at least one
/// output; unique input, initializer and node-output names; every node input
/// defined; no cycles; window attributes (strides, dilations, ...) positive,
/// in subgraphs too; declared shapes within `maxTensorBytes`. Nodes listed
/// out of dependency order are sorted. `nodeLoc(i)` locates node i.
mlir::LogicalResult
validateGraph(::onnx::GraphProto &graph, mlir::Location fileLoc,
              const std::function<mlir::Location(size_t)> &nodeLoc,
              uint64_t maxTensorBytes);

/// Wraps the shape inference of ONNX operators whose 1.12 implementation
/// indexes past its arrays on inconsistent ranks (Conv and pooling with a
/// weight or attribute of the wrong rank, Gemm on non-matrices) with checks
/// that fail inference cleanly instead. Idempotent.
void hardenShapeInference();

/// Replaces external data references of the main graph's tensors by their
/// bytes. A location must be a relative path that stays inside `modelDir`
/// (after resolving symlinks) and offset/length must lie inside the file.
/// `maxTensorBytes` bounds each tensor, `maxTotalBytes` (0: none) and four
/// times `maxTensorBytes` all of them together (tensors may alias one file's
/// bytes), checked before anything is read.
mlir::LogicalResult loadExternalData(::onnx::ModelProto &model,
                                     llvm::StringRef modelDir,
                                     mlir::Location fileLoc,
                                     uint64_t maxTensorBytes,
                                     uint64_t maxTotalBytes,
                                     llvm::StringRef targetDescription);

/// ONNX checker messages are multi-line with a "==> Context:" trailer that
/// may name a node. Returns the message on one line and the node's name
/// (empty if none).
std::pair<std::string, std::string> splitCheckerMessage(llvm::StringRef what);

} // namespace whittle

#endif // WHITTLE_LIB_IMPORT_VALIDATE_H
