//===- Passes.td - graph passes on the onnx dialect --------*- tablegen -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_TRANSFORMS_PASSES_TD
#define WHITTLE_DIALECT_ONNX_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def DecomposeConvPass : Pass<"onnx-decompose-conv", "mlir::func::FuncOp"> {
  let summary = "Rewrite regular convolutions as depthwise + pointwise pairs";
  let description = [{
    For a regular `onnx.Conv` (group 1, constant f32 weights, 1-D or 2-D,
    kernel larger than 1) with weights W[Cout, Cin, k...], takes for each
    input channel i the matrix M_i = W[:, i] (Cout x K, K the kernel size)
    and its singular value decomposition M_i = U S V^T. Keeping rank r, the
    convolution becomes a depthwise convolution with depth multiplier r whose
    filters are the first r right singular vectors (keeping strides, pads,
    dilations) and a 1x1 convolution Cin*r -> Cout with weights U_r S_r that
    carries the bias. With r = min(Cout, K) the rewrite is exact up to
    rounding.

    The rank comes from the op's `whittle.decompose_rank` attribute (set by
    the driver's `--decompose-conv=auto` from calibration measurements; 0
    keeps the convolution) or, for convolutions without it, from the `rank`
    option (0: leave them alone). Ranks above min(Cout, K) are clamped.
    Convolutions named in `skip` are never rewritten.
  }];
  let options = [
    Option<"rank", "rank", "int64_t", /*default=*/"0",
           "Rank for convolutions without a whittle.decompose_rank attribute "
           "(0: leave them alone)">,
    ListOption<"skip", "skip", "std::string",
               "ONNX node names of convolutions never to rewrite">,
  ];
  let dependentDialects = ["whittle::onnx::ONNXDialect"];
}

def FoldConstantsPass : Pass<"onnx-fold-constants", "mlir::ModuleOp"> {
  let summary = "Evaluate every onnx op whose inputs are all constant";
  let description = [{
    First the ops' own folders run (Shape and Size of static shapes, Identity,
    ConstantOfShape) with dead-node removal. Then every remaining onnx op
    whose operands are constants, directly or through other such ops, is
    evaluated at compile time: the constant subgraph is copied into a module
    of its own, compiled by the whittle pipeline itself (the JIT,
    kJitPipeline) and run once; its values used by the rest of the graph
    become `onnx.Constant`s that keep the producing node's location. The
    folded values are therefore exactly those the generated code would have
    computed, for every supported op, with no second evaluator to keep in
    step.

    An op whose result would be both larger than 16 KiB and more than twice
    its inputs (Expand, Tile or ConstantOfShape of a big shape) is left for
    run time, to keep the weights small. Ops the pipeline cannot lower stay
    too, and the conversion reports them as usual.
  }];
  let dependentDialects = ["whittle::onnx::ONNXDialect"];
}

def FoldBatchNormPass : Pass<"onnx-fold-batchnorm", "mlir::func::FuncOp"> {
  let summary = "Fold inference BatchNormalization into the producing layer";
  let description = [{
    An inference-mode `onnx.BatchNormalization` with constant scale, bias,
    mean and variance is the per-channel affine map
    y = s * x + (beta - s * mean), s = scale / sqrt(var + epsilon).
    When x is the only use of an `onnx.Conv`, `onnx.ConvTranspose` or
    `onnx.Gemm` (2-D output) with constant weights and bias, s scales the
    weights of each output channel and the shift becomes the bias: the
    normalization costs nothing at run time. Any other BatchNormalization
    becomes one `onnx.Mul` and one `onnx.Add` by constant [C, 1, ...]
    tensors.
  }];
  let dependentDialects = ["whittle::onnx::ONNXDialect"];
}

def FoldPadPass : Pass<"onnx-fold-pad", "mlir::func::FuncOp"> {
  let summary = "Fold a zero Pad into the following Conv or AveragePool";
  let description = [{
    A constant-mode `onnx.Pad` with constant non-negative pads on the spatial
    dimensions only and a zero (or absent) pad value, whose only user is an
    `onnx.Conv` (or an `onnx.AveragePool` counting padding,
    count_include_pad = 1) with explicit padding, is dropped: its pads are
    added to the consumer's. The padded copy of the activation disappears.
  }];
  let dependentDialects = ["whittle::onnx::ONNXDialect"];
}

def QuantizePass : Pass<"onnx-quantize", "mlir::func::FuncOp"> {
  let summary = "Insert int8 QuantizeLinear/DequantizeLinear pairs from "
                "calibrated ranges";
  let description = [{
    Post-training quantization in ONNX's QDQ form. Ranges come from
    `whittle.range = array<f64: lo, hi>` on ops (their result) and function
    arguments, recorded by the driver's calibration. Activations get
    asymmetric int8 per-tensor parameters covering the range (and zero);
    constant weights of Conv, Gemm and MatMul become symmetric int8 per
    output channel (scale = max|w| / 127) and biases int32 with scale
    x_scale * w_scale. A single Relu or Clip after Conv, Gemm or Add is
    quantized as part of the layer (its bounds become the kernel's
    saturation).

    Layers: Conv, Gemm, MatMul (constant 2-D B), Add, Mul and
    GlobalAveragePool whose ranges are known; MaxPool, Reshape, Flatten,
    Transpose, Squeeze and Unsqueeze of an int8 tensor stay int8 on its
    parameters; Sigmoid, Tanh, HardSigmoid, HardSwish, LeakyRelu, Elu,
    Softplus and Exp of an int8 tensor become lookup tables. Everything else
    stays float between a DequantizeLinear and a QuantizeLinear.
    onnx-fuse-qdq then turns the QDQ patterns into integer operators.

    Layers named in `int16` (or all, with `int16=all`) produce symmetric
    int16 activations instead (A16W8: weights stay int8); so do the Q/DQ
    pairs they insert on float inputs. Lookup tables take int8 inputs only.
  }];
  let options = [
    ListOption<"skip", "skip", "std::string",
               "ONNX node names of layers kept in float">,
    ListOption<"int16", "int16", "std::string",
               "ONNX node names of layers with int16 activations, or 'all'">,
  ];
  let dependentDialects = ["whittle::onnx::ONNXDialect"];
}

def EqualizeDepthwisePass : Pass<"onnx-equalize-depthwise", "mlir::func::FuncOp"> {
  let summary = "Cross-layer equalization of depthwise -> convolution pairs";
  let description = [{
    Before int8 quantization: a depthwise Conv (constant weights, channel
    multiplier 1) whose only user is a regular Conv, directly or through
    one Relu, is rescaled per channel c by s_c = sqrt(r1_c / r2_c), where r1_c
    is the largest |weight| of the depthwise filter c and r2_c that of the
    next layer's input channel c: the depthwise filter and bias are divided
    by s_c, the next layer's input channel multiplied by it. The model's
    function is unchanged (ReLU is positively homogeneous); both ranges
    become sqrt(r1_c * r2_c), so that per-tensor int8 activations between
    the two layers lose less precision to channels of very different ranges
    (Nagel et al., 2019).
  }];
  let dependentDialects = ["whittle::onnx::ONNXDialect"];
}

def Int8IOPass : Pass<"onnx-int8-io", "mlir::func::FuncOp"> {
  let summary = "int8 model inputs and outputs instead of float at the edges";
  let description = [{
    After quantization: a float argument whose every use is a QuantizeLinear
    to int8 with one per-tensor scale and zero point becomes an int8
    argument (the QuantizeLinear ops go), and a result returned from a
    per-tensor int8 DequantizeLinear becomes that int8 tensor. The
    parameters are recorded as `whittle.scale` (f64) and
    `whittle.zero_point` (i64) argument and result attributes, which the
    generated header publishes (real = scale * (q - zero_point)). Other
    inputs and outputs stay float.
  }];
  let options = [
    Option<"warnFloat", "warn-float", "bool", /*default=*/"false",
           "Warn about inputs and outputs that stay float">,
  ];
  let dependentDialects = ["whittle::onnx::ONNXDialect"];
}

def SignedQuantPass : Pass<"onnx-signed-quant", "mlir::func::FuncOp"> {
  let summary = "Rewrite uint8 quantized tensors as int8 (shifted by 128)";
  let description = [{
    The integer kernels take int8. A uint8 quantized tensor u with zero
    point z holds the same real values as u - 128 with zero point z - 128,
    and saturation to [0, 255] becomes saturation to [-128, 127]. When
    every uint8 value of the function is produced and used by quantization
    ops (QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul,
    ConvInteger, MatMulInteger) or order-preserving data movement (MaxPool,
    Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Identity), all
    of them become int8: constants are shifted, absent uint8 zero points
    become explicit -128, and a uint8 argument or result keeps its bytes
    (marked `whittle.unsigned`) with a table lookup flipping the top bit on
    the way in or out. Otherwise the function is left unchanged.
  }];
  let dependentDialects = ["whittle::onnx::ONNXDialect"];
}

def FuseQDQPass : Pass<"onnx-fuse-qdq", "mlir::func::FuncOp"> {
  let summary = "Turn DequantizeLinear -> op -> QuantizeLinear into integer "
                "operators";
  let description = [{
    With per-tensor int8 activations and int8 weights (per-tensor or per
    output channel): Conv -> QLinearConv, Gemm -> QGemm (bias per output
    column), MatMul -> QLinearMatMul, Add/Mul -> QLinearAdd/QLinearMul,
    GlobalAveragePool -> QLinearGlobalAveragePool, MaxPool on equal
    parameters -> MaxPool on int8, and an elementwise function (Sigmoid,
    Tanh, HardSwish, ...) -> QLinearLookup with its 256-entry table computed
    here. A Relu or Clip between the op and the QuantizeLinear becomes an
    int8 Clip (or nothing, when the output's saturation already implies it).
    Float biases and int32 DequantizeLinear biases are requantized to
    x_scale * w_scale. Reshape, Flatten, Transpose, Squeeze and Unsqueeze
    move to the int8 side of a DequantizeLinear, and QuantizeLinear of
    DequantizeLinear with equal parameters cancels. What does not match
    stays as is: float ops between explicit conversions.
  }];
  let dependentDialects = ["whittle::onnx::ONNXDialect"];
}

#endif // WHITTLE_DIALECT_ONNX_TRANSFORMS_PASSES_TD
