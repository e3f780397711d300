//===- DecomposeSearch.cpp - Calibrated ranks for onnx-decompose-conv -----===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Calibration/DecomposeSearch.h"
#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <array>
#include <cmath>

using namespace mlir;

namespace whittle {
namespace {

std::vector<int64_t> shapeOf(Value v) {
  auto t = llvm::cast<ShapedType>(v.getType());
  return {t.getShape().begin(), t.getShape().end()};
}

/// One convolution under measurement.
struct Candidate {
  size_t layer;               // index into report.layers / convs
  std::vector<int64_t> ranks; // candidate ranks, ascending
  std::unique_ptr<ConvFilterFactors> factors;
  std::unique_ptr<JitModel> jit; // x -> (y_r for r in ranks)
  int xOutput = -1, xArgument = -1, yOutput = -1;
  std::vector<RelativeError> errors;
};

/// A module whose @main maps the convolution's input to its separable
/// rewrite at each rank: the candidates are measured as generated code.
OwningOpRef<ModuleOp> buildLayerModule(onnx::ConvOp conv,
                                       const ConvFilterFactors &factors,
                                       ArrayRef<int64_t> ranks) {
  Location loc = conv.getLoc();
  OpBuilder b(conv.getContext());
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  SmallVector<Type> results(ranks.size(), conv.getY().getType());
  auto func = func::FuncOp::create(
      b, loc, "main", b.getFunctionType({conv.getX().getType()}, results));
  // Model functions record how many leading arguments are inputs.
  func->setAttr(whittle::kNumInputsAttr, b.getI64IntegerAttr(1));
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);
  IRMapping map;
  map.map(conv.getX(), body->getArgument(0));
  for (Value v : {conv.getW(), conv.getB()})
    if (v)
      b.clone(*v.getDefiningOp(), map);
  auto cloned = llvm::cast<onnx::ConvOp>(b.clone(*conv, map));
  SmallVector<Value> outs;
  for (int64_t r : ranks)
    outs.push_back(buildSeparableConv(b, cloned, factors, r));
  func::ReturnOp::create(b, loc, outs);
  cloned.erase();
  return module;
}

SmallVector<onnx::ConvOp> convsOf(ModuleOp module) {
  SmallVector<onnx::ConvOp> convs;
  if (auto main = module.lookupSymbol<func::FuncOp>("main"))
    main.walk([&](onnx::ConvOp op) { convs.push_back(op); });
  return convs;
}

} // namespace

LogicalResult planDecomposition(ModuleOp module,
                                const DecomposeOptions &options,
                                const CalibrationSet *calibration,
                                DecomposeReport &report) {
  bool autoMode = options.forcedRank <= 0;
  report.mode = autoMode ? "auto" : "rank:" + std::to_string(options.forcedRank);
  report.maxError = options.maxError;
  report.samples = calibration ? calibration->samples.size() : 0;
  if (autoMode && !calibration)
    return emitError(module.getLoc())
           << "--decompose-conv=auto needs calibration inputs (--calibration)";
  llvm::StringSet<> skipped;
  for (const std::string &s : options.skip)
    skipped.insert(s);

  SmallVector<onnx::ConvOp> convs = convsOf(module);
  std::vector<Candidate> candidates;
  for (size_t i = 0; i < convs.size(); ++i) {
    onnx::ConvOp op = convs[i];
    DecomposeLayer layer;
    layer.node = getNodeName(op.getLoc());
    layer.inputShape = shapeOf(op.getX());
    layer.weightShape = shapeOf(op.getW());
    layer.reason = whyNotDecomposable(op);
    if (layer.reason.empty()) {
      ConvGeometry g = ConvGeometry::of(op);
      layer.before = layer.after = g.original();
      layer.maxRank = g.maxRank();
      Candidate c;
      c.layer = i;
      if (skipped.contains(layer.node)) {
        layer.reason = "skipped (--decompose-conv-skip)";
      } else if (!autoMode) {
        c.ranks.push_back(std::min(options.forcedRank, g.maxRank()));
      } else {
        for (int64_t r = 1; r <= g.maxRank(); ++r)
          if (g.separable(r).macs < g.original().macs)
            c.ranks.push_back(r);
        if (c.ranks.empty())
          layer.reason = "no rank saves multiply-accumulates";
      }
      if (!c.ranks.empty()) {
        c.factors = std::make_unique<ConvFilterFactors>(
            ConvFilterFactors::compute(op));
        candidates.push_back(std::move(c));
      }
    } else if (auto w = llvm::dyn_cast<ShapedType>(op.getW().getType());
               w && w.hasStaticShape()) {
      auto y = llvm::cast<ShapedType>(op.getY().getType());
      if (y.hasStaticShape()) {
        int64_t perOut = w.getNumElements() / w.getDimSize(0);
        layer.before.macs = y.getNumElements() * perOut;
        layer.before.params =
            w.getNumElements() + (op.getB() ? w.getDimSize(0) : 0);
      }
      layer.after = layer.before;
    }
    report.layers.push_back(std::move(layer));
  }

  // Forced rank: the choice needs no measurement.
  if (!autoMode)
    for (Candidate &c : candidates)
      report.layers[c.layer].rank = c.ranks.front();

  if (calibration && !candidates.empty()) {
    // The float model, with every candidate's input and output as extra
    // results.
    OwningOpRef<ModuleOp> probe = module.clone();
    auto main = probe->lookupSymbol<func::FuncOp>("main");
    SmallVector<onnx::ConvOp> probeConvs = convsOf(*probe);
    auto ret = llvm::cast<func::ReturnOp>(main.getBody().front().getTerminator());
    SmallVector<Value> extra;
    auto addResult = [&](Value v) {
      if (failed(main.insertResult(main.getNumResults(), v.getType(),
                                   DictionaryAttr::get(v.getContext()))))
        return -1;
      extra.push_back(v);
      return (int)(main.getNumResults() - 1);
    };
    for (Candidate &c : candidates) {
      onnx::ConvOp op = probeConvs[c.layer];
      if (auto arg = llvm::dyn_cast<BlockArgument>(op.getX()))
        c.xArgument = arg.getArgNumber();
      else
        c.xOutput = addResult(op.getX());
      c.yOutput = addResult(op.getY());
      if ((c.xArgument < 0 && c.xOutput < 0) || c.yOutput < 0)
        return emitError(op.getLoc()) << "internal: cannot expose the layer";
    }
    ret->insertOperands(ret.getNumOperands(), extra);
    std::unique_ptr<JitModel> probeJit = JitModel::compile(*probe);
    if (!probeJit)
      return failure();
    for (Candidate &c : candidates) {
      OwningOpRef<ModuleOp> layerModule =
          buildLayerModule(convs[c.layer], *c.factors, c.ranks);
      c.jit = JitModel::compile(*layerModule);
      if (!c.jit)
        return failure();
      c.errors.resize(c.ranks.size());
    }

    const ModelInterface &probeIf = probeJit->interface();
    std::vector<std::vector<char>> probeOut(probeIf.outputs.size());
    std::vector<void *> probePtrs;
    for (size_t i = 0; i < probeOut.size(); ++i) {
      probeOut[i].resize(probeIf.outputs[i].bytes);
      probePtrs.push_back(probeOut[i].data());
    }
    for (const auto &sample : calibration->samples) {
      std::vector<const void *> in;
      for (const auto &t : sample)
        in.push_back(t.data());
      if (failed(probeJit->run(in, probePtrs)))
        return emitError(module.getLoc()) << "the model failed to run";
      for (Candidate &c : candidates) {
        const void *x = c.xArgument >= 0 ? sample[c.xArgument].data()
                                         : probeOut[c.xOutput].data();
        const ModelInterface &li = c.jit->interface();
        std::vector<std::vector<float>> ys(li.outputs.size());
        std::vector<void *> yPtrs;
        for (size_t r = 0; r < ys.size(); ++r) {
          ys[r].resize(li.outputs[r].bytes / sizeof(float));
          yPtrs.push_back(ys[r].data());
        }
        if (failed(c.jit->run({x}, yPtrs)))
          return emitError(module.getLoc()) << "a layer failed to run";
        const auto *ref =
            reinterpret_cast<const float *>(probeOut[c.yOutput].data());
        for (size_t r = 0; r < ys.size(); ++r)
          c.errors[r].add(ys[r].data(), ref, ys[r].size());
      }
    }

    for (Candidate &c : candidates) {
      DecomposeLayer &layer = report.layers[c.layer];
      if (!autoMode) {
        layer.error = c.errors.front().value();
        continue;
      }
      double best = INFINITY;
      for (size_t r = 0; r < c.ranks.size(); ++r) {
        best = std::min(best, c.errors[r].value());
        if (c.errors[r].value() <= options.maxError) {
          layer.rank = c.ranks[r];
          layer.error = c.errors[r].value();
          break;
        }
      }
      if (layer.rank == 0) {
        std::string s;
        llvm::raw_string_ostream os(s);
        os << "no cheaper rank within the budget (best error "
           << llvm::format("%.3g", best) << ")";
        layer.reason = s;
      }
    }
  }

  for (size_t i = 0; i < convs.size(); ++i) {
    DecomposeLayer &layer = report.layers[i];
    if (layer.rank > 0)
      layer.after = ConvGeometry::of(convs[i]).separable(layer.rank);
    if (whyNotDecomposable(convs[i]).empty())
      convs[i]->setAttr(kDecomposeRankAttr,
                        Builder(module.getContext()).getI64IntegerAttr(layer.rank));
  }

  // Model-level error: the rewritten model against the float one.
  if (calibration) {
    OwningOpRef<ModuleOp> original = module.clone();
    for (onnx::ConvOp op : convsOf(*original))
      op->removeAttr(kDecomposeRankAttr);
    std::unique_ptr<JitModel> ref = JitModel::compile(*original);
    std::unique_ptr<JitModel> got = JitModel::compile(module);
    if (!ref || !got)
      return failure();
    const ModelInterface &mi = ref->interface();
    std::vector<RelativeError> errors(mi.outputs.size());
    std::vector<std::vector<char>> a(mi.outputs.size()), b(mi.outputs.size());
    std::vector<void *> pa, pb;
    for (size_t i = 0; i < mi.outputs.size(); ++i) {
      a[i].resize(mi.outputs[i].bytes);
      b[i].resize(mi.outputs[i].bytes);
      pa.push_back(a[i].data());
      pb.push_back(b[i].data());
    }
    for (const auto &sample : calibration->samples) {
      std::vector<const void *> in;
      for (const auto &t : sample)
        in.push_back(t.data());
      if (failed(ref->run(in, pa)) || failed(got->run(in, pb)))
        return emitError(module.getLoc()) << "the model failed to run";
      for (size_t i = 0; i < mi.outputs.size(); ++i)
        if (mi.outputs[i].elementType == "float32")
          errors[i].add(reinterpret_cast<const float *>(b[i].data()),
                        reinterpret_cast<const float *>(a[i].data()),
                        a[i].size() / sizeof(float));
    }
    for (size_t i = 0; i < mi.outputs.size(); ++i)
      if (mi.outputs[i].elementType == "float32")
        report.outputErrors.push_back(
            {mi.outputs[i].name.empty() ? "output " + std::to_string(i)
                                        : mi.outputs[i].name,
             errors[i].value()});
  }
  return success();
}

static std::string dims(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

/// MACs before and after, parameters before and after, over all layers.
static std::array<int64_t, 4> totals(const DecomposeReport &report) {
  std::array<int64_t, 4> t{0, 0, 0, 0};
  for (const DecomposeLayer &l : report.layers) {
    t[0] += l.before.macs;
    t[1] += l.after.macs;
    t[2] += l.before.params;
    t[3] += l.after.params;
  }
  return t;
}

/// The decomposition part of the report, inside the top-level JSON object.
static void writeDecomposeJson(const DecomposeReport &report,
                               llvm::json::OStream &j) {
  std::array<int64_t, 4> t = totals(report);
  int64_t macsBefore = t[0], macsAfter = t[1], paramsBefore = t[2],
          paramsAfter = t[3];
  j.attribute("mode", report.mode);
  if (report.mode == "auto")
    j.attribute("max_error", report.maxError);
  j.attribute("calibration_samples", (int64_t)report.samples);
  j.attributeArray("layers", [&] {
    for (const DecomposeLayer &l : report.layers)
      j.object([&] {
        j.attribute("node", l.node);
        j.attribute("input_shape", llvm::json::Array(l.inputShape));
        j.attribute("weight_shape", llvm::json::Array(l.weightShape));
        j.attribute("rank", l.rank);
        j.attribute("exact_rank", l.maxRank);
        if (!l.reason.empty())
          j.attribute("kept_because", l.reason);
        j.attribute("macs_before", l.before.macs);
        j.attribute("macs_after", l.after.macs);
        j.attribute("params_before", l.before.params);
        j.attribute("params_after", l.after.params);
        if (l.error)
          j.attribute("relative_error", *l.error);
      });
  });
  j.attributeObject("total", [&] {
    j.attribute("macs_before", macsBefore);
    j.attribute("macs_after", macsAfter);
    j.attribute("params_before", paramsBefore);
    j.attribute("params_after", paramsAfter);
  });
  j.attributeArray("outputs", [&] {
    for (const auto &o : report.outputErrors)
      j.object([&] {
        j.attribute("name", o.first);
        j.attribute("relative_error", o.second);
      });
  });
}

static void writeDecomposeMarkdown(const DecomposeReport &report,
                                   llvm::raw_ostream &os) {
  std::array<int64_t, 4> t = totals(report);
  int64_t macsBefore = t[0], macsAfter = t[1], paramsBefore = t[2],
          paramsAfter = t[3];
  os << "# Depthwise-separable rewrite\n\n";
  os << "Mode `" << report.mode << "`";
  if (report.mode == "auto")
    os << ", error budget " << llvm::format("%g", report.maxError);
  os << ", " << report.samples << " calibration samples.\n\n";
  os << "| node | input | weight | rank | MACs before | MACs after | params "
        "before | params after | relative error |\n";
  os << "|---|---|---|---|---:|---:|---:|---:|---:|\n";
  for (const DecomposeLayer &l : report.layers) {
    os << "| " << l.node << " | " << dims(l.inputShape) << " | "
       << dims(l.weightShape) << " | ";
    if (l.rank > 0)
      os << l.rank << " of " << l.maxRank;
    else
      os << "kept: " << l.reason;
    os << " | " << l.before.macs << " | " << l.after.macs << " | "
       << l.before.params << " | " << l.after.params << " | ";
    if (l.error)
      os << llvm::format("%.3g", *l.error);
    os << " |\n";
  }
  os << "| **total** | | | | " << macsBefore << " | " << macsAfter << " | "
     << paramsBefore << " | " << paramsAfter << " | |\n\n";
  if (macsAfter > 0)
    os << "Convolution MACs cut " << llvm::format("%.2f", (double)macsBefore / macsAfter)
       << "x, parameters " << llvm::format("%.2f", (double)paramsBefore / std::max<int64_t>(paramsAfter, 1))
       << "x.\n";
  if (!report.outputErrors.empty()) {
    os << "\nModel output relative error on the calibration inputs:\n\n";
    for (const auto &o : report.outputErrors)
      os << "- `" << o.first << "`: " << llvm::format("%.3g", o.second) << "\n";
  }
}


void writeReport(const KernelStats *stats, const DecomposeReport *decompose,
                 const QuantizeReport *quantize, const ObjectStats *object,
                 bool json, llvm::raw_ostream &os) {
  // Flash holds code and constants; RAM the arena and the deepest stack.
  int64_t arena = stats ? stats->arenaBytes : 0;
  auto flash = [&] { return object->codeBytes + object->readOnlyBytes; };
  auto ram = [&] { return arena + object->stackBytes + object->writableBytes; };
  if (json) {
    llvm::json::OStream j(os, 2);
    j.object([&] {
      if (stats)
        j.attributeObject("model", [&] {
          j.attribute("kernels", stats->kernels);
          j.attribute("data_movement_kernels", stats->dataMovementKernels);
          j.attribute("identity_copy_kernels", stats->identityCopyKernels);
          j.attribute("arena_bytes", stats->arenaBytes);
          j.attribute("arena_lower_bound", stats->arenaLowerBound);
          if (!stats->arenaPeak.empty())
            j.attribute("arena_peak_node", stats->arenaPeak);
          j.attribute("weight_bytes", stats->weightBytes);
        });
      if (object)
        j.attributeObject("target", [&] {
          j.attribute("triple", object->triple);
          j.attribute("cpu", object->cpu);
          j.attribute("flash_bytes", flash());
          j.attribute("code_bytes", object->codeBytes);
          j.attribute("read_only_bytes", object->readOnlyBytes);
          j.attribute("ram_bytes", ram());
          j.attribute("stack_bytes", object->stackBytes);
          j.attribute("writable_bytes", object->writableBytes);
        });
      if (decompose)
        writeDecomposeJson(*decompose, j);
      if (quantize)
        j.attributeObject("quantization",
                          [&] { writeQuantizeJson(*quantize, j); });
    });
    os << "\n";
    return;
  }
  if (stats) {
    os << "# Generated code\n\n"
       << "| kernels (loop nests) | data-movement kernels | identity copies | "
          "arena bytes | weight bytes |\n"
       << "|---:|---:|---:|---:|---:|\n"
       << "| " << stats->kernels << " | " << stats->dataMovementKernels
       << " | " << stats->identityCopyKernels << " | " << stats->arenaBytes
       << " | " << stats->weightBytes << " |\n";
    os << "\nArena lower bound for this execution order (most bytes live at "
          "once): "
       << stats->arenaLowerBound << " bytes";
    if (!stats->arenaPeak.empty())
      os << ", at node `" << stats->arenaPeak << "`";
    os << ".\n";
    if (object || decompose || quantize)
      os << "\n";
  }
  if (object) {
    os << "# Target " << object->triple << " (" << object->cpu << ")\n\n"
       << "| flash bytes | code | read-only data | RAM bytes | arena | stack "
          "| writable data |\n"
       << "|---:|---:|---:|---:|---:|---:|---:|\n"
       << "| " << flash() << " | " << object->codeBytes << " | "
       << object->readOnlyBytes << " | " << ram() << " | " << arena << " | "
       << object->stackBytes << " | " << object->writableBytes << " |\n";
    if (decompose || quantize)
      os << "\n";
  }
  if (decompose)
    writeDecomposeMarkdown(*decompose, os);
  if (quantize) {
    if (decompose)
      os << "\n";
    writeQuantizeMarkdown(*quantize, os);
  }
}

} // namespace whittle
