//===- Quantize.cpp - onnx-quantize: calibrated ranges to QDQ -------------===//
//
// Part of whittle. Post-training int8 quantization expressed in ONNX's own
// QDQ form, so that calibrated float models and pre-quantized QDQ models
// reach the integer kernels through the same pass (onnx-fuse-qdq).
//
//===----------------------------------------------------------------------===//

#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"
#include "whittle/Dialect/ONNX/Transforms/Quantization.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace whittle {
#define GEN_PASS_DEF_QUANTIZEPASS
#include "whittle/Dialect/ONNX/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace whittle {

AffineQuant paramsForRange(double lo, double hi, unsigned bits) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  AffineQuant p;
  p.bits = bits;
  if (bits == 16) {
    double amax = std::max(-lo, hi);
    p.scale = amax > 0 ? amax / 32767.0 : 1.0;
    p.scale = std::max((double)(float)p.scale, (double)FLT_MIN);
    return p;
  }
  // An all-zero tensor still needs a valid (positive) scale.
  p.scale = hi - lo > 0 ? (hi - lo) / 255.0 : 1.0;
  // The f32 the model stores, never zero.
  p.scale = std::max((double)(float)p.scale, (double)FLT_MIN);
  double zp = std::nearbyint(-128.0 - lo / p.scale);
  p.zeroPoint = (int64_t)std::clamp(zp, -128.0, 127.0);
  return p;
}

std::optional<std::pair<double, double>> getRange(Value v) {
  DenseF64ArrayAttr attr;
  if (auto arg = llvm::dyn_cast<BlockArgument>(v)) {
    auto func = llvm::dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
    if (func)
      attr = func.getArgAttrOfType<DenseF64ArrayAttr>(arg.getArgNumber(),
                                                      kRangeAttr);
  } else if (v.getDefiningOp()->getNumResults() == 1) {
    attr = v.getDefiningOp()->getAttrOfType<DenseF64ArrayAttr>(kRangeAttr);
  }
  if (!attr || attr.size() != 2)
    return std::nullopt;
  return std::make_pair(attr[0], attr[1]);
}

std::optional<QuantParamsView> readQuantParams(Operation *op) {
  Value scale, zp;
  int64_t axis = 1;
  if (auto q = llvm::dyn_cast<onnx::QuantizeLinearOp>(op)) {
    scale = q.getYScale();
    zp = q.getYZeroPoint();
    axis = q.getAxis();
  } else if (auto dq = llvm::dyn_cast<onnx::DequantizeLinearOp>(op)) {
    scale = dq.getXScale();
    zp = dq.getXZeroPoint();
    axis = dq.getAxis();
  } else {
    return std::nullopt;
  }
  auto s = getConstantFloats(scale);
  if (!s || s->empty() ||
      llvm::any_of(*s, [](float v) { return !(v > 0) || std::isinf(v); }))
    return std::nullopt;
  QuantParamsView p;
  p.axis = axis;
  for (float v : *s)
    p.scale.push_back(v);
  if (zp) {
    auto z = getConstantInts(zp);
    if (!z || z->size() != s->size())
      return std::nullopt;
    p.zeroPoint.assign(z->begin(), z->end());
  } else {
    p.zeroPoint.assign(s->size(), 0);
  }
  return p;
}

Value createIntScalar(OpBuilder &b, Location loc, unsigned bits, int64_t v) {
  auto t = RankedTensorType::get({}, b.getIntegerType(bits));
  return onnx::ConstantOp::create(
      b, loc, t, DenseElementsAttr::get(t, b.getIntegerAttr(t.getElementType(), v)));
}

Value createI8Scalar(OpBuilder &b, Location loc, int64_t v) {
  return createIntScalar(b, loc, 8, v);
}

std::pair<Value, Value> createScaleZeroPoint(OpBuilder &b, Location loc,
                                             const AffineQuant &p) {
  return {createFloatConstant(b, loc, {}, {(float)p.scale}, ""),
          createIntScalar(b, loc, p.bits, p.zeroPoint)};
}

Value createQDQ(OpBuilder &b, Location loc, Value v, const AffineQuant &p,
                Value *quantized) {
  auto vt = llvm::cast<RankedTensorType>(v.getType());
  auto [scale, zp] = createScaleZeroPoint(b, loc, p);
  auto qt = RankedTensorType::get(vt.getShape(), b.getIntegerType(p.bits));
  Value q = onnx::QuantizeLinearOp::create(b, loc, qt, v, scale, zp,
                                           /*axis=*/1, /*saturate=*/1,
                                           /*block_size=*/0);
  if (quantized)
    *quantized = q;
  return onnx::DequantizeLinearOp::create(b, loc, vt, q, scale, zp,
                                          /*axis=*/1, /*block_size=*/0);
}

namespace {

/// Symmetric int8 per-channel weights: q = round(w / s_c), s_c = max|w_c| /
/// 127, channels along `axis` of `shape`.
struct QuantizedWeights {
  SmallVector<int8_t> values;
  SmallVector<float> scales;
};

QuantizedWeights quantizeWeights(ArrayRef<float> w, ArrayRef<int64_t> shape,
                                 int64_t axis) {
  int64_t channels = shape[axis], inner = 1;
  for (size_t i = axis + 1; i < shape.size(); ++i)
    inner *= shape[i];
  auto channelOf = [&](size_t i) { return (i / inner) % channels; };
  SmallVector<double> amax(channels, 0.0);
  for (size_t i = 0; i < w.size(); ++i)
    amax[channelOf(i)] = std::max(amax[channelOf(i)], (double)std::fabs(w[i]));
  // Per channel, the clipping threshold (a fraction of max|w|) with the
  // least squared error: outliers would otherwise coarsen every step.
  SmallVector<double> err(channels * 51, 0.0);
  for (size_t i = 0; i < w.size(); ++i) {
    size_t c = channelOf(i);
    if (!(amax[c] > 0))
      continue;
    for (int k = 0; k <= 50; ++k) {
      double s = amax[c] * (1.0 - 0.01 * k) / 127.0;
      double v = std::clamp(std::nearbyint(w[i] / s), -127.0, 127.0) * s;
      err[c * 51 + k] += (v - w[i]) * (v - w[i]);
    }
  }
  QuantizedWeights q;
  for (int64_t c = 0; c < channels; ++c) {
    double a = amax[c];
    if (!(a > 0)) {
      q.scales.push_back(1.0f);
      continue;
    }
    int best = 0;
    for (int k = 1; k <= 50; ++k)
      if (err[c * 51 + k] < err[c * 51 + best])
        best = k;
    q.scales.push_back((float)(a * (1.0 - 0.01 * best) / 127.0));
  }
  q.values.resize(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    double v = std::nearbyint(w[i] / (double)q.scales[channelOf(i)]);
    q.values[i] = (int8_t)std::clamp(v, -127.0, 127.0);
  }
  return q;
}

struct QuantizePass : impl::QuantizePassBase<QuantizePass> {
  using QuantizePassBase::QuantizePassBase;

  llvm::StringSet<> skipSet, int16Set;
  bool allInt16 = false;
  /// The activation width of the layer being quantized.
  unsigned bits = 8;
  DenseMap<Value, Value> dqOf; // float value -> DequantizeLinear(Quantize(v))

  static bool isDQ(Value v) {
    return v.getDefiningOp<onnx::DequantizeLinearOp>() != nullptr;
  }

  /// Parameters of an already quantized value (the DQ's), if per-tensor
  /// int8 or int16.
  static std::optional<AffineQuant> paramsOfDQ(Value v) {
    auto dq = v.getDefiningOp<onnx::DequantizeLinearOp>();
    if (!dq)
      return std::nullopt;
    Type elt =
        llvm::cast<RankedTensorType>(dq.getX().getType()).getElementType();
    if (!isQuantizedType(elt))
      return std::nullopt;
    auto p = readQuantParams(dq);
    if (!p || !p->perTensor())
      return std::nullopt;
    return AffineQuant{p->scale[0], p->zeroPoint[0],
                       elt.getIntOrFloatBitWidth()};
  }

  /// Range of a float activation: calibrated, or a constant's extremes.
  static std::optional<std::pair<double, double>> rangeOf(Value v) {
    if (auto r = getRange(v))
      return r;
    if (auto c = getConstantFloats(v); c && !c->empty()) {
      auto [lo, hi] = std::minmax_element(c->begin(), c->end());
      return std::make_pair((double)*lo, (double)*hi);
    }
    return std::nullopt;
  }

  /// int8 view of a float operand: existing DQ, or a new shared Q/DQ pair
  /// right after its definition.
  Value quantizedOperand(OpBuilder &b, Value v) {
    if (isDQ(v))
      return v;
    if (auto it = dqOf.find(v); it != dqOf.end())
      return it->second;
    auto r = rangeOf(v);
    if (!r)
      return {};
    OpBuilder::InsertionGuard g(b);
    if (auto arg = llvm::dyn_cast<BlockArgument>(v))
      b.setInsertionPointToStart(arg.getOwner());
    else
      b.setInsertionPointAfter(v.getDefiningOp());
    Value dq = createQDQ(b, v.getLoc(), v,
                         paramsForRange(r->first, r->second, bits));
    dqOf[v] = dq;
    return dq;
  }

  /// Quantizes `result` (all its uses go through Q/DQ) with `p`.
  void quantizeResult(OpBuilder &b, Value result, const AffineQuant &p) {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointAfterValue(result);
    Value q;
    Value dq = createQDQ(b, result.getLoc(), result, p, &q);
    result.replaceAllUsesExcept(dq, q.getDefiningOp());
    dqOf[result] = dq;
  }

  bool quantizeResultFromRange(OpBuilder &b, Value result) {
    auto r = getRange(result);
    if (!r)
      return false;
    quantizeResult(b, result, paramsForRange(r->first, r->second, bits));
    return true;
  }

  /// DequantizeLinear of constant int8 weights with per-channel scales.
  Value quantizedWeights(OpBuilder &b, Location loc, Value w, int64_t axis,
                         SmallVector<float> &scales) {
    auto wt = llvm::cast<RankedTensorType>(w.getType());
    auto vals = getConstantFloats(w);
    QuantizedWeights q = quantizeWeights(*vals, wt.getShape(), axis);
    scales = q.scales;
    auto qt = RankedTensorType::get(wt.getShape(), b.getI8Type());
    std::string blob = getNodeName(loc) + ".weight.int8";
    Value qc = createConstant(
        b, loc, qt,
        ArrayRef<char>(reinterpret_cast<const char *>(q.values.data()),
                       q.values.size()),
        blob);
    int64_t n = q.scales.size();
    Value s = createFloatConstant(b, loc, {n}, q.scales, "");
    auto zt = RankedTensorType::get({n}, b.getI8Type());
    Value zp = onnx::ConstantOp::create(
        b, loc, zt, DenseElementsAttr::get(zt, b.getI8IntegerAttr(0)));
    return onnx::DequantizeLinearOp::create(b, loc, wt, qc, s, zp, axis, 0);
  }

  /// DequantizeLinear of an int32 bias with scale xScale * wScale[c].
  Value quantizedBias(OpBuilder &b, Location loc, Value bias, double xScale,
                      ArrayRef<float> wScales, int64_t axis) {
    auto bt = llvm::cast<RankedTensorType>(bias.getType());
    auto vals = getConstantFloats(bias);
    int64_t n = bt.getNumElements();
    SmallVector<float> scales;
    SmallVector<int32_t> q;
    for (int64_t i = 0; i < n; ++i) {
      double s = xScale * wScales[wScales.size() == 1 ? 0 : i];
      scales.push_back((float)s);
      double v = std::nearbyint((*vals)[i] / (double)(float)s);
      q.push_back((int32_t)std::clamp(v, -2147483647.0, 2147483647.0));
    }
    auto qt = RankedTensorType::get(bt.getShape(), b.getI32Type());
    Value qc = createConstant(
        b, loc, qt,
        ArrayRef<char>(reinterpret_cast<const char *>(q.data()), q.size() * 4),
        getNodeName(loc) + ".bias.int32");
    Value s = createFloatConstant(b, loc, {n}, scales, "");
    return onnx::DequantizeLinearOp::create(b, loc, bt, qc, s, Value(), axis,
                                            0);
  }

  /// The value a layer's quantized output is taken from: its result, or
  /// that of a single following Relu / Clip (folded into the integer
  /// kernel's saturation).
  static Value layerOutput(Operation *op) {
    Value y = op->getResult(0);
    if (!y.hasOneUse())
      return y;
    Operation *user = *y.getUsers().begin();
    if (llvm::isa<onnx::ReluOp>(user))
      return user->getResult(0);
    if (auto clip = llvm::dyn_cast<onnx::ClipOp>(user))
      if ((!clip.getMin() || getConstantFloats(clip.getMin())) &&
          (!clip.getMax() || getConstantFloats(clip.getMax())))
        return user->getResult(0);
    return y;
  }

  bool skipped(Operation *op) {
    return skipSet.contains(getNodeName(op->getLoc()));
  }

  /// An int8 Q/DQ pair on an int16 DQ's value (requantized by
  /// onnx-fuse-qdq), on the original tensor's calibrated range.
  Value narrowed(OpBuilder &b, Value dq16, const AffineQuant &p16) {
    auto q = llvm::cast<onnx::DequantizeLinearOp>(dq16.getDefiningOp())
                 .getX()
                 .getDefiningOp<onnx::QuantizeLinearOp>();
    auto r = q ? rangeOf(q.getX()) : std::nullopt;
    double amax = p16.scale * 32767.0;
    AffineQuant p = r ? paramsForRange(r->first, r->second, 8)
                      : paramsForRange(-amax, amax, 8);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointAfterValue(dq16);
    return createQDQ(b, dq16.getLoc(), dq16, p);
  }

  /// Conv / Gemm / MatMul with constant weights. Gemm and MatMul have
  /// int8 kernels only (`int16` false): an int16 input is narrowed first.
  void quantizeWeighted(OpBuilder &b, Operation *op, Value x, Value w,
                        Value bias, int64_t wAxis, int64_t biasAxis,
                        unsigned xIdx, unsigned wIdx, unsigned biasIdx,
                        bool int16 = true) {
    Value y = layerOutput(op);
    if (!getConstantFloats(w) || (bias && !getConstantFloats(bias)) ||
        !getRange(y))
      return;
    if (!int16)
      bits = 8;
    b.setInsertionPoint(op);
    Value xq = quantizedOperand(b, x);
    if (!xq)
      return;
    auto xp = paramsOfDQ(xq);
    if (!xp)
      return;
    if (!int16 && xp->bits != 8) {
      xq = narrowed(b, xq, *xp);
      xp = paramsOfDQ(xq);
    }
    SmallVector<float> wScales;
    b.setInsertionPoint(op);
    op->setOperand(xIdx, xq);
    op->setOperand(wIdx, quantizedWeights(b, op->getLoc(), w, wAxis, wScales));
    // int16 layers keep the float bias: onnx-fuse-qdq makes it int64 (its
    // step, x_scale * w_scale, is too fine for int32).
    if (bias && xp->bits == 8)
      op->setOperand(biasIdx, quantizedBias(b, op->getLoc(), bias, xp->scale,
                                            wScales, biasAxis));
    quantizeResultFromRange(b, y);
  }

  void runOnOperation() override {
    for (const std::string &s : skip)
      skipSet.insert(s);
    for (const std::string &s : int16) {
      if (s == "all")
        allInt16 = true;
      int16Set.insert(s);
    }
    func::FuncOp func = getOperation();
    OpBuilder b(func.getContext());
    SmallVector<Operation *> ops;
    func.walk([&](Operation *op) {
      if (llvm::isa<onnx::ONNXDialect>(op->getDialect()))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (skipped(op))
        continue;
      bits = allInt16 || int16Set.contains(getNodeName(op->getLoc())) ? 16 : 8;
      if (auto conv = llvm::dyn_cast<onnx::ConvOp>(op)) {
        int64_t rank = llvm::cast<RankedTensorType>(conv.getX().getType())
                           .getRank();
        if (rank == 3 || rank == 4)
          quantizeWeighted(b, op, conv.getX(), conv.getW(), conv.getB(), 0, 0,
                           0, 1, 2);
      } else if (auto gemm = llvm::dyn_cast<onnx::GemmOp>(op)) {
        Value c = gemm.getC();
        auto ct = c ? llvm::cast<RankedTensorType>(c.getType())
                    : RankedTensorType();
        int64_t n = llvm::cast<RankedTensorType>(gemm.getType()).getDimSize(1);
        // A bias per output column only ([N] or [1, N]); a positive alpha
        // (the fixed-point multipliers are positive).
        if (c && !(ct.getShape() == ArrayRef<int64_t>{n} ||
                   ct.getShape() == ArrayRef<int64_t>{1, n}))
          continue;
        if (!(gemm.getAlpha().convertToFloat() > 0))
          continue;
        if (c && gemm.getBeta().convertToFloat() != 1.0f)
          continue;
        quantizeWeighted(b, op, gemm.getA(), gemm.getB(), c,
                         gemm.getTransB() ? 0 : 1, ct ? ct.getRank() - 1 : 0,
                         0, 1, 2, /*int16=*/false);
      } else if (auto mm = llvm::dyn_cast<onnx::MatMulOp>(op)) {
        auto bt = llvm::cast<RankedTensorType>(mm.getB().getType());
        if (bt.getRank() == 2)
          quantizeWeighted(b, op, mm.getA(), mm.getB(), Value(), 1, 0, 0, 1,
                           0, /*int16=*/false);
      } else if (llvm::isa<onnx::AddOp, onnx::MulOp>(op)) {
        bool isAdd = llvm::isa<onnx::AddOp>(op);
        Value y = isAdd ? layerOutput(op) : op->getResult(0);
        auto known = [&](Value v) { return isDQ(v) || rangeOf(v); };
        if (!getRange(y) || !known(op->getOperand(0)) ||
            !known(op->getOperand(1)))
          continue;
        b.setInsertionPoint(op);
        Value a = quantizedOperand(b, op->getOperand(0));
        Value c = quantizedOperand(b, op->getOperand(1));
        if (!a || !c || !paramsOfDQ(a) || !paramsOfDQ(c))
          continue;
        op->setOperand(0, a);
        op->setOperand(1, c);
        quantizeResultFromRange(b, y);
      } else if (auto concat = llvm::dyn_cast<onnx::ConcatOp>(op)) {
        // Inputs on their own parameters, requantized to the output's by
        // onnx-fuse-qdq (at compile time for constants).
        auto known = [&](Value v) { return isDQ(v) || rangeOf(v); };
        if (!getRange(op->getResult(0)) || !llvm::all_of(op->getOperands(), known))
          continue;
        b.setInsertionPoint(op);
        SmallVector<Value> qs;
        for (Value v : op->getOperands())
          qs.push_back(quantizedOperand(b, v));
        if (!llvm::all_of(qs, [](Value v) { return v && paramsOfDQ(v); }))
          continue;
        for (auto [i, v] : llvm::enumerate(qs)) {
          op->setOperand(i, v);
          // As wide as its widest input.
          bits = std::max(bits, paramsOfDQ(v)->bits);
        }
        quantizeResultFromRange(b, op->getResult(0));
      } else if (llvm::isa<onnx::GlobalAveragePoolOp>(op)) {
        if (!getRange(op->getResult(0)))
          continue;
        b.setInsertionPoint(op);
        Value x = quantizedOperand(b, op->getOperand(0));
        if (!x || !paramsOfDQ(x))
          continue;
        op->setOperand(0, x);
        quantizeResultFromRange(b, op->getResult(0));
      } else if (llvm::isa<onnx::MaxPoolOp, onnx::ReshapeOp, onnx::FlattenOp,
                           onnx::TransposeOp, onnx::SqueezeOp,
                           onnx::UnsqueezeOp>(op)) {
        // (On int16 inputs too: the width is the input's.)
        // Order-preserving data movement: stays int8 on the input's
        // parameters when the input is already quantized.
        auto p = paramsOfDQ(op->getOperand(0));
        if (p && op->getNumResults() == 1)
          quantizeResult(b, op->getResult(0), *p);
      } else if (llvm::isa<onnx::SigmoidOp, onnx::TanhOp, onnx::HardSigmoidOp,
                           onnx::HardSwishOp, onnx::LeakyReluOp, onnx::EluOp,
                           onnx::SoftplusOp, onnx::ExpOp>(op)) {
        // Elementwise functions of an int8 input: a 256-entry lookup
        // table (onnx-fuse-qdq) once the result is quantized too.
        auto p = paramsOfDQ(op->getOperand(0));
        if (p && p->bits == 8)
          quantizeResultFromRange(b, op->getResult(0));
      }
    }
  }
};

} // namespace
} // namespace whittle
