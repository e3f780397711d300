//===- ShapeFolding.h - fold shape arithmetic in an ONNX graph --*- C++ -*-===//
//
// Part of whittle. Internal to lib/Import.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_LIB_IMPORT_SHAPEFOLDING_H
#define WHITTLE_LIB_IMPORT_SHAPEFOLDING_H

#include "onnx/onnx_pb.h"

namespace whittle {

/// Replaces each node that computes a small integer tensor from static
/// shapes and constants (Shape, Size, and Gather, Unsqueeze, Squeeze,
/// Concat, Slice, Cast, Add, Sub, Mul, Div of such values) by a Constant
/// node with the same name and output. Exporters compute Reshape targets
/// this way (`x.view(x.size(0), -1)`); ONNX 1.12's data propagation stops at
/// Gather and Unsqueeze, so shape inference would leave the Reshape's result
/// unshaped. Reads shapes from the graph's value_info as shape inference
/// left it. Returns the number of nodes replaced; the caller re-runs shape
/// inference and calls again until nothing changes.
int foldShapeComputations(::onnx::GraphProto &graph);

/// A Range whose bounds are only known at run time has no static length;
/// when its values flow through elementwise ops into a rank-1 value whose
/// length is declared (a graph output, say), that length is taken as the
/// Range's (value_info), and the next round of shape inference derives every
/// shape in between from it. Sound because the lowered Range checks its
/// computed length against the static one when the model runs. Returns the
/// number of Ranges pinned.
int pinRangeLengths(::onnx::GraphProto &graph);

} // namespace whittle

#endif // WHITTLE_LIB_IMPORT_SHAPEFOLDING_H
