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

class ONNX_PoolOp<string mnemonic, string sum> : ONNX_Op<mnemonic, [Pure]> {
  let summary = sum;
  let arguments = (ins ONNX_FloatTensor:$X,
                       DefaultValuedStrAttr<StrAttr, "NOTSET">:$auto_pad,
                       DefaultValuedAttr<I64Attr, "0">:$ceil_mode,
                       OptionalAttr<I64ArrayAttr>:$dilations,
                       I64ArrayAttr:$kernel_shape,
                       OptionalAttr<I64ArrayAttr>:$pads,
                       OptionalAttr<I64ArrayAttr>:$strides,
                       DefaultValuedAttr<I64Attr, "0">:$count_include_pad);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def ONNX_MaxPoolOp : ONNX_PoolOp<"MaxPool", "max pooling (NCHW)">;
def ONNX_AveragePoolOp : ONNX_PoolOp<"AveragePool", "average pooling (NCHW)">;

def ONNX_GlobalAveragePoolOp : ONNX_Op<"GlobalAveragePool", [Pure]> {
  let summary = "mean over all spatial dimensions";
  let arguments = (ins ONNX_FloatTensor:$X);
  let results = (outs ONNX_FloatTensor:$Y);
  let assemblyFormat = "$X attr-dict `:` functional-type(operands, results)";
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

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXOPS_TD
