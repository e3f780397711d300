//===- ONNXOps.cpp - ONNX op verifiers ------------------------------------===//
//
// Part of whittle. Verifiers re-derive every result shape with the rules in
// ONNXShapes.h and compare with the declared type: the importer relies on
// ONNX shape inference, and this catches any disagreement early.
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Dialect/ONNX/IR/ONNXShapes.h"
#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace whittle::onnx;

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os);
  os << "]";
  return s;
}

static RankedTensorType rankedType(Value v) {
  return llvm::cast<RankedTensorType>(v.getType());
}

static LogicalResult checkStatic(Operation *op) {
  for (Type t : llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes()))
    if (auto rt = llvm::dyn_cast<RankedTensorType>(t); rt && !rt.hasStaticShape())
      return op->emitOpError("requires static shapes, got ") << rt;
  return success();
}

static LogicalResult checkResultShape(Operation *op, ArrayRef<int64_t> expected) {
  auto actual = rankedType(op->getResult(0)).getShape();
  if (actual != expected)
    return op->emitOpError("result shape ")
           << shapeStr(actual) << " does not match inferred shape "
           << shapeStr(expected);
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

static LogicalResult verifyBroadcastBinary(Operation *op) {
  if (failed(checkStatic(op)))
    return failure();
  auto a = rankedType(op->getOperand(0)), b = rankedType(op->getOperand(1));
  if (a.getElementType() != b.getElementType())
    return op->emitOpError("operand element types differ: ")
           << a.getElementType() << " vs " << b.getElementType();
  auto shape = broadcastShapes(a.getShape(), b.getShape());
  if (!shape)
    return op->emitOpError("operand shapes ")
           << shapeStr(a.getShape()) << " and " << shapeStr(b.getShape())
           << " are not broadcast-compatible";
  return checkResultShape(op, *shape);
}

LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult EqualOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult GreaterOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult LessOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult GreaterOrEqualOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult LessOrEqualOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult AndOp::verify() { return verifyBroadcastBinary(*this); }

LogicalResult BitShiftOp::verify() {
  if (getDirection() != "LEFT" && getDirection() != "RIGHT")
    return emitOpError("direction must be LEFT or RIGHT, got '")
           << getDirection() << "'";
  if (!rankedType(getX()).getElementType().isUnsignedInteger())
    return emitOpError("shifts unsigned integers, got ")
           << rankedType(getX()).getElementType();
  return verifyBroadcastBinary(*this);
}
LogicalResult OrOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult XorOp::verify() { return verifyBroadcastBinary(*this); }

LogicalResult PowOp::verify() {
  // Pow allows a different exponent type; only shapes must broadcast.
  auto a = rankedType(getA()), b = rankedType(getB());
  auto shape = broadcastShapes(a.getShape(), b.getShape());
  if (!shape)
    return emitOpError("operand shapes ")
           << shapeStr(a.getShape()) << " and " << shapeStr(b.getShape())
           << " are not broadcast-compatible";
  return checkResultShape(*this, *shape);
}

//===----------------------------------------------------------------------===//
// Gemm / MatMul
//===----------------------------------------------------------------------===//

/// Gemm's shape rule, shared with QGemm.
static LogicalResult verifyGemmShapes(Operation *op, Value aV, Value bV,
                                      Value cV, bool transA, bool transB) {
  auto a = rankedType(aV), b = rankedType(bV);
  if (a.getRank() != 2 || b.getRank() != 2)
    return op->emitOpError("A and B must be 2-D, got ") << a << " and " << b;
  int64_t m = transA ? a.getDimSize(1) : a.getDimSize(0);
  int64_t ka = transA ? a.getDimSize(0) : a.getDimSize(1);
  int64_t kb = transB ? b.getDimSize(1) : b.getDimSize(0);
  int64_t n = transB ? b.getDimSize(0) : b.getDimSize(1);
  if (ka != kb)
    return op->emitOpError("inner dimensions differ: ") << ka << " vs " << kb;
  if (cV) {
    auto c = rankedType(cV);
    auto shape = broadcastShapes({m, n}, c.getShape());
    if (!shape || (*shape)[0] != m || (*shape)[1] != n || c.getRank() > 2)
      return op->emitOpError("C of shape ")
             << shapeStr(c.getShape()) << " does not broadcast to [" << m
             << ", " << n << "]";
  }
  return checkResultShape(op, {m, n});
}

LogicalResult GemmOp::verify() {
  return verifyGemmShapes(*this, getA(), getB(), getC(), getTransA(),
                          getTransB());
}

/// numpy matmul's shape rule, shared with the integer matmuls.
static LogicalResult verifyMatMulShapes(Operation *op, Value aV, Value bV) {
  auto a = rankedType(aV), b = rankedType(bV);
  if (a.getRank() < 1 || b.getRank() < 1)
    return op->emitOpError("operands must have rank >= 1");
  SmallVector<int64_t> as(a.getShape()), bs(b.getShape());
  bool vecA = as.size() == 1, vecB = bs.size() == 1;
  if (vecA)
    as.insert(as.begin(), 1);
  if (vecB)
    bs.push_back(1);
  if (as.back() != bs[bs.size() - 2])
    return op->emitOpError("inner dimensions differ: ")
           << as.back() << " vs " << bs[bs.size() - 2];
  auto batch = broadcastShapes(ArrayRef<int64_t>(as).drop_back(2),
                               ArrayRef<int64_t>(bs).drop_back(2));
  if (!batch)
    return op->emitOpError("batch dimensions are not broadcast-compatible");
  SmallVector<int64_t> out(*batch);
  if (!vecA)
    out.push_back(as[as.size() - 2]);
  if (!vecB)
    out.push_back(bs.back());
  return checkResultShape(op, out);
}

LogicalResult MatMulOp::verify() {
  return verifyMatMulShapes(*this, getA(), getB());
}
//===----------------------------------------------------------------------===//
// Conv and pooling
//===----------------------------------------------------------------------===//

/// Checks shared by Conv and ConvTranspose: static shapes, X and W of one
/// rank >= 3, a group dividing the input channels.
template <typename ConvLike>
static LogicalResult verifyConvInputs(ConvLike op) {
  if (failed(checkStatic(op)))
    return failure();
  auto x = rankedType(op.getX()), w = rankedType(op.getW());
  if (x.getRank() < 3 || w.getRank() != x.getRank())
    return op.emitOpError("X and W must have the same rank >= 3, got ")
           << x << " and " << w;
  int64_t group = op.getGroup(), c = x.getDimSize(1);
  if (group <= 0 || c % group != 0)
    return op.emitOpError("group ") << group << " does not divide " << c
                                    << " input channels";
  return success();
}

/// The optional bias must be [m].
static LogicalResult verifyConvBias(Operation *op, Value bias, int64_t m) {
  if (bias && (rankedType(bias).getRank() != 1 ||
               rankedType(bias).getDimSize(0) != m))
    return op->emitOpError("bias must have shape [") << m << "]";
  return success();
}

/// Conv's shape rule, shared with QLinearConv and ConvInteger.
template <typename ConvLike>
static LogicalResult verifyConv(ConvLike op, Value bias) {
  if (failed(verifyConvInputs(op)))
    return failure();
  auto x = rankedType(op.getX()), w = rankedType(op.getW());
  int64_t group = op.getGroup();
  int64_t c = x.getDimSize(1), m = w.getDimSize(0);
  if (w.getDimSize(1) * group != c)
    return op.emitOpError("weight has ")
           << w.getDimSize(1) << " channels per group, expected "
           << c / group;
  if (m % group != 0)
    return op.emitOpError("group ") << group << " does not divide " << m
                                 << " output channels";
  if (failed(verifyConvBias(op, bias, m)))
    return failure();
  auto kernel = w.getShape().drop_front(2);
  if (op.getKernelShape() && getI64Array(*op.getKernelShape()) != kernel)
    return op.emitOpError("kernel_shape does not match the weight shape ")
           << shapeStr(w.getShape());
  std::string err;
  auto g = computeWindowGeometry(x.getShape().drop_front(2), kernel,
                                 op.getStridesAttr(), op.getDilationsAttr(),
                                 op.getPadsAttr(), op.getAutoPad(), false, err);
  if (!g)
    return op.emitOpError(err);
  SmallVector<int64_t> out = {x.getDimSize(0), m};
  out.append(g->outSpatial);
  return checkResultShape(op, out);
}

LogicalResult ConvOp::verify() { return verifyConv(*this, getB()); }

LogicalResult ConvTransposeOp::verify() {
  if (failed(verifyConvInputs(*this)))
    return failure();
  auto x = rankedType(getX()), w = rankedType(getW());
  int64_t group = getGroup(), c = x.getDimSize(1);
  if (w.getDimSize(0) != c)
    return emitOpError("weight has ") << w.getDimSize(0)
                                      << " input channels, X has " << c;
  int64_t m = w.getDimSize(1) * group;
  if (rankedType(getY()).getDimSize(1) != m)
    return emitOpError("result has ") << rankedType(getY()).getDimSize(1)
                                      << " channels, expected " << m;
  return verifyConvBias(*this, getB(), m);
}

template <typename PoolOp>
static LogicalResult verifyPool(PoolOp op) {
  if (failed(checkStatic(op)))
    return failure();
  auto x = rankedType(op.getX());
  if (x.getRank() < 3)
    return op.emitOpError("input must have rank >= 3, got ") << x;
  std::string err;
  auto g = computeWindowGeometry(
      x.getShape().drop_front(2), getI64Array(op.getKernelShape()),
      op.getStridesAttr(), op.getDilationsAttr(), op.getPadsAttr(),
      op.getAutoPad(), op.getCeilMode() != 0, err);
  if (!g)
    return op.emitOpError(err);
  SmallVector<int64_t> out = {x.getDimSize(0), x.getDimSize(1)};
  out.append(g->outSpatial);
  return checkResultShape(op, out);
}

LogicalResult MaxPoolOp::verify() {
  if (failed(verifyPool(*this)))
    return failure();
  if (getStorageOrder() != 0 && getStorageOrder() != 1)
    return emitOpError("storage_order must be 0 or 1, got ")
           << getStorageOrder();
  if (getIndices() &&
      rankedType(getIndices()).getShape() != rankedType(getY()).getShape())
    return emitOpError("Indices must have the shape of Y");
  return success();
}

LogicalResult BatchNormalizationOp::verify() {
  auto stats = getRunningStats();
  if (stats.empty())
    return success();
  if (stats.size() != 2)
    return emitOpError("returns both running statistics (mean and variance) "
                       "or neither, got ")
           << stats.size() << " extra results";
  if (!getTrainingMode())
    return emitOpError("returns running statistics only in training_mode");
  for (Value v : stats)
    if (v.getType() != getInputMean().getType())
      return emitOpError("running statistics must have the type of "
                         "input_mean");
  return success();
}
LogicalResult AveragePoolOp::verify() { return verifyPool(*this); }

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = rankedType(getData()), out = rankedType(getReshaped());
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError("cannot reshape ")
           << shapeStr(in.getShape()) << " (" << in.getNumElements()
           << " elements) to " << shapeStr(out.getShape());
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type changes");
  return success();
}

LogicalResult FlattenOp::verify() {
  auto in = rankedType(getInput());
  int64_t rank = in.getRank(), axis = getAxis();
  if (axis < -rank || axis > rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < axis ? outer : inner) *= in.getDimSize(i);
  return checkResultShape(*this, {outer, inner});
}

LogicalResult TransposeOp::verify() {
  auto in = rankedType(getData());
  int64_t rank = in.getRank();
  SmallVector<int64_t> perm = getI64Array(getPermAttr());
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if ((int64_t)perm.size() != rank)
    return emitOpError("perm has ") << perm.size() << " entries, rank is "
                                    << rank;
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen[p])
      return emitOpError("perm is not a permutation of 0..") << rank - 1;
    seen[p] = true;
    out.push_back(in.getDimSize(p));
  }
  return checkResultShape(*this, out);
}

/// Indices known at compile time must lie in [-n, n): out-of-range constant
/// indices are a broken model, not something to clamp silently.
static LogicalResult verifyConstantIndices(Operation *op, Value data,
                                           Value indices, int64_t axis) {
  auto type = rankedType(data);
  int64_t rank = type.getRank();
  if (axis < -rank || axis >= rank)
    return op->emitOpError("axis ") << axis << " out of range for rank "
                                    << rank;
  if (axis < 0)
    axis += rank;
  int64_t n = type.getDimSize(axis);
  if (ShapedType::isDynamic(n))
    return success();
  if (auto values = whittle::getConstantInts(indices))
    for (int64_t i : *values)
      if (i < -n || i >= n)
        return op->emitOpError("index ")
               << i << " is out of range for axis " << axis << " of size "
               << n;
  return success();
}

LogicalResult GatherOp::verify() {
  return verifyConstantIndices(*this, getData(), getIndices(), getAxis());
}

LogicalResult GatherElementsOp::verify() {
  return verifyConstantIndices(*this, getData(), getIndices(), getAxis());
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  auto first = rankedType(getInputs().front());
  int64_t rank = first.getRank(), axis = getAxis();
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> out(first.getShape());
  out[axis] = 0;
  for (Value v : getInputs()) {
    auto t = rankedType(v);
    if (t.getRank() != rank || t.getElementType() != first.getElementType())
      return emitOpError("inputs differ in rank or element type");
    for (int64_t i = 0; i < rank; ++i)
      if (i != axis && t.getDimSize(i) != first.getDimSize(i))
        return emitOpError("input shape ")
               << shapeStr(t.getShape()) << " differs from "
               << shapeStr(first.getShape()) << " outside axis " << axis;
    out[axis] += t.getDimSize(axis);
  }
  return checkResultShape(*this, out);
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// A scale and its optional zero point: f32 scalars ([] or [1]), or 1-D of
/// `perAxis` elements when per-axis parameters are allowed (perAxis > 0).
/// The zero point has the quantized tensor's element type `qElt`.
static LogicalResult verifyQuantParams(Operation *op, StringRef name,
                                       Value scale, Value zeroPoint, Type qElt,
                                       int64_t perAxis = 0) {
  auto st = rankedType(scale);
  bool scalar = st.getRank() == 0 || (st.getRank() == 1 && st.getDimSize(0) == 1);
  bool axis = perAxis > 0 && st.getRank() == 1 && st.getDimSize(0) == perAxis;
  if (!scalar && !axis)
    return op->emitOpError(name) << "_scale must be a scalar"
                                 << (perAxis > 0 ? " or have " + std::to_string(perAxis) +
                                                       " elements"
                                                 : std::string())
                                 << ", got " << st;
  if (!zeroPoint)
    return success();
  auto zt = rankedType(zeroPoint);
  if (zt.getShape() != st.getShape() &&
      !(zt.getNumElements() == 1 && st.getNumElements() == 1))
    return op->emitOpError(name) << "_zero_point shape "
                                 << shapeStr(zt.getShape())
                                 << " differs from the scale's "
                                 << shapeStr(st.getShape());
  if (zt.getElementType() != qElt)
    return op->emitOpError(name) << "_zero_point has type "
                                 << zt.getElementType() << ", expected "
                                 << qElt;
  return success();
}

static Type eltOf(Value v) { return rankedType(v).getElementType(); }

/// QuantizeLinear/DequantizeLinear: per-tensor, or per-axis along `axis`.
static LogicalResult verifyQDQ(Operation *op, StringRef name, Value data,
                               Value scale, Value zeroPoint, Type qElt,
                               int64_t axis, int64_t blockSize) {
  if (blockSize != 0)
    return op->emitOpError("blocked quantization (block_size ")
           << blockSize << ") is not supported";
  auto dt = rankedType(data);
  int64_t rank = dt.getRank();
  int64_t perAxis = 0;
  if (rankedType(scale).getRank() == 1 && rankedType(scale).getDimSize(0) != 1) {
    if (axis < -rank || axis >= rank)
      return op->emitOpError("axis ") << axis << " out of range for rank "
                                      << rank;
    perAxis = dt.getDimSize(axis < 0 ? axis + rank : axis);
  }
  if (failed(verifyQuantParams(op, name, scale, zeroPoint, qElt, perAxis)))
    return failure();
  return checkResultShape(op, dt.getShape());
}

LogicalResult QuantizeLinearOp::verify() {
  return verifyQDQ(*this, "y", getX(), getYScale(), getYZeroPoint(),
                   eltOf(getY()), getAxis(), getBlockSize());
}

LogicalResult DequantizeLinearOp::verify() {
  return verifyQDQ(*this, "x", getX(), getXScale(), getXZeroPoint(), eltOf(getX()),
                   getAxis(), getBlockSize());
}

LogicalResult QLinearConvOp::verify() {
  if (failed(verifyConv(*this, getB())))
    return failure();
  int64_t m = rankedType(getW()).getDimSize(0);
  if (failed(verifyQuantParams(*this, "x", getXScale(), getXZeroPoint(),
                               eltOf(getX()))) ||
      failed(verifyQuantParams(*this, "w", getWScale(), getWZeroPoint(),
                               eltOf(getW()), m)) ||
      failed(verifyQuantParams(*this, "y", getYScale(), getYZeroPoint(),
                               eltOf(getY()))))
    return failure();
  return success();
}

LogicalResult ConvIntegerOp::verify() {
  if (failed(verifyConv(*this, Value())))
    return failure();
  int64_t m = rankedType(getW()).getDimSize(0);
  auto scalarZp = [&](Value zp, StringRef name, Type elt,
                      int64_t perAxis) -> LogicalResult {
    if (!zp)
      return success();
    auto zt = rankedType(zp);
    if (zt.getElementType() != elt)
      return emitOpError(name) << "_zero_point has type " << zt.getElementType()
                               << ", expected " << elt;
    if (zt.getNumElements() != 1 &&
        !(perAxis && zt.getRank() == 1 && zt.getDimSize(0) == perAxis))
      return emitOpError(name) << "_zero_point must be a scalar"
                               << (perAxis ? " or per output channel" : "");
    return success();
  };
  if (failed(scalarZp(getXZeroPoint(), "x", eltOf(getX()), 0)) ||
      failed(scalarZp(getWZeroPoint(), "w", eltOf(getW()), m)))
    return failure();
  return success();
}

/// QLinearMatMul / QGemm parameters: A and Y per tensor, B per tensor or
/// per output column (n columns; 0: per tensor only).
template <typename MatMulLike>
static LogicalResult verifyMatMulParams(MatMulLike op, int64_t n) {
  if (failed(verifyQuantParams(op, "a", op.getAScale(), op.getAZeroPoint(),
                               eltOf(op.getA()))) ||
      failed(verifyQuantParams(op, "b", op.getBScale(), op.getBZeroPoint(),
                               eltOf(op.getB()), n)) ||
      failed(verifyQuantParams(op, "y", op.getYScale(), op.getYZeroPoint(),
                               eltOf(op.getY()))))
    return failure();
  return success();
}

LogicalResult QLinearMatMulOp::verify() {
  if (failed(verifyMatMulShapes(*this, getA(), getB())))
    return failure();
  auto bt = rankedType(getB());
  return verifyMatMulParams(*this, bt.getRank() == 2 ? bt.getDimSize(1) : 0);
}

LogicalResult MatMulIntegerOp::verify() {
  if (failed(verifyMatMulShapes(*this, getA(), getB())))
    return failure();
  // Scalars, or 1-D: one per row of A (M), one per column of B (N).
  auto at = rankedType(getA()), bt = rankedType(getB());
  int64_t m = at.getRank() >= 2 ? at.getDimSize(at.getRank() - 2) : 1;
  int64_t n = bt.getRank() >= 2 ? bt.getShape().back() : 1;
  for (auto [zp, data, count, what] :
       {std::tuple{getAZeroPoint(), getA(), m, "row of A"},
        std::tuple{getBZeroPoint(), getB(), n, "column of B"}}) {
    if (!zp)
      continue;
    auto zt = rankedType(zp);
    if (eltOf(zp) != eltOf(data) ||
        !(zt.getNumElements() == 1 ||
          (zt.getRank() == 1 && zt.getDimSize(0) == count)))
      return emitOpError("zero points must be scalars of the operand's type "
                         "or have one per ")
             << what << " (" << count << ")";
  }
  return success();
}

LogicalResult QGemmOp::verify() {
  if (failed(verifyGemmShapes(*this, getA(), getB(), getC(), getTransA(),
                              getTransB())))
    return failure();
  auto bt = rankedType(getB());
  return verifyMatMulParams(*this,
                            getTransB() ? bt.getDimSize(0) : bt.getDimSize(1));
}

template <typename BinOp>
static LogicalResult verifyQLinearBinary(BinOp op) {
  if (failed(checkStatic(op)))
    return failure();
  auto a = rankedType(op.getA()), b = rankedType(op.getB());
  auto shape = broadcastShapes(a.getShape(), b.getShape());
  if (!shape)
    return op.emitOpError("operand shapes ")
           << shapeStr(a.getShape()) << " and " << shapeStr(b.getShape())
           << " are not broadcast-compatible";
  if (failed(verifyQuantParams(op, "A", op.getAScale(), op.getAZeroPoint(),
                               eltOf(op.getA()))) ||
      failed(verifyQuantParams(op, "B", op.getBScale(), op.getBZeroPoint(),
                               eltOf(op.getB()))) ||
      failed(verifyQuantParams(op, "C", op.getCScale(), op.getCZeroPoint(),
                               eltOf(op.getC()))))
    return failure();
  return checkResultShape(op, *shape);
}

LogicalResult QLinearAddOp::verify() { return verifyQLinearBinary(*this); }
LogicalResult QLinearMulOp::verify() { return verifyQLinearBinary(*this); }

LogicalResult QLinearGlobalAveragePoolOp::verify() {
  auto x = rankedType(getX());
  if (x.getRank() < 3)
    return emitOpError("input must have rank >= 3, got ") << x;
  if (failed(verifyQuantParams(*this, "x", getXScale(), getXZeroPoint(),
                               eltOf(getX()))) ||
      failed(verifyQuantParams(*this, "y", getYScale(), getYZeroPoint(),
                               eltOf(getY()))))
    return failure();
  SmallVector<int64_t> out(x.getRank(), 1);
  out[0] = x.getDimSize(0);
  out[1] = x.getDimSize(1);
  return checkResultShape(*this, out);
}

LogicalResult QLinearLookupOp::verify() {
  if (!eltOf(getX()).isInteger(8))
    return emitOpError("input must be 8-bit, got ") << eltOf(getX());
  auto table = getTable();
  if (table.getNumElements() != 256 ||
      table.getElementType() != eltOf(getY()))
    return emitOpError("table must hold 256 elements of the result type");
  return checkResultShape(*this, rankedType(getX()).getShape());
}

/// NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss: input [N, C, d...],
/// target [N, d...], weight [C], the loss's shape from the reduction.
template <typename LossOp> static LogicalResult verifyLoss(LossOp op) {
  auto x = rankedType(op.getInput()), t = rankedType(op.getTarget());
  if (x.getRank() < 2)
    return op.emitOpError("input must have rank >= 2 ([N, C, d...]), got ")
           << x;
  SmallVector<int64_t> expected{x.getDimSize(0)};
  expected.append(x.getShape().begin() + 2, x.getShape().end());
  if (t.getShape() != ArrayRef<int64_t>(expected))
    return op.emitOpError("target shape ")
           << shapeStr(t.getShape()) << " must be " << shapeStr(expected);
  if (op.getWeight() &&
      rankedType(op.getWeight()).getShape() !=
          ArrayRef<int64_t>{x.getDimSize(1)})
    return op.emitOpError("weight must have shape [")
           << x.getDimSize(1) << "] (one per class)";
  StringRef r = op.getReduction();
  if (r != "none" && r != "sum" && r != "mean")
    return op.emitOpError("reduction must be none, sum or mean, got '")
           << r << "'";
  auto loss = rankedType(op->getResult(0));
  if (r == "none" ? loss.getShape() != t.getShape() : loss.getRank() != 0)
    return op.emitOpError("loss shape ")
           << shapeStr(loss.getShape()) << " does not match reduction '" << r
           << "'";
  if (op->getNumResults() > 1 &&
      rankedType(op->getResult(1)).getShape() != x.getShape())
    return op.emitOpError("log_prob must have the scores' shape");
  return success();
}

LogicalResult NegativeLogLikelihoodLossOp::verify() { return verifyLoss(*this); }
LogicalResult SoftmaxCrossEntropyLossOp::verify() { return verifyLoss(*this); }

LogicalResult DynamicQuantizeLinearOp::verify() {
  Type elt = eltOf(getY());
  if (!(elt.isUnsignedInteger(8) || elt.isSignlessInteger(8)))
    return emitOpError("y must be uint8 (or its int8 view), got ") << elt;
  if (eltOf(getYZeroPoint()) != elt)
    return emitOpError("y_zero_point must have y's type ") << elt;
  if (rankedType(getYScale()).getRank() != 0 ||
      rankedType(getYZeroPoint()).getRank() != 0)
    return emitOpError("y_scale and y_zero_point must be scalars");
  return checkResultShape(*this, rankedType(getX()).getShape());
}

LogicalResult QLinearRequantizeOp::verify() {
  if (failed(verifyQuantParams(*this, "x", getXScale(), getXZeroPoint(),
                               eltOf(getX()))) ||
      failed(verifyQuantParams(*this, "y", getYScale(), getYZeroPoint(),
                               eltOf(getY()))))
    return failure();
  return checkResultShape(*this, rankedType(getX()).getShape());
}

//===----------------------------------------------------------------------===//
// Pooling and normalization over channels
//===----------------------------------------------------------------------===//

LogicalResult GlobalMaxPoolOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto x = rankedType(getX());
  if (x.getRank() < 3)
    return emitOpError("input must have rank >= 3, got ") << x;
  SmallVector<int64_t> out(x.getShape());
  std::fill(out.begin() + 2, out.end(), 1);
  return checkResultShape(*this, out);
}

LogicalResult LRNOp::verify() {
  if ((int64_t)getSize() < 1)
    return emitOpError("size must be positive, got ") << getSize();
  if (rankedType(getX()).getRank() < 2)
    return emitOpError("input must have rank >= 2 ([N, C, ...])");
  return success();
}

LogicalResult MeanVarianceNormalizationOp::verify() {
  int64_t rank = rankedType(getX()).getRank();
  for (int64_t a : getI64Array(getAxes()))
    if (a < -rank || a >= rank)
      return emitOpError("axis ") << a << " out of range for rank " << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// Data-addressed ops
//===----------------------------------------------------------------------===//

static LogicalResult verifyScatterReduction(Operation *op, StringRef r) {
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return op->emitOpError("reduction must be none, add, mul, max or min, "
                           "got '")
           << r << "'";
  return success();
}

/// Index tuples of GatherND/ScatterND: their length (the last dimension of
/// `indices`) must be static and address at most `available` dimensions.
static FailureOr<int64_t> tupleLength(Operation *op, Value indices,
                                      int64_t available) {
  auto it = rankedType(indices);
  if (it.getRank() < 1)
    return op->emitOpError("indices must have rank >= 1");
  int64_t k = it.getShape().back();
  if (k < 1 || k > available)
    return op->emitOpError("index tuples of length ")
           << k << " for " << available << " addressable dimensions";
  return k;
}

LogicalResult GatherNDOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto dt = rankedType(getData()), it = rankedType(getIndices());
  int64_t b = getBatchDims();
  if (b < 0 || b >= std::min(dt.getRank(), it.getRank()))
    return emitOpError("batch_dims ")
           << b << " must be below the ranks of data and indices";
  if (dt.getShape().take_front(b) != it.getShape().take_front(b))
    return emitOpError("data and indices differ in their batch dimensions");
  auto k = tupleLength(*this, getIndices(), dt.getRank() - b);
  if (failed(k))
    return failure();
  SmallVector<int64_t> out(it.getShape().drop_back());
  out.append(dt.getShape().begin() + b + *k, dt.getShape().end());
  return checkResultShape(*this, out);
}

LogicalResult ScatterElementsOp::verify() {
  if (failed(checkStatic(*this)) ||
      failed(verifyScatterReduction(*this, getReduction())))
    return failure();
  auto dt = rankedType(getData()), it = rankedType(getIndices()),
       ut = rankedType(getUpdates());
  if (it.getShape() != ut.getShape())
    return emitOpError("indices ")
           << shapeStr(it.getShape()) << " and updates "
           << shapeStr(ut.getShape()) << " differ in shape";
  if (it.getRank() != dt.getRank())
    return emitOpError("indices must have the rank of data");
  if (ut.getElementType() != dt.getElementType())
    return emitOpError("updates must have the element type of data");
  int64_t rank = dt.getRank(), axis = getAxis();
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis && it.getDimSize(i) > dt.getDimSize(i))
      return emitOpError("indices exceed data in dimension ") << i;
  if (failed(verifyConstantIndices(*this, getData(), getIndices(), axis)))
    return failure();
  return checkResultShape(*this, dt.getShape());
}

LogicalResult MelWeightMatrixOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  for (Value v : getOperands())
    if (rankedType(v).getNumElements() != 1)
      return emitOpError("inputs must be scalars");
  auto rt = rankedType(getOutput());
  if (rt.getRank() != 2)
    return emitOpError("result must be [dft_length / 2 + 1, num_mel_bins]");
  if (auto bins = whittle::getConstantInts(getNumMelBins()))
    if ((*bins)[0] != rt.getDimSize(1))
      return emitOpError("num_mel_bins ") << (*bins)[0]
                                          << " does not match the result's "
                                          << rt.getDimSize(1) << " columns";
  if (auto len = whittle::getConstantInts(getDftLength()))
    if ((*len)[0] / 2 + 1 != rt.getDimSize(0))
      return emitOpError("dft_length ") << (*len)[0]
                                        << " does not match the result's "
                                        << rt.getDimSize(0) << " rows";
  return success();
}

int64_t STFTOp::frameLength() {
  auto rt = rankedType(getOutput());
  if (getWindow())
    return rankedType(getWindow()).getNumElements();
  if (getFrameLength())
    if (auto len = whittle::getConstantInts(getFrameLength());
        len && len->size() == 1)
      return (*len)[0];
  // From the bins: onesided ones fix the length up to its parity; the
  // run-time frame_length is checked against this one.
  int64_t bins = rt.getDimSize(2);
  return getOnesided() ? 2 * (bins - 1) : bins;
}

LogicalResult STFTOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto xt = rankedType(getSignal()), rt = rankedType(getOutput());
  if (xt.getRank() != 3 ||
      (xt.getDimSize(2) != 1 && xt.getDimSize(2) != 2))
    return emitOpError("signal must be [batch, length, 1 or 2], got ") << xt;
  if (rt.getRank() != 4 || rt.getDimSize(0) != xt.getDimSize(0) ||
      rt.getDimSize(3) != 2)
    return emitOpError("result must be [batch, frames, bins, 2], got ") << rt;
  if (rankedType(getFrameStep()).getNumElements() != 1 ||
      (getFrameLength() &&
       rankedType(getFrameLength()).getNumElements() != 1))
    return emitOpError("frame_step and frame_length must be scalars");
  if (getWindow() && rankedType(getWindow()).getRank() != 1)
    return emitOpError("window must have rank 1");
  int64_t len = frameLength();
  if (len < 1 || len > xt.getDimSize(1))
    return emitOpError("frame length ")
           << len << " does not fit the signal's " << xt.getDimSize(1)
           << " samples";
  int64_t bins = getOnesided() ? len / 2 + 1 : len;
  if (rt.getDimSize(2) != bins)
    return emitOpError("result has ")
           << rt.getDimSize(2) << " bins, a frame of " << len << " gives "
           << bins;
  if (auto step = whittle::getConstantInts(getFrameStep())) {
    if ((*step)[0] < 1)
      return emitOpError("frame_step must be positive, got ") << (*step)[0];
    int64_t frames = (xt.getDimSize(1) - len) / (*step)[0] + 1;
    if (rt.getDimSize(1) != frames)
      return emitOpError("result has ")
             << rt.getDimSize(1) << " frames, the signal gives " << frames;
  }
  return success();
}

LogicalResult MaxUnpoolOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto xt = rankedType(getX()), it = rankedType(getI()),
       yt = rankedType(getOutput());
  int64_t rank = xt.getRank();
  if (rank < 3)
    return emitOpError("X must have rank >= 3, got ") << xt;
  if (it.getShape() != xt.getShape())
    return emitOpError("I must have the shape of X");
  if (yt.getRank() != rank || yt.getElementType() != xt.getElementType())
    return emitOpError("result must have X's rank and element type");
  auto kernel = getI64Array(getKernelShape());
  size_t n = rank - 2;
  if (kernel.size() != n)
    return emitOpError("kernel_shape needs ") << n << " values";
  SmallVector<int64_t> strides(n, 1), pads(2 * n, 0);
  if (getStrides())
    strides = getI64Array(*getStrides());
  if (getPads())
    pads = getI64Array(*getPads());
  if (strides.size() != n || pads.size() != 2 * n)
    return emitOpError("strides need ") << n << " values and pads " << 2 * n;
  SmallVector<int64_t> expected = {xt.getDimSize(0), xt.getDimSize(1)};
  for (size_t i = 0; i < n; ++i) {
    expected.push_back((xt.getDimSize(2 + i) - 1) * strides[i] - pads[i] -
                       pads[i + n] + kernel[i]);
    if (expected.back() <= 0)
      return emitOpError("kernel, strides and pads give no output along "
                         "spatial dimension ")
             << i;
  }
  if (!getOutputShape())
    return checkResultShape(*this, expected);
  // A given output_shape may only enlarge the default one (padding).
  if (rankedType(getOutputShape()).getNumElements() != rank)
    return emitOpError("output_shape must hold ") << rank << " values";
  for (int64_t d = 0; d < rank; ++d)
    if (yt.getDimSize(d) < expected[d] || (d < 2 && yt.getDimSize(d) !=
                                                        expected[d]))
      return emitOpError("result shape ")
             << shapeStr(yt.getShape()) << " is smaller than the unpooled "
             << shapeStr(expected);
  if (auto given = whittle::getConstantInts(getOutputShape()))
    if (ArrayRef<int64_t>(*given) != yt.getShape())
      return emitOpError("output_shape ")
             << shapeStr(*given) << " does not match the result shape "
             << shapeStr(yt.getShape());
  return success();
}

LogicalResult ScatterNDOp::verify() {
  if (failed(checkStatic(*this)) ||
      failed(verifyScatterReduction(*this, getReduction())))
    return failure();
  auto dt = rankedType(getData()), it = rankedType(getIndices()),
       ut = rankedType(getUpdates());
  auto k = tupleLength(*this, getIndices(), dt.getRank());
  if (failed(k))
    return failure();
  SmallVector<int64_t> expected(it.getShape().drop_back());
  expected.append(dt.getShape().begin() + *k, dt.getShape().end());
  if (ut.getShape() != ArrayRef<int64_t>(expected))
    return emitOpError("updates have shape ")
           << shapeStr(ut.getShape()) << ", expected " << shapeStr(expected);
  if (ut.getElementType() != dt.getElementType())
    return emitOpError("updates must have the element type of data");
  return checkResultShape(*this, dt.getShape());
}

LogicalResult OneHotOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto it = rankedType(getIndices()), rt = rankedType(getOutput());
  int64_t rank = it.getRank() + 1, axis = getAxis();
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  if (rankedType(getDepth()).getNumElements() != 1)
    return emitOpError("depth must hold one value");
  if (rankedType(getValues()).getNumElements() != 2 ||
      eltOf(getValues()) != rt.getElementType())
    return emitOpError("values must be [off, on] of the result type");
  if (rt.getRank() != rank)
    return emitOpError("result must have rank ") << rank;
  SmallVector<int64_t> out(it.getShape());
  out.insert(out.begin() + axis, rt.getDimSize(axis));
  if (auto depth = whittle::getConstantDoubles(getDepth()))
    if ((int64_t)(*depth)[0] != rt.getDimSize(axis))
      return emitOpError("depth ") << (int64_t)(*depth)[0]
                                   << " does not match the result's "
                                   << rt.getDimSize(axis);
  return checkResultShape(*this, out);
}

LogicalResult RangeOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  Type elt = rankedType(getOutput()).getElementType();
  for (Value v : {getStart(), getLimit(), getDelta()})
    if (rankedType(v).getNumElements() != 1 || eltOf(v) != elt)
      return emitOpError("start, limit and delta must be scalars of the "
                         "result type");
  if (rankedType(getOutput()).getRank() != 1)
    return emitOpError("result must have rank 1");
  auto start = whittle::getConstantDoubles(getStart());
  auto limit = whittle::getConstantDoubles(getLimit());
  auto delta = whittle::getConstantDoubles(getDelta());
  if (delta && (*delta)[0] == 0)
    return emitOpError("delta must not be 0");
  if (start && limit && delta) {
    double n = std::ceil(((double)(*limit)[0] - (*start)[0]) / (*delta)[0]);
    return checkResultShape(*this, {std::max<int64_t>((int64_t)n, 0)});
  }
  return success();
}

LogicalResult CumSumOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  int64_t rank = rankedType(getX()).getRank();
  if (rankedType(getAxis()).getNumElements() != 1)
    return emitOpError("axis must hold one value");
  if (auto axis = whittle::getConstantInts(getAxis()))
    if ((*axis)[0] < -rank || (*axis)[0] >= rank)
      return emitOpError("axis ") << (*axis)[0] << " out of range for rank "
                                  << rank;
  return checkResultShape(*this, rankedType(getX()).getShape());
}

template <typename WindowOp> static LogicalResult verifyWindow(WindowOp op) {
  if (failed(checkStatic(op)))
    return failure();
  auto rt = rankedType(op.getOutput());
  if (rankedType(op.getSize()).getNumElements() != 1 || rt.getRank() != 1)
    return op.emitOpError("size must be a scalar and the result 1-D");
  if (auto size = whittle::getConstantInts(op.getSize()))
    return checkResultShape(op, {(*size)[0]});
  return success();
}
LogicalResult HannWindowOp::verify() { return verifyWindow(*this); }
LogicalResult HammingWindowOp::verify() { return verifyWindow(*this); }
LogicalResult BlackmanWindowOp::verify() { return verifyWindow(*this); }

LogicalResult GridSampleOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  StringRef mode = getMode(), pad = getPaddingMode();
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return emitOpError("mode must be bilinear, nearest or bicubic, got '")
           << mode << "'";
  if (pad != "zeros" && pad != "border" && pad != "reflection")
    return emitOpError("padding_mode must be zeros, border or reflection, "
                       "got '")
           << pad << "'";
  auto x = rankedType(getX()), g = rankedType(getGrid());
  if (x.getRank() != 4 || g.getRank() != 4 || g.getDimSize(3) != 2 ||
      g.getDimSize(0) != x.getDimSize(0))
    return emitOpError("expects X [N, C, H, W] and grid [N, H_out, W_out, 2]");
  return checkResultShape(*this, {x.getDimSize(0), x.getDimSize(1),
                                  g.getDimSize(1), g.getDimSize(2)});
}

LogicalResult TopKOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto x = rankedType(getX());
  int64_t rank = x.getRank(), axis = getAxis();
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  if (rankedType(getK()).getNumElements() != 1)
    return emitOpError("K must hold one value");
  auto v = rankedType(getValues());
  if (v.getRank() != rank)
    return emitOpError("results must have the input's rank");
  int64_t k = v.getDimSize(axis);
  if (k > x.getDimSize(axis))
    return emitOpError("k = ") << k << " exceeds the axis extent "
                               << x.getDimSize(axis);
  if (auto kc = whittle::getConstantInts(getK()))
    if ((*kc)[0] != k)
      return emitOpError("K = ") << (*kc)[0] << " does not match the result's "
                                 << k;
  SmallVector<int64_t> out(x.getShape());
  out[axis] = k;
  if (rankedType(getIndices()).getShape() != ArrayRef<int64_t>(out))
    return emitOpError("indices must have the values' shape");
  return checkResultShape(*this, out);
}

LogicalResult ReverseSequenceOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto x = rankedType(getInput());
  int64_t b = getBatchAxis(), t = getTimeAxis();
  if (x.getRank() < 2 || (b != 0 && b != 1) || (t != 0 && t != 1) || b == t)
    return emitOpError("expects rank >= 2 and batch_axis, time_axis a "
                       "permutation of 0 and 1");
  if (rankedType(getSequenceLens()).getShape() !=
      ArrayRef<int64_t>{x.getDimSize(b)})
    return emitOpError("sequence_lens must hold one length per batch entry");
  return checkResultShape(*this, x.getShape());
}

LogicalResult EinsumOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Value v : getInputs()) {
    shapes.push_back(rankedType(v).getShape());
    if (eltOf(v) != eltOf(getOutput()))
      return emitOpError("operands must have the result's element type");
  }
  std::string err;
  auto spec = parseEinsum(getEquation(), shapes, err);
  if (!spec)
    return emitOpError(err);
  SmallVector<int64_t> out;
  for (int64_t l : spec->result)
    out.push_back(spec->extents[l]);
  return checkResultShape(*this, out);
}

LogicalResult ResizeOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  StringRef mode = getMode(), ctm = getCoordinateTransformationMode(),
            nearest = getNearestMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOpError("mode must be nearest, linear or cubic, got '")
           << mode << "'";
  if (ctm != "half_pixel" && ctm != "pytorch_half_pixel" &&
      ctm != "align_corners" && ctm != "asymmetric" &&
      ctm != "tf_crop_and_resize" && ctm != "tf_half_pixel_for_nn")
    return emitOpError("coordinate_transformation_mode '")
           << ctm << "' is not supported";
  if (nearest != "round_prefer_floor" && nearest != "round_prefer_ceil" &&
      nearest != "floor" && nearest != "ceil")
    return emitOpError("nearest_mode '") << nearest << "' is not supported";
  auto xt = rankedType(getX()), rt = rankedType(getY());
  int64_t rank = xt.getRank();
  if (rt.getRank() != rank || rt.getElementType() != xt.getElementType())
    return emitOpError("result must have the input's rank and element type");
  if (mode != "nearest" && !llvm::isa<FloatType>(xt.getElementType()))
    return emitOpError(mode) << " interpolation needs a float tensor";
  if ((bool)getScales() == (bool)getSizes())
    return emitOpError("exactly one of scales and sizes must be given");
  if (getScales() && rankedType(getScales()).getNumElements() != rank)
    return emitOpError("scales must hold one value per dimension");
  if (getSizes()) {
    if (rankedType(getSizes()).getNumElements() != rank)
      return emitOpError("sizes must hold one value per dimension");
    if (auto sizes = whittle::getConstantInts(getSizes()))
      if (ArrayRef<int64_t>(*sizes) != rt.getShape())
        return emitOpError("sizes ") << shapeStr(*sizes)
                                     << " do not match the result shape "
                                     << shapeStr(rt.getShape());
  }
  if (ctm == "tf_crop_and_resize" &&
      (!getRoi() || rankedType(getRoi()).getNumElements() != 2 * rank))
    return emitOpError("tf_crop_and_resize needs roi with 2 x rank values");
  if (auto scales = whittle::getConstantFloats(getScales()))
    for (int64_t i = 0; i < rank; ++i)
      if ((*scales)[i] <= 0 ||
          (int64_t)std::floor(xt.getDimSize(i) * (double)(*scales)[i]) !=
              rt.getDimSize(i))
        return emitOpError("scale ") << (*scales)[i] << " of dimension " << i
                                     << " does not give its extent "
                                     << rt.getDimSize(i);
  return success();
}

//===----------------------------------------------------------------------===//
// Recurrent ops
//===----------------------------------------------------------------------===//

/// RNN (1 gate), GRU (3) and LSTM (4): the weights' and states' shapes from
/// X and hidden_size, and the results' in `layout`.
template <typename RecurrentOp>
static LogicalResult verifyRecurrent(RecurrentOp op, int64_t gates,
                                     int64_t activationsPerDirection) {
  if (failed(checkStatic(op)))
    return failure();
  StringRef dir = op.getDirection();
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    return op.emitOpError("direction must be forward, reverse or "
                          "bidirectional, got '")
           << dir << "'";
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  int64_t h = (int64_t)op.getHiddenSize(), layout = (int64_t)op.getLayout();
  if (h < 1)
    return op.emitOpError("hidden_size must be positive");
  if (layout != 0 && layout != 1)
    return op.emitOpError("layout must be 0 or 1");
  auto x = rankedType(op.getX());
  if (x.getRank() != 3)
    return op.emitOpError("X must have rank 3, got ") << x;
  int64_t seq = x.getDimSize(layout), batch = x.getDimSize(1 - layout),
          in = x.getDimSize(2);
  auto expect = [&](Value v, StringRef name,
                    ArrayRef<int64_t> shape) -> LogicalResult {
    if (v && rankedType(v).getShape() != shape)
      return op.emitOpError(name) << " has shape "
                                  << shapeStr(rankedType(v).getShape())
                                  << ", expected " << shapeStr(shape);
    return success();
  };
  SmallVector<int64_t> state =
      layout ? SmallVector<int64_t>{batch, dirs, h}
             : SmallVector<int64_t>{dirs, batch, h};
  SmallVector<int64_t> y =
      layout ? SmallVector<int64_t>{batch, seq, dirs, h}
             : SmallVector<int64_t>{seq, dirs, batch, h};
  if (failed(expect(op.getW(), "W", {dirs, gates * h, in})) ||
      failed(expect(op.getR(), "R", {dirs, gates * h, h})) ||
      failed(expect(op.getB(), "B", {dirs, 2 * gates * h})) ||
      failed(expect(op.getSequenceLens(), "sequence_lens", {batch})) ||
      failed(expect(op.getInitialH(), "initial_h", state)) ||
      failed(expect(op.getY(), "Y", y)) ||
      failed(expect(op.getYH(), "Y_h", state)))
    return failure();
  if (auto acts = op.getActivations())
    if ((int64_t)acts->size() != dirs * activationsPerDirection)
      return op.emitOpError("expected ")
             << dirs * activationsPerDirection << " activations, got "
             << acts->size();
  return success();
}

LogicalResult RNNOp::verify() { return verifyRecurrent(*this, 1, 1); }
LogicalResult GRUOp::verify() { return verifyRecurrent(*this, 3, 2); }
LogicalResult LSTMOp::verify() {
  if (failed(verifyRecurrent(*this, 4, 3)))
    return failure();
  int64_t dirs = getDirection() == "bidirectional" ? 2 : 1;
  int64_t h = (int64_t)getHiddenSize();
  if (getP() && rankedType(getP()).getShape() !=
                    ArrayRef<int64_t>{dirs, 3 * h})
    return emitOpError("P must have shape [") << dirs << ", " << 3 * h << "]";
  if (getInitialC() && getInitialH() &&
      rankedType(getInitialC()).getShape() !=
          rankedType(getInitialH()).getShape())
    return emitOpError("initial_c must have initial_h's shape");
  if (getYC() && getYH() &&
      rankedType(getYC()).getShape() != rankedType(getYH()).getShape())
    return emitOpError("Y_c must have Y_h's shape");
  return success();
}

LogicalResult DetOp::verify() {
  auto x = rankedType(getX());
  if (x.getRank() < 2 || x.getDimSize(x.getRank() - 1) !=
                             x.getDimSize(x.getRank() - 2))
    return emitOpError("expects square matrices in the last two dimensions, "
                       "got ")
           << x;
  return checkResultShape(*this, x.getShape().drop_back(2));
}

//===----------------------------------------------------------------------===//
// Optimizer steps (ai.onnx.preview.training)
//===----------------------------------------------------------------------===//

/// n tensors with `kinds` inputs each (X, G and the states, grouped by
/// kind) and `kinds - 1` outputs each; every kind's i-th tensor has X_i's
/// type, R and T are scalars.
static LogicalResult verifyOptimizer(Operation *op, ValueRange inputs,
                                     ValueRange outputs, Value r, Value t,
                                     unsigned kinds) {
  if (inputs.empty() || inputs.size() % kinds != 0)
    return op->emitOpError("expects ")
           << kinds << " inputs per optimized tensor after R and T, got "
           << inputs.size();
  size_t n = inputs.size() / kinds;
  if (outputs.size() != n * (kinds - 1))
    return op->emitOpError("expects ")
           << n * (kinds - 1) << " outputs for " << n << " tensors, got "
           << outputs.size();
  if (rankedType(r).getNumElements() != 1 || rankedType(t).getNumElements() != 1)
    return op->emitOpError("R and T must be scalars");
  for (size_t i = 0; i < n; ++i) {
    Type x = inputs[i].getType();
    for (unsigned k = 1; k < kinds; ++k)
      if (inputs[k * n + i].getType() != x)
        return op->emitOpError("input ")
               << k * n + i + 2 << " must have X_" << i + 1 << "'s type " << x;
    for (unsigned k = 0; k + 1 < kinds; ++k)
      if (outputs[k * n + i].getType() != x)
        return op->emitOpError("output ")
               << k * n + i << " must have X_" << i + 1 << "'s type " << x;
  }
  if (rankedType(r).getElementType() != rankedType(inputs[0]).getElementType())
    return op->emitOpError("R must have X's element type");
  return success();
}

LogicalResult AdagradOp::verify() {
  return verifyOptimizer(*this, getInputs(), getOutputs(), getR(), getT(), 3);
}

LogicalResult MomentumOp::verify() {
  if (getMode() != "standard" && getMode() != "nesterov")
    return emitOpError("mode must be 'standard' or 'nesterov', got '")
           << getMode() << "'";
  return verifyOptimizer(*this, getInputs(), getOutputs(), getR(), getT(), 3);
}

LogicalResult AdamOp::verify() {
  return verifyOptimizer(*this, getInputs(), getOutputs(), getR(), getT(), 4);
}

LogicalResult AssumeEqualOp::verify() {
  auto attr = whittle::getConstantAttr(getInput());
  if (!attr)
    return success();
  // A constant that breaks the assumption fails every run: say so now.
  bool isBool = attr.getElementType().isInteger(1);
  auto expected = static_cast<int64_t>(getExpected());
  auto values = whittle::getConstantInts(getInput());
  if (values)
    for (int64_t v : *values)
      if (isBool ? (v != 0) != (expected != 0) : v != expected)
        return emitOpError(getMessage()) << " (the value is " << v << ")";
  return success();
}

#define GET_OP_CLASSES
#include "whittle/Dialect/ONNX/IR/ONNXOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Data-selected extents (NonZero, Compress, Unique, NonMaxSuppression)
//===----------------------------------------------------------------------===//

/// The axis of an op selecting slices along an optional `axis` (absent:
/// elements of the flattened input), made non-negative; `shape` gets the
/// input's shape seen that way.
static FailureOr<int64_t> selectionAxis(Operation *op,
                                        std::optional<uint64_t> attr,
                                        RankedTensorType x,
                                        SmallVector<int64_t> &shape) {
  if (!attr) {
    shape.assign(1, x.getNumElements());
    return 0;
  }
  int64_t rank = x.getRank(), axis = (int64_t)*attr;
  if (axis < -rank || axis >= rank)
    return op->emitOpError("axis ") << axis << " out of range for rank "
                                    << rank;
  shape.assign(x.getShape().begin(), x.getShape().end());
  return axis < 0 ? axis + rank : axis;
}

LogicalResult NonZeroOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto x = rankedType(getX()), y = rankedType(getY());
  int64_t rank = std::max<int64_t>(x.getRank(), 1);
  if (y.getRank() != 2 || y.getDimSize(0) != rank)
    return emitOpError("result must be [") << rank << ", count], got "
                                           << shapeStr(y.getShape());
  if (y.getDimSize(1) > x.getNumElements())
    return emitOpError("result extent ")
           << y.getDimSize(1) << " exceeds the " << x.getNumElements()
           << " input elements";
  return success();
}

LogicalResult CompressOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto x = rankedType(getInput()), c = rankedType(getCondition());
  auto y = rankedType(getOutput());
  if (c.getRank() != 1)
    return emitOpError("condition must be 1-D");
  if (x.getElementType() != y.getElementType())
    return emitOpError("result must have the input's element type");
  SmallVector<int64_t> shape;
  auto axisOr = selectionAxis(*this, getAxis(), x, shape);
  if (failed(axisOr))
    return failure();
  int64_t axis = *axisOr, extent = shape[axis];
  if (c.getDimSize(0) > extent)
    return emitOpError("condition has ")
           << c.getDimSize(0) << " entries for an axis of " << extent;
  if (y.getRank() != (int64_t)shape.size())
    return emitOpError("result rank must be ") << shape.size();
  int64_t kept = y.getDimSize(axis);
  if (kept > c.getDimSize(0))
    return emitOpError("result keeps ")
           << kept << " slices of " << c.getDimSize(0) << " conditions";
  shape[axis] = kept;
  return checkResultShape(*this, shape);
}

LogicalResult UniqueOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto x = rankedType(getX()), y = rankedType(getY());
  if (x.getElementType() != y.getElementType())
    return emitOpError("Y must have X's element type");
  SmallVector<int64_t> shape;
  auto axisOr = selectionAxis(*this, getAxis(), x, shape);
  if (failed(axisOr))
    return failure();
  int64_t axis = *axisOr, n = shape[axis];
  if (y.getRank() != (int64_t)shape.size())
    return emitOpError("Y's rank must be ") << shape.size();
  int64_t k = y.getDimSize(axis);
  if (k > n || (k == 0 && n != 0))
    return emitOpError("Y holds ") << k << " distinct slices of " << n;
  shape[axis] = k;
  if (failed(checkResultShape(*this, shape)))
    return failure();
  for (auto [v, extent] : {std::pair(getIndices(), k),
                           std::pair(getInverseIndices(), n),
                           std::pair(getCounts(), k)})
    if (v && rankedType(v).getShape() != ArrayRef<int64_t>{extent})
      return emitOpError("indices and counts must be [")
             << k << "], inverse_indices [" << n << "]";
  return success();
}

LogicalResult NonMaxSuppressionOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto boxes = rankedType(getBoxes()), scores = rankedType(getScores());
  if (boxes.getRank() != 3 || boxes.getDimSize(2) != 4 ||
      scores.getRank() != 3 || scores.getDimSize(0) != boxes.getDimSize(0) ||
      scores.getDimSize(2) != boxes.getDimSize(1))
    return emitOpError("expects boxes [N, boxes, 4] and scores [N, classes, "
                       "boxes], got ")
           << shapeStr(boxes.getShape()) << " and "
           << shapeStr(scores.getShape());
  for (Value v : {getMaxOutputBoxesPerClass(), getIouThreshold(),
                  getScoreThreshold()})
    if (v && rankedType(v).getNumElements() != 1)
      return emitOpError("max_output_boxes_per_class and the thresholds must "
                         "hold one value each");
  if (getCenterPointBox() != 0 && getCenterPointBox() != 1)
    return emitOpError("center_point_box must be 0 or 1");
  auto y = rankedType(getSelectedIndices());
  int64_t most = boxes.getDimSize(0) * scores.getDimSize(1) *
                 boxes.getDimSize(1);
  if (y.getRank() != 2 || y.getDimSize(1) != 3 || y.getDimSize(0) > most)
    return emitOpError("result must be [count, 3] with count at most ")
           << most << ", got " << shapeStr(y.getShape());
  return success();
}

LogicalResult RoiAlignOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto x = rankedType(getX()), rois = rankedType(getRois());
  auto idx = rankedType(getBatchIndices());
  if (x.getRank() != 4 || rois.getRank() != 2 || rois.getDimSize(1) != 4 ||
      idx.getShape() != ArrayRef<int64_t>{rois.getDimSize(0)})
    return emitOpError("expects X [N, C, H, W], rois [R, 4] and "
                       "batch_indices [R]");
  if (getMode() != "avg" && getMode() != "max")
    return emitOpError("mode must be avg or max, got '") << getMode() << "'";
  StringRef ct = getCoordinateTransformationMode();
  if (ct != "half_pixel" && ct != "output_half_pixel")
    return emitOpError("coordinate_transformation_mode must be half_pixel or "
                       "output_half_pixel, got '")
           << ct << "'";
  if (getOutputHeight() < 1 || getOutputWidth() < 1 || getSamplingRatio() < 0)
    return emitOpError("output_height and output_width must be positive and "
                       "sampling_ratio not negative");
  if (rankedType(getRois()).getElementType() != x.getElementType() ||
      rankedType(getY()).getElementType() != x.getElementType())
    return emitOpError("X, rois and Y must have one element type");
  return checkResultShape(*this, {rois.getDimSize(0), x.getDimSize(1),
                                  (int64_t)getOutputHeight(),
                                  (int64_t)getOutputWidth()});
}

LogicalResult TfIdfVectorizerOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  if (getPoolStrings())
    return emitOpError("string pools are not supported (whittle has no "
                       "string tensors); use pool_int64s");
  if (!getPoolInt64s())
    return emitOpError("needs pool_int64s");
  StringRef mode = getMode();
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return emitOpError("mode must be TF, IDF or TFIDF, got '") << mode << "'";
  int64_t minN = getMinGramLength(), maxN = getMaxGramLength();
  if (minN < 1 || maxN < minN || getMaxSkipCount() < 0)
    return emitOpError("needs 1 <= min_gram_length <= max_gram_length and "
                       "max_skip_count >= 0");
  auto counts = getNgramCounts().getValue();
  int64_t pool = getPoolInt64s()->size(), grams = 0;
  for (auto [i, a] : llvm::enumerate(counts)) {
    int64_t begin = llvm::cast<IntegerAttr>(a).getInt();
    int64_t end = i + 1 < counts.size()
                      ? llvm::cast<IntegerAttr>(counts[i + 1]).getInt()
                      : pool;
    if (begin < 0 || end < begin || end > pool || (end - begin) % (i + 1))
      return emitOpError("ngram_counts entry ")
             << i << " does not split the pool into " << i + 1 << "-grams";
    grams += (end - begin) / (i + 1);
  }
  auto indexes = getNgramIndexes().getValue();
  if ((int64_t)indexes.size() != grams)
    return emitOpError("ngram_indexes has ")
           << indexes.size() << " entries for " << grams << " n-grams";
  int64_t width = 0;
  for (Attribute a : indexes) {
    int64_t j = llvm::cast<IntegerAttr>(a).getInt();
    if (j < 0)
      return emitOpError("negative ngram_indexes entry ") << j;
    width = std::max(width, j + 1);
  }
  // ONNX Runtime reads weights by output column.
  if (auto w = getWeights();
      w && ((int64_t)w->size() != grams || (int64_t)w->size() < width))
    return emitOpError("weights has ")
           << w->size() << " entries for " << grams << " n-grams and "
           << width << " columns";
  auto x = rankedType(getX());
  if (x.getRank() != 1 && x.getRank() != 2)
    return emitOpError("X must be [C] or [N, C]");
  SmallVector<int64_t> shape;
  if (x.getRank() == 2)
    shape.push_back(x.getDimSize(0));
  shape.push_back(width);
  return checkResultShape(*this, shape);
}

LogicalResult StringNormalizerOp::verify() {
  if (failed(checkStatic(*this)))
    return failure();
  auto x = rankedType(getX()), y = rankedType(getY());
  int64_t rank = x.getRank();
  if ((rank != 2 && rank != 3) || (rank == 3 && x.getDimSize(0) != 1))
    return emitOpError("expects strings [C] or [1, C] (i8 [C, W] or "
                       "[1, C, W]), got ")
           << shapeStr(x.getShape());
  StringRef action = getCaseChangeAction();
  if (action != "NONE" && action != "LOWER" && action != "UPPER")
    return emitOpError("case_change_action must be NONE, LOWER or UPPER, "
                       "got '")
           << action << "'";
  int64_t width = x.getShape().back();
  if (y.getRank() != rank || y.getShape().back() != width ||
      (rank == 3 && y.getDimSize(0) != 1) ||
      y.getDimSize(rank - 2) > std::max<int64_t>(x.getDimSize(rank - 2), 1))
    return emitOpError("result must hold at most the input's strings, of "
                       "its width, got ")
           << shapeStr(y.getShape()) << " for " << shapeStr(x.getShape());
  return success();
}
