//===- Passes.td - whittle conversion passes ---------------*- tablegen -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_CONVERSION_PASSES_TD
#define WHITTLE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertONNXToTOSAPass : Pass<"convert-onnx-to-tosa", "mlir::func::FuncOp"> {
  let summary = "Lower onnx ops to TOSA (linalg where TOSA has no equivalent)";
  let description = [{
    Rewrites every `onnx` op into TOSA. ONNX is NCHW and TOSA convolution and
    pooling are NHWC: each such op is wrapped in transposes that the TOSA
    canonicalizations and `tosa-reduce-transposes` cancel between adjacent
    ops. Constant weights are re-laid out at compile time. Grouped
    convolutions that are neither regular nor depthwise go to linalg. An op
    that cannot be lowered gets one error naming its node.
  }];
  let dependentDialects = ["mlir::tosa::TosaDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::cf::ControlFlowDialect"];
}

#endif // WHITTLE_CONVERSION_PASSES_TD
