// Elaborates the structural Verilog syntax tree into a flat Netlist: one net per bit, hierarchy
// flattened with instance-prefixed names ("u1.s"), expressions lowered to gates.
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <functional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "axx/error.h"
#include "netlist_sim/builder.h"
#include "netlist_sim/deep_stack.h"
#include "netlist_sim/limits.h"
#include "netlist_sim/reader.h"
#include "netlist_sim/verilog_ast.h"

namespace axx::netlist {
namespace {

using namespace verilog;
using detail::NetlistBuilder;
using Bits = std::vector<NetId>;  // LSB first

struct NetInfo {
  const NetDecl* decl = nullptr;
  Bits bits;
  long msb = 0, lsb = 0;
  bool is_signed = false;
};

class Elaborator {
 public:
  Elaborator(const std::string& path, const std::vector<Module>& mods, NetlistBuilder& b) : path_(path), b_(b) {
    for (const Module& m : mods) by_name_[m.name] = &m;
  }

  // Creates the nets of one instance of `m` (named prefix + name) and its logic. Returns the nets.
  std::unordered_map<std::string, NetInfo> instantiate(const Module& m, const std::string& prefix,
                                                       std::vector<const Module*>& stack) {
    std::unordered_map<std::string, NetInfo> nets;
    for (const auto& [name, d] : m.nets) {
      NetInfo ni;
      ni.decl = &d;
      ni.msb = d.msb;
      ni.lsb = d.lsb;
      ni.is_signed = d.is_signed;
      long w = d.has_range ? d.width() : 1;
      for (long i = 0; i < w; ++i) {
        long index = d.msb >= d.lsb ? d.lsb + i : d.lsb - i;
        ni.bits.push_back(b_.net(prefix + name + (d.has_range ? "[" + std::to_string(index) + "]" : "")));
      }
      nets.emplace(name, std::move(ni));
    }
    Scope sc{m, prefix, nets};
    // Verilog would create an implicit 1-bit wire for an undeclared name connected to a terminal or
    // assigned; that hides typos (a misspelt net becomes a new, undriven or unread wire), so axx
    // asks for a declaration instead.
    std::function<void(const Expr*)> implicit = [&](const Expr* e) {
      if (!e) return;
      if (e->kind == Expr::Ident && !nets.count(e->name))
        fail(e->pos, "net '" + e->name + "' is not declared in module '" + m.name +
                         "' (axx does not create implicit wires)");
      if (e->kind == Expr::Concat)
        for (const ExprPtr& a : e->args) implicit(a.get());
    };
    for (const Assign& a : m.assigns) implicit(a.lhs.get());
    for (const GateInst& g : m.gates)
      for (const ExprPtr& t : g.terms) implicit(t.get());
    for (const ModuleInst& inst : m.instances) {
      for (const ExprPtr& e : inst.positional) implicit(e.get());
      for (const auto& [port, e] : inst.by_name) implicit(e.get());
    }
    for (const auto& [name, d] : m.nets)
      if (d.dir == NetDecl::Output) outputs_.push_back({&m, &d, nets.at(name).bits});

    for (const Assign& a : m.assigns) {
      Bits lhs = lvalue(sc, *a.lhs);
      connect(sc, lhs, *a.rhs, a.pos);
    }
    for (const GateInst& g : m.gates) gate(sc, g);
    for (const ModuleInst& inst : m.instances) instance(sc, inst, stack);
    return nets;
  }

  // Output ports of every module instance elaborated so far (the top's first).
  struct OutputPort {
    const Module* module;
    const NetDecl* decl;
    Bits bits;
  };
  const std::vector<OutputPort>& outputs() const { return outputs_; }

 private:
  struct Scope {
    const Module& m;
    const std::string& prefix;
    std::unordered_map<std::string, NetInfo>& nets;
  };

  [[noreturn]] void fail(Pos p, const std::string& msg) const { throw ParseError(path_, p.line, p.col, msg); }
  [[noreturn]] void unsupported(Pos p, const std::string& what) const {
    throw UnsupportedConstruct(path_, p.line, p.col, what);
  }

  NetId constant(bool one) {
    NetId& n = one ? const1_ : const0_;
    if (n == kNone) n = b_.gate(one ? GateOp::Const1 : GateOp::Const0, {}, b_.fresh(one ? "$const1" : "$const0"), path_, 0);
    return n;
  }
  NetId fresh(const Scope& sc) { return b_.fresh(sc.prefix + "$e" + std::to_string(++counter_)); }
  NetId gate(const Scope& sc, GateOp op, std::vector<NetId> in, Pos p) {
    return b_.gate(op, std::move(in), fresh(sc), path_, p.line);
  }

  const NetInfo& lookup(const Scope& sc, const Expr& e) const {
    auto it = sc.nets.find(e.name);
    if (it == sc.nets.end()) fail(e.pos, "unknown net '" + e.name + "' in module '" + sc.m.name + "'");
    return it->second;
  }

  long const_int(const Scope& sc, const Expr& e) const {
    const ConstValue c = const_eval(e);
    if (c.ok()) return c.value;
    const Expr& bad = *c.bad;
    if (!c.error.empty()) fail(bad.pos, c.error);
    if (bad.kind == Expr::Ident) {
      if (sc.nets.count(bad.name)) unsupported(bad.pos, "variable bit select");
      unsupported(bad.pos, "parameter '" + bad.name + "' in a constant expression");
    }
    unsupported(bad.pos, "non-constant select");
  }

  // Position (0 = LSB) of index `index` in a net declared [msb:lsb].
  long position(const NetInfo& ni, long index) const {
    return ni.msb >= ni.lsb ? index - ni.lsb : ni.lsb - index;
  }

  // Bits selected by e (Index or Range) from the bits of its base, LSB first.
  Bits select(const Scope& sc, const Expr& e, const Bits& base, const NetInfo* ni) {
    long msb = ni ? ni->msb : long(base.size()) - 1, lsb = ni ? ni->lsb : 0;
    NetInfo plain;
    plain.msb = msb;
    plain.lsb = lsb;
    const NetInfo& info = ni ? *ni : plain;
    auto pos_of = [&](long index) {
      // Declared bounds are within +-16 kMaxWidth (the parser checks), so this keeps position() exact.
      const bool far = index < -kMaxWidth * 64 || index > kMaxWidth * 64;
      long p = far ? -1 : position(info, index);
      if (p < 0 || p >= long(base.size()))
        fail(e.pos, "index " + std::to_string(index) + " is out of range [" + std::to_string(msb) + ":" +
                        std::to_string(lsb) + "]");
      return p;
    };
    if (e.kind == Expr::Index) return {base[std::size_t(pos_of(const_int(sc, *e.args[1])))]};
    long first = const_int(sc, *e.args[1]), second = const_int(sc, *e.args[2]);
    long p_hi, p_lo;
    if (e.op == ":") {
      p_hi = pos_of(first), p_lo = pos_of(second);
      if (p_hi < p_lo)
        fail(e.pos, "part select [" + std::to_string(first) + ":" + std::to_string(second) + "] is reversed");
    } else {
      // a[base +: w] covers indices base .. base+w-1 (-: downward), whatever the declared direction.
      if (second <= 0) fail(e.pos, "part-select width must be positive");
      if (second > kMaxWidth) fail(e.pos, "part-select width " + std::to_string(second) + " is more than " + std::to_string(kMaxWidth));
      long p1 = pos_of(first);  // first in range: the sums below cannot overflow
      long other = e.op == "+:" ? first + second - 1 : first - second + 1;
      long p2 = pos_of(other);
      p_hi = std::max(p1, p2), p_lo = std::min(p1, p2);
    }
    return Bits(base.begin() + p_lo, base.begin() + p_hi + 1);
  }

  // ---- lvalues
  Bits lvalue(const Scope& sc, const Expr& e) {
    switch (e.kind) {
      case Expr::Ident: return lookup(sc, e).bits;
      case Expr::Index:
      case Expr::Range: {
        if (e.args[0]->kind != Expr::Ident) fail(e.pos, "a select on the left of an assignment must name a net");
        const NetInfo& ni = lookup(sc, *e.args[0]);
        return select(sc, e, ni.bits, &ni);
      }
      case Expr::Concat: {
        Bits out;
        for (std::size_t i = e.args.size(); i-- > 0;) {
          Bits part = lvalue(sc, *e.args[i]);
          out.insert(out.end(), part.begin(), part.end());
        }
        return out;
      }
      default: fail(e.pos, "this expression cannot be assigned to");
    }
  }

  // ---- expression widths and signedness (self-determined, IEEE 1364 5.4)
  // Binary operators whose operands take the width and signedness of the context.
  static bool context_determined(const std::string& op) {
    return op == "&" || op == "|" || op == "^" || op == "~^" || op == "^~" || op == "+" || op == "-";
  }
  // Memoised in the node: self() asks for the width and signedness at every level of a nested
  // expression, which would otherwise be quadratic in its depth.
  long width(const Scope& sc, const Expr& e) {
    if (e.width_memo >= 0) return e.width_memo;
    long w = width_of(sc, e);
    if (w > kMaxWidth)  // so that sums and products of widths cannot overflow
      fail(e.pos, "expression is " + std::to_string(w) + " bits wide, more than " + std::to_string(kMaxWidth));
    e.width_memo = w;
    return w;
  }
  long width_of(const Scope& sc, const Expr& e) {
    switch (e.kind) {
      case Expr::Ident: return long(lookup(sc, e).bits.size());
      case Expr::Number: return long(e.bits.size());
      case Expr::Unary:
        if (e.op == "~" || e.op == "-" || e.op == "+") return width(sc, *e.args[0]);
        return 1;  // reductions and !
      case Expr::Binary:
        if (context_determined(e.op)) return std::max(width(sc, *e.args[0]), width(sc, *e.args[1]));
        if (e.op == "&&" || e.op == "||") return 1;
        unsupported(e.pos, "operator '" + e.op + "'");
      case Expr::Ternary: return std::max(width(sc, *e.args[1]), width(sc, *e.args[2]));
      case Expr::Concat: {
        long w = 0;
        for (const ExprPtr& a : e.args) w += width(sc, *a);
        return w;
      }
      case Expr::Repeat: {
        long n = const_int(sc, *e.args[0]);
        if (n < 0 || n > 4096) fail(e.pos, "invalid replication count");
        return n * width(sc, *e.args[1]);  // both factors bounded: no overflow
      }
      case Expr::Index: return 1;
      case Expr::Range:
        if (e.op == ":") {
          long d;
          if (__builtin_sub_overflow(const_int(sc, *e.args[1]), const_int(sc, *e.args[2]), &d) || d == LONG_MIN)
            fail(e.pos, "part select is wider than " + std::to_string(kMaxWidth) + " bits");
          return std::abs(d) + 1;
        }
        if (const_int(sc, *e.args[2]) <= 0) fail(e.pos, "part-select width must be positive");
        return const_int(sc, *e.args[2]);
      case Expr::Cast: return width(sc, *e.args[0]);
    }
    return 1;
  }
  bool is_signed(const Scope& sc, const Expr& e) {
    if (e.signed_memo >= 0) return e.signed_memo == 1;
    bool s = is_signed_of(sc, e);
    e.signed_memo = s ? 1 : 0;
    return s;
  }
  bool is_signed_of(const Scope& sc, const Expr& e) {
    switch (e.kind) {
      case Expr::Ident: return lookup(sc, e).is_signed;
      case Expr::Number: return e.is_signed;
      case Expr::Unary: return (e.op == "~" || e.op == "-" || e.op == "+") && is_signed(sc, *e.args[0]);
      case Expr::Binary:
        return context_determined(e.op) && is_signed(sc, *e.args[0]) && is_signed(sc, *e.args[1]);
      case Expr::Ternary: return is_signed(sc, *e.args[1]) && is_signed(sc, *e.args[2]);
      case Expr::Cast: return e.op == "$signed";
      default: return false;
    }
  }

  Bits extend(Bits v, long w, bool sign) {
    if (v.empty()) v.push_back(constant(false));
    NetId fill = sign ? v.back() : constant(false);
    v.resize(std::size_t(w), fill);
    return v;
  }

  NetId reduce(const Scope& sc, GateOp op, const Bits& v, Pos p) {
    if (v.size() == 1 && (op == GateOp::And || op == GateOp::Or || op == GateOp::Xor)) return v[0];
    return gate(sc, op, v, p);
  }

  // Value of e in a context of width w and signedness `sign` (context-determined operands).
  Bits eval(const Scope& sc, const Expr& e, long w, bool sign) {
    switch (e.kind) {
      case Expr::Ident: return extend(lookup(sc, e).bits, w, sign);
      case Expr::Number: {
        Bits v;
        for (std::uint8_t bit : e.bits) v.push_back(constant(bit));
        return extend(v, w, sign);
      }
      case Expr::Unary: {
        if (e.op == "~") {
          Bits v = eval(sc, *e.args[0], w, sign);
          for (NetId& n : v) n = gate(sc, GateOp::Not, {n}, e.pos);
          return v;
        }
        if (e.op == "+") return eval(sc, *e.args[0], w, sign);
        if (e.op == "-") {
          Bits zero(std::size_t(w), constant(false));
          return add(sc, zero, eval(sc, *e.args[0], w, sign), true, e.pos);
        }
        Bits v = self(sc, *e.args[0]);
        NetId r;
        if (e.op == "!") r = reduce(sc, GateOp::Nor, v, e.pos);
        else if (e.op == "&") r = reduce(sc, GateOp::And, v, e.pos);
        else if (e.op == "|") r = reduce(sc, GateOp::Or, v, e.pos);
        else if (e.op == "^") r = reduce(sc, GateOp::Xor, v, e.pos);
        else if (e.op == "~&") r = gate(sc, GateOp::Nand, v, e.pos);
        else if (e.op == "~|") r = gate(sc, GateOp::Nor, v, e.pos);
        else if (e.op == "~^" || e.op == "^~") r = gate(sc, GateOp::Xnor, v, e.pos);
        else unsupported(e.pos, "operator '" + e.op + "'");
        return extend({r}, w, false);
      }
      case Expr::Binary: {
        if (e.op == "&&" || e.op == "||") {
          NetId l = reduce(sc, GateOp::Or, self(sc, *e.args[0]), e.pos);
          NetId r = reduce(sc, GateOp::Or, self(sc, *e.args[1]), e.pos);
          return extend({gate(sc, e.op == "&&" ? GateOp::And : GateOp::Or, {l, r}, e.pos)}, w, false);
        }
        if (e.op == "+" || e.op == "-")
          return add(sc, eval(sc, *e.args[0], w, sign), eval(sc, *e.args[1], w, sign), e.op == "-", e.pos);
        GateOp op;
        if (e.op == "&") op = GateOp::And;
        else if (e.op == "|") op = GateOp::Or;
        else if (e.op == "^") op = GateOp::Xor;
        else if (e.op == "~^" || e.op == "^~") op = GateOp::Xnor;
        else unsupported(e.pos, "operator '" + e.op + "'");
        Bits l = eval(sc, *e.args[0], w, sign), r = eval(sc, *e.args[1], w, sign);
        Bits out(l.size());
        for (std::size_t i = 0; i < l.size(); ++i) out[i] = gate(sc, op, {l[i], r[i]}, e.pos);
        return out;
      }
      case Expr::Ternary: {
        NetId c = reduce(sc, GateOp::Or, self(sc, *e.args[0]), e.pos);
        Bits t = eval(sc, *e.args[1], w, sign), f = eval(sc, *e.args[2], w, sign);
        Bits out(t.size());
        for (std::size_t i = 0; i < t.size(); ++i) out[i] = gate(sc, GateOp::Mux, {c, f[i], t[i]}, e.pos);
        return out;
      }
      case Expr::Cast: {
        bool s = e.op == "$signed";
        Bits v = self(sc, *e.args[0]);
        return extend(v, w, s && sign);
      }
      default: return extend(self(sc, e), w, false);
    }
  }

  // l + r, or l - r as l + ~r + 1, over the width of l (modulo 2^width, as Verilog's + and -):
  // a ripple of full adders, which the simulator's constant folding trims where operands are
  // constant (zero-extended bits, the carry-in of a plain addition).
  Bits add(const Scope& sc, const Bits& l, const Bits& r, bool subtract, Pos p) {
    NetId carry = constant(subtract);
    Bits out(l.size());
    for (std::size_t i = 0; i < l.size(); ++i) {
      NetId y = subtract ? gate(sc, GateOp::Not, {r[i]}, p) : r[i];
      NetId x = gate(sc, GateOp::Xor, {l[i], y}, p);
      out[i] = gate(sc, GateOp::Xor, {x, carry}, p);
      if (i + 1 < l.size())
        carry = gate(sc, GateOp::Or, {gate(sc, GateOp::And, {l[i], y}, p), gate(sc, GateOp::And, {x, carry}, p)}, p);
    }
    return out;
  }

  // Self-determined value.
  Bits self(const Scope& sc, const Expr& e) {
    switch (e.kind) {
      case Expr::Concat: {
        Bits out;
        for (std::size_t i = e.args.size(); i-- > 0;) {
          Bits part = self(sc, *e.args[i]);
          out.insert(out.end(), part.begin(), part.end());
        }
        return out;
      }
      case Expr::Repeat: {
        long n = const_int(sc, *e.args[0]);
        if (n < 0 || n > 4096) fail(e.pos, "invalid replication count");
        Bits inner = self(sc, *e.args[1]), out;
        if (n * long(inner.size()) > kMaxWidth)
          fail(e.pos, "expression is " + std::to_string(n * long(inner.size())) + " bits wide, more than " +
                          std::to_string(kMaxWidth));
        for (long i = 0; i < n; ++i) out.insert(out.end(), inner.begin(), inner.end());
        return out;
      }
      case Expr::Index:
      case Expr::Range: {
        const Expr& base = *e.args[0];
        if (base.kind == Expr::Ident) {
          const NetInfo& ni = lookup(sc, base);
          return select(sc, e, ni.bits, &ni);
        }
        unsupported(e.pos, "select of an expression");
      }
      default: return eval(sc, e, width(sc, e), is_signed(sc, e));
    }
  }

  // lhs = rhs with Verilog's assignment sizing: evaluated at max(lhs, rhs) width, truncated.
  void connect(const Scope& sc, const Bits& lhs, const Expr& rhs, Pos p) {
    long w = std::max<long>(long(lhs.size()), width(sc, rhs));
    Bits v = eval(sc, rhs, w, is_signed(sc, rhs));
    for (std::size_t i = 0; i < lhs.size(); ++i) b_.gate(GateOp::Buf, {v[i]}, lhs[i], path_, p.line);
  }

  void gate(const Scope& sc, const GateInst& g) {
    std::size_t n = g.terms.size();
    bool multi_out = g.op == GateOp::Buf || g.op == GateOp::Not;
    if (n < 2) fail(g.pos, "gate '" + g.prim + "' needs an output and at least one input");
    std::size_t nout = multi_out ? n - 1 : 1;
    std::vector<NetId> ins;
    for (std::size_t i = nout; i < n; ++i) {
      Bits v = self(sc, *g.terms[i]);
      if (v.size() != 1) fail(g.terms[i]->pos, "gate terminal must be 1 bit wide, not " + std::to_string(v.size()));
      ins.push_back(v[0]);
    }
    for (std::size_t i = 0; i < nout; ++i) {
      Bits o = lvalue(sc, *g.terms[i]);
      if (o.size() != 1) fail(g.terms[i]->pos, "gate terminal must be 1 bit wide, not " + std::to_string(o.size()));
      b_.gate(g.op, ins, o[0], path_, g.pos.line);
    }
  }

  void instance(const Scope& sc, const ModuleInst& inst, std::vector<const Module*>& stack) {
    auto it = by_name_.find(inst.module);
    if (it == by_name_.end()) {
      if (const detail::BuiltinCell* cell = detail::find_builtin_cell(inst.module)) return builtin(sc, *cell, inst);
      fail(inst.pos, "unknown module '" + inst.module + "' (instance '" + inst.name + "')");
    }
    const Module& sub = *it->second;
    if (active_.count(&sub)) fail(inst.pos, "module '" + sub.name + "' instantiates itself");
    if (stack.size() >= detail::kMaxHierarchyDepth)
      fail(inst.pos, "module hierarchy deeper than " + std::to_string(detail::kMaxHierarchyDepth) + " levels");
    // Port -> connected expression.
    std::vector<std::pair<std::string, const Expr*>> conns;
    std::vector<Pos> where;
    if (inst.named) {
      std::set<std::string> seen;
      for (std::size_t i = 0; i < inst.by_name.size(); ++i) {
        const auto& [port, e] = inst.by_name[i];
        if (std::find(sub.ports.begin(), sub.ports.end(), port) == sub.ports.end())
          fail(inst.conn_pos[i], "module '" + sub.name + "' has no port '" + port + "'");
        if (!seen.insert(port).second) fail(inst.conn_pos[i], "port '" + port + "' is connected twice");
        conns.push_back({port, e.get()});
        where.push_back(inst.conn_pos[i]);
      }
    } else {
      if (inst.positional.size() > sub.ports.size())
        fail(inst.pos, "module '" + sub.name + "' has " + std::to_string(sub.ports.size()) + " ports, instance '" +
                           inst.name + "' connects " + std::to_string(inst.positional.size()));
      for (std::size_t i = 0; i < inst.positional.size(); ++i) {
        conns.push_back({sub.ports[i], inst.positional[i].get()});
        where.push_back(inst.conn_pos[i]);
      }
    }
    stack.push_back(&sub);
    active_.insert(&sub);
    // Nets are named by their instance path ("u1.u2.s"); past 256 characters the path restarts
    // from a number unique to the instance ("#17.u.s"), so that a hierarchy 10^5 deep does not
    // make names (and memory) quadratic in it.
    std::string sub_prefix = sc.prefix.size() < 256 ? sc.prefix + inst.name + "."
                                                    : "#" + std::to_string(++long_paths_) + "." + inst.name + ".";
    auto sub_nets = instantiate(sub, sub_prefix, stack);
    active_.erase(&sub);
    stack.pop_back();
    std::set<std::string> connected;
    for (std::size_t i = 0; i < conns.size(); ++i) {
      const auto& [port, e] = conns[i];
      if (!e) continue;
      connected.insert(port);
      const NetInfo& pn = sub_nets.at(port);
      if (pn.decl->dir == NetDecl::Input) {
        connect(sc, pn.bits, *e, where[i]);
      } else {
        Bits target = lvalue(sc, *e);
        Bits v = pn.bits;
        v.resize(std::max(v.size(), target.size()), constant(false));
        for (std::size_t k = 0; k < target.size(); ++k) b_.gate(GateOp::Buf, {v[k]}, target[k], path_, where[i].line);
      }
    }
    for (const std::string& port : sub.ports)
      if (sub.nets.at(port).dir == NetDecl::Input && !connected.count(port))
        fail(inst.pos, "input port '" + port + "' of module '" + sub.name + "' is not connected (instance '" +
                           inst.name + "')");
  }

  // A Yosys internal gate cell instance (named connections .A .B .S .Y).
  void builtin(const Scope& sc, const detail::BuiltinCell& cell, const ModuleInst& inst) {
    if (!inst.named) fail(inst.pos, "connect the ports of '" + inst.module + "' by name");
    std::unordered_map<std::string, const Expr*> conn;
    for (std::size_t i = 0; i < inst.by_name.size(); ++i) {
      const auto& [port, e] = inst.by_name[i];
      if (port != "Y" && std::find(cell.inputs.begin(), cell.inputs.end(), port) == cell.inputs.end())
        fail(inst.conn_pos[i], "module '" + inst.module + "' has no port '" + port + "'");
      if (e) conn[port] = e.get();
    }
    std::vector<NetId> ins;
    for (const std::string& in : cell.inputs) {
      if (!conn.count(in))
        fail(inst.pos, "input port '" + in + "' of module '" + inst.module + "' is not connected (instance '" +
                           inst.name + "')");
      Bits v = self(sc, *conn[in]);
      if (v.size() != 1) fail(conn[in]->pos, "port '" + in + "' of '" + inst.module + "' is 1 bit wide");
      ins.push_back(v[0]);
    }
    if (!conn.count("Y")) return;
    Bits y = lvalue(sc, *conn["Y"]);
    if (y.size() != 1) fail(conn["Y"]->pos, "port 'Y' of '" + inst.module + "' is 1 bit wide");
    detail::add_builtin_cell(b_, cell, std::move(ins), y[0], path_, inst.pos.line);
  }

  static constexpr NetId kNone = static_cast<NetId>(-1);
  const std::string& path_;
  NetlistBuilder& b_;
  std::unordered_map<std::string, const Module*> by_name_;
  NetId const0_ = kNone, const1_ = kNone;
  std::size_t counter_ = 0;
  std::vector<OutputPort> outputs_;
  // The modules on `stack`, for the recursion check in constant time (hierarchies 10^5 deep).
  std::unordered_set<const Module*> active_;
  std::size_t long_paths_ = 0;
};

Netlist read_verilog_here(const std::string& path, const std::string& top) {
  std::vector<Module> mods = parse_file(path);
  if (mods.empty()) throw InputError(path + ": no module in Verilog file");
  const Module* topm = nullptr;
  if (!top.empty()) {
    for (const Module& m : mods)
      if (m.name == top) topm = &m;
    if (!topm) {
      std::string names;
      names = detail::name_list(mods.begin(), mods.end(), [](const Module& m) { return m.name; });
      throw InputError(path + ": no module '" + top + "' (modules: " + names + ")");
    }
  } else {
    std::set<std::string> used;
    for (const Module& m : mods)
      for (const ModuleInst& i : m.instances) used.insert(i.module);
    std::vector<const Module*> roots;
    for (const Module& m : mods)
      if (!used.count(m.name)) roots.push_back(&m);
    // A lone module that instantiates itself: elaborating it reports that, which says more than
    // "no candidates".
    if (roots.empty() && mods.size() == 1) roots.push_back(&mods[0]);
    if (roots.size() != 1) {
      std::string names;
      names = detail::name_list(roots.begin(), roots.end(), [](const Module* m) { return m->name; });
      throw InputError(path + ": cannot tell the top module (candidates: " + (names.empty() ? "none" : names) +
                       "); name it with the top option");
    }
    topm = roots[0];
  }
  {
    std::unordered_map<std::string, const Module*> by_name;
    for (const Module& m : mods) by_name[m.name] = &m;
    auto children = [&](const Module& m) {
      std::vector<const Module*> subs;
      for (const ModuleInst& i : m.instances) {
        auto it = by_name.find(i.module);
        subs.push_back(it == by_name.end() ? nullptr : it->second);
      }
      return subs;
    };
    // Every gate primitive and every assignment makes at least one gate; every declared bit a net
    // (a few lines declaring 2^22-bit wires would otherwise fill memory before the limit stops them).
    std::size_t gates = detail::flattened_bound(
        detail::kMaxGates, *topm, [](const Module& m) { return m.gates.size() + m.assigns.size(); }, children);
    if (gates > detail::kMaxGates) throw detail::too_large_error(path, "gates", detail::kMaxGates);
    std::size_t nets = detail::flattened_bound(
        detail::kMaxNets, *topm,
        [](const Module& m) {
          std::size_t bits = 0;
          for (const auto& [name, d] : m.nets) bits += std::size_t(d.has_range ? d.width() : 1);
          return bits;
        },
        children);
    if (nets > detail::kMaxNets) throw detail::too_large_error(path, "nets", detail::kMaxNets);
  }
  NetlistBuilder b(path);
  Elaborator el(path, mods, b);
  std::vector<const Module*> stack{topm};
  auto nets = el.instantiate(*topm, "", stack);
  Netlist& nl = b.netlist();
  nl.name = topm->name;
  for (const std::string& p : topm->ports) {
    const NetInfo& ni = nets.at(p);
    Port port{p, ni.bits, std::nullopt};
    if (ni.decl->is_signed) port.declared_signed = true;
    else if (ni.decl->is_unsigned) port.declared_signed = false;
    (ni.decl->dir == NetDecl::Input ? nl.inputs : nl.outputs).push_back(std::move(port));
  }
  // An output left undriven would read as 0 in every row of the table; name its declaration.
  std::vector<bool> driven(nl.num_nets(), false);
  for (const Gate& g : nl.gates) driven[g.output] = true;
  for (const Port& p : nl.inputs)
    for (NetId n : p.bits) driven[n] = true;
  for (const auto& o : el.outputs())
    for (std::size_t i = 0; i < o.bits.size(); ++i)
      if (!driven[o.bits[i]]) {
        const NetDecl& d = *o.decl;
        long index = d.msb >= d.lsb ? d.lsb + long(i) : d.lsb - long(i);
        throw ParseError(path, d.pos.line, d.pos.col,
                         "output '" + d.name + (d.has_range ? "[" + std::to_string(index) + "]" : "") +
                             "' of module '" + o.module->name + "' is never driven");
      }
  check_netlist(nl);
  return std::move(nl);
}

}  // namespace

// The parser and the elaboration recurse once per level of expression and of hierarchy.
Netlist read_verilog(const std::string& path, const std::string& top) {
  return detail::with_reader_stack([&] { return read_verilog_here(path, top); });
}

}  // namespace axx::netlist
