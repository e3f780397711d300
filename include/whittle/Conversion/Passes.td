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

def ConvertToLLVMPass : Pass<"whittle-convert-to-llvm", "mlir::ModuleOp"> {
  let summary = "Lower memref, math, arith, index, func and cf to LLVM in one conversion";
  let description = [{
    One dialect conversion with one type converter instead of a pass per
    dialect: each upstream pass walks and legalizes the whole module again,
    which dominates compile time on unrolled kernels. Functions take bare
    pointers for their statically shaped memrefs (whittle's C ABI). The
    vector dialect must already be lowered (`convert-vector-to-llvm`);
    `cf.assert` is not lowered, since the generated code has no `abort`.
  }];
  let options = [
    Option<"indexBitwidth", "index-bitwidth", "unsigned", "0",
           "Bit width of index (0: from the data layout)">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // WHITTLE_CONVERSION_PASSES_TD
