//===- VectorizeKernels.cpp - register-tiled vector convolutions ----------===//
//
// Part of whittle. Convolutions are where a model spends its time, and
// `convert-linalg-to-loops` gives them a scalar loop nest whose innermost
// loop is a dot product over input channels. This pass replaces each
// convolution on buffers with a register-tiled kernel in the `vector`
// dialect:
//
//  - regular convolutions (`linalg.conv_2d_nhwc_fhwc` with constant f32
//    filters): the filter is repacked at compile time into blocks of FT
//    output channels, [F/FT][KH][KW][C][FT], so that the kernel reads it
//    sequentially. A register tile of PT output pixels x NV vectors of
//    output channels (FT = NV x lanes) stays in registers across the whole
//    reduction: per input channel, NV filter vectors are loaded once and each
//    of the PT input values is broadcast once, for PT x NV fused
//    multiply-adds. This is the classic outer-product micro-kernel, here
//    generated per layer from its static shape.
//  - depthwise convolutions (`linalg.depthwise_conv_2d_nhwc_hwc`, and
//    `_hwcm` with multiplier 1): vectorized along channels, PT pixels x NV
//    channel vectors per tile, since a depthwise filter has no reduction
//    over channels to share loads across.
//
// Tile sizes come from the target: lanes = vector-bits / 32 and the number
// of vector registers bound PT x NV. Remainders (pixels and channels that do
// not fill a tile) get their own, smaller, straight-line tiles; channel
// remainders use narrower vectors, so nothing reads or writes out of bounds.
// The output buffer holds the accumulator's initial value (zero or the
// bias) as for the linalg op, so results equal it up to summation order.
//
//===----------------------------------------------------------------------===//

#include "whittle/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringMap.h"

#include <cstdlib>
#include <cstring>

namespace whittle {
#define GEN_PASS_DEF_VECTORIZEKERNELSPASS
#include "whittle/Transforms/Passes.h.inc"
} // namespace whittle

using namespace mlir;

namespace {

/// Independent accumulator chains a float convolution tile keeps at least,
/// to cover FMA latency x throughput (4 x 2 on current x86-64 and AArch64
/// cores).
constexpr int64_t kMinChains = 8;

/// The row-major bytes of a constant global's initializer (a dense
/// attribute that is not a splat, or a resource blob), if there are `size`.
std::optional<ArrayRef<char>> constantBytes(memref::GlobalOp global,
                                            size_t size) {
  if (!global || !global.getConstant() || !global.getInitialValue())
    return std::nullopt;
  Attribute init = *global.getInitialValue();
  ArrayRef<char> data;
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(init)) {
    if (dense.isSplat())
      return std::nullopt;
    data = dense.getRawData();
  } else if (auto res = llvm::dyn_cast<DenseResourceElementsAttr>(init)) {
    if (AsmResourceBlob *blob = res.getRawHandle().getBlob())
      data = blob->getData();
  }
  if (data.size() != size)
    return std::nullopt;
  return data;
}

/// Values of a constant global's initializer (dense or resource blob) whose
/// element type is `elem` (f32 or i8, read as `T`).
template <typename T>
std::optional<std::vector<T>> readValues(memref::GlobalOp global, Type elem) {
  if (!global || !global.getConstant() || !global.getInitialValue())
    return std::nullopt;
  auto attr = llvm::dyn_cast<ElementsAttr>(*global.getInitialValue());
  if (!attr || attr.getElementType() != elem)
    return std::nullopt;
  size_t count = attr.getNumElements();
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(attr);
      dense && dense.isSplat())
    return std::vector<T>(count, dense.getSplatValue<T>());
  std::optional<ArrayRef<char>> bytes =
      constantBytes(global, count * sizeof(T));
  if (!bytes)
    return std::nullopt;
  std::vector<T> out(count);
  std::memcpy(out.data(), bytes->data(), bytes->size());
  return out;
}

bool isStatic(Value v, int64_t rank, function_ref<bool(Type)> elem) {
  auto type = llvm::dyn_cast<MemRefType>(v.getType());
  return type && type.hasStaticShape() && type.getRank() == rank &&
         elem(type.getElementType());
}

bool isStaticF32(Value v, int64_t rank) {
  return isStatic(v, rank, [](Type t) { return t.isF32(); });
}

/// Dimension `dim` of buffer `v` has stride 1: a vector along it is
/// contiguous.
bool unitStrideAt(Value v, int64_t dim) {
  auto type = llvm::cast<MemRefType>(v.getType());
  int64_t offset;
  SmallVector<int64_t> strides;
  return succeeded(type.getStridesAndOffset(strides, offset)) &&
         strides[dim] == 1;
}

/// Vector loads and stores need a unit-stride innermost dimension.
bool innermostContiguous(Value v) {
  return unitStrideAt(v, llvm::cast<MemRefType>(v.getType()).getRank() - 1);
}

/// Shape of a register tile: PT pixels x vector widths along channels.
struct Tile {
  int64_t pixels;
  SmallVector<int64_t> widths; ///< lanes of each vector, all but the last full
  /// Pixels of the tiles of the channels left past the last full tile,
  /// which have fewer vectors and so room for more pixels; 0: `pixels`.
  int64_t restPixels = 0;
  int64_t width() const {
    int64_t w = 0;
    for (int64_t x : widths)
      w += x;
    return w;
  }
};

/// Vector widths covering `channels` with `lanes`-wide vectors (the last
/// one narrower when channels is not a multiple).
SmallVector<int64_t> splitWidths(int64_t channels, int64_t lanes) {
  SmallVector<int64_t> widths;
  for (int64_t c = 0; c < channels; c += lanes)
    widths.push_back(std::min(lanes, channels - c));
  return widths;
}

/// Geometry shared by both kernels, in NHWC.
struct ConvGeometry {
  int64_t n, oh, ow;       // output pixels
  int64_t kh, kw;          // window
  int64_t sh, sw, dh, dw;  // strides and dilations
  int64_t channels;        // F (regular) or C (depthwise): the vector axis
  int64_t pixels() const { return n * oh * ow; }
};

bool readStridesDilations(linalg::LinalgOp op, ConvGeometry &g) {
  auto strides = op->getAttrOfType<DenseIntElementsAttr>("strides");
  auto dilations = op->getAttrOfType<DenseIntElementsAttr>("dilations");
  auto get = [](DenseIntElementsAttr a, int64_t i) {
    return a ? a.getValues<int64_t>()[i] : int64_t(1);
  };
  g.sh = get(strides, 0);
  g.sw = get(strides, 1);
  g.dh = get(dilations, 0);
  g.dw = get(dilations, 1);
  return g.sh > 0 && g.sw > 0 && g.dh > 0 && g.dw > 0;
}

class KernelBuilder {
public:
  KernelBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value a, int64_t c) {
    return c == 0 ? a : arith::AddIOp::create(b, loc, a, idx(c)).getResult();
  }
  Value mul(Value a, int64_t c) {
    return c == 1 ? a : arith::MulIOp::create(b, loc, a, idx(c)).getResult();
  }
  Value addv(Value a, Value c) { return arith::AddIOp::create(b, loc, a, c); }

  /// (n, oh, ow) of flat output pixel q.
  std::array<Value, 3> pixel(Value q, const ConvGeometry &g) {
    if (g.n * g.oh == 1)
      return {idx(0), idx(0), q};
    Value ow = arith::RemUIOp::create(b, loc, q, idx(g.ow));
    Value rows = arith::DivUIOp::create(b, loc, q, idx(g.ow));
    if (g.n == 1)
      return {idx(0), rows, ow};
    Value oh = arith::RemUIOp::create(b, loc, rows, idx(g.oh));
    Value n = arith::DivUIOp::create(b, loc, rows, idx(g.oh));
    return {n, oh, ow};
  }

  /// (n, oh, ow) of `count` consecutive output pixels from q0.
  SmallVector<std::array<Value, 3>> pixels(Value q0, int64_t count,
                                           const ConvGeometry &g) {
    SmallVector<std::array<Value, 3>> px;
    for (int64_t p = 0; p < count; ++p)
      px.push_back(pixel(add(q0, p), g));
    return px;
  }

  /// First channel of each vector of a tile whose channels start at c0.
  SmallVector<Value> offsets(Value c0, ArrayRef<int64_t> widths) {
    SmallVector<Value> out;
    int64_t off = 0;
    for (int64_t width : widths) {
      out.push_back(add(c0, off));
      off += width;
    }
    return out;
  }

  /// A loop carrying `init`; `body` maps (iv, carried) to the next values.
  SmallVector<Value>
  loop(int64_t trips, ValueRange init,
       function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    return loop(idx(trips), init, body);
  }
  SmallVector<Value>
  loop(Value trips, ValueRange init,
       function_ref<SmallVector<Value>(Value, ValueRange)> body) {
    auto forOp = scf::ForOp::create(
        b, loc, idx(0), trips, idx(1), init,
        [&](OpBuilder &nested, Location, Value iv, ValueRange carried) {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(nested.getInsertionBlock());
          SmallVector<Value> next = body(iv, carried);
          scf::YieldOp::create(b, loc, next);
        });
    return SmallVector<Value>(forOp.getResults());
  }

  /// A loop without carried values.
  void loop(int64_t trips, function_ref<void(Value)> body) {
    if (trips <= 0)
      return;
    loop(idx(trips), body);
  }
  void loop(Value trips, function_ref<void(Value)> body) {
    loop(trips, ValueRange{}, [&](Value iv, ValueRange) {
      body(iv);
      return SmallVector<Value>{};
    });
  }

  VectorType vec(int64_t lanes) { return vec(lanes, b.getF32Type()); }
  VectorType vec(int64_t lanes, Type elem) {
    return VectorType::get({lanes}, elem);
  }
  /// The first `n` lanes of rank-1 vector `v` (`v` itself if it has `n`).
  Value lowLanes(Value v, int64_t n) {
    if (llvm::cast<VectorType>(v.getType()).getDimSize(0) == n)
      return v;
    return vector::ExtractStridedSliceOp::create(
        b, loc, v, ArrayRef<int64_t>{0}, ArrayRef<int64_t>{n},
        ArrayRef<int64_t>{1});
  }

  OpBuilder &b;
  Location loc;
};

/// Tile sizes for `channels` output channels: NV vectors and PT pixels whose
/// PT x NV accumulators, NV filter vectors and one broadcast fit in the
/// registers.
Tile chooseTile(int64_t channels, int64_t pixels, int64_t lanes,
                int64_t registers, bool depthwise) {
  int64_t vectors = (channels + lanes - 1) / lanes;
  int64_t nv = std::min<int64_t>(vectors, registers >= 32 ? 4 : 2);
  auto pixelsFor = [&](int64_t nv) {
    // Depthwise tiles hold an input vector per accumulator as well.
    int64_t spare = depthwise ? registers - 2 * nv : registers - nv - 1;
    int64_t pt = std::max<int64_t>(1, spare / (depthwise ? 2 * nv : nv));
    return std::min({pt, pixels, int64_t(14)});
  };
  Tile t;
  t.pixels = pixelsFor(nv);
  t.widths.assign(nv, lanes);
  // A remainder of fewer vectors at the full tile's pixel count would
  // broadcast each input value for fewer multiply-adds, with fewer chains.
  if (int64_t rest = channels % (nv * lanes))
    t.restPixels = pixelsFor((rest + lanes - 1) / lanes);
  return t;
}

/// `v` with its dimensions from `keep` - 1 on merged into one, when those
/// past `keep` - 1 all have extent 1: a depthwise output [N,H,W,C,1] seen as
/// [N,H,W,C], so that vectors run along the unit-stride channel dimension.
Value collapseTrailing(KernelBuilder &kb, Value v, int64_t keep) {
  auto type = llvm::cast<MemRefType>(v.getType());
  if (type.getRank() <= keep)
    return v;
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < keep; ++i)
    groups.push_back({i});
  for (int64_t i = keep; i < type.getRank(); ++i)
    groups.back().push_back(i);
  return memref::CollapseShapeOp::create(kb.b, kb.loc, v, groups);
}

/// Lets LLVM fuse a multiply and the add of its product (a reduction body's
/// `acc + a * b`) into one FMA, as the convolution kernels do explicitly.
void allowContraction(Operation *op) {
  auto fm = llvm::dyn_cast<arith::ArithFastMathInterface>(op);
  if (!fm)
    return;
  // Conversions (extf, truncf) have the interface but may lack the flags.
  arith::FastMathFlagsAttr flags = fm.getFastMathFlagsAttr();
  op->setAttr(fm.getFastMathAttrName(),
              arith::FastMathFlagsAttr::get(
                  op->getContext(),
                  (flags ? flags.getValue() : arith::FastMathFlags::none) |
                      arith::FastMathFlags::contract));
}

/// `op` (an elementwise op of a linalg body) on vectors: `operands` are
/// the vector operands, `type` the vector result type. With `reciprocal`
/// (AVX-512), 1 / d on 16 f32 lanes becomes vrcp14ps (14 bits) refined by
/// one Newton step, r + r (1 - d r), to within an ulp or two of the
/// division, at a fraction of vdivps' cost (sigmoid and SiLU epilogues
/// divide once per element). Where the step yields NaN (d = 0 or inf: the
/// estimate is already exact) the estimate stands.
Value cloneOnVectors(OpBuilder &b, Location loc, Operation &op,
                     ArrayRef<Value> operands, Type type, bool reciprocal) {
  auto vt = llvm::dyn_cast<VectorType>(type);
  if (reciprocal && llvm::isa<arith::DivFOp>(op) && vt &&
      vt.getElementType().isF32() && vt.getNumElements() == 16 &&
      matchPattern(op.getOperand(0), m_OneFloat())) {
    Value d = operands[1];
    Value one = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vt, b.getF32FloatAttr(1.0f)));
    Value mask = arith::ConstantOp::create(b, loc, b.getI16IntegerAttr(-1));
    Value r0 = LLVM::CallIntrinsicOp::create(
                   b, loc, vt, b.getStringAttr("llvm.x86.avx512.rcp14.ps.512"),
                   ValueRange{d, one, mask})
                   .getResult(0);
    Value e = vector::FMAOp::create(b, loc, arith::NegFOp::create(b, loc, d),
                                    r0, one);
    Value r1 = vector::FMAOp::create(b, loc, r0, e, r0);
    Value nan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, r1, r1);
    return arith::SelectOp::create(b, loc, nan, r0, r1);
  }
  OperationState state(loc, op.getName(), operands, TypeRange{type},
                       op.getAttrs());
  return b.create(state)->getResult(0);
}

/// The buffer a view was taken of.
Value rootBuffer(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto view = llvm::dyn_cast<ViewLikeOpInterface>(def))
      v = view.getViewSource();
    else
      break;
  }
  return v;
}

/// Ops with no effect on memory that may sit between a kernel and the ops
/// fused into it (views, constants, index arithmetic).
bool isStateless(Operation *op) {
  return llvm::isa<ViewLikeOpInterface>(op) || isMemoryEffectFree(op);
}

/// What is fused into a convolution's register tile: the initialization
/// of its accumulator buffer (a zero fill or a bias broadcast along
/// channels) and the elementwise op that consumes it (bias, activation,
/// residual add). Both are linalg ops on buffers that the bufferized row
/// loop puts right before and after the convolution; fusing them keeps
/// each output value in registers from the first multiply-add to the final
/// store, and the accumulator buffer disappears.
class Fusion {
public:
  Fusion(linalg::LinalgOp conv, Value input) : acc(conv.getDpsInits()[0]) {
    auto accType = llvm::cast<MemRefType>(acc.getType());
    elem = accType.getElementType();
    Operation *prev = conv->getPrevNode();
    while (prev && isStateless(prev))
      prev = prev->getPrevNode();
    if (auto fill = llvm::dyn_cast_if_present<linalg::FillOp>(prev)) {
      if (fill.getOutputs()[0] == acc)
        init = fill, fillValue = fill.getInputs()[0];
    } else if (auto g = llvm::dyn_cast_if_present<linalg::GenericOp>(prev)) {
      // A bias: out[n, h, w, f] = bias[f].
      if (g.getNumDpsInputs() == 1 && g.getDpsInits()[0] == acc &&
          g.getNumReductionLoops() == 0 &&
          llvm::isa<BlockArgument>(
              g.getBody()->getTerminator()->getOperand(0)) &&
          g.getBody()->getTerminator()->getOperand(0) ==
              g.getBody()->getArgument(0)) {
        Value b = g.getDpsInputs()[0];
        auto bt = llvm::dyn_cast<MemRefType>(b.getType());
        AffineMap m = g.getMatchingIndexingMap(g.getDpsInputOperand(0));
        if (bt && bt.getRank() == 1 && bt.getElementType() == elem &&
            innermostContiguous(b) && m.getNumResults() == 1 &&
            m.getResult(0) == getAffineDimExpr(3, g.getContext()))
          init = g, biasValue = b;
      }
    }
    if (!init)
      fillValue = biasValue = nullptr;
    // The epilogue replaces the accumulator buffer: it must be a buffer of
    // its own, used by nothing but the three ops (and its allocation). The
    // initialization alone fuses into any accumulator: it writes all of it
    // right before the convolution.
    if (!acc.getDefiningOp<memref::AllocOp>())
      return;
    Operation *next = conv->getNextNode();
    while (next && isStateless(next))
      next = next->getNextNode();
    auto g = llvm::dyn_cast_if_present<linalg::GenericOp>(next);
    if (g && g.hasPureBufferSemantics() && g.getNumDpsInits() == 1 &&
        g.getNumReductionLoops() == 0 &&
        g.getNumLoops() == accType.getRank() && vectorizableBody(g)) {
      Value out = g.getDpsInits()[0];
      AffineMap id = g.getMatchingIndexingMap(g.getDpsInitOperand(0));
      bool ok = id.isIdentity() && readable(out, id) && readable(acc, id) &&
                rootBuffer(out) != rootBuffer(input) && rootBuffer(out) != acc;
      accInput = -1;
      for (OpOperand *in : g.getDpsInputOperands()) {
        AffineMap m = g.getMatchingIndexingMap(in);
        if (in->get() == acc) {
          ok &= m.isIdentity() && accInput < 0;
          accInput = in->getOperandNumber();
          continue;
        }
        ok &= readable(in->get(), m) && rootBuffer(in->get()) != acc;
      }
      if (ok && accInput >= 0)
        epilogue = g;
    }
    // Every other use of the accumulator keeps it a real buffer.
    for (Operation *user : acc.getUsers())
      if (user != conv && user != init && user != epilogue &&
          !llvm::isa<memref::DeallocOp>(user))
        epilogue = nullptr;
  }

  /// Where the kernel goes: in place of the epilogue when there is one
  /// (the views it reads may be taken after the convolution; everything
  /// between the two is free of memory effects), else of the convolution.
  Operation *anchor(Operation *conv) {
    return epilogue ? epilogue.getOperation() : conv;
  }

  /// Accumulator at `index` (output dimensions), `width` lanes from the
  /// channel index[3].
  Value initial(KernelBuilder &kb, ArrayRef<Value> index, int64_t width) {
    if (scalar) {
      if (fillValue)
        return fillValue;
      if (biasValue)
        return memref::LoadOp::create(kb.b, kb.loc, biasValue,
                                      ValueRange{index[3]});
      return memref::LoadOp::create(kb.b, kb.loc, collapseTrailing(kb, acc, 4),
                                    index);
    }
    VectorType type = kb.vec(width, elem);
    if (fillValue)
      return vector::BroadcastOp::create(kb.b, kb.loc, type, fillValue);
    if (biasValue)
      return vector::LoadOp::create(kb.b, kb.loc, type, biasValue,
                                    ValueRange{index[3]});
    return vector::LoadOp::create(kb.b, kb.loc, type,
                                  collapseTrailing(kb, acc, 4), index);
  }

  /// Applies the epilogue to the final accumulator and stores it.
  void store(KernelBuilder &kb, Value value, ArrayRef<Value> index,
             int64_t width) {
    if (!epilogue) {
      if (scalar)
        memref::StoreOp::create(kb.b, kb.loc, value,
                                collapseTrailing(kb, acc, 4), index);
      else
        vector::StoreOp::create(kb.b, kb.loc, value,
                                collapseTrailing(kb, acc, 4), index);
      return;
    }
    auto shaped = [&](Type t) -> Type {
      return scalar ? t : VectorType::get({width}, t);
    };
    IRMapping map;
    Block *body = epilogue.getBody();
    for (OpOperand &operand : epilogue->getOpOperands()) {
      BlockArgument arg = body->getArgument(operand.getOperandNumber());
      if ((int64_t)operand.getOperandNumber() == accInput) {
        map.map(arg, value);
        continue;
      }
      if (arg.use_empty())
        continue;
      map.map(arg, load(kb, operand.get(),
                        epilogue.getMatchingIndexingMap(&operand), index,
                        width, arg.getType()));
    }
    for (Operation &op : body->without_terminator()) {
      SmallVector<Value> operands;
      for (Value v : op.getOperands()) {
        if (Value m = map.lookupOrNull(v))
          operands.push_back(m);
        else if (scalar)
          operands.push_back(v);
        else // defined above the body: a scalar for every lane
          operands.push_back(vector::BroadcastOp::create(
              kb.b, kb.loc, VectorType::get({width}, v.getType()), v));
      }
      map.map(op.getResult(0),
              cloneOnVectors(kb.b, kb.loc, op, operands,
                             shaped(op.getResult(0).getType()), reciprocal));
    }
    Value result = map.lookupOrDefault(body->getTerminator()->getOperand(0));
    Value out = collapseTrailing(kb, epilogue.getDpsInits()[0], 4);
    if (scalar) {
      memref::StoreOp::create(kb.b, kb.loc, result, out, index);
      return;
    }
    if (!llvm::isa<VectorType>(result.getType())) // a value from above
      result = vector::BroadcastOp::create(
          kb.b, kb.loc, VectorType::get({width}, result.getType()), result);
    vector::StoreOp::create(kb.b, kb.loc, result, out, index);
  }

  /// Accumulators of a tile, pixel-major: pixels x channel vectors.
  SmallVector<Value> initialTile(KernelBuilder &kb,
                                 ArrayRef<std::array<Value, 3>> px,
                                 ArrayRef<Value> cs, ArrayRef<int64_t> widths) {
    SmallVector<Value> acc;
    for (const auto &p : px)
      for (size_t v = 0; v < widths.size(); ++v)
        acc.push_back(initial(kb, {p[0], p[1], p[2], cs[v]}, widths[v]));
    return acc;
  }

  /// Stores a tile's final accumulators through the epilogue.
  void storeTile(KernelBuilder &kb, ArrayRef<std::array<Value, 3>> px,
                 ArrayRef<Value> cs, ArrayRef<int64_t> widths,
                 ArrayRef<Value> acc) {
    for (size_t p = 0; p < px.size(); ++p)
      for (size_t v = 0; v < widths.size(); ++v)
        store(kb, acc[p * widths.size() + v],
              {px[p][0], px[p][1], px[p][2], cs[v]}, widths[v]);
  }

  /// Erases the fused ops and the accumulator buffer once the kernel is
  /// built.
  void finish() {
    if (epilogue)
      epilogue->erase();
    if (init)
      init->erase();
    if (epilogue && init) {
      Operation *alloc = acc.getDefiningOp();
      for (Operation *user : llvm::make_early_inc_range(acc.getUsers()))
        if (llvm::isa<memref::DeallocOp>(user))
          user->erase();
      if (alloc && acc.use_empty())
        alloc->erase();
    }
  }

  /// The per-channel initial value when it is a constant vector, then
  /// replaced with `replacement` (int8 kernels fold their zero-point term
  /// into it).
  Value bias() const { return biasValue; }
  void setBias(Value replacement) { biasValue = replacement; }

  Value acc;
  Type elem; ///< of the accumulator: f32, or i32 for int8 convolutions
  bool reciprocal = false; ///< see cloneOnVectors
  /// One output value at a time as scalars (the DSP kernels of targets
  /// without vectors): width 1, memref loads and stores.
  bool scalar = false;

private:
  /// The body is elementwise arithmetic on its arguments and values from
  /// above (no linalg.index, no nested regions).
  static bool vectorizableBody(linalg::GenericOp g) {
    for (Operation &op : g.getBody()->without_terminator()) {
      if (!OpTrait::hasElementwiseMappableTraits(&op) ||
          op.getNumRegions() || op.getNumResults() != 1)
        return false;
      for (Type t : op.getResultTypes())
        if (!t.isIntOrIndexOrFloat() || t.isIndex())
          return false;
    }
    return g.getBody()->getTerminator()->getNumOperands() == 1;
  }

  /// An operand the epilogue reads at the tile's position: through a
  /// projected permutation that keeps the channel dimension last (a vector
  /// load) or drops it (a scalar broadcast).
  static bool readable(Value v, AffineMap m) {
    auto type = llvm::dyn_cast<MemRefType>(v.getType());
    if (!type || !type.hasStaticShape() || !m.isProjectedPermutation() ||
        !type.getElementType().isIntOrFloat() ||
        type.getElementTypeBitWidth() < 8 ||
        !llvm::isPowerOf2_32(type.getElementTypeBitWidth()))
      return false;
    std::optional<unsigned> c = m.getResultPosition(
        getAffineDimExpr(3, m.getContext()));
    if (!c)
      return true;
    if (!unitStrideAt(v, *c))
      return false;
    // Dimensions after the channel (a depthwise multiplier) have extent 1.
    for (unsigned r = *c + 1; r < m.getNumResults(); ++r)
      if (type.getDimSize(r) != 1)
        return false;
    return true;
  }

  Value load(KernelBuilder &kb, Value v, AffineMap m, ArrayRef<Value> index,
             int64_t width, Type element) {
    // index has the 4 NHWC positions; dimensions past them have extent 1.
    SmallVector<Value> at;
    for (AffineExpr e : m.getResults()) {
      unsigned d = llvm::cast<AffineDimExpr>(e).getPosition();
      at.push_back(d < 4 ? index[d] : kb.idx(0));
    }
    auto type = VectorType::get({width}, element);
    std::optional<unsigned> c = m.getResultPosition(
        getAffineDimExpr(3, m.getContext()));
    if (scalar) {
      if (c)
        at.resize(*c + 1);
      return memref::LoadOp::create(
          kb.b, kb.loc, c ? collapseTrailing(kb, v, *c + 1) : v, at);
    }
    if (!c) {
      Value s = memref::LoadOp::create(kb.b, kb.loc, v, at);
      return vector::BroadcastOp::create(kb.b, kb.loc, type, s);
    }
    at.resize(*c + 1);
    return vector::LoadOp::create(kb.b, kb.loc, type, collapseTrailing(kb, v, *c + 1), at);
  }

  Operation *init = nullptr;
  Value fillValue, biasValue;
  linalg::GenericOp epilogue;
  int64_t accInput = -1;
};

/// The input zero point of a convolution the int8 kernels handle: that of
/// a `_q` form with constant zero points and a zero filter zero point, 0
/// for the unquantized forms; none otherwise.
std::optional<int64_t> inputZeroPoint(linalg::LinalgOp op) {
  if (op.getNumDpsInputs() != 4)
    return 0;
  std::optional<int64_t> izp = getConstantIntValue(op.getDpsInputs()[2]);
  std::optional<int64_t> fzp = getConstantIntValue(op.getDpsInputs()[3]);
  if (!izp || !fzp || *fzp != 0)
    return std::nullopt;
  return *izp;
}

/// A regular int8 convolution (i8 data, i32 accumulators, a constant
/// filter) as the int8 kernels see it.
struct Int8Conv {
  Value input, output;
  memref::GetGlobalOp getGlobal;
  memref::GlobalOp global;
  std::vector<int8_t> values; ///< the filter, [F][KH][KW][C]
  ConvGeometry g;
  int64_t zp = 0, c = 0, f = 0;
  /// The reduction as `rows` runs of `len` values, `groups` groups of
  /// `group` each: per window position (len = C), or per window row
  /// (`flat`, len = KW x C) when few channels would leave most groups
  /// partial and, without dilation along W, the row is contiguous.
  bool flat = false;
  int64_t rows = 0, len = 0, groups = 0;

  /// -shift x the filter's sum, per output channel; empty if all zero.
  std::vector<int32_t> zeroPointTerm(int64_t shift) const {
    std::vector<int32_t> offset(f, 0);
    bool any = false;
    for (int64_t fi = 0; fi < f; ++fi) {
      int64_t sum = 0;
      for (int64_t r = 0; r < rows * len; ++r)
        sum += values[fi * rows * len + r];
      offset[fi] = static_cast<int32_t>(-shift * sum);
      any |= offset[fi] != 0;
    }
    return any ? offset : std::vector<int32_t>();
  }

  static std::optional<Int8Conv> match(linalg::LinalgOp op,
                                       SymbolTable &symbols, int64_t group) {
    auto i8 = [](Type t) { return t.isInteger(8); };
    auto i32 = [](Type t) { return t.isInteger(32); };
    Int8Conv k;
    k.input = op.getDpsInputs()[0];
    k.output = op.getDpsInits()[0];
    Value filter = op.getDpsInputs()[1];
    std::optional<int64_t> zp = inputZeroPoint(op);
    if (!zp || !isStatic(k.input, 4, i8) || !isStatic(filter, 4, i8) ||
        !isStatic(k.output, 4, i32) || !innermostContiguous(k.input) ||
        !innermostContiguous(k.output))
      return std::nullopt;
    k.zp = *zp;
    k.getGlobal = filter.getDefiningOp<memref::GetGlobalOp>();
    if (k.getGlobal)
      k.global = symbols.lookup<memref::GlobalOp>(k.getGlobal.getName());
    std::optional<std::vector<int8_t>> values = readValues<int8_t>(
        k.global, IntegerType::get(op->getContext(), 8));
    if (!values)
      return std::nullopt;
    k.values = std::move(*values);
    ArrayRef<int64_t> in = llvm::cast<MemRefType>(k.input.getType()).getShape();
    ArrayRef<int64_t> w = llvm::cast<MemRefType>(filter.getType()).getShape();
    ArrayRef<int64_t> out =
        llvm::cast<MemRefType>(k.output.getType()).getShape();
    k.g = ConvGeometry{out[0], out[1], out[2], w[1], w[2], 1, 1, 1, 1, out[3]};
    if (!readStridesDilations(op, k.g) || in[3] != w[3] || out[3] != w[0])
      return std::nullopt;
    k.c = w[3];
    k.f = w[0];
    k.flat = k.c % group != 0 && k.g.kw > 1 && k.g.dw == 1 &&
             llvm::cast<MemRefType>(k.input.getType())
                 .areTrailingDimsContiguous(2);
    k.rows = k.flat ? k.g.kh : k.g.kh * k.g.kw;
    k.len = k.flat ? k.g.kw * k.c : k.c;
    k.groups = (k.len + group - 1) / group;
    return k;
  }

  /// The input as the kernels index it: [N, H, W x C] when flat.
  Value source(OpBuilder &b, Location loc) const {
    if (!flat)
      return input;
    return memref::CollapseShapeOp::create(
        b, loc, input, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  }

  /// A group step: `count` reduction values from l at input rows `ih` and
  /// columns `iw` (one per pixel), the filter block row at `at`.
  using GroupStep = function_ref<SmallVector<Value>(
      ValueRange acc, ArrayRef<Value> ih, ArrayRef<Value> iw, Value l,
      Value at, int64_t count)>;

  /// The reduction loops of a tile of `px` pixels whose filter block starts
  /// at `base` with `stride` elements per group: window rows (KH, and KW
  /// unless flat), then the full groups in a loop and a partial one.
  SmallVector<Value> reduce(KernelBuilder &kb,
                            ArrayRef<std::array<Value, 3>> px, ValueRange acc,
                            Value base, int64_t group, int64_t stride,
                            GroupStep step) const {
    SmallVector<Value> ih0, iw0;
    for (const auto &p : px) {
      ih0.push_back(kb.mul(p[1], g.sh));
      iw0.push_back(kb.mul(p[2], g.sw));
    }
    int64_t kw = rows / g.kh, full = len / group, rest = len % group;
    return kb.loop(g.kh, acc, [&](Value i, ValueRange acc1) {
      return kb.loop(kw, acc1, [&](Value j, ValueRange acc2) {
        SmallVector<Value> ih, iw;
        Value di = kb.mul(i, g.dh), dj = kb.mul(j, g.dw);
        for (size_t p = 0; p < px.size(); ++p) {
          ih.push_back(kb.addv(ih0[p], di));
          iw.push_back(kb.addv(iw0[p], dj));
        }
        // Window row (i, j) of the block.
        Value row =
            kb.addv(base, kb.mul(kb.addv(kb.mul(i, kw), j), groups * stride));
        SmallVector<Value> accs =
            kb.loop(full, acc2, [&](Value gi, ValueRange acc3) {
              return step(acc3, ih, iw, kb.mul(gi, group),
                          kb.addv(row, kb.mul(gi, stride)), group);
            });
        if (rest)
          accs = step(accs, ih, iw, kb.idx(full * group),
                      kb.add(row, full * stride), rest);
        return accs;
      });
    });
  }

  /// Indices of reduction position l of a window row at (n, ih, iw).
  SmallVector<Value> at(KernelBuilder &kb, Value n, Value ih, Value iw,
                        Value l) const {
    if (flat)
      return {n, ih, kb.addv(kb.mul(iw, c), l)};
    return {n, ih, iw, l};
  }
};

struct VectorizeKernelsPass
    : whittle::impl::VectorizeKernelsPassBase<VectorizeKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    // Without vectors, DSP targets get scalar tiles for int8 convolutions
    // only.
    bool scalarOnly = vectorBits == 0 && dsp;
    if (!scalarOnly && (vectorBits < 32 || vectorBits % 32 || registers < 4))
      return;
    lanes = scalarOnly ? 1 : vectorBits / 32;
    SmallVector<linalg::LinalgOp> ops;
    module.walk([&](linalg::LinalgOp op) {
      if (llvm::isa<linalg::Conv2DNhwcFhwcOp, linalg::Conv2DNhwcFhwcQOp,
                    linalg::DepthwiseConv2DNhwcHwcOp,
                    linalg::DepthwiseConv2DNhwcHwcmOp,
                    linalg::DepthwiseConv2DNhwcHwcQOp,
                    linalg::DepthwiseConv2DNhwcHwcmQOp>(op.getOperation()))
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      if (!op.hasPureBufferSemantics())
        continue;
      bool int8 = getElementTypeOrSelf(op.getDpsInputs()[0].getType())
                      .isInteger(8);
      if (scalarOnly && !int8)
        continue;
      if (!llvm::isa<linalg::Conv2DNhwcFhwcOp, linalg::Conv2DNhwcFhwcQOp>(*op))
        vectorizeDepthwise(op, symbols);
      else if (int8 && scalarOnly)
        vectorizeConvDsp(op, symbols);
      else if (int8)
        vectorizeConvInt8(op, symbols);
      else if (auto conv = llvm::dyn_cast<linalg::Conv2DNhwcFhwcOp>(*op))
        vectorizeConv(conv, symbols);
    }
    if (scalarOnly) {
      eraseUnusedOriginals(module, symbols);
      return;
    }
    // Copies (padding interiors, concatenation parts) as linalg.copy, so
    // that they vectorize with the rest when their layouts allow.
    SmallVector<memref::CopyOp> copies;
    module.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
    // Everything else that is a linalg op on buffers: matrix products,
    // pools, reductions, elementwise ops.
    SmallVector<linalg::LinalgOp> rest;
    module.walk([&](linalg::LinalgOp op) {
      if (llvm::isa<linalg::GenericOp, linalg::MatmulOp, linalg::BatchMatmulOp,
                    linalg::PoolingNhwcSumOp, linalg::PoolingNhwcMaxOp,
                    linalg::FillOp, linalg::MapOp, linalg::CopyOp>(
              op.getOperation()))
        rest.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : rest)
      vectorizeGeneric(rewriter, op, symbols);
    eraseUnusedOriginals(module, symbols);
    if (vectorBits >= 256) {
      SmallVector<arith::TruncIOp> truncs;
      module.walk([&](arith::TruncIOp op) { truncs.push_back(op); });
      for (arith::TruncIOp op : truncs)
        evenOddRescale(rewriter, op);
    }
    SmallVector<arith::ExtSIOp> exts;
    module.walk([&](arith::ExtSIOp op) { exts.push_back(op); });
    for (arith::ExtSIOp op : exts)
      foldClampedRoundTrip(rewriter, op);
  }

  /// A splat constant, or the broadcast of a scalar one (as epilogues
  /// clone their bodies' constants onto vectors).
  static bool splatConstant(Value v, APInt &out) {
    if (auto b = v.getDefiningOp<vector::BroadcastOp>())
      v = b.getSource();
    return matchPattern(v, m_ConstantInt(&out));
  }

  /// extsi(trunci(x)) back to x's own type is x when x is clamped to bounds
  /// that the narrow type holds: an int8 requantization's output that a
  /// fused consumer (a quantized Add) reads straight back. LLVM moves the
  /// output zero point's add past the truncation and then cannot drop the
  /// round trip, which costs shuffles, an add and a sign extension per
  /// vector.
  static void foldClampedRoundTrip(IRRewriter &rw, arith::ExtSIOp op) {
    auto trunc = op.getIn().getDefiningOp<arith::TruncIOp>();
    if (!trunc || trunc.getIn().getType() != op.getType())
      return;
    Value x = trunc.getIn();
    // min(max(y, lo), hi) or max(min(y, hi), lo).
    APInt lo, hi;
    bool clamped = false;
    if (auto mn = x.getDefiningOp<arith::MinSIOp>()) {
      auto mx = mn.getLhs().getDefiningOp<arith::MaxSIOp>();
      clamped = mx && splatConstant(mn.getRhs(), hi) &&
                splatConstant(mx.getRhs(), lo);
    } else if (auto mx = x.getDefiningOp<arith::MaxSIOp>()) {
      auto mn = mx.getLhs().getDefiningOp<arith::MinSIOp>();
      clamped = mn && splatConstant(mx.getRhs(), lo) &&
                splatConstant(mn.getRhs(), hi);
    }
    unsigned bits =
        getElementTypeOrSelf(trunc.getType()).getIntOrFloatBitWidth();
    if (!clamped || lo.sgt(hi) ||
        lo.getSExtValue() < -(int64_t(1) << (bits - 1)) ||
        hi.getSExtValue() >= (int64_t(1) << (bits - 1)))
      return;
    rw.replaceOp(op, x);
  }

  /// The fixed-point rescale of int8 requantization on i32 lanes,
  /// trunc((sext(a) * sext(b) + R) >> S) with splat R and S in [32, 63],
  /// as two multiplies of the even and the odd lanes viewed as i64 (x86's
  /// vpmuldq multiplies the sign-extended low 32 bits of each 64-bit lane;
  /// the odd lanes are shuffled down first, so that a multiply's operand
  /// hoisted out of a loop, as a per-channel multiplier is, still reads as
  /// that pattern: an arithmetic shift right by 32 does not, and costs a
  /// full 64-bit multiply of three vpmuludq). Widening all lanes to i64
  /// first costs two extensions per operand and a narrowing. When R is a
  /// multiple of 2^32 (the rounding term 2^(S-1) with S >= 33), the rest
  /// runs on i32 lanes: the products' high halves interleave with one
  /// shuffle, then (hi + R / 2^32) >> (S - 32) equals the i64 result
  /// exactly, as |hi| <= 2^30. Otherwise the i64 lanes are rounded and
  /// shifted, and merge with a shift and a blend.
  static void evenOddRescale(IRRewriter &rw, arith::TruncIOp op) {
    auto outType = llvm::dyn_cast<VectorType>(op.getType());
    if (!outType || outType.getRank() != 1 ||
        !outType.getElementType().isInteger(32) || outType.getDimSize(0) % 2)
      return;
    auto shr = op.getIn().getDefiningOp<arith::ShRSIOp>();
    auto add = shr ? shr.getLhs().getDefiningOp<arith::AddIOp>() : nullptr;
    auto mul = add ? add.getLhs().getDefiningOp<arith::MulIOp>() : nullptr;
    auto ea = mul ? mul.getLhs().getDefiningOp<arith::ExtSIOp>() : nullptr;
    auto eb = mul ? mul.getRhs().getDefiningOp<arith::ExtSIOp>() : nullptr;
    APInt round, shift;
    if (!ea || !eb || ea.getIn().getType() != outType ||
        eb.getIn().getType() != outType ||
        !splatConstant(add.getRhs(), round) ||
        !splatConstant(shr.getRhs(), shift) ||
        shift.getZExtValue() < 32 || shift.getZExtValue() > 63)
      return;
    Location loc = op.getLoc();
    rw.setInsertionPoint(op);
    int64_t n = outType.getDimSize(0);
    auto wide = VectorType::get({n / 2}, rw.getI64Type());
    auto splat = [&](VectorType type, int64_t v) -> Value {
      return arith::ConstantOp::create(
          rw, loc,
          DenseElementsAttr::get(
              type, IntegerAttr::get(type.getElementType(), v)));
    };
    Value c32 = splat(wide, 32);
    auto asWide = [&](Value v) -> Value {
      return vector::BitCastOp::create(rw, loc, wide, v);
    };
    // Sign-extended even (low) and odd (high) halves of each 64-bit lane.
    auto even = [&](Value v) -> Value {
      return arith::ShRSIOp::create(
          rw, loc, arith::ShLIOp::create(rw, loc, v, c32), c32);
    };
    SmallVector<int64_t> oddLanes;
    for (int64_t i = 0; i < n / 2; ++i)
      oddLanes.append({2 * i + 1, 2 * i + 1});
    auto odd = [&](Value v) -> Value {
      return even(asWide(vector::ShuffleOp::create(rw, loc, v, v, oddLanes)));
    };
    Value a = ea.getIn(), b = eb.getIn();
    Value pe = arith::MulIOp::create(rw, loc, even(asWide(a)), even(asWide(b)));
    Value po = arith::MulIOp::create(rw, loc, odd(a), odd(b));
    int64_t s = shift.getZExtValue(), r = round.getSExtValue();
    if (s >= 33 && s <= 62 && r % (int64_t(1) << 32) == 0 &&
        std::abs(r >> 32) <= (int64_t(1) << 29)) {
      SmallVector<int64_t> mask;
      for (int64_t i = 0; i < n / 2; ++i)
        mask.append({2 * i + 1, n + 2 * i + 1});
      Value hi = vector::ShuffleOp::create(
          rw, loc, vector::BitCastOp::create(rw, loc, outType, pe),
          vector::BitCastOp::create(rw, loc, outType, po), mask);
      Value sum = arith::AddIOp::create(rw, loc, hi, splat(outType, r >> 32));
      rw.replaceOpWithNewOp<arith::ShRSIOp>(op, sum, splat(outType, s - 32));
      return;
    }
    Value rv = splat(wide, r), sh = splat(wide, s);
    auto scaled = [&](Value p) -> Value {
      return arith::ShRSIOp::create(rw, loc,
                                    arith::AddIOp::create(rw, loc, p, rv), sh);
    };
    Value lo = arith::AndIOp::create(rw, loc, scaled(pe),
                                     splat(wide, 0xFFFFFFFF));
    Value hi = arith::ShLIOp::create(rw, loc, scaled(po), c32);
    Value merged = arith::OrIOp::create(rw, loc, lo, hi);
    rw.replaceOpWithNewOp<vector::BitCastOp>(op, outType, merged);
  }

  /// The filters in their original layout, if nothing else reads them.
  void eraseUnusedOriginals(ModuleOp module, SymbolTable &symbols) {
    // One walk for all of them (a walk per global was quadratic).
    llvm::DenseSet<StringAttr> used;
    if (auto uses = SymbolTable::getSymbolUses(&module.getBodyRegion()))
      for (const SymbolTable::SymbolUse &use : *uses)
        used.insert(use.getSymbolRef().getRootReference());
    else
      return;
    for (auto &entry : packedGlobals) {
      memref::GlobalOp original = entry.second.first;
      if (original && !used.contains(original.getSymNameAttr())) {
        symbols.erase(original);
        for (auto &other : packedGlobals)
          if (other.second.first == original)
            other.second.first = nullptr;
      }
    }
  }

  /// A constant global derived from `original` (a repacked filter), made
  /// once per `suffix` by `make`, which returns its elements' bytes; null
  /// when `make` fails.
  Value derivedGlobal(OpBuilder &b, Location loc, memref::GlobalOp original,
                      StringRef suffix, Type elem, SymbolTable &symbols,
                      function_ref<std::optional<std::vector<char>>()> make) {
    std::string name = (original.getSymName() + "_" + suffix).str();
    memref::GlobalOp derived;
    if (auto it = packedGlobals.find(name); it != packedGlobals.end()) {
      derived = it->second.second;
    } else {
      std::optional<std::vector<char>> bytes = make();
      if (!bytes)
        return {};
      int64_t count = bytes->size() / (elem.getIntOrFloatBitWidth() / 8);
      auto type = MemRefType::get({count}, elem);
      auto tensorType = RankedTensorType::get({count}, elem);
      auto blob =
          HeapAsmResourceBlob::allocateAndCopyWithAlign(*bytes, alignof(uint64_t));
      auto init = DenseResourceElementsAttr::get(tensorType, name,
                                                 std::move(blob));
      OpBuilder mb(original);
      derived = memref::GlobalOp::create(
          mb, original.getLoc(), name, mb.getStringAttr("private"), type, init,
          /*constant=*/true, mb.getI64IntegerAttr(64));
      symbols.insert(derived);
      packedGlobals[name] = {original, derived};
    }
    return memref::GetGlobalOp::create(b, loc, derived.getType(),
                                       derived.getSymName());
  }

  template <typename T>
  static std::vector<char> bytesOf(const std::vector<T> &v) {
    std::vector<char> out(v.size() * sizeof(T));
    std::memcpy(out.data(), v.data(), out.size());
    return out;
  }

  /// The filter repacked into [F/FT][KH][KW][C][FT] blocks (the last block
  /// narrower when FT does not divide F), as a new constant global.
  Value packFilter(OpBuilder &b, Location loc, memref::GlobalOp global,
                   ArrayRef<int64_t> shape, int64_t ft, SymbolTable &symbols) {
    Type f32 = b.getF32Type();
    return derivedGlobal(
        b, loc, global, ("packed" + Twine(ft)).str(), f32, symbols,
        [&]() -> std::optional<std::vector<char>> {
          std::optional<std::vector<float>> values =
              readValues<float>(global, f32);
          if (!values)
            return std::nullopt;
          int64_t f = shape[0], k = shape[1] * shape[2] * shape[3];
          std::vector<float> out(values->size());
          for (int64_t f0 = 0; f0 < f; f0 += ft) {
            int64_t w = std::min(ft, f - f0);
            for (int64_t j = 0; j < w; ++j)
              for (int64_t r = 0; r < k; ++r)
                out[f0 * k + r * w + j] = (*values)[(f0 + j) * k + r];
          }
          return bytesOf(out);
        });
  }

  void vectorizeConv(linalg::Conv2DNhwcFhwcOp op, SymbolTable &symbols) {
    Value input = op.getInputs()[0], filter = op.getInputs()[1],
          output = op.getOutputs()[0];
    if (!isStaticF32(input, 4) || !isStaticF32(filter, 4) ||
        !isStaticF32(output, 4) || !innermostContiguous(output))
      return;
    auto getGlobal = filter.getDefiningOp<memref::GetGlobalOp>();
    if (!getGlobal)
      return;
    auto global = symbols.lookup<memref::GlobalOp>(getGlobal.getName());
    if (!global)
      return;
    ArrayRef<int64_t> in = llvm::cast<MemRefType>(input.getType()).getShape();
    ArrayRef<int64_t> w = llvm::cast<MemRefType>(filter.getType()).getShape();
    ArrayRef<int64_t> out = llvm::cast<MemRefType>(output.getType()).getShape();
    ConvGeometry g{out[0], out[1], out[2], w[1], w[2], 1, 1, 1, 1, out[3]};
    if (!readStridesDilations(op, g) || in[3] != w[3] || out[3] != w[0])
      return;
    int64_t c = w[3];

    Tile tile = chooseTile(g.channels, g.pixels(), lanes, registers,
                           /*depthwise=*/false);
    int64_t ft = tile.width();
    Fusion fusion(op, input);
    fusion.reciprocal = reciprocal;
    OpBuilder b(fusion.anchor(op));
    Location loc = op.getLoc();
    Value packed = packFilter(b, loc, global, w, ft, symbols);
    if (!packed)
      return;
    KernelBuilder kb(b, loc);
    int64_t k = g.kh * g.kw * c;

    // One register tile at output pixel q0 and channel f0 (values), with
    // block width `bw` (the packed block's row length).
    auto emitTile = [&](Value q0, int64_t pixels, Value f0,
                        ArrayRef<int64_t> widths, int64_t bw) {
      SmallVector<std::array<Value, 3>> px = kb.pixels(q0, pixels, g);
      SmallVector<Value> fs = kb.offsets(f0, widths);
      SmallVector<Value> acc = fusion.initialTile(kb, px, fs, widths);
      // A small tile (a remainder of a few pixels) has too few accumulators
      // to cover the FMA latency: each is one dependent chain, where a core
      // issues two FMAs per cycle of four cycles' latency. Such a tile keeps
      // `sets` sets of accumulators for consecutive input channels, all but
      // the first starting at zero, and sums them after the reduction (over
      // at least 4 channels each: few channels make short chains anyway).
      int64_t chains = pixels * static_cast<int64_t>(widths.size());
      int64_t sets =
          chains >= kMinChains
              ? 1
              : std::max<int64_t>(
                    1, std::min<int64_t>(
                           {4, (kMinChains + chains - 1) / chains, c / 4}));
      for (int64_t s = 1; s < sets; ++s)
        for (int64_t a = 0; a < chains; ++a)
          acc.push_back(arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(
                          kb.vec(widths[a % widths.size()]), 0.0f)));
      // Start of this block in the packed filter.
      Value base = kb.mul(f0, k);
      SmallVector<Value> ih0, iw0;
      for (int64_t p = 0; p < pixels; ++p) {
        ih0.push_back(kb.mul(px[p][1], g.sh));
        iw0.push_back(kb.mul(px[p][2], g.sw));
      }
      SmallVector<Value> result = kb.loop(
          g.kh, acc, [&](Value i, ValueRange acc1) {
            return kb.loop(g.kw, acc1, [&](Value j, ValueRange acc2) {
              SmallVector<Value> ih, iw;
              Value di = kb.mul(i, g.dh), dj = kb.mul(j, g.dw);
              for (int64_t p = 0; p < pixels; ++p) {
                ih.push_back(kb.addv(ih0[p], di));
                iw.push_back(kb.addv(iw0[p], dj));
              }
              // Row (i, j) of the block: ((i * KW + j) * C) * bw.
              Value row = kb.addv(
                  base, kb.mul(kb.addv(kb.mul(i, g.kw * c), kb.mul(j, c)), bw));
              // Input channel ci into one set of accumulators.
              auto channel = [&](Value ci, ValueRange accs) {
                Value at = kb.addv(row, kb.mul(ci, bw));
                SmallVector<Value> wv;
                int64_t o = 0;
                for (int64_t width : widths) {
                  wv.push_back(vector::LoadOp::create(
                      b, loc, kb.vec(width), packed, ValueRange{kb.add(at, o)}));
                  o += width;
                }
                SmallVector<Value> next;
                for (int64_t p = 0; p < pixels; ++p) {
                  Value x = memref::LoadOp::create(
                      b, loc, input, ValueRange{px[p][0], ih[p], iw[p], ci});
                  for (size_t v = 0; v < widths.size(); ++v) {
                    Value xb = vector::BroadcastOp::create(
                        b, loc, kb.vec(widths[v]), x);
                    next.push_back(vector::FMAOp::create(
                        b, loc, xb, wv[v], accs[p * widths.size() + v]));
                  }
                }
                return next;
              };
              // `sets` consecutive channels per step, each into its own set.
              SmallVector<Value> accs = kb.loop(
                  c / sets, acc2, [&](Value cg, ValueRange acc3) {
                    SmallVector<Value> next;
                    for (int64_t s = 0; s < sets; ++s) {
                      SmallVector<Value> part =
                          channel(kb.add(kb.mul(cg, sets), s),
                                  acc3.slice(s * chains, chains));
                      next.append(part.begin(), part.end());
                    }
                    return next;
                  });
              for (int64_t ci = c - c % sets; ci < c; ++ci) {
                SmallVector<Value> part =
                    channel(kb.idx(ci), ValueRange(accs).take_front(chains));
                llvm::copy(part, accs.begin());
              }
              return accs;
            });
          });
      // The sets summed, in a fixed order.
      for (int64_t s = 1; s < sets; ++s)
        for (int64_t a = 0; a < chains; ++a)
          result[a] = arith::AddFOp::create(b, loc, result[a],
                                            result[s * chains + a]);
      result.resize(chains);
      fusion.storeTile(kb, px, fs, widths, result);
    };

    emitTiles(kb, g, tile, [&](Value q0, int64_t pixels, Value f0,
                               ArrayRef<int64_t> widths, int64_t bw) {
      emitTile(q0, pixels, f0, widths, bw);
    });
    op.erase();
    fusion.finish();
    if (getGlobal->use_empty())
      getGlobal.erase();
  }

  /// Puts the zero-point term `offset` (per output channel, for input zero
  /// point `zp`, of the kernel with filter `filter`) into the fused bias
  /// when that is a constant global (a new global; `oldBias` is set to the
  /// old one's get_global, for erasing), else returns a table of it for
  /// the kernel to add to its initial values.
  Value zeroPointTerm(OpBuilder &b, Location loc, Fusion &fusion,
                      memref::GlobalOp filter, int64_t zp,
                      const std::vector<int32_t> &offset, SymbolTable &symbols,
                      memref::GetGlobalOp &oldBias) {
    Type i32 = b.getI32Type();
    // A symbol-friendly zero point: 3 -> "zp3", -128 -> "zpm128".
    std::string tag = zp < 0 ? "zpm" + std::to_string(-zp) : "zp" + std::to_string(zp);
    if (fusion.bias())
      if ((oldBias = fusion.bias().getDefiningOp<memref::GetGlobalOp>()))
        if (auto bg = symbols.lookup<memref::GlobalOp>(oldBias.getName()))
          if (Value folded = derivedGlobal(
                  b, loc, bg,
                  (tag + "_" + filter.getSymName()).str(), i32,
                  symbols, [&]() -> std::optional<std::vector<char>> {
                    std::optional<std::vector<int32_t>> bias =
                        readValues<int32_t>(bg, i32);
                    if (!bias || bias->size() != offset.size())
                      return std::nullopt;
                    for (size_t i = 0; i < offset.size(); ++i)
                      (*bias)[i] += offset[i];
                    return bytesOf(*bias);
                  })) {
            fusion.setBias(folded);
            return {};
          }
    oldBias = nullptr;
    return derivedGlobal(
        b, loc, filter, tag, i32, symbols,
        [&]() -> std::optional<std::vector<char>> { return bytesOf(offset); });
  }

  /// Adds the zero-point table (if any) to a tile's initial accumulators,
  /// pixel-major over `widths` vectors from channels `cs`.
  void addZeroPointTerm(KernelBuilder &kb, Value table, ArrayRef<Value> cs,
                        ArrayRef<int64_t> widths, SmallVector<Value> &acc) {
    if (!table)
      return;
    SmallVector<Value> term;
    for (size_t v = 0; v < widths.size(); ++v)
      term.push_back(
          lanes == 1
              ? memref::LoadOp::create(kb.b, kb.loc, table, ValueRange{cs[v]})
                    .getResult()
              : vector::LoadOp::create(kb.b, kb.loc,
                                       kb.vec(widths[v], kb.b.getI32Type()),
                                       table, ValueRange{cs[v]})
                    .getResult());
    for (size_t i = 0; i < acc.size(); ++i)
      acc[i] = arith::AddIOp::create(kb.b, kb.loc, acc[i],
                                     term[i % widths.size()]);
  }

  /// The largest i16 copy of a convolution's input the int8 `x86-madd`
  /// kernels make (a few rows, as the row tiling leaves them): past it,
  /// they split groups in registers instead of growing the arena.
  static constexpr int64_t kWideScratchBytes = 64 * 1024;

  /// The int8 `input` [N][H][W][C] (rows contiguous) sign-extended into a
  /// new buffer [N][H][W x C + 2] of i16 (in the arena), each row's two
  /// trailing elements zero.
  Value widenInput(KernelBuilder &kb, Value input) {
    OpBuilder &b = kb.b;
    Location loc = kb.loc;
    ArrayRef<int64_t> d = llvm::cast<MemRefType>(input.getType()).getShape();
    int64_t row = d[2] * d[3], chunk = 2 * lanes;
    Type i8 = b.getI8Type(), i16 = b.getI16Type();
    Value scratch = memref::AllocOp::create(
        b, loc, MemRefType::get({d[0], d[1], row + 2}, i16),
        b.getI64IntegerAttr(64));
    Value flat = memref::CollapseShapeOp::create(
        b, loc, input, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    Value zeros = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(kb.vec(2, i16), b.getI16IntegerAttr(0)));
    kb.loop(d[0], [&](Value n) {
      kb.loop(d[1], [&](Value h) {
        auto copy = [&](Value at, int64_t width) {
          Value x = vector::LoadOp::create(b, loc, kb.vec(width, i8), flat,
                                           ValueRange{n, h, at});
          vector::StoreOp::create(
              b, loc, arith::ExtSIOp::create(b, loc, kb.vec(width, i16), x),
              scratch, ValueRange{n, h, at});
        };
        int64_t full = row / chunk, at = full * chunk;
        kb.loop(full, [&](Value i) { copy(kb.mul(i, chunk), chunk); });
        for (int64_t width : splitWidths(row - at, chunk)) {
          copy(kb.idx(at), width);
          at += width;
        }
        vector::StoreOp::create(b, loc, zeros, scratch,
                                ValueRange{n, h, kb.idx(row)});
      });
    });
    return scratch;
  }

  /// x86's vpmaddwd at `pw` i32 lanes (128, 256 or 512 bits): each lane
  /// the sum of the products of its two signed i16 pairs in `x` and `w`.
  static Value pmaddwd(KernelBuilder &kb, Value x, Value w, int64_t pw) {
    StringRef name = pw == 4   ? "llvm.x86.sse2.pmadd.wd"
                     : pw == 8 ? "llvm.x86.avx2.pmadd.wd"
                               : "llvm.x86.avx512.pmaddw.d.512";
    return LLVM::CallIntrinsicOp::create(kb.b, kb.loc,
                                         kb.vec(pw, kb.b.getI32Type()),
                                         kb.b.getStringAttr(name),
                                         ValueRange{x, w})
        .getResult(0);
  }

  /// Lanes of the vector an int8 kernel computes `width` output channels
  /// in: the dot-product instructions exist at 128, 256 and 512 bits only,
  /// so a narrower remainder runs in the next width up, on zero weights.
  int64_t physicalWidth(int64_t width) const {
    if (dot.empty())
      return width;
    for (int64_t w : {int64_t(4), int64_t(8), int64_t(16)})
      if (w >= width && w <= lanes)
        return w;
    return lanes;
  }

  /// int8 convolutions with i32 accumulators: `linalg.conv_2d_nhwc_fhwc_q`
  /// with a constant input zero point and a zero filter zero point, or
  /// `conv_2d_nhwc_fhwc` on i8 x i8 -> i32. The tiles are those of the f32
  /// kernel. With a dot-product instruction, each step reduces a group of
  /// four input channels: one 4-byte input word broadcast to every lane
  /// against a filter packed [F/FT][KH][KW][C/4][FT][4]. x86's vpdpbusd
  /// takes unsigned bytes: the input is flipped to u8 (x ^ 0x80 = x + 128),
  /// and 128 x the filter sum leaves the accumulator with the zero point's
  /// own term. That term, -zp x sum(filter) per output channel (computed
  /// at compile time), starts the accumulator; the padding holds the zero
  /// point, so it is exact at the borders too. x86 without VNNI (`madd`)
  /// has no byte dot product that cannot saturate (vpmaddubsw does), so a
  /// group's word is split with two shifts into its even and odd bytes as
  /// signed 16-bit pairs, (x0, x2) and (x1, x3), each multiplied by the
  /// filter's matching pairs (packed as i16 at compile time) by vpmaddwd:
  /// 4 multiply-adds per lane in two instructions, exact. Better still
  /// (`wide`), when the input's rows are contiguous and small enough, the
  /// kernel first widens its input once into an i16 scratch buffer
  /// [N][H][W x C + 2] in the arena; then each step broadcasts one
  /// (x0, x1) pair straight from it for one vpmaddwd per accumulator,
  /// with no shifts (the 2 zeros past each row meet zero weights when
  /// a pair runs off the end). Without any, inputs and filter are
  /// widened to i32 for a multiply and an add per channel.
  void vectorizeConvInt8(linalg::LinalgOp op, SymbolTable &symbols) {
    bool vnni = dot == "x86-vnni", sdot = dot == "aarch64-sdot",
         madd = dot == "x86-madd";
    auto inType = llvm::dyn_cast<MemRefType>(op.getDpsInputs()[0].getType());
    bool wide = false;
    if (madd && inType && inType.getRank() == 4 && inType.hasStaticShape() &&
        inType.areTrailingDimsContiguous(2)) {
      ArrayRef<int64_t> d = inType.getShape();
      wide = d[0] * d[1] * (d[2] * d[3] + 2) * 2 <= kWideScratchBytes;
    }
    int64_t group = wide ? 2 : vnni || sdot || madd ? 4 : 1;
    std::optional<Int8Conv> conv = Int8Conv::match(op, symbols, group);
    if (!conv)
      return;
    const ConvGeometry &g = conv->g;
    Value input = conv->input;
    int64_t f = conv->f, zp = conv->zp, rows = conv->rows,
            len = conv->len, groups = conv->groups;
    const std::vector<int8_t> &values = conv->values;
    memref::GlobalOp global = conv->global;
    // vpdpbusd's u8 operand is the input flipped by 128.
    int64_t shift = vnni ? zp + 128 : zp;

    // One register (the flip constant) goes to the input; with madd, even
    // and odd pairs take two and their filter vectors NV more.
    bool pairs = madd && !wide;
    Tile tile = chooseTile(g.channels, g.pixels(), lanes,
                           vnni ? registers - 1
                                : pairs ? registers - 4 : registers,
                           /*depthwise=*/false);
    int64_t ft = tile.width();
    auto blockWidths = [&](int64_t f0) {
      return f0 + ft <= f ? tile.widths : splitWidths(f - f0, lanes);
    };
    Fusion fusion(op, input);
    fusion.reciprocal = reciprocal;
    OpBuilder b(fusion.anchor(op));
    Location loc = op.getLoc();
    // With pairs, a group row of a block holds the (w0, w2) pairs of all
    // its lanes, then their (w1, w3) pairs. The filter stays i8 (flash);
    // madd kernels sign-extend it as they load it.
    Value packed = derivedGlobal(
        b, loc, global, ("packed" + Twine(ft) + "x" + Twine(group) + "_" +
                         Twine(lanes) + (pairs ? "_eo" : "")).str(),
        b.getI8Type(), symbols, [&]() -> std::optional<std::vector<char>> {
          std::vector<int8_t> out;
          for (int64_t f0 = 0; f0 < f; f0 += ft) {
            SmallVector<int64_t> widths = blockWidths(f0);
            int64_t pbw = 0;
            for (int64_t width : widths)
              pbw += physicalWidth(width);
            size_t base = out.size();
            out.resize(base + rows * groups * pbw * group, 0);
            // Logical channel f0 + lo + j sits at lane po + j of the block.
            int64_t lo = 0, po = 0;
            for (int64_t width : widths) {
              for (int64_t j = 0; j < width; ++j)
                for (int64_t r = 0; r < rows; ++r)
                  for (int64_t l = 0; l < len; ++l) {
                    int64_t row = base + (r * groups + l / group) * pbw * group,
                            e = l % group;
                    out[pairs ? row + (e % 2) * pbw * 2 + (po + j) * 2 + e / 2
                              : row + (po + j) * group + e] =
                        values[((f0 + lo + j) * rows + r) * len + l];
                  }
              lo += width;
              po += physicalWidth(width);
            }
          }
          return bytesOf(out);
        });
    std::vector<int32_t> offset = conv->zeroPointTerm(shift);
    memref::GetGlobalOp oldBias;
    Value offsets = offset.empty() ? Value()
                                   : zeroPointTerm(b, loc, fusion, global,
                                                   shift, offset, symbols,
                                                   oldBias);
    KernelBuilder kb(b, loc);
    Type i32Type = b.getI32Type(), i8Type = b.getI8Type();

    // acc + x . w over a group (dot) or one channel (widening multiply);
    // with pairs, x and w are (even, odd) halves.
    auto step = [&](Value acc, ValueRange x, ValueRange wv,
                    int64_t pw) -> Value {
      if (group == 1)
        return arith::AddIOp::create(
            b, loc, acc, arith::MulIOp::create(b, loc, x[0], wv[0]));
      if (madd) {
        for (size_t h = 0; h < x.size(); ++h)
          acc = arith::AddIOp::create(b, loc, acc,
                                      pmaddwd(kb, x[h], wv[h], pw));
        return acc;
      }
      std::string name =
          vnni ? ("llvm.x86.avx512.vpdpbusd." + Twine(pw * 32)).str()
               : "llvm.aarch64.neon.sdot.v4i32.v16i8";
      return LLVM::CallIntrinsicOp::create(b, loc, kb.vec(pw, i32Type),
                                           b.getStringAttr(name),
                                           ValueRange{acc, x[0], wv[0]})
          .getResult(0);
    };
    Value source = wide ? widenInput(kb, input) : conv->source(b, loc);
    // The input at reduction position l of a window row (a channel, or
    // W x C position when flat) as the dot's left operand at width pw:
    // `count` values of a group as one broadcast word, or one widened value;
    // wide, one i16 pair from the widened copy; with pairs, the word's
    // (even, odd) i16 pairs, two values per width.
    auto inputAt = [&](Value n, Value ih, Value iw, Value l, int64_t count,
                       ArrayRef<int64_t> pws) {
      SmallVector<Value> at =
          wide ? SmallVector<Value>{n, ih, kb.addv(kb.mul(iw, conv->c), l)}
               : conv->at(kb, n, ih, iw, l);
      SmallVector<Value> xs;
      Value word;
      if (wide) {
        // The pair, or a single value and its successor (a zero weight's).
        Value pair = vector::LoadOp::create(
            b, loc, kb.vec(2, b.getI16Type()), source, at);
        word = vector::ExtractOp::create(
            b, loc, vector::BitCastOp::create(b, loc, kb.vec(1, i32Type), pair),
            ArrayRef<int64_t>{0});
      } else if (group == 1) {
        Value x = memref::LoadOp::create(b, loc, source, at);
        word = arith::ExtSIOp::create(b, loc, i32Type, x);
      } else {
        Value bytes = vector::LoadOp::create(b, loc, kb.vec(count, i8Type),
                                             source, at);
        if (count < group) {
          Value zero = arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(kb.vec(group, i8Type),
                                             b.getI8IntegerAttr(0)));
          bytes = vector::InsertStridedSliceOp::create(b, loc, bytes, zero,
                                                       ArrayRef<int64_t>{0},
                                                       ArrayRef<int64_t>{1});
        }
        word = vector::ExtractOp::create(
            b, loc,
            vector::BitCastOp::create(b, loc, kb.vec(1, i32Type), bytes),
            ArrayRef<int64_t>{0});
      }
      // One broadcast (and flip) at the widest width; narrower vectors are
      // its low lanes, which a register's lower half already holds.
      int64_t widest = *llvm::max_element(pws);
      Value bcast =
          vector::BroadcastOp::create(b, loc, kb.vec(widest, i32Type), word);
      if (vnni)
        bcast = arith::XOrIOp::create(
            b, loc, bcast,
            arith::ConstantOp::create(
                b, loc,
                DenseElementsAttr::get(kb.vec(widest, i32Type),
                                       b.getI32IntegerAttr(
                                           static_cast<int32_t>(0x80808080)))));
      if (madd) {
        // i16 lanes: the pair itself when wide; otherwise (x0, x2), each
        // i16 shifted up and back down with its sign, and (x1, x3), the
        // high bytes shifted down.
        VectorType i16s = kb.vec(2 * widest, b.getI16Type());
        SmallVector<Value, 2> halves{
            vector::BitCastOp::create(b, loc, i16s, bcast)};
        if (!wide) {
          Value c8 = arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(i16s, b.getI16IntegerAttr(8)));
          Value w16 = halves[0];
          halves = {arith::ShRSIOp::create(
                        b, loc, arith::ShLIOp::create(b, loc, w16, c8), c8),
                    arith::ShRSIOp::create(b, loc, w16, c8)};
        }
        for (int64_t pw : pws)
          for (Value h : halves)
            xs.push_back(kb.lowLanes(h, 2 * pw));
        return xs;
      }
      for (int64_t pw : pws) {
        Value x = kb.lowLanes(bcast, pw);
        if (group > 1)
          x = vector::BitCastOp::create(b, loc, kb.vec(pw * group, i8Type), x);
        xs.push_back(x);
      }
      return xs;
    };

    auto emitTile = [&](Value q0, int64_t pixels, Value f0,
                        ArrayRef<int64_t> widths, int64_t) {
      SmallVector<std::array<Value, 3>> px = kb.pixels(q0, pixels, g);
      SmallVector<Value> fs = kb.offsets(f0, widths);
      SmallVector<int64_t> pws, pos;
      int64_t pbw = 0;
      for (int64_t width : widths) {
        pws.push_back(physicalWidth(width));
        pos.push_back(pbw);
        pbw += pws.back();
      }
      size_t nv = widths.size();
      SmallVector<Value> acc = fusion.initialTile(kb, px, fs, widths);
      addZeroPointTerm(kb, offsets, fs, widths, acc);
      for (size_t i = 0; i < acc.size(); ++i) {
        size_t v = i % nv;
        if (pws[v] != widths[v]) {
          Value zero = arith::ConstantOp::create(
              b, loc, DenseElementsAttr::get(kb.vec(pws[v], i32Type),
                                             b.getI32IntegerAttr(0)));
          acc[i] = vector::InsertStridedSliceOp::create(
              b, loc, acc[i], zero, ArrayRef<int64_t>{0}, ArrayRef<int64_t>{1});
        }
      }
      // Start of this block in the packed filter.
      Value base = kb.mul(f0, rows * groups * group);
      // One group of `count` reduction values from l, whose filter block
      // row starts at `at`.
      auto groupStep = [&](ValueRange accs, ArrayRef<Value> ih,
                           ArrayRef<Value> iw, Value l, Value at,
                           int64_t count) {
        // Per vector: its filter operand(s), (even, odd) with pairs.
        size_t per = pairs ? 2 : 1;
        SmallVector<Value> wv;
        for (size_t v = 0; v < nv; ++v) {
          auto load = [&](int64_t count, int64_t offset) -> Value {
            Value w = vector::LoadOp::create(
                b, loc, kb.vec(count, i8Type), packed,
                ValueRange{kb.add(at, offset)});
            if (madd)
              return arith::ExtSIOp::create(
                  b, loc, kb.vec(count, b.getI16Type()), w);
            if (group == 1)
              return arith::ExtSIOp::create(b, loc, kb.vec(count, i32Type), w);
            return w;
          };
          if (pairs) {
            for (int64_t h = 0; h < 2; ++h)
              wv.push_back(load(2 * pws[v], h * pbw * 2 + pos[v] * 2));
            continue;
          }
          wv.push_back(load(pws[v] * group, pos[v] * group));
        }
        SmallVector<Value> next;
        for (int64_t p = 0; p < pixels; ++p) {
          SmallVector<Value> xs =
              inputAt(px[p][0], ih[p], iw[p], l, count, pws);
          for (size_t v = 0; v < nv; ++v)
            next.push_back(step(accs[p * nv + v],
                                ArrayRef<Value>(xs).slice(v * per, per),
                                ArrayRef<Value>(wv).slice(v * per, per),
                                pws[v]));
        }
        return next;
      };
      SmallVector<Value> result =
          conv->reduce(kb, px, acc, base, group, pbw * group, groupStep);
      for (size_t i = 0; i < result.size(); ++i) {
        size_t v = i % nv;
        if (pws[v] != widths[v])
          result[i] = vector::ExtractStridedSliceOp::create(
              b, loc, result[i], ArrayRef<int64_t>{0},
              ArrayRef<int64_t>{widths[v]}, ArrayRef<int64_t>{1});
      }
      fusion.storeTile(kb, px, fs, widths, result);
    };

    emitTiles(kb, g, tile, emitTile);
    finishKernel(op, fusion, {conv->getGlobal, oldBias});
  }

  /// int8 regular convolutions on Armv7E-M (Cortex-M4/M7/M33), which has
  /// no vectors but 16-bit SIMD in its 32-bit registers. A tile of 2
  /// pixels x 2 output channels keeps scalar i32 accumulators; each step
  /// takes a group of 4 input channels as one word per pixel, splits it
  /// with sxtb16 into its even and odd bytes as signed 16-bit pairs, and
  /// multiplies them with two filter words packed at compile time as
  /// 16-bit pairs (w0, w2) and (w1, w3): two smlad per pixel and channel
  /// for 4 multiply-adds. The filter is [F/2][rows][groups][2][2] words;
  /// the input zero point's term folds into the bias as on the vector
  /// targets, and few channels group along window rows the same way.
  void vectorizeConvDsp(linalg::LinalgOp op, SymbolTable &symbols) {
    std::optional<Int8Conv> conv = Int8Conv::match(op, symbols, 4);
    if (!conv)
      return;
    const ConvGeometry &g = conv->g;
    Value input = conv->input;
    int64_t f = conv->f, zp = conv->zp, rows = conv->rows, len = conv->len,
            groups = conv->groups;
    const std::vector<int8_t> &values = conv->values;
    memref::GlobalOp global = conv->global;

    Fusion fusion(op, input);
    fusion.scalar = true;
    OpBuilder b(fusion.anchor(op));
    Location loc = op.getLoc();
    // Output channels f0, f0 + 1 (or f0 alone, the last of an odd count)
    // share a block: word pairs (lo, hi) per channel, group and row.
    Value packed = derivedGlobal(
        b, loc, global, "dsp", b.getI32Type(), symbols,
        [&]() -> std::optional<std::vector<char>> {
          std::vector<int32_t> out;
          auto at = [&](int64_t fi, int64_t r, int64_t l) -> uint32_t {
            return l < len ? uint16_t(int16_t(values[(fi * rows + r) * len + l]))
                           : 0;
          };
          for (int64_t f0 = 0; f0 < f; f0 += 2) {
            int64_t bw = std::min<int64_t>(2, f - f0);
            for (int64_t r = 0; r < rows; ++r)
              for (int64_t gi = 0; gi < groups; ++gi)
                for (int64_t j = 0; j < bw; ++j) {
                  int64_t l = gi * 4;
                  out.push_back(int32_t(at(f0 + j, r, l) | at(f0 + j, r, l + 2) << 16));
                  out.push_back(int32_t(at(f0 + j, r, l + 1) | at(f0 + j, r, l + 3) << 16));
                }
          }
          return bytesOf(out);
        });
    std::vector<int32_t> offset = conv->zeroPointTerm(zp);
    memref::GetGlobalOp oldBias;
    Value offsets = offset.empty() ? Value()
                                   : zeroPointTerm(b, loc, fusion, global, zp,
                                                   offset, symbols, oldBias);
    KernelBuilder kb(b, loc);
    Type i32Type = b.getI32Type();
    Value source = conv->source(b, loc);
    auto intrinsic = [&](StringRef name, ValueRange args) -> Value {
      return LLVM::CallIntrinsicOp::create(b, loc, i32Type,
                                           b.getStringAttr(name), args)
          .getResult(0);
    };
    Value eight = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(8));
    Value twentyFour =
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(24));

    auto emitTile = [&](Value q0, int64_t pixels, Value f0,
                        ArrayRef<int64_t> widths, int64_t) {
      SmallVector<std::array<Value, 3>> px = kb.pixels(q0, pixels, g);
      SmallVector<Value> fs = kb.offsets(f0, widths);
      int64_t bw = widths.size();
      SmallVector<Value> acc = fusion.initialTile(kb, px, fs, widths);
      addZeroPointTerm(kb, offsets, fs, widths, acc);
      Value base = kb.mul(f0, rows * groups * 2);
      auto groupStep = [&](ValueRange accs, ArrayRef<Value> ih,
                           ArrayRef<Value> iw, Value l, Value at,
                           int64_t count) {
        SmallVector<Value> lo, hi;
        for (int64_t j = 0; j < bw; ++j) {
          lo.push_back(memref::LoadOp::create(b, loc, packed,
                                              ValueRange{kb.add(at, 2 * j)}));
          hi.push_back(memref::LoadOp::create(
              b, loc, packed, ValueRange{kb.add(at, 2 * j + 1)}));
        }
        SmallVector<Value> next(accs.begin(), accs.end());
        for (int64_t p = 0; p < pixels; ++p) {
          SmallVector<Value> idx = conv->at(kb, px[p][0], ih[p], iw[p], l);
          // Little-endian bytes as one word (LLVM makes it one load).
          Value word;
          for (int64_t t = 0; t < count; ++t) {
            SmallVector<Value> at = idx;
            at.back() = kb.add(at.back(), t);
            Value byte = arith::ExtUIOp::create(
                b, loc, i32Type, memref::LoadOp::create(b, loc, source, at));
            if (t)
              byte = arith::ShLIOp::create(
                  b, loc, byte,
                  arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(8 * t)));
            word = t ? arith::OrIOp::create(b, loc, word, byte).getResult()
                     : byte;
          }
          // Bytes 0 and 2, then 1 and 3 (the word rotated right by 8).
          Value even = intrinsic("llvm.arm.sxtb16", {word});
          Value rot = arith::OrIOp::create(
              b, loc, arith::ShRUIOp::create(b, loc, word, eight),
              arith::ShLIOp::create(b, loc, word, twentyFour));
          Value odd = intrinsic("llvm.arm.sxtb16", {rot});
          for (int64_t j = 0; j < bw; ++j) {
            Value &a = next[p * bw + j];
            a = intrinsic("llvm.arm.smlad", {even, lo[j], a});
            a = intrinsic("llvm.arm.smlad", {odd, hi[j], a});
          }
        }
        return next;
      };
      SmallVector<Value> result =
          conv->reduce(kb, px, acc, base, 4, bw * 2, groupStep);
      fusion.storeTile(kb, px, fs, widths, result);
    };

    Tile tile{std::min<int64_t>(2, g.pixels()), {1, 1}};
    emitTiles(kb, g, tile, emitTile);
    finishKernel(op, fusion, {conv->getGlobal, oldBias});
  }

  /// Replaces `op` with the kernel built before it: erases it, the ops
  /// fused into the kernel, and `views` of constants nothing reads now.
  static void finishKernel(linalg::LinalgOp op, Fusion &fusion,
                           ArrayRef<Operation *> views) {
    op.erase();
    fusion.finish();
    for (Operation *view : views)
      if (view && view->use_empty())
        view->erase();
  }

  /// Covers pixels x channels with full tiles in loops, then the channel and
  /// pixel remainders with straight-line tiles.
  void emitTiles(
      KernelBuilder &kb, const ConvGeometry &g, const Tile &tile,
      function_ref<void(Value, int64_t, Value, ArrayRef<int64_t>, int64_t)>
          emit) {
    int64_t ft = tile.width(), pt = tile.pixels;
    int64_t fullF = g.channels / ft, fullP = g.pixels() / pt;
    int64_t restF = g.channels - fullF * ft, restP = g.pixels() - fullP * pt;
    SmallVector<int64_t> restWidths = splitWidths(restF, lanes);
    // Channel blocks outermost: a block's filter stays in cache across all
    // pixel tiles.
    kb.loop(fullF, [&](Value fb) {
      Value f0 = kb.mul(fb, ft);
      kb.loop(fullP, [&](Value pb) { emit(kb.mul(pb, pt), pt, f0, tile.widths, ft); });
      if (restP)
        emit(kb.idx(fullP * pt), restP, f0, tile.widths, ft);
    });
    if (restF) {
      // The remaining channels' tiles, with their own pixel count.
      int64_t rpt = tile.restPixels ? tile.restPixels : pt;
      int64_t fullR = g.pixels() / rpt, restR = g.pixels() - fullR * rpt;
      Value f0 = kb.idx(fullF * ft);
      kb.loop(fullR, [&](Value pb) {
        emit(kb.mul(pb, rpt), rpt, f0, restWidths, restF);
      });
      if (restR)
        emit(kb.idx(fullR * rpt), restR, f0, restWidths, restF);
    }
  }

  /// An int8 depthwise convolution of one output row (as the row tiling
  /// leaves it) on a dot-product unit. A depthwise filter reduces over the
  /// window only, so the dot runs along window rows: the input's KH rows
  /// are first interleaved into a scratch buffer T[IW][KH/4][C][4] (four
  /// rows' bytes of one column and channel per 32-bit lane, flipped to u8
  /// for vpdpbusd), once per column, and the filter is packed the same way,
  /// [KW][KH/4][C][4] with zeros past KH. Each output pixel then takes one
  /// dot per window column and group of four rows, against the column's
  /// interleaved lanes, where the widening kernel takes a multiply and an
  /// add per window position. T lives in the arena; the zero-point term
  /// folds into the bias as for regular int8 convolutions. With madd
  /// (x86 without VNNI), lanes hold pairs of rows sign-extended to i16,
  /// T[IW][KH/2][C][2], against a filter packed in the same pairs (i8,
  /// widened as it is loaded), for vpmaddwd.
  /// False (nothing changed) when the filter is not a readable constant.
  bool vectorizeDepthwiseDot(linalg::LinalgOp op, const ConvGeometry &g,
                             int64_t zp, SymbolTable &symbols) {
    bool vnni = dot == "x86-vnni", madd = dot == "x86-madd";
    // Window rows per lane, and their element type.
    int64_t gs = madd ? 2 : 4;
    Value input = op.getDpsInputs()[0], filter = op.getDpsInputs()[1];
    auto getGlobal = filter.getDefiningOp<memref::GetGlobalOp>();
    auto global = getGlobal
                      ? symbols.lookup<memref::GlobalOp>(getGlobal.getName())
                      : memref::GlobalOp();
    std::optional<std::vector<int8_t>> values =
        readValues<int8_t>(global, IntegerType::get(op->getContext(), 8));
    if (!values)
      return false;
    int64_t c = g.channels, kg = (g.kh + gs - 1) / gs;
    int64_t iw = llvm::cast<MemRefType>(input.getType()).getDimSize(2);
    Tile tile = chooseTile(c, g.pixels(), lanes, registers,
                           /*depthwise=*/false);
    int64_t ft = tile.width(), fullF = c / ft, restF = c - fullF * ft;
    SmallVector<int64_t> restWidths = splitWidths(restF, lanes);
    // Channels of T and of the packed filter per column and group: every
    // vector is read at its physical width.
    int64_t cp = fullF * ft;
    for (int64_t w : restWidths)
      cp += physicalWidth(w);
    for (int64_t w : tile.widths)
      if (physicalWidth(w) != w)
        return false;

    Fusion fusion(op, input);
    fusion.reciprocal = reciprocal;
    OpBuilder b(fusion.anchor(op));
    Location loc = op.getLoc();
    KernelBuilder kb(b, loc);
    Type i8 = b.getI8Type(), i32 = b.getI32Type();
    // T's elements (i16 with madd); the filter stays i8 (flash), widened
    // as it is loaded. With madd, an odd KH's last row is stored alone, one
    // byte per channel: sign-extended to i32 it reads as the i16 pair
    // (w, 0 or -1), whose high half meets T's zero row.
    Type te = madd ? b.getI16Type() : i8;
    bool lone = madd && g.kh % 2;
    int64_t fullG = lone ? kg - 1 : kg;
    // Rows stored per window column, and the filter offset of a group.
    int64_t colRows = lone ? g.kh : kg * gs;
    Value packed = derivedGlobal(
        b, loc, global, ("dot" + Twine(cp) + "x" + Twine(gs)).str(), i8,
        symbols, [&]() -> std::optional<std::vector<char>> {
          std::vector<int8_t> out(g.kw * colRows * cp, 0);
          for (int64_t kh = 0; kh < g.kh; ++kh)
            for (int64_t kw = 0; kw < g.kw; ++kw)
              for (int64_t ci = 0; ci < c; ++ci) {
                int64_t gi = kh / gs, size = gi < fullG ? gs : 1;
                out[(kw * colRows + gi * gs) * cp + ci * size + kh % gs] =
                    (*values)[(kh * g.kw + kw) * c + ci];
              }
          return bytesOf(out);
        });
    // vpdpbusd's u8 operand is the input flipped by 128.
    int64_t shift = vnni ? zp + 128 : zp;
    std::vector<int32_t> offset(c, 0);
    bool anyOffset = false;
    for (size_t k = 0; k < values->size(); ++k) {
      offset[k % c] -= static_cast<int32_t>(shift * (*values)[k]);
      anyOffset |= offset[k % c] != 0;
    }
    memref::GetGlobalOp oldBias;
    Value offsets = anyOffset ? zeroPointTerm(b, loc, fusion, global, shift,
                                              offset, symbols, oldBias)
                              : Value();

    // Every channel vector of the tiling: (first channel, width).
    auto forEachVector = [&](function_ref<void(Value, int64_t)> body) {
      kb.loop(fullF, [&](Value fb) {
        SmallVector<Value> cs = kb.offsets(kb.mul(fb, ft), tile.widths);
        for (size_t v = 0; v < cs.size(); ++v)
          body(cs[v], tile.widths[v]);
      });
      SmallVector<Value> cs = kb.offsets(kb.idx(fullF * ft), restWidths);
      for (size_t v = 0; v < cs.size(); ++v)
        body(cs[v], restWidths[v]);
    };

    // T[col][group][channel][row % gs].
    auto scratch = memref::AllocOp::create(
        b, loc, MemRefType::get({iw * kg * cp * gs}, te),
        b.getI64IntegerAttr(64));
    auto tAt = [&](Value col, int64_t gi, Value c0) {
      return kb.mul(kb.addv(kb.mul(kb.add(kb.mul(col, kg), gi), cp), c0), gs);
    };
    kb.loop(iw, [&](Value col) {
      forEachVector([&](Value c0, int64_t w) {
        int64_t pw = physicalWidth(w);
        VectorType rowType = kb.vec(pw, te);
        Value zeroRow = arith::ConstantOp::create(
            b, loc, DenseElementsAttr::get(rowType, b.getZeroAttr(te)));
        for (int64_t gi = 0; gi < kg; ++gi) {
          SmallVector<Value> rows;
          for (int64_t t = 0; t < gs; ++t) {
            int64_t kh = gi * gs + t;
            if (kh >= g.kh) {
              rows.push_back(zeroRow);
              continue;
            }
            Value r = vector::LoadOp::create(
                b, loc, kb.vec(w, i8), input,
                ValueRange{kb.idx(0), kb.idx(kh * g.dh), col, c0});
            if (madd)
              r = arith::ExtSIOp::create(b, loc, kb.vec(w, te), r);
            if (w != pw)
              r = vector::InsertStridedSliceOp::create(
                  b, loc, r, zeroRow, ArrayRef<int64_t>{0},
                  ArrayRef<int64_t>{1});
            rows.push_back(r);
          }
          // Lane j of the result holds rows[0..gs-1][j].
          SmallVector<int64_t> pairs, quads;
          for (int64_t j = 0; j < pw; ++j) {
            pairs.append({j, pw + j});
            quads.append({2 * j, 2 * j + 1, 2 * pw + 2 * j, 2 * pw + 2 * j + 1});
          }
          Value x = vector::ShuffleOp::create(b, loc, rows[0], rows[1], pairs);
          if (gs == 4) {
            Value cd =
                vector::ShuffleOp::create(b, loc, rows[2], rows[3], pairs);
            x = vector::ShuffleOp::create(b, loc, x, cd, quads);
          }
          if (vnni)
            x = arith::XOrIOp::create(
                b, loc, x,
                arith::ConstantOp::create(
                    b, loc, DenseElementsAttr::get(kb.vec(4 * pw, i8),
                                                   b.getI8IntegerAttr(-128))));
          vector::StoreOp::create(b, loc, x, scratch,
                                  ValueRange{tAt(col, gi, c0)});
        }
      });
    });

    auto emitTile = [&](Value q0, int64_t pixels, Value c0,
                        ArrayRef<int64_t> widths, int64_t) {
      SmallVector<std::array<Value, 3>> px = kb.pixels(q0, pixels, g);
      SmallVector<Value> cs = kb.offsets(c0, widths);
      size_t nv = widths.size();
      SmallVector<int64_t> pws;
      for (int64_t w : widths)
        pws.push_back(physicalWidth(w));
      SmallVector<Value> acc = fusion.initialTile(kb, px, cs, widths);
      addZeroPointTerm(kb, offsets, cs, widths, acc);
      for (size_t i = 0; i < acc.size(); ++i) {
        size_t v = i % nv;
        if (pws[v] != widths[v])
          acc[i] = vector::InsertStridedSliceOp::create(
              b, loc, acc[i],
              arith::ConstantOp::create(
                  b, loc, DenseElementsAttr::get(kb.vec(pws[v], i32),
                                                 b.getI32IntegerAttr(0))),
              ArrayRef<int64_t>{0}, ArrayRef<int64_t>{1});
      }
      SmallVector<Value> result =
          kb.loop(g.kw, acc, [&](Value j, ValueRange acc1) {
            SmallVector<Value> cols;
            for (int64_t p = 0; p < pixels; ++p)
              cols.push_back(kb.addv(kb.mul(px[p][2], g.sw), kb.mul(j, g.dw)));
            // Group gi of window column j; `single` for a lone last row.
            auto groupStep = [&](Value gi, ValueRange acc2, bool single) {
              Value at = kb.addv(kb.mul(j, colRows * cp), kb.mul(gi, gs * cp));
              SmallVector<Value> wv;
              for (size_t v = 0; v < nv; ++v) {
                int64_t n = single ? pws[v] : gs * pws[v];
                Value w = vector::LoadOp::create(
                    b, loc, kb.vec(n, i8), packed,
                    ValueRange{kb.addv(at, kb.mul(cs[v], n / pws[v]))});
                if (single)
                  w = vector::BitCastOp::create(
                      b, loc, kb.vec(gs * pws[v], te),
                      arith::ExtSIOp::create(b, loc, kb.vec(pws[v], i32), w));
                else if (madd)
                  w = arith::ExtSIOp::create(b, loc, kb.vec(n, te), w);
                wv.push_back(w);
              }
              SmallVector<Value> next;
              for (int64_t p = 0; p < pixels; ++p) {
                Value base = kb.addv(kb.mul(cols[p], kg), gi);
                for (size_t v = 0; v < nv; ++v) {
                  Value x = vector::LoadOp::create(
                      b, loc, kb.vec(gs * pws[v], te), scratch,
                      ValueRange{kb.mul(kb.addv(kb.mul(base, cp), cs[v]), gs)});
                  if (madd) {
                    next.push_back(arith::AddIOp::create(
                        b, loc, acc2[p * nv + v],
                        pmaddwd(kb, x, wv[v], pws[v])));
                    continue;
                  }
                  std::string name =
                      vnni ? ("llvm.x86.avx512.vpdpbusd." + Twine(pws[v] * 32))
                                 .str()
                           : "llvm.aarch64.neon.sdot.v4i32.v16i8";
                  next.push_back(LLVM::CallIntrinsicOp::create(
                                     b, loc, kb.vec(pws[v], i32),
                                     b.getStringAttr(name),
                                     ValueRange{acc2[p * nv + v], x, wv[v]})
                                     .getResult(0));
                }
              }
              return next;
            };
            SmallVector<Value> accs =
                kb.loop(fullG, acc1, [&](Value gi, ValueRange acc2) {
                  return groupStep(gi, acc2, false);
                });
            if (lone)
              accs = groupStep(kb.idx(fullG), accs, true);
            return accs;
          });
      for (size_t i = 0; i < result.size(); ++i) {
        size_t v = i % nv;
        if (pws[v] != widths[v])
          result[i] = vector::ExtractStridedSliceOp::create(
              b, loc, result[i], ArrayRef<int64_t>{0},
              ArrayRef<int64_t>{widths[v]}, ArrayRef<int64_t>{1});
      }
      fusion.storeTile(kb, px, cs, widths, result);
    };
    emitTiles(kb, g, tile, emitTile);
    finishKernel(op, fusion, {getGlobal, oldBias});
    return true;
  }

  /// Depthwise convolutions, f32 or int8 (i8 data, i32 accumulators,
  /// widened to i32 per multiply; the `_q` forms with a zero filter zero
  /// point, the input's term folded into the initial value as for regular
  /// int8 convolutions).
  void vectorizeDepthwise(linalg::LinalgOp op, SymbolTable &symbols) {
    Value input = op.getDpsInputs()[0], filter = op.getDpsInputs()[1],
          output = op.getDpsInits()[0];
    bool hwcm = llvm::isa<linalg::DepthwiseConv2DNhwcHwcmOp,
                          linalg::DepthwiseConv2DNhwcHwcmQOp>(*op);
    int64_t rank = hwcm ? 5 : 4;
    bool int8 = getElementTypeOrSelf(input.getType()).isInteger(8);
    auto dataType = [&](Type t) { return int8 ? t.isInteger(8) : t.isF32(); };
    auto accType = [&](Type t) { return int8 ? t.isInteger(32) : t.isF32(); };
    if (!isStatic(input, 4, dataType) || !isStatic(filter, rank - 1, dataType) ||
        !isStatic(output, rank, accType) || !innermostContiguous(input) ||
        !innermostContiguous(filter) || !innermostContiguous(output))
      return;
    std::optional<int64_t> inputZp = inputZeroPoint(op);
    if (!inputZp)
      return;
    int64_t zp = *inputZp;
    ArrayRef<int64_t> in = llvm::cast<MemRefType>(input.getType()).getShape();
    ArrayRef<int64_t> w = llvm::cast<MemRefType>(filter.getType()).getShape();
    ArrayRef<int64_t> out = llvm::cast<MemRefType>(output.getType()).getShape();
    if (hwcm && (w[3] != 1 || out[4] != 1))
      return;
    ConvGeometry g{out[0], out[1], out[2], w[0], w[1], 1, 1, 1, 1, out[3]};
    if (!readStridesDilations(op, g) || in[3] != w[2] || out[3] != w[2])
      return;
    // Vectors along C need the channel to be the unit-stride dimension of
    // the filter and output; with a trailing multiplier of 1 it is.
    if (hwcm && (!unitStrideAt(filter, 2) || !unitStrideAt(output, 3)))
      return;

    if (int8 && !dot.empty() && lanes >= 4 && g.n * g.oh == 1 &&
        g.kh > 1 && vectorizeDepthwiseDot(op, g, zp, symbols))
      return;

    // Without vectors (int8 on DSP targets): 2 pixels x 2 channels of
    // scalar accumulators, each filter value loaded once for both pixels.
    bool scalar = lanes == 1;
    Tile tile = scalar ? Tile{std::min<int64_t>(2, g.pixels()), {1, 1}}
                       : chooseTile(g.channels, g.pixels(), lanes, registers,
                                    /*depthwise=*/true);
    Fusion fusion(op, input);
    fusion.reciprocal = reciprocal;
    fusion.scalar = scalar;
    OpBuilder b(fusion.anchor(op));
    Location loc = op.getLoc();
    KernelBuilder kb(b, loc);
    Type dataElem = getElementTypeOrSelf(input.getType());
    Type i32 = b.getI32Type();

    // The input zero point's term: -zp x the sum of each channel's window.
    Value offsets;
    memref::GetGlobalOp oldBias;
    if (zp != 0) {
      auto getGlobal = filter.getDefiningOp<memref::GetGlobalOp>();
      auto global = getGlobal ? symbols.lookup<memref::GlobalOp>(
                                    getGlobal.getName())
                              : memref::GlobalOp();
      std::optional<std::vector<int8_t>> values =
          readValues<int8_t>(global, b.getI8Type());
      if (!values)
        return;
      int64_t c = g.channels;
      std::vector<int32_t> offset(c, 0);
      for (size_t k = 0; k < values->size(); ++k)
        offset[k % c] -= static_cast<int32_t>(zp * (*values)[k]);
      offsets = zeroPointTerm(b, loc, fusion, global, zp, offset, symbols,
                              oldBias);
    }
    // [KH, KW, C, 1] seen as [KH, KW, C].
    Value filter3 = collapseTrailing(kb, filter, 3);
    // A vector of `width` data elements at `at`, as accumulator lanes.
    auto load = [&](Value from, ValueRange at, int64_t width) -> Value {
      if (scalar) {
        Value v = memref::LoadOp::create(b, loc, from, at);
        return int8 ? arith::ExtSIOp::create(b, loc, i32, v).getResult() : v;
      }
      Value v = vector::LoadOp::create(b, loc, kb.vec(width, dataElem), from,
                                       at);
      if (int8)
        v = arith::ExtSIOp::create(b, loc, kb.vec(width, i32), v);
      return v;
    };

    auto emitTile = [&](Value q0, int64_t pixels, Value c0,
                        ArrayRef<int64_t> widths, int64_t) {
      SmallVector<std::array<Value, 3>> px = kb.pixels(q0, pixels, g);
      SmallVector<Value> cs = kb.offsets(c0, widths);
      SmallVector<Value> acc = fusion.initialTile(kb, px, cs, widths);
      addZeroPointTerm(kb, offsets, cs, widths, acc);
      SmallVector<Value> result = kb.loop(
          g.kh, acc, [&](Value i, ValueRange acc1) {
            return kb.loop(g.kw, acc1, [&](Value j, ValueRange acc2) {
              SmallVector<Value> wv;
              for (size_t v = 0; v < widths.size(); ++v)
                wv.push_back(load(filter3, {i, j, cs[v]}, widths[v]));
              Value di = kb.mul(i, g.dh), dj = kb.mul(j, g.dw);
              SmallVector<Value> next;
              for (int64_t p = 0; p < pixels; ++p) {
                Value ih = kb.addv(kb.mul(px[p][1], g.sh), di);
                Value iw = kb.addv(kb.mul(px[p][2], g.sw), dj);
                for (size_t v = 0; v < widths.size(); ++v) {
                  Value x = load(input, {px[p][0], ih, iw, cs[v]}, widths[v]);
                  Value a = acc2[p * widths.size() + v];
                  next.push_back(
                      int8 ? arith::AddIOp::create(
                                 b, loc, a, arith::MulIOp::create(b, loc, x, wv[v]))
                                 .getResult()
                           : vector::FMAOp::create(b, loc, x, wv[v], a)
                                 .getResult());
                }
              }
              return next;
            });
          });
      fusion.storeTile(kb, px, cs, widths, result);
    };
    emitTiles(kb, g, tile, emitTile);
    finishKernel(op, fusion, {oldBias});
  }

  /// Where loop dimension `d` indexes `v` through `m` so that a vector
  /// along `d` is contiguous: a result equal to `d` with unit stride,
  /// followed only by dimensions of extent 1, and `d` in no other result.
  static std::optional<int64_t> vectorPosition(Value v, AffineMap m,
                                               unsigned d) {
    auto type = llvm::cast<MemRefType>(v.getType());
    std::optional<unsigned> p =
        m.getResultPosition(getAffineDimExpr(d, m.getContext()));
    if (!p || !unitStrideAt(v, *p))
      return std::nullopt;
    for (unsigned r = 0; r < m.getNumResults(); ++r)
      if (r != *p && (m.getResult(r).isFunctionOfDim(d) ||
                      (r > *p && type.getDimSize(r) != 1)))
        return std::nullopt;
    return *p;
  }

  /// A vector load at `at` (indices of all of `v`'s dimensions) along `d`.
  static Value vectorLoad(KernelBuilder &kb, VectorType type, Value v,
                          AffineMap m, unsigned d, SmallVector<Value> at) {
    int64_t p = *vectorPosition(v, m, d);
    at.resize(p + 1);
    return vector::LoadOp::create(kb.b, kb.loc, type,
                                  collapseTrailing(kb, v, p + 1), at);
  }

  /// Lanes of an elementwise op's vectors: a full register of its widest
  /// element type (64 bytes of a copy of int8 values on AVX-512), at least
  /// the f32 lane count (ops widening to i64 inside run as that many lanes,
  /// split by LLVM).
  int64_t genericLanes(linalg::LinalgOp op) {
    if (lanes <= 1)
      return lanes;
    unsigned bits = 8;
    for (OpOperand &operand : op->getOpOperands())
      bits = std::max(bits, getElementTypeOrSelf(operand.get().getType())
                                .getIntOrFloatBitWidth());
    op->walk([&](Operation *inner) {
      for (Type t : inner->getResultTypes())
        if (t.isIntOrFloat())
          bits = std::max(bits, t.getIntOrFloatBitWidth());
    });
    return std::max<int64_t>(lanes, vectorBits / bits);
  }

  /// First dimension from which every memref operand of `op` (an
  /// elementwise op on buffers: identity maps, all loops parallel) is
  /// contiguous with static extents; the rank when none is.
  static int64_t contiguousFrom(linalg::GenericOp op) {
    int64_t rank = op.getNumLoops();
    int64_t from = 0;
    for (OpOperand &operand : op->getOpOperands()) {
      auto type = llvm::dyn_cast<MemRefType>(operand.get().getType());
      if (!type)
        continue;
      SmallVector<int64_t> strides;
      int64_t offset;
      if (!op.getMatchingIndexingMap(&operand).isIdentity() ||
          failed(type.getStridesAndOffset(strides, offset)) ||
          strides.back() != 1 || type.isDynamicDim(rank - 1))
        return rank;
      int64_t i = rank - 1;
      while (i > 0 && !type.isDynamicDim(i - 1) &&
             !ShapedType::isDynamic(strides[i - 1]) &&
             strides[i - 1] == strides[i] * type.getDimSize(i))
        --i;
      from = std::max(from, i);
    }
    return from;
  }

  /// An elementwise op whose innermost dimension is narrower than a vector
  /// (3 channels of an image, a padding copy) on the trailing dimensions
  /// merged where every operand is contiguous: the vectors then run along
  /// whole rows. Returns the op to vectorize.
  linalg::LinalgOp collapseNarrow(IRRewriter &rw, linalg::LinalgOp named) {
    auto outType =
        llvm::dyn_cast<MemRefType>(named.getDpsInitOperand(0)->get().getType());
    if (!outType || outType.getRank() < 2 ||
        outType.isDynamicDim(outType.getRank() - 1) ||
        outType.getDimSize(outType.getRank() - 1) >= genericLanes(named) ||
        named.getNumReductionLoops() || named.getNumLoops() != outType.getRank())
      return named;
    linalg::GenericOp op = llvm::dyn_cast<linalg::GenericOp>(*named);
    if (!op) {
      rw.setInsertionPoint(named);
      FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rw, named);
      if (failed(g))
        return named;
      op = *g;
      named = op;
    }
    // A body that reads its loop indices needs the loops it was built for.
    if (!op.getBody()->getOps<linalg::IndexOp>().empty())
      return named;
    int64_t rank = op.getNumLoops();
    int64_t from = contiguousFrom(op);
    if (from >= rank - 1)
      return named;
    for (OpOperand &operand : op->getOpOperands())
      if (!llvm::isa<MemRefType>(operand.get().getType()) &&
          op.getMatchingIndexingMap(&operand).getNumResults())
        return named;
    SmallVector<ReassociationIndices> groups;
    for (int64_t i = 0; i < from; ++i)
      groups.push_back({i});
    groups.emplace_back();
    for (int64_t i = from; i < rank; ++i)
      groups.back().push_back(i);
    rw.setInsertionPoint(op);
    Location loc = op.getLoc();
    auto collapse = [&](Value v) -> Value {
      if (!llvm::isa<MemRefType>(v.getType()))
        return v;
      return memref::CollapseShapeOp::create(rw, loc, v, groups);
    };
    SmallVector<Value> ins, outs;
    for (Value v : op.getDpsInputs())
      ins.push_back(collapse(v));
    outs.push_back(collapse(op.getDpsInits()[0]));
    int64_t newRank = from + 1;
    SmallVector<AffineMap> maps;
    for (OpOperand &operand : op->getOpOperands())
      maps.push_back(llvm::isa<MemRefType>(operand.get().getType())
                         ? rw.getMultiDimIdentityMap(newRank)
                         : AffineMap::get(newRank, 0, rw.getContext()));
    SmallVector<utils::IteratorType> iterators(newRank,
                                               utils::IteratorType::parallel);
    auto collapsed = linalg::GenericOp::create(rw, loc, TypeRange{}, ins, outs,
                                               maps, iterators);
    rw.inlineRegionBefore(op.getRegion(), collapsed.getRegion(),
                          collapsed.getRegion().begin());
    rw.eraseOp(op);
    return collapsed;
  }

  /// A linalg op on buffers as vector loops along the loop dimension `d`
  /// that indexes the output's innermost (unit-stride) dimension: every
  /// operand either has `d` as its own innermost unit-stride dimension (a
  /// vector load) or does not depend on it (a scalar, broadcast). Other
  /// parallel dimensions are loops; reduction dimensions are inner loops
  /// that carry NV accumulator vectors in registers, stored once. Named
  /// ops (matmul, pools, fill, map) are generalized first; anything else
  /// (a transpose, linalg.index, i1 or i48 data) is left to the scalar
  /// lowering.
  /// A constant input that a reduction walks row by row while the vectors
  /// run along its innermost dimension d (a matrix product's weights, N
  /// values per row), repacked at compile time so that each block of
  /// `block` lanes is contiguous: [N / block][rows][block], the last block
  /// N % block wide. Unpacked, each reduction step of a block reads a new
  /// row N elements further on, and a matrix larger than the L1 cache is
  /// fetched from L2 once per block. Null when the input is not such a
  /// constant or is under `blocked-input-bytes`.
  Value blockedInput(OpBuilder &b, Location loc, linalg::GenericOp op,
                     OpOperand *in, unsigned d, int64_t block,
                     ArrayRef<unsigned> reductions, SymbolTable &symbols) {
    auto type = llvm::dyn_cast<MemRefType>(in->get().getType());
    AffineMap m = op.getMatchingIndexingMap(in);
    if (!type || !type.hasStaticShape() || !type.getLayout().isIdentity() ||
        !m.isFunctionOfDim(d) ||
        llvm::none_of(reductions,
                      [&](unsigned r) { return m.isFunctionOfDim(r); }))
      return {};
    std::optional<int64_t> p = vectorPosition(in->get(), m, d);
    int64_t bytes = type.getElementTypeBitWidth() / 8;
    if (!p || type.getNumElements() * bytes < blockedInputBytes)
      return {};
    // The global itself or a reshape of it: the same row-major bytes.
    Value root = in->get();
    while (Operation *def = root.getDefiningOp()) {
      if (!llvm::isa<memref::ExpandShapeOp, memref::CollapseShapeOp>(def))
        break;
      root = def->getOperand(0);
    }
    auto getGlobal = root.getDefiningOp<memref::GetGlobalOp>();
    if (!getGlobal)
      return {};
    auto global = symbols.lookup<memref::GlobalOp>(getGlobal.getName());
    std::optional<ArrayRef<char>> raw =
        constantBytes(global, type.getNumElements() * bytes);
    if (!raw)
      return {};
    ArrayRef<char> data = *raw;
    int64_t n = type.getDimSize(*p), rows = type.getNumElements() / n;
    return derivedGlobal(
        b, loc, global, ("blocked" + Twine(block)).str(),
        type.getElementType(), symbols,
        [&]() -> std::optional<std::vector<char>> {
          std::vector<char> out(data.size());
          char *to = out.data();
          for (int64_t n0 = 0; n0 < n; n0 += block) {
            int64_t w = std::min(block, n - n0);
            for (int64_t r = 0; r < rows; ++r, to += w * bytes)
              std::memcpy(to, data.data() + (r * n + n0) * bytes, w * bytes);
          }
          return out;
        });
  }

  void vectorizeGeneric(IRRewriter &rewriter, linalg::LinalgOp named,
                        SymbolTable &symbols) {
    if (!named.hasPureBufferSemantics() || named->getNumResults() ||
        named.getNumDpsInits() != 1)
      return;
    named = collapseNarrow(rewriter, named);
    // Cheap checks before generalizing.
    // Vectors in memory are bit-packed: one of i1 or i48 does not have the
    // layout of the buffer (bytes, 8-byte slots). Whole power-of-two bytes
    // only.
    for (OpOperand &operand : named->getOpOperands()) {
      auto type = llvm::dyn_cast<MemRefType>(operand.get().getType());
      if (!type)
        continue;
      unsigned bits = type.getElementType().isIntOrFloat()
                          ? type.getElementTypeBitWidth()
                          : 0;
      if (bits < 8 || !llvm::isPowerOf2_32(bits))
        return;
    }
    linalg::GenericOp op = llvm::dyn_cast<linalg::GenericOp>(*named);
    OpOperand *init = named.getDpsInitOperand(0);
    AffineMap outMap = named.getMatchingIndexingMap(init);
    if (outMap.getNumResults() == 0 || !outMap.isProjectedPermutation())
      return;
    auto outType = llvm::cast<MemRefType>(init->get().getType());
    // The output's innermost dimension of extent > 1 (trailing unit
    // dimensions, a depthwise multiplier of 1, are collapsed away).
    int64_t last = outType.getRank() - 1;
    while (last > 0 && outType.getDimSize(last) == 1)
      --last;
    unsigned d = llvm::cast<AffineDimExpr>(outMap.getResult(last)).getPosition();
    SmallVector<int64_t> ranges = named.getStaticLoopRanges();
    if (ShapedType::isDynamic(ranges[d]) || ranges[d] < 2 ||
        vectorPosition(init->get(), outMap, d) != last ||
        named.getIteratorTypesArray()[d] != utils::IteratorType::parallel)
      return;
    Value outRoot = rootBuffer(init->get());
    for (OpOperand *in : named.getDpsInputOperands()) {
      AffineMap m = named.getMatchingIndexingMap(in);
      auto type = llvm::dyn_cast<MemRefType>(in->get().getType());
      if (!type) { // a scalar (fill)
        continue;
      }
      if (m.getNumResults() != type.getRank())
        return;
      if (m.isFunctionOfDim(d) && !vectorPosition(in->get(), m, d))
        return;
      // An input that is the output's own buffer must be read where it is
      // written (an in-place elementwise op), and never by a reduction.
      if (rootBuffer(in->get()) == outRoot &&
          (m != outMap || named.getNumReductionLoops()))
        return;
    }
    if (!op) {
      rewriter.setInsertionPoint(named);
      FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, named);
      if (failed(g))
        return;
      op = *g;
    }
    Block *body = op.getBody();
    for (Operation &inner : body->without_terminator())
      if (!OpTrait::hasElementwiseMappableTraits(&inner) ||
          inner.getNumRegions() || inner.getNumResults() != 1 ||
          !inner.getResult(0).getType().isIntOrFloat())
        return;

    OpBuilder b(op);
    Location loc = op.getLoc();
    KernelBuilder kb(b, loc);
    unsigned numLoops = op.getNumLoops();
    // Extents of the other dimensions may be dynamic (a tile clipped at a
    // border).
    SmallVector<Value> extents;
    for (Range r : llvm::cast<linalg::LinalgOp>(*op).createLoopRanges(b, loc))
      extents.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
    auto iterators = op.getIteratorTypesArray();
    SmallVector<unsigned> outer, reductions;
    for (unsigned i = 0; i < numLoops; ++i) {
      if (i == d)
        continue;
      (iterators[i] == utils::IteratorType::parallel ? outer : reductions)
          .push_back(i);
    }
    Value out = op.getDpsInits()[0];
    BlockArgument outArg = body->getArgument(op.getNumDpsInputs());
    bool readsOut = !reductions.empty() || !outArg.use_empty();
    Type outElement = outType.getElementType();

    auto indices = [&](AffineMap m, ArrayRef<Value> ivs) {
      SmallVector<Value> at;
      for (AffineExpr e : m.getResults()) {
        if (auto dim = llvm::dyn_cast<AffineDimExpr>(e)) {
          at.push_back(ivs[dim.getPosition()]);
          continue;
        }
        at.push_back(affine::AffineApplyOp::create(
            b, loc, AffineMap::get(numLoops, 0, e), ivs));
      }
      return at;
    };
    // Blocks of NV vectors of `width` lanes along d.
    int64_t width = genericLanes(op);
    int64_t vectors = (ranges[d] + width - 1) / width;
    int64_t nv = std::min<int64_t>(vectors, reductions.empty() ? 2 : 4);
    int64_t block = nv * width;
    // Constant inputs repacked block by block (blockedInput), and where the
    // vectors being computed sit: block `blockIndex`, `blockWidth` lanes
    // wide (the last one narrower), from lane `laneOffset` of it.
    llvm::DenseMap<OpOperand *, Value> blocked;
    Value blockIndex;
    int64_t blockWidth = 0, laneOffset = 0;
    auto blockedLoad = [&](OpOperand *in, VectorType vt, ArrayRef<Value> at) {
      auto type = llvm::cast<MemRefType>(in->get().getType());
      int64_t p = *vectorPosition(in->get(), op.getMatchingIndexingMap(in), d);
      int64_t rows = 1;
      for (int64_t r = 0; r < p; ++r)
        rows *= type.getDimSize(r);
      // Row-major position of the row, then block, row and lane offsets.
      Value row = kb.idx(0);
      for (int64_t r = 0; r < p; ++r)
        row = kb.addv(kb.mul(row, type.getDimSize(r)), at[r]);
      Value i = kb.addv(kb.mul(blockIndex, rows * block),
                        kb.add(kb.mul(row, blockWidth), laneOffset));
      return vector::LoadOp::create(b, loc, vt, blocked.lookup(in),
                                    ValueRange{i});
    };
    // The body on `width` lanes at loop position `ivs` (ivs[d]: first lane).
    // Values the same in every lane (inputs not indexed by d, and what is
    // computed from them alone) stay scalars until a per-lane op needs them:
    // a requantization fused into a matrix product from an input it
    // broadcasts runs once per reduction step on scalars, not on 64-bit
    // vector lanes (targets with vectors are 64-bit, so i64 is native).
    auto compute = [&](ArrayRef<Value> ivs, Value acc, int64_t width) -> Value {
      IRMapping lanes, uniform;
      for (OpOperand *in : op.getDpsInputOperands()) {
        BlockArgument arg = body->getArgument(in->getOperandNumber());
        if (arg.use_empty())
          continue;
        if (!llvm::isa<MemRefType>(in->get().getType())) {
          uniform.map(arg, in->get());
          continue;
        }
        AffineMap m = op.getMatchingIndexingMap(in);
        SmallVector<Value> at = indices(m, ivs);
        if (m.isFunctionOfDim(d) && blocked.count(in))
          lanes.map(arg, blockedLoad(in, VectorType::get({width}, arg.getType()),
                                     at));
        else if (m.isFunctionOfDim(d))
          lanes.map(arg, vectorLoad(kb, VectorType::get({width}, arg.getType()),
                                    in->get(), m, d, at));
        else
          uniform.map(arg, memref::LoadOp::create(b, loc, in->get(), at));
      }
      if (acc)
        lanes.map(outArg, acc);
      auto onLanes = [&](Value v) -> Value {
        if (Value l = lanes.lookupOrNull(v))
          return l;
        Value s = uniform.lookupOrDefault(v);
        Value l = vector::BroadcastOp::create(
            b, loc, VectorType::get({width}, s.getType()), s);
        lanes.map(v, l);
        return l;
      };
      for (Operation &inner : body->without_terminator()) {
        bool perLane = llvm::any_of(inner.getOperands(), [&](Value v) {
          return lanes.contains(v) && !uniform.contains(v);
        });
        if (!perLane) {
          Operation *scalar = b.clone(inner, uniform);
          allowContraction(scalar);
          continue;
        }
        SmallVector<Value> operands;
        for (Value v : inner.getOperands())
          operands.push_back(onLanes(v));
        Value v = cloneOnVectors(
            b, loc, inner, operands,
            VectorType::get({width}, inner.getResult(0).getType()), reciprocal);
        allowContraction(v.getDefiningOp());
        lanes.map(inner.getResult(0), v);
      }
      return onLanes(body->getTerminator()->getOperand(0));
    };

    // One block of vectors along d starting at ivs[d].
    auto emitBlock = [&](SmallVector<Value> ivs, ArrayRef<int64_t> widths,
                         Value index) {
      SmallVector<Value> offsets = kb.offsets(ivs[d], widths), accs;
      blockIndex = index;
      blockWidth = 0;
      for (int64_t w : widths)
        blockWidth += w;
      auto outAt = [&](ArrayRef<Value> iv, size_t v) {
        SmallVector<Value> at(iv.begin(), iv.end());
        at[d] = offsets[v];
        return indices(outMap, at);
      };
      if (readsOut)
        for (size_t v = 0; v < widths.size(); ++v)
          accs.push_back(vectorLoad(kb, VectorType::get({widths[v]}, outElement),
                                    out, outMap, d, outAt(ivs, v)));
      std::function<SmallVector<Value>(unsigned, SmallVector<Value>, ValueRange)>
          reduce = [&](unsigned level, SmallVector<Value> iv, ValueRange carried) {
            if (level == reductions.size()) {
              SmallVector<Value> next;
              laneOffset = 0;
              for (size_t v = 0; v < widths.size(); ++v) {
                SmallVector<Value> at = iv;
                at[d] = offsets[v];
                next.push_back(compute(at, readsOut ? carried[v] : Value(), widths[v]));
                laneOffset += widths[v];
              }
              return next;
            }
            return kb.loop(extents[reductions[level]], carried,
                           [&](Value r, ValueRange c) {
                             SmallVector<Value> iv2 = iv;
                             iv2[reductions[level]] = r;
                             return reduce(level + 1, iv2, c);
                           });
          };
      SmallVector<Value> zeroRed = ivs;
      for (unsigned r : reductions)
        zeroRed[r] = kb.idx(0);
      SmallVector<Value> result = reduce(0, zeroRed, accs);
      for (size_t v = 0; v < widths.size(); ++v) {
        SmallVector<Value> at = outAt(ivs, v);
        at.resize(last + 1);
        vector::StoreOp::create(b, loc, result[v],
                                collapseTrailing(kb, out, last + 1), at);
      }
    };

    int64_t full = ranges[d] / block, rest = ranges[d] - full * block;
    if (!reductions.empty() && full + (rest ? 1 : 0) >= 2)
      for (OpOperand *in : op.getDpsInputOperands())
        if (Value packed = blockedInput(b, loc, op, in, d, block, reductions,
                                        symbols))
          blocked[in] = packed;
    std::function<void(unsigned, SmallVector<Value>)> parallel =
        [&](unsigned level, SmallVector<Value> ivs) {
          if (level < outer.size()) {
            kb.loop(extents[outer[level]], [&](Value i) {
              SmallVector<Value> next = ivs;
              next[outer[level]] = i;
              parallel(level + 1, next);
            });
            return;
          }
          kb.loop(full, [&](Value i) {
            SmallVector<Value> at = ivs;
            at[d] = kb.mul(i, block);
            emitBlock(at, SmallVector<int64_t>(nv, width), i);
          });
          if (rest) {
            SmallVector<Value> at = ivs;
            at[d] = kb.idx(full * block);
            emitBlock(at, splitWidths(rest, width), kb.idx(full));
          }
        };
    parallel(0, SmallVector<Value>(numLoops, Value()));
    SmallVector<Value> originals;
    for (auto &entry : blocked)
      originals.push_back(entry.first->get());
    rewriter.eraseOp(op);
    // The repacked constants' original reads (a get_global and its
    // reshapes) when nothing else uses them, so that eraseUnusedOriginals
    // drops the original global.
    for (Value v : originals)
      while (v && v.use_empty()) {
        Operation *def = v.getDefiningOp();
        if (!def ||
            !llvm::isa<memref::GetGlobalOp, memref::ExpandShapeOp,
                       memref::CollapseShapeOp>(def))
          break;
        v = llvm::isa<memref::GetGlobalOp>(def) ? Value() : def->getOperand(0);
        rewriter.eraseOp(def);
      }
  }

  int64_t lanes = 0;
  /// Packed filters by original global and block width: (original, packed).
  llvm::StringMap<std::pair<memref::GlobalOp, memref::GlobalOp>> packedGlobals;
};

} // namespace
