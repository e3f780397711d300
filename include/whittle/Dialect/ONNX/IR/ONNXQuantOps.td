//===- ONNXQuantOps.td - Quantized ONNX operators ----------*- tablegen -*-===//
//
// Part of whittle. The ONNX quantization operators (QDQ and QOperator forms)
// and the integer operators the QDQ fusion produces. Scales are f32, zero
// points int8, uint8 or int16 (16-bit activations with int8 weights);
// per-axis parameters are 1-D along `axis` (QDQ) or
// along the output channels (weights).
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXQUANTOPS_TD
#define WHITTLE_DIALECT_ONNX_IR_ONNXQUANTOPS_TD

def ONNX_QTensor : RankedTensorOf<[I8, UI8, I16]>;
def ONNX_QOrI32Tensor : RankedTensorOf<[I8, UI8, I16, I32]>;
def ONNX_I32Tensor : RankedTensorOf<[I32]>;
def ONNX_F32Tensor : RankedTensorOf<[F32]>;

//===----------------------------------------------------------------------===//
// QDQ form (ONNX standard)
//===----------------------------------------------------------------------===//

def ONNX_QuantizeLinearOp : ONNX_Op<"QuantizeLinear", [Pure]> {
  let summary = "y = saturate(round_half_even(x / y_scale) + y_zero_point)";
  let arguments = (ins ONNX_F32Tensor:$x, ONNX_F32Tensor:$y_scale,
                       Optional<ONNX_QTensor>:$y_zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "1">:$saturate,
                       DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs ONNX_QTensor:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_DequantizeLinearOp : ONNX_Op<"DequantizeLinear", [Pure]> {
  let summary = "y = (x - x_zero_point) * x_scale";
  let arguments = (ins ONNX_QOrI32Tensor:$x, ONNX_F32Tensor:$x_scale,
                       Optional<ONNX_QOrI32Tensor>:$x_zero_point,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$block_size);
  let results = (outs ONNX_F32Tensor:$y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_DynamicQuantizeLinearOp : ONNX_Op<"DynamicQuantizeLinear", [Pure]> {
  let summary = "uint8 quantization with parameters from the input's range";
  let description = [{
    y_scale = (max(0, max(x)) - min(0, min(x))) / 255, y_zero_point =
    saturate(round_half_even(-min(0, min(x)) / y_scale)), y =
    saturate(round_half_even(x / y_scale) + y_zero_point). With int8
    results (onnx-signed-quant's view of the uint8 ones), y and
    y_zero_point are 128 less.
  }];
  let arguments = (ins ONNX_F32Tensor:$x);
  let results = (outs ONNX_QTensor:$y, ONNX_F32Tensor:$y_scale,
                      ONNX_QTensor:$y_zero_point);
  let assemblyFormat = "$x attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// QOperator form (ONNX standard)
//===----------------------------------------------------------------------===//

def ONNX_QLinearConvOp : ONNX_Op<"QLinearConv", [Pure]> {
  let summary = "quantized convolution: int8/uint8 in and out, int32 bias";
  // (whittle also takes int16 X and Y with an int64 bias: A16W8 layers.)
  let description = [{
    y = Q(conv(DQ(x), DQ(w)) + B * x_scale * w_scale) with the output
    quantization (y_scale, y_zero_point). w_scale and w_zero_point are
    scalars or per output channel.
  }];
  let arguments = (ins ONNX_QTensor:$X, ONNX_F32Tensor:$x_scale,
                       ONNX_QTensor:$x_zero_point,
                       ONNX_QTensor:$W, ONNX_F32Tensor:$w_scale,
                       ONNX_QTensor:$w_zero_point,
                       ONNX_F32Tensor:$y_scale, ONNX_QTensor:$y_zero_point,
                       Optional<RankedTensorOf<[I32, I64]>>:$B,
                       DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                       OptionalAttr<I64ArrayAttr>:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group,
                       OptionalAttr<I64ArrayAttr>:$kernel_shape,
                       OptionalAttr<I64ArrayAttr>:$pads,
                       OptionalAttr<I64ArrayAttr>:$strides);
  let results = (outs ONNX_QTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_QLinearMatMulOp : ONNX_Op<"QLinearMatMul", [Pure]> {
  let summary = "quantized numpy matmul";
  let arguments = (ins ONNX_QTensor:$A, ONNX_F32Tensor:$a_scale,
                       ONNX_QTensor:$a_zero_point,
                       ONNX_QTensor:$B, ONNX_F32Tensor:$b_scale,
                       ONNX_QTensor:$b_zero_point,
                       ONNX_F32Tensor:$y_scale, ONNX_QTensor:$y_zero_point);
  let results = (outs ONNX_QTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_ConvIntegerOp : ONNX_Op<"ConvInteger", [Pure, AttrSizedOperandSegments]> {
  let summary = "integer convolution with int32 result";
  let arguments = (ins ONNX_QTensor:$X, ONNX_QTensor:$W,
                       Optional<ONNX_QTensor>:$x_zero_point,
                       Optional<ONNX_QTensor>:$w_zero_point,
                       DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                       OptionalAttr<I64ArrayAttr>:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group,
                       OptionalAttr<I64ArrayAttr>:$kernel_shape,
                       OptionalAttr<I64ArrayAttr>:$pads,
                       OptionalAttr<I64ArrayAttr>:$strides);
  let results = (outs ONNX_I32Tensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_MatMulIntegerOp : ONNX_Op<"MatMulInteger", [Pure, AttrSizedOperandSegments]> {
  let summary = "integer numpy matmul with int32 result";
  let arguments = (ins ONNX_QTensor:$A, ONNX_QTensor:$B,
                       Optional<ONNX_QTensor>:$a_zero_point,
                       Optional<ONNX_QTensor>:$b_zero_point);
  let results = (outs ONNX_I32Tensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Integer operators produced by onnx-fuse-qdq (not in ONNX's default domain;
// named after the com.microsoft operators of the same meaning)
//===----------------------------------------------------------------------===//

def ONNX_QGemmOp : ONNX_Op<"QGemm", [Pure]> {
  let summary = "quantized Gemm: Q(alpha * DQ(A) * DQ(B) + DQ(C))";
  let description = [{
    C, if present, is int32 with scale a_scale * b_scale (per output column
    when b_scale is) and zero point 0, as a quantized bias.
  }];
  let arguments = (ins ONNX_QTensor:$A, ONNX_F32Tensor:$a_scale,
                       ONNX_QTensor:$a_zero_point,
                       ONNX_QTensor:$B, ONNX_F32Tensor:$b_scale,
                       ONNX_QTensor:$b_zero_point,
                       ONNX_F32Tensor:$y_scale, ONNX_QTensor:$y_zero_point,
                       Optional<ONNX_I32Tensor>:$C,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<I64Attr, "0">:$transA,
                       DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs ONNX_QTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class ONNX_QLinearBinaryOp<string mnemonic, string sum>
    : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum # " of quantized tensors (numpy broadcasting)";
  let arguments = (ins ONNX_QTensor:$A, ONNX_F32Tensor:$A_scale,
                       ONNX_QTensor:$A_zero_point,
                       ONNX_QTensor:$B, ONNX_F32Tensor:$B_scale,
                       ONNX_QTensor:$B_zero_point,
                       ONNX_F32Tensor:$C_scale, ONNX_QTensor:$C_zero_point);
  let results = (outs ONNX_QTensor:$C);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_QLinearAddOp : ONNX_QLinearBinaryOp<"QLinearAdd", "addition">;
def ONNX_QLinearMulOp : ONNX_QLinearBinaryOp<"QLinearMul", "multiplication">;

def ONNX_QLinearGlobalAveragePoolOp
    : ONNX_Op<"QLinearGlobalAveragePool", [Pure]> {
  let summary = "quantized mean over all spatial dimensions (NCHW)";
  let arguments = (ins ONNX_QTensor:$X, ONNX_F32Tensor:$x_scale,
                       ONNX_QTensor:$x_zero_point,
                       ONNX_F32Tensor:$y_scale, ONNX_QTensor:$y_zero_point);
  let results = (outs ONNX_QTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_QLinearLookupOp : ONNX_Op<"QLinearLookup", [Pure]> {
  let summary = "elementwise function of a quantized tensor by table";
  let description = [{
    Y = table[X - min(X's type)]: the 256 results of a float elementwise
    function between a dequantization and a quantization, computed at
    compile time.
  }];
  let arguments = (ins ONNX_QTensor:$X, ElementsAttr:$table);
  let results = (outs ONNX_QTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_QLinearRequantizeOp : ONNX_Op<"QLinearRequantize", [Pure]> {
  let summary = "a quantized tensor on new parameters: Q(DQ(X))";
  let description = [{
    Y = saturate(round((X - x_zero_point) * x_scale / y_scale) +
    y_zero_point), in fixed point; X and Y may differ in width (int8 or
    int16).
  }];
  let arguments = (ins ONNX_QTensor:$X, ONNX_F32Tensor:$x_scale,
                       ONNX_QTensor:$x_zero_point,
                       ONNX_F32Tensor:$y_scale, ONNX_QTensor:$y_zero_point);
  let results = (outs ONNX_QTensor:$Y);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXQUANTOPS_TD
