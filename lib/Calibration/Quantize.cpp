//===- Quantize.cpp - Calibrated int8 post-training quantization ----------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Calibration/Quantize.h"
#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Dialect/ONNX/Transforms/Passes.h"
#include "whittle/Dialect/ONNX/Transforms/Quantization.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace mlir;

namespace whittle {

static constexpr llvm::StringLiteral kProbeAttr = "whittle.probe";

std::optional<QuantizeOptions::Method>
parseCalibrationMethod(llvm::StringRef text, double &percentile) {
  if (text == "minmax")
    return QuantizeOptions::Method::MinMax;
  if (text == "entropy")
    return QuantizeOptions::Method::Entropy;
  if (text.consume_front("percentile:")) {
    double p;
    if (text.getAsDouble(p) || !(p > 50 && p <= 100))
      return std::nullopt;
    percentile = p;
    return QuantizeOptions::Method::Percentile;
  }
  return std::nullopt;
}

namespace {

/// A tensor whose values calibration observes: a function argument or an
/// op's single result.
struct Probe {
  int64_t argument = -1; ///< >= 0: the function argument
  Operation *op = nullptr;
};

/// The float activations of @main, in program order, tagged with
/// kProbeAttr so that clones can find them.
std::vector<Probe> probesOf(func::FuncOp main) {
  std::vector<Probe> probes;
  auto isF32 = [](Type t) {
    auto rt = llvm::dyn_cast<RankedTensorType>(t);
    return rt && rt.getElementType().isF32();
  };
  for (BlockArgument a : main.getArguments())
    if (isF32(a.getType()))
      probes.push_back({(int64_t)a.getArgNumber(), nullptr});
  Builder b(main.getContext());
  main.walk([&](Operation *op) {
    if (!llvm::isa<onnx::ONNXDialect>(op->getDialect()) ||
        llvm::isa<onnx::ConstantOp, onnx::QuantizeLinearOp,
                  onnx::DequantizeLinearOp>(op) ||
        op->getNumResults() != 1 || !isF32(op->getResult(0).getType()) ||
        getConstantAttr(op->getResult(0)))
      return;
    op->setAttr(kProbeAttr, b.getI64IntegerAttr(probes.size()));
    probes.push_back({-1, op});
  });
  return probes;
}

/// A JIT-compiled clone of `module` returning, after its own results, the
/// values of `wanted` (probe indices; taken through the first QuantizeLinear
/// -> DequantizeLinear that follows them, if any, so that the quantized
/// model reports what its int8 layers computed). outputIndex[i] is the
/// result holding wanted[i], or -1 for arguments.
struct ProbeModel {
  std::unique_ptr<JitModel> jit;
  std::vector<int> outputIndex;
  size_t modelOutputs = 0;
};

std::optional<ProbeModel> buildProbeModel(ModuleOp module,
                                          const std::vector<Probe> &probes,
                                          ArrayRef<size_t> wanted,
                                          bool optimize = true) {
  OwningOpRef<ModuleOp> clone = module.clone();
  auto main = clone->lookupSymbol<func::FuncOp>("main");
  std::map<int64_t, Operation *> byId;
  main.walk([&](Operation *op) {
    if (auto id = op->getAttrOfType<IntegerAttr>(kProbeAttr))
      byId[id.getInt()] = op;
  });
  ProbeModel pm;
  pm.modelOutputs = main.getNumResults();
  auto ret = llvm::cast<func::ReturnOp>(main.getBody().front().getTerminator());
  SmallVector<Value> extra;
  for (size_t w : wanted) {
    const Probe &p = probes[w];
    if (p.argument >= 0) {
      pm.outputIndex.push_back(-1);
      continue;
    }
    auto it = byId.find(w);
    if (it == byId.end()) {
      pm.outputIndex.push_back(-2); // gone (folded away)
      continue;
    }
    Value v = it->second->getResult(0);
    for (Operation *user : v.getUsers())
      if (auto q = llvm::dyn_cast<onnx::QuantizeLinearOp>(user))
        for (Operation *u2 : q.getY().getUsers())
          if (auto dq = llvm::dyn_cast<onnx::DequantizeLinearOp>(u2)) {
            v = dq.getY();
            break;
          }
    if (failed(main.insertResult(main.getNumResults(), v.getType(),
                                 DictionaryAttr::get(v.getContext()))))
      return std::nullopt;
    pm.outputIndex.push_back(main.getNumResults() - 1);
    extra.push_back(v);
  }
  ret->insertOperands(ret.getNumOperands(), extra);
  pm.jit = JitModel::compile(*clone, optimize);
  if (!pm.jit)
    return std::nullopt;
  return pm;
}

/// Runs `pm` on one sample; `out` holds its outputs.
LogicalResult runOne(ProbeModel &pm, const std::vector<std::vector<char>> &sample,
                     std::vector<std::vector<char>> &out) {
  const ModelInterface &mi = pm.jit->interface();
  out.resize(mi.outputs.size());
  std::vector<void *> ptrs;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].resize(mi.outputs[i].bytes);
    ptrs.push_back(out[i].data());
  }
  std::vector<const void *> in;
  for (const auto &t : sample)
    in.push_back(t.data());
  return pm.jit->run(in, ptrs);
}

/// Runs `pm` on every sample; calls fn(sampleIndex, outputs).
LogicalResult runAll(ProbeModel &pm, const CalibrationSet &cal,
                     function_ref<void(size_t, ArrayRef<std::vector<char>>)> fn) {
  std::vector<std::vector<char>> out;
  for (size_t s = 0; s < cal.samples.size(); ++s) {
    if (failed(runOne(pm, cal.samples[s], out)))
      return failure();
    fn(s, out);
  }
  return success();
}

/// The float values of probe output k in `out` (or the sample's argument).
ArrayRef<float> valuesOf(const ProbeModel &pm, size_t k,
                         ArrayRef<std::vector<char>> out,
                         const std::vector<char> &argument) {
  int idx = pm.outputIndex[k];
  const std::vector<char> &bytes = idx >= 0 ? out[idx] : argument;
  return {reinterpret_cast<const float *>(bytes.data()),
          bytes.size() / sizeof(float)};
}

struct Stats {
  double lo = INFINITY, hi = -INFINITY;
  std::vector<double> hist, absHist; // over [lo, hi] and [0, max|x|]
};

constexpr int kBins = 2048;

/// Percentile range from the histogram over [lo, hi].
std::pair<double, double> percentileRange(const Stats &s, double p) {
  double total = 0;
  for (double h : s.hist)
    total += h;
  double width = (s.hi - s.lo) / kBins;
  double tail = total * (100.0 - p) / 100.0;
  double acc = 0, lo = s.lo, hi = s.hi;
  for (int i = 0; i < kBins; ++i) {
    acc += s.hist[i];
    if (acc > tail) {
      lo = s.lo + i * width;
      break;
    }
  }
  acc = 0;
  for (int i = kBins - 1; i >= 0; --i) {
    acc += s.hist[i];
    if (acc > tail) {
      hi = s.lo + (i + 1) * width;
      break;
    }
  }
  return {std::max(lo, s.lo), std::min(hi, s.hi)};
}

/// KL-divergence threshold (as TensorRT's entropy calibration) on the
/// histogram of |x|, with `levels` quantization levels below it.
double entropyThreshold(const std::vector<double> &hist, double amax,
                        int levels) {
  double width = amax / kBins;
  double bestKL = INFINITY;
  int best = kBins;
  for (int i = levels; i <= kBins; i += 16) {
    // Reference: the first i bins, outliers folded into the last one.
    std::vector<double> p(hist.begin(), hist.begin() + i);
    for (int j = i; j < kBins; ++j)
      p[i - 1] += hist[j];
    double pSum = 0;
    for (double v : p)
      pSum += v;
    if (pSum == 0)
      continue;
    // Candidate: the same bins merged into `levels` groups, spread back
    // evenly over each group's non-empty bins.
    std::vector<double> q(i, 0.0);
    for (int g = 0; g < levels; ++g) {
      int a = (int)((int64_t)g * i / levels), e = (int)((int64_t)(g + 1) * i / levels);
      double sum = 0;
      int nonzero = 0;
      for (int j = a; j < e; ++j) {
        sum += hist[j];
        nonzero += hist[j] > 0;
      }
      for (int j = a; j < e; ++j)
        if (hist[j] > 0)
          q[j] = sum / nonzero;
    }
    double qSum = 0;
    for (double v : q)
      qSum += v;
    double kl = 0;
    for (int j = 0; j < i; ++j) {
      if (p[j] == 0)
        continue;
      double pj = p[j] / pSum;
      double qj = q[j] > 0 ? q[j] / qSum : 1e-12;
      kl += pj * std::log(pj / qj);
    }
    if (kl < bestKL) {
      bestKL = kl;
      best = i;
    }
  }
  return std::min(amax, (best + 0.5) * width);
}

/// What a layer of the quantized module runs as.
bool isLayerOp(Operation *op) {
  return llvm::isa<onnx::ConvOp, onnx::GemmOp, onnx::MatMulOp, onnx::AddOp,
                   onnx::MulOp, onnx::GlobalAveragePoolOp, onnx::MaxPoolOp,
                   onnx::SigmoidOp, onnx::TanhOp, onnx::HardSigmoidOp,
                   onnx::HardSwishOp, onnx::LeakyReluOp, onnx::EluOp,
                   onnx::SoftplusOp, onnx::ExpOp, onnx::SoftmaxOp,
                   onnx::LayerNormalizationOp, onnx::AveragePoolOp,
                   onnx::ConvTransposeOp, onnx::ConcatOp>(op);
}

/// The op whose result carries a layer's output: a Relu or constant-bound
/// Clip folded into it, by onnx-quantize's rule.
Operation *layerOutputOp(Operation *op) {
  Value y = op->getResult(0);
  if (!llvm::isa<onnx::ConvOp, onnx::GemmOp, onnx::MatMulOp, onnx::AddOp>(op) ||
      !y.hasOneUse())
    return op;
  Operation *user = *y.getUsers().begin();
  if (llvm::isa<onnx::ReluOp>(user))
    return user;
  if (auto clip = llvm::dyn_cast<onnx::ClipOp>(user))
    if ((!clip.getMin() || getConstantFloats(clip.getMin())) &&
        (!clip.getMax() || getConstantFloats(clip.getMax())))
      return user;
  return op;
}

/// Which layers stay float and which have int16 activations.
struct Precisions {
  std::vector<std::string> skip, int16;
};

LogicalResult applyQuantizePass(ModuleOp module, const Precisions &p) {
  PassManager pm(module.getContext());
  QuantizePassOptions o;
  o.skip.assign(p.skip.begin(), p.skip.end());
  o.int16.assign(p.int16.begin(), p.int16.end());
  pm.addNestedPass<func::FuncOp>(createQuantizePass(o));
  return pm.run(module);
}

/// Output error of `quantized` against the float probe values, per model
/// output; fills SNRs of the wanted probes too.
struct Measurement {
  std::vector<double> signal, noise;           // per probe
  std::vector<double> outSignal, outNoise;     // per model output
  /// The largest relative L2 error ||y' - y|| / ||y|| over the outputs.
  double error() const {
    double worst = 0;
    for (size_t i = 0; i < outSignal.size(); ++i)
      worst = std::max(worst, outSignal[i] > 0
                                  ? std::sqrt(outNoise[i] / outSignal[i])
                                  : std::sqrt(outNoise[i]));
    return worst;
  }
};

} // namespace

LogicalResult quantizeModel(ModuleOp module, const QuantizeOptions &options,
                            const CalibrationSet &calibration,
                            QuantizeReport &report) {
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("no @main function");
  report.samples = calibration.samples.size();
  report.maxError = options.maxError;
  switch (options.method) {
  case QuantizeOptions::Method::MinMax:
    report.method = "minmax";
    break;
  case QuantizeOptions::Method::Percentile:
    report.method = "percentile:" + llvm::formatv("{0}", llvm::format("%g", options.percentile)).str();
    break;
  case QuantizeOptions::Method::Entropy:
    report.method = "entropy";
    break;
  }

  // 1. Ranges of every float activation on the calibration inputs.
  std::vector<Probe> probes = probesOf(main);
  std::vector<size_t> all(probes.size());
  for (size_t i = 0; i < all.size(); ++i)
    all[i] = i;
  auto floatModel = buildProbeModel(module, probes, all);
  if (!floatModel)
    return failure();
  std::vector<Stats> stats(probes.size());
  auto argOf = [&](size_t s, size_t k) -> const std::vector<char> & {
    int64_t a = std::max<int64_t>(probes[k].argument, 0);
    return calibration.samples[s][a];
  };
  if (failed(runAll(*floatModel, calibration,
                    [&](size_t s, ArrayRef<std::vector<char>> out) {
                      for (size_t k = 0; k < probes.size(); ++k) {
                        if (floatModel->outputIndex[k] == -2)
                          continue;
                        for (float v : valuesOf(*floatModel, k, out, argOf(s, k))) {
                          if (!std::isfinite(v))
                            continue;
                          stats[k].lo = std::min(stats[k].lo, (double)v);
                          stats[k].hi = std::max(stats[k].hi, (double)v);
                        }
                      }
                    })))
    return module.emitError("the float model failed to run on the "
                            "calibration inputs");
  if (options.method != QuantizeOptions::Method::MinMax) {
    for (Stats &s : stats) {
      s.hist.assign(kBins, 0.0);
      s.absHist.assign(kBins, 0.0);
    }
    (void)runAll(*floatModel, calibration,
                 [&](size_t s, ArrayRef<std::vector<char>> out) {
                   for (size_t k = 0; k < probes.size(); ++k) {
                     Stats &st = stats[k];
                     if (floatModel->outputIndex[k] == -2 || !(st.hi > st.lo))
                       continue;
                     double amax = std::max(std::fabs(st.lo), std::fabs(st.hi));
                     for (float v : valuesOf(*floatModel, k, out, argOf(s, k))) {
                       if (!std::isfinite(v))
                         continue;
                       int b = (int)((v - st.lo) / (st.hi - st.lo) * kBins);
                       st.hist[std::clamp(b, 0, kBins - 1)] += 1;
                       // Exact zeros (ReLU outputs, padding) are exact in
                       // any quantization: they would only dilute the
                       // divergence the entropy method measures.
                       if (v == 0)
                         continue;
                       int a = (int)(std::fabs(v) / amax * kBins);
                       st.absHist[std::clamp(a, 0, kBins - 1)] += 1;
                     }
                   }
                 });
  }
  Builder b(module.getContext());
  for (size_t k = 0; k < probes.size(); ++k) {
    const Stats &s = stats[k];
    if (!(s.hi >= s.lo))
      continue;
    double lo = s.lo, hi = s.hi;
    if (s.hi > s.lo && options.method == QuantizeOptions::Method::Percentile) {
      std::tie(lo, hi) = percentileRange(s, options.percentile);
    } else if (s.hi > s.lo &&
               options.method == QuantizeOptions::Method::Entropy) {
      double amax = std::max(std::fabs(s.lo), std::fabs(s.hi));
      // One-sided tensors use all 255 steps below the threshold.
      double t = entropyThreshold(s.absHist, amax, s.lo >= 0 ? 255 : 128);
      lo = std::max(s.lo, -t);
      hi = std::min(s.hi, t);
    }
    auto attr = b.getDenseF64ArrayAttr({lo, hi});
    if (probes[k].argument >= 0)
      main.setArgAttr(probes[k].argument, kRangeAttr, attr);
    else
      probes[k].op->setAttr(kRangeAttr, attr);
  }

  // Layers, and the probes holding their outputs.
  std::vector<std::pair<Operation *, size_t>> layers;
  main.walk([&](Operation *op) {
    if (!isLayerOp(op))
      return;
    Operation *out = layerOutputOp(op);
    auto id = out->getAttrOfType<IntegerAttr>(kProbeAttr);
    if (id && op->hasAttr(kProbeAttr))
      layers.push_back({op, (size_t)id.getInt()});
  });
  std::vector<size_t> layerProbes;
  for (auto &l : layers)
    layerProbes.push_back(l.second);

  // Measures a quantization of `module` with precisions `prec`: per-layer
  // SNR and the model outputs' error, against the float model.
  // The quantized model is JIT-compiled without LLVM optimization: it runs
  // once over the samples, and its integer kernels compute the same either
  // way; optimizing it cost BlazeFace front ~4 s of compile time to save
  // well under 1 s of run time.
  // `quick`: the first kQuickSamples samples only, to rank layers.
  constexpr size_t kQuickSamples = 8;
  auto measure = [&](const Precisions &prec, OwningOpRef<ModuleOp> &quantized,
                     Measurement &m, bool quick = false) -> LogicalResult {
    quantized = module.clone();
    if (failed(applyQuantizePass(*quantized, prec)))
      return failure();
    auto qModel = buildProbeModel(*quantized, probes, layerProbes,
                                  /*optimize=*/false);
    if (!qModel)
      return failure();
    m.signal.assign(layerProbes.size(), 0.0);
    m.noise.assign(layerProbes.size(), 0.0);
    size_t nOut = floatModel->modelOutputs;
    m.outSignal.assign(nOut, 0.0);
    m.outNoise.assign(nOut, 0.0);
    const ModelInterface &fi = floatModel->jit->interface();
    auto floats = [](const std::vector<char> &v) {
      return ArrayRef<float>(reinterpret_cast<const float *>(v.data()),
                             v.size() / sizeof(float));
    };
    auto accumulate = [](ArrayRef<float> r, ArrayRef<float> q, double &sig,
                         double &noi) {
      for (size_t i = 0; i < r.size() && i < q.size(); ++i) {
        sig += (double)r[i] * r[i];
        noi += ((double)q[i] - r[i]) * ((double)q[i] - r[i]);
      }
    };
    // Float and quantized runs side by side, one sample at a time.
    std::vector<std::vector<char>> ref, got;
    size_t samples = calibration.samples.size();
    if (quick)
      samples = std::min(samples, kQuickSamples);
    for (size_t s = 0; s < samples; ++s) {
      if (failed(runOne(*floatModel, calibration.samples[s], ref)) ||
          failed(runOne(*qModel, calibration.samples[s], got)))
        return failure();
      for (size_t i = 0; i < nOut; ++i)
        if (fi.outputs[i].elementType == "float32")
          accumulate(floats(ref[i]), floats(got[i]), m.outSignal[i],
                     m.outNoise[i]);
      for (size_t k = 0; k < layerProbes.size(); ++k) {
        int fIdx = floatModel->outputIndex[layerProbes[k]];
        int qIdx = qModel->outputIndex[k];
        if (fIdx >= 0 && qIdx >= 0)
          accumulate(floats(ref[fIdx]), floats(got[qIdx]), m.signal[k],
                     m.noise[k]);
      }
    }
    return success();
  };

  auto layerNames = [&]() {
    std::vector<std::string> names;
    for (auto &l : layers)
      names.push_back(getNodeName(l.first->getLoc()));
    return names;
  }();
  // Named layers must exist: a misspelt name would silently change nothing.
  {
    llvm::StringSet<> nodes;
    main.walk([&](Operation *op) { nodes.insert(getNodeName(op->getLoc())); });
    auto check = [&](const std::vector<std::string> &names,
                     StringRef flag) -> LogicalResult {
      for (const std::string &n : names)
        if (!(flag == "--quantize-int16" && n == "all") && !nodes.contains(n))
          return module.emitError(flag)
                 << " names '" << n
                 << "', which is not a node of the model (after graph "
                    "cleanup, which folds BatchNormalization, Identity and "
                    "constant nodes away)";
      return success();
    };
    if (failed(check(options.skip, "--quantize-skip")) ||
        failed(check(options.int16, "--quantize-int16")))
      return failure();
  }

  Precisions prec{options.skip, options.int16};
  OwningOpRef<ModuleOp> quantized;
  Measurement m;
  if (failed(measure(prec, quantized, m)))
    return module.emitError("the quantized model failed to compile or run");

  // A layer is quantized when its (first) input is dequantized and its
  // output is quantized again: the pattern onnx-fuse-qdq turns into an
  // integer kernel. Its width is the output's. The layer is found in the
  // quantized clone by probe id.
  std::vector<int64_t> coreIds;
  for (auto &l : layers)
    coreIds.push_back(l.first->getAttrOfType<IntegerAttr>(kProbeAttr).getInt());
  auto bitsIn = [&](ModuleOp q, size_t k) -> unsigned {
    Operation *core = nullptr, *out = nullptr;
    q.walk([&](Operation *op) {
      auto id = op->getAttrOfType<IntegerAttr>(kProbeAttr);
      if (id && id.getInt() == coreIds[k])
        core = op;
      if (id && (size_t)id.getInt() == layerProbes[k])
        out = op;
    });
    if (!core || !out || core->getNumOperands() == 0 ||
        !core->getOperand(0).getDefiningOp<onnx::DequantizeLinearOp>())
      return 0;
    for (Operation *u : out->getResult(0).getUsers())
      if (auto ql = llvm::dyn_cast<onnx::QuantizeLinearOp>(u))
        return llvm::cast<RankedTensorType>(ql.getY().getType())
            .getElementType()
            .getIntOrFloatBitWidth();
    return 0;
  };

  // 2. --quantize-error: rank the quantized layers by the output error each
  // causes alone (quick measurements: a few samples).
  // Give the shortest prefix of that order int16 activations that meets
  // the budget; if even all of them do not, keep the shortest prefix that
  // does in float instead. Prefixes are found by bisection (the error
  // taken as falling with the prefix; the result is measured, so it holds).
  std::vector<std::optional<double>> sensitivity(layers.size());
  if (options.maxError && m.error() > *options.maxError) {
    for (size_t k = 0; k < layers.size(); ++k) {
      if (!bitsIn(*quantized, k))
        continue;
      Precisions alone = prec;
      for (size_t j = 0; j < layers.size(); ++j)
        if (j != k)
          alone.skip.push_back(layerNames[j]);
      OwningOpRef<ModuleOp> single;
      Measurement ms;
      if (failed(measure(alone, single, ms, /*quick=*/true)))
        return module.emitError("the quantized model failed to compile or run");
      sensitivity[k] = ms.error();
    }
    std::vector<size_t> order;
    for (size_t k = 0; k < layers.size(); ++k)
      if (sensitivity[k])
        order.push_back(k);
    llvm::sort(order, [&](size_t a, size_t c) {
      if (*sensitivity[a] != *sensitivity[c])
        return *sensitivity[a] > *sensitivity[c];
      return a < c;
    });
    // Gemm and MatMul have int8 kernels only: widening them changes
    // nothing.
    std::vector<size_t> widenable;
    for (size_t k : order)
      if (!llvm::isa<onnx::GemmOp, onnx::MatMulOp>(layers[k].first))
        widenable.push_back(k);
    // Precisions with the first n of the order widened (or kept float).
    auto with = [&](size_t n, bool toFloat) {
      Precisions p = prec;
      const std::vector<size_t> &o = toFloat ? order : widenable;
      for (size_t i = 0; i < n; ++i)
        (toFloat ? p.skip : p.int16).push_back(layerNames[o[i]]);
      return p;
    };
    // The shortest n whose error is within budget, by bisection over
    // (0, order.size()]; `quantized` and `m` become its measurement (that
    // of all n = order.size() if none is).
    auto shortest = [&](bool toFloat) -> FailureOr<size_t> {
      size_t all = toFloat ? order.size() : widenable.size();
      if (failed(measure(with(all, toFloat), quantized, m)))
        return failure();
      size_t lo = 0, hi = all;
      while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        OwningOpRef<ModuleOp> q;
        Measurement mm;
        if (failed(measure(with(mid, toFloat), q, mm)))
          return failure();
        if (mm.error() <= *options.maxError) {
          hi = mid;
          quantized = std::move(q);
          m = mm;
        } else {
          lo = mid;
        }
      }
      return hi;
    };
    auto failedRun = [&] {
      return module.emitError("the quantized model failed to compile or run");
    };
    if (!llvm::is_contained(options.int16, "all")) {
      auto n = shortest(/*toFloat=*/false);
      if (failed(n))
        return failedRun();
      bool met = m.error() <= *options.maxError;
      // Not met even with every layer int16: all stay int16, float on top.
      size_t widened = met ? *n : widenable.size();
      prec = with(widened, false);
      for (size_t i = 0; i < widened; ++i)
        report.widened.push_back(layerNames[widenable[i]]);
    }
    if (m.error() > *options.maxError) {
      auto n = shortest(/*toFloat=*/true);
      if (failed(n))
        return failedRun();
      prec = with(*n, true);
      for (size_t i = 0; i < *n; ++i)
        report.keptFloat.push_back(layerNames[order[i]]);
    }
  }

  // 3. The report, then the quantized module replaces the float one.
  const ModelInterface &fi = floatModel->jit->interface();
  for (size_t i = 0; i < floatModel->modelOutputs; ++i) {
    if (fi.outputs[i].elementType != "float32")
      continue;
    QuantizeReport::Output o;
    o.name = fi.outputs[i].name.empty() ? "output " + std::to_string(i)
                                        : fi.outputs[i].name;
    double s = m.outSignal[i], n = m.outNoise[i];
    o.snr = n > 0 ? 10 * std::log10(s / n) : INFINITY;
    o.error = s > 0 ? std::sqrt(n / s) : std::sqrt(n);
    report.outputs.push_back(o);
  }
  llvm::StringSet<> skipped;
  for (const std::string &s : prec.skip)
    skipped.insert(s);
  for (size_t k = 0; k < layers.size(); ++k) {
    QuantizeLayer l;
    l.node = layerNames[k];
    l.op = layers[k].first->getName().stripDialect().str();
    l.sensitivity = sensitivity[k];
    l.bits = bitsIn(*quantized, k);
    if (l.bits == 16)
      l.reason = llvm::is_contained(report.widened, l.node) ? "--quantize-error"
                 : llvm::is_contained(options.int16, l.node) ||
                         llvm::is_contained(options.int16, "all")
                     ? "--quantize-int16"
                     : "int16 input";
    if (l.bits) {
      quantized->walk([&](onnx::QuantizeLinearOp q) {
        Operation *def = q.getX().getDefiningOp();
        auto id = def ? def->getAttrOfType<IntegerAttr>(kProbeAttr)
                      : IntegerAttr();
        if (id && (size_t)id.getInt() == layerProbes[k])
          if (auto p = readQuantParams(q)) {
            l.scale = p->scale[0];
            l.zeroPoint = p->zeroPoint[0];
          }
      });
    } else if (skipped.contains(l.node)) {
      l.reason = llvm::is_contained(report.keptFloat, l.node)
                     ? "--quantize-error"
                     : "--quantize-skip";
    } else {
      l.reason = "no integer kernel";
    }
    if (m.signal[k] > 0)
      l.snr = m.noise[k] > 0 ? 10 * std::log10(m.signal[k] / m.noise[k])
                             : INFINITY;
    report.layers.push_back(l);
  }

  // Move the quantized body into `module`; drop the bookkeeping attributes.
  auto qMain = quantized->lookupSymbol<func::FuncOp>("main");
  main.getBody().takeBody(qMain.getBody());
  for (unsigned i = 0; i < main.getNumArguments(); ++i)
    main.removeArgAttr(i, kRangeAttr);
  main.walk([&](Operation *op) {
    op->removeAttr(kProbeAttr);
    op->removeAttr(kRangeAttr);
  });
  return success();
}

/// int8, int16 (activations; weights int8) or float.
static const char *precisionName(const QuantizeLayer &l) {
  return l.bits == 8 ? "int8" : l.bits == 16 ? "int16" : "float";
}

static std::string fmtDb(std::optional<double> v) {
  if (!v)
    return "";
  if (std::isinf(*v))
    return "exact";
  return llvm::formatv("{0:F1}", *v).str();
}

void writeQuantizeMarkdown(const QuantizeReport &r, llvm::raw_ostream &os) {
  os << "# int8 quantization\n\n"
     << "Calibration `" << r.method << "`, " << r.samples << " samples";
  if (r.maxError)
    os << ", error budget " << llvm::format("%g", *r.maxError);
  os << ".\n\n| layer | op | precision | scale | zero point | SNR (dB) |"
     << (r.maxError ? " error alone |" : "") << "\n|---|---|---|---:|---:|---:|"
     << (r.maxError ? "---:|" : "") << "\n";
  for (const QuantizeLayer &l : r.layers) {
    os << "| " << l.node << " | " << l.op << " | " << precisionName(l)
       << (l.reason.empty() ? std::string() : " (" + l.reason + ")") << " | ";
    if (l.bits)
      os << llvm::format("%.6g", l.scale) << " | " << l.zeroPoint;
    else
      os << " | ";
    os << " | " << fmtDb(l.snr) << " |";
    if (r.maxError)
      os << " " << (l.sensitivity ? llvm::formatv("{0:E2}", *l.sensitivity).str()
                                  : std::string())
         << " |";
    os << "\n";
  }
  os << "\nModel outputs against float on the calibration inputs:\n\n";
  for (const auto &o : r.outputs)
    os << "- `" << o.name << "`: SNR " << fmtDb(o.snr) << " dB, relative error "
       << llvm::format("%.3g", o.error) << "\n";
}

void writeQuantizeJson(const QuantizeReport &r, llvm::json::OStream &j) {
  j.attribute("calibration", r.method);
  j.attribute("calibration_samples", (int64_t)r.samples);
  if (r.maxError)
    j.attribute("max_error", *r.maxError);
  j.attributeArray("layers", [&] {
    for (const QuantizeLayer &l : r.layers)
      j.object([&] {
        j.attribute("node", l.node);
        j.attribute("op", l.op);
        j.attribute("precision", precisionName(l));
        if (!l.reason.empty())
          j.attribute(l.bits ? "widened_because" : "kept_because", l.reason);
        if (l.bits) {
          j.attribute("scale", l.scale);
          j.attribute("zero_point", l.zeroPoint);
        }
        if (l.snr && std::isfinite(*l.snr))
          j.attribute("snr_db", *l.snr);
        if (l.sensitivity)
          j.attribute("error_alone", *l.sensitivity);
      });
  });
  j.attributeArray("outputs", [&] {
    for (const auto &o : r.outputs)
      j.object([&] {
        j.attribute("name", o.name);
        if (std::isfinite(o.snr))
          j.attribute("snr_db", o.snr);
        j.attribute("relative_error", o.error);
      });
  });
}

} // namespace whittle
