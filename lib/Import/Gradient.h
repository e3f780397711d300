//===- Gradient.h - expand Gradient into ONNX nodes -------------*- C++ -*-===//
//
// Part of whittle. Internal to lib/Import.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_LIB_IMPORT_GRADIENT_H
#define WHITTLE_LIB_IMPORT_GRADIENT_H

#include "InlineControlFlow.h"

namespace whittle {

/// Replaces each ai.onnx.preview.training Gradient node by the reverse-mode
/// derivative of its `y` with respect to its `xs` (seeded with ones, so a
/// tensor y gives the gradient of its sum), written as ONNX nodes:
/// Add, Sub, Mul, Div, Neg, Identity, Relu, Exp, Tanh, Sigmoid and 2-D
/// MatMul are differentiated, broadcast operands get their gradient summed
/// back to their shape, and an x that y does not depend on gets zeros.
/// Reads shapes from value_info as shape inference left it. A Gradient
/// through any other operator stays, with a reason in `state.why`. Returns
/// the number of nodes replaced; the graph stays topologically sorted.
int expandGradients(::onnx::GraphProto &graph, int64_t opset,
                    InlineState &state);

} // namespace whittle

#endif // WHITTLE_LIB_IMPORT_GRADIENT_H
