//===- Passes.td - whittle lowering passes -----------------*- tablegen -*-===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_TRANSFORMS_PASSES_TD
#define WHITTLE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExpandMathPass : Pass<"whittle-expand-math"> {
  let summary = "Expand transcendental math ops into polynomial approximations";
  let description = [{
    Generated code must not call libm. Rewrites `math.exp`, `math.tanh`,
    `math.log`, `math.erf`, `math.powf`, ... into arithmetic using MLIR's
    polynomial approximations. Ops that map to a single instruction or a
    C operator (sqrt, fabs, fma, comparisons) are kept.

    With `soft-float` (targets without an FPU, where even those become
    library calls: `sqrtf`, `fmaximumf`), `math.sqrt` on f32 becomes a
    correctly rounded digit-by-digit square root in i32 arithmetic and
    `arith.maximumf`/`minimumf` become compares and selects. With
    `divide-i64` (32-bit targets), i64 division and remainder become a
    shift-and-subtract loop instead of `__aeabi_ldivmod`/`__divdi3` calls.
    With `native-rounding` (targets that round in one instruction: x86
    SSE4.1, AArch64), f32 floor, ceil and roundeven are kept for LLVM.
  }];
  let options = [
    Option<"softFloat", "soft-float", "bool", /*default=*/"false",
           "Also expand sqrt and IEEE min/max (no FPU)">,
    Option<"divideI64", "divide-i64", "bool", /*default=*/"false",
           "Expand i64 division and remainder (32-bit targets, where they "
           "are helper calls)">,
    Option<"nativeRounding", "native-rounding", "bool", /*default=*/"false",
           "Keep f32 floor, ceil and roundeven (one instruction on the "
           "target)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def DistinctResultsPass : Pass<"whittle-distinct-results", "mlir::func::FuncOp"> {
  let summary = "Give every function result its own tensor";
  let description = [{
    A model may list one tensor as two graph outputs (or as an output and
    the input of another output's Identity). Each output is a separate
    caller buffer, so a value returned more than once is copied
    (`linalg.copy` into a fresh tensor) for every repeat before
    bufferization turns results into out-parameters.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def SinkTransposesPass : Pass<"whittle-sink-transposes", "mlir::func::FuncOp"> {
  let summary = "Move layout transposes below elementwise ops, concats, slices and reductions";
  let description = [{
    Convolutions and pools run in NHWC while the graph around them is NCHW,
    so the ONNX-to-TOSA conversion leaves a transpose pair around each of
    them. When an elementwise TOSA op or a concat takes transposed operands
    (all with one permutation; constants and all-ones broadcasts also
    qualify), it is rewritten to run in the untransposed layout with one
    transpose on its result, provided at least one operand transpose dies.
    Elementwise linalg.generic ops on tensors (QuantizeLinear's exact
    division) move the same way when each operand is indexed by the
    identity or broadcast along unit dimensions. Slices and reductions of a dying transpose likewise run untransposed
    (start, size and axis permuted). Repeated to a fixed point, the NCHW <->
    NHWC pairs meet and cancel (canonicalization), so a residual network
    keeps one layout throughout. A transpose that only moves unit dimensions
    becomes a reshape, which bufferizes to a view.
  }];
  let dependentDialects = ["mlir::tosa::TosaDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def FuseElementwisePass : Pass<"whittle-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops into their consumers, but never into a reduction that would repeat them";
  let description = [{
    linalg-fuse-elementwise-ops with one more condition. Upstream fuses an
    all-parallel producer with a single use into any linalg.generic that
    reads it, so a producer read by a reduction under a loop its indexing
    map omits runs once per iteration of that loop: a QuantizeLinear in
    front of a fully connected layer (a division and a rounding per input
    element) ran once per multiply-accumulate, as many times over as the
    layer has outputs. Here a producer fuses into a consumer with reduction
    loops only when the consumer reads each of its elements once: the
    operand's map is a projected permutation (no window sums such as
    oh + kh) and every loop it leaves out has extent 1. Elementwise
    consumers (where a broadcast operand is recomputed per use, as
    upstream does), reshapes and constants fuse as upstream.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def FuseEpiloguesPass : Pass<"whittle-fuse-epilogues", "mlir::func::FuncOp"> {
  let summary = "Fuse bias, activation and residual add into the producing convolution or matmul";
  let description = [{
    An elementwise `linalg.generic` (the epilogue: bias, activation,
    residual add, already merged into one op by whittle-fuse-elementwise)
    that reads the single-use result of a reduction (convolution,
    depthwise convolution, matmul, pooling) is tiled one output row at a time
    (N and H for NHWC, M for matrices) and the reduction is fused into the
    tile loop, together with its accumulator initialization (zero fill or
    bias broadcast) and its input padding (`tensor.pad`). Each layer becomes
    one loop nest; the reduction's result and the padded input exist only a
    row at a time, so neither needs a whole-tensor buffer. When another
    input of the epilogue (a residual) dies there, the result is written over
    it in place.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::tensor::TensorDialect"];
}

def ElementwiseInPlacePass : Pass<"whittle-elementwise-in-place", "mlir::func::FuncOp"> {
  let summary = "Let elementwise kernels write over an input that dies";
  let description = [{
    After elementwise fusion, each linalg.generic kernel writes into a fresh
    `tensor.empty`, which bufferization turns into a new buffer. When an
    all-parallel kernel reads an input of the result's type at the identity
    index and is that input's only user, the input becomes the kernel's
    init: bufferization then updates the input's buffer in place (residual
    adds, activations, scale-and-shift), and the arena needs one buffer
    less for every such kernel.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ElideOutputCopiesPass : Pass<"whittle-elide-output-copies", "mlir::func::FuncOp"> {
  let summary = "Compute results reached through reshapes in the output buffer itself";
  let description = [{
    `buffer-results-to-out-params{hoist-static-allocs}` writes a result
    directly into its out-parameter only when the returned value is the
    allocation itself. A result that is a reshape (Flatten, Reshape,
    Squeeze, ...) of an allocation ends as a `memref.copy` of that view into
    the out-parameter: a whole-tensor copy for an op that moves no data.
    When the out-parameter is used by nothing but that copy and the
    allocation is used by nothing after it, the allocation is replaced by
    the inverse reshape of the out-parameter and the copy is erased.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def LowerMemRefCopyPass : Pass<"whittle-lower-memref-copy", "mlir::func::FuncOp"> {
  let summary = "Lower memref.copy to explicit loops";
  let description = [{
    `memref.copy` of non-contiguous memrefs lowers to a call of the
    `memrefCopy` runtime function; generated code has no runtime, so every
    copy becomes an scf.for nest of loads and stores.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::arith::ArithDialect"];
}

def VectorizeKernelsPass : Pass<"whittle-vectorize-kernels", "mlir::ModuleOp"> {
  let summary = "Register-tiled vector kernels for convolutions on buffers";
  let description = [{
    Replaces `linalg.conv_2d_nhwc_fhwc` with a constant f32 filter, and f32
    `linalg.depthwise_conv_2d_nhwc_hwc` / `_hwcm` (multiplier 1), with loops
    over register tiles in the `vector` dialect. Regular convolutions read a
    filter repacked at compile time into blocks of FT output channels
    ([F/FT][KH][KW][C][FT], a new constant global), and keep PT pixels x NV
    channel vectors of accumulators in registers across the reduction: per
    input channel, NV filter loads and PT broadcasts feed PT x NV fused
    multiply-adds. Depthwise convolutions are vectorized along channels.
    int8 convolutions (`linalg.conv_2d_nhwc_fhwc_q`, and `conv_2d_nhwc_fhwc`
    on i8 data) get the same tiles with i32 accumulators; with `dot` set,
    each step reduces four input channels with the target's dot-product
    instruction (`vpdpbusd`, `sdot`) on a filter packed in groups of four
    channels, and the input zero point is folded into the initial value;
    `x86-madd` (x86 without VNNI) splits each group into even and odd
    16-bit pairs for two `vpmaddwd`, exact where `vpmaddubsw` saturates.
    int8 depthwise convolutions of one output row reduce four window rows
    per dot (two with `x86-madd`): each input column's window rows are
    interleaved once into an arena scratch buffer, against a filter packed
    the same way. Other linalg ops (matrix products, pools, elementwise
    bodies) vectorize along the output's innermost dimension; values the
    same in every lane are computed on scalars and broadcast where they
    meet per-lane values, and a constant operand of `blocked-input-bytes`
    or more that a reduction walks row by row is repacked at compile time
    so that each block of output lanes reads it contiguously. Elementwise
    ops narrower than a vector merge their contiguous trailing dimensions.
    On targets without vectors but with Armv7E-M DSP instructions (`dsp`),
    only int8 convolutions are rewritten: scalar tiles of 2 pixels x 2
    channels, regular ones with `sxtb16` / `smlad` on 16-bit filter pairs.
    With `reciprocal` (AVX-512), 1/x in vectorized bodies is `vrcp14ps`
    refined by a Newton step.
    Tile sizes follow the target: `vector-bits` / 32 lanes, and PT x NV
    accumulators within `registers` vector registers. Remainders get
    smaller tiles with narrower vectors, never out-of-bounds accesses.
    `vector-bits=0` without `dsp` (the C path, targets without vector
    units) leaves every op to `convert-linalg-to-loops`.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"0",
           "Width of the target's vector registers in bits (0: off)">,
    Option<"registers", "registers", "int64_t", /*default=*/"16",
           "Number of vector registers">,
    Option<"dot", "dot", "std::string", /*default=*/"\"\"",
           "int8 dot-product instruction: x86-vnni (vpdpbusd), x86-madd "
           "(vpmaddwd on 16-bit pairs), aarch64-sdot, or empty (widening "
           "multiplies)">,
    Option<"dsp", "dsp", "bool", /*default=*/"false",
           "Armv7E-M DSP (sxtb16/smlad) int8 kernels on targets without "
           "vectors">,
    Option<"reciprocal", "reciprocal", "bool", /*default=*/"false",
           "1/x in vectorized bodies as AVX-512 vrcp14ps plus a Newton step">,
    Option<"blockedInputBytes", "blocked-input-bytes", "int64_t",
           /*default=*/"32768",
           "Size from which a constant matrix-product operand is repacked "
           "into contiguous blocks of output lanes (about an L1 data cache)">,
  ];
  let dependentDialects = ["mlir::vector::VectorDialect",
                           "mlir::LLVM::LLVMDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def PlanArenaPass : Pass<"whittle-plan-arena", "mlir::ModuleOp"> {
  let summary = "Place every intermediate buffer in one statically planned arena";
  let description = [{
    Computes the live range of each `memref.alloc` (through all its views) in
    the entry function, assigns byte offsets so that buffers whose live ranges
    overlap never share bytes (first fit and best fit, in several orders:
    largest, largest size x lifetime, longest-lived first, program order,
    then 64 seeded random orders; the smallest arena wins; a buffer is
    aligned to `alignment`, or to its size rounded up to a power of two
    when smaller), and replaces every alloc with a
    `memref.view` into a new trailing `memref<Nxi8>` function argument.
    Deallocs are erased. The arena size is recorded as the
    `whittle.arena_size` attribute of the function, the lower bound for the
    execution order (the most bytes live at once) as
    `whittle.arena_lower_bound`, and the node where that peak occurs as
    `whittle.arena_peak`. Fails on dynamically shaped allocations.
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Alignment in bytes of every buffer and of the arena size">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def OutlineKernelsPass : Pass<"whittle-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Move each top-level loop nest of the model into its own function";
  let description = [{
    For the object path, before lowering to LLVM. LLVM's function passes
    grow faster than linearly with function size, and the model function
    is one long sequence of loop nests. Each top-level loop nest of a
    planned model function becomes a private function marked `noinline`
    (LLVM passthrough), called in its place, whose arguments are the
    buffers it uses (model arguments, views of the arena, globals); the
    side-effect-free scalar ops it reads (constants) are cloned into it. A
    nest that reads anything else stays where it is. Nests whose functions
    come out equal (the repeated blocks of a network: same shapes, other
    weights and arena offsets) share one function, which cuts compile time
    and code size.
  }];
  let dependentDialects = ["mlir::func::FuncDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def WrapEntryPointPass : Pass<"whittle-wrap-entry-point", "mlir::ModuleOp"> {
  let summary = "Add the NAME_run(inputs, outputs, arena) C ABI entry point";
  let description = [{
    Runs on the LLVM dialect after `convert-func-to-llvm` with the bare-pointer
    calling convention. Makes the model function internal and adds
    `int32_t NAME_run(const void *const inputs[], void *const outputs[],
    void *arena)` that unpacks the pointer arrays and calls it.
  }];
  let options = [
    Option<"entryName", "name", "std::string", /*default=*/"\"model\"",
           "Prefix of the generated entry point">,
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def LowerChecksPass : Pass<"whittle-lower-checks", "mlir::ModuleOp"> {
  let summary = "Turn run-time checks into the model function's status result";
  let description = [{
    Runs on loops over buffers. Each `cf.assert` carrying `whittle.status`
    (added by the lowering where an index or divisor comes from a model
    input) becomes a select on an i32 status: the first failed check's code,
    or 0. The model function returns it, and so does NAME_run. The checked
    computation is already memory-safe, so no control flow is needed.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def TestInternalErrorPass : Pass<"whittle-test-internal-error", "mlir::ModuleOp"> {
  let summary = "Test only: fail (or crash) as a broken pass would";
  let description = [{
    Exercises the driver's handling of internal compiler errors: the pass
    signals failure without a diagnostic, with `crash` aborts, and with
    `invalid` succeeds but leaves IR that does not verify. Reached
    from the driver only through the hidden `--test-internal-error` option.
  }];
  let options = [
    Option<"crash", "crash", "bool", /*default=*/"false",
           "Abort instead of failing">,
    Option<"invalid", "invalid", "bool", /*default=*/"false",
           "Succeed, leaving IR that does not verify">,
  ];
}

#endif // WHITTLE_TRANSFORMS_PASSES_TD
