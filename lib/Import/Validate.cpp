//===- Validate.cpp - reject malformed ONNX models early ------------------===//
//
// Part of whittle. See Validate.h.
//
//===----------------------------------------------------------------------===//

#include "Validate.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/defs/schema.h"
#include "onnx/defs/shape_inference.h"
#include "onnx/defs/tensor_proto_util.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <mutex>
#include <queue>

using namespace mlir;
namespace pb = google::protobuf;

namespace whittle {

//===----------------------------------------------------------------------===//
// Wire format
//===----------------------------------------------------------------------===//

namespace {

using WFL = pb::internal::WireFormatLite;

/// The wire types a field may arrive with: its own, and length-delimited
/// for packed repeated scalars.
bool wireTypeFits(const pb::FieldDescriptor *f, uint32_t wireType) {
  using FD = pb::FieldDescriptor;
  uint32_t expected;
  switch (f->type()) {
  case FD::TYPE_FLOAT:
  case FD::TYPE_FIXED32:
  case FD::TYPE_SFIXED32:
    expected = WFL::WIRETYPE_FIXED32;
    break;
  case FD::TYPE_DOUBLE:
  case FD::TYPE_FIXED64:
  case FD::TYPE_SFIXED64:
    expected = WFL::WIRETYPE_FIXED64;
    break;
  case FD::TYPE_STRING:
  case FD::TYPE_BYTES:
  case FD::TYPE_MESSAGE:
    expected = WFL::WIRETYPE_LENGTH_DELIMITED;
    break;
  case FD::TYPE_GROUP:
    expected = WFL::WIRETYPE_START_GROUP;
    break;
  default:
    expected = WFL::WIRETYPE_VARINT;
    break;
  }
  return wireType == expected ||
         (f->is_repeated() && f->is_packable() &&
          wireType == WFL::WIRETYPE_LENGTH_DELIMITED);
}

class WireChecker {
public:
  explicit WireChecker(Location loc) : loc(loc) {}

  /// Checks one message's bytes; `path` names it in messages.
  LogicalResult check(const uint8_t *data, int size,
                      const pb::Descriptor *desc, const std::string &path,
                      int depth) {
    if (depth > kMaxProtoDepth)
      return emitError(loc) << "not an ONNX model: messages nest more than "
                            << kMaxProtoDepth
                            << " levels deep (subgraphs within subgraphs)";
    pb::io::CodedInputStream in(data, size);
    in.SetRecursionLimit(kMaxProtoDepth + 8);
    llvm::SmallDenseMap<int, int, 16> seen;
    while (true) {
      uint32_t tag = in.ReadTag();
      if (tag == 0) {
        if (in.CurrentPosition() != size)
          return emitError(loc) << "not an ONNX model: cannot parse the "
                                   "protobuf (bad field tag in "
                                << path << ")";
        return success();
      }
      int number = WFL::GetTagFieldNumber(tag);
      uint32_t wireType = WFL::GetTagWireType(tag);
      const pb::FieldDescriptor *f = desc->FindFieldByNumber(number);
      if (!f)
        return emitError(loc) << "not an ONNX model: " << path
                              << " has field number " << number
                              << ", which ONNX's " << desc->name()
                              << " does not define";
      std::string fieldPath = path + "." + f->name();
      if (!wireTypeFits(f, wireType))
        return emitError(loc) << "not an ONNX model: " << fieldPath
                              << " is encoded with the wrong wire type";
      if (!f->is_repeated() && ++seen[number] > 1)
        return emitError(loc)
               << "not an ONNX model: " << fieldPath
               << " appears twice (protobuf would silently merge them)";
      if (f->type() == pb::FieldDescriptor::TYPE_MESSAGE) {
        uint32_t length;
        if (!in.ReadVarint32(&length) ||
            length > static_cast<uint32_t>(size - in.CurrentPosition()))
          return emitError(loc) << "not an ONNX model: cannot parse the "
                                   "protobuf (truncated at "
                                << fieldPath << ")";
        int start = in.CurrentPosition();
        std::string childPath =
            f->is_repeated()
                ? fieldPath + "[" + std::to_string(seen[-number]++) + "]"
                : fieldPath;
        if (failed(check(data + start, static_cast<int>(length),
                         f->message_type(), childPath, depth + 1)))
          return failure();
        in.Skip(static_cast<int>(length));
        continue;
      }
      if (!WFL::SkipField(&in, tag))
        return emitError(loc) << "not an ONNX model: cannot parse the "
                                 "protobuf (truncated at "
                              << fieldPath << ")";
    }
  }

private:
  Location loc;
};

} // namespace

LogicalResult checkWireFormat(StringRef bytes, Location fileLoc) {
  WireChecker checker(fileLoc);
  return checker.check(reinterpret_cast<const uint8_t *>(bytes.data()),
                       static_cast<int>(bytes.size()),
                       ::onnx::ModelProto::descriptor(), "ModelProto", 0);
}

//===----------------------------------------------------------------------===//
// Sizes
//===----------------------------------------------------------------------===//

std::string formatBytes(uint64_t bytes) {
  const char *units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024)
    return std::to_string(bytes) + " bytes";
  double v = static_cast<double>(bytes);
  int u = -1;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  snprintf(buf, sizeof(buf), "%.1f %s", v, units[u]);
  return buf;
}

std::optional<uint64_t> tensorByteSize(ArrayRef<int64_t> dims,
                                       uint64_t eltBytes) {
  uint64_t n = eltBytes;
  for (int64_t d : dims) {
    if (d < 0)
      return std::nullopt;
    uint64_t next;
    if (__builtin_mul_overflow(n, static_cast<uint64_t>(d), &next))
      return std::nullopt;
    n = next;
  }
  return n;
}

/// Bytes per element of an ONNX data type; 0 for strings and unknowns.
static uint64_t onnxElementBytes(int32_t type) {
  using TP = ::onnx::TensorProto;
  switch (type) {
  case TP::BOOL:
  case TP::INT8:
  case TP::UINT8:
    return 1;
  case TP::INT16:
  case TP::UINT16:
  case TP::FLOAT16:
  case TP::BFLOAT16:
    return 2;
  case TP::INT32:
  case TP::UINT32:
  case TP::FLOAT:
    return 4;
  case TP::INT64:
  case TP::UINT64:
  case TP::DOUBLE:
  case TP::COMPLEX64:
    return 8;
  case TP::COMPLEX128:
    return 16;
  default:
    return 0;
  }
}

//===----------------------------------------------------------------------===//
// Graph structure
//===----------------------------------------------------------------------===//

/// Attributes ONNX's shape inference divides by or loops over without
/// checking (ONNX 1.12 divides by a zero stride): refused before it runs,
/// in subgraphs too.
static LogicalResult
checkWindowAttributes(const ::onnx::GraphProto &graph, Location fileLoc,
                      const std::function<Location(size_t)> *nodeLoc) {
  static const llvm::StringSet<> windowed = {
      "Conv",    "ConvTranspose", "ConvInteger", "QLinearConv", "MaxPool",
      "AveragePool", "LpPool",    "MaxUnpool",   "Col2Im",      "Im2Col"};
  for (int i = 0; i < graph.node_size(); ++i) {
    const auto &node = graph.node(i);
    Location loc = nodeLoc ? (*nodeLoc)(i) : fileLoc;
    for (const auto &a : node.attribute()) {
      if (a.has_g() &&
          failed(checkWindowAttributes(a.g(), fileLoc, nullptr)))
        return failure();
      for (const auto &g : a.graphs())
        if (failed(checkWindowAttributes(g, fileLoc, nullptr)))
          return failure();
      if (!node.domain().empty() || !windowed.contains(node.op_type()))
        continue;
      bool positive = a.name() == "strides" || a.name() == "dilations" ||
                      a.name() == "kernel_shape" || a.name() == "group";
      bool nonNegative = a.name() == "pads" || a.name() == "output_padding";
      if (!positive && !nonNegative)
        continue;
      SmallVector<int64_t> values(a.ints().begin(), a.ints().end());
      if (a.type() == ::onnx::AttributeProto::INT)
        values.push_back(a.i());
      for (int64_t v : values)
        if (positive ? v < 1 : v < 0) {
          auto diag = emitError(loc);
          if (!nodeLoc)
            diag << "node '" << node.name() << "' (" << node.op_type()
                 << ") in a subgraph: ";
          return diag << "attribute '" << a.name() << "' holds " << v
                      << "; it must be " << (positive ? "positive" : ">= 0");
        }
    }
  }
  return success();
}

LogicalResult validateGraph(::onnx::GraphProto &graph, Location fileLoc,
                            const std::function<Location(size_t)> &nodeLoc,
                            uint64_t maxTensorBytes) {
  if (failed(checkWindowAttributes(graph, fileLoc, &nodeLoc)))
    return failure();
  // Declared shapes bound what shape inference loops over (ONNX 1.12's
  // auto_pad arithmetic steps through a dimension one stride at a time).
  for (const auto *list : {&graph.input(), &graph.output(), &graph.value_info()})
    for (const auto &vi : *list) {
      if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
        continue;
      SmallVector<int64_t> dims;
      for (const auto &d : vi.type().tensor_type().shape().dim())
        dims.push_back(d.has_dim_value() ? std::max<int64_t>(d.dim_value(), 0)
                                         : 1);
      uint64_t elt = onnxElementBytes(vi.type().tensor_type().elem_type());
      auto bytes = tensorByteSize(dims, elt ? elt : 1);
      if (!bytes)
        return emitError(fileLoc)
               << "tensor '" << vi.name()
               << "' is declared with more elements than 64 bits can count";
      if (*bytes > maxTensorBytes)
        return emitError(fileLoc)
               << "tensor '" << vi.name() << "' is declared with "
               << formatBytes(*bytes) << ", more than the "
               << formatBytes(maxTensorBytes) << " whittle allows one tensor";
    }
  if (graph.output_size() == 0)
    return emitError(fileLoc) << "the graph has no outputs";
  if (graph.sparse_initializer_size() != 0)
    return emitError(fileLoc)
           << "sparse initializer '"
           << graph.sparse_initializer(0).values().name()
           << "' is not supported: store it as a dense initializer";
  for (const auto *list : {&graph.input(), &graph.output()})
    for (const auto &vi : *list)
      if (!vi.type().has_tensor_type())
        return emitError(fileLoc)
               << "graph " << (list == &graph.input() ? "input" : "output")
               << " '" << vi.name() << "' has no tensor type";
  // Where each tensor comes from: -1 for graph inputs and initializers.
  llvm::StringMap<int64_t> producer;
  for (const auto &in : graph.input())
    if (!producer.try_emplace(in.name(), -1).second)
      return emitError(fileLoc)
             << "graph input '" << in.name() << "' is declared twice";
  llvm::StringSet<> inits;
  for (const auto &t : graph.initializer()) {
    if (t.name().empty())
      return emitError(fileLoc) << "an initializer has no name";
    if (!inits.insert(t.name()).second)
      return emitError(fileLoc)
             << "initializer '" << t.name() << "' is declared twice";
    producer.try_emplace(t.name(), -1);
  }
  for (int i = 0; i < graph.node_size(); ++i)
    for (const std::string &out : graph.node(i).output()) {
      if (out.empty())
        continue;
      auto [it, inserted] = producer.try_emplace(out, i);
      if (!inserted)
        return emitError(nodeLoc(i))
               << "output '" << out << "' is already "
               << (it->second < 0 ? std::string("a graph input or initializer")
                                  : "produced by node '" +
                                        graph.node(it->second).name() + "'");
    }
  // Dependencies; Kahn's algorithm keeps the given order among ready nodes.
  size_t n = graph.node_size();
  std::vector<std::vector<size_t>> users(n);
  std::vector<size_t> pending(n, 0);
  for (size_t i = 0; i < n; ++i)
    for (const std::string &in : graph.node(i).input()) {
      if (in.empty())
        continue;
      auto it = producer.find(in);
      if (it == producer.end())
        return emitError(nodeLoc(i))
               << "input '" << in
               << "' is not a graph input, an initializer or any node's "
                  "output";
      if (it->second >= 0) {
        users[it->second].push_back(i);
        ++pending[i];
      }
    }
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0)
      ready.push(i);
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (size_t u : users[i])
      if (--pending[u] == 0)
        ready.push(u);
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i)
      if (pending[i] != 0)
        return emitError(nodeLoc(i))
               << "node depends on its own output through a cycle";
  }
  bool sorted = true;
  for (size_t i = 0; i < n; ++i)
    sorted &= order[i] == i;
  if (!sorted) {
    std::vector<::onnx::NodeProto> nodes;
    nodes.reserve(n);
    for (size_t i : order)
      nodes.push_back(std::move(*graph.mutable_node(i)));
    graph.clear_node();
    for (auto &node : nodes)
      *graph.add_node() = std::move(node);
  }
  for (const auto &out : graph.output())
    if (!producer.count(out.name()))
      return emitError(fileLoc)
             << "graph output '" << out.name() << "' is produced by no node";
  return success();
}

//===----------------------------------------------------------------------===//
// External data
//===----------------------------------------------------------------------===//

namespace {

struct ExternalRef {
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
};

FailureOr<ExternalRef> parseExternalRef(const ::onnx::TensorProto &t,
                                        Location loc) {
  ExternalRef ref;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location") {
      ref.location = kv.value();
    } else if (kv.key() == "offset" || kv.key() == "length") {
      uint64_t v;
      if (StringRef(kv.value()).getAsInteger(10, v))
        return emitError(loc) << "tensor '" << t.name() << "': external data "
                              << kv.key() << " '" << kv.value()
                              << "' is not a non-negative integer";
      if (kv.key() == "offset")
        ref.offset = v;
      else
        ref.length = v;
    }
    // "checksum" and "basepath" carry nothing we need.
  }
  if (ref.location.empty())
    return emitError(loc) << "tensor '" << t.name()
                          << "': external data has no location";
  return ref;
}

/// Resolves `location` inside `dir`; refuses anything that leaves it.
FailureOr<std::string> resolveInside(StringRef dir, StringRef location,
                                     StringRef tensor, Location loc) {
  auto refuse = [&](StringRef why) {
    return emitError(loc) << "tensor '" << tensor << "': external data '"
                          << location << "' " << why;
  };
  if (location.contains('\0'))
    return refuse("contains a NUL byte");
  if (llvm::sys::path::is_absolute(location) ||
      llvm::sys::path::has_root_name(location))
    return refuse("is an absolute path; it must be relative to the model's "
                  "directory");
  for (StringRef part : llvm::make_range(llvm::sys::path::begin(location),
                                         llvm::sys::path::end(location)))
    if (part == "..")
      return refuse("leaves the model's directory");
  SmallString<256> joined(dir.empty() ? "." : dir);
  llvm::sys::path::append(joined, location);
  SmallString<256> realDir, realFile;
  if (llvm::sys::fs::real_path(dir.empty() ? "." : dir, realDir))
    return refuse("cannot be resolved: the model's directory is unreadable");
  if (auto ec = llvm::sys::fs::real_path(joined, realFile))
    return refuse("cannot be opened: " + ec.message());
  StringRef rf(realFile);
  if (!rf.starts_with(realDir) || rf.size() <= realDir.size() ||
      !llvm::sys::path::is_separator(rf[realDir.size()]))
    return refuse("resolves (through a symlink) to '" + realFile.str().str() +
                  "', outside the model's directory");
  if (!llvm::sys::fs::is_regular_file(realFile))
    return refuse("is not a regular file");
  return realFile.str().str();
}

} // namespace

LogicalResult loadExternalData(::onnx::ModelProto &model, StringRef modelDir,
                               Location fileLoc, uint64_t maxTensorBytes,
                               uint64_t maxTotalBytes,
                               StringRef targetDescription) {
  auto *graph = model.mutable_graph();
  // Every tensor the graph stores: initializers and Constant values.
  std::vector<::onnx::TensorProto *> tensors;
  for (auto &t : *graph->mutable_initializer())
    tensors.push_back(&t);
  for (auto &node : *graph->mutable_node())
    for (auto &a : *node.mutable_attribute())
      if (a.has_t())
        tensors.push_back(a.mutable_t());
  // Sizes first, from the dims alone: nothing is read for a model that
  // cannot fit.
  uint64_t total = 0;
  std::vector<uint64_t> sizes;
  for (::onnx::TensorProto *t : tensors) {
    Location loc = fileLoc;
    SmallVector<int64_t> dims(t->dims().begin(), t->dims().end());
    uint64_t elt = onnxElementBytes(t->data_type());
    auto bytes = tensorByteSize(dims, elt ? elt : 1);
    if (!bytes)
      return emitError(loc) << "tensor '" << t->name()
                            << "' has a negative dimension or more elements "
                               "than 64 bits can count";
    if (*bytes > maxTensorBytes)
      return emitError(loc) << "tensor '" << t->name() << "' needs "
                            << formatBytes(*bytes) << ", more than the "
                            << formatBytes(maxTensorBytes)
                            << " whittle allows one tensor";
    sizes.push_back(*bytes);
    total += *bytes;
  }
  // Several tensors may name the same bytes of one file: the total is
  // bounded whatever the address space.
  if (maxTotalBytes && total > maxTotalBytes)
    return emitError(fileLoc)
           << "the weights need " << formatBytes(total) << ", more than "
           << targetDescription << " can address ("
           << formatBytes(maxTotalBytes) << ")";
  if (total > 4 * maxTensorBytes)
    return emitError(fileLoc)
           << "the weights need " << formatBytes(total) << ", more than the "
           << formatBytes(4 * maxTensorBytes)
           << " whittle allows all weights together";
  for (auto [t, bytes] : llvm::zip(tensors, sizes)) {
    if (t->data_location() != ::onnx::TensorProto::EXTERNAL)
      continue;
    Location loc = fileLoc;
    auto ref = parseExternalRef(*t, loc);
    if (failed(ref))
      return failure();
    auto file = resolveInside(modelDir, ref->location, t->name(), loc);
    if (failed(file))
      return failure();
    uint64_t fileSize = 0;
    if (auto ec = llvm::sys::fs::file_size(*file, fileSize))
      return emitError(loc) << "tensor '" << t->name() << "': cannot read '"
                            << ref->location << "': " << ec.message();
    if (ref->length && *ref->length != bytes)
      return emitError(loc) << "tensor '" << t->name() << "': external data "
                            << "length " << *ref->length << " does not match "
                            << "its dims (" << bytes << " bytes)";
    if (ref->offset > fileSize || bytes > fileSize - ref->offset)
      return emitError(loc) << "tensor '" << t->name() << "': external data "
                            << "bytes " << ref->offset << ".."
                            << ref->offset + bytes << " lie past the end of '"
                            << ref->location << "' (" << fileSize
                            << " bytes)";
    auto buffer = llvm::MemoryBuffer::getFileSlice(*file, bytes, ref->offset,
                                                   /*IsVolatile=*/false);
    if (!buffer)
      return emitError(loc) << "tensor '" << t->name() << "': cannot read '"
                            << ref->location
                            << "': " << buffer.getError().message();
    t->set_raw_data((*buffer)->getBufferStart(), (*buffer)->getBufferSize());
    t->clear_external_data();
    t->clear_data_location();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Shape inference guards
//===----------------------------------------------------------------------===//

namespace {

const ::onnx::TensorShapeProto *shapeOf(::onnx::InferenceContext &ctx,
                                        size_t i) {
  if (i >= ctx.getNumInputs())
    return nullptr;
  const ::onnx::TypeProto *t = ctx.getInputType(i);
  if (!t || !t->has_tensor_type() || !t->tensor_type().has_shape())
    return nullptr;
  return &t->tensor_type().shape();
}

void requireCount(::onnx::InferenceContext &ctx, const char *name,
                  int64_t expected) {
  if (const ::onnx::AttributeProto *a = ctx.getAttribute(name))
    if (a->ints_size() != expected)
      fail_shape_inference("attribute '", name, "' has ", a->ints_size(),
                           " values, expected ", expected);
}

/// Ranks and attribute lengths ONNX 1.12's conv/pool inference indexes by
/// without checking (it reads past its arrays when they disagree).
void checkWindowed(::onnx::InferenceContext &ctx, size_t weight,
                   bool transpose) {
  const auto *x = shapeOf(ctx, 0);
  if (!x)
    return;
  int64_t rank = x->dim_size();
  if (rank < 3)
    fail_shape_inference("input has rank ", rank,
                         "; expected a batch, channels and at least one "
                         "spatial dimension");
  if (weight != SIZE_MAX)
    if (const auto *w = shapeOf(ctx, weight))
      if (w->dim_size() != rank)
        fail_shape_inference("weight has rank ", w->dim_size(),
                             ", the input ", rank);
  int64_t spatial = rank - 2;
  requireCount(ctx, "kernel_shape", spatial);
  requireCount(ctx, "strides", spatial);
  requireCount(ctx, "dilations", spatial);
  requireCount(ctx, "pads", 2 * spatial);
  if (transpose) {
    requireCount(ctx, "output_padding", spatial);
    requireCount(ctx, "output_shape", spatial);
  }
}

/// `axis` within [-rank, rank + extra) of input 0 (ONNX 1.12's
/// LayerNormalization indexes its shape with an unchecked axis).
void checkAxis(::onnx::InferenceContext &ctx, int64_t extra) {
  const auto *x = shapeOf(ctx, 0);
  const ::onnx::AttributeProto *a = ctx.getAttribute("axis");
  if (!x || !a)
    return;
  int64_t rank = x->dim_size();
  if (a->i() < -rank || a->i() >= rank + extra)
    fail_shape_inference("axis ", a->i(), " is out of range for rank ", rank);
}

void checkMatrices(::onnx::InferenceContext &ctx) {
  for (size_t i = 0; i < 2; ++i)
    if (const auto *s = shapeOf(ctx, i))
      if (s->dim_size() != 2)
        fail_shape_inference("input ", i, " has rank ", s->dim_size(),
                             "; Gemm takes matrices");
}

} // namespace

/// A scalar integer input known at inference time (an initializer or a
/// constant), if any.
std::optional<int64_t> scalarInput(::onnx::InferenceContext &ctx, size_t i) {
  if (ctx.getNumInputs() <= i || !ctx.getInputType(i))
    return std::nullopt;
  const ::onnx::TensorProto *t = ctx.getInputData(i);
  if (!t)
    return std::nullopt;
  auto values = ::onnx::ParseData<int64_t>(t);
  if (t->data_type() == ::onnx::TensorProto::INT32) {
    auto v32 = ::onnx::ParseData<int32_t>(t);
    values.assign(v32.begin(), v32.end());
  }
  if (values.size() != 1)
    return std::nullopt;
  return values[0];
}

/// STFT (opset 17): [batch, 1 + (length - frame_length) / frame_step,
/// onesided ? frame_length / 2 + 1 : frame_length, 2].
void inferSTFT(::onnx::InferenceContext &ctx) {
  ::onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  const auto *signal = shapeOf(ctx, 0);
  if (!signal || signal->dim_size() != 3)
    return;
  std::optional<int64_t> length;
  if (const auto *window = shapeOf(ctx, 2);
      window && window->dim_size() == 1 && window->dim(0).has_dim_value())
    length = window->dim(0).dim_value();
  if (auto given = scalarInput(ctx, 3))
    length = *given;
  auto step = scalarInput(ctx, 1);
  const auto *onesided = ctx.getAttribute("onesided");
  bool half = !onesided || onesided->i() != 0;
  auto *out = ctx.getOutputType(0)->mutable_tensor_type()->mutable_shape();
  out->clear_dim();
  *out->add_dim() = signal->dim(0);
  auto *frames = out->add_dim();
  if (length && step && *step > 0 && signal->dim(1).has_dim_value() &&
      signal->dim(1).dim_value() >= *length && *length > 0)
    frames->set_dim_value(1 + (signal->dim(1).dim_value() - *length) / *step);
  auto *bins = out->add_dim();
  if (length && *length > 0)
    bins->set_dim_value(half ? *length / 2 + 1 : *length);
  out->add_dim()->set_dim_value(2);
}

void hardenShapeInference() {
  static std::once_flag once;
  std::call_once(once, [] {
    using Guard = std::function<void(::onnx::InferenceContext &)>;
    auto windowed = [](size_t weight, bool transpose) -> Guard {
      return [=](::onnx::InferenceContext &ctx) {
        checkWindowed(ctx, weight, transpose);
      };
    };
    const std::pair<const char *, Guard> guards[] = {
        {"Conv", windowed(1, false)},
        {"ConvInteger", windowed(1, false)},
        {"QLinearConv", windowed(3, false)},
        {"ConvTranspose", windowed(1, true)},
        {"MaxPool", windowed(SIZE_MAX, false)},
        {"AveragePool", windowed(SIZE_MAX, false)},
        {"LpPool", windowed(SIZE_MAX, false)},
        {"MaxUnpool", windowed(SIZE_MAX, false)},
        {"Gemm", [](::onnx::InferenceContext &ctx) { checkMatrices(ctx); }},
    };
    auto axis = [](int64_t extra) -> Guard {
      return [=](::onnx::InferenceContext &ctx) { checkAxis(ctx, extra); };
    };
    const std::pair<const char *, Guard> axisGuards[] = {
        {"LayerNormalization", axis(0)}, {"Softmax", axis(0)},
        {"LogSoftmax", axis(0)},         {"Hardmax", axis(0)},
        {"Gather", axis(0)},             {"GatherElements", axis(0)},
        {"Concat", axis(0)},             {"Split", axis(0)},
        {"ArgMax", axis(0)},             {"ArgMin", axis(0)},
        {"Flatten", axis(1)},
    };
    int64_t latest = ::onnx::OpSchemaRegistry::DomainToVersionRange::Instance()
                         .Map()
                         .at(::onnx::ONNX_DOMAIN)
                         .second;
    auto all = llvm::concat<const std::pair<const char *, Guard>>(guards,
                                                                  axisGuards);
    // ONNX 1.12's STFT inference ignores `onesided` and misreads the frame
    // length from the window: replaced by the operator's definition.
    for (int64_t v = 17; v <= latest; ++v)
      if (const ::onnx::OpSchema *schema =
              ::onnx::OpSchemaRegistry::Schema("STFT", static_cast<int>(v)))
        const_cast<::onnx::OpSchema *>(schema)->TypeAndShapeInferenceFunction(
            inferSTFT);
    for (const auto &[name, guard] : all) {
      // Every version of the schema, each wrapped once.
      llvm::SmallPtrSet<const ::onnx::OpSchema *, 8> seen;
      for (int64_t v = 1; v <= latest; ++v) {
        const ::onnx::OpSchema *schema =
            ::onnx::OpSchemaRegistry::Schema(name, static_cast<int>(v));
        if (!schema || !seen.insert(schema).second)
          continue;
        auto *mutableSchema = const_cast<::onnx::OpSchema *>(schema);
        auto original = mutableSchema->GetTypeAndShapeInferenceFunction();
        mutableSchema->TypeAndShapeInferenceFunction(
            [guard = guard, original](::onnx::InferenceContext &ctx) {
              guard(ctx);
              if (original)
                original(ctx);
            });
      }
    }
  });
}

//===----------------------------------------------------------------------===//
// Checker messages
//===----------------------------------------------------------------------===//

std::pair<std::string, std::string> splitCheckerMessage(StringRef what) {
  StringRef message = what, context;
  size_t at = what.find("==> Context:");
  if (at != StringRef::npos) {
    message = what.substr(0, at);
    context = what.substr(at);
  }
  std::string flat;
  for (char c : message.trim()) {
    if (c == '\n' || c == '\r' || c == '\t')
      c = ' ';
    if (c == ' ' && !flat.empty() && flat.back() == ' ')
      continue;
    flat += c;
  }
  // Shape inference: "[ShapeInferenceError] (op_type:T, node name: N):
  // [ShapeInferenceError] message".
  std::string node;
  size_t at2 = flat.find("node name: ");
  if (at2 != std::string::npos) {
    size_t close = flat.find("): ", at2);
    if (close != std::string::npos) {
      node = flat.substr(at2 + 11, close - at2 - 11);
      flat = flat.substr(close + 3);
    }
  }
  for (const char *tag : {"[ShapeInferenceError] ", "[TypeInferenceError] ",
                          "Shape inference error(s): "})
    for (size_t p; (p = flat.find(tag)) != std::string::npos;)
      flat.erase(p, strlen(tag));
  if (!node.empty())
    return {flat, node};
  size_t name = context.find("Name: ");
  size_t opType = context.find(" OpType:");
  if (name != StringRef::npos && opType != StringRef::npos && opType > name)
    node = context.substr(name + 6, opType - name - 6).str();
  return {flat, node};
}

} // namespace whittle
