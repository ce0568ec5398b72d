// Hardware cost of a netlist: sweep, cell mapping, area, depth, toggles (netlist_sim/cost.h,
// docs/cost.md).
//
// The sweep builds an And-Xor-Mux graph with complemented edges: a literal is (node << 1) | neg,
// node 0 is constant 0. Constants fold away, structurally equal nodes are merged, and only nodes
// that reach the product survive. Mapping then walks the graph in creation (= topological) order
// and picks one cell per node. Each node ends up with one "native" net carrying the node's value or
// its complement; a reader that needs the other polarity shares one inverter per node. For an And
// node the four cells AND2/NAND2 (inputs as they are) and NOR2/OR2 (inputs complemented) compute
// the node or its complement; the cheapest counting the inverters it makes necessary wins. Xor
// nodes absorb input and output inversions for free (XOR2 vs XNOR2), Mux nodes absorb an inverted
// select by swapping the data inputs.
#include "netlist_sim/cost.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "axx/error.h"

namespace axx::netlist {

// Areas: `area` of the X1 cells in NangateOpenCellLibrary_typical.lib (Nangate 45 nm Open Cell
// Library); NAND2_X1 is 0.798 µm².
const std::vector<CellType>& cell_library() {
  static const std::vector<CellType> cells = {
      {GateOp::Not, "INV", "INV_X1", 0.532, 0.532 / 0.798},
      {GateOp::Nand, "NAND2", "NAND2_X1", 0.798, 1.0},
      {GateOp::Nor, "NOR2", "NOR2_X1", 0.798, 1.0},
      {GateOp::And, "AND2", "AND2_X1", 1.064, 1.064 / 0.798},
      {GateOp::Or, "OR2", "OR2_X1", 1.064, 1.064 / 0.798},
      {GateOp::Xor, "XOR2", "XOR2_X1", 1.596, 1.596 / 0.798},
      {GateOp::Xnor, "XNOR2", "XNOR2_X1", 1.596, 1.596 / 0.798},
      {GateOp::Mux, "MUX2", "MUX2_X1", 1.862, 1.862 / 0.798},
  };
  return cells;
}

const CellType* cell_of(const Gate& g) {
  const std::size_t want = g.op == GateOp::Not ? 1 : g.op == GateOp::Mux ? 3 : 2;
  if (g.inputs.size() != want) return nullptr;
  for (const CellType& c : cell_library())
    if (c.op == g.op) return &c;
  return nullptr;
}

namespace {

const CellType& cell(GateOp op) {
  for (const CellType& c : cell_library())
    if (c.op == op) return c;
  throw std::logic_error("no library cell for this gate kind");
}

using Lit = std::uint32_t;
constexpr Lit kFalse = 0, kTrue = 1;
inline std::uint32_t node_of(Lit l) { return l >> 1; }
inline bool neg(Lit l) { return l & 1; }

enum class Kind : std::uint8_t { Const0, Input, And, Xor, Mux };

struct Node {
  Kind kind;
  Lit a = 0, b = 0, c = 0;  // And/Xor: a, b; Mux: a = sel, b = when0, c = when1
  NetId net = 0;            // Input: its net in the source netlist
};

// Step 1: the swept graph.
class Graph {
 public:
  Graph() { nodes_.push_back(Node{Kind::Const0}); }

  Lit input(NetId net) {
    nodes_.push_back(Node{Kind::Input, 0, 0, 0, net});
    return Lit(nodes_.size() - 1) << 1;
  }
  Lit op_and(Lit x, Lit y) {
    if (x == kFalse || y == kFalse || x == (y ^ 1)) return kFalse;
    if (x == kTrue || x == y) return y;
    if (y == kTrue) return x;
    if (x > y) std::swap(x, y);
    return make(Kind::And, x, y, 0);
  }
  Lit op_or(Lit x, Lit y) {
    if (Lit m = majority(x, y); m != kNone) return m;
    return op_and(x ^ 1, y ^ 1) ^ 1;
  }
  Lit op_xor(Lit x, Lit y) {
    if (x <= kTrue) return y ^ x;
    if (y <= kTrue) return x ^ y;
    if (x == y) return kFalse;
    if (x == (y ^ 1)) return kTrue;
    // Inversions move to the output, so x ^ y and ~x ^ y share one node.
    const Lit inv = (x ^ y) & 1;
    x &= ~Lit{1};
    y &= ~Lit{1};
    if (x > y) std::swap(x, y);
    return make(Kind::Xor, x, y, 0) ^ inv;
  }
  Lit op_mux(Lit s, Lit d0, Lit d1) {  // s ? d1 : d0
    if (s == kFalse) return d0;
    if (s == kTrue) return d1;
    if (d0 == d1) return d0;
    if (d0 == (d1 ^ 1)) return op_xor(s, d0);
    // A data input equal to the select (or its complement) reads as a constant where it is picked.
    if (d0 == kFalse || d0 == s) return op_and(s, d1);
    if (d1 == kFalse || d1 == (s ^ 1)) return op_and(s ^ 1, d0);
    if (d0 == kTrue || d0 == (s ^ 1)) return op_or(s ^ 1, d1);
    if (d1 == kTrue || d1 == s) return op_or(s, d0);
    if (neg(s)) std::swap(d0, d1), s ^= 1;
    if (neg(d0) && neg(d1)) return make(Kind::Mux, s, d0 ^ 1, d1 ^ 1) ^ 1;
    return make(Kind::Mux, s, d0, d1);
  }
  // Balanced tree: the fewest levels for an n-ary gate.
  template <class F>
  Lit reduce(std::vector<Lit> v, F f) {
    while (v.size() > 1) {
      std::vector<Lit> next;
      for (std::size_t i = 0; i + 1 < v.size(); i += 2) next.push_back((this->*f)(v[i], v[i + 1]));
      if (v.size() % 2) next.push_back(v.back());
      v = std::move(next);
    }
    return v[0];
  }

  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  static constexpr Lit kNone = ~Lit{0};

  // The full adder's carry written as a majority, pq | pr | qr (in any grouping of the ORs), is
  // rebuilt as pq | r(p ^ q): the form a synthesis tool reaches, three NAND2 sharing the sum's XOR,
  // instead of three ANDs and two ORs. kNone when x | y is not such a majority.
  Lit majority(Lit x, Lit y) {
    std::vector<Lit> terms;
    for (Lit l : {x, y}) {
      const Node& n = nodes_[node_of(l)];
      // ~(~t1 & ~t2) is t1 | t2.
      if (neg(l) && n.kind == Kind::And && neg(n.a) && neg(n.b)) terms.push_back(n.a ^ 1), terms.push_back(n.b ^ 1);
      else terms.push_back(l);
    }
    if (terms.size() != 3) return kNone;
    std::vector<std::pair<Lit, Lit>> pairs;
    for (Lit t : terms) {
      const Node& n = nodes_[node_of(t)];
      if (neg(t) || n.kind != Kind::And) return kNone;
      pairs.emplace_back(n.a, n.b);
    }
    // Three distinct literals, each pair of them once.
    std::vector<Lit> lits{pairs[0].first, pairs[0].second};
    for (const auto& [u, v] : pairs)
      for (Lit l : {u, v})
        if (std::find(lits.begin(), lits.end(), l) == lits.end()) lits.push_back(l);
    if (lits.size() != 3) return kNone;
    auto has_pair = [&](Lit u, Lit v) {
      for (const auto& [p, q] : pairs)
        if ((p == u && q == v) || (p == v && q == u)) return true;
      return false;
    };
    if (!has_pair(lits[0], lits[1]) || !has_pair(lits[0], lits[2]) || !has_pair(lits[1], lits[2])) return kNone;
    // Pair the two whose XOR exists already (the sum's), else the first term's two.
    std::array<std::array<int, 3>, 3> orders{{{0, 1, 2}, {0, 2, 1}, {1, 2, 0}}};
    std::array<int, 3> pick = orders[0];
    for (const auto& o : orders) {
      Lit u = lits[o[0]] & ~Lit{1}, v = lits[o[1]] & ~Lit{1};
      if (u > v) std::swap(u, v);
      if (strash_.count(std::make_tuple(Kind::Xor, u, v, Lit{0}))) {
        pick = o;
        break;
      }
    }
    const Lit p = lits[pick[0]], q = lits[pick[1]], r = lits[pick[2]];
    const Lit pq = op_and(p, q), rt = op_and(r, op_xor(p, q));
    return op_and(pq ^ 1, rt ^ 1) ^ 1;
  }

  Lit make(Kind k, Lit a, Lit b, Lit c) {
    auto [it, inserted] = strash_.try_emplace(std::make_tuple(k, a, b, c), std::uint32_t(nodes_.size()));
    if (inserted) nodes_.push_back(Node{k, a, b, c, 0});
    return Lit(it->second) << 1;
  }
  std::vector<Node> nodes_;
  std::map<std::tuple<Kind, Lit, Lit, Lit>, std::uint32_t> strash_;
};

// Step 2: cells for the live nodes of the graph.
class Mapper {
 public:
  Mapper(const Graph& g, const Netlist& src, const ResolvedPorts& ports, const std::vector<Lit>& outs)
      : g_(g) {
    const auto& nodes = g.nodes();
    net_.assign(nodes.size(), {kNone, kNone});
    native_.assign(nodes.size(), 0);
    demand_.assign(nodes.size(), {0, 0});
    out_.name = src.name;
    out_.source = src.source;
    for (const Port* p : {ports.a, ports.b}) {
      Port q{p->name, {}, p->declared_signed};
      for (NetId n : p->bits) {
        q.bits.push_back(new_net(src.net_names[n]));
        input_net_[n] = q.bits.back();
      }
      out_.inputs.push_back(std::move(q));
    }
    // Liveness and the polarities readers ask for. Xor inputs and Mux selects take either.
    std::vector<std::uint8_t> live(nodes.size(), 0);
    for (Lit l : outs) {
      live[node_of(l)] = 1;
      ++demand_[node_of(l)][neg(l)];
    }
    for (std::size_t v = nodes.size(); v-- > 1;) {
      if (!live[v]) continue;
      const Node& n = nodes[v];
      auto use = [&](Lit l, bool counts) {
        live[node_of(l)] = 1;
        if (counts) ++demand_[node_of(l)][neg(l)];
      };
      if (n.kind == Kind::And) use(n.a, true), use(n.b, true);
      if (n.kind == Kind::Xor) use(n.a, false), use(n.b, false);
      if (n.kind == Kind::Mux) use(n.a, false), use(n.b, true), use(n.c, true);
    }
    for (std::size_t v = 1; v < nodes.size(); ++v)
      if (live[v]) map_node(std::uint32_t(v));
    Port product{ports.out->name, {}, ports.out->declared_signed};
    for (Lit l : outs) product.bits.push_back(net_for(l));
    out_.outputs.push_back(std::move(product));
  }

  Netlist take() { return std::move(out_); }

 private:
  static constexpr NetId kNone = ~NetId{0};

  NetId new_net(const std::string& name) {
    out_.net_names.push_back(name);
    return NetId(out_.net_names.size() - 1);
  }
  NetId add(GateOp op, std::vector<NetId> in, const std::string& name) {
    NetId y = new_net(name);
    out_.gates.push_back(Gate{op, std::move(in), y, "", 0});
    return y;
  }
  // Whether literal l is available without a new inverter.
  bool have(Lit l) const { return l <= kTrue || net_[node_of(l)][neg(l)] != kNone; }
  // What asking for literal l adds: nothing when it exists, else an inverter shared by every reader
  // that asks for this polarity, so each pays its share.
  double extra(Lit l) const {
    if (have(l)) return 0.0;
    return cell(GateOp::Not).area_nand2 / double(std::max<std::uint32_t>(1, demand_[node_of(l)][neg(l)]));
  }
  // The net carrying literal l, adding the node's shared inverter when needed.
  NetId net_for(Lit l) {
    if (l <= kTrue) {
      NetId& c = const_net_[l];
      if (c == kNone) c = add(l ? GateOp::Const1 : GateOp::Const0, {}, l ? "$true" : "$false");
      return c;
    }
    auto& nets = net_[node_of(l)];
    if (nets[neg(l)] == kNone)
      nets[neg(l)] = add(GateOp::Not, {nets[!neg(l)]}, out_.net_names[nets[!neg(l)]] + "$n");
    return nets[neg(l)];
  }

  void map_node(std::uint32_t v) {
    const Node& n = g_.nodes()[v];
    const std::string name = "$c" + std::to_string(v);
    const double inv = cell(GateOp::Not).area_nand2;
    // Cost of also providing the complement of what a cell produces.
    auto other = [&](bool pol) { return demand_[v][!pol] ? inv : 0.0; };
    switch (n.kind) {
      case Kind::Const0: return;
      case Kind::Input:
        net_[v][0] = input_net_.at(n.net);
        return;
      case Kind::And: {
        struct Option {
          GateOp op;
          bool complement_inputs, pol;
        };
        // On a tie the earlier (smaller) cell wins.
        static const Option options[] = {{GateOp::Nand, false, true}, {GateOp::Nor, true, false},
                                         {GateOp::And, false, false}, {GateOp::Or, true, true}};
        const Option* best = nullptr;
        double best_cost = 0;
        for (const Option& o : options) {
          const Lit x = n.a ^ o.complement_inputs, y = n.b ^ o.complement_inputs;
          const double c = cell(o.op).area_nand2 + extra(x) + extra(y) + other(o.pol);
          if (!best || c < best_cost - 1e-9) best = &o, best_cost = c;
        }
        const NetId x = net_for(n.a ^ best->complement_inputs), y = net_for(n.b ^ best->complement_inputs);
        set(v, best->pol, add(best->op, {x, y}, name));
        return;
      }
      case Kind::Xor: {
        // The cell sees the native nets; XOR2 then yields the node ^ k, XNOR2 its complement.
        const bool k = native_[node_of(n.a)] ^ native_[node_of(n.b)];
        const bool pol = demand_[v][1] > demand_[v][0];
        const NetId x = net_[node_of(n.a)][native_[node_of(n.a)]], y = net_[node_of(n.b)][native_[node_of(n.b)]];
        set(v, pol, add(pol == k ? GateOp::Xor : GateOp::Xnor, {x, y}, name));
        return;
      }
      case Kind::Mux: {
        const bool flip_out = extra(n.b ^ 1) + extra(n.c ^ 1) + other(true) <
                              extra(n.b) + extra(n.c) + other(false) - 1e-9;
        const Lit d0 = n.b ^ flip_out, d1 = n.c ^ flip_out;
        const std::uint32_t s = node_of(n.a);
        const bool swap = native_[s];  // the select's net carries ~s: pick the data the other way round
        const NetId when0 = net_for(swap ? d1 : d0), when1 = net_for(swap ? d0 : d1);
        set(v, flip_out, add(GateOp::Mux, {net_[s][native_[s]], when0, when1}, name));
        return;
      }
    }
  }
  void set(std::uint32_t v, bool pol, NetId net) {
    native_[v] = pol;
    net_[v][pol] = net;
  }

  const Graph& g_;
  Netlist out_;
  std::vector<std::array<NetId, 2>> net_;  // per node: net carrying it, net carrying its complement
  std::vector<std::uint8_t> native_;
  std::vector<std::array<std::uint32_t, 2>> demand_;
  std::map<NetId, NetId> input_net_;
  std::array<NetId, 2> const_net_{kNone, kNone};
};

}  // namespace

Netlist map_to_cells(const Netlist& nl, const PortBinding& binding) {
  const ResolvedPorts ports = resolve_ports(nl, binding);
  const std::string where = nl.source.empty() ? nl.name : nl.source;
  std::vector<std::size_t> order = topological_order(nl);
  // The simulator's cone and checks: cost exactly the function that gets simulated.
  const std::vector<std::uint8_t> needed = product_cone(nl, ports);
  Graph g;
  constexpr Lit kUnset = ~Lit{0};
  std::vector<Lit> lit(nl.num_nets(), kUnset);
  for (const Port* p : {ports.a, ports.b})
    for (NetId n : p->bits) lit[n] = g.input(n);
  for (std::size_t gi : order) {
    if (!needed[gi]) continue;
    const Gate& gate = nl.gates[gi];
    std::vector<Lit> in;
    for (NetId n : gate.inputs) {
      if (lit[n] == kUnset) throw InputError(where + ": net '" + nl.net_names[n] + "' is used but never driven");
      in.push_back(lit[n]);
    }
    Lit r = kFalse;
    switch (gate.op) {
      case GateOp::Const0: r = kFalse; break;
      case GateOp::Const1: r = kTrue; break;
      case GateOp::Buf: r = in[0]; break;
      case GateOp::Not: r = in[0] ^ 1; break;
      case GateOp::And: r = g.reduce(in, &Graph::op_and); break;
      case GateOp::Nand: r = g.reduce(in, &Graph::op_and) ^ 1; break;
      case GateOp::Or: r = g.reduce(in, &Graph::op_or); break;
      case GateOp::Nor: r = g.reduce(in, &Graph::op_or) ^ 1; break;
      case GateOp::Xor: r = g.reduce(in, &Graph::op_xor); break;
      case GateOp::Xnor: r = g.reduce(in, &Graph::op_xor) ^ 1; break;
      case GateOp::Mux: r = g.op_mux(in[0], in[1], in[2]); break;
    }
    lit[gate.output] = r;
  }
  std::vector<Lit> outs;
  for (NetId n : ports.out->bits) {
    if (lit[n] == kUnset) throw InputError(where + ": output net '" + nl.net_names[n] + "' is never driven");
    outs.push_back(lit[n]);
  }
  return Mapper(g, nl, ports, outs).take();
}

StructuralCost structural_cost(const Netlist& cells) {
  const std::string where = cells.source.empty() ? cells.name : cells.source;
  StructuralCost c;
  std::vector<std::size_t> count(cell_library().size(), 0);
  std::vector<unsigned> level(cells.num_nets(), 0);
  for (std::size_t gi : topological_order(cells)) {
    const Gate& g = cells.gates[gi];
    if (g.op == GateOp::Const0 || g.op == GateOp::Const1) continue;
    const CellType* t = cell_of(g);
    if (!t) throw InputError(where + ": gate driving '" + cells.net_names[g.output] + "' is not a library cell");
    ++count[std::size_t(t - cell_library().data())];
    ++c.gates;
    c.area_nand2 += t->area_nand2;
    unsigned l = 0;
    for (NetId in : g.inputs) l = std::max(l, level[in]);
    level[g.output] = l + 1;
  }
  for (const Port& p : cells.outputs)
    for (NetId n : p.bits) c.depth = std::max(c.depth, level[n]);
  for (std::size_t i = 0; i < count.size(); ++i)
    if (count[i]) c.cells.emplace_back(cell_library()[i].name, count[i]);
  return c;
}

std::vector<std::uint32_t> net_loads(const Netlist& cells, const PortBinding& binding) {
  const ResolvedPorts ports = resolve_ports(cells, binding);
  std::vector<std::uint32_t> load(cells.num_nets(), 0);
  for (const Gate& g : cells.gates) {
    if (g.op == GateOp::Const0 || g.op == GateOp::Const1) continue;
    ++load[g.output];
    for (NetId in : g.inputs) ++load[in];
  }
  for (NetId n : ports.out->bits) ++load[n];
  return load;
}

std::vector<std::uint64_t> count_toggles(const Netlist& nl, const PortBinding& binding,
                                         const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  if (a.size() != b.size()) throw std::invalid_argument("count_toggles: operand streams differ in length");
  std::vector<std::uint64_t> toggles(nl.num_nets(), 0);
  std::vector<std::uint64_t> last(nl.num_nets(), 0);  // each net's value at the previous block's last pair
  simulate_pairs(nl, binding, a.data(), b.data(), a.size(),
                 [&](std::size_t first, std::size_t count, const std::uint64_t* v) {
                   // Bit j of v ^ (v >> 1) is a change between pairs j and j + 1 of this block.
                   const std::uint64_t within = count == 1 ? 0 : (std::uint64_t{1} << (count - 1)) - 1;
                   for (std::size_t n = 0; n < toggles.size(); ++n) {
                     std::uint64_t t = __builtin_popcountll((v[n] ^ (v[n] >> 1)) & within);
                     if (first > 0) t += (v[n] & 1) ^ last[n];
                     toggles[n] += t;
                     last[n] = (v[n] >> (count - 1)) & 1;
                   }
                 });
  return toggles;
}

double power_proxy(const Netlist& cells, const PortBinding& binding, const std::vector<std::uint64_t>& a,
                   const std::vector<std::uint64_t>& b) {
  if (a.size() < 2) throw InputError("the power proxy needs at least two operand pairs");
  const std::vector<std::uint32_t> load = net_loads(cells, binding);
  const std::vector<std::uint64_t> toggles = count_toggles(cells, binding, a, b);
  double sum = 0;
  for (std::size_t n = 0; n < load.size(); ++n) sum += double(load[n]) * double(toggles[n]);
  return sum / double(a.size() - 1);
}

}  // namespace axx::netlist
