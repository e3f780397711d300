//===- ONNXBase.td - ONNX import dialect base --------------*- tablegen -*-===//
//
// Part of whittle. The `onnx` dialect mirrors ONNX operators one-to-one (ONNX
// spelling) so that import is a mechanical translation; all lowering decisions
// are taken by later passes.
//
//===----------------------------------------------------------------------===//

#ifndef WHITTLE_DIALECT_ONNX_IR_ONNXBASE_TD
#define WHITTLE_DIALECT_ONNX_IR_ONNXBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def ONNX_Dialect : Dialect {
  let name = "onnx";
  let cppNamespace = "::whittle::onnx";
  let summary = "ONNX operators as imported from a model";
  let description = [{
    One op per ONNX operator, spelled as in the ONNX operator catalogue and
    carrying ONNX attribute names. Tensors always have static shapes: the
    importer pins dynamic dimensions or rejects the model. Every op's location
    is the ONNX node name fused with the model file.
  }];
  let hasConstantMaterializer = 1;
}

class ONNX_Op<string mnemonic, list<Trait> traits = []>
    : Op<ONNX_Dialect, mnemonic, traits>;

def ONNX_FloatTensor : RankedTensorOf<[F32, F16, BF16, F64]>;
def ONNX_AnyTensor : RankedTensorOf<[AnyType]>;
def ONNX_I64Tensor : RankedTensorOf<[I64]>;

#endif // WHITTLE_DIALECT_ONNX_IR_ONNXBASE_TD
