//===- ONNXTrainingOps.td - ai.onnx.preview.training ops ---*- tablegen -*-===//
//
// Part of whittle. The optimizer steps of ONNX's training domain, for
// on-device learning: each updates n tensors at once. Inputs are grouped
// by kind (R, T, then X_1..X_n, G_1..G_n and the state tensors), outputs
// likewise; the lowering is elementwise arithmetic.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXTRAININGOPS_TD
#define WHITTLE_DIALECT_ONNX_IR_ONNXTRAININGOPS_TD

class ONNX_OptimizerOp<string mnemonic, string sum, dag attrs>
    : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum;
  let arguments = !con(
      (ins ONNX_FloatTensor:$R, RankedTensorOf<[I64]>:$T,
           Variadic<ONNX_FloatTensor>:$inputs),
      attrs);
  let results = (outs Variadic<ONNX_FloatTensor>:$outputs);
  let hasVerifier = 1;
}

def ONNX_AdagradOp : ONNX_OptimizerOp<"Adagrad",
    "Adagrad step: X_new..., H_new... from X..., G..., H...",
    (ins DefaultValuedAttr<F32Attr, "0.0">:$decay_factor,
         DefaultValuedAttr<F32Attr, "1e-6">:$epsilon,
         DefaultValuedAttr<F32Attr, "0.0">:$norm_coefficient)>;

def ONNX_MomentumOp : ONNX_OptimizerOp<"Momentum",
    "momentum (standard or nesterov) step: X_new..., V_new... from X..., "
    "G..., V...",
    (ins F32Attr:$alpha, F32Attr:$beta, StrAttr:$mode,
         F32Attr:$norm_coefficient)>;

def ONNX_AdamOp : ONNX_OptimizerOp<"Adam",
    "Adam step: X_new..., V_new..., H_new... from X..., G..., V..., H...",
    (ins DefaultValuedAttr<F32Attr, "0.9">:$alpha,
         DefaultValuedAttr<F32Attr, "0.999">:$beta,
         DefaultValuedAttr<F32Attr, "1e-6">:$epsilon,
         DefaultValuedAttr<F32Attr, "0.0">:$norm_coefficient,
         DefaultValuedAttr<F32Attr, "0.0">:$norm_coefficient_post)>;

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXTRAININGOPS_TD
