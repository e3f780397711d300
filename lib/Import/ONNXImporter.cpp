//===- ONNXImporter.cpp - ONNX model to onnx dialect ----------------------===//
//
// Part of whittle. Reads a ModelProto, runs ONNX's checker, converts old
// opsets with ONNX's version converter, runs ONNX shape inference (after
// pinning user-given input shapes) and emits one onnx op per node. ONNX's
// library reports errors by throwing; this file catches them all and turns
// them into diagnostics located at the model file.
//
//===----------------------------------------------------------------------===//

#include "whittle/Import/ONNXImporter.h"
#include "Gradient.h"
#include "InlineControlFlow.h"
#include "ShapeFolding.h"
#include "Validate.h"
#include "whittle/Dialect/ONNX/IR/ONNXOps.h"
#include "whittle/Dialect/ONNX/IR/ONNXUtils.h"
#include "whittle/Target/Interface/ModelInterface.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/checker.h"
#include "onnx/defs/parser.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

#include <cmath>
#include <cstring>
#include <exception>
#include <unordered_map>

using namespace mlir;

namespace whittle {
namespace {

/// Tensors with more elements than this become dense_resource blobs.
constexpr int64_t kInlineElementLimit = 16;
/// ONNX's training domain: its optimizer steps (Adagrad, Adam, Momentum)
/// are imported; Gradient is not.
constexpr llvm::StringLiteral kTrainingDomain = "ai.onnx.preview.training";

class Importer {
public:
  Importer(MLIRContext *ctx, StringRef path, const ImportOptions &options)
      : ctx(ctx), builder(ctx), path(path.str()), options(options),
        fileLoc(FileLineColLoc::get(ctx, path, 0, 0)) {}

  OwningOpRef<ModuleOp> run(::onnx::ModelProto &model);

private:
  LogicalResult prepare(::onnx::ModelProto &model);
  LogicalResult checkerError(StringRef what, StringRef message,
                             const ::onnx::GraphProto &graph);
  LogicalResult pinInputShapes(::onnx::GraphProto &graph);
  FailureOr<Type> convertElementType(int32_t onnxType, Location loc);
  /// A constant with no elements of `type`.
  Value emptyConstant(RankedTensorType type, Location loc);
  LogicalResult checkEmptyOperands(const ::onnx::NodeProto &node,
                                   const OperationState &state, Location loc);
  FailureOr<RankedTensorType> convertType(const ::onnx::TypeProto &type,
                                          StringRef tensorName, Location loc,
                                          bool isGraphInput = false);
  LogicalResult checkSize(ArrayRef<int64_t> shape, Type elt, StringRef name,
                          Location loc);
  FailureOr<ElementsAttr> convertTensor(const ::onnx::TensorProto &tensor,
                                        Location loc);
  FailureOr<Attribute> convertAttribute(const ::onnx::AttributeProto &attr,
                                        Location loc);
  Location nodeLoc(const ::onnx::NodeProto &node, size_t index);
  Location namedLoc(StringRef name, StringRef opType);
  LogicalResult checkSameShapes(const ::onnx::GraphProto &graph);
  LogicalResult validateQuantization(const ::onnx::NodeProto &node,
                                     Location loc);
  LogicalResult checkStringUse(const ::onnx::NodeProto &node, Location loc);
  LogicalResult importNode(const ::onnx::NodeProto &node, size_t index,
                           bool &unsupported);

  MLIRContext *ctx;
  OpBuilder builder;
  std::string path;
  const ImportOptions &options;
  Location fileLoc;
  int64_t opset = 0;
  std::unordered_map<std::string, Value> values;
  InlineState controlFlow;
  std::unordered_map<std::string, const ::onnx::TypeProto *> valueTypes;
  llvm::StringSet<> blobNames;
  /// Values of ONNX type string (imported as [..., stringBytes] x i8).
  llvm::StringSet<> stringValues;
};

} // namespace

LogicalResult Importer::pinInputShapes(::onnx::GraphProto &graph) {
  llvm::StringSet<> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());
  std::map<std::string, std::vector<int64_t>> pending = options.inputShapes;
  for (auto &input : *graph.mutable_input()) {
    if (initializers.contains(input.name()))
      continue;
    auto it = pending.find(input.name());
    if (it == pending.end())
      continue;
    auto *shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() != 0 &&
        shape->dim_size() != static_cast<int>(it->second.size()))
      return emitError(fileLoc) << "--input-shape for '" << input.name()
                                << "' has " << it->second.size()
                                << " dimensions, the model declares "
                                << shape->dim_size();
    shape->clear_dim();
    for (int64_t d : it->second)
      shape->add_dim()->set_dim_value(d);
    pending.erase(it);
  }
  if (!pending.empty())
    return emitError(fileLoc) << "--input-shape names '"
                              << pending.begin()->first
                              << "', which is not a graph input";
  return success();
}

/// One line, located at the node the ONNX library names, if any.
LogicalResult Importer::checkerError(StringRef what, StringRef message,
                                     const ::onnx::GraphProto &graph) {
  auto [text, node] = splitCheckerMessage(message);
  if (!node.empty())
    for (int i = 0; i < graph.node_size(); ++i)
      if (graph.node(i).name() == node)
        return emitError(nodeLoc(graph.node(i), i)) << what << ": " << text;
  return emitError(fileLoc) << what << ": " << text;
}

LogicalResult Importer::prepare(::onnx::ModelProto &model) {
  if (!model.has_graph())
    return emitError(fileLoc) << "not an ONNX model: no graph";
  bool training = false;
  for (const auto &op : model.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx")
      opset = op.version();
    training |= op.domain() == kTrainingDomain;
  }
  int64_t known = ::onnx::OpSchemaRegistry::DomainToVersionRange::Instance()
                      .Map()
                      .at(::onnx::ONNX_DOMAIN)
                      .second;
  // An optimizer step alone has no default-domain node: nothing to convert.
  if (opset == 0 && training)
    opset = options.targetOpset > known ? known : options.targetOpset;
  if (opset == 0)
    return emitError(fileLoc) << "model imports no default-domain opset";
  if (opset > known)
    return emitError(fileLoc) << "the model imports opset " << opset
                              << " of the default domain; whittle knows "
                                 "opsets up to "
                              << known;
  auto *graph = model.mutable_graph();
  if (model.functions_size() != 0)
    return emitError(fileLoc) << "model-local function '"
                              << model.functions(0).name()
                              << "' is not supported";
  if (failed(validateGraph(
          *graph, fileLoc,
          [&](size_t i) {
            return nodeLoc(graph->node(static_cast<int>(i)), i);
          },
          options.maxTensorBytes)))
    return failure();
  uint64_t addressable =
      options.addressBits >= 64 ? 0 : uint64_t(1) << options.addressBits;
  if (failed(loadExternalData(
          model, llvm::sys::path::parent_path(path), fileLoc,
          options.maxTensorBytes, addressable,
          "a " + std::to_string(options.addressBits) + "-bit target")))
    return failure();
  if (failed(pinInputShapes(*graph)))
    return failure();
  try {
    ::onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    return checkerError("ONNX checker", e.what(), *graph);
  }
  if (opset < options.targetOpset) {
    try {
      // Some adapters need shapes: infer them (leniently) first.
      ::onnx::shape_inference::InferShapes(model);
      model = ::onnx::version_conversion::ConvertVersion(
          model, static_cast<int>(options.targetOpset));
      opset = options.targetOpset;
    } catch (const std::exception &e) {
      return checkerError("cannot convert opset " + std::to_string(opset) +
                              " to " + std::to_string(options.targetOpset),
                          e.what(), model.graph());
    }
  }
  try {
    ::onnx::ShapeInferenceOptions si(/*check_type=*/true, /*strict=*/1,
                                     /*data_prop=*/true);
    ::onnx::shape_inference::InferShapes(
        model, ::onnx::OpSchemaRegistry::Instance(), si);
    // Shapes computed from shapes: fold what the last round made static,
    // infer again, until nothing changes (one round per Shape that reads a
    // tensor only the previous round shaped).
    // Control flow with static iteration counts is unrolled the same way:
    // a Loop's trip count may be such a shape, and unrolled bodies may hold
    // more shape arithmetic and nested control flow.
    for (int round = 0; round < model.graph().node_size(); ++round) {
      int changed = foldShapeComputations(*model.mutable_graph());
      changed += inlineControlFlow(*model.mutable_graph(), opset, controlFlow);
      if (changed == 0)
        changed = lowerSequences(*model.mutable_graph(), opset, controlFlow);
      if (changed == 0)
        changed = expandGradients(*model.mutable_graph(), opset, controlFlow);
      if (changed == 0)
        changed = pinRangeLengths(*model.mutable_graph());
      if (changed == 0)
        break;
      ::onnx::shape_inference::InferShapes(
          model, ::onnx::OpSchemaRegistry::Instance(), si);
    }
  } catch (const std::exception &e) {
    return checkerError("ONNX shape inference", e.what(), model.graph());
  }
  return checkSameShapes(model.graph());
}

/// An If whose condition is only known at run time computes both branches;
/// each output must then have one shape whichever branch is taken.
LogicalResult Importer::checkSameShapes(const ::onnx::GraphProto &graph) {
  auto shapeOf = [&](const std::string &name) -> std::string {
    for (const auto &t : graph.initializer())
      if (t.name() == name) {
        std::string s = "[";
        for (int64_t d : t.dims())
          s += (s.size() > 1 ? "," : "") + std::to_string(d);
        return s + "]";
      }
    for (const auto *list :
         {&graph.value_info(), &graph.output(), &graph.input()})
      for (const auto &v : *list)
        if (v.name() == name && v.type().has_tensor_type() &&
            v.type().tensor_type().has_shape()) {
          std::string s = "[";
          for (const auto &d : v.type().tensor_type().shape().dim())
            s += (s.size() > 1 ? "," : "") +
                 (d.has_dim_value() ? std::to_string(d.dim_value())
                                    : std::string("?"));
          return s + "]";
        }
    return "unknown";
  };
  bool ok = true;
  for (const SameShape &same : controlFlow.sameShapes) {
    std::string a = shapeOf(same.a), b = shapeOf(same.b);
    if (a == b && a.find('?') == std::string::npos && a != "unknown")
      continue;
    emitError(namedLoc(same.node, "If"))
        << "output " << same.output << " has shape " << a
        << " in the then branch and " << b
        << " in the else branch; with a condition known only at run time "
           "both must have one static shape";
    ok = false;
  }
  return success(ok);
}

FailureOr<Type> Importer::convertElementType(int32_t t, Location loc) {
  using TP = ::onnx::TensorProto;
  switch (t) {
  case TP::FLOAT:
    return Type(builder.getF32Type());
  case TP::DOUBLE:
    return Type(builder.getF64Type());
  case TP::FLOAT16:
    return Type(builder.getF16Type());
  case TP::BFLOAT16:
    return Type(builder.getBF16Type());
  case TP::INT8:
    return Type(builder.getIntegerType(8));
  case TP::UINT8:
    return Type(builder.getIntegerType(8, /*isSigned=*/false));
  case TP::INT16:
    return Type(builder.getIntegerType(16));
  case TP::UINT16:
    return Type(builder.getIntegerType(16, /*isSigned=*/false));
  case TP::INT32:
    return Type(builder.getIntegerType(32));
  case TP::UINT32:
    return Type(builder.getIntegerType(32, /*isSigned=*/false));
  case TP::INT64:
    return Type(builder.getIntegerType(64));
  case TP::UINT64:
    return Type(builder.getIntegerType(64, /*isSigned=*/false));
  case TP::BOOL:
    return Type(builder.getI1Type());
  default:
    return emitError(loc) << "unsupported element type "
                          << TP::DataType_Name(
                                 static_cast<TP::DataType>(t));
  }
}

static uint64_t elementBytes(Type elt) {
  return elt.isInteger(1) ? 1 : elt.getIntOrFloatBitWidth() / 8;
}

/// Every tensor's size is bounded before anything of that size exists: a
/// shape computed to 10^12 elements is refused here, not allocated later.
LogicalResult Importer::checkSize(ArrayRef<int64_t> shape, Type elt,
                                  StringRef name, Location loc) {
  auto bytes = tensorByteSize(shape, elementBytes(elt));
  if (!bytes)
    return emitError(loc) << "tensor '" << name
                          << "' has more elements than 64 bits can count";
  if (*bytes > options.maxTensorBytes)
    return emitError(loc) << "tensor '" << name << "' needs "
                          << formatBytes(*bytes) << ", more than the "
                          << formatBytes(options.maxTensorBytes)
                          << " whittle allows one tensor";
  return success();
}

FailureOr<RankedTensorType>
Importer::convertType(const ::onnx::TypeProto &type, StringRef name,
                      Location loc, bool isGraphInput) {
  if (!type.has_tensor_type() || !type.tensor_type().has_shape())
    return emitError(loc) << "tensor '" << name
                          << "' has no inferred tensor shape";
  const auto &tt = type.tensor_type();
  // A string tensor is bytes with one more dimension: its fixed-width slots.
  bool isString = tt.elem_type() == ::onnx::TensorProto::STRING;
  auto elt = isString ? FailureOr<Type>(builder.getIntegerType(8))
                      : convertElementType(tt.elem_type(), loc);
  if (failed(elt))
    return failure();
  SmallVector<int64_t> shape;
  for (int i = 0; i < tt.shape().dim_size(); ++i) {
    const auto &d = tt.shape().dim(i);
    if (d.has_dim_value() && d.dim_value() < 0)
      return emitError(loc) << "tensor '" << name << "' has negative dimension "
                            << i << " (" << d.dim_value() << ")";
    if (!d.has_dim_value()) {
      auto diag = emitError(loc)
                  << "tensor '" << name << "' has dynamic dimension " << i
                  << (d.has_dim_param() ? " ('" + d.dim_param() + "')"
                                        : std::string());
      if (isGraphInput)
        diag << "; pin it with --input-shape " << name << "=d0,d1,...";
      else
        diag << " after shape inference (a shape computed from data)";
      return diag;
    }
    shape.push_back(d.dim_value());
  }
  if (isString) {
    shape.push_back(options.stringBytes);
    stringValues.insert(name);
  }
  if (failed(checkSize(shape, *elt, name, loc)))
    return failure();
  return RankedTensorType::get(shape, *elt);
}

/// Narrow types travel in int32_data; a value outside the type's range is
/// a corrupt tensor, not something to truncate.
static bool fitsStorage(int32_t type, int32_t v) {
  using TP = ::onnx::TensorProto;
  switch (type) {
  case TP::INT8:
    return v >= -128 && v <= 127;
  case TP::UINT8:
    return v >= 0 && v <= 255;
  case TP::BOOL:
    return v == 0 || v == 1;
  case TP::INT16:
    return v >= -32768 && v <= 32767;
  case TP::UINT16:
  case TP::FLOAT16:
  case TP::BFLOAT16:
    return v >= 0 && v <= 65535;
  default:
    return true;
  }
}

/// Raw little-endian bytes of a tensor, whichever field holds them; nullopt
/// if a value does not fit its type.
static std::optional<std::string> tensorBytes(const ::onnx::TensorProto &t,
                                              size_t eltBytes) {
  using TP = ::onnx::TensorProto;
  if (t.has_raw_data())
    return t.raw_data();
  std::string out;
  auto put = [&](auto v, size_t n) {
    out.append(reinterpret_cast<const char *>(&v), n);
  };
  switch (t.data_type()) {
  case TP::FLOAT:
    for (float f : t.float_data())
      put(f, 4);
    break;
  case TP::DOUBLE:
    for (double d : t.double_data())
      put(d, 8);
    break;
  case TP::INT64:
    for (int64_t i : t.int64_data())
      put(i, 8);
    break;
  case TP::UINT32:
  case TP::UINT64:
    for (uint64_t u : t.uint64_data()) {
      if (eltBytes == 4 && u > 0xffffffffu)
        return std::nullopt;
      put(u, eltBytes);
    }
    break;
  case TP::INT32:
  case TP::UINT16:
  case TP::INT16:
  case TP::INT8:
  case TP::UINT8:
  case TP::BOOL:
  case TP::FLOAT16:
  case TP::BFLOAT16:
    for (int32_t i : t.int32_data()) {
      if (!fitsStorage(t.data_type(), i))
        return std::nullopt;
      put(i, eltBytes);
    }
    break;
  default:
    return std::nullopt;
  }
  return out;
}

/// NaN or Inf in weights is legal but almost always a broken export: warn,
/// and compile as given.
static void warnNonFinite(const std::string &bytes, FloatType type,
                          StringRef name, Location loc) {
  unsigned width = type.getWidth();
  size_t eltBytes = width / 8;
  int64_t nan = 0, inf = 0;
  for (size_t at = 0; at + eltBytes <= bytes.size(); at += eltBytes) {
    uint64_t bits = 0;
    memcpy(&bits, bytes.data() + at, eltBytes);
    APFloat v(type.getFloatSemantics(), APInt(width, bits));
    nan += v.isNaN();
    inf += v.isInfinity();
  }
  if (nan || inf)
    emitWarning(loc) << "tensor '" << name << "' holds " << nan << " NaN and "
                     << inf << " infinite values";
}

FailureOr<ElementsAttr>
Importer::convertTensor(const ::onnx::TensorProto &t, Location loc) {
  if (t.data_location() == ::onnx::TensorProto::EXTERNAL)
    return emitError(loc) << "tensor '" << t.name()
                          << "' uses external data inside a subgraph, which "
                             "is not supported";
  auto elt = convertElementType(t.data_type(), loc);
  if (failed(elt))
    return failure();
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return emitError(loc) << "tensor '" << t.name()
                          << "' has a negative dimension";
  if (failed(checkSize(shape, *elt, t.name(), loc)))
    return failure();
  auto type = RankedTensorType::get(shape, *elt);
  int64_t n = type.getNumElements();
  size_t eltBytes = elementBytes(*elt);
  auto bytes = tensorBytes(t, eltBytes);
  if (!bytes)
    return emitError(loc) << "tensor '" << t.name() << "' holds a value out "
                          << "of range for its type "
                          << ::onnx::TensorProto::DataType_Name(
                                 static_cast<::onnx::TensorProto::DataType>(
                                     t.data_type()));
  if (!bytes || static_cast<int64_t>(bytes->size()) != n * (int64_t)eltBytes)
    return emitError(loc) << "tensor '" << t.name() << "' holds "
                          << (bytes ? bytes->size() : 0)
                          << " bytes of data, expected " << n * eltBytes;
  if (auto ft = llvm::dyn_cast<FloatType>(*elt))
    warnNonFinite(*bytes, ft, t.name(), loc);
  if (n > kInlineElementLimit && !elt->isInteger(1)) {
    // Large tensors live in the resource section, keeping IR readable.
    std::string base = t.name().empty() ? "tensor" : t.name();
    for (char &c : base)
      if (!llvm::isAlnum(c) && c != '_')
        c = '_';
    std::string name = base;
    for (int i = 1; blobNames.contains(name); ++i)
      name = base + "_" + std::to_string(i);
    blobNames.insert(name);
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(bytes->data(), bytes->size()), alignof(uint64_t));
    return ElementsAttr(
        DenseResourceElementsAttr::get(type, name, std::move(blob)));
  }
  if (elt->isInteger(1)) {
    SmallVector<bool> bits;
    for (char c : *bytes)
      bits.push_back(c != 0);
    return ElementsAttr(DenseElementsAttr::get(type, bits));
  }
  bool detectedSplat = false;
  ArrayRef<char> raw(bytes->data(), bytes->size());
  if (!DenseElementsAttr::isValidRawBuffer(type, raw, detectedSplat))
    return emitError(loc) << "tensor '" << t.name() << "' has invalid data";
  return ElementsAttr(DenseElementsAttr::getFromRawBuffer(type, raw));
}

FailureOr<Attribute>
Importer::convertAttribute(const ::onnx::AttributeProto &a, Location loc) {
  using AP = ::onnx::AttributeProto;
  switch (a.type()) {
  case AP::INT:
    return Attribute(builder.getI64IntegerAttr(a.i()));
  case AP::FLOAT:
    return Attribute(builder.getF32FloatAttr(a.f()));
  case AP::STRING:
    return Attribute(builder.getStringAttr(a.s()));
  case AP::INTS: {
    SmallVector<int64_t> v(a.ints().begin(), a.ints().end());
    return Attribute(builder.getI64ArrayAttr(v));
  }
  case AP::FLOATS: {
    SmallVector<float> v(a.floats().begin(), a.floats().end());
    return Attribute(builder.getF32ArrayAttr(v));
  }
  case AP::STRINGS: {
    SmallVector<StringRef> v(a.strings().begin(), a.strings().end());
    return Attribute(builder.getStrArrayAttr(v));
  }
  case AP::TENSOR: {
    auto t = convertTensor(a.t(), loc);
    if (failed(t))
      return failure();
    return Attribute(*t);
  }
  default:
    return emitError(loc) << "attribute '" << a.name() << "' of type "
                          << AP::AttributeType_Name(a.type())
                          << " is not supported";
  }
}

Location Importer::nodeLoc(const ::onnx::NodeProto &node, size_t index) {
  return namedLoc(node.name().empty()
                      ? node.op_type() + "_" + std::to_string(index)
                      : node.name(),
                  node.op_type());
}

Location Importer::namedLoc(StringRef name, StringRef opType) {
  return FusedLoc::get(ctx, {NameLoc::get(builder.getStringAttr(name)), fileLoc},
                       builder.getStringAttr(opType));
}

/// Quantization parameters known at compile time must describe a valid
/// mapping: positive finite scales, one per channel along `axis`.
LogicalResult Importer::validateQuantization(const ::onnx::NodeProto &node,
                                             Location loc) {
  if (!node.domain().empty())
    return success();
  // Positions of the scale inputs.
  SmallVector<int> scaleInputs;
  if (node.op_type() == "QuantizeLinear" || node.op_type() == "DequantizeLinear")
    scaleInputs = {1};
  else if (node.op_type() == "QLinearConv" || node.op_type() == "QLinearMatMul")
    scaleInputs = {1, 4, 6};
  else
    return success();
  for (int i : scaleInputs) {
    if (node.input_size() <= i)
      return success(); // the checker reported it
    auto s = values.find(node.input(i));
    if (s == values.end())
      return success();
    if (auto scales = getConstantFloats(s->second))
      for (float v : *scales)
        if (!(v > 0) || std::isinf(v))
          return emitError(loc)
                 << "scale '" << node.input(i) << "' holds " << v
                 << "; quantization scales must be positive and finite";
  }
  if (scaleInputs.size() != 1)
    return success(); // per-channel shapes: the op verifier
  auto x = values.find(node.input(0)), s = values.find(node.input(1));
  if (x == values.end() || s == values.end())
    return success();
  auto sType = llvm::cast<RankedTensorType>(s->second.getType());
  // One value (rank 0 or [1]) is per-tensor, as ONNX Runtime reads it.
  if (sType.getRank() == 0 || sType.getNumElements() == 1)
    return success();
  auto xType = llvm::cast<RankedTensorType>(x->second.getType());
  int64_t axis = 1;
  for (const auto &a : node.attribute())
    if (a.name() == "axis")
      axis = a.i();
  int64_t rank = xType.getRank();
  if (axis < -rank || axis >= rank)
    return emitError(loc) << "axis " << axis << " is out of range for rank "
                          << rank;
  if (axis < 0)
    axis += rank;
  if (sType.getRank() != 1 || sType.getDimSize(0) != xType.getDimSize(axis))
    return emitError(loc) << "scale '" << node.input(1) << "' has "
                          << sType.getNumElements()
                          << " values; per-axis quantization along axis "
                          << axis << " needs one per channel ("
                          << xType.getDimSize(axis) << ")";
  return success();
}

/// String tensors are fixed-width byte slots that only StringNormalizer
/// and Identity know how to read: any other operator on one is refused
/// (a Reshape or Gather would treat the slot dimension as data).
LogicalResult Importer::checkStringUse(const ::onnx::NodeProto &node,
                                       Location loc) {
  if (node.op_type() == "StringNormalizer" || node.op_type() == "Identity")
    return success();
  for (const auto *names : {&node.input(), &node.output()})
    for (const std::string &v : *names) {
      bool isString = stringValues.contains(v);
      if (auto it = valueTypes.find(v); it != valueTypes.end())
        isString |= it->second->tensor_type().elem_type() ==
                    ::onnx::TensorProto::STRING;
      if (isString)
        return emitError(loc)
               << "operator '" << node.op_type() << "' on string tensor '"
               << v << "' is not supported (whittle reads strings only in "
               << "StringNormalizer and Identity)";
    }
  return success();
}

LogicalResult Importer::importNode(const ::onnx::NodeProto &node,
                                   size_t index, bool &unsupported) {
  Location loc = nodeLoc(node, index);
  unsupported = false;
  bool optimizer = node.domain() == kTrainingDomain &&
                   llvm::is_contained({"Adagrad", "Adam", "Momentum"},
                                      StringRef(node.op_type()));
  if (!node.domain().empty() && node.domain() != "ai.onnx" && !optimizer) {
    unsupported = true;
    auto diag = emitError(loc) << "operator '" << node.domain() << "."
                               << node.op_type() << "' is not supported";
    if (node.output_size() != 0)
      if (auto it = controlFlow.why.find(node.output(0));
          it != controlFlow.why.end())
        return diag << ": " << it->second;
    return diag << " (custom domain)";
  }
  if (failed(validateQuantization(node, loc)))
    return failure();
  std::string opName = "onnx." + node.op_type();
  auto registered = RegisteredOperationName::lookup(opName, ctx);
  // Whittle-internal ops (onnx.whittle.*) are not ONNX operators.
  if (!registered || StringRef(node.op_type()).contains('.')) {
    unsupported = true;
    auto diag = emitError(loc) << "operator '" << node.op_type() << "' (opset "
                               << opset << ") is not supported";
    if (node.output_size() != 0)
      if (auto it = controlFlow.why.find(node.output(0));
          it != controlFlow.why.end())
        diag << ": " << it->second;
    return diag;
  }
  if (failed(checkStringUse(node, loc))) {
    unsupported = true;
    return failure();
  }
  OperationState state(loc, opName);
  // Operands; absent optional inputs are dropped (or sized 0 in segments).
  SmallVector<int32_t> segments;
  for (const std::string &in : node.input()) {
    if (in.empty()) {
      segments.push_back(0);
      continue;
    }
    auto it = values.find(in);
    if (it == values.end())
      return failure(); // producer failed and was already reported
    // Opset 11 Resize marks an unused roi or scales with an empty tensor.
    if (node.op_type() == "Resize" && segments.size() > 0 &&
        llvm::cast<RankedTensorType>(it->second.getType()).getNumElements() ==
            0) {
      segments.push_back(0);
      continue;
    }
    state.operands.push_back(it->second);
    segments.push_back(1);
  }
  if (registered->hasTrait<OpTrait::AttrSizedOperandSegments>()) {
    // Absent trailing optional inputs get empty segments (Clip and Dropout
    // have three operands, Slice five).
    size_t count = llvm::StringSwitch<size_t>(opName)
                       .Cases({"onnx.Slice", "onnx.NonMaxSuppression"}, 5)
                       .Cases({"onnx.Pad", "onnx.ConvInteger",
                               "onnx.MatMulInteger", "onnx.Resize",
                               "onnx.STFT"},
                              4)
                       .Cases({"onnx.RNN", "onnx.GRU"}, 6)
                       .Case("onnx.LSTM", 8)
                       .Default(3);
    while (segments.size() < count)
      segments.push_back(0);
    state.addAttribute("operandSegmentSizes",
                       builder.getDenseI32ArrayAttr(segments));
  }
  // Attributes; ONNX Constant's value_* forms are normalised to `value`.
  for (const auto &a : node.attribute()) {
    auto attr = convertAttribute(a, loc);
    if (failed(attr))
      return failure();
    std::string name = a.name();
    if (node.op_type() == "Constant" && name != "value") {
      auto rt = RankedTensorType::get(
          llvm::isa<ArrayAttr>(*attr)
              ? SmallVector<int64_t>{(int64_t)llvm::cast<ArrayAttr>(*attr).size()}
              : SmallVector<int64_t>{},
          name == "value_float" || name == "value_floats"
              ? (Type)builder.getF32Type()
              : (Type)builder.getI64Type());
      if (name == "value_float")
        *attr = DenseElementsAttr::get(rt, {*attr});
      else if (name == "value_int")
        *attr = DenseElementsAttr::get(rt, {*attr});
      else if (name == "value_floats" || name == "value_ints")
        *attr = DenseElementsAttr::get(
            rt, llvm::to_vector(llvm::cast<ArrayAttr>(*attr).getValue()));
      else
        return emitError(loc) << "Constant attribute '" << name
                              << "' is not supported";
      name = "value";
    }
    state.addAttribute(name, *attr);
  }
  // Result types from shape inference. Ops with several optional results
  // (LayerNormalization: Y, Mean, InvStdDev) get one segment per position.
  SmallVector<std::string> outNames;
  SmallVector<int32_t> resultSegments;
  for (const std::string &out : node.output()) {
    resultSegments.push_back(out.empty() ? 0 : 1);
    if (out.empty())
      continue;
    auto it = valueTypes.find(out);
    if (it == valueTypes.end())
      return emitError(loc) << "no type was inferred for output '" << out
                            << "'";
    auto type = convertType(*it->second, out, loc);
    if (failed(type))
      return failure();
    state.types.push_back(*type);
    outNames.push_back(out);
  }
  if (registered->getStringRef() == "onnx.Constant" && !state.types.empty())
    if (auto v = llvm::dyn_cast_or_null<ElementsAttr>(
            state.attributes.get("value")))
      state.types[0] = v.getType();
  if (registered->hasTrait<OpTrait::AttrSizedResultSegments>()) {
    size_t count = llvm::StringSwitch<size_t>(opName)
                       .Cases({"onnx.RNN", "onnx.GRU"}, 2)
                       .Case("onnx.Unique", 4)
                       .Default(3);
    while (resultSegments.size() < count)
      resultSegments.push_back(0);
    state.addAttribute("resultSegmentSizes",
                       builder.getDenseI32ArrayAttr(resultSegments));
  }
  if (failed(checkEmptyOperands(node, state, loc)))
    return failure();
  Operation *op = builder.create(state);
  if (op->getNumResults() != outNames.size())
    return emitError(loc) << "expected " << op->getNumResults()
                          << " outputs, node has " << outNames.size();
  // Empty results are constants (nothing to compute); a node producing
  // only those is dropped.
  bool allEmpty = op->getNumResults() > 0;
  for (auto [name, result] : llvm::zip(outNames, op->getResults())) {
    auto rt = llvm::cast<RankedTensorType>(result.getType());
    if (rt.getNumElements() != 0 || llvm::isa<onnx::ConstantOp>(op)) {
      allEmpty = false;
      values[name] = result;
      continue;
    }
    values[name] = emptyConstant(rt, loc);
  }
  if (allEmpty)
    op->erase();
  return success();
}

Value Importer::emptyConstant(RankedTensorType type, Location loc) {
  return onnx::ConstantOp::create(
      builder, loc, type, DenseElementsAttr::get(type, ArrayRef<Attribute>{}));
}

/// An empty operand is a shape parameter (no axes, no roi, no sizes) for
/// these ops; anywhere else it would be data read by a kernel computing a
/// non-empty result, which whittle does not compile.
LogicalResult Importer::checkEmptyOperands(const ::onnx::NodeProto &node,
                                           const OperationState &state,
                                           Location loc) {
  bool emptyResults = llvm::all_of(state.types, [](Type t) {
    return llvm::cast<RankedTensorType>(t).getNumElements() == 0;
  });
  if (emptyResults && !state.types.empty())
    return success();
  StringRef op = node.op_type();
  bool parameterOps =
      op.starts_with("Reduce") ||
      llvm::is_contained({"Resize", "Upsample", "Pad", "Squeeze", "Unsqueeze",
                          "Reshape", "Expand", "ConstantOfShape", "Tile"},
                         op);
  for (auto [i, operand] : llvm::enumerate(state.operands)) {
    auto t = llvm::cast<RankedTensorType>(operand.getType());
    if (t.getNumElements() != 0 || (parameterOps && i > 0))
      continue;
    // The node's own input name for that operand (absent inputs are
    // skipped in state.operands).
    std::string name;
    size_t at = 0;
    for (const std::string &in : node.input())
      if (!in.empty() && at++ == i)
        name = in;
    return emitError(loc) << "operator '" << node.op_type()
                          << "' computes a non-empty result from the empty "
                             "tensor '"
                          << name << "', which is not supported";
  }
  return success();
}

OwningOpRef<ModuleOp> Importer::run(::onnx::ModelProto &model) {
  if (failed(prepare(model)))
    return nullptr;
  const ::onnx::GraphProto &graph = model.graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());

  for (const auto &vi : graph.value_info())
    valueTypes[vi.name()] = &vi.type();
  for (const auto &vi : graph.output())
    valueTypes[vi.name()] = &vi.type();

  llvm::StringSet<> initNames;
  for (const auto &init : graph.initializer())
    initNames.insert(init.name());

  // Signature: graph inputs that are not initializers, then graph outputs.
  SmallVector<Type> inputTypes, outputTypes;
  SmallVector<std::string> inputNames;
  bool ok = true;
  for (const auto &in : graph.input()) {
    if (initNames.contains(in.name()))
      continue;
    auto type = convertType(in.type(), in.name(), fileLoc,
                            /*isGraphInput=*/true);
    if (failed(type)) {
      ok = false;
      continue;
    }
    inputTypes.push_back(*type);
    inputNames.push_back(in.name());
  }
  if (!ok)
    return nullptr;

  // Result types are set from the returned values once the graph is built.
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(inputTypes, {}));
  func->setAttr(whittle::kNumInputsAttr,
                builder.getI64IntegerAttr(inputTypes.size()));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(inputNames)) {
    func.setArgAttr(i, "whittle.name", builder.getStringAttr(name));
    // The generated API promises to only read inputs: bufferization must
    // copy rather than update them in place.
    func.setArgAttr(i, "bufferization.writable", builder.getBoolAttr(false));
    if (stringValues.contains(name))
      func.setArgAttr(i, kStringBytesAttr,
                      builder.getI64IntegerAttr(options.stringBytes));
    values[name] = entry->getArgument(i);
  }
  builder.setInsertionPointToStart(entry);
  // An empty input holds no data: its shape is all there is to know, so the
  // graph reads a constant (the argument stays, for the calling convention).
  for (auto [i, name] : llvm::enumerate(inputNames))
    if (llvm::cast<RankedTensorType>(inputTypes[i]).getNumElements() == 0)
      values[name] = emptyConstant(
          llvm::cast<RankedTensorType>(inputTypes[i]),
          NameLoc::get(builder.getStringAttr(name), fileLoc));

  for (const auto &init : graph.initializer()) {
    Location loc = NameLoc::get(builder.getStringAttr(init.name()), fileLoc);
    auto attr = convertTensor(init, fileLoc);
    if (failed(attr))
      return nullptr;
    values[init.name()] =
        onnx::ConstantOp::create(builder, loc, attr->getType(), *attr);
  }

  // Every node is visited so that one run reports every unsupported op.
  bool failedAny = false;
  for (auto [i, node] : llvm::enumerate(graph.node())) {
    bool unsupported = false;
    if (failed(importNode(node, i, unsupported)))
      failedAny = true;
  }
  if (failedAny)
    return nullptr;

  // Values unrolled control flow assumed are checked when the model runs.
  for (const RuntimeAssumption &a : controlFlow.assumptions) {
    auto it = values.find(a.value);
    if (it == values.end()) {
      emitError(namedLoc(a.node, "Loop"))
          << "internal: assumed value '" << a.value << "' was not imported";
      return nullptr;
    }
    onnx::AssumeEqualOp::create(builder, namedLoc(a.node, "Loop"), it->second,
                                a.expected, a.what);
  }

  SmallVector<Value> results;
  for (const auto &out : graph.output()) {
    auto it = values.find(out.name());
    if (it == values.end()) {
      emitError(fileLoc) << "graph output '" << out.name()
                         << "' is produced by no node";
      return nullptr;
    }
    results.push_back(it->second);
    outputTypes.push_back(it->second.getType());
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(inputTypes, outputTypes));
  for (auto [i, out] : llvm::enumerate(graph.output())) {
    func.setResultAttr(i, "whittle.name", builder.getStringAttr(out.name()));
    if (stringValues.contains(out.name()))
      func.setResultAttr(i, kStringBytesAttr,
                         builder.getI64IntegerAttr(options.stringBytes));
  }
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

static OwningOpRef<ModuleOp> importModel(::onnx::ModelProto &model,
                                         StringRef path, MLIRContext *ctx,
                                         const ImportOptions &options) {
  ctx->loadDialect<onnx::ONNXDialect, func::FuncDialect>();
  hardenShapeInference();
  Importer importer(ctx, path, options);
  try {
    return importer.run(model);
  } catch (const std::exception &e) {
    emitError(FileLineColLoc::get(ctx, path, 0, 0))
        << "ONNX library error: " << e.what();
    return nullptr;
  }
}

static void reportTooLarge(Location fileLoc, uint64_t size) {
  emitError(fileLoc) << "the file is " << formatBytes(size)
                     << "; protobuf limits an ONNX model to 2 GiB (keep the "
                        "weights in external data)";
}

OwningOpRef<ModuleOp> importONNXBytes(StringRef bytes, StringRef path,
                                      MLIRContext *ctx,
                                      const ImportOptions &options) {
  Location fileLoc = FileLineColLoc::get(ctx, path, 0, 0);
  if (bytes.empty()) {
    emitError(fileLoc) << "not an ONNX model: the file is empty";
    return nullptr;
  }
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    reportTooLarge(fileLoc, bytes.size());
    return nullptr;
  }
  if (failed(checkWireFormat(bytes, fileLoc)))
    return nullptr;
  ::onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    emitError(fileLoc) << "not an ONNX model: cannot parse the protobuf";
    return nullptr;
  }
  return importModel(model, path, ctx, options);
}

OwningOpRef<ModuleOp> importONNXFile(StringRef path, MLIRContext *ctx,
                                     const ImportOptions &options) {
  // Sized before it is read: a multi-GiB file is refused, not mapped.
  uint64_t size = 0;
  if (!llvm::sys::fs::file_size(path, size) && size > INT_MAX) {
    reportTooLarge(FileLineColLoc::get(ctx, path, 0, 0), size);
    return nullptr;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    emitError(FileLineColLoc::get(ctx, path, 0, 0))
        << "cannot read: " << buffer.getError().message();
    return nullptr;
  }
  return importONNXBytes((*buffer)->getBuffer(), path, ctx, options);
}

OwningOpRef<ModuleOp> importONNXText(StringRef text, StringRef path,
                                     MLIRContext *ctx,
                                     const ImportOptions &options) {
  ::onnx::ModelProto model;
  std::string copy = text.str();
  auto status = ::onnx::OnnxParser::Parse(model, copy.c_str());
  if (!status.IsOK()) {
    emitError(FileLineColLoc::get(ctx, path, 0, 0))
        << "cannot parse ONNX text: " << status.ErrorMessage();
    return nullptr;
  }
  return importModel(model, path, ctx, options);
}

} // namespace whittle
