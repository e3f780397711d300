//===- ONNXUtils.cpp - Helpers shared by passes over the onnx dialect -----===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/IR/ONNXOps.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"

#include <cstring>

using namespace mlir;

namespace whittle {

/// Same threshold as the importer: larger tensors become resource blobs.
static constexpr int64_t kInlineElementLimit = 16;

ElementsAttr getConstantAttr(Value v) {
  if (!v)
    return {};
  // An empty tensor holds no data: its type is its whole value.
  if (auto t = llvm::dyn_cast<RankedTensorType>(v.getType());
      t && t.hasStaticShape() && t.getNumElements() == 0)
    return DenseElementsAttr::get(t, ArrayRef<Attribute>{});
  Operation *def = v.getDefiningOp();
  if (auto c = llvm::dyn_cast_or_null<onnx::ConstantOp>(def))
    return c.getValue();
  if (auto c = llvm::dyn_cast_or_null<tosa::ConstOp>(def))
    return c.getValues();
  return {};
}

std::optional<SmallVector<int64_t>> getConstantInts(Value v) {
  ElementsAttr attr = getConstantAttr(v);
  if (!attr)
    return std::nullopt;
  auto it = llvm::dyn_cast<IntegerType>(attr.getElementType());
  if (!it)
    return std::nullopt;
  bool isUnsigned = it.isUnsigned();
  SmallVector<int64_t> out;
  if (auto dense = llvm::dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &i : dense.getValues<APInt>())
      out.push_back(isUnsigned ? (int64_t)i.getZExtValue() : i.getSExtValue());
    return out;
  }
  // Resource blobs (large initializers) hold little-endian raw values.
  auto res = llvm::dyn_cast<DenseResourceElementsAttr>(attr);
  unsigned width = it.getWidth();
  if (!res || !res.getRawHandle().getBlob() ||
      (width != 8 && width != 16 && width != 32 && width != 64))
    return std::nullopt;
  ArrayRef<char> data = res.getRawHandle().getBlob()->getData();
  size_t bytes = width / 8;
  if ((int64_t)data.size() != attr.getNumElements() * (int64_t)bytes)
    return std::nullopt;
  out.reserve(attr.getNumElements());
  for (size_t i = 0; i < data.size(); i += bytes) {
    uint64_t u = 0;
    for (size_t b = 0; b < bytes; ++b)
      u |= (uint64_t)(uint8_t)data[i + b] << (8 * b);
    if (!isUnsigned && width < 64 && (u >> (width - 1)) & 1)
      u |= ~uint64_t(0) << width; // sign-extend
    out.push_back((int64_t)u);
  }
  return out;
}

std::optional<SmallVector<double>> getConstantDoubles(Value v) {
  SmallVector<double> out;
  if (auto ints = getConstantInts(v)) {
    for (int64_t i : *ints)
      out.push_back((double)i);
    return out;
  }
  ElementsAttr attr = getConstantAttr(v);
  auto dense = llvm::dyn_cast_or_null<DenseFPElementsAttr>(attr);
  if (!dense) {
    auto floats = getConstantFloats(v); // f32 resource blobs
    if (!floats)
      return std::nullopt;
    return SmallVector<double>(floats->begin(), floats->end());
  }
  for (const APFloat &f : dense.getValues<APFloat>()) {
    APFloat d = f;
    bool lost = false;
    d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    out.push_back(d.convertToDouble());
  }
  return out;
}

std::optional<SmallVector<float>> getConstantFloats(Value v) {
  ElementsAttr attr = getConstantAttr(v);
  if (!attr || !attr.getElementType().isF32())
    return std::nullopt;
  SmallVector<float> out;
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr)) {
    for (float f : dense.getValues<float>())
      out.push_back(f);
    return out;
  }
  if (auto res = llvm::dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    if ((int64_t)data.size() != attr.getNumElements() * 4)
      return std::nullopt;
    out.resize(attr.getNumElements());
    std::memcpy(out.data(), data.data(), data.size());
    return out;
  }
  return std::nullopt;
}

Value createConstant(OpBuilder &b, Location loc, RankedTensorType type,
                     ArrayRef<char> data, StringRef blobName) {
  ElementsAttr attr;
  if (type.getElementType().isInteger(1)) {
    SmallVector<bool> bits(data.begin(), data.end());
    attr = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else if (type.getNumElements() > kInlineElementLimit) {
    std::string name = blobName.str();
    for (char &c : name)
      if (!llvm::isAlnum(c) && c != '_')
        c = '_';
    auto blob =
        HeapAsmResourceBlob::allocateAndCopyWithAlign(data, alignof(uint64_t));
    attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
  } else {
    attr = DenseElementsAttr::getFromRawBuffer(type, data);
  }
  return onnx::ConstantOp::create(b, loc, type, attr);
}

Value createFloatConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                          ArrayRef<float> values, StringRef blobName) {
  return createConstant(
      b, loc, RankedTensorType::get(shape, b.getF32Type()),
      ArrayRef<char>(reinterpret_cast<const char *>(values.data()),
                     values.size() * sizeof(float)),
      blobName);
}

std::string getNodeName(Location loc) {
  if (auto name = llvm::dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations()) {
      std::string n = getNodeName(l);
      if (!n.empty())
        return n;
    }
  return "";
}

static Location renameNode(Location loc, StringRef suffix, bool &done) {
  if (done)
    return loc;
  if (auto name = llvm::dyn_cast<NameLoc>(loc)) {
    done = true;
    return NameLoc::get(
        StringAttr::get(loc.getContext(), name.getName().str() + suffix.str()),
        name.getChildLoc());
  }
  if (auto fused = llvm::dyn_cast<FusedLoc>(loc)) {
    SmallVector<Location> parts;
    for (Location l : fused.getLocations())
      parts.push_back(renameNode(l, suffix, done));
    return FusedLoc::get(loc.getContext(), parts, fused.getMetadata());
  }
  return loc;
}

Location deriveNodeLoc(Location loc, StringRef suffix) {
  bool done = false;
  Location out = renameNode(loc, suffix, done);
  if (done)
    return out;
  return NameLoc::get(StringAttr::get(loc.getContext(), suffix.ltrim('/')),
                      loc);
}

} // namespace whittle
