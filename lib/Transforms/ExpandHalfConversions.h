//===- ExpandHalfConversions.h - f16/bf16 conversions in integers -*- C++ -*-//
//
// Part of whittle. Private to lib/Transforms (whittle-expand-math).
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_LIB_TRANSFORMS_EXPANDHALFCONVERSIONS_H
#define WHITTLE_LIB_TRANSFORMS_EXPANDHALFCONVERSIONS_H

#include "mlir/IR/PatternMatch.h"

namespace whittle {

/// arith.extf from and arith.truncf to f16/bf16 (scalars and vectors) as
/// integer operations on the bit patterns, rounding to nearest even.
void populateHalfConversionExpansionPatterns(mlir::RewritePatternSet &patterns);

} // namespace whittle

#endif // WHITTLE_LIB_TRANSFORMS_EXPANDHALFCONVERSIONS_H
