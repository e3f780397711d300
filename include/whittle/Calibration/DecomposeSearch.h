//===- DecomposeSearch.h - Calibrated ranks for onnx-decompose-conv -*- C++ -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//
//
// Chooses the rank of every convolution's depthwise-separable rewrite. In
// auto mode each candidate rank is measured: the float model runs on the
// calibration inputs with every convolution's input and output captured,
// and each layer's candidate rewrites run on the captured inputs; the
// smallest rank whose relative error ||y' - y|| / ||y|| at that layer's
// output stays within the budget, and that saves multiply-accumulates, wins.
// The choice is recorded as `whittle.decompose_rank` on each onnx.Conv; the
// onnx-decompose-conv pass in the pipeline then applies it.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_CALIBRATION_DECOMPOSESEARCH_H
#define WHITTLE_CALIBRATION_DECOMPOSESEARCH_H

#include "whittle/Calibration/Calibration.h"
#include "whittle/Calibration/Quantize.h"
#include "whittle/Dialect/ONNX/Transforms/ConvDecomposition.h"
#include "whittle/Target/Object/EmitObject.h"
#include "whittle/Transforms/KernelStats.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace whittle {

struct DecomposeOptions {
  /// 0: auto (measured, needs calibration data); N > 0: rank N everywhere.
  int64_t forcedRank = 0;
  /// Auto mode: largest accepted relative error at a layer's output.
  double maxError = 0.01;
  /// ONNX node names never rewritten.
  std::vector<std::string> skip;
};

struct DecomposeLayer {
  std::string node;
  std::vector<int64_t> inputShape, weightShape;
  int64_t rank = 0;   ///< 0: kept as a regular convolution
  int64_t maxRank = 0; ///< min(Cout, K): the exact rank
  std::string reason; ///< why it was kept (rank 0)
  ConvCost before, after;
  std::optional<double> error; ///< measured at the layer output
};

struct DecomposeReport {
  std::string mode;
  double maxError = 0;
  size_t samples = 0;
  std::vector<DecomposeLayer> layers;
  /// Model-level relative error per float output (name, error).
  std::vector<std::pair<std::string, double>> outputErrors;
};

/// Annotates every onnx.Conv in `module`'s @main with its rank and fills
/// `report`. `calibration` is required in auto mode; in forced-rank mode it
/// is optional and, when given, the errors are measured too.
mlir::LogicalResult planDecomposition(mlir::ModuleOp module,
                                      const DecomposeOptions &options,
                                      const CalibrationSet *calibration,
                                      DecomposeReport &report);

/// Writes the compilation report as JSON (`json`) or Markdown: the generated
/// code's kernels and sizes (`stats`), the object's flash and RAM for its
/// target (`object`) and the per-layer decomposition (`decompose`), each
/// when given.
void writeReport(const KernelStats *stats, const DecomposeReport *decompose,
                 const QuantizeReport *quantize, const ObjectStats *object,
                 bool json, llvm::raw_ostream &os);

} // namespace whittle

#endif // WHITTLE_CALIBRATION_DECOMPOSESEARCH_H
