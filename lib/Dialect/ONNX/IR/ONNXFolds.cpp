//===- ONNXFolds.cpp - ONNX op folders ------------------------------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXOps.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace whittle::onnx;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult IdentityOp::fold(FoldAdaptor) { return getX(); }

/// ConstantOfShape has a static result type, so it folds to a splat of its
/// value (default: 0.0f of the result element type).
OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto type = llvm::cast<ShapedType>(getType());
  if (!type.hasStaticShape())
    return {};
  Type elt = type.getElementType();
  if (auto value = getValueAttr()) {
    auto dense = llvm::dyn_cast<DenseElementsAttr>(value);
    if (!dense || dense.getNumElements() != 1 ||
        dense.getElementType() != elt)
      return {};
    return DenseElementsAttr::get(type, dense.getValues<Attribute>()[0]);
  }
  if (auto ft = llvm::dyn_cast<FloatType>(elt))
    return DenseElementsAttr::get(type, FloatAttr::get(ft, 0.0));
  if (auto it = llvm::dyn_cast<IntegerType>(elt))
    return DenseElementsAttr::get(type, IntegerAttr::get(it, 0));
  return {};
}

/// Shapes are static, so Shape folds to a constant (start/end as in opset 15).
OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto in = llvm::cast<ShapedType>(getData().getType());
  auto out = llvm::cast<ShapedType>(getType());
  if (!in.hasStaticShape() || !out.hasStaticShape())
    return {};
  int64_t rank = in.getRank();
  auto clampIdx = [&](int64_t i) {
    if (i < 0)
      i += rank;
    return std::min(std::max<int64_t>(i, 0), rank);
  };
  int64_t start = clampIdx(getStart() ? *getStart() : 0);
  int64_t end = clampIdx(getEnd() ? *getEnd() : rank);
  SmallVector<int64_t> dims;
  for (int64_t i = start; i < end; ++i)
    dims.push_back(in.getDimSize(i));
  if ((int64_t)dims.size() != out.getNumElements())
    return {};
  return DenseIntElementsAttr::get(out, dims);
}

OpFoldResult SizeOp::fold(FoldAdaptor) {
  auto in = llvm::cast<ShapedType>(getData().getType());
  auto out = llvm::cast<ShapedType>(getType());
  if (!in.hasStaticShape() || out.getNumElements() != 1)
    return {};
  return DenseIntElementsAttr::get(out, {in.getNumElements()});
}
