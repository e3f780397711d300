//===- Gradient.cpp - expand Gradient into ONNX nodes ---------------------===//
//
// Part of whittle.
//
// ONNX's training preview has a Gradient operator: the derivative of one
// graph value with respect to others. Whittle differentiates the graph
// symbolically before import (reverse mode, one ONNX node per step), so the
// derivative is ordinary nodes that shape inference, folding and every later
// pass see like the rest of the model.
//
//===----------------------------------------------------------------------===//

#include "Gradient.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace whittle {
namespace {

using TP = ::onnx::TensorProto;
using AP = ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::NodeProto;

constexpr const char *kTrainingDomain = "ai.onnx.preview.training";

using Shape = std::vector<int64_t>;

class Differentiator {
public:
  Differentiator(const GraphProto &graph, int gradIndex, int64_t opset)
      : graph(graph), grad(graph.node(gradIndex)), gradIndex(gradIndex),
        opset(opset) {
    for (const auto &v : graph.input())
      note(v);
    for (const auto &v : graph.value_info())
      note(v);
    for (const auto &v : graph.output())
      note(v);
    for (const auto &t : graph.initializer()) {
      shapes[t.name()] = Shape(t.dims().begin(), t.dims().end());
      types[t.name()] = t.data_type();
      used.insert(t.name());
    }
    for (const auto &n : graph.node()) {
      used.insert(n.name());
      for (const auto &v : n.input())
        used.insert(v);
      for (const auto &v : n.output())
        used.insert(v);
    }
  }

  /// The replacement nodes and where they go (before node `position`), or
  /// false with `why`.
  bool run(std::vector<NodeProto> &out, int &position, std::string &why);

private:
  const GraphProto &graph;
  const NodeProto &grad;
  int gradIndex;
  int64_t opset;
  std::unordered_map<std::string, Shape> shapes;
  std::unordered_map<std::string, int32_t> types;
  std::unordered_set<std::string> used;
  std::vector<NodeProto> nodes;
  std::string failure;

  void note(const ::onnx::ValueInfoProto &v) {
    used.insert(v.name());
    if (!v.type().has_tensor_type())
      return;
    const auto &tt = v.type().tensor_type();
    types[v.name()] = tt.elem_type();
    if (!tt.has_shape())
      return;
    Shape s;
    for (const auto &d : tt.shape().dim()) {
      if (!d.has_dim_value())
        return;
      s.push_back(d.dim_value());
    }
    shapes[v.name()] = s;
  }

  std::string fresh(const std::string &hint) {
    std::string base = (grad.name().empty() ? "Gradient" : grad.name()) +
                       "/" + hint;
    std::string name = base;
    for (int i = 1; used.count(name); ++i)
      name = base + "_" + std::to_string(i);
    used.insert(name);
    return name;
  }

  /// Appends `op`(inputs) and returns its output's name.
  std::string emit(const std::string &op, std::vector<std::string> inputs,
                   const std::function<void(NodeProto &)> &attrs = nullptr,
                   const std::string &output = "") {
    NodeProto n;
    n.set_op_type(op);
    n.set_name(fresh(op));
    for (auto &in : inputs)
      n.add_input(in);
    std::string out = output.empty() ? fresh(op + "_out") : output;
    n.add_output(out);
    if (attrs)
      attrs(n);
    nodes.push_back(std::move(n));
    return out;
  }

  static void intAttr(NodeProto &n, const char *name, int64_t v) {
    AP *a = n.add_attribute();
    a->set_name(name);
    a->set_type(AP::INT);
    a->set_i(v);
  }

  std::string constI64(const Shape &values) {
    return emit("Constant", {}, [&](NodeProto &n) {
      AP *a = n.add_attribute();
      a->set_name("value");
      a->set_type(AP::TENSOR);
      TP *t = a->mutable_t();
      t->set_data_type(TP::INT64);
      t->add_dims((int64_t)values.size());
      for (int64_t v : values)
        t->add_int64_data(v);
    });
  }

  /// The scalar `v` in the element type of `like`.
  std::string scalarLike(double v, const std::string &like) {
    std::string c = emit("Constant", {}, [&](NodeProto &n) {
      AP *a = n.add_attribute();
      a->set_name("value");
      a->set_type(AP::TENSOR);
      TP *t = a->mutable_t();
      t->set_data_type(TP::DOUBLE);
      t->add_double_data(v);
    });
    return emit("Cast", {c}, [&](NodeProto &n) {
      intAttr(n, "to", typeOf(like));
    });
  }

  /// `v` broadcast to the shape of `like`, typed like it.
  std::string filledLike(double v, const std::string &like,
                         const std::string &output = "") {
    std::string shape = emit("Shape", {like});
    return emit("Expand", {scalarLike(v, like), shape}, nullptr, output);
  }

  int32_t typeOf(const std::string &name) {
    auto it = types.find(name);
    return it == types.end() ? (int32_t)TP::FLOAT : it->second;
  }

  /// The gradient `d` of a broadcast result summed back to `input`'s
  /// shape; empty with `failure` set if a shape is unknown.
  std::string unbroadcast(const std::string &d, const std::string &input,
                          const std::string &result) {
    auto in = shapes.find(input), res = shapes.find(result);
    if (in == shapes.end() || res == shapes.end()) {
      failure = "the shape of '" +
                (in == shapes.end() ? input : result) +
                "' is not known after shape inference";
      return "";
    }
    if (in->second == res->second)
      return d;
    const Shape &is = in->second, &rs = res->second;
    size_t lead = rs.size() - is.size();
    Shape axes;
    for (size_t i = 0; i < rs.size(); ++i)
      if (i < lead || (is[i - lead] == 1 && rs[i] != 1))
        axes.push_back((int64_t)i);
    std::string sum = d;
    if (!axes.empty()) {
      auto keep = [&](NodeProto &n) {
        intAttr(n, "keepdims", 1);
        if (opset < 13) {
          AP *a = n.add_attribute();
          a->set_name("axes");
          a->set_type(AP::INTS);
          for (int64_t x : axes)
            a->add_ints(x);
        }
      };
      sum = opset < 13 ? emit("ReduceSum", {d}, keep)
                       : emit("ReduceSum", {d, constI64(axes)}, keep);
    }
    return emit("Reshape", {sum, constI64(is)});
  }

  /// Gradients of node `n`'s inputs from `g`, the gradient of its output
  /// (empty entries: not needed or not differentiable); false with
  /// `failure` for an operator without a rule.
  bool rule(const NodeProto &n, const std::string &label,
            const std::string &g, const std::vector<bool> &needed,
            std::vector<std::string> &d);
};

/// How diagnostics name node `i`: its name, or op type and index as the
/// importer names unnamed nodes.
std::string label(const GraphProto &graph, int i) {
  const NodeProto &n = graph.node(i);
  return n.name().empty() ? n.op_type() + "_" + std::to_string(i) : n.name();
}

bool Differentiator::rule(const NodeProto &n, const std::string &label,
                          const std::string &g,
                          const std::vector<bool> &needed,
                          std::vector<std::string> &d) {
  const std::string &op = n.op_type();
  auto in = [&](int i) { return n.input(i); };
  const std::string &y = n.output(0);
  d.assign(n.input_size(), "");
  auto want = [&](int i) { return i < (int)needed.size() && needed[i]; };
  auto unary = [&](const std::function<std::string()> &f) {
    if (want(0))
      d[0] = f();
  };
  if (!n.domain().empty() && n.domain() != "ai.onnx") {
    failure = "operator '" + n.domain() + "." + op + "' (node '" + label +
              "') has no derivative";
    return false;
  }
  if (op == "Identity") {
    unary([&] { return g; });
  } else if (op == "Neg") {
    unary([&] { return emit("Neg", {g}); });
  } else if (op == "Exp") {
    unary([&] { return emit("Mul", {g, y}); });
  } else if (op == "Relu") {
    unary([&] {
      std::string pos = emit("Greater", {in(0), scalarLike(0.0, in(0))});
      std::string mask = emit("Cast", {pos}, [&](NodeProto &c) {
        intAttr(c, "to", typeOf(in(0)));
      });
      return emit("Mul", {g, mask});
    });
  } else if (op == "Tanh") {
    unary([&] {
      std::string sq = emit("Mul", {y, y});
      return emit("Mul", {g, emit("Sub", {scalarLike(1.0, y), sq})});
    });
  } else if (op == "Sigmoid") {
    unary([&] {
      std::string rest = emit("Sub", {scalarLike(1.0, y), y});
      return emit("Mul", {g, emit("Mul", {y, rest})});
    });
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    for (int i = 0; i < 2; ++i) {
      if (!want(i))
        continue;
      std::string di;
      if (op == "Add")
        di = g;
      else if (op == "Sub")
        di = i == 0 ? g : emit("Neg", {g});
      else if (op == "Mul")
        di = emit("Mul", {g, in(1 - i)});
      else if (i == 0) // d(a / b)/da = 1 / b
        di = emit("Div", {g, in(1)});
      else // d(a / b)/db = -(a / b) / b
        di = emit("Neg", {emit("Div", {emit("Mul", {g, y}), in(1)})});
      d[i] = unbroadcast(di, in(i), y);
      if (d[i].empty())
        return false;
    }
  } else if (op == "MatMul") {
    auto a = shapes.find(in(0)), b = shapes.find(in(1));
    if (a == shapes.end() || b == shapes.end() || a->second.size() != 2 ||
        b->second.size() != 2) {
      failure = "MatMul node '" + label +
                "' is differentiated only with 2-D operands of known shape";
      return false;
    }
    if (want(0))
      d[0] = emit("MatMul", {g, emit("Transpose", {in(1)})});
    if (want(1))
      d[1] = emit("MatMul", {emit("Transpose", {in(0)}), g});
  } else {
    failure = "operator '" + op + "' (node '" + label +
              "') has no derivative in whittle";
    return false;
  }
  return true;
}

bool Differentiator::run(std::vector<NodeProto> &out, int &position,
                         std::string &why) {
  std::vector<std::string> xs;
  std::string y;
  for (const auto &a : grad.attribute()) {
    if (a.name() == "xs")
      xs.assign(a.strings().begin(), a.strings().end());
    else if (a.name() == "y")
      y = a.s();
  }
  if (y.empty() || xs.empty() || grad.output_size() > (int)xs.size()) {
    why = "Gradient needs attributes xs and y, and one output per x";
    return false;
  }
  // Values that depend on some x, and nodes on a path from an x to y.
  std::unordered_set<std::string> depends(xs.begin(), xs.end()), reaches{y};
  for (int i = 0; i < graph.node_size(); ++i) {
    const NodeProto &n = graph.node(i);
    if (i == gradIndex)
      continue;
    if (std::any_of(n.input().begin(), n.input().end(),
                    [&](const std::string &v) { return depends.count(v); }))
      depends.insert(n.output().begin(), n.output().end());
  }
  std::vector<int> path;
  for (int i = graph.node_size() - 1; i >= 0; --i) {
    const NodeProto &n = graph.node(i);
    if (i == gradIndex)
      continue;
    bool onPath = std::any_of(n.output().begin(), n.output().end(),
                              [&](const std::string &v) {
                                return reaches.count(v) && depends.count(v);
                              });
    if (!onPath)
      continue;
    reaches.insert(n.input().begin(), n.input().end());
    path.push_back(i); // reverse topological order
  }
  // Contributions to each value's gradient, summed when first read.
  std::map<std::string, std::vector<std::string>> parts;
  auto total = [&](const std::string &v) -> std::string {
    auto it = parts.find(v);
    if (it == parts.end())
      return "";
    if (it->second.size() == 1)
      return it->second[0];
    std::string s = emit("Sum", it->second);
    it->second = {s};
    return s;
  };
  if (depends.count(y))
    parts[y].push_back(filledLike(1.0, y));
  for (int i : path) {
    const NodeProto &n = graph.node(i);
    if (n.output_size() != 1) {
      why = "operator '" + n.op_type() + "' (node '" + label(graph, i) +
            "') has several outputs; whittle differentiates single-output "
            "operators";
      return false;
    }
    std::string g = total(n.output(0));
    if (g.empty())
      continue;
    std::vector<bool> needed;
    for (const auto &v : n.input())
      needed.push_back(!v.empty() && depends.count(v));
    std::vector<std::string> d;
    if (!rule(n, label(graph, i), g, needed, d)) {
      why = failure;
      return false;
    }
    for (int k = 0; k < n.input_size(); ++k)
      if (!d[k].empty())
        parts[n.input(k)].push_back(d[k]);
  }
  for (int k = 0; k < grad.output_size(); ++k) {
    const std::string &o = grad.output(k);
    if (o.empty())
      continue;
    std::string g = total(xs[k]);
    if (g.empty())
      filledLike(0.0, xs[k], o);
    else
      emit("Identity", {g}, nullptr, o);
  }
  // After the Gradient node and the last node differentiated; no consumer
  // of a gradient may sit in between.
  int last = path.empty() ? gradIndex : std::max(gradIndex, path.front());
  for (int i = gradIndex + 1; i <= last; ++i)
    for (const auto &v : graph.node(i).input())
      for (const auto &o : grad.output())
        if (!o.empty() && v == o) {
          why = "node '" + label(graph, i) + "' reads gradient '" + o +
                "' before the nodes it is computed from";
          return false;
        }
  position = last + 1;
  out = std::move(nodes);
  return true;
}

} // namespace

int expandGradients(GraphProto &graph, int64_t opset, InlineState &state) {
  int replaced = 0;
  for (int i = 0; i < graph.node_size(); ++i) {
    const NodeProto &n = graph.node(i);
    if (n.domain() != kTrainingDomain || n.op_type() != "Gradient")
      continue;
    Differentiator diff(graph, i, opset);
    std::vector<NodeProto> nodes;
    int position = 0;
    std::string why;
    if (!diff.run(nodes, position, why)) {
      if (n.output_size() != 0)
        state.why[n.output(0)] = why;
      continue;
    }
    // Rebuild the node list: the new nodes go before `position`, the
    // Gradient node goes.
    std::vector<NodeProto> all;
    for (int j = 0; j < graph.node_size(); ++j) {
      if (j == position)
        for (auto &m : nodes)
          all.push_back(m);
      if (j != i)
        all.push_back(graph.node(j));
    }
    if (position >= graph.node_size())
      for (auto &m : nodes)
        all.push_back(m);
    graph.clear_node();
    for (auto &m : all)
      *graph.add_node() = std::move(m);
    ++replaced;
    i = -1; // indices moved: look again from the start
  }
  return replaced;
}

} // namespace whittle
