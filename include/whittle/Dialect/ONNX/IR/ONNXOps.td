//===- ONNXOps.td - ONNX operators -------------------------*- tablegen -*-===//
//
// Part of whittle. Hand-written ODS for the ONNX operators whittle lowers.
// Attribute names follow ONNX; defaults follow the ONNX operator catalogue.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXOPS_TD
#define WHITTLE_DIALECT_ONNX_IR_ONNXOPS_TD

include "whittle/Dialect/ONNX/IR/ONNXBase.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def ONNX_ConstantOp : ONNX_Op<"Constant",
    [Pure, ConstantLike, AllTypesMatch<["value", "output"]>]> {
  let summary = "constant tensor (ONNX Constant node or graph initializer)";
  let description = [{
    Holds a constant tensor. Large initializers are stored as
    `dense_resource` blobs so that printed IR stays readable.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def ONNX_ConstantOfShapeOp : ONNX_Op<"ConstantOfShape", [Pure]> {
  let summary = "tensor of the given (constant) shape filled with one value";
  let arguments = (ins ONNX_I64Tensor:$input,
                       OptionalAttr<ElementsAttr>:$value);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class ONNX_UnaryOp<string mnemonic, string sum, list<Trait> traits = []>
    : ONNX_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType])> {
  let summary = sum;
  let arguments = (ins ONNX_AnyTensor:$X);
  let results = (outs ONNX_AnyTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` type($Y)";
}

def ONNX_ReluOp : ONNX_UnaryOp<"Relu", "max(x, 0)">;
def ONNX_SigmoidOp : ONNX_UnaryOp<"Sigmoid", "1 / (1 + exp(-x))">;
def ONNX_TanhOp : ONNX_UnaryOp<"Tanh", "hyperbolic tangent">;
def ONNX_ExpOp : ONNX_UnaryOp<"Exp", "exponential">;
def ONNX_LogOp : ONNX_UnaryOp<"Log", "natural logarithm">;
def ONNX_SqrtOp : ONNX_UnaryOp<"Sqrt", "square root">;
def ONNX_NegOp : ONNX_UnaryOp<"Neg", "negation">;
def ONNX_AbsOp : ONNX_UnaryOp<"Abs", "absolute value">;
def ONNX_ReciprocalOp : ONNX_UnaryOp<"Reciprocal", "1 / x">;
def ONNX_FloorOp : ONNX_UnaryOp<"Floor", "round toward negative infinity">;
def ONNX_CeilOp : ONNX_UnaryOp<"Ceil", "round toward positive infinity">;
def ONNX_RoundOp : ONNX_UnaryOp<"Round", "round half to even">;
def ONNX_ErfOp : ONNX_UnaryOp<"Erf", "error function">;
def ONNX_SinOp : ONNX_UnaryOp<"Sin", "sine">;
def ONNX_CosOp : ONNX_UnaryOp<"Cos", "cosine">;
def ONNX_SoftplusOp : ONNX_UnaryOp<"Softplus", "log(exp(x) + 1)">;
def ONNX_SoftsignOp : ONNX_UnaryOp<"Softsign", "x / (1 + |x|)">;
def ONNX_SignOp : ONNX_UnaryOp<"Sign", "-1, 0 or 1">;
def ONNX_NotOp : ONNX_UnaryOp<"Not", "logical not">;
def ONNX_HardSwishOp : ONNX_UnaryOp<"HardSwish", "x * max(0, min(1, x / 6 + 1 / 2))">;

class ONNX_ActivationOp<string mnemonic, string sum, string alpha,
                        string beta = "0.0">
    : ONNX_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = sum;
  let arguments = (ins ONNX_FloatTensor:$X,
                       DefaultValuedAttr<F32Attr, alpha>:$alpha,
                       DefaultValuedAttr<F32Attr, beta>:$beta);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` type($Y)";
}

def ONNX_EluOp : ONNX_ActivationOp<"Elu", "x < 0 ? alpha * (exp(x) - 1) : x", "1.0">;
def ONNX_CeluOp : ONNX_ActivationOp<"Celu", "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))", "1.0">;
def ONNX_HardSigmoidOp : ONNX_ActivationOp<"HardSigmoid", "max(0, min(1, alpha * x + beta))", "0.2", "0.5">;
def ONNX_ThresholdedReluOp : ONNX_ActivationOp<"ThresholdedRelu", "x > alpha ? x : 0", "1.0">;

def ONNX_SeluOp : ONNX_Op<"Selu", [Pure, SameOperandsAndResultType]> {
  let summary = "gamma * (x <= 0 ? alpha * (exp(x) - 1) : x)";
  let arguments = (ins ONNX_FloatTensor:$X,
                       DefaultValuedAttr<F32Attr, "1.67326319217681884765625">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.05070102214813232421875">:$gamma);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` type($Y)";
}

def ONNX_CastOp : ONNX_Op<"Cast", [Pure]> {
  let summary = "element type conversion (saturate semantics of C casts)";
  let arguments = (ins ONNX_AnyTensor:$input, I64Attr:$to);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def ONNX_DropoutOp : ONNX_Op<"Dropout", [Pure, AttrSizedOperandSegments]> {
  let summary = "identity at inference (training_mode must be false)";
  let arguments = (ins ONNX_AnyTensor:$data, Optional<ONNX_AnyTensor>:$ratio,
                       Optional<ONNX_AnyTensor>:$training_mode,
                       OptionalAttr<I64Attr>:$seed);
  let results = (outs ONNX_AnyTensor:$output, Optional<ONNX_AnyTensor>:$mask);
}

def ONNX_TanOp : ONNX_UnaryOp<"Tan", "tangent">;
def ONNX_AsinOp : ONNX_UnaryOp<"Asin", "arcsine">;
def ONNX_AcosOp : ONNX_UnaryOp<"Acos", "arccosine">;
def ONNX_AtanOp : ONNX_UnaryOp<"Atan", "arctangent">;
def ONNX_SinhOp : ONNX_UnaryOp<"Sinh", "hyperbolic sine">;
def ONNX_CoshOp : ONNX_UnaryOp<"Cosh", "hyperbolic cosine">;
def ONNX_AsinhOp : ONNX_UnaryOp<"Asinh", "inverse hyperbolic sine">;
def ONNX_AcoshOp : ONNX_UnaryOp<"Acosh", "inverse hyperbolic cosine">;
def ONNX_AtanhOp : ONNX_UnaryOp<"Atanh", "inverse hyperbolic tangent">;

def ONNX_IsNaNOp : ONNX_Op<"IsNaN", [Pure]> {
  let summary = "x is NaN";
  let arguments = (ins ONNX_FloatTensor:$X);
  let results = (outs RankedTensorOf<[I1]>:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def ONNX_IsInfOp : ONNX_Op<"IsInf", [Pure]> {
  let summary = "x is +inf (detect_positive) or -inf (detect_negative)";
  let arguments = (ins ONNX_FloatTensor:$X,
                       DefaultValuedAttr<I64Attr, "1">:$detect_negative,
                       DefaultValuedAttr<I64Attr, "1">:$detect_positive);
  let results = (outs RankedTensorOf<[I1]>:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def ONNX_ShrinkOp : ONNX_Op<"Shrink", [Pure, SameOperandsAndResultType]> {
  let summary = "x < -lambd ? x + bias : x > lambd ? x - bias : 0";
  let arguments = (ins ONNX_AnyTensor:$input,
                       DefaultValuedAttr<F32Attr, "0.0">:$bias,
                       DefaultValuedAttr<F32Attr, "0.5">:$lambd);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def ONNX_DepthToSpaceOp : ONNX_Op<"DepthToSpace", [Pure]> {
  let summary = "move channel blocks into spatial blocks (DCR or CRD)";
  let arguments = (ins ONNX_AnyTensor:$input, I64Attr:$blocksize,
                       DefaultValuedStrAttr<StrAttr, "DCR">:$mode);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def ONNX_SpaceToDepthOp : ONNX_Op<"SpaceToDepth", [Pure]> {
  let summary = "move spatial blocks into channels";
  let arguments = (ins ONNX_AnyTensor:$input, I64Attr:$blocksize);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def ONNX_EyeLikeOp : ONNX_Op<"EyeLike", [Pure]> {
  let summary = "ones on the k-th diagonal of a 2-D tensor";
  let arguments = (ins ONNX_AnyTensor:$input, OptionalAttr<I64Attr>:$dtype,
                       DefaultValuedAttr<I64Attr, "0">:$k);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def ONNX_HardmaxOp : ONNX_Op<"Hardmax", [Pure, SameOperandsAndResultType]> {
  let summary = "1 at the first maximum along an axis, 0 elsewhere";
  let arguments = (ins ONNX_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs ONNX_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def ONNX_IdentityOp : ONNX_UnaryOp<"Identity", "identity"> {
  let hasFolder = 1;
}

def ONNX_LeakyReluOp : ONNX_Op<"LeakyRelu", [Pure, SameOperandsAndResultType]> {
  let summary = "x < 0 ? alpha * x : x";
  let arguments = (ins ONNX_FloatTensor:$X,
                       DefaultValuedAttr<F32Attr, "0.01">:$alpha);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` type($Y)";
}

def ONNX_ClipOp : ONNX_Op<"Clip", [Pure, AttrSizedOperandSegments]> {
  let summary = "clamp to [min, max] given as optional scalar inputs";
  let arguments = (ins ONNX_AnyTensor:$input,
                       Optional<ONNX_AnyTensor>:$min,
                       Optional<ONNX_AnyTensor>:$max);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = [{
    $input (`min` $min^ `:` type($min))? (`max` $max^ `:` type($max))?
    attr-dict `:` functional-type($input, results)
  }];
}

class ONNX_BinaryOp<string mnemonic, string sum>
    : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum # " with multidirectional (numpy) broadcasting";
  let arguments = (ins ONNX_AnyTensor:$A, ONNX_AnyTensor:$B);
  let results = (outs ONNX_AnyTensor:$C);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_AddOp : ONNX_BinaryOp<"Add", "elementwise addition">;
def ONNX_SubOp : ONNX_BinaryOp<"Sub", "elementwise subtraction">;
def ONNX_MulOp : ONNX_BinaryOp<"Mul", "elementwise multiplication">;
def ONNX_DivOp : ONNX_BinaryOp<"Div", "elementwise division">;
def ONNX_PowOp : ONNX_BinaryOp<"Pow", "elementwise power">;

class ONNX_CompareOp<string mnemonic, string sum> : ONNX_BinaryOp<mnemonic, sum>;
def ONNX_EqualOp : ONNX_CompareOp<"Equal", "elementwise ==">;
def ONNX_GreaterOp : ONNX_CompareOp<"Greater", "elementwise >">;
def ONNX_LessOp : ONNX_CompareOp<"Less", "elementwise <">;
def ONNX_GreaterOrEqualOp : ONNX_CompareOp<"GreaterOrEqual", "elementwise >=">;
def ONNX_LessOrEqualOp : ONNX_CompareOp<"LessOrEqual", "elementwise <=">;
def ONNX_AndOp : ONNX_CompareOp<"And", "elementwise logical and">;
def ONNX_OrOp : ONNX_CompareOp<"Or", "elementwise logical or">;
def ONNX_XorOp : ONNX_CompareOp<"Xor", "elementwise logical xor">;

class ONNX_VariadicOp<string mnemonic, string sum> : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum # " over any number of broadcast inputs";
  let arguments = (ins Variadic<ONNX_AnyTensor>:$data_0);
  let results = (outs ONNX_AnyTensor:$result);
  let assemblyFormat = "$data_0 attr-dict `:` functional-type(operands, results)";
}
def ONNX_MaxOp : ONNX_VariadicOp<"Max", "elementwise maximum">;
def ONNX_MinOp : ONNX_VariadicOp<"Min", "elementwise minimum">;
def ONNX_SumOp : ONNX_VariadicOp<"Sum", "elementwise sum">;
def ONNX_MeanOp : ONNX_VariadicOp<"Mean", "elementwise mean">;

def ONNX_WhereOp : ONNX_Op<"Where", [Pure]> {
  let summary = "condition ? X : Y with broadcasting";
  let arguments = (ins ONNX_AnyTensor:$condition, ONNX_AnyTensor:$X,
                       ONNX_AnyTensor:$Y);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$condition `,` $X `,` $Y attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Axes come from the attribute (opset < 13, or < 18 for most) or from the
/// optional constant second input (ReduceSum 13+, all of them from 18).
class ONNX_ReduceOp<string mnemonic, string sum> : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum;
  let arguments = (ins ONNX_AnyTensor:$data, Optional<ONNX_I64Tensor>:$axes_input,
                       OptionalAttr<I64ArrayAttr>:$axes,
                       DefaultValuedAttr<I64Attr, "1">:$keepdims,
                       DefaultValuedAttr<I64Attr, "0">:$noop_with_empty_axes);
  let results = (outs ONNX_AnyTensor:$reduced);
  let assemblyFormat = "$data (`,` $axes_input^ `:` type($axes_input))? attr-dict `:` functional-type($data, results)";
}
def ONNX_ReduceSumOp : ONNX_ReduceOp<"ReduceSum", "sum over axes">;
def ONNX_ReduceMaxOp : ONNX_ReduceOp<"ReduceMax", "maximum over axes">;
def ONNX_ReduceMinOp : ONNX_ReduceOp<"ReduceMin", "minimum over axes">;
def ONNX_ReduceProdOp : ONNX_ReduceOp<"ReduceProd", "product over axes">;
def ONNX_ReduceL1Op : ONNX_ReduceOp<"ReduceL1", "sum of absolute values over axes">;
def ONNX_ReduceL2Op : ONNX_ReduceOp<"ReduceL2", "Euclidean norm over axes">;
def ONNX_ReduceSumSquareOp : ONNX_ReduceOp<"ReduceSumSquare", "sum of squares over axes">;
def ONNX_ReduceLogSumOp : ONNX_ReduceOp<"ReduceLogSum", "log of the sum over axes">;
def ONNX_ReduceLogSumExpOp : ONNX_ReduceOp<"ReduceLogSumExp", "log of the sum of exponentials over axes">;

class ONNX_ArgOp<string mnemonic, string sum> : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum;
  let arguments = (ins ONNX_AnyTensor:$data,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<I64Attr, "1">:$keepdims,
                       DefaultValuedAttr<I64Attr, "0">:$select_last_index);
  let results = (outs ONNX_I64Tensor:$reduced);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
}
def ONNX_ArgMaxOp : ONNX_ArgOp<"ArgMax", "index of the maximum along an axis">;
def ONNX_ArgMinOp : ONNX_ArgOp<"ArgMin", "index of the minimum along an axis">;

//===----------------------------------------------------------------------===//
// Linear algebra, convolution, pooling
//===----------------------------------------------------------------------===//

def ONNX_GemmOp : ONNX_Op<"Gemm", [Pure]> {
  let summary = "alpha * op(A) * op(B) + beta * C";
  let arguments = (ins ONNX_FloatTensor:$A, ONNX_FloatTensor:$B,
                       Optional<ONNX_FloatTensor>:$C,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       DefaultValuedAttr<I64Attr, "0">:$transA,
                       DefaultValuedAttr<I64Attr, "0">:$transB);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$A `,` $B (`,` $C^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_MatMulOp : ONNX_Op<"MatMul", [Pure]> {
  let summary = "numpy matmul";
  let arguments = (ins ONNX_FloatTensor:$A, ONNX_FloatTensor:$B);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_ConvOp : ONNX_Op<"Conv", [Pure]> {
  let summary = "N-d convolution (NCHW, OIHW weights), grouped and dilated";
  let arguments = (ins ONNX_FloatTensor:$X, ONNX_FloatTensor:$W,
                       Optional<ONNX_FloatTensor>:$B,
                       DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                       OptionalAttr<I64ArrayAttr>:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group,
                       OptionalAttr<I64ArrayAttr>:$kernel_shape,
                       OptionalAttr<I64ArrayAttr>:$pads,
                       OptionalAttr<I64ArrayAttr>:$strides);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X `,` $W (`,` $B^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_ConvTransposeOp : ONNX_Op<"ConvTranspose", [Pure]> {
  let summary = "transposed convolution (NCHW, weights [C, M/group, k...])";
  let arguments = (ins ONNX_FloatTensor:$X, ONNX_FloatTensor:$W,
                       Optional<ONNX_FloatTensor>:$B,
                       DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                       OptionalAttr<I64ArrayAttr>:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group,
                       OptionalAttr<I64ArrayAttr>:$kernel_shape,
                       OptionalAttr<I64ArrayAttr>:$output_padding,
                       OptionalAttr<I64ArrayAttr>:$output_shape,
                       OptionalAttr<I64ArrayAttr>:$pads,
                       OptionalAttr<I64ArrayAttr>:$strides);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X `,` $W (`,` $B^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

class ONNX_PoolOp<string mnemonic, string sum, Type T = ONNX_FloatTensor>
    : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum;
  let arguments = (ins T:$X,
                       DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                       DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                       OptionalAttr<I64ArrayAttr>:$dilations,
                       I64ArrayAttr:$kernel_shape,
                       OptionalAttr<I64ArrayAttr>:$pads,
                       OptionalAttr<I64ArrayAttr>:$strides,
                       DefaultValuedAttr<I64Attr, "0">:$count_include_pad);
  let results = (outs T:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_MaxPoolOp : ONNX_Op<"MaxPool", [Pure]> {
  let summary = "max pooling (NCHW), optionally with each maximum's index";
  let description = [{
    `Indices` holds, per output element, the position of the maximum in the
    input viewed as one flat array: row-major, or with the spatial
    dimensions column-major for `storage_order` 1. The first maximum in
    window order wins ties.
  }];
  let arguments = (ins RankedTensorOf<[F32, F16, BF16, F64, I8, UI8, I16]>:$X,
                       DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                       DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                       OptionalAttr<I64ArrayAttr>:$dilations,
                       I64ArrayAttr:$kernel_shape,
                       OptionalAttr<I64ArrayAttr>:$pads,
                       OptionalAttr<I64ArrayAttr>:$strides,
                       DefaultValuedAttr<I64Attr, "0">:$storage_order);
  let results = (outs RankedTensorOf<[F32, F16, BF16, F64, I8, UI8, I16]>:$Y,
                      Optional<ONNX_I64Tensor>:$Indices);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}
def ONNX_AveragePoolOp : ONNX_PoolOp<"AveragePool", "average pooling (NCHW)">;

def ONNX_GlobalAveragePoolOp : ONNX_Op<"GlobalAveragePool", [Pure]> {
  let summary = "mean over all spatial dimensions";
  let arguments = (ins ONNX_FloatTensor:$X);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
}

def ONNX_GlobalMaxPoolOp : ONNX_Op<"GlobalMaxPool", [Pure]> {
  let summary = "maximum over all spatial dimensions";
  let arguments = (ins ONNX_AnyTensor:$X);
  let results = (outs ONNX_AnyTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_LRNOp : ONNX_Op<"LRN", [Pure, SameOperandsAndResultType]> {
  let summary = "local response normalization across channels";
  let description = [{
    y = x / (bias + alpha / size * s)^beta, where s sums x^2 over the
    channels [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] that exist.
  }];
  let arguments = (ins ONNX_FloatTensor:$X,
                       DefaultValuedAttr<F32Attr, "0.0001">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.75">:$beta,
                       DefaultValuedAttr<F32Attr, "1.0">:$bias,
                       I64Attr:$size);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` type($Y)";
  let hasVerifier = 1;
}

def ONNX_MeanVarianceNormalizationOp
    : ONNX_Op<"MeanVarianceNormalization", [Pure, SameOperandsAndResultType]> {
  let summary = "(x - mean) / (std + 1e-9) over the given axes";
  let arguments = (ins ONNX_FloatTensor:$X,
                       DefaultValuedAttr<I64ArrayAttr, "{0, 2, 3}">:$axes);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` type($Y)";
  let hasVerifier = 1;
}

def ONNX_ReduceMeanOp : ONNX_Op<"ReduceMean", [Pure]> {
  let summary = "mean over the given axes (opset < 18: axes attribute)";
  let arguments = (ins ONNX_FloatTensor:$data,
                       OptionalAttr<I64ArrayAttr>:$axes,
                       DefaultValuedAttr<I64Attr, "1">:$keepdims);
  let results = (outs ONNX_FloatTensor:$reduced);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
}

def ONNX_SoftmaxOp : ONNX_Op<"Softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax along one axis (opset >= 13 semantics)";
  let arguments = (ins ONNX_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs ONNX_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def ONNX_ShapeOp : ONNX_Op<"Shape", [Pure]> {
  let summary = "the (static) shape of a tensor, sliced by start/end";
  let arguments = (ins ONNX_AnyTensor:$data, OptionalAttr<I64Attr>:$start,
                       OptionalAttr<I64Attr>:$end);
  let results = (outs ONNX_I64Tensor:$shape);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_SizeOp : ONNX_Op<"Size", [Pure]> {
  let summary = "the (static) number of elements of a tensor";
  let arguments = (ins ONNX_AnyTensor:$data);
  let results = (outs ONNX_I64Tensor:$size);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def ONNX_CastLikeOp : ONNX_Op<"CastLike", [Pure]> {
  let summary = "convert to the element type of the second input";
  let arguments = (ins ONNX_AnyTensor:$input, ONNX_AnyTensor:$target_type);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input `,` $target_type attr-dict `:` functional-type(operands, results)";
}

def ONNX_LayerNormalizationOp : ONNX_Op<"LayerNormalization",
    [Pure, AttrSizedResultSegments]> {
  let summary = "normalization over the trailing axes from `axis`";
  let arguments = (ins ONNX_FloatTensor:$X, ONNX_FloatTensor:$Scale,
                       Optional<ONNX_FloatTensor>:$B,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1e-05">:$epsilon,
                       DefaultValuedAttr<I64Attr, "1">:$stash_type);
  let results = (outs ONNX_FloatTensor:$Y, Optional<ONNX_FloatTensor>:$Mean,
                      Optional<ONNX_FloatTensor>:$InvStdDev);
  let assemblyFormat = "$X `,` $Scale (`,` $B^)? attr-dict `:` functional-type(operands, results)";
}

def ONNX_BatchNormalizationOp : ONNX_Op<"BatchNormalization", [Pure]> {
  let summary = "batch normalization";
  let description = [{
    Inference mode normalizes with the running statistics `input_mean` and
    `input_var`. With `training_mode`, it normalizes with the batch's own
    mean and (population) variance over every axis but the channel, and may
    also return the running statistics updated with them
    (`running = input * momentum + batch * (1 - momentum)`): both or
    neither.
  }];
  let arguments = (ins ONNX_FloatTensor:$X, ONNX_FloatTensor:$scale,
                       ONNX_FloatTensor:$B, ONNX_FloatTensor:$input_mean,
                       ONNX_FloatTensor:$input_var,
                       DefaultValuedAttr<F32Attr, "1e-05">:$epsilon,
                       DefaultValuedAttr<F32Attr, "0.9">:$momentum,
                       DefaultValuedAttr<I64Attr, "0">:$training_mode);
  let results = (outs ONNX_FloatTensor:$Y,
                      Variadic<ONNX_FloatTensor>:$running_stats);
  let hasVerifier = 1;
  let assemblyFormat = "$X `,` $scale `,` $B `,` $input_mean `,` $input_var attr-dict `:` functional-type(operands, results)";
}

def ONNX_SliceOp : ONNX_Op<"Slice", [Pure, AttrSizedOperandSegments]> {
  let summary = "strided slice with constant starts/ends/axes/steps inputs";
  let arguments = (ins ONNX_AnyTensor:$data, ONNX_AnyTensor:$starts,
                       ONNX_AnyTensor:$ends, Optional<ONNX_AnyTensor>:$axes,
                       Optional<ONNX_AnyTensor>:$steps);
  let results = (outs ONNX_AnyTensor:$output);
}

def ONNX_PReluOp : ONNX_Op<"PRelu", [Pure]> {
  let summary = "x < 0 ? slope * x : x, slope broadcast to x";
  let arguments = (ins ONNX_AnyTensor:$X, ONNX_AnyTensor:$slope);
  let results = (outs ONNX_AnyTensor:$Y);
  let assemblyFormat = "$X `,` $slope attr-dict `:` functional-type(operands, results)";
}

def ONNX_ModOp : ONNX_Op<"Mod", [Pure]> {
  let summary = "remainder: sign of the divisor, or of the dividend with fmod=1";
  let arguments = (ins ONNX_AnyTensor:$A, ONNX_AnyTensor:$B,
                       DefaultValuedAttr<I64Attr, "0">:$fmod);
  let results = (outs ONNX_AnyTensor:$C);
  let assemblyFormat = "$A `,` $B attr-dict `:` functional-type(operands, results)";
}

def ONNX_BitShiftOp : ONNX_Op<"BitShift", [Pure]> {
  let summary = "elementwise shift of unsigned integers, LEFT or RIGHT";
  let arguments = (ins ONNX_AnyTensor:$X, ONNX_AnyTensor:$Y,
                       StrAttr:$direction);
  let results = (outs ONNX_AnyTensor:$Z);
  let assemblyFormat = "$X `,` $Y attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_PadOp : ONNX_Op<"Pad", [Pure, AttrSizedOperandSegments]> {
  let summary = "pad with constant pads (constant, reflect or edge mode)";
  let arguments = (ins ONNX_AnyTensor:$data, ONNX_I64Tensor:$pads,
                       Optional<ONNX_AnyTensor>:$constant_value,
                       Optional<ONNX_AnyTensor>:$axes,
                       DefaultValuedStrAttr<StrAttr, "constant">:$mode);
  let results = (outs ONNX_AnyTensor:$output);
}

def ONNX_ExpandOp : ONNX_Op<"Expand", [Pure]> {
  let summary = "broadcast to a (constant) shape";
  let arguments = (ins ONNX_AnyTensor:$input, ONNX_I64Tensor:$shape);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
}

def ONNX_TileOp : ONNX_Op<"Tile", [Pure]> {
  let summary = "repeat along each axis (constant repeats)";
  let arguments = (ins ONNX_AnyTensor:$input, ONNX_I64Tensor:$repeats);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input `,` $repeats attr-dict `:` functional-type(operands, results)";
}

def ONNX_SplitOp : ONNX_Op<"Split", [Pure]> {
  let summary = "split along an axis (sizes from the constant input or equal)";
  let arguments = (ins ONNX_AnyTensor:$input, Optional<ONNX_I64Tensor>:$split,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       OptionalAttr<I64Attr>:$num_outputs);
  let results = (outs Variadic<ONNX_AnyTensor>:$outputs);
}

def ONNX_GatherOp : ONNX_Op<"Gather", [Pure]> {
  let summary = "gather slices along an axis (indices clamped into range)";
  let arguments = (ins ONNX_AnyTensor:$data, ONNX_AnyTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_GatherElementsOp : ONNX_Op<"GatherElements", [Pure]> {
  let summary = "gather elements along an axis (indices clamped into range)";
  let arguments = (ins ONNX_AnyTensor:$data, ONNX_AnyTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_TriluOp : ONNX_Op<"Trilu", [Pure]> {
  let summary = "upper or lower triangle of the last two dimensions";
  let arguments = (ins ONNX_AnyTensor:$input, Optional<ONNX_I64Tensor>:$k,
                       DefaultValuedAttr<I64Attr, "1">:$upper);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input (`,` $k^ `:` type($k))? attr-dict `:` functional-type($input, results)";
}

def ONNX_InstanceNormalizationOp : ONNX_Op<"InstanceNormalization", [Pure]> {
  let summary = "per-instance, per-channel normalization over spatial axes";
  let arguments = (ins ONNX_FloatTensor:$input, ONNX_FloatTensor:$scale,
                       ONNX_FloatTensor:$B,
                       DefaultValuedAttr<F32Attr, "1e-05">:$epsilon);
  let results = (outs ONNX_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $B attr-dict `:` functional-type(operands, results)";
}

class ONNX_LossOp<string mnemonic, string sum, dag outs>
    : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum;
  let description = [{
    loss[n, d...] = -x[n, t, d...] * w[t] with t = target[n, d...] (w = 1
    without weights); positions whose target equals ignore_index count
    neither loss nor weight. reduction: none (the per-position losses), sum,
    or mean (the sum divided by the sum of the counted weights).
  }];
  let arguments = (ins ONNX_FloatTensor:$input,
                       RankedTensorOf<[I32, I64]>:$target,
                       Optional<ONNX_FloatTensor>:$weight,
                       OptionalAttr<I64Attr>:$ignore_index,
                       DefaultValuedStrAttr<StrAttr, "mean">:$reduction);
  let results = outs;
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_NegativeLogLikelihoodLossOp
    : ONNX_LossOp<"NegativeLogLikelihoodLoss",
                  "negative log-likelihood of [N, C, d...] log-probabilities",
                  (outs ONNX_FloatTensor:$loss)>;

def ONNX_SoftmaxCrossEntropyLossOp
    : ONNX_LossOp<"SoftmaxCrossEntropyLoss",
                  "NegativeLogLikelihoodLoss of LogSoftmax over axis 1",
                  (outs ONNX_FloatTensor:$output,
                        Optional<ONNX_FloatTensor>:$log_prob)>;

def ONNX_LogSoftmaxOp : ONNX_Op<"LogSoftmax", [Pure, SameOperandsAndResultType]> {
  let summary = "log of softmax along one axis (opset >= 13 semantics)";
  let arguments = (ins ONNX_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs ONNX_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def ONNX_UnsqueezeOp : ONNX_Op<"Unsqueeze", [Pure]> {
  let summary = "insert size-1 dimensions (axes input from opset 13)";
  let arguments = (ins ONNX_AnyTensor:$data, Optional<ONNX_I64Tensor>:$axes_input,
                       OptionalAttr<I64ArrayAttr>:$axes);
  let results = (outs ONNX_AnyTensor:$expanded);
  let assemblyFormat = "$data (`,` $axes_input^ `:` type($axes_input))? attr-dict `:` functional-type($data, results)";
}

def ONNX_SqueezeOp : ONNX_Op<"Squeeze", [Pure]> {
  let summary = "remove size-1 dimensions (axes input from opset 13)";
  let arguments = (ins ONNX_AnyTensor:$data, Optional<ONNX_I64Tensor>:$axes_input,
                       OptionalAttr<I64ArrayAttr>:$axes);
  let results = (outs ONNX_AnyTensor:$squeezed);
  let assemblyFormat = "$data (`,` $axes_input^ `:` type($axes_input))? attr-dict `:` functional-type($data, results)";
}

def ONNX_ReshapeOp : ONNX_Op<"Reshape", [Pure]> {
  let summary = "reshape to a shape given by a (constant) tensor";
  let arguments = (ins ONNX_AnyTensor:$data, ONNX_I64Tensor:$shape,
                       DefaultValuedAttr<I64Attr, "0">:$allowzero);
  let results = (outs ONNX_AnyTensor:$reshaped);
  let assemblyFormat = "$data `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_FlattenOp : ONNX_Op<"Flatten", [Pure]> {
  let summary = "flatten to 2-D around an axis";
  let arguments = (ins ONNX_AnyTensor:$input,
                       DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs ONNX_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_TransposeOp : ONNX_Op<"Transpose", [Pure]> {
  let summary = "permute dimensions (default: reverse)";
  let arguments = (ins ONNX_AnyTensor:$data, OptionalAttr<I64ArrayAttr>:$perm);
  let results = (outs ONNX_AnyTensor:$transposed);
  let assemblyFormat = "$data attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_ConcatOp : ONNX_Op<"Concat", [Pure]> {
  let summary = "concatenate along an axis";
  let arguments = (ins Variadic<ONNX_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs ONNX_AnyTensor:$concat_result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Whittle-internal
//===----------------------------------------------------------------------===//

def ONNX_AssumeEqualOp : ONNX_Op<"whittle.assume_equal"> {
  let summary = "run-time check of a value the compiled graph assumed";
  let description = [{
    Not an ONNX operator (the importer refuses it in model files): it marks
    a value that unrolled control flow assumed, such as a Loop trip count
    fixed by the static shape of the Loop's scan outputs. Every element of
    `input` must equal `expected` (bool: 0 or 1); otherwise the generated
    code returns the shape-mismatch status. A constant input that differs
    is a compile-time error. It has no results and is never removed.
  }];
  let arguments = (ins RankedTensorOf<[AnyInteger]>:$input,
                       I64Attr:$expected, StrAttr:$message);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

include "whittle/Dialect/ONNX/IR/ONNXQuantOps.td"
include "whittle/Dialect/ONNX/IR/ONNXIndexingOps.td"
include "whittle/Dialect/ONNX/IR/ONNXSelectionOps.td"
include "whittle/Dialect/ONNX/IR/ONNXRecurrentOps.td"
include "whittle/Dialect/ONNX/IR/ONNXTrainingOps.td"

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXOPS_TD
