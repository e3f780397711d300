//===- ONNXRecurrentOps.td - Recurrent ONNX operators ------*- tablegen -*-===//
//
// Part of whittle. RNN, GRU and LSTM over a static sequence length: the
// lowering unrolls the time steps (one matrix product of the whole input
// sequence with W, then per step one product of the hidden state with R
// and the gate arithmetic), so the arena plan sees every step's buffers.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXRECURRENTOPS_TD
#define WHITTLE_DIALECT_ONNX_IR_ONNXRECURRENTOPS_TD

/// What the three share: X, W, R, B, sequence_lens, initial_h and the
/// attributes of ONNX's recurrent operators (opset 14: with `layout`).
class ONNX_RecurrentOp<string mnemonic, string sum, dag extraIns, dag outs>
    : ONNX_Op<mnemonic, [Pure, AttrSizedOperandSegments,
                         AttrSizedResultSegments]> {
  let summary = sum;
  let arguments = !con(
      (ins ONNX_FloatTensor:$X, ONNX_FloatTensor:$W, ONNX_FloatTensor:$R,
           Optional<ONNX_FloatTensor>:$B,
           Optional<RankedTensorOf<[I32]>>:$sequence_lens,
           Optional<ONNX_FloatTensor>:$initial_h),
      extraIns,
      (ins OptionalAttr<F32ArrayAttr>:$activation_alpha,
           OptionalAttr<F32ArrayAttr>:$activation_beta,
           OptionalAttr<StrArrayAttr>:$activations,
           OptionalAttr<F32Attr>:$clip,
           DefaultValuedStrAttr<StrAttr, "forward">:$direction,
           I64Attr:$hidden_size,
           DefaultValuedAttr<I64Attr, "0">:$layout));
  let results = outs;
  let hasVerifier = 1;
}

def ONNX_RNNOp : ONNX_RecurrentOp<"RNN", "simple recurrent network",
    (ins), (outs Optional<ONNX_FloatTensor>:$Y,
                 Optional<ONNX_FloatTensor>:$Y_h)> {
  let description = [{
    H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb), f = Tanh by default.
  }];
}

def ONNX_GRUOp : ONNX_RecurrentOp<"GRU", "gated recurrent unit",
    (ins DefaultValuedAttr<I64Attr, "0">:$linear_before_reset),
    (outs Optional<ONNX_FloatTensor>:$Y, Optional<ONNX_FloatTensor>:$Y_h)> {
  let description = [{
    Gates z, r and h (in that order in W, R and B): z and r as in an RNN
    with f (Sigmoid); the candidate applies r to H_{t-1} before R (or, with
    linear_before_reset, to H_{t-1} R^T + Rb), through g (Tanh);
    H_t = (1 - z) * h + z * H_{t-1}.
  }];
}

def ONNX_LSTMOp : ONNX_RecurrentOp<"LSTM", "long short-term memory",
    (ins Optional<ONNX_FloatTensor>:$initial_c, Optional<ONNX_FloatTensor>:$P,
         DefaultValuedAttr<I64Attr, "0">:$input_forget),
    (outs Optional<ONNX_FloatTensor>:$Y, Optional<ONNX_FloatTensor>:$Y_h,
          Optional<ONNX_FloatTensor>:$Y_c)> {
  let description = [{
    Gates i, o, f and c (in that order in W, R and B), peepholes P = [Pi,
    Po, Pf]: i, f and o through f (Sigmoid), c through g (Tanh);
    C_t = f * C_{t-1} + i * c, H_t = o * h(C_t) with h (Tanh).
  }];
}

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXRECURRENTOPS_TD
