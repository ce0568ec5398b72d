// Internal helpers shared by the readers: nets by name, gates with their source position, and
// grouping of bit-level port names ("a[3]") into buses.
#pragma once
#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "axx/error.h"
#include "netlist_sim/limits.h"
#include "netlist_sim/netlist.h"

namespace axx::netlist::detail {

inline InputError too_large_error(const std::string& source, const char* what, std::size_t limit) {
  return InputError(source + ": the flattened netlist has more than " + std::to_string(limit) + " " + what);
}

class NetlistBuilder {
 public:
  explicit NetlistBuilder(std::string source) { nl_.source = std::move(source); }

  // The net with this exact name, created on first use.
  NetId net(const std::string& name) {
    auto [it, inserted] = by_name_.try_emplace(name, NetId(nl_.net_names.size()));
    if (inserted) {
      if (nl_.net_names.size() >= kMaxNets) too_large("nets", kMaxNets);
      nl_.net_names.push_back(name);
    }
    return it->second;
  }
  bool has_net(const std::string& name) const { return by_name_.count(name) != 0; }
  // A new internal net whose name starts with `hint` and is unique.
  NetId fresh(const std::string& hint) {
    std::string name = hint;
    while (by_name_.count(name)) name = hint + "$" + std::to_string(++fresh_counter_);
    return net(name);
  }
  NetId gate(GateOp op, std::vector<NetId> inputs, NetId output, const std::string& file, std::size_t line) {
    if (nl_.gates.size() >= kMaxGates) too_large("gates", kMaxGates);
    nl_.gates.push_back(Gate{op, std::move(inputs), output, file, line});
    return output;
  }
  Netlist& netlist() { return nl_; }

 private:
  // A hierarchy can multiply its size per level (two instances of a module that instantiates the
  // next twice, ...): stop at the bound instead of exhausting memory.
  [[noreturn]] void too_large(const char* what, std::size_t limit) const {
    throw too_large_error(nl_.source, what, limit);
  }
  Netlist nl_;
  std::unordered_map<std::string, NetId> by_name_;
  std::size_t fresh_counter_ = 0;
};

// A lower bound on the gates (or nets) of the flattened hierarchy below `top`, at most cap + 1:
// local(m) is a lower bound on what module m makes itself, children(m) the modules it
// instantiates (nullptr for a cell that makes one gate, or a module that does not exist, which
// the flattening reports). Modules instantiating themselves are skipped (the flattening reports
// them too). Iterative and memoised: linear in the number of modules and instances, whatever the
// depth, and it catches hierarchies that double per level before any of it is built.
template <class M, class LocalFn, class ChildrenFn>
std::size_t flattened_bound(std::size_t limit, const M& top, LocalFn local, ChildrenFn children) {
  const std::size_t cap = limit + 1;
  auto add = [cap](std::size_t x, std::size_t y) { return std::min(cap, x + y); };  // both <= cap
  struct Frame {
    const M* m;
    std::vector<const M*> subs;
    std::size_t next, sum;
  };
  std::unordered_map<const M*, std::size_t> done;
  std::unordered_map<const M*, bool> open;
  std::vector<Frame> stack;
  auto push = [&](const M* m) {
    stack.push_back(Frame{m, children(*m), 0, std::min(cap, local(*m))});
    open[m] = true;
  };
  push(&top);
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next < f.subs.size()) {
      const M* sub = f.subs[f.next++];
      if (!sub) { f.sum = add(f.sum, 1); continue; }
      if (auto d = done.find(sub); d != done.end()) { f.sum = add(f.sum, d->second); continue; }
      if (open[sub]) continue;
      push(sub);  // invalidates f
      continue;
    }
    const M* m = f.m;
    std::size_t sum = f.sum;
    stack.pop_back();
    open[m] = false;
    done[m] = sum;
    if (!stack.empty()) stack.back().sum = add(stack.back().sum, sum);
  }
  return done[&top];
}

// "a, b, c" for a message; a file with 10^5 modules is named by its first 20 and a count.
template <class It, class NameFn>
std::string name_list(It first, It last, NameFn name) {
  std::string s;
  std::size_t n = 0;
  for (It it = first; it != last; ++it, ++n)
    if (n < 20) s += (s.empty() ? "" : ", ") + name(*it);
  if (n > 20) s += ", ... (" + std::to_string(n - 20) + " more)";
  return s;
}

// Splits "name[12]" into ("name", 12); false for names without a trailing numeric index.
inline bool split_indexed(const std::string& s, std::string& base, long& index) {
  if (s.size() < 4 || s.back() != ']') return false;
  std::size_t open = s.rfind('[');
  if (open == std::string::npos || open == 0 || open + 2 > s.size() - 1) return false;
  long v = 0;
  for (std::size_t i = open + 1; i + 1 < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
    if (v > 1'000'000) return false;
  }
  base = s.substr(0, open);
  index = v;
  return true;
}

// Groups bit-level port names into buses: "a[0]".."a[7]" become port "a" with bits ordered by
// index (lowest index = bit 0 = LSB, the way Yosys writes [N-1:0] buses); other names are 1-bit
// ports. Ports keep the order of their first bit.
std::vector<Port> group_ports(const std::vector<std::string>& names, const std::vector<NetId>& nets);

}  // namespace axx::netlist::detail

namespace axx::netlist::detail {

// Yosys's internal gate cells ($_AND_ ...), as `write_verilog -noexpr` and `write_blif -icells`
// write them. Ports: inputs A, B (and S for $_MUX_: Y = S ? B : A), output Y.
struct BuiltinCell {
  const char* name;
  GateOp op;
  std::vector<std::string> inputs;  // in the order the Gate takes them
  bool invert_last = false;         // $_ANDNOT_ = A & ~B, $_ORNOT_ = A | ~B
};

inline const BuiltinCell* find_builtin_cell(const std::string& name) {
  static const std::vector<BuiltinCell> cells = {
      {"$_BUF_", GateOp::Buf, {"A"}},           {"$_NOT_", GateOp::Not, {"A"}},
      {"$_AND_", GateOp::And, {"A", "B"}},      {"$_OR_", GateOp::Or, {"A", "B"}},
      {"$_XOR_", GateOp::Xor, {"A", "B"}},      {"$_NAND_", GateOp::Nand, {"A", "B"}},
      {"$_NOR_", GateOp::Nor, {"A", "B"}},      {"$_XNOR_", GateOp::Xnor, {"A", "B"}},
      {"$_ANDNOT_", GateOp::And, {"A", "B"}, true}, {"$_ORNOT_", GateOp::Or, {"A", "B"}, true},
      {"$_MUX_", GateOp::Mux, {"S", "A", "B"}},
  };
  for (const BuiltinCell& c : cells)
    if (name == c.name) return &c;
  return nullptr;
}

// Adds the gates of one builtin cell; `inputs` in the cell's input order.
inline void add_builtin_cell(NetlistBuilder& b, const BuiltinCell& c, std::vector<NetId> inputs, NetId y,
                             const std::string& file, std::size_t line) {
  if (c.invert_last)
    inputs.back() = b.gate(GateOp::Not, {inputs.back()}, b.fresh(b.netlist().net_names[y] + "$n"), file, line);
  b.gate(c.op, std::move(inputs), y, file, line);
}

}  // namespace axx::netlist::detail
