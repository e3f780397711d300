//===- RecurrentToTOSA.cpp - Lower RNN, GRU and LSTM to TOSA -------------===//
//
// Part of whittle. The sequence length is static, so the time loop is
// unrolled: per direction, one matrix product X W^T (+ biases) covers every
// step's input; each step then multiplies the hidden state by R^T and
// applies the gate arithmetic in TOSA ops. sequence_lens, when given, masks
// the steps past each batch entry's length: its state is carried and its
// outputs are zero.
//
//===----------------------------------------------------------------------===//

#include "Lowerer.h"
#include "whittle/Dialect/ONNX/IR/ONNXOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace whittle;
using namespace whittle::lowering;

namespace {

/// One activation function of a recurrent op, with its alpha and beta.
struct Activation {
  std::string name;
  float alpha = 0, beta = 0;
};

/// ONNX's default alpha/beta for the activations that take them.
std::optional<std::pair<float, float>> activationDefaults(StringRef name) {
  return llvm::StringSwitch<std::optional<std::pair<float, float>>>(name)
      .Case("HardSigmoid", std::make_pair(0.2f, 0.5f))
      .Case("LeakyRelu", std::make_pair(0.01f, 0.0f))
      .Case("ThresholdedRelu", std::make_pair(1.0f, 0.0f))
      .Case("Elu", std::make_pair(1.0f, 0.0f))
      .Case("Affine", std::make_pair(1.0f, 0.0f))
      .Case("ScaledTanh", std::make_pair(1.0f, 1.0f))
      .Default(std::nullopt);
}

/// The recurrent op's activations (`defaults` per direction when absent),
/// consuming activation_alpha/beta in order by the functions that take them.
FailureOr<SmallVector<Activation>>
readActivations(Operation *op, std::optional<ArrayAttr> names,
                std::optional<ArrayAttr> alphas,
                std::optional<ArrayAttr> betas, ArrayRef<StringRef> defaults,
                int64_t dirs) {
  SmallVector<Activation> acts;
  if (names) {
    for (Attribute a : *names)
      acts.push_back({llvm::cast<StringAttr>(a).str()});
  } else {
    for (int64_t d = 0; d < dirs; ++d)
      for (StringRef n : defaults)
        acts.push_back({n.str()});
  }
  size_t nextAlpha = 0, nextBeta = 0;
  auto take = [](std::optional<ArrayAttr> list, size_t &next, float dflt) {
    if (list && next < list->size())
      return (float)llvm::cast<FloatAttr>((*list)[next++]).getValueAsDouble();
    return dflt;
  };
  for (Activation &a : acts) {
    static const char *plain[] = {"Sigmoid", "Tanh", "Relu", "Softsign",
                                  "Softplus"};
    if (llvm::is_contained(plain, a.name))
      continue;
    auto dflt = activationDefaults(a.name);
    if (!dflt)
      return op->emitError("activation '") << a.name << "' is not supported";
    a.alpha = take(alphas, nextAlpha, dflt->first);
    if (a.name == "HardSigmoid" || a.name == "Affine" ||
        a.name == "ScaledTanh")
      a.beta = take(betas, nextBeta, dflt->second);
  }
  return acts;
}

/// The state shared by the three recurrent lowerings.
struct Recurrence {
  Lowerer &l;
  Operation *op;
  Type f;
  int64_t seq, batch, in, hidden, dirs, gates;
  bool layout1;
  Value x;       ///< [seq, batch, in]
  Value seqLens; ///< [batch] i32, or null
  std::optional<float> clip;

  RankedTensorType type(ArrayRef<int64_t> shape) {
    return l.tensorType(shape, f);
  }
  /// The type of an elementwise result of a and b (equal ranks, size-1
  /// dimensions broadcast).
  RankedTensorType broadcast(Value a, Value b) {
    auto at = Lowerer::typeOf(a), bt = Lowerer::typeOf(b);
    return type(*onnx::broadcastShapes(at.getShape(), bt.getShape()));
  }
  Value add(Value a, Value b) {
    return l.binary<tosa::AddOp>(broadcast(a, b), a, b);
  }
  Value sub(Value a, Value b) {
    return l.binary<tosa::SubOp>(broadcast(a, b), a, b);
  }
  Value mul(Value a, Value b) { return l.mul(broadcast(a, b), a, b); }
  Value matmul(Value a, Value b) {
    auto at = Lowerer::typeOf(a), bt = Lowerer::typeOf(b);
    return *lowerMatMulND(l, op, a, b, f, 0, 0,
                          {at.getDimSize(0), bt.getDimSize(1)});
  }
  /// Rows [d] of a [dirs, ...] tensor, without the leading dimension.
  Value direction(Value v, int64_t d) {
    auto t = Lowerer::typeOf(v);
    SmallVector<int64_t> start(t.getRank(), 0), size(t.getShape());
    start[0] = d;
    size[0] = 1;
    return l.reshape(l.slice(v, start, size), t.getShape().drop_front());
  }
  /// Columns [k * hidden, (k + 1) * hidden) of a [rows, G * hidden] tensor.
  Value gate(Value v, int64_t k) {
    int64_t rows = Lowerer::typeOf(v).getDimSize(0);
    return l.slice(v, {0, k * hidden}, {rows, hidden});
  }
  /// [G * hidden, cols] weights as their [cols, G * hidden] transpose.
  Value transposed(Value w) { return l.transpose(w, {1, 0}); }

  Value clipped(Value v) {
    if (!clip)
      return v;
    return tosa::ClampOp::create(l.rw, l.loc, Lowerer::typeOf(v), v,
                                 l.rw.getFloatAttr(f, -*clip),
                                 l.rw.getFloatAttr(f, *clip));
  }

  Value activate(Value v, const Activation &a) {
    auto t = Lowerer::typeOf(v);
    if (a.name == "Sigmoid")
      return tosa::SigmoidOp::create(l.rw, l.loc, t, v);
    if (a.name == "Tanh")
      return tosa::TanhOp::create(l.rw, l.loc, t, v);
    return l.linalgElementwise(
        t, {v}, [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value x = args[0];
          auto c = [&](double d) -> Value {
            return arith::ConstantOp::create(b, loc, b.getFloatAttr(f, d));
          };
          auto mulF = [&](Value p, Value q) -> Value {
            return arith::MulFOp::create(b, loc, p, q);
          };
          auto addF = [&](Value p, Value q) -> Value {
            return arith::AddFOp::create(b, loc, p, q);
          };
          auto gt0 = [&](Value p) -> Value {
            return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, p,
                                         c(0.0));
          };
          auto sel = [&](Value cond, Value p, Value q) -> Value {
            return arith::SelectOp::create(b, loc, cond, p, q);
          };
          if (a.name == "Relu")
            return arith::MaxNumFOp::create(b, loc, x, c(0.0));
          if (a.name == "Softsign")
            return arith::DivFOp::create(
                b, loc, x, addF(c(1.0), math::AbsFOp::create(b, loc, x)));
          if (a.name == "Softplus")
            return math::LogOp::create(
                b, loc, addF(math::ExpOp::create(b, loc, x), c(1.0)));
          if (a.name == "HardSigmoid")
            return arith::MinNumFOp::create(
                b, loc, c(1.0),
                arith::MaxNumFOp::create(
                    b, loc, c(0.0), addF(mulF(c(a.alpha), x), c(a.beta))));
          if (a.name == "LeakyRelu")
            return sel(gt0(x), x, mulF(c(a.alpha), x));
          if (a.name == "ThresholdedRelu")
            return sel(arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                             x, c(a.alpha)),
                       x, c(0.0));
          if (a.name == "Elu")
            return sel(gt0(x), x,
                       mulF(c(a.alpha),
                            arith::SubFOp::create(
                                b, loc, math::ExpOp::create(b, loc, x),
                                c(1.0))));
          if (a.name == "Affine")
            return addF(mulF(c(a.alpha), x), c(a.beta));
          // ScaledTanh
          return mulF(c(a.alpha),
                      math::TanhOp::create(b, loc, mulF(c(a.beta), x)));
        });
  }

  /// The step's mask [batch, 1]: t < sequence_lens[b].
  Value mask(int64_t t) {
    auto i32 = l.rw.getI32Type();
    Value lens = l.reshape(seqLens, {batch, 1});
    Value tv = l.splat(i32, {1, 1}, (double)t);
    return tosa::GreaterOp::create(
        l.rw, l.loc, l.tensorType({batch, 1}, l.rw.getI1Type()), lens, tv);
  }
  Value select(Value m, Value a, Value b) {
    return tosa::SelectOp::create(l.rw, l.loc, Lowerer::typeOf(a), m, a, b);
  }

  /// X W^T + bias for every step of direction d: [seq, batch, G * hidden].
  Value inputProjection(Value w, Value bias) {
    Value flat = l.reshape(x, {seq * batch, in});
    Value xw = matmul(flat, transposed(w));
    if (bias)
      xw = add(xw, l.reshape(bias, {1, gates * hidden}));
    return l.reshape(xw, {seq, batch, gates * hidden});
  }
  /// Step t's rows of a projection.
  Value stepRows(Value xw, int64_t t) {
    return l.reshape(l.slice(xw, {t, 0, 0}, {1, batch, gates * hidden}),
                     {batch, gates * hidden});
  }
  /// The initial state of direction d ([dirs, batch, hidden] after
  /// `layout` is undone), or zeros.
  Value initial(Value v, int64_t d) {
    if (!v)
      return l.splat(f, {batch, hidden}, 0.0);
    if (layout1)
      v = l.transpose(v, {1, 0, 2});
    return direction(v, d);
  }

  /// Y ([seq, dirs, batch, hidden], or [batch, seq, dirs, hidden]) from
  /// each direction's per-step outputs in time order.
  Value stackOutputs(ArrayRef<SmallVector<Value>> perDir) {
    SmallVector<Value> steps;
    for (int64_t t = 0; t < seq; ++t) {
      SmallVector<Value> ds;
      for (const auto &outs : perDir)
        ds.push_back(l.reshape(outs[t], {1, 1, batch, hidden}));
      steps.push_back(ds.size() == 1
                          ? ds[0]
                          : (Value)tosa::ConcatOp::create(
                                l.rw, l.loc, type({1, dirs, batch, hidden}),
                                ds, 1));
    }
    Value y = steps.size() == 1
                  ? steps[0]
                  : (Value)tosa::ConcatOp::create(
                        l.rw, l.loc, type({seq, dirs, batch, hidden}), steps,
                        0);
    return layout1 ? l.transpose(y, {2, 0, 1, 3}) : y;
  }
  /// Y_h / Y_c ([dirs, batch, hidden], or [batch, dirs, hidden]).
  Value stackStates(ArrayRef<Value> finals) {
    SmallVector<Value> ds;
    for (Value v : finals)
      ds.push_back(l.reshape(v, {1, batch, hidden}));
    Value s = ds.size() == 1 ? ds[0]
                             : (Value)tosa::ConcatOp::create(
                                   l.rw, l.loc, type({dirs, batch, hidden}),
                                   ds, 0);
    return layout1 ? l.transpose(s, {1, 0, 2}) : s;
  }
};

/// The per-step cell of each op: given step inputs (X W^T + biases) and the
/// state, the new hidden state (and cell state for LSTM).
struct Cell {
  Value h, c;
};

template <typename RecurrentOp>
FailureOr<SmallVector<Value>>
lowerRecurrent(Lowerer &l, RecurrentOp op, int64_t gates,
               ArrayRef<StringRef> defaultActs,
               function_ref<Cell(Recurrence &, int64_t d, Value xw, Cell,
                                 ArrayRef<Activation>)>
                   step,
               Value initialC) {
  auto xt = Lowerer::typeOf(op.getX());
  Recurrence r{l, op, xt.getElementType(), 0, 0, 0, 0, 0, gates, false,
               op.getX(), op.getSequenceLens(), std::nullopt};
  if (!r.f.isF32())
    return op.emitError(op->getName().stripDialect())
           << " on " << r.f << " is not supported yet";
  r.layout1 = op.getLayout() == 1;
  if (r.layout1)
    r.x = l.transpose(r.x, {1, 0, 2});
  auto x3 = Lowerer::typeOf(r.x);
  r.seq = x3.getDimSize(0);
  r.batch = x3.getDimSize(1);
  r.in = x3.getDimSize(2);
  r.hidden = op.getHiddenSize();
  r.dirs = op.getDirection() == "bidirectional" ? 2 : 1;
  if (auto clip = op.getClip())
    r.clip = clip->convertToFloat();
  if (r.seqLens && op.getDirection() != "forward")
    return op.emitError("sequence_lens with direction '")
           << op.getDirection() << "' is not supported yet";
  auto acts = readActivations(op, op.getActivations(), op.getActivationAlpha(),
                              op.getActivationBeta(), defaultActs, r.dirs);
  if (failed(acts))
    return failure();
  int64_t perDir = defaultActs.size();
  SmallVector<SmallVector<Value>> outputs;
  SmallVector<Value> finalH, finalC;
  for (int64_t d = 0; d < r.dirs; ++d) {
    bool reverse = op.getDirection() == "reverse" || d == 1;
    Value w = r.direction(op.getW(), d);
    Value bias = op.getB() ? r.direction(op.getB(), d) : Value();
    Value xw = r.inputProjection(
        w, bias ? l.slice(bias, {0}, {gates * r.hidden}) : Value());
    Cell state{r.initial(op.getInitialH(), d), r.initial(initialC, d)};
    SmallVector<Value> ys(r.seq);
    ArrayRef<Activation> dirActs =
        ArrayRef<Activation>(*acts).slice(d * perDir, perDir);
    for (int64_t i = 0; i < r.seq; ++i) {
      int64_t t = reverse ? r.seq - 1 - i : i;
      Cell next = step(r, d, r.stepRows(xw, t), state, dirActs);
      if (r.seqLens) {
        Value m = r.mask(t);
        ys[t] = r.select(m, next.h, l.splat(r.f, {r.batch, r.hidden}, 0.0));
        next.h = r.select(m, next.h, state.h);
        if (next.c)
          next.c = r.select(m, next.c, state.c);
      } else {
        ys[t] = next.h;
      }
      state = next;
    }
    outputs.push_back(ys);
    finalH.push_back(state.h);
    finalC.push_back(state.c);
  }
  SmallVector<Value> results;
  if (op.getY())
    results.push_back(r.stackOutputs(outputs));
  if (op.getYH())
    results.push_back(r.stackStates(finalH));
  if constexpr (std::is_same_v<RecurrentOp, onnx::LSTMOp>)
    if (op.getYC())
      results.push_back(r.stackStates(finalC));
  return results;
}

/// R^T and the recurrent bias (Rb) of direction d.
std::pair<Value, Value> recurrentWeights(Recurrence &r, Value R, Value B,
                                         int64_t d) {
  Value rt = r.transposed(r.direction(R, d));
  Value rb;
  if (B)
    rb = r.l.slice(r.direction(B, d), {r.gates * r.hidden},
                   {r.gates * r.hidden});
  return {rt, rb};
}

FailureOr<SmallVector<Value>> lowerRNN(Lowerer &l, onnx::RNNOp op) {
  return lowerRecurrent(
      l, op, 1, {"Tanh"},
      [&](Recurrence &r, int64_t d, Value xw, Cell s,
          ArrayRef<Activation> acts) -> Cell {
        auto [rt, rb] = recurrentWeights(r, op.getR(), op.getB(), d);
        Value pre = r.add(xw, r.matmul(s.h, rt));
        if (rb)
          pre = r.add(pre, r.l.reshape(rb, {1, r.hidden}));
        return {r.activate(r.clipped(pre), acts[0]), Value()};
      },
      Value());
}

FailureOr<SmallVector<Value>> lowerGRU(Lowerer &l, onnx::GRUOp op) {
  bool linearBeforeReset = op.getLinearBeforeReset() != 0;
  return lowerRecurrent(
      l, op, 3, {"Sigmoid", "Tanh"},
      [&](Recurrence &r, int64_t d, Value xw, Cell s,
          ArrayRef<Activation> acts) -> Cell {
        auto [rt, rb] = recurrentWeights(r, op.getR(), op.getB(), d);
        int64_t h = r.hidden;
        // z and r: X W^T + H R^T + Wb + Rb.
        Value rtZR = r.l.slice(rt, {0, 0}, {h, 2 * h});
        Value zr = r.add(r.l.slice(xw, {0, 0}, {r.batch, 2 * h}),
                         r.matmul(s.h, rtZR));
        if (rb)
          zr = r.add(zr, r.l.reshape(r.l.slice(rb, {0}, {2 * h}), {1, 2 * h}));
        zr = r.activate(r.clipped(zr), acts[0]);
        Value z = r.gate(zr, 0), reset = r.gate(zr, 1);
        Value rtH = r.l.slice(rt, {0, 2 * h}, {h, h});
        Value rbH = rb ? r.l.reshape(r.l.slice(rb, {2 * h}, {h}), {1, h})
                       : Value();
        Value hr;
        if (linearBeforeReset) {
          hr = r.matmul(s.h, rtH);
          if (rbH)
            hr = r.add(hr, rbH);
          hr = r.mul(reset, hr);
        } else {
          hr = r.matmul(r.mul(reset, s.h), rtH);
          if (rbH)
            hr = r.add(hr, rbH);
        }
        Value cand = r.activate(r.clipped(r.add(r.gate(xw, 2), hr)), acts[1]);
        // (1 - z) * h~ + z * H = h~ + z * (H - h~).
        Value next = r.add(cand, r.mul(z, r.sub(s.h, cand)));
        return {next, Value()};
      },
      Value());
}

FailureOr<SmallVector<Value>> lowerLSTM(Lowerer &l, onnx::LSTMOp op) {
  bool inputForget = op.getInputForget() != 0;
  return lowerRecurrent(
      l, op, 4, {"Sigmoid", "Tanh", "Tanh"},
      [&](Recurrence &r, int64_t d, Value xw, Cell s,
          ArrayRef<Activation> acts) -> Cell {
        auto [rt, rb] = recurrentWeights(r, op.getR(), op.getB(), d);
        int64_t h = r.hidden;
        Value g = r.add(xw, r.matmul(s.h, rt));
        if (rb)
          g = r.add(g, r.l.reshape(rb, {1, 4 * h}));
        Value p = op.getP() ? r.direction(op.getP(), d) : Value();
        auto peep = [&](int64_t k) {
          return r.l.reshape(r.l.slice(p, {k * h}, {h}), {1, h});
        };
        Value gi = r.gate(g, 0), go = r.gate(g, 1), gf = r.gate(g, 2),
              gc = r.gate(g, 3);
        if (p) {
          gi = r.add(gi, r.mul(peep(0), s.c));
          gf = r.add(gf, r.mul(peep(2), s.c));
        }
        Value i = r.activate(r.clipped(gi), acts[0]);
        Value f = inputForget
                      ? r.sub(r.l.splat(r.f, {1, 1}, 1.0), i)
                      : r.activate(r.clipped(gf), acts[0]);
        Value c = r.activate(r.clipped(gc), acts[1]);
        Value cNext = r.add(r.mul(f, s.c), r.mul(i, c));
        if (p)
          go = r.add(go, r.mul(peep(1), cNext));
        Value o = r.activate(r.clipped(go), acts[0]);
        return {r.mul(o, r.activate(cNext, acts[2])), cNext};
      },
      op.getInitialC());
}

} // namespace

std::optional<FailureOr<SmallVector<Value>>>
whittle::lowering::lowerRecurrentOp(Lowerer &l, Operation *op) {
  if (auto rnn = llvm::dyn_cast<onnx::RNNOp>(op))
    return lowerRNN(l, rnn);
  if (auto gru = llvm::dyn_cast<onnx::GRUOp>(op))
    return lowerGRU(l, gru);
  if (auto lstm = llvm::dyn_cast<onnx::LSTMOp>(op))
    return lowerLSTM(l, lstm);
  return std::nullopt;
}
