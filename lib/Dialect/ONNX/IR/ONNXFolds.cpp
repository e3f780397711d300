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
