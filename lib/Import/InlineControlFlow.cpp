//===- InlineControlFlow.cpp - unroll static If, Loop and Scan ------------===//
//
// Part of whittle.
//
// Whittle's generated code is straight-line: every tensor has one static
// shape and one place in the arena. Control flow whose iteration count the
// compiler knows is therefore unrolled in the ONNX graph itself, before
// import, so that shape inference, constant folding and every later pass see
// ordinary nodes.
//
//===----------------------------------------------------------------------===//

#include "InlineControlFlow.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_set>

namespace whittle {
namespace {

using TP = ::onnx::TensorProto;
using AP = ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::NodeProto;

/// Unrolling stops before the graph would hold more nodes than this.
constexpr size_t kMaxNodes = 100000;

/// The value of a one-element integer or bool tensor stored in the model.
std::optional<int64_t> scalarOf(const TP &t) {
  if (t.data_location() == TP::EXTERNAL)
    return std::nullopt;
  for (int64_t d : t.dims())
    if (d != 1)
      return std::nullopt;
  size_t width;
  bool isSigned = true;
  switch (t.data_type()) {
  case TP::INT64:
    width = 8;
    break;
  case TP::INT32:
    width = 4;
    break;
  case TP::INT16:
    width = 2;
    break;
  case TP::INT8:
    width = 1;
    break;
  case TP::UINT8:
  case TP::BOOL:
    width = 1;
    isSigned = false;
    break;
  default:
    return std::nullopt;
  }
  if (t.has_raw_data()) {
    if (t.raw_data().size() != width)
      return std::nullopt;
    uint64_t bits = 0;
    std::memcpy(&bits, t.raw_data().data(), width); // little-endian storage
    if (isSigned && width < 8 && (bits >> (8 * width - 1)) & 1)
      bits |= ~uint64_t(0) << (8 * width);
    return static_cast<int64_t>(bits);
  }
  if (t.data_type() == TP::INT64)
    return t.int64_data_size() == 1 ? std::optional<int64_t>(t.int64_data(0))
                                    : std::nullopt;
  return t.int32_data_size() == 1 ? std::optional<int64_t>(t.int32_data(0))
                                  : std::nullopt;
}

const AP *findAttr(const NodeProto &n, const char *name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

const GraphProto *graphAttr(const NodeProto &n, const char *name) {
  const AP *a = findAttr(n, name);
  return a && a->type() == AP::GRAPH ? &a->g() : nullptr;
}

std::vector<int64_t> intsAttr(const NodeProto &n, const char *name,
                              size_t count) {
  const AP *a = findAttr(n, name);
  if (!a)
    return std::vector<int64_t>(count, 0);
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

/// Every name a graph and its subgraphs use: values and node names share one
/// pool so that fresh names collide with neither.
void collectNames(const GraphProto &g, std::unordered_set<std::string> &used) {
  for (const auto &v : g.input())
    used.insert(v.name());
  for (const auto &v : g.output())
    used.insert(v.name());
  for (const auto &v : g.value_info())
    used.insert(v.name());
  for (const auto &t : g.initializer())
    used.insert(t.name());
  for (const auto &n : g.node()) {
    used.insert(n.name());
    used.insert(n.input().begin(), n.input().end());
    used.insert(n.output().begin(), n.output().end());
    for (const auto &a : n.attribute()) {
      if (a.type() == AP::GRAPH)
        collectNames(a.g(), used);
      for (const auto &sub : a.graphs())
        collectNames(sub, used);
    }
  }
}

std::optional<std::vector<int64_t>>
declaredShape(const ::onnx::ValueInfoProto &v) {
  if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape())
    return std::nullopt;
  std::vector<int64_t> dims;
  for (const auto &d : v.type().tensor_type().shape().dim()) {
    if (!d.has_dim_value())
      return std::nullopt;
    dims.push_back(d.dim_value());
  }
  return dims;
}

std::string shapeStr(const std::vector<int64_t> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

size_t countNodes(const GraphProto &g);

/// A node and the nodes of its subgraphs: what one copy of it costs.
size_t nodeCost(const NodeProto &node) {
  size_t n = 1;
  for (const auto &a : node.attribute()) {
    if (a.type() == AP::GRAPH)
      n += countNodes(a.g());
    for (const auto &sub : a.graphs())
      n += countNodes(sub);
  }
  return n;
}

size_t countNodes(const GraphProto &g) {
  size_t n = 0;
  for (const auto &node : g.node())
    n += nodeCost(node);
  return n;
}

using Env = std::unordered_map<std::string, std::string>;

std::string lookup(const Env &env, const std::string &name) {
  auto it = env.find(name);
  return it == env.end() ? name : it->second;
}

/// Renames, inside a subgraph, the values it reads from the enclosing scope.
/// Names the subgraph defines itself (inputs, initializers, node outputs)
/// shadow outer ones, as ONNX's checker allows: they are left alone.
void renameFree(GraphProto &g, const Env &outer) {
  Env env = outer;
  for (const auto &v : g.input())
    env.erase(v.name());
  for (const auto &t : g.initializer())
    env.erase(t.name());
  for (const auto &n : g.node())
    for (const auto &o : n.output())
      env.erase(o);
  for (auto &n : *g.mutable_node()) {
    for (auto &in : *n.mutable_input())
      in = lookup(env, in);
    for (auto &a : *n.mutable_attribute()) {
      if (a.type() == AP::GRAPH)
        renameFree(*a.mutable_g(), env);
      for (auto &sub : *a.mutable_graphs())
        renameFree(sub, env);
    }
  }
  for (auto &out : *g.mutable_output())
    out.set_name(lookup(env, out.name()));
}

/// Whether a body carries only tensors (no sequences or optionals), and
/// why not.
std::optional<std::string> checkBody(const GraphProto &body) {
  if (body.sparse_initializer_size() != 0)
    return std::string("its body has sparse initializers");
  // External data is resolved for the main graph's tensors only.
  for (const auto &t : body.initializer())
    if (t.data_location() == TP::EXTERNAL)
      return "its body's initializer '" + t.name() + "' is in external data";
  for (const auto &n : body.node())
    for (const auto &a : n.attribute())
      if (a.type() == AP::TENSOR && a.t().data_location() == TP::EXTERNAL)
        return "its body's constant '" +
               (n.output_size() ? n.output(0) : n.name()) +
               "' is in external data";
  auto isTensor = [](const ::onnx::ValueInfoProto &v) {
    return !v.has_type() || v.type().has_tensor_type();
  };
  for (const auto &v : body.input())
    if (!isTensor(v))
      return "its body takes the non-tensor value '" + v.name() +
             "' (sequences and optionals are not supported)";
  for (const auto &v : body.output())
    if (!isTensor(v))
      return "its body returns the non-tensor value '" + v.name() +
             "' (sequences and optionals are not supported)";
  return std::nullopt;
}

class Inliner {
public:
  Inliner(GraphProto &graph, int64_t opset, InlineState &state)
      : g(graph), opset(opset), st(state) {}

  int run() {
    prepare();
    int count = 0;
    std::vector<NodeProto> nodes;
    for (int i = 0; i < g.node_size(); ++i) {
      const NodeProto &node = g.node(i);
      const std::string &op = node.op_type();
      if (node.domain().empty() &&
          (op == "If" || op == "Loop" || op == "Scan")) {
        std::vector<NodeProto> body;
        std::string name =
            node.name().empty() ? op + "_" + std::to_string(i) : node.name();
        std::optional<std::string> why =
            op == "If"     ? inlineIf(node, name, body)
            : op == "Loop" ? inlineLoop(node, name, body)
                           : inlineScan(node, name, body);
        if (!why) {
          total -= nodeCost(node);
          for (const auto &n : body)
            total += nodeCost(n);
          for (auto &n : body)
            nodes.push_back(std::move(n));
          ++count;
          continue;
        }
        st.why[node.output_size() ? node.output(0) : std::string()] = *why;
      }
      nodes.push_back(node);
    }
    if (count) {
      g.clear_node();
      for (auto &n : nodes)
        *g.add_node() = std::move(n);
    }
    return count;
  }

  /// Sequences become lists of tensor names: every sequence op is replaced
  /// by tensor nodes. All or nothing: when one sequence op cannot be
  /// resolved, or a sequence reaches anything else, none is lowered.
  int runSequences() {
    prepare();
    std::unordered_set<std::string> seqValues;
    std::vector<int> seqNodes;
    for (int i = 0; i < g.node_size(); ++i) {
      const NodeProto &n = g.node(i);
      bool isSeqOp = n.domain().empty() && kSequenceOps.count(n.op_type());
      bool isAlias = n.domain().empty() && n.op_type() == "Identity" &&
                     n.input_size() == 1 && seqValues.count(n.input(0));
      if (!isSeqOp && !isAlias)
        continue;
      seqNodes.push_back(i);
      if (isAlias || kSequenceMakers.count(n.op_type()))
        if (n.output_size() == 1)
          seqValues.insert(n.output(0));
    }
    if (seqNodes.empty())
      return 0;
    size_t assumed = st.assumptions.size();
    auto refuse = [&](const std::string &why) {
      st.assumptions.resize(assumed); // nothing lowered, nothing assumed
      for (int i : seqNodes)
        if (g.node(i).output_size())
          st.why[g.node(i).output(0)] = why;
      return 0;
    };
    for (const auto &v : g.input())
      if (v.type().has_sequence_type())
        return refuse("the graph input '" + v.name() +
                      "' is a sequence, which has no static C form");
    for (const auto &v : g.output())
      if (seqValues.count(v.name()) || v.type().has_sequence_type())
        return refuse("the graph output '" + v.name() +
                      "' is a sequence, which has no static C form");
    for (const auto &n : g.node()) {
      bool handled = (n.domain().empty() && kSequenceOps.count(n.op_type())) ||
                     (n.op_type() == "Identity" && n.input_size() == 1 &&
                      seqValues.count(n.input(0)));
      for (const auto &in : n.input())
        if (seqValues.count(in) && !handled)
          return refuse("its sequence '" + in + "' also feeds a " +
                        n.op_type() + " node");
    }
    std::vector<NodeProto> nodes;
    size_t next = 0;
    for (int i = 0; i < g.node_size(); ++i) {
      const NodeProto &node = g.node(i);
      if (next >= seqNodes.size() || seqNodes[next] != i) {
        nodes.push_back(node);
        continue;
      }
      ++next;
      std::string name = node.name().empty()
                             ? node.op_type() + "_" + std::to_string(i)
                             : node.name();
      size_t before = nodes.size();
      auto why = lowerSequenceOp(node, name, nodes);
      total += nodes.size() - before;
      if (why) {
        refuse("a sequence op in the graph cannot be resolved at compile "
               "time (node '" +
               name + "')");
        st.why[node.output_size() ? node.output(0) : std::string()] = *why;
        return 0;
      }
    }
    g.clear_node();
    for (auto &n : nodes)
      *g.add_node() = std::move(n);
    return static_cast<int>(seqNodes.size());
  }

private:
  static inline const std::unordered_set<std::string> kSequenceMakers = {
      "SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceErase",
      "SplitToSequence"};
  static inline const std::unordered_set<std::string> kSequenceOps = {
      "SequenceEmpty", "SequenceConstruct", "SequenceInsert",
      "SequenceErase", "SplitToSequence",   "SequenceAt",
      "SequenceLength", "ConcatFromSequence"};

  void prepare() {
    collectNames(g, used);
    for (const auto &t : g.initializer())
      consts[t.name()] = &t;
    for (const auto &n : g.node())
      if (n.op_type() == "Constant" && n.output_size() == 1)
        if (const AP *v = findAttr(n, "value"); v && v->type() == AP::TENSOR)
          consts[n.output(0)] = &v->t();
    total = countNodes(g);
  }

  /// A tensor's static shape: one this pass computed, or inference's.
  std::optional<std::vector<int64_t>> elementShape(const std::string &name) {
    auto it = shapes.find(name);
    if (it != shapes.end())
      return it->second;
    return staticShape(name);
  }

  /// The one static shape all of `names` share, if they do.
  std::optional<std::vector<int64_t>>
  uniformShape(const std::vector<std::string> &names) {
    std::optional<std::vector<int64_t>> common;
    for (const auto &n : names) {
      auto s = elementShape(n);
      if (!s || (common && *common != *s))
        return std::nullopt;
      common = s;
    }
    return common;
  }

  std::string binaryNode(const std::string &op, const std::string &a,
                         const std::string &b, const std::string &name,
                         std::vector<NodeProto> &out) {
    std::string r = fresh(name + "/" + op);
    out.push_back(makeNode(op, name + "/" + op, {a, b}, r));
    return r;
  }

  /// A run-time position normalized into [0, n + extra), checked to lie in
  /// [-n, n - 1 + extra] when the model runs.
  std::string runtimePosition(const std::string &pos, int64_t n, int64_t extra,
                              const std::string &name,
                              std::vector<NodeProto> &out) {
    std::string p = fresh(name + "/pos");
    NodeProto cast = makeNode("Cast", name + "/pos", {pos}, p);
    AP *to = cast.add_attribute();
    to->set_name("to");
    to->set_type(AP::INT);
    to->set_i(TP::INT64);
    out.push_back(std::move(cast));
    auto c = [&](int64_t v) {
      return constant(name + "/c" + std::to_string(v), v, TP::INT64, false,
                      out);
    };
    std::string tooLow = binaryNode("Less", p, c(-n), name, out);
    std::string tooHigh = binaryNode("Greater", p, c(n - 1 + extra), name, out);
    std::string bad = binaryNode("Or", tooLow, tooHigh, name, out);
    std::string ok = fresh(name + "/in_range");
    out.push_back(makeNode("Not", name + "/in_range", {bad}, ok));
    st.assumptions.push_back(
        {ok, 1, name, "sequence position out of range"});
    std::string neg = binaryNode("Less", p, c(0), name, out);
    std::string wrapped = binaryNode("Add", p, c(n), name, out);
    std::string norm = fresh(name + "/position");
    out.push_back(makeNode("Where", name + "/position", {neg, wrapped, p}, norm));
    return norm;
  }

  std::string select(const std::string &cond, const std::string &a,
                     const std::string &b, const std::vector<int64_t> &shape,
                     const std::string &name, std::vector<NodeProto> &out) {
    std::string r = fresh(name + "/element");
    out.push_back(makeNode("Where", name + "/select", {cond, a, b}, r));
    shapes[r] = shape;
    return r;
  }

  std::optional<std::string> lowerSequenceOp(const NodeProto &node,
                                             const std::string &name,
                                             std::vector<NodeProto> &out) {
    const std::string &op = node.op_type();
    if (node.output_size() != 1)
      return std::string("it must have one output");
    const std::string &result = node.output(0);
    auto input = [&](int i) {
      return i < node.input_size() ? node.input(i) : std::string();
    };
    if (op == "SequenceEmpty") {
      seqs[result] = {};
      return std::nullopt;
    }
    if (op == "SequenceConstruct") {
      seqs[result].assign(node.input().begin(), node.input().end());
      return std::nullopt;
    }
    if (op == "SplitToSequence")
      return splitToSequence(node, name, out);
    auto it = seqs.find(input(0));
    if (it == seqs.end())
      return "its input '" + input(0) + "' is not a sequence known here";
    std::vector<std::string> elems = it->second;
    int64_t n = static_cast<int64_t>(elems.size());
    std::string pos = input(op == "SequenceInsert" ? 2 : 1);
    if (op == "Identity") {
      seqs[result] = elems;
      return std::nullopt;
    }
    if (op == "SequenceLength") {
      NodeProto c;
      c.set_op_type("Constant");
      c.set_name(fresh(name));
      c.add_output(result);
      AP *a = c.add_attribute();
      a->set_name("value");
      a->set_type(AP::TENSOR);
      a->mutable_t()->set_data_type(TP::INT64);
      a->mutable_t()->add_int64_data(n);
      out.push_back(std::move(c));
      return std::nullopt;
    }
    if (op == "ConcatFromSequence") {
      if (n == 0)
        return std::string("it concatenates an empty sequence");
      const AP *axisAttr = findAttr(node, "axis");
      const AP *newAxis = findAttr(node, "new_axis");
      if (!axisAttr)
        return std::string("it has no axis");
      if (newAxis && newAxis->i())
        stack(elems, axisAttr->i(), result, name, out);
      else {
        NodeProto c = makeNode("Concat", name, elems, result);
        AP *a = c.add_attribute();
        a->set_name("axis");
        a->set_type(AP::INT);
        a->set_i(axisAttr->i());
        out.push_back(std::move(c));
      }
      return std::nullopt;
    }
    // Insert, Erase, At: a position, constant or known only at run time.
    bool isInsert = op == "SequenceInsert", isAt = op == "SequenceAt";
    std::string tensor = isInsert ? input(1) : std::string();
    int64_t extra = isInsert ? 1 : 0;
    if (!isInsert && n == 0)
      return "it reads from an empty sequence";
    if (pos.empty() && isAt)
      return std::string("it has no position");
    if (pos.empty() || constantOf(pos)) {
      int64_t p = pos.empty() ? (isInsert ? n : n - 1) : *constantOf(pos);
      if (p < -n || p > n - 1 + extra)
        return "its position " + std::to_string(p) + " is out of range for " +
               std::to_string(n) + " tensors";
      if (p < 0)
        p += n;
      if (isAt)
        identity(elems[p], result, name, out);
      else if (isInsert)
        elems.insert(elems.begin() + p, tensor);
      else
        elems.erase(elems.begin() + p);
      if (!isAt)
        seqs[result] = elems;
      return std::nullopt;
    }
    if (auto ps = staticShape(pos); !ps || !ps->empty())
      return std::string("its position is only known at run time and is not "
                         "a scalar of static shape");
    if (!fits(4 * static_cast<size_t>(n + 1)))
      return std::string("selecting at a run-time position would exceed "
                         "the node limit");
    std::vector<std::string> all = elems;
    if (isInsert)
      all.push_back(tensor);
    auto shape = uniformShape(all);
    if (!shape)
      return std::string("its position is only known at run time and the "
                         "sequence's tensors do not share one static shape");
    if (isAt) {
      // Gather checks the position and wraps negative ones.
      std::string stacked = fresh(name + "/stacked");
      stack(elems, 0, stacked, name, out);
      NodeProto gather = makeNode("Gather", name, {stacked, pos}, result);
      out.push_back(std::move(gather));
      return std::nullopt;
    }
    std::string p = runtimePosition(pos, n, extra, name, out);
    auto c = [&](int64_t v) {
      return constant(name + "/c" + std::to_string(v), v, TP::INT64, false,
                      out);
    };
    std::vector<std::string> next;
    if (isInsert) {
      // Element i: S[i] before the position, the tensor at it, S[i-1] after.
      for (int64_t i = 0; i <= n; ++i) {
        std::string ci = c(i);
        std::string at = binaryNode("Equal", p, ci, name, out);
        std::string other;
        if (n == 0)
          other = tensor;
        else if (i == 0 || i == n)
          other = elems[i == 0 ? 0 : n - 1];
        else
          other = select(binaryNode("Greater", p, ci, name, out), elems[i],
                         elems[i - 1], *shape, name, out);
        next.push_back(select(at, tensor, other, *shape, name, out));
      }
    } else {
      // Element i: S[i] before the erased position, S[i+1] from it on.
      for (int64_t i = 0; i + 1 < n; ++i)
        next.push_back(select(binaryNode("Greater", p, c(i), name, out),
                              elems[i], elems[i + 1], *shape, name, out));
    }
    seqs[result] = next;
    return std::nullopt;
  }

  std::optional<std::string> splitToSequence(const NodeProto &node,
                                             const std::string &name,
                                             std::vector<NodeProto> &out) {
    const std::string &x = node.input(0);
    std::string split = node.input_size() > 1 ? node.input(1) : std::string();
    auto xs = elementShape(x);
    if (!xs)
      return "its input '" + x + "' has no static shape";
    int64_t rank = static_cast<int64_t>(xs->size());
    const AP *axisAttr = findAttr(node, "axis");
    int64_t axis = axisAttr ? axisAttr->i() : 0;
    if (axis < -rank || axis >= rank)
      return "axis " + std::to_string(axis) + " is out of range";
    if (axis < 0)
      axis += rank;
    const AP *keepAttr = findAttr(node, "keepdims");
    bool keep = !keepAttr || keepAttr->i();
    int64_t dim = (*xs)[axis];
    if (dim < 0)
      return "its input '" + x + "' has a negative extent";
    std::vector<int64_t> sizes;
    if (split.empty()) {
      if (!fits(static_cast<size_t>(std::min<int64_t>(dim, kMaxNodes + 1))))
        return "splitting " + std::to_string(dim) +
               " slices would exceed the node limit";
      sizes.assign(dim, 1);
    } else {
      auto it = consts.find(split);
      auto splitShape = staticShape(split);
      if (it != consts.end() && it->second->dims_size() <= 1) {
        std::vector<int64_t> values;
        const TP &t = *it->second;
        if (t.data_type() == TP::INT64 && !t.has_raw_data())
          values.assign(t.int64_data().begin(), t.int64_data().end());
        else if (t.data_type() == TP::INT32 && !t.has_raw_data())
          values.assign(t.int32_data().begin(), t.int32_data().end());
        else if (t.has_raw_data() &&
                 (t.data_type() == TP::INT64 || t.data_type() == TP::INT32)) {
          size_t w = t.data_type() == TP::INT64 ? 8 : 4;
          for (size_t k = 0; k + w <= t.raw_data().size(); k += w) {
            int64_t v = 0;
            if (w == 8) {
              std::memcpy(&v, t.raw_data().data() + k, 8);
            } else {
              int32_t v32;
              std::memcpy(&v32, t.raw_data().data() + k, 4);
              v = v32;
            }
            values.push_back(v);
          }
        } else {
          return std::string("its split is not an integer tensor");
        }
        if (t.dims_size() == 0) {
          if (values.size() != 1 || values[0] <= 0)
            return std::string("its split size must be positive");
          if (!fits(static_cast<size_t>(
                  std::min<int64_t>(dim / values[0] + 1, kMaxNodes + 1))))
            return std::string("its split gives too many pieces");
          for (int64_t left = dim; left > 0; left -= values[0])
            sizes.push_back(std::min(left, values[0])); // <= dim pieces
        } else {
          sizes = values;
        }
      } else if (splitShape && splitShape->size() == 1 && dim == 0) {
        // Any split of an empty axis gives that many empty tensors.
        if ((*splitShape)[0] < 0 || !fits(3 * (size_t)(*splitShape)[0]))
          return std::string("its split has too many pieces");
        sizes.assign((*splitShape)[0], 0);
      } else {
        return std::string("its split sizes are only known at run time");
      }
      int64_t sum = 0;
      for (int64_t v : sizes) {
        if (v < 0)
          return std::string("a split size is negative");
        if (v > dim - sum)
          return "its split sizes add up to more than " + std::to_string(dim);
        sum += v;
      }
      if (sum != dim)
        return "its split sizes add up to " + std::to_string(sum) + ", not " +
               std::to_string(dim);
    }
    if (!fits(3 * sizes.size()))
      return "splitting into " + std::to_string(sizes.size()) +
             " tensors would exceed the " + std::to_string(kMaxNodes) +
             " nodes whittle allows a graph";
    bool drop = split.empty() && !keep;
    std::vector<std::string> elems;
    int64_t start = 0;
    std::string axes = constant(name + "/axes", axis, TP::INT64, true, out);
    for (size_t k = 0; k < sizes.size(); ++k) {
      std::string e = fresh(x + "/" + std::to_string(k));
      std::vector<int64_t> shape = *xs;
      if (drop) {
        std::string idx = constant(name + "/index", start, TP::INT64, false,
                                   out);
        NodeProto gather = makeNode("Gather", name + "/slice", {x, idx}, e);
        AP *a = gather.add_attribute();
        a->set_name("axis");
        a->set_type(AP::INT);
        a->set_i(axis);
        out.push_back(std::move(gather));
        shape.erase(shape.begin() + axis);
      } else {
        std::string b = constant(name + "/start", start, TP::INT64, true, out);
        std::string e2 = constant(name + "/end", start + sizes[k], TP::INT64,
                                  true, out);
        out.push_back(makeNode("Slice", name + "/slice", {x, b, e2, axes}, e));
        shape[axis] = sizes[k];
      }
      shapes[e] = shape;
      elems.push_back(e);
      start += sizes[k];
    }
    seqs[node.output(0)] = elems;
    return std::nullopt;
  }

  std::string fresh(const std::string &base) {
    std::string name = base;
    for (int i = 1; !used.insert(name).second; ++i)
      name = base + "_" + std::to_string(i);
    return name;
  }

  std::optional<int64_t> constantOf(const std::string &name) const {
    auto it = consts.find(name);
    return it == consts.end() ? std::nullopt : scalarOf(*it->second);
  }

  /// The static shape shape inference (or the model) gives a value.
  std::optional<std::vector<int64_t>> staticShape(const std::string &name) {
    for (const auto *list : {&g.output(), &g.value_info(), &g.input()})
      for (const auto &v : *list)
        if (v.name() == name)
          if (auto dims = declaredShape(v))
            return dims;
    return std::nullopt;
  }

  NodeProto makeNode(const std::string &op, const std::string &name,
                     std::vector<std::string> inputs, const std::string &out) {
    NodeProto n;
    n.set_op_type(op);
    n.set_name(fresh(name));
    for (auto &in : inputs)
      n.add_input(std::move(in));
    n.add_output(out);
    return n;
  }

  /// A Constant node holding an int64 (or bool) scalar, or a one-element
  /// int64 vector.
  std::string constant(const std::string &base, int64_t v, int32_t type,
                       bool vector, std::vector<NodeProto> &out) {
    std::string name = fresh(base + ":0");
    NodeProto n = makeNode("Constant", base, {}, name);
    AP *a = n.add_attribute();
    a->set_name("value");
    a->set_type(AP::TENSOR);
    TP *t = a->mutable_t();
    t->set_data_type(type);
    if (vector)
      t->add_dims(1);
    if (type == TP::BOOL)
      t->add_int32_data(static_cast<int32_t>(v));
    else
      t->add_int64_data(v);
    out.push_back(std::move(n));
    return name;
  }

  /// Appends one copy of `body` with its inputs bound to `bind`; returns the
  /// names its outputs take in this copy.
  std::vector<std::string> instantiate(const GraphProto &body,
                                       const std::vector<std::string> &bind,
                                       const std::string &prefix,
                                       std::vector<NodeProto> &out) {
    Env env;
    for (int i = 0; i < body.input_size(); ++i)
      env[body.input(i).name()] = bind[i];
    // Initializers and Constant nodes are the same in every copy: they are
    // emitted once per body.
    auto [hoist, first] = hoisted.try_emplace(&body);
    if (first) {
      for (const auto &t : body.initializer()) {
        TP *copy = g.add_initializer();
        *copy = t;
        copy->set_name(fresh(t.name()));
        hoist->second[t.name()] = copy->name();
      }
      for (const auto &n : body.node())
        if (n.op_type() == "Constant" && n.input_size() == 0 &&
            n.output_size() == 1) {
          NodeProto c = n;
          c.set_name(fresh(prefix + "/" + n.name()));
          c.set_output(0, fresh(n.output(0)));
          hoist->second[n.output(0)] = c.output(0);
          out.push_back(std::move(c));
        }
    }
    for (const auto &[from, to] : hoist->second)
      env.try_emplace(from, to); // a body input shadows an initializer
    for (int i = 0; i < body.node_size(); ++i) {
      const NodeProto &n = body.node(i);
      if (n.op_type() == "Constant" && n.input_size() == 0 &&
          n.output_size() == 1)
        continue;
      NodeProto copy = n;
      copy.set_name(fresh(prefix + "/" +
                          (n.name().empty()
                               ? n.op_type() + "_" + std::to_string(i)
                               : n.name())));
      for (auto &in : *copy.mutable_input())
        in = lookup(env, in);
      for (auto &a : *copy.mutable_attribute()) {
        if (a.type() == AP::GRAPH)
          renameFree(*a.mutable_g(), env);
        for (auto &sub : *a.mutable_graphs())
          renameFree(sub, env);
      }
      for (auto &o : *copy.mutable_output()) {
        if (o.empty())
          continue;
        std::string renamed = fresh(o + "/" + prefix.substr(
                                                  prefix.rfind('/') + 1));
        env[o] = renamed;
        o = renamed;
      }
      out.push_back(std::move(copy));
    }
    std::vector<std::string> results;
    for (const auto &o : body.output())
      results.push_back(lookup(env, o.name()));
    return results;
  }

  void identity(const std::string &from, const std::string &to,
                const std::string &name, std::vector<NodeProto> &out) {
    if (!to.empty())
      out.push_back(makeNode("Identity", name + "/" + to, {from}, to));
  }

  /// Stacks per-iteration values along a new `axis` into `to`.
  void stack(const std::vector<std::string> &parts, int64_t axis,
             const std::string &to, const std::string &name,
             std::vector<NodeProto> &out) {
    if (to.empty())
      return;
    std::string axes;
    if (opset >= 13)
      axes = constant(name + "/axes", axis, TP::INT64, true, out);
    std::vector<std::string> pieces;
    for (size_t i = 0; i < parts.size(); ++i) {
      std::string piece =
          parts.size() == 1 ? to : fresh(to + "/" + std::to_string(i));
      std::vector<std::string> ins{parts[i]};
      if (opset >= 13)
        ins.push_back(axes);
      NodeProto n = makeNode("Unsqueeze", name + "/stack", ins, piece);
      if (opset < 13) {
        AP *a = n.add_attribute();
        a->set_name("axes");
        a->set_type(AP::INTS);
        a->add_ints(axis);
      }
      out.push_back(std::move(n));
      pieces.push_back(piece);
    }
    if (parts.size() > 1) {
      NodeProto n = makeNode("Concat", name + "/stack", pieces, to);
      AP *a = n.add_attribute();
      a->set_name("axis");
      a->set_type(AP::INT);
      a->set_i(axis);
      out.push_back(std::move(n));
    }
  }

  /// Whether `more` nodes still fit under kMaxNodes.
  bool fits(size_t more) const {
    return more <= kMaxNodes && total + more <= kMaxNodes;
  }

  std::optional<std::string> checkBudget(int64_t iterations,
                                         const GraphProto &body,
                                         size_t extraPerIteration) {
    // Each iteration adds the body plus its slicing and stacking nodes.
    size_t per = countNodes(body) + extraPerIteration;
    if (iterations > 0 &&
        (static_cast<size_t>(iterations) > kMaxNodes / per ||
         total + static_cast<size_t>(iterations) * per > kMaxNodes))
      return "unrolling its " + std::to_string(iterations) +
             " iterations would exceed the " + std::to_string(kMaxNodes) +
             " nodes whittle allows a graph";
    return std::nullopt;
  }

  std::optional<std::string> inlineIf(const NodeProto &node,
                                      const std::string &name,
                                      std::vector<NodeProto> &out) {
    const GraphProto *thenG = graphAttr(node, "then_branch"),
                     *elseG = graphAttr(node, "else_branch");
    if (!thenG || !elseG || node.input_size() != 1)
      return std::string("it lacks a branch or its condition");
    for (const GraphProto *b : {thenG, elseG}) {
      if (b->output_size() != node.output_size() || b->input_size() != 0)
        return std::string("a branch's outputs do not match the node's");
      if (auto why = checkBody(*b))
        return why;
    }
    const std::string &cond = node.input(0);
    if (auto c = constantOf(cond)) {
      const GraphProto &chosen = *c ? *thenG : *elseG;
      auto outs = instantiate(chosen, {}, name + (*c ? "/then" : "/else"), out);
      for (int k = 0; k < node.output_size(); ++k)
        identity(outs[k], node.output(k), name, out);
      return std::nullopt;
    }
    // Both branches run; Where keeps the one the condition picks, which
    // needs a scalar condition and one shape for both.
    if (auto cs = staticShape(cond); !cs || !cs->empty())
      return std::string("its condition is known only at run time and is "
                         "not a scalar of static shape");
    for (int k = 0; k < node.output_size(); ++k) {
      auto a = declaredShape(thenG->output(k)),
           b = declaredShape(elseG->output(k));
      if (a && b && *a != *b)
        return "its condition is known only at run time and its branches "
               "give output " +
               std::to_string(k) + " different shapes (" + shapeStr(*a) +
               " and " + shapeStr(*b) + ")";
    }
    auto thenOuts = instantiate(*thenG, {}, name + "/then", out);
    auto elseOuts = instantiate(*elseG, {}, name + "/else", out);
    for (int k = 0; k < node.output_size(); ++k) {
      if (node.output(k).empty())
        continue;
      out.push_back(makeNode("Where", name + "/select",
                             {cond, thenOuts[k], elseOuts[k]},
                             node.output(k)));
      st.sameShapes.push_back({thenOuts[k], elseOuts[k], name, k});
    }
    return std::nullopt;
  }

  /// Whether the loop body hands its condition on unchanged (or sets it to
  /// true): then the condition only decides whether the loop runs at all.
  bool passesCondition(const GraphProto &body) {
    const std::string &in = body.input(1).name(), &out = body.output(0).name();
    if (in == out)
      return true;
    for (const auto &n : body.node()) {
      if (n.output_size() != 1 || n.output(0) != out)
        continue;
      if (n.op_type() == "Identity" && n.input_size() == 1)
        return n.input(0) == in;
      if (n.op_type() == "Constant")
        if (const AP *v = findAttr(n, "value"); v && v->type() == AP::TENSOR)
          return scalarOf(v->t()) == std::optional<int64_t>(1);
      return false;
    }
    for (const auto &t : body.initializer())
      if (t.name() == out)
        return scalarOf(t) == std::optional<int64_t>(1);
    for (const auto &v : body.input())
      if (v.name() == out)
        return false; // a body input other than cond_in: not constant
    return constantOf(out) == std::optional<int64_t>(1);
  }

  std::optional<std::string> inlineLoop(const NodeProto &node,
                                        const std::string &name,
                                        std::vector<NodeProto> &out) {
    const GraphProto *body = graphAttr(node, "body");
    if (!body || node.input_size() < 2)
      return std::string("it lacks a body or its first two inputs");
    int nCarried = node.input_size() - 2;
    if (body->input_size() != 2 + nCarried ||
        body->output_size() < 1 + nCarried)
      return std::string("its body's inputs and outputs do not match the "
                         "node's");
    int nScan = body->output_size() - 1 - nCarried;
    if (node.output_size() > nCarried + nScan)
      return std::string("it has more outputs than its body");
    if (auto why = checkBody(*body))
      return why;
    for (int k = 0; k < nCarried; ++k)
      if (node.input(2 + k).empty())
        return std::string("a loop-carried input is missing");
    if (!passesCondition(*body))
      return std::string("its body computes the loop condition at run time");
    const std::string &trip = node.input(0), &cond = node.input(1);
    int64_t n = 0;
    bool checkTrip = false;
    std::optional<int64_t> scanExtent;
    if (nScan > 0 && node.output_size() > nCarried)
      if (auto shape = staticShape(node.output(nCarried)); shape && !shape->empty())
        if ((*shape)[0] >= 0)
          scanExtent = (*shape)[0];
    if (auto m = trip.empty() ? std::nullopt : constantOf(trip)) {
      n = std::max<int64_t>(*m, 0);
    } else if (!trip.empty() && scanExtent) {
      n = *scanExtent;
      checkTrip = true;
    } else if (trip.empty()) {
      return std::string("it has no trip count (a loop ended by its "
                         "condition alone)");
    } else {
      return std::string("its trip count is computed at run time and no "
                         "scan output has a static shape that fixes it");
    }
    bool checkCond = false;
    if (!cond.empty()) {
      if (auto c = constantOf(cond)) {
        if (!*c)
          n = 0;
      } else {
        checkCond = n > 0;
      }
    }
    if (n == 0 && nScan > 0)
      return std::string("it runs no iteration, which leaves its scan "
                         "outputs empty");
    if (auto why = checkBudget(n, *body, 2 + static_cast<size_t>(nScan)))
      return why;

    if (checkTrip)
      st.assumptions.push_back(
          {trip, n, name,
           "Loop trip count differs from " + std::to_string(n) +
               ", the extent of its scan outputs"});
    if (checkCond)
      st.assumptions.push_back(
          {cond, 1, name, "Loop condition is false on entry"});
    std::vector<std::string> carried(node.input().begin() + 2,
                                     node.input().end());
    std::vector<std::vector<std::string>> scans(nScan);
    std::string condName =
        cond.empty() ? constant(name + "/true", 1, TP::BOOL, false, out) : cond;
    for (int64_t i = 0; i < n; ++i) {
      std::string it = "it" + std::to_string(i);
      std::vector<std::string> bind{
          constant(name + "/" + it + "/iter", i, TP::INT64, false, out),
          condName};
      bind.insert(bind.end(), carried.begin(), carried.end());
      auto outs = instantiate(*body, bind, name + "/" + it, out);
      for (int k = 0; k < nCarried; ++k)
        carried[k] = outs[1 + k];
      for (int j = 0; j < nScan; ++j)
        scans[j].push_back(outs[1 + nCarried + j]);
    }
    for (int k = 0; k < nCarried && k < node.output_size(); ++k)
      identity(carried[k], node.output(k), name, out);
    for (int j = 0; j < nScan && nCarried + j < node.output_size(); ++j)
      stack(scans[j], 0, node.output(nCarried + j), name, out);
    return std::nullopt;
  }

  std::optional<std::string> inlineScan(const NodeProto &node,
                                        const std::string &name,
                                        std::vector<NodeProto> &out) {
    if (opset < 9)
      return std::string("Scan before opset 9 (with a batch axis) is not "
                         "supported");
    const GraphProto *body = graphAttr(node, "body");
    const AP *numAttr = findAttr(node, "num_scan_inputs");
    if (!body || !numAttr)
      return std::string("it lacks a body or num_scan_inputs");
    int64_t nIn = numAttr->i();
    int64_t nState = node.input_size() - nIn;
    int64_t nOut = node.output_size() - nState;
    if (nIn < 1 || nState < 0 || nOut < 0 ||
        body->input_size() != node.input_size() ||
        body->output_size() != node.output_size())
      return std::string("its body's inputs and outputs do not match the "
                         "node's");
    if (auto why = checkBody(*body))
      return why;
    auto inAxes = intsAttr(node, "scan_input_axes", nIn);
    auto inDirs = intsAttr(node, "scan_input_directions", nIn);
    auto outAxes = intsAttr(node, "scan_output_axes", nOut);
    auto outDirs = intsAttr(node, "scan_output_directions", nOut);
    if ((int64_t)inAxes.size() != nIn || (int64_t)inDirs.size() != nIn ||
        (int64_t)outAxes.size() != nOut || (int64_t)outDirs.size() != nOut)
      return std::string("a scan axes or directions attribute has the wrong "
                         "length");
    std::optional<int64_t> n;
    for (int64_t s = 0; s < nIn; ++s) {
      const std::string &x = node.input(nState + s);
      auto shape = staticShape(x);
      if (!shape)
        return "scan input '" + x + "' has no static shape";
      int64_t rank = shape->size(), axis = inAxes[s];
      if (axis < -rank || axis >= rank)
        return "scan axis " + std::to_string(axis) + " of '" + x +
               "' is out of range";
      inAxes[s] = axis < 0 ? axis + rank : axis;
      int64_t extent = (*shape)[inAxes[s]];
      if (n && *n != extent)
        return std::string("its scan inputs have different extents");
      if (extent < 0)
        return "scan input '" + x + "' has a negative extent";
      n = extent;
    }
    for (int64_t j = 0; j < nOut; ++j) {
      if (outAxes[j] >= 0)
        continue;
      auto shape = staticShape(node.output(nState + j));
      if (!shape)
        return std::string("a negative scan output axis needs the output's "
                           "static shape");
      int64_t rank = shape->size();
      if (outAxes[j] < -rank)
        return std::string("a scan output axis is out of range");
      outAxes[j] += rank;
    }
    if (*n == 0 && nOut > 0)
      return std::string("it runs no iteration, which leaves its scan "
                         "outputs empty");
    if (auto why = checkBudget(*n, *body,
                               static_cast<size_t>(2 * nIn + nOut) + 1))
      return why;

    std::vector<std::string> state(node.input().begin(),
                                   node.input().begin() + nState);
    std::vector<std::vector<std::string>> scans(nOut);
    for (int64_t t = 0; t < *n; ++t) {
      std::string it = "it" + std::to_string(t);
      std::vector<std::string> bind = state;
      for (int64_t s = 0; s < nIn; ++s) {
        const std::string &x = node.input(nState + s);
        int64_t index = inDirs[s] ? *n - 1 - t : t;
        std::string idx = constant(name + "/" + it + "/index", index,
                                   TP::INT64, false, out);
        std::string slice = fresh(x + "/" + it);
        NodeProto gather = makeNode("Gather", name + "/" + it + "/slice",
                                    {x, idx}, slice);
        AP *a = gather.add_attribute();
        a->set_name("axis");
        a->set_type(AP::INT);
        a->set_i(inAxes[s]);
        out.push_back(std::move(gather));
        bind.push_back(slice);
      }
      auto outs = instantiate(*body, bind, name + "/" + it, out);
      for (int64_t k = 0; k < nState; ++k)
        state[k] = outs[k];
      for (int64_t j = 0; j < nOut; ++j)
        scans[j].push_back(outs[nState + j]);
    }
    for (int64_t k = 0; k < nState; ++k)
      identity(state[k], node.output(k), name, out);
    for (int64_t j = 0; j < nOut; ++j) {
      if (outDirs[j])
        std::reverse(scans[j].begin(), scans[j].end());
      stack(scans[j], outAxes[j], node.output(nState + j), name, out);
    }
    return std::nullopt;
  }

  GraphProto &g;
  int64_t opset;
  InlineState &st;
  std::unordered_set<std::string> used;
  std::unordered_map<std::string, const TP *> consts;
  std::unordered_map<const GraphProto *, Env> hoisted;
  size_t total = 0;
  /// Sequences lowered so far: their tensors, in order.
  std::unordered_map<std::string, std::vector<std::string>> seqs;
  std::unordered_map<std::string, std::vector<int64_t>> shapes;
};

} // namespace

int inlineControlFlow(GraphProto &graph, int64_t opset, InlineState &state) {
  return Inliner(graph, opset, state).run();
}

int lowerSequences(GraphProto &graph, int64_t opset, InlineState &state) {
  return Inliner(graph, opset, state).runSequences();
}

} // namespace whittle
