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

namespace {
/// One term of an Einsum equation: labels, with -1 where `...` stands.
struct EinsumTerm {
  SmallVector<int64_t> labels;
  bool ellipsis = false;
};
} // namespace

static constexpr int64_t kEllipsisLabel0 = 52;

/// Parses one comma-separated term; std::nullopt on a character that is
/// neither a letter nor a single `...`.
static std::optional<EinsumTerm> parseEinsumTerm(StringRef term) {
  EinsumTerm t;
  for (size_t i = 0; i < term.size(); ++i) {
    char c = term[i];
    if (c >= 'a' && c <= 'z') {
      t.labels.push_back(c - 'a');
    } else if (c >= 'A' && c <= 'Z') {
      t.labels.push_back(26 + (c - 'A'));
    } else if (term.substr(i).starts_with("...") && !t.ellipsis) {
      t.ellipsis = true;
      t.labels.push_back(-1);
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return t;
}

std::optional<EinsumSpec>
parseEinsum(StringRef equation, ArrayRef<ArrayRef<int64_t>> shapes,
            std::string &error) {
  llvm::raw_string_ostream os(error);
  std::string compact;
  for (char c : equation)
    if (c != ' ')
      compact += c;
  StringRef eq(compact);
  auto [lhs, rhs] = eq.split("->");
  bool explicitResult = eq.contains("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != shapes.size()) {
    os << "equation '" << equation << "' has " << terms.size()
       << " operand terms for " << shapes.size() << " operands";
    return std::nullopt;
  }
  EinsumSpec spec;
  spec.extents.assign(kEllipsisLabel0, 0);
  // The widest `...` sets how many labels it stands for.
  int64_t ellipsisRank = 0;
  SmallVector<EinsumTerm> parsed;
  for (auto [i, term] : llvm::enumerate(terms)) {
    auto t = parseEinsumTerm(term);
    if (!t) {
      os << "equation '" << equation << "': term '" << term
         << "' is not letters with at most one '...'";
      return std::nullopt;
    }
    int64_t letters = (int64_t)t->labels.size() - (t->ellipsis ? 1 : 0);
    int64_t rank = shapes[i].size();
    if (t->ellipsis ? letters > rank : letters != rank) {
      os << "equation '" << equation << "': term '" << term << "' names "
         << letters << " dimensions of operand " << i << " of rank " << rank;
      return std::nullopt;
    }
    if (t->ellipsis)
      ellipsisRank = std::max(ellipsisRank, rank - letters);
    parsed.push_back(*t);
  }
  spec.extents.resize(kEllipsisLabel0 + ellipsisRank, 1);
  SmallVector<int64_t> uses(kEllipsisLabel0, 0);
  for (auto [i, t] : llvm::enumerate(parsed)) {
    SmallVector<int64_t> labels;
    int64_t rank = shapes[i].size();
    int64_t letters = (int64_t)t.labels.size() - (t.ellipsis ? 1 : 0);
    for (int64_t l : t.labels) {
      if (l >= 0) {
        labels.push_back(l);
        ++uses[l];
        continue;
      }
      for (int64_t e = rank - letters; e > 0; --e)
        labels.push_back(kEllipsisLabel0 + ellipsisRank - e);
    }
    for (auto [d, l] : llvm::enumerate(labels)) {
      int64_t n = shapes[i][d], &extent = spec.extents[l];
      bool broadcastable = l >= kEllipsisLabel0;
      if (extent == 0 || (broadcastable && extent == 1)) {
        extent = n;
      } else if (n != extent && !(broadcastable && n == 1)) {
        os << "equation '" << equation << "': dimension " << d
           << " of operand " << i << " has extent " << n << ", elsewhere "
           << extent;
        return std::nullopt;
      }
    }
    spec.operands.push_back(labels);
  }
  if (explicitResult) {
    auto t = parseEinsumTerm(rhs);
    if (!t) {
      os << "equation '" << equation << "': result '" << rhs
         << "' is not letters with at most one '...'";
      return std::nullopt;
    }
    SmallVector<bool> seen(spec.extents.size(), false);
    for (int64_t l : t->labels) {
      if (l < 0) {
        for (int64_t e = 0; e < ellipsisRank; ++e)
          spec.result.push_back(kEllipsisLabel0 + e);
        continue;
      }
      if (uses[l] == 0 || seen[l]) {
        os << "equation '" << equation << "': result label '"
           << (char)(l < 26 ? 'a' + l : 'A' + (l - 26))
           << (uses[l] ? "' is repeated" : "' names no operand dimension");
        return std::nullopt;
      }
      seen[l] = true;
      spec.result.push_back(l);
    }
  } else {
    // Implicit: the broadcast dimensions, then the labels used once, in
    // alphabetical order (upper case first, as in ASCII).
    for (int64_t e = 0; e < ellipsisRank; ++e)
      spec.result.push_back(kEllipsisLabel0 + e);
    for (int64_t l = 26; l < 52; ++l)
      if (uses[l] == 1)
        spec.result.push_back(l);
    for (int64_t l = 0; l < 26; ++l)
      if (uses[l] == 1)
        spec.result.push_back(l);
  }
  return spec;
}

} // namespace whittle::onnx
