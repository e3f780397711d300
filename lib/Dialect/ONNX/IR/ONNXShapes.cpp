//===- ONNXShapes.cpp - Shape rules shared by verifiers and lowering ------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXShapes.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace whittle::onnx {

std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  llvm::SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

llvm::SmallVector<int64_t> getI64Array(ArrayAttr attr) {
  llvm::SmallVector<int64_t> out;
  if (!attr)
    return out;
  for (Attribute a : attr)
    out.push_back(llvm::cast<IntegerAttr>(a).getInt());
  return out;
}

std::optional<WindowGeometry>
computeWindowGeometry(llvm::ArrayRef<int64_t> inSpatial,
                      llvm::ArrayRef<int64_t> kernel, ArrayAttr stridesAttr,
                      ArrayAttr dilationsAttr, ArrayAttr padsAttr,
                      llvm::StringRef autoPad, bool ceilMode,
                      std::string &error) {
  llvm::raw_string_ostream os(error);
  size_t n = inSpatial.size();
  WindowGeometry g;
  g.kernel.assign(kernel.begin(), kernel.end());
  g.strides = getI64Array(stridesAttr);
  g.dilations = getI64Array(dilationsAttr);
  g.pads = getI64Array(padsAttr);
  if (g.strides.empty())
    g.strides.assign(n, 1);
  if (g.dilations.empty())
    g.dilations.assign(n, 1);
  if (g.kernel.size() != n) {
    os << "kernel_shape has " << g.kernel.size() << " dimensions, input has "
       << n << " spatial dimensions";
    return std::nullopt;
  }
  if (g.strides.size() != n || g.dilations.size() != n) {
    os << "strides and dilations must have " << n << " values";
    return std::nullopt;
  }
  for (size_t i = 0; i < n; ++i) {
    if (g.kernel[i] <= 0 || g.strides[i] <= 0 || g.dilations[i] <= 0) {
      os << "kernel_shape, strides and dilations must be positive";
      return std::nullopt;
    }
  }
  if (autoPad == "NOTSET" || autoPad == "VALID") {
    if (autoPad == "VALID" || g.pads.empty())
      g.pads.assign(2 * n, 0);
    if (g.pads.size() != 2 * n) {
      os << "pads must have " << 2 * n << " values, got " << g.pads.size();
      return std::nullopt;
    }
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    g.pads.assign(2 * n, 0);
    for (size_t i = 0; i < n; ++i) {
      int64_t out = (inSpatial[i] + g.strides[i] - 1) / g.strides[i];
      int64_t extent = (g.kernel[i] - 1) * g.dilations[i] + 1;
      int64_t total =
          std::max<int64_t>(0, (out - 1) * g.strides[i] + extent - inSpatial[i]);
      int64_t small = total / 2, big = total - small;
      g.pads[i] = autoPad == "SAME_UPPER" ? small : big;
      g.pads[i + n] = autoPad == "SAME_UPPER" ? big : small;
    }
  } else {
    os << "unknown auto_pad '" << autoPad << "'";
    return std::nullopt;
  }
  for (int64_t p : g.pads) {
    if (p < 0) {
      os << "pads must be non-negative";
      return std::nullopt;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    int64_t extent = (g.kernel[i] - 1) * g.dilations[i] + 1;
    int64_t span = inSpatial[i] + g.pads[i] + g.pads[i + n] - extent;
    if (span < 0) {
      os << "window of extent " << extent << " does not fit padded input of "
         << inSpatial[i] + g.pads[i] + g.pads[i + n] << " in spatial dimension "
         << i;
      return std::nullopt;
    }
    int64_t out = ceilMode ? (span + g.strides[i] - 1) / g.strides[i] + 1
                           : span / g.strides[i] + 1;
    g.outSpatial.push_back(out);
  }
  return g;
}

} // namespace whittle::onnx
