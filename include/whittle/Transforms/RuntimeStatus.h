//===- RuntimeStatus.h - what NAME_run returns ------------------*- C++ -*-===//
//
// Part of whittle. Where a value read from a model input breaks an
// operator's contract (a Gather index out of range, an integer divisor of
// zero), the lowering adds a check: a `cf.assert` carrying kStatusAttr.
// whittle-lower-checks turns the checks into the model function's i32
// result, which NAME_run returns. The guarded computation itself stays
// memory-safe and defined either way (indices clamped, divisors made
// non-zero): the status tells the caller the outputs are meaningless.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TRANSFORMS_RUNTIMESTATUS_H
#define WHITTLE_TRANSFORMS_RUNTIMESTATUS_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace whittle {

/// The integer attribute on a `cf.assert` that makes it a run-time check.
inline constexpr llvm::StringLiteral kStatusAttr = "whittle.status";

/// NAME_run's return values (also #defined in the generated header).
enum RuntimeStatus : int32_t {
  kStatusOk = 0,
  /// An index read from an input (Gather, GatherElements) is out of range.
  kStatusIndexOutOfRange = 1,
  /// An integer divisor read from an input (Div, Mod) is zero.
  kStatusDivisionByZero = 2,
  /// A parameter read from an input that fixes a compiled extent (Range's
  /// bounds, OneHot's depth, Resize's sizes) disagrees with it.
  kStatusShapeMismatch = 3,
};

} // namespace whittle

#endif // WHITTLE_TRANSFORMS_RUNTIMESTATUS_H
