//===- ShapeFolding.cpp - fold shape arithmetic in an ONNX graph ----------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "ShapeFolding.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace whittle {
namespace {

using TP = ::onnx::TensorProto;

/// Shape data is a handful of integers; anything larger is left to
/// onnx-fold-constants, which evaluates with the compiler itself.
constexpr size_t kMaxElements = 64;

/// A small integer tensor known at import time.
struct Known {
  std::vector<int64_t> dims;
  std::vector<int64_t> values;
  int32_t type = TP::INT64;
};

bool isIntType(int32_t t) { return t == TP::INT64 || t == TP::INT32; }

std::optional<Known> readTensor(const TP &t) {
  if (!isIntType(t.data_type()) || t.data_location() == TP::EXTERNAL)
    return std::nullopt;
  Known k;
  k.type = t.data_type();
  size_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > static_cast<int64_t>(kMaxElements))
      return std::nullopt;
    k.dims.push_back(d);
    n *= static_cast<size_t>(d);
  }
  if (n > kMaxElements)
    return std::nullopt;
  size_t width = t.data_type() == TP::INT64 ? 8 : 4;
  if (t.has_raw_data()) {
    const std::string &raw = t.raw_data();
    if (raw.size() != n * width)
      return std::nullopt;
    for (size_t i = 0; i < n; ++i) {
      if (width == 8) {
        int64_t v;
        std::memcpy(&v, raw.data() + 8 * i, 8);
        k.values.push_back(v);
      } else {
        int32_t v;
        std::memcpy(&v, raw.data() + 4 * i, 4);
        k.values.push_back(v);
      }
    }
  } else if (width == 8) {
    k.values.assign(t.int64_data().begin(), t.int64_data().end());
  } else {
    k.values.assign(t.int32_data().begin(), t.int32_data().end());
  }
  if (k.values.size() != n)
    return std::nullopt;
  return k;
}

const ::onnx::AttributeProto *attr(const ::onnx::NodeProto &n,
                                   const char *name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t intAttr(const ::onnx::NodeProto &n, const char *name, int64_t dflt) {
  const auto *a = attr(n, name);
  return a && a->type() == ::onnx::AttributeProto::INT ? a->i() : dflt;
}

/// Normalizes a possibly negative axis; nullopt if out of range.
std::optional<int64_t> axisIn(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

class Folder {
public:
  explicit Folder(::onnx::GraphProto &graph) : graph(graph) {
    auto addShape = [&](const ::onnx::ValueInfoProto &vi) {
      if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
        return;
      std::vector<int64_t> dims;
      for (const auto &d : vi.type().tensor_type().shape().dim()) {
        if (!d.has_dim_value() || d.dim_value() < 0)
          return;
        dims.push_back(d.dim_value());
      }
      shapes[vi.name()] = dims;
    };
    for (const auto &vi : graph.input())
      addShape(vi);
    for (const auto &vi : graph.value_info())
      addShape(vi);
    for (const auto &vi : graph.output())
      addShape(vi);
    for (const auto &t : graph.initializer()) {
      shapes[t.name()] = std::vector<int64_t>(t.dims().begin(), t.dims().end());
      if (auto k = readTensor(t))
        known[t.name()] = *k;
    }
  }

  int run() {
    int folded = 0;
    for (auto &node : *graph.mutable_node()) {
      if (node.op_type() == "Constant" && node.domain().empty()) {
        if (node.output_size() != 1)
          continue;
        if (const auto *v = attr(node, "value")) {
          if (auto k = readTensor(v->t()))
            known[node.output(0)] = *k;
        } else if (const auto *v = attr(node, "value_int")) {
          known[node.output(0)] = Known{{}, {v->i()}, TP::INT64};
        } else if (const auto *v = attr(node, "value_ints")) {
          if (static_cast<size_t>(v->ints_size()) <= kMaxElements)
            known[node.output(0)] =
                Known{{v->ints_size()}, {v->ints().begin(), v->ints().end()},
                      TP::INT64};
        }
        continue;
      }
      if (!node.domain().empty() || node.output_size() != 1)
        continue;
      std::optional<Known> k = evaluate(node);
      if (!k)
        continue;
      known[node.output(0)] = *k;
      replaceWithConstant(node, *k);
      ++folded;
    }
    if (folded)
      removeDeadConstants();
    return folded;
  }

  /// Drops Constant nodes nothing reads any more: folding leaves the pieces
  /// of a shape computation behind, some of them empty (a prefix sliced to
  /// nothing), which ONNX's inference and whittle's import would trip on.
  void removeDeadConstants() {
    std::unordered_map<std::string, int> uses;
    for (const auto &node : graph.node())
      for (const std::string &in : node.input())
        ++uses[in];
    for (const auto &out : graph.output())
      ++uses[out.name()];
    auto *nodes = graph.mutable_node();
    nodes->erase(std::remove_if(nodes->begin(), nodes->end(),
                                [&](const ::onnx::NodeProto &node) {
                                  return node.op_type() == "Constant" &&
                                         node.domain().empty() &&
                                         node.output_size() == 1 &&
                                         uses[node.output(0)] == 0;
                                }),
                 nodes->end());
  }

private:
  const Known *input(const ::onnx::NodeProto &n, int i) {
    if (i >= n.input_size() || n.input(i).empty())
      return nullptr;
    auto it = known.find(n.input(i));
    return it == known.end() ? nullptr : &it->second;
  }

  std::optional<Known> evaluate(const ::onnx::NodeProto &n) {
    const std::string &op = n.op_type();
    if (op == "Shape" || op == "Size") {
      auto it = n.input_size() == 1 ? shapes.find(n.input(0)) : shapes.end();
      if (it == shapes.end())
        return std::nullopt;
      const std::vector<int64_t> &s = it->second;
      Known k;
      if (op == "Size") {
        int64_t p = 1;
        for (int64_t d : s) {
          if (d != 0 && p > std::numeric_limits<int64_t>::max() / d)
            return std::nullopt;
          p *= d;
        }
        k.values = {p};
        return k;
      }
      int64_t rank = static_cast<int64_t>(s.size());
      int64_t start = intAttr(n, "start", 0), end = intAttr(n, "end", rank);
      start = std::clamp(start < 0 ? start + rank : start, int64_t(0), rank);
      end = std::clamp(end < 0 ? end + rank : end, int64_t(0), rank);
      for (int64_t i = start; i < end; ++i)
        k.values.push_back(s[i]);
      k.dims = {static_cast<int64_t>(k.values.size())};
      return k;
    }
    if (op == "Cast") {
      const Known *x = input(n, 0);
      int64_t to = intAttr(n, "to", 0);
      if (!x || !isIntType(static_cast<int32_t>(to)))
        return std::nullopt;
      Known k = *x;
      k.type = static_cast<int32_t>(to);
      if (k.type == TP::INT32)
        for (int64_t &v : k.values)
          v = static_cast<int32_t>(v);
      return k;
    }
    if (op == "Gather")
      return gather(n);
    if (op == "Unsqueeze" || op == "Squeeze")
      return reshapeAxes(n, op == "Unsqueeze");
    if (op == "Concat")
      return concat(n);
    if (op == "ConstantOfShape")
      return constantOfShape(n);
    if (op == "Neg") {
      const Known *x = input(n, 0);
      if (!x)
        return std::nullopt;
      Known k = *x;
      for (int64_t &v : k.values) {
        if (v == std::numeric_limits<int64_t>::min() ||
            (k.type == TP::INT32 && v == std::numeric_limits<int32_t>::min()))
          return std::nullopt;
        v = -v;
      }
      return k;
    }
    if (op == "Slice")
      return slice(n);
    if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
      return arithmetic(n, op[0]);
    return std::nullopt;
  }

  /// ConstantOfShape of a known shape with an integer fill value (the
  /// suffix of ones in a reduced shape).
  std::optional<Known> constantOfShape(const ::onnx::NodeProto &n) {
    const Known *shape = input(n, 0);
    const auto *value = attr(n, "value");
    if (!shape || shape->dims.size() != 1 || !value)
      return std::nullopt;
    auto fill = readTensor(value->t());
    if (!fill || fill->values.size() != 1)
      return std::nullopt;
    size_t count = 1;
    for (int64_t d : shape->values) {
      if (d < 0 || (d > 0 && count > kMaxElements / static_cast<size_t>(d)))
        return std::nullopt;
      count *= static_cast<size_t>(d);
    }
    Known k;
    k.type = fill->type;
    k.dims = shape->values;
    k.values.assign(count, fill->values[0]);
    return k;
  }

  /// Gather from a 1-D tensor (a shape) at scalar or 1-D indices.
  std::optional<Known> gather(const ::onnx::NodeProto &n) {
    const Known *data = input(n, 0), *idx = input(n, 1);
    int64_t axis = intAttr(n, "axis", 0);
    if (!data || !idx || data->dims.size() != 1 || idx->dims.size() > 1 ||
        (axis != 0 && axis != -1))
      return std::nullopt;
    Known k;
    k.type = data->type;
    k.dims = idx->dims;
    int64_t size = data->dims[0];
    for (int64_t i : idx->values) {
      auto a = axisIn(i, size);
      if (!a)
        return std::nullopt;
      k.values.push_back(data->values[*a]);
    }
    return k;
  }

  /// Unsqueeze/Squeeze: values unchanged, dims from the axes (input 1 from
  /// opset 13, attribute before).
  std::optional<Known> reshapeAxes(const ::onnx::NodeProto &n, bool unsqueeze) {
    const Known *x = input(n, 0);
    if (!x)
      return std::nullopt;
    std::vector<int64_t> axes;
    if (const Known *a = input(n, 1))
      axes = a->values;
    else if (const auto *a = attr(n, "axes"))
      axes.assign(a->ints().begin(), a->ints().end());
    else if (unsqueeze || n.input_size() > 1)
      return std::nullopt;
    Known k = *x;
    int64_t rank = static_cast<int64_t>(x->dims.size());
    if (unsqueeze) {
      int64_t outRank = rank + static_cast<int64_t>(axes.size());
      std::vector<bool> inserted(outRank, false);
      for (int64_t a : axes) {
        auto ax = axisIn(a, outRank);
        if (!ax || inserted[*ax])
          return std::nullopt;
        inserted[*ax] = true;
      }
      k.dims.clear();
      size_t next = 0;
      for (int64_t i = 0; i < outRank; ++i)
        k.dims.push_back(inserted[i] ? 1 : x->dims[next++]);
      return k;
    }
    std::vector<bool> removed(rank, axes.empty());
    for (int64_t a : axes) {
      auto ax = axisIn(a, rank);
      if (!ax || x->dims[*ax] != 1)
        return std::nullopt;
      removed[*ax] = true;
    }
    k.dims.clear();
    for (int64_t i = 0; i < rank; ++i)
      if (!removed[i] || x->dims[i] != 1)
        k.dims.push_back(x->dims[i]);
    return k;
  }

  /// Concat of 1-D tensors.
  std::optional<Known> concat(const ::onnx::NodeProto &n) {
    Known k;
    for (int i = 0; i < n.input_size(); ++i) {
      const Known *x = input(n, i);
      if (!x || x->dims.size() != 1)
        return std::nullopt;
      k.type = x->type;
      k.values.insert(k.values.end(), x->values.begin(), x->values.end());
    }
    if (n.input_size() == 0 || k.values.size() > kMaxElements)
      return std::nullopt;
    k.dims = {static_cast<int64_t>(k.values.size())};
    return k;
  }

  /// Slice of a 1-D tensor (opset 10+: starts, ends, axes, steps inputs).
  std::optional<Known> slice(const ::onnx::NodeProto &n) {
    const Known *x = input(n, 0), *starts = input(n, 1), *ends = input(n, 2);
    if (!x || !starts || !ends || x->dims.size() != 1 ||
        starts->values.size() != 1 || ends->values.size() != 1)
      return std::nullopt;
    if (n.input_size() > 3 && !n.input(3).empty()) {
      const Known *axes = input(n, 3);
      if (!axes || axes->values.size() != 1 ||
          (axes->values[0] != 0 && axes->values[0] != -1))
        return std::nullopt;
    }
    int64_t step = 1;
    if (n.input_size() > 4 && !n.input(4).empty()) {
      const Known *steps = input(n, 4);
      if (!steps || steps->values.size() != 1 || steps->values[0] == 0)
        return std::nullopt;
      step = steps->values[0];
    }
    int64_t size = x->dims[0];
    auto clampIndex = [&](int64_t i, int64_t lo, int64_t hi) {
      if (i < 0)
        i = i < -size ? lo : i + size;
      return std::clamp(i, lo, hi);
    };
    int64_t b, e;
    if (step > 0) {
      b = clampIndex(starts->values[0], 0, size);
      e = clampIndex(ends->values[0], 0, size);
    } else {
      b = clampIndex(starts->values[0], -1, size - 1);
      e = clampIndex(ends->values[0], -1, size - 1);
    }
    Known k;
    k.type = x->type;
    for (int64_t i = b; step > 0 ? i < e : i > e; i += step)
      k.values.push_back(x->values[i]);
    k.dims = {static_cast<int64_t>(k.values.size())};
    return k;
  }

  /// Elementwise integer arithmetic, one operand a scalar or both the same
  /// shape; no folding on overflow or division by zero.
  std::optional<Known> arithmetic(const ::onnx::NodeProto &n, char op) {
    const Known *a = input(n, 0), *b = input(n, 1);
    if (!a || !b || a->type != b->type)
      return std::nullopt;
    bool aScalar = a->values.size() == 1, bScalar = b->values.size() == 1;
    if (a->dims != b->dims && !aScalar && !bScalar)
      return std::nullopt;
    // The result has the shape of the non-scalar operand (or of the
    // higher-rank one), unless broadcasting would raise its rank.
    const Known &big = (aScalar && !bScalar) ||
                               (aScalar && bScalar &&
                                b->dims.size() > a->dims.size())
                           ? *b
                           : *a;
    const Known &small = &big == a ? *b : *a;
    if (small.dims.size() > big.dims.size())
      return std::nullopt;
    Known k = big;
    size_t count = k.values.size();
    for (size_t i = 0; i < count; ++i) {
      int64_t x = a->values[aScalar ? 0 : i], y = b->values[bScalar ? 0 : i];
      int64_t r;
      switch (op) {
      case 'A':
        if (__builtin_add_overflow(x, y, &r))
          return std::nullopt;
        break;
      case 'S':
        if (__builtin_sub_overflow(x, y, &r))
          return std::nullopt;
        break;
      case 'M':
        if (__builtin_mul_overflow(x, y, &r))
          return std::nullopt;
        break;
      default:
        if (y == 0 || (x == std::numeric_limits<int64_t>::min() && y == -1))
          return std::nullopt;
        r = x / y; // ONNX integer Div truncates, as C does
        break;
      }
      if (k.type == TP::INT32 && r != static_cast<int32_t>(r))
        return std::nullopt;
      k.values[i] = r;
    }
    return k;
  }

  void replaceWithConstant(::onnx::NodeProto &node, const Known &k) {
    TP t;
    t.set_data_type(k.type);
    for (int64_t d : k.dims)
      t.add_dims(d);
    for (int64_t v : k.values) {
      if (k.type == TP::INT64)
        t.add_int64_data(v);
      else
        t.add_int32_data(static_cast<int32_t>(v));
    }
    std::string name = node.name(), out = node.output(0);
    node.Clear();
    node.set_name(name);
    node.set_op_type("Constant");
    node.add_output(out);
    auto *a = node.add_attribute();
    a->set_name("value");
    a->set_type(::onnx::AttributeProto::TENSOR);
    *a->mutable_t() = std::move(t);
  }

  ::onnx::GraphProto &graph;
  std::unordered_map<std::string, std::vector<int64_t>> shapes;
  std::unordered_map<std::string, Known> known;
};

} // namespace

int foldShapeComputations(::onnx::GraphProto &graph) {
  return Folder(graph).run();
}

namespace {

/// Ops whose output has the broadcast shape of their tensor inputs.
bool isElementwise(const std::string &op) {
  static const char *const ops[] = {
      "Abs",  "Acos",    "Acosh", "Add",     "And",     "Asin",  "Asinh",
      "Atan", "Atanh",   "Cast",  "Ceil",    "Cos",     "Cosh",  "Div",
      "Equal", "Erf",    "Exp",   "Floor",   "Greater", "Identity",
      "Less", "Log",     "Max",   "Min",     "Mod",     "Mul",   "Neg",
      "Not",  "Or",      "Pow",   "Reciprocal", "Relu", "Round", "Sigmoid",
      "Sign", "Sin",     "Sinh",  "Sqrt",    "Sub",     "Sum",   "Tan",
      "Tanh", "Where",   "Xor",   "Clip",    "LeakyRelu", "Softplus"};
  for (const char *o : ops)
    if (op == o)
      return true;
  return false;
}

const ::onnx::ValueInfoProto *findInfo(const ::onnx::GraphProto &g,
                                       const std::string &name) {
  for (const auto *list : {&g.output(), &g.value_info()})
    for (const auto &v : *list)
      if (v.name() == name)
        return &v;
  return nullptr;
}

std::optional<int64_t> staticLength(const ::onnx::ValueInfoProto *v) {
  if (!v || !v->type().has_tensor_type() ||
      !v->type().tensor_type().has_shape())
    return std::nullopt;
  const auto &shape = v->type().tensor_type().shape();
  if (shape.dim_size() != 1 || !shape.dim(0).has_dim_value())
    return std::nullopt;
  return shape.dim(0).dim_value();
}

} // namespace

int pinRangeLengths(::onnx::GraphProto &graph) {
  std::unordered_map<std::string, std::vector<const ::onnx::NodeProto *>> users;
  for (const auto &n : graph.node())
    for (const auto &in : n.input())
      users[in].push_back(&n);
  int pinned = 0;
  for (const auto &n : graph.node()) {
    if (n.op_type() != "Range" || !n.domain().empty() || n.output_size() != 1)
      continue;
    const std::string &out = n.output(0);
    if (staticLength(findInfo(graph, out)))
      continue;
    // Follow elementwise consumers to a rank-1 value of static length.
    std::optional<int64_t> length;
    std::vector<std::string> work{out};
    std::unordered_map<std::string, bool> seen;
    while (!work.empty() && !length) {
      std::string v = work.back();
      work.pop_back();
      if (seen[v])
        continue;
      seen[v] = true;
      if (v != out)
        length = staticLength(findInfo(graph, v));
      for (const auto *u : users[v])
        if (u->domain().empty() && isElementwise(u->op_type()))
          for (const auto &o : u->output())
            work.push_back(o);
    }
    if (!length)
      continue;
    ::onnx::ValueInfoProto *info = nullptr;
    for (auto &v : *graph.mutable_value_info())
      if (v.name() == out)
        info = &v;
    if (!info) {
      info = graph.add_value_info();
      info->set_name(out);
    }
    // Keep the element type inference found; set the length.
    auto *tt = info->mutable_type()->mutable_tensor_type();
    tt->mutable_shape()->clear_dim();
    tt->mutable_shape()->add_dim()->set_dim_value(*length);
    ++pinned;
  }
  return pinned;
}

} // namespace whittle
