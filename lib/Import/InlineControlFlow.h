//===- InlineControlFlow.h - unroll static If, Loop and Scan ----*- C++ -*-===//
//
// Part of whittle. Internal to lib/Import.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_LIB_IMPORT_INLINECONTROLFLOW_H
#define WHITTLE_LIB_IMPORT_INLINECONTROLFLOW_H

#include "onnx/onnx_pb.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace whittle {

/// A value the unrolled graph assumes but only the run can confirm: the
/// integer or bool scalar `value` must equal `expected`.
struct RuntimeAssumption {
  std::string value;
  int64_t expected = 0;
  std::string node; ///< the control-flow node that made the assumption
  std::string what; ///< what a mismatch means, for the status message
};

/// Two values that must end up with the same static shape (the branches of
/// an If chosen at run time, merged by Where).
struct SameShape {
  std::string a, b;
  std::string node;
  int output = 0;
};

/// What inlining learnt beyond the rewritten graph.
struct InlineState {
  /// Why a control-flow node stayed in the graph, by its first output name.
  std::unordered_map<std::string, std::string> why;
  std::vector<RuntimeAssumption> assumptions;
  std::vector<SameShape> sameShapes;
};

/// Replaces If, Loop and Scan nodes whose iteration counts are known at
/// compile time by their bodies, unrolled into the enclosing graph:
///  - If with a constant condition becomes the chosen branch; with a run-time
///    condition both branches are computed and Where picks each output
///    (their shapes must agree: recorded in `state.sameShapes`).
///  - Loop runs a constant trip count, or the static extent of its first
///    scan output (the trip count and the condition are then checked at run
///    time: `state.assumptions`); its body must pass its condition through.
///  - Scan runs the static extent of its scan inputs.
/// Body-local names get fresh names per iteration; outer-scope names are
/// shared. Reads shapes from value_info as shape inference left it. Returns
/// the number of nodes replaced; nodes it cannot unroll keep a reason in
/// `state.why`. `opset` is the default domain's version.
int inlineControlFlow(::onnx::GraphProto &graph, int64_t opset,
                      InlineState &state);

/// Replaces sequences whose length is known at compile time by their
/// tensors: SequenceEmpty, SequenceConstruct, SequenceInsert, SequenceErase,
/// SplitToSequence, SequenceAt, SequenceLength and ConcatFromSequence (and
/// Identity of a sequence) become tensor nodes. A position known only at run
/// time selects among tensors of one static shape with Where (Gather for
/// SequenceAt) and is range-checked when the model runs. All or nothing:
/// when a sequence op cannot be resolved, or a sequence is a graph input or
/// output or feeds any other op, every sequence op keeps a reason in
/// `state.why`. Returns the number of nodes replaced.
int lowerSequences(::onnx::GraphProto &graph, int64_t opset,
                   InlineState &state);

} // namespace whittle

#endif // WHITTLE_LIB_IMPORT_INLINECONTROLFLOW_H
